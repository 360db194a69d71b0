"""Which files in inbox/ are complete and may be taken, and which must be left alone.

A file is taken only once it has looked the same (size and modification time) for the settle
time and opens as a workbook, so a copy still going over the network is never taken half-way.
Lock files and temporaries of Office, LibreOffice and browsers are never candidates. Deciding
is pure (tested without disk or clock); `observe` is the one look at the folder.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# A stable file that does not open as a workbook is still taken (and refused with a report)
# once it has been stable this many settle periods: a copy that is still going changes size.
NOT_A_WORKBOOK_FACTOR = 3

_EXCEL_TEMPORARY = re.compile(r"^[0-9A-F]{8}$")  # Excel saves through such a name, then renames
_IGNORED_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", "#", "~")


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
