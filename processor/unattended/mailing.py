"""Email: compose the message, keep it in an outbox, send it, and remember who received it.

A message is written whole to `outbox/<id>/message.eml` (with its delivery state in
`state.json`) before any connection is made, then sent with smtplib. The entry moves to
`sent/` only when every recipient was accepted. A temporary failure (no connection, timeout,
4xx) keeps it in the outbox for a later pass, with back-off; a permanent one (5xx) moves it to
`mail-failed/` with the server's answer in `bao-cao.txt`. Recipients who accepted are recorded
at once and never sent the message again.

The one window where a recipient can receive a message twice: the server accepted it and the
process died before `state.json` was rewritten (a few milliseconds). The next pass sends the
same bytes again, with the same Message-ID, so mail clients show it once.

What the next state is, when to retry and who is left are pure functions over `Delivery`.
"""

from __future__ import annotations

import email.policy
import json
import shutil
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processor.config.settings import Recipients, RetrySettings, Security, SmtpSettings, address_of
from processor.core.problems import InputError, Problem
from processor.unattended.events import Event, EventLog, Pauses
from processor.writing.files import rename_new, sync_folder, write_atomic

if TYPE_CHECKING:
    from processor.pipeline import Outcome

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
MESSAGE_FILE = "message.eml"
STATE_FILE = "state.json"
REPORT_FILE = "bao-cao.txt"
SUBJECT_PREFIX = "tiêu đề:"


# -- templates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    body: str


def render_letter(template: Path, context: Mapping[str, Any]) -> Letter:
    """Fill a text template whose first line is `Tiêu đề: …`, then a blank line, then the body."""
    import jinja2

    label = template.name
    try:
        source = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "phải là tệp chữ UTF-8"
        raise InputError(
            f"Không đọc được mẫu thư {template}.", [Problem(label, f"{reason}.")]
        ) from None
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text: an agency named "A & B" stays "A & B"
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    try:
        text = environment.from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"Mẫu thư {template} có thẻ {{{{ }}}} hoặc {{% %}} viết sai.",
            [Problem(f"{label}, dòng {exc.lineno}", f"{exc.message}.")],
        ) from None
    except jinja2.UndefinedError as exc:
        names = ", ".join(sorted(context))
        raise InputError(
            f"Mẫu thư {template} dùng một biến chương trình không có.",
            [Problem(label, f"{exc.message}. Các biến dùng được: {names}.")],
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            f"Mẫu thư {template} có lỗi khi điền dữ liệu.", [Problem(label, f"{exc}.")]
        ) from None
    return split_letter(text, label)


def split_letter(text: str, label: str = "mẫu thư") -> Letter:
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0].strip() if lines else ""
    if not first.lower().startswith(SUBJECT_PREFIX) or not first[len(SUBJECT_PREFIX) :].strip():
        raise InputError(
            f"Mẫu thư {label} thiếu dòng tiêu đề.",
            [
                Problem(
                    label,
                    "Dòng đầu tiên (sau phần chú thích {# #}) phải là «Tiêu đề: …», tiếp theo là "
                    "một dòng trống rồi đến nội dung thư.",
                )
            ],
        )
    subject = " ".join(first[len(SUBJECT_PREFIX) :].split())
    body = "\n".join(lines[1:]).strip("\n") + "\n"
    return Letter(subject=subject, body=body)


def decision_context(
    outcome: Outcome, workbook_name: str, sha256: str, received: datetime
) -> dict[str, Any]:
    """What the decision email may say, from a pipeline Outcome."""
    from processor.core.report import group_summaries, problem_lines

    rules = outcome.rules
    groups = [
        {
            "ma": group.code,
            "ten": group.title,
            "so_don_vi": group.agencies,
            "xep_loai": group.grades_text,
            "dung_dau": group.first or "",
            "diem_dung_dau": group.first_total or "",
        }
        for group in group_summaries(rules, outcome.groups)
    ]
    return {
        "nam": outcome.evaluation.info.year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": outcome.path.name,
        "bang_diem": workbook_name,
        "thoi_diem_nhan": f"{received:%H:%M ngày %d/%m/%Y}",
        "so_don_vi": len(outcome.evaluation.agencies),
        "nhom": groups,
        "canh_bao": [line.strip() for line in problem_lines(outcome.warnings)],
        "sha256": sha256,
    }


