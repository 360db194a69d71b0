"""Every recorded year in one workbook (`history --export FILE.xlsx`), for people and pivot tables.

Four sheets: the years recorded (`Các năm`), one long table with a row per agency and year
(`Kết quả`: every criterion score and main-index subtotal in its own column), the ranks as a
table of agency × year (`Thứ hạng theo năm`) and the replacements (`Ghi lại`). Every text
cell is text (an agency named «=1+1» stays those characters, never a formula), numbers carry a
number format at the year's precision, and each header row is frozen with a filter. The file
is written atomically; the same history gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processor.core.past import Succession, agency_key
from processor.core.problems import InputError, Problem
from processor.history.records import AuditEntry, RunRecord, YearEntry
from processor.writing.openpyxl_cells import set_value

if TYPE_CHECKING:
    from processor.history.store import History

Worksheet = Any  # openpyxl ships no type information

NOT_SCORED = "Không đánh giá"
UNRANKED = "không xếp hạng"
FIXED_TIME = dt.datetime(2000, 1, 1)  # the workbook's own properties carry no clock


def _points_format(places: int) -> str:
    return "0" if places <= 0 else "0." + "0" * places


def export_history(history: History, target: Path) -> int:
    """Write every recorded year to `target` (.xlsx); the number of years written."""
    if target.suffix.lower() != ".xlsx":
        raise InputError(
            "Tệp xuất lịch sử phải là bảng tính .xlsx.",
            [Problem(str(target), "Đặt tên tệp có đuôi .xlsx, ví dụ lich-su-xep-hang.xlsx.")],
        )
    try:
        from openpyxl import Workbook  # type: ignore[import-untyped]
    except ImportError:
        raise InputError(
            "Chưa cài thư viện openpyxl, cần để xuất lịch sử ra .xlsx.",
            [Problem(str(target), "Cài bằng lệnh: python -m pip install openpyxl")],
        ) from None
    from processor.writing.files import canonical_zip, refusal_sentence, write_atomic

    runs = list(history.runs())
    book = Workbook()
    book.properties.created = book.properties.modified = FIXED_TIME
    book.properties.creator = "xep-hang-cntt"
    _years_sheet(book.active, history.years())
    _results_sheet(book.create_sheet(), runs)
    _ranks_sheet(book.create_sheet(), runs, history.successions())
    _audit_sheet(book.create_sheet(), history.audit())
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        write_atomic(target, canonical_zip(buffer.getvalue()))
    except OSError as exc:
        raise InputError(
            f"Không ghi được tệp xuất lịch sử {target.name}.",
            [Problem(str(target), refusal_sentence(exc, target))],
        ) from None
    return len(runs)


def _put(
    sheet: Worksheet, row: int, values: Sequence[Any], formats: Sequence[str | None] = ()
) -> None:
    """One row; text stays text, numbers get their format."""
    for column, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = set_value(sheet.cell(row=row, column=column), value)
        if not isinstance(value, str) and column <= len(formats) and formats[column - 1]:
            cell.number_format = formats[column - 1]


def _header(sheet: Worksheet, title: str, names: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

    sheet.title = title
    _put(sheet, 1, names)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for column in range(1, len(names) + 1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.alignment = bold, wrap
        width = widths[column - 1] if column <= len(widths) else 12
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _finish(sheet: Worksheet) -> None:
    sheet.auto_filter.ref = sheet.dimensions


def _years_sheet(sheet: Worksheet, years: Sequence[YearEntry]) -> None:
    names = (
        "Bộ mẫu",
        "Năm đánh giá",
        "Số đơn vị",
        "Được xếp hạng",
        "Ghi lúc",
        "Bảng điểm",
        "SHA-256 bảng điểm",
        "SHA-256 tệp quy tắc",
        "Phiên bản chương trình",
        "Số lần ghi lại",
    )
    _header(sheet, "Các năm", names, (22, 8, 10, 10, 26, 30, 66, 66, 12, 10))
    for row, e in enumerate(years, start=2):
        _put(
            sheet,
            row,
            (
                e.profile,
                e.year,
                e.agencies,
                e.ranked,
                e.recorded_at,
                e.input_name,
                e.input_sha256,
                e.rules_sha256,
                e.tool_version,
                e.replaced,
            ),
            ("", "0", "0", "0", "", "", "", "", "", "0"),
        )
    _finish(sheet)


FIXED_RESULT_COLUMNS = (
    "Bộ mẫu",
    "Năm đánh giá",
    "Nhóm",
    "Tên nhóm",
    "Tên đơn vị",
    "Xếp hạng",
    "Không xếp hạng (lý do)",
    "Tổng điểm",
    "Tổng điểm (chính xác)",
    "Điểm tối đa",
    "Tỷ lệ (%)",
    "Xếp loại, mức",
    "Xếp hạng năm trước",
    "Thay đổi thứ hạng",
)


def _results_sheet(sheet: Worksheet, runs: Sequence[RunRecord]) -> None:
    pillars = list(dict.fromkeys(code for run in runs for code in run.pillar_names))
    criteria = list(
        dict.fromkeys(code for run in runs for code in (*run.criterion_names, *run.maxima))
    )
    names = (*FIXED_RESULT_COLUMNS, *pillars, *criteria)
    widths = (22, 8, 10, 40, 40, 9, 30, 10, 12, 10, 9, 14, 10, 10)
    _header(sheet, "Kết quả", names, widths)
    row = 2
    for run in runs:
        points = _points_format(run.precision)
        share = _points_format(run.percent_precision)
        formats = (
            *("", "0", "", "", "", "0", "", points, "General", "General", share, "", "0"),
            *("+0;-0;0", *(points for _ in pillars), *("General" for _ in criteria)),
        )
        for a in run.agencies:
            scores: list[Any] = [a.scores.get(code) for code in criteria]
            for code in a.not_scored:
                if code in criteria:
                    scores[criteria.index(code)] = NOT_SCORED
            values = (
                run.profile,
                run.year,
                a.group,
                run.group_titles.get(a.group, ""),
                a.name,
                a.rank,
                a.unranked_reason,
                a.rounded_total,
                a.total,
                a.max_points,
                a.percent,
                a.grade,
                a.prior_rank,
                a.rank_change,
                *(a.pillars.get(code) for code in pillars),
                *scores,
            )
            _put(sheet, row, values, formats)
            row += 1
    _finish(sheet)


def _ranks_sheet(
    sheet: Worksheet,
    runs: Sequence[RunRecord],
    successions: Sequence[tuple[str, Succession]] = (),
) -> None:
    """Agency × year: the rank, or «không xếp hạng»; blank where the agency was not assessed.

    A renamed agency is one row under its latest name, the years before filled from its old
    name ones (listed in «Tên trước đây»); merged agencies keep their own rows, with the
    agency they became in «Hợp nhất vào».
    """
    years = sorted({run.year for run in runs})
    renames: dict[str, list[tuple[int, str]]] = {}  # old key -> (year, new key)
    mergers: dict[str, list[tuple[int, str]]] = {}  # old key -> (year, new key)
    for _, s in successions:
        links = mergers if s.is_merger else renames
        for old in s.old_names:
            links.setdefault(agency_key(old), []).append((s.year, agency_key(s.new_name)))

    def latest(key: str, year: int) -> str:
        """The key an agency's row `key` in `year` goes under: its last name by renames."""
        for _ in range(len(renames) + 1):  # years only go forward: a chain always ends
            later = sorted(link for link in renames.get(key, ()) if link[0] > year)
            if not later:
                break
            year, key = later[0]
        return key

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for run in sorted(runs, key=lambda r: (r.profile, -r.year)):  # newest first: its name, group
        for a in run.agencies:
            key = latest(agency_key(a.name), run.year)
            entry = rows.setdefault((run.profile, key), {"name": a.name, "group": a.group})
            entry[str(run.year)] = a.rank if a.rank is not None else UNRANKED
            if agency_key(a.name) != key:
                entry.setdefault("former", {}).setdefault(a.name, run.year)
            merged = sorted(
                link for link in mergers.get(agency_key(a.name), ()) if link[0] > run.year
            )
            if merged and "merged" not in entry:
                year, into = merged[0]
                entry["merged"] = (into, year)
    names_by_key = {key: entry["name"] for (_, key), entry in rows.items()}
    names = (
        "Bộ mẫu",
        "Tên đơn vị",
        "Nhóm (năm gần nhất)",
        *(str(y) for y in years),
        "Tên trước đây",
        "Hợp nhất vào",
    )
    _header(sheet, "Thứ hạng theo năm", names, (22, 40, 12, *(8 for _ in years), 40, 40))
    formats = ("", "", "", *("0" for _ in years))
    for row, ((profile, _), entry) in enumerate(rows.items(), start=2):
        former = "; ".join(
            f"{name} (đến năm {year})"
            for name, year in sorted(entry.get("former", {}).items(), key=lambda f: f[1])
        )
        into = ""
        if "merged" in entry:
            key, year = entry["merged"]
            target = latest(key, year)
            successor = names_by_key.get(target) or next(
                (s.new_name for _, s in successions if agency_key(s.new_name) == key), key
            )
            into = f"{successor} (từ năm {year})"
        values = (
            profile,
            entry["name"],
            entry["group"],
            *(entry.get(str(y)) for y in years),
            former,
            into,
        )
        _put(sheet, row, values, formats)
    _finish(sheet)


def _audit_sheet(sheet: Worksheet, entries: Sequence[AuditEntry]) -> None:
    names = (
        "Bộ mẫu",
        "Năm đánh giá",
        "Ghi lại lúc",
        "Bảng điểm lần trước",
        "SHA-256 lần trước",
        "Ghi lúc (lần trước)",
        "Phiên bản (lần trước)",
        "SHA-256 lần mới",
        "Thay đổi",
    )
    _header(sheet, "Ghi lại", names, (22, 8, 26, 30, 66, 26, 12, 66, 80))
    for row, e in enumerate(entries, start=2):
        values = (
            e.profile,
            e.year,
            e.replaced_at,
            e.old_input_name,
            e.old_input_sha256,
            e.old_recorded_at,
            e.old_tool_version,
            e.new_input_sha256,
            e.summary,
        )
        _put(sheet, row, values, ("", "0"))
    _finish(sheet)
