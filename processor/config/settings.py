"""The deployment config (TOML): folders, rules and template, mail server, recipients, timings.

One file describes one installation, so the unattended commands (`inbox`, `watch`, `schedule`,
`config check`) all read the same facts. The whole file is checked at once and every mistake is
reported with its key, in Vietnamese. The SMTP password is never in the file: it comes from an
environment variable or a file named here, and is read only when a connection is made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from email.utils import getaddresses
from enum import Enum
from pathlib import Path
from typing import Any

from processor.config.resources import bundled_dir, default_rules, default_template
from processor.config.toml_files import read_toml
from processor.core.problems import InputError, Problem

DECISION_EMAIL_TEMPLATE = "email-quyet-dinh.txt.j2"
REMINDER_EMAIL_TEMPLATE = "email-nhac-viec.txt.j2"
EXAMPLE_CONFIG = "cau-hinh-trien-khai.example.toml"


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
class Settings:
    source: Path  # the config file, absolute
    root: Path  # the drop folder: inbox/, processing/, done/, failed/, outbox/, ...
    output: Path  # where decisions are written
    rules: Path
    template: Path
    smtp: SmtpSettings
    mail: MailSettings
    retry: RetrySettings
    watch: WatchSettings
    schedule: ScheduleSettings


def address_of(text: str) -> str:
    """The bare address of `Văn thư <vanthu@tinh.gov.vn>` (what SMTP's envelope carries)."""
    pairs = getaddresses([text])
    return pairs[0][1] if pairs else ""


def bundled_email_template(name: str) -> Path:
    """The email templates shipped in templates/ (or beside a wheel's bundled files)."""
    for folder in (bundled_dir(), Path(__file__).resolve().parent.parent / "templates"):
        if (folder / name).is_file():
            return folder / name
    return bundled_dir() / name


def load_settings(path: Path) -> Settings:
    """Read and check a deployment config; InputError lists every problem in it."""
    label = path.name
    raw = read_toml(
        path,
        "tệp cấu hình",
        f"Tệp không tồn tại. Sao chép mẫu templates/{EXAMPLE_CONFIG} thành tệp này rồi sửa "
        "theo hướng dẫn trong tệp.",
    )
    return parse_settings(raw, path.resolve().parent, label, source=path.resolve())


def parse_settings(
    raw: Mapping[str, Any], base: Path, label: str = "cấu hình", source: Path | None = None
) -> Settings:
    """Turn the parsed TOML into Settings; relative paths are taken from `base`. No I/O."""
    reader = _Reader(label, base)
    settings = reader.settings(raw, source or base / label)
    if reader.problems or settings is None:
        raise InputError(f"Tệp cấu hình {label} có lỗi, cần sửa trước khi chạy.", reader.problems)
    return settings


def read_password(smtp: SmtpSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from its environment variable or file; None when no login is set."""
    if smtp.user is None:
        return None
    environ = os.environ if environ is None else environ
    if smtp.password_env is not None:
        value = environ.get(smtp.password_env, "")
        if not value:
            raise InputError(
                "Chưa có mật khẩu máy chủ thư.",
                [
                    Problem(
                        "smtp.password_env",
                        f"Biến môi trường {smtp.password_env} chưa được đặt (hoặc rỗng) trong "
                        "môi trường chạy chương trình.",
                    )
                ],
            )
        return value
    assert smtp.password_file is not None  # guaranteed by the reader
    try:
        text = smtp.password_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(
            "Không đọc được mật khẩu máy chủ thư.",
            [Problem("smtp.password_file", f"{smtp.password_file}: {reason}.")],
        ) from None
    value = text.rstrip("\r\n")
    if not value:
        raise InputError(
            "Chưa có mật khẩu máy chủ thư.",
            [Problem("smtp.password_file", f"Tệp {smtp.password_file} rỗng.")],
        )
    return value


_SECTIONS = {
    "folders": {"root", "output"},
    "decision": {"rules", "template"},
    "smtp": {
        "host",
        "port",
        "security",
        "user",
        "password_env",
        "password_file",
        "sender",
        "timeout_seconds",
        "ca_file",
    },
    "email": {"to", "cc", "template"},
    "reminder": {"to", "cc", "template"},
    "retry": {"first_seconds", "max_seconds", "give_up_hours"},
    "watch": {"settle_seconds", "poll_seconds", "polling"},
    "schedule": {"day", "time", "evaluation_year"},
}
_REQUIRED_SECTIONS = ("folders", "smtp", "email")


class _Reader:
    """Collects every problem instead of stopping at the first, like the rules parser."""

    def __init__(self, label: str, base: Path):
        self.label = label
        self.base = base
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}: {key}", message))

    def settings(self, raw: Mapping[str, Any], source: Path) -> Settings | None:
        for key, value in raw.items():
            if key not in _SECTIONS:
                self.fail(key, f"Mục không dùng đến; các mục có thể có: {', '.join(_SECTIONS)}.")
            elif not isinstance(value, dict):
                self.fail(key, f"Phải là một bảng: dòng [{key}] và các khóa bên dưới.")
        for name in _REQUIRED_SECTIONS:
            if name not in raw:
                self.fail(name, f"Thiếu mục [{name}].")
        tables = {name: self.table(raw, name) for name in _SECTIONS}
        folders, smtp = tables["folders"], tables["smtp"]
        root = self.path(folders, "folders", "root", required=True)
        output = self.path(folders, "folders", "output", required=True)
        if (
            root is not None
            and output is not None
            and (root == output or output.is_relative_to(root / "inbox"))
        ):
            self.fail(
                "folders.output",
                "Thư mục quyết định phải khác thư mục nhận và không nằm trong inbox/ (quyết định "
                "sẽ bị lấy như một bảng điểm).",
            )
        rules = self.path(tables["decision"], "decision", "rules") or default_rules()
        template = self.path(tables["decision"], "decision", "template") or default_template()
        smtp_settings = self.smtp(smtp)
        decision_to = self.addresses(tables["email"], "email", "to", required=True)
        decision_cc = self.addresses(tables["email"], "email", "cc")
        decision_template = self.path(
            tables["email"], "email", "template"
        ) or bundled_email_template(DECISION_EMAIL_TEMPLATE)
        reminder_to = self.addresses(tables["reminder"], "reminder", "to") or decision_to
        reminder_cc = self.addresses(tables["reminder"], "reminder", "cc")
        if "to" not in tables["reminder"] and "cc" not in tables["reminder"]:
            reminder_cc = decision_cc
        reminder_template = self.path(
            tables["reminder"], "reminder", "template"
        ) or bundled_email_template(REMINDER_EMAIL_TEMPLATE)
        for key, file in (
            ("decision.rules", rules),
            ("decision.template", template),
            ("email.template", decision_template),
            ("reminder.template", reminder_template),
        ):
            if not file.is_file():
                self.fail(key, f"Không tìm thấy tệp {file}.")
        retry = self.retry(tables["retry"])
        watch = self.watch(tables["watch"])
        schedule = self.schedule(tables["schedule"])
        if (
            self.problems
            or root is None
            or output is None
            or smtp_settings is None
            or retry is None
            or watch is None
            or schedule is None
        ):
            return None
        return Settings(
            source=source,
            root=root,
            output=output,
            rules=rules,
            template=template,
            smtp=smtp_settings,
            mail=MailSettings(
                decision=Recipients(decision_to, decision_cc),
                decision_template=decision_template,
                reminder=Recipients(reminder_to, reminder_cc),
                reminder_template=reminder_template,
            ),
            retry=retry,
            watch=watch,
            schedule=schedule,
        )

    # -- sections ------------------------------------------------------------------------

    def smtp(self, table: dict[str, Any]) -> SmtpSettings | None:
        if "password" in table:
            self.fail(
                "smtp.password",
                "Không ghi mật khẩu trong tệp cấu hình. Xóa dòng này; đặt mật khẩu vào một biến "
                "môi trường rồi ghi tên biến ở password_env, hoặc vào một tệp chỉ người chạy "
                "chương trình đọc được rồi ghi đường dẫn ở password_file.",
            )
        host = self.text(table, "smtp", "host", required=True)
        security_name = self.text(table, "smtp", "security") or Security.STARTTLS.value
        try:
            security = Security(security_name.lower())
        except ValueError:
            self.fail(
                "smtp.security",
                f"Phải là một trong: starttls, tls, none; đang ghi «{security_name}».",
            )
            security = Security.STARTTLS
        port = self.integer(table, "smtp", "port", low=1, high=65535)
        sender = self.text(table, "smtp", "sender", required=True)
        if sender is not None:
            self.check_address("smtp.sender", sender)
        user = self.text(table, "smtp", "user")
        password_env = self.text(table, "smtp", "password_env")
        password_file = self.path(table, "smtp", "password_file")
        if password_env is not None and password_file is not None:
            self.fail(
                "smtp.password_file", "Chỉ ghi một trong hai: password_env hoặc password_file."
            )
        if user is not None and password_env is None and password_file is None:
            self.fail(
                "smtp.user",
                "Có tên đăng nhập nhưng chưa nói lấy mật khẩu ở đâu: ghi password_env (tên biến "
                "môi trường) hoặc password_file (đường dẫn tệp chứa mật khẩu).",
            )
        if user is None and (password_env is not None or password_file is not None):
            self.fail("smtp.user", "Có nguồn mật khẩu nhưng thiếu tên đăng nhập (user).")
        timeout = self.number(table, "smtp", "timeout_seconds", low=1, high=600)
        ca_file = self.path(table, "smtp", "ca_file")
        if ca_file is not None and not ca_file.is_file():
            self.fail("smtp.ca_file", f"Không tìm thấy tệp {ca_file}.")
        if host is None or sender is None:
            return None
        return SmtpSettings(
            host=host,
            port=port if port is not None else DEFAULT_PORTS[security],
            security=security,
            sender=sender,
            user=user,
            password_env=password_env,
            password_file=password_file,
            timeout_seconds=timeout if timeout is not None else 30.0,
            ca_file=ca_file,
        )

    def retry(self, table: dict[str, Any]) -> RetrySettings | None:
        default = RetrySettings()
        first = self.number(table, "retry", "first_seconds", low=0, high=7 * 86400)
        cap = self.number(table, "retry", "max_seconds", low=0, high=7 * 86400)
        give_up = self.number(table, "retry", "give_up_hours", low=0, high=24 * 60)
        first = default.first_seconds if first is None else first
        cap = default.max_seconds if cap is None else cap
        if cap < first:
            self.fail("retry.max_seconds", "Không được nhỏ hơn first_seconds.")
        return RetrySettings(
            first_seconds=first,
            max_seconds=cap,
            give_up_hours=default.give_up_hours if give_up is None else give_up,
        )

    def watch(self, table: dict[str, Any]) -> WatchSettings | None:
        default = WatchSettings()
        settle = self.number(table, "watch", "settle_seconds", low=0, high=3600)
        poll = self.number(table, "watch", "poll_seconds", low=0.05, high=3600)
        polling = table.get("polling", default.polling)
        if not isinstance(polling, bool):
            self.fail("watch.polling", "Phải là true hoặc false.")
            polling = default.polling
        return WatchSettings(
            settle_seconds=default.settle_seconds if settle is None else settle,
            poll_seconds=default.poll_seconds if poll is None else poll,
            polling=polling,
        )

    def schedule(self, table: dict[str, Any]) -> ScheduleSettings | None:
        default = ScheduleSettings()
        day = self.integer(table, "schedule", "day", low=1, high=31)
        year = self.integer(table, "schedule", "evaluation_year", low=1900, high=9999)
        at = default.at
        text = table.get("time")
        if text is not None:
            try:
                if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
                    raise ValueError
                at = time(int(text[:2]), int(text[3:]))
            except ValueError:
                self.fail("schedule.time", f'Phải là giờ:phút, ví dụ "08:00"; đang ghi «{text}».')
        return ScheduleSettings(
            day=default.day if day is None else day, at=at, evaluation_year=year
        )

    # -- values --------------------------------------------------------------------------

    def table(self, raw: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, dict):
            return {}
        for key in value:
            if key not in _SECTIONS[name] and not (name == "smtp" and key == "password"):
                allowed = ", ".join(sorted(_SECTIONS[name]))
                self.fail(
                    f"{name}.{key}", f"Khóa không dùng đến; các khóa của [{name}]: {allowed}."
                )
        return value

    def text(
        self, table: dict[str, Any], section: str, key: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(f"{section}.{key}", "Thiếu khóa bắt buộc.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{section}.{key}", "Phải là một chuỗi chữ không rỗng, trong dấu nháy kép.")
            return None
        return value.strip()

    def path(
        self, table: dict[str, Any], section: str, key: str, *, required: bool = False
    ) -> Path | None:
        value = self.text(table, section, key, required=required)
        if value is None:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.base / path).resolve()

    def integer(
        self, table: dict[str, Any], section: str, key: str, *, low: int, high: int
    ) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{section}.{key}", f"Phải là số nguyên từ {low} đến {high}.")
            return None
        return value

    def number(
        self, table: dict[str, Any], section: str, key: str, *, low: float, high: float
    ) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.fail(f"{section}.{key}", f"Phải là một số từ {low:g} đến {high:g}.")
            return None
        return float(value)

    def addresses(
        self, table: dict[str, Any], section: str, key: str, *, required: bool = False
    ) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(f"{section}.{key}", "Thiếu khóa bắt buộc: danh sách địa chỉ thư.")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{section}.{key}", 'Phải là danh sách địa chỉ, ví dụ ["a@tinh.gov.vn"].')
            return ()
        if required and not value:
            self.fail(f"{section}.{key}", "Cần ít nhất một địa chỉ.")
        for index, text in enumerate(value):
            self.check_address(f"{section}.{key}[{index}]", text)
        return tuple(v.strip() for v in value)

    def check_address(self, key: str, text: str) -> None:
        address = address_of(text)
        local, _, domain = address.partition("@")
        if not local or not domain or "@" in domain or any(c.isspace() for c in address):
            self.fail(
                key,
                f"«{text}» không phải địa chỉ thư; viết dạng ten@co-quan.gov.vn hoặc "
                "Tên người nhận <ten@co-quan.gov.vn>.",
            )
        elif not address.isascii():
            self.fail(key, f"«{address}»: địa chỉ thư chỉ dùng chữ không dấu.")