def reminder_context(
    year: int, province: str, decision_file: str, inbox: Path, today: date
) -> dict[str, Any]:
    return {
        "nam": year,
        "tinh": province,
        "tep_quyet_dinh": decision_file,
        "thu_muc_nhan": str(inbox),
        "ngay": f"{today:%d/%m/%Y}",
    }


def sample_decision_context() -> dict[str, Any]:
    """Plausible values, so `config check` can try a template before January does."""
    return {
        "nam": 2020,
        "tinh": "Lào Cai",
        "tep_quyet_dinh": "quyet-dinh-xep-hang-cntt-2020.docx",
        "bang_diem": "bang-diem-2020.xlsx",
        "thoi_diem_nhan": "08:00 ngày 05/01/2021",
        "so_don_vi": 2,
        "nhom": [
            {
                "ma": "I",
                "ten": "Các cơ quan, đơn vị có TTHC",
                "so_don_vi": 2,
                "xep_loai": "Tốt 1, Khá 1",
                "dung_dau": "Sở Thông tin và Truyền thông",
                "diem_dung_dau": "96,34",
            }
        ],
        "canh_bao": ["Cảnh báo Điểm!T3: ví dụ một cảnh báo."],
        "sha256": "0" * 64,
    }


def sample_reminder_context(inbox: Path) -> dict[str, Any]:
    return reminder_context(
        2020, "Lào Cai", "quyet-dinh-xep-hang-cntt-2020.docx", inbox, date(2021, 1, 5)
    )


# -- composing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str = DOCX_TYPE[0]
    subtype: str = DOCX_TYPE[1]


def decision_entry_id(year: int, sha256: str) -> str:
    """One outbox entry per distinct workbook: the same drop resumed finds the same entry."""
    return f"quyet-dinh-{year}-{sha256[:20]}"


def reminder_entry_id(year: int) -> str:
    """One reminder per evaluation year, however many times the January job runs."""
    return f"nhac-viec-{year}"


def message_id(entry_id: str, sender: str) -> str:
    """Deterministic, so a message sent again after a crash carries the same Message-ID."""
    domain = address_of(sender).rpartition("@")[2] or "xep-hang-cntt.invalid"
    return f"<{entry_id}.xep-hang-cntt@{domain}>"


def compose(
    *,
    sender: str,
    recipients: Recipients,
    letter: Letter,
    message_id: str,
    moment: datetime,
    attachment: Attachment | None = None,
) -> bytes:
    """The whole message as bytes (7-bit clean, CRLF), exactly what is stored and sent."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients.to)
    if recipients.cc:
        message["Cc"] = ", ".join(recipients.cc)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    message.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        message.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,  # non-ASCII names are encoded per RFC 2231
        )
    return message.as_bytes()


# -- delivery state (pure) -------------------------------------------------------------------


class Status(Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox entry's delivery state; replaced, never mutated, after each attempt."""

    id: str
    kind: str  # "quyet-dinh" or "nhac-viec"
    subject: str
    sender: str  # envelope sender (bare address)
    recipients: tuple[str, ...]
    created: float  # epoch seconds
    accepted: tuple[str, ...] = ()
    rejected: Mapping[str, str] = field(default_factory=dict)  # permanent: address -> answer
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["rejected"] = dict(self.rejected)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Delivery:
        data = json.loads(text)
        data["recipients"] = tuple(data["recipients"])
        data["accepted"] = tuple(data.get("accepted", ()))
        data["rejected"] = dict(data.get("rejected", {}))
        fields = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in data.items() if k in fields})


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try did: who accepted, who was refused for good, who may be tried again."""

    accepted: tuple[str, ...] = ()
    permanent: Mapping[str, str] = field(default_factory=dict)
    temporary: Mapping[str, str] = field(default_factory=dict)


def remaining(delivery: Delivery) -> tuple[str, ...]:
    """Recipients still to be sent to: neither accepted nor refused for good."""
    done = set(delivery.accepted) | set(delivery.rejected)
    return tuple(r for r in delivery.recipients if r not in done)


def status(delivery: Delivery) -> Status:
    if remaining(delivery):
        return Status.PENDING
    return Status.FAILED if delivery.rejected else Status.SENT


def is_due(delivery: Delivery, now: float) -> bool:
    return status(delivery) is Status.PENDING and delivery.next_attempt <= now


def retry_delay(attempts: int, retry: RetrySettings) -> float:
    """Wait before try number attempts+1: first, doubling each time, never above the cap."""
    if attempts <= 0:
        return 0.0
    return min(retry.first_seconds * 2 ** min(attempts - 1, 30), retry.max_seconds)


def is_permanent(code: int) -> bool:
    return code >= 500


def attempt_from_answers(
    targets: Sequence[str], refused: Mapping[str, tuple[int, bytes | str]]
) -> Attempt:
    """smtplib's refused-recipients dict (from a normal return or SMTPRecipientsRefused)."""
    permanent: dict[str, str] = {}
    temporary: dict[str, str] = {}
    for address, (code, text) in refused.items():
        answer = answer_text(code, text)
        (permanent if is_permanent(code) else temporary)[address] = answer
    accepted = tuple(t for t in targets if t not in refused)
    return Attempt(accepted=accepted, permanent=permanent, temporary=temporary)


