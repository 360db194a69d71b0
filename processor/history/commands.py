"""`history`: the years recorded, one agency's trend, every year to .xlsx; and recording a run.

Reading never creates or changes the history file. Every message is Vietnamese; a missing or
foreign file, an unknown agency or an unwritable export is exit 2 with the place to fix, in
text or in the same JSON shape the other commands print.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from processor.core.formatting import format_number, signed
from processor.core.messages import os_error_message
from processor.core.model import Evaluation, GroupResult, Rules
from processor.core.near_miss import closest
from processor.core.past import Succession, agency_key
from processor.core.problems import InputError, Problem
from processor.core.report import problem_lines, problem_record, to_json
from processor.history.records import AuditEntry, TrendPoint, YearEntry, run_record
from processor.history.store import History, open_history
from processor.writing.files import sha256_of

EXIT_OK = 0
EXIT_INPUT = 2
SHORT_SHA = 12  # how much of a SHA-256 the listing shows


def history_command(history: Path, agency: str | None, export: Path | None, fmt: str) -> int:
    """`history --history FILE [--agency NAME] [--export FILE.xlsx] [--format json]`."""
    document: dict[str, Any] = {"command": "history", "file": str(history), "ok": True}
    lines: list[str] = []
    try:
        with open_history(history, create=False) as store:
            if export is not None:
                from processor.history.export import export_history

                count = export_history(store, export)
                document.update(export=str(export), exported_years=count)
                lines.append(f"Đã xuất {count} năm của lịch sử vào {export}.")
            if agency is not None:
                trend = _trend(store, agency)
                links = store.agency_successions(agency)
                document.update(
                    agency=agency,
                    trend=[_point_record(p) for p in trend],
                    successions=[_succession_record(s) for s in links],
                )
                lines += _trend_lines(trend, history, links)
            elif export is None:
                years, audit = store.years(), store.audit()
                document.update(
                    years=[_year_record(y) for y in years],
                    replacements=[_audit_record(a) for a in audit],
                )
                lines += _listing_lines(history, years, audit)
    except InputError as exc:
        return _refusal(document, exc, fmt)
    if fmt == "json":
        print(to_json(document))
    else:
        print("\n".join(lines))
    return EXIT_OK


def _refusal(document: dict[str, Any], exc: InputError, fmt: str) -> int:
    if fmt == "json":
        document.update(
            ok=False,
            summary=exc.summary,
            errors=len(exc.problems),
            warnings=0,
            problems=[problem_record(p) for p in exc.problems],
        )
        print(to_json(document))
    else:
        print(exc.summary, file=sys.stderr)
        for line in problem_lines(exc.problems):
            print(line, file=sys.stderr)
    return EXIT_INPUT


def _trend(store: History, agency: str) -> list[TrendPoint]:
    trend = store.agency_trend(agency)
    if trend:
        return trend
    names = store.names()
    if not names:
        message = "Tệp lịch sử chưa ghi năm nào, nên chưa có đơn vị nào."
    else:
        guess = closest(agency, names)
        message = f"Không năm nào đã ghi có đơn vị «{agency}»" + (
            f"; có phải «{guess}»?" if guess else ". Xem tên các đơn vị bằng history --export."
        )
    raise InputError(
        f"Lịch sử {store.path.name} không có đơn vị «{agency}».",
        [Problem("--agency", message)],
    )


def _when(text: str) -> str:
    """`2026-01-08T08:00:00+07:00` -> `08/01/2026 08:00` (as written when it is not ISO)."""
    try:
        return datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return text


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]  # fmt: skip


def _listing_lines(
    path: Path, years: Sequence[YearEntry], audit: Sequence[AuditEntry]
) -> list[str]:
    if not years:
        return [
            f"Tệp lịch sử {path} chưa ghi năm nào. Mỗi lần run --history {path.name} lập "
            "được quyết định thì năm đó được ghi vào."
        ]
    lines = [f"Lịch sử xếp hạng {path}: {len(years)} năm đã ghi."]
    header = ("Bộ mẫu", "Năm", "Đơn vị", "Ghi lúc", "Bảng điểm (SHA-256)", "Ghi lại")
    rows = [
        (
            y.profile,
            str(y.year),
            str(y.agencies),
            _when(y.recorded_at),
            y.input_sha256[:SHORT_SHA] + (f" {y.input_name}" if y.input_name else ""),
            f"{y.replaced} lần" if y.replaced else "—",
        )
        for y in years
    ]
    lines += _table([header, *rows])
    if audit:
        lines.append("Các lần ghi lại (lần ghi trước được giữ nguyên trong bảng ghi lại):")
        lines += [
            f"  {a.profile} năm {a.year}, ghi lại lúc {_when(a.replaced_at)} thay lần ghi lúc "
            f"{_when(a.old_recorded_at)} (bảng điểm {a.old_input_sha256[:SHORT_SHA]}): {a.summary}"
            for a in audit
        ]
    return lines


def _trend_lines(
    trend: Sequence[TrendPoint], path: Path, links: Sequence[Succession] = ()
) -> list[str]:
    if links:  # the latest name first, then the names it had
        names = list(dict.fromkeys(p.name for p in reversed(trend)))
    else:
        names = sorted({p.name for p in trend})
    lines = [f"{' / '.join(names)} qua các năm (lịch sử {path}):"]
    lines += [f"  {_link_sentence(s)}" for s in links]
    header: tuple[str, ...] = (
        *("Năm", "Bộ mẫu", "Nhóm", "Tổng điểm", "Thứ hạng", "Xếp loại, mức", "Thay đổi"),
    )
    renamed = len({agency_key(p.name) for p in trend}) > 1
    if renamed:  # the name each year, so the old years are seen to be another name's
        header = (*header[:2], "Tên đơn vị năm đó", *header[2:])
    rows = []
    for p in trend:
        total = format_number(p.rounded_total, p.precision)
        if p.percent is not None and p.max_points != Decimal(100):
            total += f" ({format_number(p.percent, p.percent_precision)}%)"
        rank = str(p.rank) if p.rank is not None else "không xếp hạng"
        change = "—" if p.rank_change is None else signed(p.rank_change)
        row: tuple[str, ...] = (
            str(p.year),
            p.profile,
            p.group,
            total,
            rank,
            p.grade or "—",
            change,
        )
        rows.append((*row[:2], p.name, *row[2:]) if renamed else row)
    lines += _table([header, *rows])
    lines += [
        f"  {p.year}: không xếp hạng vì {p.unranked_reason}." for p in trend if p.unranked_reason
    ]
    return lines


def _link_sentence(s: Succession) -> str:
    """«Tên trước đây: Ban Dân tộc (đến năm 2024; từ năm 2025 là «Sở Dân tộc và Tôn giáo»)»."""
    olds = ", ".join(s.old_names)
    words = "Hợp nhất từ" if s.is_merger else "Tên trước đây"
    return f"{words}: {olds} (đến năm {s.year - 1}; từ năm {s.year} là «{s.new_name}»)."


def _succession_record(s: Succession) -> dict[str, Any]:
    return {
        "old_names": list(s.old_names),
        "new_name": s.new_name,
        "year": s.year,
        "merger": s.is_merger,
        "place": s.place,
    }


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _year_record(y: YearEntry) -> dict[str, Any]:
    return asdict(y)


def _audit_record(a: AuditEntry) -> dict[str, Any]:
    record = asdict(a)
    del record["id"], record["new_tool_version"]  # internal; the JSON shape stays as documented
    return {**record, "summary": a.summary}


def _point_record(p: TrendPoint) -> dict[str, Any]:
    return {
        "year": p.year,
        "profile": p.profile,
        "name": p.name,
        "group": p.group,
        "total": _plain(p.rounded_total),
        "max_points": _plain(p.max_points.normalize()),
        "percent": _plain(p.percent),
        "ranked": p.ranked,
        "rank": p.rank,
        "grade": p.grade,
        "rank_change": p.rank_change,
        "unranked_reason": p.unranked_reason,
    }


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (InputError, Vietnamese, if unreadable)."""
    try:
        return sha256_of(path)
    except OSError as exc:
        raise InputError(
            "Không đọc được tệp để ghi vào lịch sử.",
            [Problem(str(path), os_error_message(exc, path, "đọc"))],
        ) from None


