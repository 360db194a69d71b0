"""What a deployment config says, as frozen values: the reader builds them, the commands use them.

Kept apart from the reader so the mail, watch and schedule code can depend on the shapes
without the TOML checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from email.utils import getaddresses
from enum import Enum
from pathlib import Path

from processor.config.resources import Profile


class Security(Enum):
    """How the connection to the mail server is protected."""

    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (usually port 587)
    TLS = "tls"  # TLS from the first byte (usually port 465)
    NONE = "none"  # no encryption: only for a server on this machine or in tests


DEFAULT_PORTS = {Security.STARTTLS: 587, Security.TLS: 465, Security.NONE: 25}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send; holds the password's source, never the password itself."""

    host: str
    port: int
    security: Security
    sender: str
    user: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    timeout_seconds: float = 30.0
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class Recipients:
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()

    @property
    def everyone(self) -> tuple[str, ...]:
        """Envelope addresses, each once, in the order written."""
        seen: dict[str, None] = {}
        for address in (*self.to, *self.cc):
            seen.setdefault(address_of(address), None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class MailSettings:
    decision: Recipients
    decision_template: Path
    reminder: Recipients
    reminder_template: Path
    rejection_template: Path  # the letter that carries a refusal (report + marked copy)


@dataclass(frozen=True, slots=True)
class AttachSettings:
    """What goes with the decision email besides the .docx, which is always attached.

    Neither by default: the office registers and submits the .docx, and one file leaves no
    doubt which one; the results workbook is for whoever publishes the results, and a PDF of
    an unnumbered draft in a mailbox is too easily taken for the signed decision. Both are in
    the answers folder anyway.
    """

    results: bool = False
    pdf: bool = False


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """Back-off for temporary mail failures: first wait, doubling up to a cap, then give up."""

    first_seconds: float = 300.0
    max_seconds: float = 4 * 3600.0
    give_up_hours: float = 120.0


@dataclass(frozen=True, slots=True)
class WatchSettings:
    settle_seconds: float = 5.0  # a file is taken once its size and time are unchanged this long
    poll_seconds: float = 10.0  # the folder is scanned at least this often, events or not
    polling: bool = False  # True: never rely on OS events (network shares)


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """The January job: the day and time it runs, and which evaluation year it checks."""

    day: int = 5
    at: time = time(8, 0)
    evaluation_year: int | None = None  # None: the calendar year before the run


@dataclass(frozen=True, slots=True)
class ReportOutput:
    """[report]: the report made beside each decision, and whether each agency is mailed its own
    scorecard.

    The report (scorecards, summary, charts) is on by default: it costs a few seconds and a
    failure of it never holds back the decision. Mailing the scorecards is opt-in: they go to the
    addresses the workbook's optional `Email` column gives, while the decision is still a draft.
    """

    enabled: bool = True
    email_scorecards: bool = False
    template: Path | None = None  # the scorecard letter; None: not checked (email_scorecards off)


@dataclass(frozen=True, slots=True)
class Settings:
    source: Path  # the config file, absolute
    root: Path  # the drop folder: inbox/, processing/, done/, failed/, outbox/, ...
    output: Path  # where decisions are written
    profile: Profile  # [decision] profile, or the default one
    rules: Path  # the profile's, unless [decision] rules names another
    template: Path  # the profile's, unless [decision] template names another
    smtp: SmtpSettings
    mail: MailSettings
    retry: RetrySettings
    watch: WatchSettings
    schedule: ScheduleSettings
    answers: Path  # [folders] answers: one answer per dropped file, for the people who drop
    share_name: str | None  # [folders] share_name: what people call the root ('\\maychu\XepHang')
    rejection: Recipients | None  # refusals the secretary must fix; None: no rejection email
    technical: Recipients | None  # refusals the technical staff must fix (template, server)
    attach: AttachSettings
    history: Path  # [history] file: the SQLite history of every year made
    pdf: bool = True  # [decision] pdf: make the decision's PDF (when LibreOffice is installed)
    report: ReportOutput = ReportOutput()  # [report]

    def shown(self, path: Path) -> str:
        """A folder or file as people know it: under the share name when it is in the root."""
        return shown_path(self.root, self.share_name, path)


def shown_path(root: Path, share_name: str | None, path: Path) -> str:
    r"""`\\maychu\XepHang\inbox` for root/inbox when the root is shared under that name.

    Outside the root, or with no share name, the server's own path: it is all there is.
    """
    if share_name is None:
        return str(path)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return str(path)
    separator = "\\" if "\\" in share_name else "/"
    return separator.join([share_name.rstrip("\\/"), *parts])


def address_of(text: str) -> str:
    """The bare address of `Văn thư <vanthu@tinh.gov.vn>` (what SMTP's envelope carries)."""
    pairs = getaddresses([text])
    return pairs[0][1] if pairs else ""
