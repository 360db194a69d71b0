"""The drop folder: where a workbook waits, is worked on, and ends up; with its lock and ledger.

    inbox/        people drop workbooks here
    processing/   <stamp>/<original name>: taken, being worked on (resumed after a crash)
    done/         <stamp>_<sha256>_<original name>: made into a decision (or a duplicate)
    failed/       the same name, plus <name>.bao-cao.txt listing every problem
    ledger/       <sha256>.json: what became of each distinct workbook (for duplicates)
    outbox/ sent/ mail-failed/   the email queue (see mailing.py)
    nhat-ky.log   the event log; .xep-hang-cntt.lock  the one-process lock

Every state change of a workbook is a rename inside this one folder, so a workbook is always
somewhere whole, and its bytes are never changed. Which files are ready, what a processing
entry is called and what the ledger says about a file are pure functions tested without disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from processor.core.problems import InputError, Problem
from processor.unattended.events import LOG_NAME
from processor.writing.files import rename_new, sync_folder, write_atomic

INBOX = "inbox"
PROCESSING = "processing"
DONE = "done"
FAILED = "failed"
LEDGER = "ledger"
OUTBOX = "outbox"
SENT = "sent"
MAIL_FAILED = "mail-failed"
LOCK_NAME = ".xep-hang-cntt.lock"
REPORT_SUFFIX = ".bao-cao.txt"
DUPLICATE_SUFFIX = ".trung.txt"

# A stable file that does not open as a workbook is still taken (and refused with a report)
# once it has been stable this many settle periods: a copy that is still going changes size.
NOT_A_WORKBOOK_FACTOR = 3

_EXCEL_TEMPORARY = re.compile(r"^[0-9A-F]{8}$")  # Excel saves through such a name, then renames
_IGNORED_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", "#", "~")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_\d{6}$")


@dataclass(frozen=True, slots=True)
class Layout:
    """The folders under one drop-folder root."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / INBOX

    @property
    def processing(self) -> Path:
        return self.root / PROCESSING

    @property
    def done(self) -> Path:
        return self.root / DONE

    @property
    def failed(self) -> Path:
        return self.root / FAILED

    @property
    def ledger(self) -> Path:
        return self.root / LEDGER

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    @property
    def sent(self) -> Path:
        return self.root / SENT

    @property
    def mail_failed(self) -> Path:
        return self.root / MAIL_FAILED

    @property
    def log(self) -> Path:
        return self.root / LOG_NAME

    @property
    def lock(self) -> Path:
        return self.root / LOCK_NAME

    def folders(self) -> tuple[Path, ...]:
        return (
            self.inbox,
            self.processing,
            self.done,
            self.failed,
            self.ledger,
            self.outbox,
            self.sent,
            self.mail_failed,
        )

    def create(self) -> None:
        for folder in self.folders():
            folder.mkdir(parents=True, exist_ok=True)


# -- which files are ready (pure) ------------------------------------------------------------


def is_candidate(name: str) -> bool:
    """False for lock files, temporary and hidden names: they are left alone, never moved."""
    lowered = name.lower()
    if name.startswith(("~", ".")):  # ~$book.xlsx (Office), .~lock.book.xlsx# (LibreOffice)
        return False
    if lowered.endswith(_IGNORED_SUFFIXES) or lowered in {"thumbs.db", "desktop.ini"}:
        return False
    return not _EXCEL_TEMPORARY.match(name)


@dataclass(frozen=True, slots=True)
class Seen:
    """A file as last observed, and since when it has looked exactly like this."""

    size: int
    mtime_ns: int
    since: float
    opens: bool = False  # opens as a workbook (a zip holding xl/workbook.xml)


@dataclass(frozen=True, slots=True)
class Observation:
    size: int
    mtime_ns: int
    opens: bool


def track(
    previous: Mapping[str, Seen], observed: Mapping[str, Observation], now: float
) -> dict[str, Seen]:
    """Update what is known: a file whose size or time changed starts its settle time again."""
    tracked: dict[str, Seen] = {}
    for name, seen in observed.items():
        old = previous.get(name)
        unchanged = old is not None and (old.size, old.mtime_ns) == (seen.size, seen.mtime_ns)
        since = old.since if unchanged and old is not None else now
        tracked[name] = Seen(seen.size, seen.mtime_ns, since, seen.opens)
    return tracked