def attempt_for_all(targets: Sequence[str], answer: str, *, permanent: bool) -> Attempt:
    """The same answer for every target: a refused sender, refused data, or no connection."""
    answers = dict.fromkeys(targets, answer)
    return Attempt(permanent=answers) if permanent else Attempt(temporary=answers)


def after_attempt(
    delivery: Delivery, attempt: Attempt, now: float, retry: RetrySettings
) -> Delivery:
    """The state after one try; past the give-up time, temporary failures become permanent."""
    accepted = tuple(dict.fromkeys((*delivery.accepted, *attempt.accepted)))
    rejected = {**delivery.rejected, **attempt.permanent}
    errors = {**attempt.temporary, **attempt.permanent}
    last_error = "; ".join(f"{a}: {e}" for a, e in errors.items())
    updated = replace(
        delivery,
        accepted=accepted,
        rejected=rejected,
        attempts=delivery.attempts + 1,
        last_error=last_error,
    )
    left = remaining(updated)
    if not left:
        return updated
    if now - delivery.created >= retry.give_up_hours * 3600:
        hours = format_number_hours(retry.give_up_hours)
        gave_up = {
            r: f"bỏ cuộc sau {hours} giờ thử lại; lỗi cuối: {attempt.temporary.get(r, last_error)}"
            for r in left
        }
        return replace(updated, rejected={**rejected, **gave_up})
    return replace(updated, next_attempt=now + retry_delay(updated.attempts, retry))


