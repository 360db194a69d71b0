"""The renames that carry a workbook inbox/ -> processing/<stamp>/ -> done/ or failed/.

Each move is one rename inside the drop folder, so the workbook is always somewhere whole and
its bytes never change. The stamp of the processing entry says when it came, to the
microsecond, so no two drops share one (the ledger tells a resumed drop by it). The filed name
is short, for people: `2026-01-05_080001_ab12cd34_bang-diem.xlsx`, the second it came, the
first 8 hex characters of its SHA-256 and its name; `~2`, `~3` after the hex in the rare case
that name is taken (`~` sorts after `_`, so a listing by name stays in the order they came).
Folders made by older versions (`2026-01-05_08-00-01_123456_<64 hex>_…` in done/ and failed/)
are left as they are and their processing/ entries still resume. Also here: clearing the
temporaries that atomic writes of a killed run left behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from processor.unattended.dropfolder.layout import Layout
from processor.writing.files import rename_new, sync_folder

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_\d{6}$")
_STAMP_FORMAT = "%Y-%m-%d_%H-%M-%S_%f"
_FILED_TIME = "%Y-%m-%d_%H%M%S"
SHORT_SHA = 8
# Longest file name, in UTF-8 bytes, that every file system the drop folder may sit on takes.
NAME_LIMIT = 255
SIDE_NOTE_ROOM = 16  # a filed name leaves room for the note beside it (`.bao-cao.txt`)

# -- names (pure) ----------------------------------------------------------------------------


def stamp_of(moment: datetime) -> str:
    """`2026-01-05_08-00-01_123456`: sortable, unique per drop, valid on Windows."""
    return moment.strftime(_STAMP_FORMAT)


def is_stamp(text: str) -> bool:
    return bool(_STAMP.match(text))


def filed_name(received: datetime, sha256: str, original: str, number: int = 1) -> str:
    """The name in done/ or failed/: when it came, 8 hex of its SHA-256, what it was called.

    `number` > 1 marks a second workbook with the same second, hex and name (`…ab12cd34~2_…`).
    """
    mark = "" if number == 1 else f"~{number}"
    head = f"{received:{_FILED_TIME}}_{sha256[:SHORT_SHA]}{mark}_"
    return fit_name(head, original, limit=NAME_LIMIT - SIDE_NOTE_ROOM)


def fit_name(head: str, original: str, tail: str = "", limit: int = NAME_LIMIT) -> str:
    """head + original + tail, the original's stem shortened to keep within `limit` bytes."""
    name = head + original + tail
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = original.rpartition(".")
    if not dot or len(suffix) > 8:
        stem, suffix, dot = original, "", ""
    room = limit - len((head + dot + suffix + tail).encode("utf-8"))
    short = stem.encode("utf-8")[: max(room, 1)].decode("utf-8", "ignore")
    return f"{head}{short}{dot}{suffix}{tail}"


def free_name(folder: Path, received: datetime, sha256: str, original: str) -> str:
    """The first filed name not yet taken in `folder` (the same every time until it is used)."""
    number = 1
    while (folder / filed_name(received, sha256, original, number)).exists():
        number += 1
    return filed_name(received, sha256, original, number)


def received_at(stamp: str) -> datetime:
    return datetime.strptime(stamp, _STAMP_FORMAT)


# -- moves (edge) ----------------------------------------------------------------------------


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


def file_away(workbook: Path, target: Path) -> Path:
    """processing/<stamp>/<name> -> done|failed/<filed name>; the entry folder goes."""
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
