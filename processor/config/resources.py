"""Where the bundled rules file, Word template and email templates are found."""

from __future__ import annotations

from pathlib import Path

DEFAULT_PROFILE = "lao-cai-2020"
DEFAULT_RULES = f"{DEFAULT_PROFILE}/quy-tac.toml"
DEFAULT_TEMPLATE = f"{DEFAULT_PROFILE}/quyet-dinh.docx"
DECISION_EMAIL_TEMPLATE = "email-quyet-dinh.txt.j2"
REMINDER_EMAIL_TEMPLATE = "email-nhac-viec.txt.j2"
EXAMPLE_CONFIG = "cau-hinh-trien-khai.example.toml"


def bundled_dir() -> Path:
    """templates/ of the repository (editable install), or the copy a wheel carries."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "_bundled"
    return inside if inside.is_dir() else package.parent / "templates"


def default_rules() -> Path:
    return bundled_dir() / DEFAULT_RULES


def default_template() -> Path:
    return bundled_dir() / DEFAULT_TEMPLATE


def bundled_email_template(name: str) -> Path:
    """The email templates shipped in templates/ (or beside a wheel's bundled files)."""
    return bundled_dir() / name
