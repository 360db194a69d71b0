"""The deployment config (TOML): folders, rules and template, mail server, recipients, timings.

One file describes one installation, so the unattended commands (`inbox`, `watch`, `schedule`,
`config check`) all read the same facts. The whole file is checked at once and every mistake is
reported with its key, in Vietnamese. The SMTP password is never in the file: it comes from an
environment variable or a file named here, and is read only when a connection is made.

The parts: `model` (the settings values, and how a folder is shown to people under the share
name; [report]: the report beside each decision, the scorecards mailed to the agencies),
`values` and `reader` (checking the TOML), `password` (fetching the SMTP password).
Everything the commands use is importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from processor.config.resources import (
    DECISION_EMAIL_TEMPLATE,
    EXAMPLE_CONFIG,
    REMINDER_EMAIL_TEMPLATE,
    bundled_email_template,
)
from processor.config.settings.model import (
    DEFAULT_PORTS,
    AttachSettings,
    MailSettings,
    Recipients,
    ReportOutput,
    RetrySettings,
    ScheduleSettings,
    Security,
    Settings,
    SmtpSettings,
    WatchSettings,
    address_of,
    shown_path,
)
from processor.config.settings.password import read_password
from processor.config.settings.reader import (
    REJECTION_TEMPLATE,
    SCORECARD_TEMPLATE,
    SettingsReader,
)
from processor.config.toml_files import read_toml
from processor.core.problems import InputError

__all__ = [
    "DECISION_EMAIL_TEMPLATE",
    "DEFAULT_PORTS",
    "EXAMPLE_CONFIG",
    "REJECTION_TEMPLATE",
    "REMINDER_EMAIL_TEMPLATE",
    "SCORECARD_TEMPLATE",
    "AttachSettings",
    "MailSettings",
    "Recipients",
    "ReportOutput",
    "RetrySettings",
    "ScheduleSettings",
    "Security",
    "Settings",
    "SmtpSettings",
    "WatchSettings",
    "address_of",
    "bundled_email_template",
    "load_settings",
    "parse_settings",
    "read_password",
    "shown_path",
]


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
    reader = SettingsReader(label, base)
    settings = reader.settings(raw, source or base / label)
    if reader.problems or settings is None:
        raise InputError(f"Tệp cấu hình {label} có lỗi, cần sửa trước khi chạy.", reader.problems)
    return settings
