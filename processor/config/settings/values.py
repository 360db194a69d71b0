"""Reading one key of the deployment config: its type, its range, and the message if wrong.

Every section reads its keys through these, so a mistake is reported the same way wherever it
is, with the key's full name, and reading goes on to find the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from processor.config.settings.model import address_of
from processor.core.near_miss import corrected, unknown_key_message, unknown_keys
from processor.core.problems import Problem

SECTIONS = {
    "folders": {"root", "output", "answers", "share_name"},
    "decision": {"profile", "rules", "template", "pdf"},
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
    "email": {"to", "cc", "template", "attach_results", "attach_pdf"},
    "reminder": {"to", "cc", "template"},
    "rejection": {"to", "cc", "technical_to", "template"},
    "retry": {"first_seconds", "max_seconds", "give_up_hours"},
    "watch": {"settle_seconds", "poll_seconds", "polling"},
    "schedule": {"day", "time", "evaluation_year"},
    "history": {"file"},
    "report": {"enabled", "email_scorecards", "template"},
}


class ValueReader:
    """Collects every problem instead of stopping at the first, like the rules parser."""

    def __init__(self, label: str, base: Path):
        self.label = label
        self.base = base
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}: {key}", message))

    def table(self, raw: Mapping[str, Any], name: str) -> dict[str, Any]:
        """The section's keys, each unknown one reported and a near miss read as meant."""
        value = raw.get(name, {})
        if not isinstance(value, dict):
            return {}
        allowed = sorted(SECTIONS[name])
        others = {f"[{other}]": keys for other, keys in SECTIONS.items() if other != name}
        extra = {"password"} if name == "smtp" else set()  # refused with its own message
        unknown = [k for k in unknown_keys(value, allowed, others) if k.key not in extra]
        for item in unknown:
            message = unknown_key_message(item, f"[{name}]", allowed, opening="Khóa không dùng đến")
            self.fail(f"{name}.{item.key}", message)
        return corrected(value, unknown)

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

    def boolean(self, table: dict[str, Any], section: str, key: str, *, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{section}.{key}", "Phải là true hoặc false (không có dấu nháy).")
            return default
        return value

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
