"""A run to rows and rows to a run: the store's tables, mapped both ways.

Every Decimal is written as its text (str) and read back with Decimal(text), so a score reads
back as the very value recorded (`Decimal("7.00")` stays `7.00`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from decimal import Decimal

from processor.core.past import PastAgency, PastYear, Succession, agency_key
from processor.history.records import AgencyYear, RunRecord
from processor.history.schema import has_table

# Test only: freeze a write at a named point so a test can kill the process there (never set
# on a server). The value is a point's name; the process prints `PAUSE <name>` and sleeps.
PAUSE_ENV = "XEP_HANG_CNTT_TEST_HISTORY_PAUSE"
PAUSE_POINTS = {
    "begun": "the write transaction is open; nothing written yet",
    "cleared": "the old run of the year is in the audit and deleted; the new one not written",
    "agencies": "the new run's agencies are written; their scores are not",
    "written": "every row is written; COMMIT not yet run",
}


def pause(name: str) -> None:
    assert name in PAUSE_POINTS, name
    if os.environ.get(PAUSE_ENV, "").strip() == name:
        print(f"PAUSE {name}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def insert_run(db: sqlite3.Connection, run: RunRecord) -> None:
    cursor = db.execute(
        "INSERT INTO runs (profile, year, input_sha256, input_name, rules_sha256, "
        "tool_version, recorded_at, rank_by, precision, percent_precision, agency_count) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run.profile,
            run.year,
            run.input_sha256,
            run.input_name,
            run.rules_sha256,
            run.tool_version,
            run.recorded_at,
            run.rank_by,
            run.precision,
            run.percent_precision,
            len(run.agencies),
        ),
    )
    rid = cursor.lastrowid
    assert rid is not None
    codes = list(dict.fromkeys([*run.group_titles, *run.group_max]))
    db.executemany(
        "INSERT INTO groups VALUES (?, ?, ?, ?, ?)",
        [
            (rid, i, code, run.group_titles.get(code, ""), str(run.group_max.get(code, 0)))
            for i, code in enumerate(codes)
        ],
    )
    criteria = list(dict.fromkeys([*run.criterion_names, *run.maxima]))
    db.executemany(
        "INSERT INTO criteria VALUES (?, ?, ?, ?)",
        [(rid, i, code, run.criterion_names.get(code, "")) for i, code in enumerate(criteria)],
    )
    db.executemany(
        "INSERT INTO criterion_maxima VALUES (?, ?, ?, ?)",
        [
            (rid, code, group, str(points))
            for code, groups in run.maxima.items()
            for group, points in groups.items()
        ],
    )
    db.executemany(
        "INSERT INTO pillars VALUES (?, ?, ?, ?)",
        [(rid, i, code, name) for i, (code, name) in enumerate(run.pillar_names.items())],
    )
    db.executemany(
        "INSERT INTO agencies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_agency_row(rid, i, a) for i, a in enumerate(run.agencies)],
    )
    pause("agencies")
    db.executemany(
        "INSERT INTO scores VALUES (?, ?, ?, ?)",
        (
            row
            for i, a in enumerate(run.agencies)
            for row in (
                *((rid, i, code, str(score)) for code, score in a.scores.items()),
                *((rid, i, code, None) for code in a.not_scored),
            )
        ),
    )
    db.executemany(
        "INSERT INTO pillar_totals VALUES (?, ?, ?, ?)",
        (
            (rid, i, code, str(value))
            for i, a in enumerate(run.agencies)
            for code, value in a.pillars.items()
        ),
    )
    db.executemany(
        "INSERT INTO successions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                rid,
                i,
                part,
                old,
                agency_key(old),
                s.new_name,
                agency_key(s.new_name),
                s.year,
                s.place,
            )
            for i, s in enumerate(run.successions)
            for part, old in enumerate(s.old_names)
        ],
    )


# Children first, each a range of its primary key: faster than the cascade (which stays, as the
# safety net), and a replaced year leaves no row behind either way.
CHILD_TABLES = (
    "successions",
    "scores",
    "pillar_totals",
    "agencies",
    "criterion_maxima",
    "criteria",
    "pillars",
    "groups",
)


def delete_run(db: sqlite3.Connection, rid: int) -> None:
    for table in CHILD_TABLES:
        db.execute(f"DELETE FROM {table} WHERE run_id = ?", (rid,))
    db.execute("DELETE FROM runs WHERE id = ?", (rid,))


def _agency_row(rid: int, position: int, a: AgencyYear) -> tuple[object, ...]:
    return (
        rid,
        position,
        a.name,
        a.key,
        a.group,
        int(a.ranked),
        a.rank,
        a.unranked_reason,
        str(a.total),
        str(a.rounded_total),
        None if a.percent is None else str(a.percent),
        str(a.max_points),
        a.grade,
        a.prior_rank,
        a.rank_change,
    )


def _maxima(
    db: sqlite3.Connection, rid: int
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
    maxima: dict[str, dict[str, Decimal]] = {}
    for code, group, points in db.execute(
        "SELECT m.code, m.group_code, m.max_points FROM criterion_maxima m "
        "JOIN criteria c ON c.run_id = m.run_id AND c.code = m.code "
        "LEFT JOIN groups g ON g.run_id = m.run_id AND g.code = m.group_code "
        "WHERE m.run_id = ? ORDER BY c.position, g.position, m.group_code",
        (rid,),
    ):
        maxima.setdefault(code, {})[group] = Decimal(points)
    group_max = {
        code: Decimal(points)
        for code, points in db.execute(
            "SELECT code, max_points FROM groups WHERE run_id = ? ORDER BY position", (rid,)
        )
    }
    return maxima, group_max


def read_past(db: sqlite3.Connection, rid: int) -> PastYear:
    profile, year, rank_by = db.execute(
        "SELECT profile, year, rank_by FROM runs WHERE id = ?", (rid,)
    ).fetchone()
    agencies = tuple(
        PastAgency(name, group, rank, Decimal(total), _decimal(percent), grade)
        for name, group, rank, total, percent, grade in db.execute(
            "SELECT name, group_code, rank, rounded_total, percent, grade FROM agencies "
            "WHERE run_id = ? ORDER BY position",
            (rid,),
        )
    )
    maxima, group_max = _maxima(db, rid)
    return PastYear(year, profile, agencies, maxima, group_max, rank_by)


def read_successions(db: sqlite3.Connection, rid: int) -> tuple[Succession, ...]:
    """The renames and mergers a run applied, in its order (none in a file from before them)."""
    if not has_table(db, "successions"):
        return ()
    parts: dict[int, list[tuple[str, str, int, str]]] = {}
    for position, old, new, year, place in db.execute(
        "SELECT position, old_name, new_name, year, place FROM successions WHERE run_id = ? "
        "ORDER BY position, part",
        (rid,),
    ):
        parts.setdefault(position, []).append((old, new, year, place))
    return tuple(
        Succession(tuple(old for old, _, _, _ in rows), rows[0][1], rows[0][2], rows[0][3])
        for rows in parts.values()
    )


def read_run(db: sqlite3.Connection, rid: int) -> RunRecord:
    head = db.execute(
        "SELECT profile, year, input_sha256, input_name, rules_sha256, tool_version, "
        "recorded_at, rank_by, precision, percent_precision FROM runs WHERE id = ?",
        (rid,),
    ).fetchone()
    scores: dict[int, dict[str, Decimal]] = {}
    not_scored: dict[int, list[str]] = {}
    for position, code, score in db.execute(
        "SELECT s.position, s.criterion, s.score FROM scores s LEFT JOIN criteria c "
        "ON c.run_id = s.run_id AND c.code = s.criterion WHERE s.run_id = ? "
        "ORDER BY s.position, c.position, s.criterion",
        (rid,),
    ):
        if score is None:
            not_scored.setdefault(position, []).append(code)
        else:
            scores.setdefault(position, {})[code] = Decimal(score)
    pillars: dict[int, dict[str, Decimal]] = {}
    for position, code, value in db.execute(
        "SELECT t.position, t.pillar, t.subtotal FROM pillar_totals t LEFT JOIN pillars p "
        "ON p.run_id = t.run_id AND p.code = t.pillar WHERE t.run_id = ? "
        "ORDER BY t.position, p.position, t.pillar",
        (rid,),
    ):
        pillars.setdefault(position, {})[code] = Decimal(value)
    agencies = tuple(
        AgencyYear(
            name=row[1],
            group=row[2],
            ranked=bool(row[3]),
            rank=row[4],
            unranked_reason=row[5],
            total=Decimal(row[6]),
            rounded_total=Decimal(row[7]),
            percent=_decimal(row[8]),
            max_points=Decimal(row[9]),
            grade=row[10],
            prior_rank=row[11],
            rank_change=row[12],
            scores=scores.get(row[0], {}),
            not_scored=tuple(sorted(not_scored.get(row[0], ()))),
            pillars=pillars.get(row[0], {}),
        )
        for row in db.execute(
            "SELECT position, name, group_code, ranked, rank, unranked_reason, total, "
            "rounded_total, percent, max_points, grade, prior_rank, rank_change "
            "FROM agencies WHERE run_id = ? ORDER BY position",
            (rid,),
        )
    )
    maxima, group_max = _maxima(db, rid)
    titles = dict(
        db.execute("SELECT code, title FROM groups WHERE run_id = ? ORDER BY position", (rid,))
    )
    criterion_names = dict(
        db.execute("SELECT code, name FROM criteria WHERE run_id = ? ORDER BY position", (rid,))
    )
    pillar_names = dict(
        db.execute("SELECT code, name FROM pillars WHERE run_id = ? ORDER BY position", (rid,))
    )
    return RunRecord(
        profile=head[0],
        year=head[1],
        input_sha256=head[2],
        input_name=head[3],
        rules_sha256=head[4],
        tool_version=head[5],
        recorded_at=head[6],
        rank_by=head[7],
        precision=head[8],
        percent_precision=head[9],
        agencies=agencies,
        maxima=maxima,
        group_max=group_max,
        group_titles=titles,
        criterion_names=criterion_names,
        pillar_names=pillar_names,
        successions=read_successions(db, rid),
    )
