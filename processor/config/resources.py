"""Where the profiles (rules file, Word template, email templates) and the shared files are found.

A profile is a folder holding `quy-tac.toml` (the rules and all the wording) and `quyet-dinh.docx`
(the Word template), and optionally its own email templates. The bundled profiles are the
folders of templates/ (or of the copy a wheel carries); a province keeps its own anywhere and
names the folder instead of a bundled name. Finding one touches only the file system: `check`
stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processor.config.toml_files import read_toml
from processor.core.near_miss import closest
from processor.core.problems import InputError, Problem

DEFAULT_PROFILE = "lao-cai-2020"
RULES_NAME = "quy-tac.toml"
TEMPLATE_NAME = "quyet-dinh.docx"
DEFAULT_RULES = f"{DEFAULT_PROFILE}/{RULES_NAME}"
DEFAULT_TEMPLATE = f"{DEFAULT_PROFILE}/{TEMPLATE_NAME}"
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


@dataclass(frozen=True, slots=True)
class Profile:
    """One decision's files: its rules, its Word template, and the email templates it uses."""

    name: str  # the bundled name, or the folder's name for a province's own profile
    folder: Path
    bundled: bool = True

    @property
    def rules(self) -> Path:
        return self.folder / RULES_NAME

    @property
    def template(self) -> Path:
        return self.folder / TEMPLATE_NAME

    @property
    def decision_email(self) -> Path:
        """The profile's own decision email template, or the shared one."""
        return self._email(DECISION_EMAIL_TEMPLATE)

    @property
    def reminder_email(self) -> Path:
        """The profile's own January reminder template, or the shared one."""
        return self._email(REMINDER_EMAIL_TEMPLATE)

    @property
    def description(self) -> str:
        """The one line `[profile] description` of its rules file ("" when it has none).

        Only the TOML is read, not the rules: listing the profiles checks none of them.
        """
        table = read_toml(self.rules, "tệp quy tắc").get("profile")
        text = table.get("description") if isinstance(table, dict) else None
        return " ".join(text.split()) if isinstance(text, str) else ""

    def _email(self, name: str) -> Path:
        own = self.folder / name
        return own if own.is_file() else bundled_email_template(name)


def _is_profile_folder(folder: Path) -> bool:
    return (folder / RULES_NAME).is_file() and (folder / TEMPLATE_NAME).is_file()


def list_profiles() -> list[Profile]:
    """The bundled profiles, by name, the default first."""
    root = bundled_dir()
    found = sorted(
        (Profile(folder.name, folder) for folder in root.iterdir() if _is_profile_folder(folder)),
        key=lambda profile: (profile.name != DEFAULT_PROFILE, profile.name),
    )
    return found


def default_profile() -> Profile:
    return Profile(DEFAULT_PROFILE, bundled_dir() / DEFAULT_PROFILE)


def _looks_like_path(text: str) -> bool:
    return any(mark in text for mark in ("/", "\\")) or text.startswith((".", "~"))


def find_profile(name: str, base: Path | None = None, place: str = "--profile") -> Profile:
    """A bundled profile by name, or a province's own profile folder given as a path.

    A bare name is a bundled profile; a name that looks like a path (or names an existing
    folder under `base`, the current folder by default) is a profile folder. `place` is where
    the name was written, for the message. InputError, in Vietnamese, for anything else.
    """
    text = name.strip()
    bundled = {profile.name: profile for profile in list_profiles()}
    if text in bundled:
        return bundled[text]
    folder = Path(text).expanduser()
    if not folder.is_absolute():
        folder = (base or Path.cwd()) / folder
    if text and (_looks_like_path(text) or folder.is_dir()):
        return _own_profile(text, folder, place)
    raise InputError(
        f"Không có bộ mẫu «{text}».", [Problem(place, _unknown_hint(text, sorted(bundled)))]
    )


def _own_profile(text: str, folder: Path, place: str) -> Profile:
    if not folder.is_dir():
        what = "không phải thư mục" if folder.exists() else "không tồn tại"
        raise InputError(
            f"Thư mục bộ mẫu {folder} {what}.",
            [
                Problem(
                    place,
                    f"«{text}» phải là tên một bộ mẫu có sẵn (xem lệnh profiles) hoặc đường dẫn "
                    f"đến thư mục chứa {RULES_NAME} và {TEMPLATE_NAME}.",
                )
            ],
        )
    missing = [name for name in (RULES_NAME, TEMPLATE_NAME) if not (folder / name).is_file()]
    if missing:
        raise InputError(
            f"Thư mục {folder} chưa phải một bộ mẫu.",
            [Problem(place, f"Thiếu tệp {name} trong thư mục.") for name in missing],
        )
    resolved = folder.resolve()
    return Profile(resolved.name, resolved, bundled=False)


def _unknown_hint(text: str, names: list[str]) -> str:
    near = closest(text, names)
    guess = f"Có phải «{near}»? " if near else ""
    listed = ", ".join(names) or "(không có)"
    return (
        f"{guess}Các bộ mẫu có sẵn: {listed} (xem lệnh profiles). Bộ mẫu riêng của tỉnh: ghi "
        f"đường dẫn đến thư mục chứa {RULES_NAME} và {TEMPLATE_NAME}, ví dụ ./bo-mau-cua-tinh."
    )
