"""The ledger: what became of each distinct workbook, keyed by the SHA-256 of its bytes.

It is how a run tells a new workbook from the same drop resumed after a crash (only file it)
and from the same bytes dropped again (a duplicate: no second decision, no second email). The
entry is written before the workbook is filed, so it is always there when it matters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from enum import Enum

from processor.unattended.dropfolder.layout import Layout
from processor.writing.files import write_atomic


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
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

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


def ledger_by_prefix(layout: Layout, sha_prefix: str) -> LedgerEntry | None:
    """The entry whose SHA-256 begins with `sha_prefix` (an outbox id carries 20 hex of it)."""
    if len(sha_prefix) < 8 or not all(c in "0123456789abcdef" for c in sha_prefix):
        return None
    for path in sorted(layout.ledger.glob(f"{sha_prefix}*.json")):
        entry = read_ledger(layout, path.stem)
        if entry is not None:
            return entry
    return None