def is_ready(seen: Seen, now: float, settle: float) -> bool:
    """Stable for the settle time and opens as a workbook; or stable for much longer."""
    stable_for = now - seen.since
    if stable_for < settle:
        return False
    return seen.opens or stable_for >= settle * NOT_A_WORKBOOK_FACTOR


def ready(tracked: Mapping[str, Seen], now: float, settle: float) -> list[str]:
    return sorted(name for name, seen in tracked.items() if is_ready(seen, now, settle))


def next_ready_in(tracked: Mapping[str, Seen], now: float, settle: float) -> float | None:
    """Seconds until the next waiting file could be ready; None when nothing waits."""
    waits = []
    for seen in tracked.values():
        needed = settle if seen.opens else settle * NOT_A_WORKBOOK_FACTOR
        waits.append(max(0.0, seen.since + needed - now))
    return min(waits) if waits else None


# -- looking at the inbox (edge) -------------------------------------------------------------


def opens_as_workbook(path: Path) -> bool:
    """A complete .xlsx package that can be read now (not locked by the program copying it)."""
    try:
        with zipfile.ZipFile(path) as package:
            package.getinfo("xl/workbook.xml")
        return True
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return False


def observe(inbox: Path) -> dict[str, Observation]:
    """The candidate files in the inbox now (sub-folders and ignored names are left out)."""
    found: dict[str, Observation] = {}
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return found
    for entry in entries:
        if not is_candidate(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        path = Path(entry.path)
        found[entry.name] = Observation(stat.st_size, stat.st_mtime_ns, opens_as_workbook(path))
    return found


# -- names (pure) ----------------------------------------------------------------------------


def stamp_of(moment: datetime) -> str:
    """`2026-01-05_08-00-01_123456`: sortable, unique per drop, valid on Windows."""
    return moment.strftime("%Y-%m-%d_%H-%M-%S_%f")


def is_stamp(text: str) -> bool:
    return bool(_STAMP.match(text))


def filed_name(stamp: str, sha256: str, original: str) -> str:
    """The name in done/ or failed/: when it came, what it was (SHA-256), what it was called."""
    return f"{stamp}_{sha256}_{original}"


def received_at(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%d_%H-%M-%S_%f")


# -- the ledger ------------------------------------------------------------------------------


class LedgerState(Enum):
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What became of one distinct workbook (one SHA-256)."""

    sha256: str
    state: str  # LedgerState value
    source: str  # "<stamp>/<original name>": the drop it came from
    filed_as: str  # path under the root, e.g. "done/2026-..._ab12…_bang-diem.xlsx"
    received: str  # ISO time
    year: int | None = None
    decision: str | None = None
    message: str | None = None  # the outbox entry that carries its decision

    @classmethod
    def from_json(cls, text: str) -> LedgerEntry:
        data = json.loads(text)
        fields = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in data.items() if k in fields})

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


class Verdict(Enum):
    NEW = "new"  # work on it
    FINISH = "finish"  # this very drop was already handled before a crash: only file it
    DUPLICATE = "duplicate"  # the same bytes already made a decision: file it, nothing else


def classify(entry: LedgerEntry | None, source: str) -> Verdict:
    """What to do with a workbook, given the ledger's entry for its SHA-256 (if any).

    A workbook that was refused is checked again when dropped again: the cause may have been
    the template or the disk, since fixed, and a refusal sends no email.
    """
    if entry is None:
        return Verdict.NEW
    if entry.source == source:
        return Verdict.FINISH
    if entry.state == LedgerState.DONE.value:
        return Verdict.DUPLICATE
    return Verdict.NEW


def read_ledger(layout: Layout, sha256: str) -> LedgerEntry | None:
    try:
        return LedgerEntry.from_json((layout.ledger / f"{sha256}.json").read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, UnicodeDecodeError):
        return None  # unreadable: treat the workbook as new rather than lose it


def write_ledger(layout: Layout, entry: LedgerEntry) -> None:
    write_atomic(layout.ledger / f"{entry.sha256}.json", entry.to_json().encode("utf-8"))


# -- moves (edge) ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def receive(layout: Layout, name: str, moment: datetime) -> Path | None:
    """inbox/<name> -> processing/<stamp>/<name>; None if it vanished or is held open."""
    for attempt in range(1000):
        stamp = stamp_of(moment.replace(microsecond=(moment.microsecond + attempt) % 1_000_000))
        folder = layout.processing / stamp
        try:
            folder.mkdir()
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - a thousand drops in one microsecond
        raise RuntimeError("không tạo được thư mục xử lý")
    target = folder / name
    try:
        os.rename(layout.inbox / name, target)
    except (FileNotFoundError, PermissionError):  # gone, or open in another program (Windows)
        folder.rmdir()
        return None
    sync_folder(folder)
    return target


def in_processing(layout: Layout) -> list[Path]:
    """Workbooks left in processing/ by an earlier run (to resume), oldest first.

    Empty entries (a crash between making the folder and moving the file in) are removed.
    """
    found = []
    for folder in sorted(layout.processing.iterdir()) if layout.processing.is_dir() else []:
        if not folder.is_dir() or not is_stamp(folder.name):
            continue
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if not files:
            folder.rmdir()
            continue
        found.extend(files)
    return found


def file_away(layout: Layout, workbook: Path, destination: Path, sha256: str) -> Path:
    """processing/<stamp>/<name> -> done|failed/<stamp>_<sha>_<name>; the entry folder goes."""
    target = destination / filed_name(workbook.parent.name, sha256, workbook.name)
    rename_new(workbook, target)
    workbook.parent.rmdir()
    return target


def remove_temporaries(folders: Iterable[Path]) -> list[Path]:
    """Temporary files of atomic writes a killed run left behind (`.name.xxxx.tmp`)."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


# -- reports (pure) --------------------------------------------------------------------------


def failure_report(
    original: str,
    sha256: str,
    received: datetime,
    filed_as: str,
    summary: str,
    lines: Iterable[str],
) -> str:
    """The Vietnamese .txt put beside a refused workbook in failed/."""
    body = [
        f"Bảng tính: {original}",
        f"Nhận lúc: {received:%d/%m/%Y %H:%M:%S}",
        f"SHA-256: {sha256}",
        f"Tệp gốc (giữ nguyên, không bị sửa): {filed_as}",
        "",
        summary,
        *lines,
        "",
        "Chưa lập quyết định và không gửi thư nào. Sửa các lỗi trên trong bảng tính rồi thả "
        "lại tệp đã sửa vào thư mục inbox/.",
    ]
    return "\n".join(body) + "\n"


def duplicate_note(original: str, sha256: str, received: datetime, earlier: LedgerEntry) -> str:
    """The note beside a workbook identical to one already made into a decision."""
    return (
        "\n".join(
            [
                f"Bảng tính: {original}",
                f"Nhận lúc: {received:%d/%m/%Y %H:%M:%S}",
                f"SHA-256: {sha256}",
                "",
                "Bảng tính này giống hệt (từng byte) bảng tính đã xử lý trước đó: "
                f"{earlier.filed_as}.",
                "Không lập lại quyết định, không gửi thư lần nữa.",
            ]
        )
        + "\n"
    )


# -- the lock --------------------------------------------------------------------------------


class DropFolderLock:
    """One process per drop folder: an OS lock on a file in the root.

    The OS drops the lock when the process ends, however it ends (even SIGKILL), so there is
    never a stale lock to clean up. The file itself stays; only the lock matters.
    """

    def __init__(self, path: Path):
        self.path = path
        self._handle: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)  # no CRLF on Windows
        handle = os.open(self.path, flags, 0o644)
        try:
            _lock(handle)
        except OSError:
            os.close(handle)
            return False
        os.lseek(handle, 0, os.SEEK_SET)
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        self._handle = handle
        return True

    def holder(self) -> str | None:
        """The holding process's id, if it can be read (Windows hides a locked byte)."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if text.isdigit() else None

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            os.close(self._handle)
            self._handle = None

    def __enter__(self) -> DropFolderLock:
        if not self.acquire():
            holder = self.holder()
            who = f" (tiến trình số {holder})" if holder else ""
            raise InputError(
                f"Thư mục nhận {self.path.parent} đang được một tiến trình khác xử lý{who}; "
                "lần chạy này dừng, không làm gì.",
                [
                    Problem(
                        str(self.path),
                        "Mỗi thư mục nhận chỉ có một tiến trình xử lý tại một lúc (lệnh watch "
                        "đang chạy như dịch vụ, hoặc một lệnh inbox khác chưa xong). Đợi tiến "
                        "trình kia kết thúc, hoặc dừng dịch vụ, rồi chạy lại.",
                    )
                ],
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows servers, not in this CI
    import msvcrt

    def _lock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)

    def _unlock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