def record_outcome(
    history: Path,
    *,
    rules: Rules,
    evaluation: Evaluation,
    groups: Sequence[GroupResult],
    profile: str,
    workbook: Path,
    rules_file: Path,
    tool_version: str,
    successions: Sequence[Succession] = (),
    clock: Callable[[], datetime] = datetime.now,
) -> bool:
    """Record an accepted run (after its decision is written); True when it replaced a year.

    `successions`: the renames and mergers in force for the year (Inspection.successions);
    those taking effect this year are recorded with it, so `history --agency` can follow a
    renamed agency back. The clock is read here, at the edge: the record carries it as text.
    """
    now = clock()
    if now.tzinfo is None:  # the local time, with its offset: unambiguous when read back
        now = now.astimezone()
    run = run_record(
        rules,
        evaluation,
        groups,
        profile=profile,
        input_sha256=file_sha256(workbook),
        rules_sha256=file_sha256(rules_file),
        tool_version=tool_version,
        recorded_at=now.isoformat(timespec="seconds"),
        input_name=workbook.name,
        successions=successions,
    )
    with open_history(history) as store:
        return store.record(run)


def recorded_sentence(history: Path, year: int, replaced: bool) -> str:
    """What `run` prints after recording."""
    if replaced:
        return (
            f"Đã ghi năm {year} vào lịch sử {history}, thay cho lần ghi trước của năm này "
            "(lần ghi trước được giữ trong bảng ghi lại: history --history)."
        )
    return f"Đã ghi năm {year} vào lịch sử {history}."
