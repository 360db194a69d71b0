"""Where the bundled rules file and Word template are found."""

from __future__ import annotations

from pathlib import Path

DEFAULT_RULES = "quy-tac-lao-cai.toml"
DEFAULT_TEMPLATE = "quyet-dinh-xep-hang.docx"


def bundled_dir() -> Path:
    """templates/ of the repository (editable install), or the copy a wheel carries."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "_bundled"
    return inside if inside.is_dir() else package.parent / "templates"


def default_rules() -> Path:
    return bundled_dir() / DEFAULT_RULES


def default_template() -> Path:
    return bundled_dir() / DEFAULT_TEMPLATE
