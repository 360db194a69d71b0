"""The history: every accepted run in one SQLite file, each write one transaction.

`record` replaces a (profile, year) whole or not at all: the old run is read, kept as JSON in an
audit row, deleted (cascading to its agencies, scores and subtotals) and the new run written,
between one BEGIN IMMEDIATE and one COMMIT. A process killed at any moment leaves the file with
the old year or the new one, never a mix (WAL journal; `tests/test_history_crash.py`).
Decimals are stored as their text and read back as the same Decimal.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from processor.core.past import PastYear, Succession, agency_key
from processor.history import codec
from processor.history.records import AuditEntry, RunRecord, TrendPoint, YearEntry, changes
from processor.history.schema import connect, has_table, sqlite_refusal
from processor.history.tables import delete_run, insert_run, pause, read_past, read_run


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def open_history(path: Path, *, create: bool = True) -> History:
    """The history in `path`; `create=False` for reading only (a missing file is refused)."""
    connection, ready = connect(path, create=create)
    return History(connection, path, ready)


class History:
    """An open history file; use as a context manager (`with open_history(p) as history:`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, ready: bool = True):
        self.connection = connection
        self.path = path
        self.ready = ready  # False: an empty database opened for reading (no tables yet)

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def journal_mode(self) -> str:
        return str(self.connection.execute("PRAGMA journal_mode").fetchone()[0])

    # -- writing ---------------------------------------------------------------------------

    def record(self, run: RunRecord) -> bool:
        """Write the run in one transaction; True when it replaced a recorded year."""
        assert self.ready, "a history opened for reading only has no tables to write"
        db = self.connection
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise sqlite_refusal(self.path, exc) from None
        try:
            pause("begun")
            old = self._run_id(run.profile, run.year)
            if old is not None:
                previous = read_run(self.connection, old)
                self._audit(previous, run)
                delete_run(db, old)
            pause("cleared")
            insert_run(db, run)
            pause("written")
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise sqlite_refusal(self.path, exc) from None
            raise
        return old is not None

    def _audit(self, old: RunRecord, new: RunRecord) -> None:
        self.connection.execute(
            "INSERT INTO audit (profile, year, replaced_at, old_input_sha256, old_input_name, "
            "old_rules_sha256, old_tool_version, old_recorded_at, new_input_sha256, "
            "new_tool_version, changes, old_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.profile,
                new.year,
                new.recorded_at,
                old.input_sha256,
                old.input_name,
                old.rules_sha256,
                old.tool_version,
                old.recorded_at,
                new.input_sha256,
                new.tool_version,
                codec.dumps(changes(old, new)),
                codec.dumps(codec.run_document(old)),
            ),
        )

    # -- reading ---------------------------------------------------------------------------

    def _run_id(self, profile: str, year: int) -> int | None:
        row = self.connection.execute(
            "SELECT id FROM runs WHERE profile = ? AND year = ?", (profile, year)
        ).fetchone()
        return None if row is None else int(row[0])

    def years(self) -> list[YearEntry]:
        """Every recorded (profile, year), oldest year first."""
        if not self.ready:
            return []
        rows = self.connection.execute(
            "SELECT r.profile, r.year, r.agency_count, "
            "(SELECT count(*) FROM agencies a WHERE a.run_id = r.id AND a.ranked), "
            "r.recorded_at, r.input_sha256, r.input_name, r.rules_sha256, r.tool_version, "
            "(SELECT count(*) FROM audit u WHERE u.profile = r.profile AND u.year = r.year) "
            "FROM runs r ORDER BY r.year, r.profile"
        ).fetchall()
        return [YearEntry(*row) for row in rows]

    def run(self, profile: str, year: int) -> RunRecord | None:
        """The whole recorded run, exactly as it was recorded."""
        rid = self._run_id(profile, year) if self.ready else None
        return None if rid is None else read_run(self.connection, rid)

    def runs(self) -> Iterator[RunRecord]:
        """Every recorded run, oldest year first (for the export)."""
        for entry in self.years():
            run = self.run(entry.profile, entry.year)
            if run is not None:
                yield run

    def past_year(self, profile: str, year: int) -> PastYear | None:
        """A recorded year as the core reads it (without the criterion scores)."""
        rid = self._run_id(profile, year) if self.ready else None
        return None if rid is None else read_past(self.connection, rid)

    def latest(self, profile: str, before: int | None = None) -> PastYear | None:
        """The most recent recorded year of a profile (before `before` when given)."""
        if not self.ready:
            return None
        row = self.connection.execute(
            "SELECT id FROM runs WHERE profile = ? AND year < ? ORDER BY year DESC LIMIT 1",
            (profile, sys.maxsize if before is None else before),
        ).fetchone()
        return None if row is None else read_past(self.connection, int(row[0]))

    def successions(self, profile: str | None = None) -> list[tuple[str, Succession]]:
        """Every rename and merger recorded (with the profile whose run applied it), newest first.

        A file written before successions were recorded has none.
        """
        if not self.ready or not has_table(self.connection, "successions"):
            return []
        parts: dict[tuple[int, int], tuple[str, list[str], str, int, str]] = {}
        for run_id, position, p, old, new, year, place in self.connection.execute(
            "SELECT s.run_id, s.position, r.profile, s.old_name, s.new_name, s.year, s.place "
            "FROM successions s JOIN runs r ON r.id = s.run_id "
            "WHERE ? IS NULL OR r.profile = ? "
            "ORDER BY s.year DESC, r.profile, s.position, s.part",
            (profile, profile),
        ):
            parts.setdefault((run_id, position), (p, [], new, year, place))[1].append(old)
        return [
            (p, Succession(tuple(olds), new, year, place))
            for p, olds, new, year, place in parts.values()
        ]

    def agency_successions(self, name: str, profile: str | None = None) -> list[Succession]:
        """The renames and mergers `agency_trend` follows back from `name`, newest first."""
        return self._lineage(name, profile)[1]

    def _lineage(
        self, name: str, profile: str | None
    ) -> tuple[list[tuple[str, int | None]], list[Succession]]:
        """The names an agency had, each with the year it stopped (None: still in use), and the
        successions that link them: new name -> the old names of that year -> their own earlier
        renames and mergers. Years only go back, so a chain always ends.
        """
        into: dict[str, list[Succession]] = {}
        for _, succession in self.successions(profile):
            into.setdefault(agency_key(succession.new_name), []).append(succession)
        spans: list[tuple[str, int | None]] = [(agency_key(name), None)]
        followed: list[Succession] = []
        seen: set[tuple[object, ...]] = set()
        for key, until in spans:  # grows while it is walked
            for succession in into.get(key, ()):
                if until is not None and succession.year >= until:
                    continue
                same = (key, succession.year, tuple(map(agency_key, succession.old_names)))
                if same in seen:  # the same event recorded by two profiles
                    continue
                seen.add(same)
                followed.append(succession)
                spans += [(agency_key(old), succession.year) for old in succession.old_names]
        return spans, followed

    def agency_trend(self, name: str, profile: str | None = None) -> list[TrendPoint]:
        """One agency in every recorded year, oldest first, under the name it had that year.

        Matched by name (agency_key), and followed back through the recorded renames and
        mergers: the years before a rename are the old name's, before a merger the
        predecessors' (each point carries the name written that year).
        """
        if not self.ready:
            return []
        found: dict[tuple[int, int], tuple[Any, ...]] = {}
        for key, until in self._lineage(name, profile)[0]:
            for row in self.connection.execute(
                "SELECT r.year, r.profile, a.position, r.id, a.name, a.group_code, "
                "a.rounded_total, a.max_points, a.percent, a.rank, a.grade, a.rank_change, "
                "a.unranked_reason, r.precision, r.percent_precision "
                "FROM agencies a JOIN runs r ON r.id = a.run_id "
                "WHERE a.name_key = ? AND (? IS NULL OR r.profile = ?) "
                "AND (? IS NULL OR r.year < ?)",
                (key, profile, profile, until, until),
            ):
                found.setdefault((row[3], row[2]), row)
        rows = sorted(found.values(), key=lambda row: (row[0], row[1], row[2]))
        return [
            TrendPoint(
                profile=p,
                year=y,
                name=n,
                group=g,
                rounded_total=Decimal(total),
                max_points=Decimal(maximum),
                percent=_decimal(percent),
                rank=rank,
                grade=grade,
                rank_change=change,
                unranked_reason=reason,
                precision=precision,
                percent_precision=percent_precision,
            )
            for (y, p, _, _, n, g, total, maximum, percent, rank, grade, change, reason,
                 precision, percent_precision) in rows
        ]  # fmt: skip

    def names(self, profile: str | None = None) -> list[str]:
        """Every agency name recorded (the latest spelling of each), for near misses."""
        if not self.ready:
            return []
        rows = self.connection.execute(
            "SELECT a.name_key, a.name FROM agencies a JOIN runs r ON r.id = a.run_id "
            "WHERE ? IS NULL OR r.profile = ? ORDER BY r.year",
            (profile, profile),
        ).fetchall()
        return list({key: name for key, name in rows}.values())

    def audit(self) -> list[AuditEntry]:
        """Every replacement, oldest first (the replaced runs themselves: replaced_run)."""
        if not self.ready:
            return []
        rows = self.connection.execute(
            "SELECT id, profile, year, replaced_at, old_input_sha256, old_input_name, "
            "old_rules_sha256, old_tool_version, old_recorded_at, new_input_sha256, "
            "new_tool_version, changes FROM audit ORDER BY id"
        ).fetchall()
        return [
            AuditEntry(
                id=row[0],
                profile=row[1],
                year=row[2],
                replaced_at=row[3],
                old_input_sha256=row[4],
                old_input_name=row[5],
                old_rules_sha256=row[6],
                old_tool_version=row[7],
                old_recorded_at=row[8],
                new_input_sha256=row[9],
                new_tool_version=row[10],
                changes=json.loads(row[11]),
            )
            for row in rows
        ]

    def replaced_run(self, audit_id: int) -> RunRecord | None:
        """The run an audit row replaced, whole."""
        row = self.connection.execute(
            "SELECT old_run FROM audit WHERE id = ?", (audit_id,)
        ).fetchone()
        return None if row is None else codec.run_from_document(json.loads(row[0]))
