"""The renames that carry a workbook inbox/ -> processing/<stamp>/ -> done/ or failed/.

Each move is one rename inside the drop folder, so the workbook is always somewhere whole and
its bytes never change. The stamp of the processing entry says when it came; the filed name
adds what it was (SHA-256) to what it was called. Also here: clearing the temporaries that
atomic writes of a killed run left behind.
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

# -- names (pure) ----------------------------------------------------------------------------


def stamp_of(moment: datetime) -> str:
    """`2026-01-05_08-00-01_123456`: sortable, unique per drop, valid on Windows."""
    return moment.strftime(_STAMP_FORMAT)


def is_stamp(text: str) -> bool:
    return bool(_STAMP.match(text))


def filed_name(stamp: str, sha256: str, original: str) -> str:
    """The name in done/ or failed/: when it came, what it was (SHA-256), what it was called."""
    return f"{stamp}_{sha256}_{original}"


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