def format_number_hours(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def answer_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def failure_report(delivery: Delivery) -> str:
    """The Vietnamese report put beside a message that could not reach everyone."""
    lines = [
        f"Thư: {delivery.subject}",
        f"Mã thư trong hàng đợi: {delivery.id}",
        f"Số lần gửi: {delivery.attempts}",
        "",
        "Không gửi được đến:",
        *(
            f"  {address}: máy chủ trả lời «{answer}»"
            for address, answer in delivery.rejected.items()
        ),
    ]
    if delivery.accepted:
        lines += ["", "Đã gửi được đến (không gửi lại):", *(f"  {a}" for a in delivery.accepted)]
    lines += [
        "",
        "Kiểm tra địa chỉ người nhận trong tệp cấu hình; gửi tay tệp message.eml trong thư mục "
        "này cho những người chưa nhận được.",
    ]
    return "\n".join(lines) + "\n"


# -- the outbox on disk ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mailbox:
    outbox: Path
    sent: Path
    failed: Path

    def folders(self) -> tuple[Path, Path, Path]:
        return (self.outbox, self.sent, self.failed)

    def has(self, entry_id: str) -> bool:
        """Known in any state: a message is queued once, however often its cause recurs."""
        return any((folder / entry_id).is_dir() for folder in self.folders())

    def enqueue(self, delivery: Delivery, raw: bytes) -> bool:
        """Write the entry whole (a folder renamed into place); False if it already exists."""
        if self.has(delivery.id):
            return False
        staging = self.outbox / f".tmp-{delivery.id}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        write_atomic(staging / MESSAGE_FILE, raw)
        write_atomic(staging / STATE_FILE, delivery.to_json().encode("utf-8"))
        rename_new(staging, self.outbox / delivery.id)
        return True

    def discard_staging(self) -> None:
        """Half-made entries a killed run left (never sent: they were not in place yet)."""
        if not self.outbox.is_dir():
            return
        for path in self.outbox.iterdir():
            if path.is_dir() and path.name.startswith(".tmp-"):
                shutil.rmtree(path)

    def pending(self) -> list[Delivery]:
        """Every entry in the outbox, oldest first."""
        found = []
        for folder in sorted(self.outbox.iterdir()) if self.outbox.is_dir() else []:
            if folder.name.startswith(".") or not (folder / STATE_FILE).is_file():
                continue
            found.append(Delivery.from_json((folder / STATE_FILE).read_text("utf-8")))
        return sorted(found, key=lambda d: (d.created, d.id))

    def message(self, entry_id: str) -> bytes:
        return (self.outbox / entry_id / MESSAGE_FILE).read_bytes()

    def save(self, delivery: Delivery) -> None:
        write_atomic(self.outbox / delivery.id / STATE_FILE, delivery.to_json().encode("utf-8"))

    def conclude(self, delivery: Delivery) -> Status:
        """Move a finished entry to sent/ or (with its report) to mail-failed/."""
        state = status(delivery)
        if state is Status.SENT:
            rename_new(self.outbox / delivery.id, self.sent / delivery.id)
        elif state is Status.FAILED:
            report = failure_report(delivery).encode("utf-8")
            write_atomic(self.outbox / delivery.id / REPORT_FILE, report)
            rename_new(self.outbox / delivery.id, self.failed / delivery.id)
        sync_folder(self.outbox)
        return state


# -- SMTP (edge) -----------------------------------------------------------------------------


def connect(smtp: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """An open, secured and logged-in connection; any failure raises (and closes it)."""
    context = ssl.create_default_context(
        cafile=str(smtp.ca_file) if smtp.ca_file is not None else None
    )
    if smtp.security is Security.TLS:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
        )
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        connection.ehlo()
        if smtp.security is Security.STARTTLS:
            connection.starttls(context=context)
            connection.ehlo()
        if smtp.user is not None:
            _login(connection, smtp.user, password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login() sends AUTH as ASCII only; a Vietnamese password goes as UTF-8.

    RFC 4616 (PLAIN) and the LOGIN mechanism carry UTF-8 in base64; servers that accept
    non-ASCII passwords expect exactly that.
    """
    if user.isascii() and password.isascii():
        connection.login(user, password)
        return
    import base64

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    connection.ehlo_or_helo_if_needed()
    offered = (connection.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" in offered:
        code, answer = connection.docmd(
            "AUTH", "PLAIN " + b64(b"\0" + user.encode() + b"\0" + password.encode())
        )
    elif "LOGIN" in offered:
        code, answer = connection.docmd("AUTH", "LOGIN " + b64(user.encode()))
        if code == 334:
            code, answer = connection.docmd(b64(password.encode()))
    else:
        raise smtplib.SMTPNotSupportedError(
            "máy chủ không nhận mật khẩu có dấu (chỉ hỗ trợ " + (" ".join(offered) or "không") + ")"
        )
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def describe_error(exc: BaseException, smtp: SmtpSettings) -> str:
    """A Vietnamese sentence for what went wrong talking to the server (never the password)."""
    where = f"{smtp.host}:{smtp.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"máy chủ thư {where} từ chối đăng nhập ({answer_text(exc.smtp_code, exc.smtp_error)})"
            ": kiểm tra smtp.user và mật khẩu"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"máy chủ thư {where} không hỗ trợ việc được yêu cầu ({exc}): kiểm tra smtp.security"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"máy chủ thư {where} trả lời «{answer_text(exc.smtp_code, exc.smtp_error)}»"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):  # smtplib hides a read timeout so
            return f"máy chủ thư {where} không trả lời sau {smtp.timeout_seconds:g} giây"
        return f"máy chủ thư {where} ngắt kết nối giữa chừng"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ thư {where} từ chối kết nối (máy chủ chưa chạy, hoặc sai host/port)"
    if isinstance(exc, socket.gaierror):
        return f"không tìm thấy máy chủ thư «{smtp.host}» (sai tên, hoặc mất mạng)"
    if isinstance(exc, TimeoutError):
        return f"máy chủ thư {where} không trả lời sau {smtp.timeout_seconds:g} giây"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"chứng chỉ TLS của máy chủ thư {where} không được tin cậy ({exc.verify_message}): "
            "kiểm tra smtp.host, hoặc ghi tệp chứng chỉ gốc của cơ quan ở smtp.ca_file"
        )
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS với máy chủ thư {where} ({exc.reason}): kiểm tra smtp.security và cổng"
    if isinstance(exc, OSError):
        return f"lỗi mạng khi nối đến máy chủ thư {where}: {exc.strerror or exc}"
    return f"lỗi khi gửi thư qua {where}: {type(exc).__name__}: {exc}"


def probe(smtp: SmtpSettings, password: str | None) -> str:
    """Connect, secure, log in and say goodbye: what `config check` reports."""
    connection = connect(smtp, password)
    try:
        connection.noop()
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
    how = {
        Security.STARTTLS: "STARTTLS",
        Security.TLS: "TLS",
        Security.NONE: "không mã hóa",
    }[smtp.security]
    login = f", đăng nhập được với tên {smtp.user}" if smtp.user else ""
    return f"kết nối được ({how}){login}"


@dataclass
class MailTally:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def deliver_due(
    mailbox: Mailbox,
    smtp: SmtpSettings,
    password: str | None,
    retry: RetrySettings,
    events: EventLog,
    pauses: Pauses,
    clock: Callable[[], float],
    opener: Callable[[SmtpSettings, str | None], smtplib.SMTP] = connect,
) -> MailTally:
    """One pass over the outbox: send what is due over one connection, record every answer."""
    tally = MailTally()
    entries = mailbox.pending()
    for delivery in entries:  # finished before a crash moved it: only move it now
        if status(delivery) is not Status.PENDING:
            _conclude(mailbox, delivery, events, tally)
    now = clock()
    due = [d for d in entries if is_due(d, now)]
    tally.waiting += sum(1 for d in entries if status(d) is Status.PENDING and not is_due(d, now))
    if not due:
        return tally
    try:
        connection = opener(smtp, password)
    except Exception as exc:  # whatever it is, the messages wait in the outbox for a later pass
        reason = describe_error(exc, smtp)
        for delivery in due:
            attempt = attempt_for_all(remaining(delivery), reason, permanent=False)
            _record(mailbox, delivery, attempt, retry, events, pauses, tally, clock())
        return tally
    pauses.point("connected")
    try:
        for index, delivery in enumerate(due):
            targets = remaining(delivery)
            broken = False
            try:
                refused = connection.sendmail(
                    delivery.sender, list(targets), mailbox.message(delivery.id)
                )
                attempt = attempt_from_answers(targets, refused)
            except smtplib.SMTPRecipientsRefused as exc:
                attempt = attempt_from_answers(targets, exc.recipients)
            except smtplib.SMTPResponseException as exc:
                answer = answer_text(exc.smtp_code, exc.smtp_error)
                attempt = attempt_for_all(targets, answer, permanent=is_permanent(exc.smtp_code))
                broken = exc.smtp_code == 421
            except (OSError, smtplib.SMTPException) as exc:
                attempt = attempt_for_all(targets, describe_error(exc, smtp), permanent=False)
                broken = True
            if attempt.accepted:
                pauses.point("accepted")  # the server has it; the record is not written yet
            _record(mailbox, delivery, attempt, retry, events, pauses, tally, clock())
            if broken:
                tally.waiting += len(due) - index - 1
                break
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return tally


def _record(
    mailbox: Mailbox,
    delivery: Delivery,
    attempt: Attempt,
    retry: RetrySettings,
    events: EventLog,
    pauses: Pauses,
    tally: MailTally,
    now: float,
) -> None:
    updated = after_attempt(delivery, attempt, now, retry)
    mailbox.save(updated)
    if attempt.accepted:
        pauses.point("noted")
        events.record(Event.EMAILED, delivery.id, f"đến: {', '.join(attempt.accepted)}")
    for address, answer in attempt.permanent.items():
        events.record(Event.FAILED, delivery.id, f"{address}: {answer}")
    if status(updated) is Status.PENDING:
        when = datetime.fromtimestamp(updated.next_attempt).strftime("%Y-%m-%d %H:%M:%S")
        events.record(
            Event.RETRY,
            delivery.id,
            f"lúc {when}; còn {len(remaining(updated))} người nhận; {updated.last_error}",
        )
    _conclude(mailbox, updated, events, tally)


def _conclude(mailbox: Mailbox, delivery: Delivery, events: EventLog, tally: MailTally) -> None:
    state = mailbox.conclude(delivery)
    if state is Status.SENT:
        tally.sent += 1
    elif state is Status.FAILED:
        tally.failed += 1
        gave_up = [a for a, e in delivery.rejected.items() if e.startswith("bỏ cuộc")]
        for address in gave_up:
            events.record(Event.FAILED, delivery.id, f"{address}: {delivery.rejected[address]}")
        events.record(
            Event.FAILED,
            delivery.id,
            f"thư không đến được {len(delivery.rejected)} người nhận; xem "
            f"{mailbox.failed.name}/{delivery.id}/{REPORT_FILE}",
        )
    else:
        tally.waiting += 1
