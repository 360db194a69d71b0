"""The results as a spreadsheet beside the decision: for the portal, the press and the office.

One row per agency, in the appendix's order, then a sheet saying what the results are and one
saying what each criterion code stands for. Numbers are the exact decimals computed, shown at
the precision the decision prints; text is text (sheet_table.py says how). The workbook's times
are those of the decision (or the submission), so the same results give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from processor.core.decision import note_sign
from processor.core.formatting import document_number, format_points, short_date
from processor.core.model import (
    AgencyResult,
    DecisionInfo,
    GroupResult,
    RankBasis,
    Rules,
    TiePolicy,
)
from processor.writing.xlsx_writer import (
    WHOLE_FORMAT,
    Column,
    Table,
    Value,
    points_format,
    workbook_bytes,
)

RESULTS_SHEET = "Kết quả"
INFO_SHEET = "Thông tin"
CRITERIA_SHEET = "Tiêu chí"
UNRANKED_HEADER = "Không xếp hạng"
SUFFIX = "-ket-qua.xlsx"
CHANGE_FORMAT = "+0;-0;0"  # +2, -3, 0: as the decision prints a change


@dataclass(frozen=True, slots=True)
class Row:
    """One agency's line: its group, its number in the appendix (TT) and its result."""

    group: GroupResult
    position: int
    result: AgencyResult


def results_name(rules: Rules, year: int) -> str:
    """`quyet-dinh-xep-hang-cntt-2020.docx` -> `quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx`."""
    decision = rules.document.output_file.format(nam=year)
    stem = decision[:-5] if decision.lower().endswith(".docx") else decision
    return stem + SUFFIX


def results_workbook(
    rules: Rules,
    info: DecisionInfo,
    groups: Sequence[GroupResult],
    notes: Sequence[str] = (),
) -> bytes:
    """The .xlsx: the results, what they are about, and the criteria their codes stand for.

    `notes` are the decision's footnotes on prior ranks (renames, mergers): a row they explain
    carries the same sign as in the appendix, and the `Thông tin` sheet holds their text.
    """
    rows = _rows(groups)
    results = Table(
        RESULTS_SHEET,
        tuple(result_columns(rules, info, rows)),
        muted=frozenset(index for index, row in enumerate(rows) if row.result.rank is None),
        frozen_columns=4,  # group, its title, TT and the name stay in view
    )
    about = Table(INFO_SHEET, tuple(info_columns(rules, info, groups, notes)), filtered=False)
    criteria = Table(CRITERIA_SHEET, tuple(criteria_columns(rules)), frozen_columns=2)
    moment = datetime.combine(info.decision_date or info.submission_date, datetime.min.time())
    return workbook_bytes(
        (results, about, criteria), _title(rules, info), rules.wording.proposing_body, moment
    )


def _title(rules: Rules, info: DecisionInfo) -> str:
    return f"Kết quả đánh giá, xếp hạng mức độ {rules.wording.subject} năm {info.year}"


def _rows(groups: Sequence[GroupResult]) -> list[Row]:
    """The appendix's order: group by group, the ranked units, then those not ranked."""
    return [
        Row(group, position, result)
        for group in groups
        for position, result in enumerate((*group.results, *group.unranked), start=1)
    ]


def _decimals(values: Sequence[Value], at_least: int) -> int:
    """Enough places to show every value exactly, and never fewer than the printed precision."""
    places = at_least
    for value in values:
        if isinstance(value, Decimal):
            text = str(value)  # the quick look; most values have the printed places or fewer
            dot = text.find(".")
            if (dot >= 0 and len(text) - dot - 1 > places) or "E" in text:
                exponent = value.normalize().as_tuple().exponent  # 7.50 needs no third place
                places = max(places, -int(exponent))
    return places


def _points(header: str, values: Sequence[Value], at_least: int, note: str | None = None) -> Column:
    decimals = _decimals(values, at_least)
    return Column(header, tuple(values), points_format(decimals), note)


def result_columns(rules: Rules, info: DecisionInfo, rows: Sequence[Row]) -> list[Column]:
    """The `Kết quả` sheet's columns, left to right."""

    def each(value: Callable[[Row], Value]) -> tuple[Value, ...]:
        return tuple(value(row) for row in rows)

    mark = min(rules.not_scored, key=len) if rules.not_scored else ""
    pillar_names = {pillar.code: pillar.name for pillar in rules.pillars}
    columns = [
        Column("Nhóm", each(lambda r: r.group.group.code)),
        Column("Tên nhóm", each(lambda r: r.group.group.title), widest=32),
        Column("TT", each(lambda r: r.position), WHOLE_FORMAT),
        Column("Tên đơn vị", each(lambda r: r.result.agency.name), widest=48),
    ]
    agencies = [row.result.agency for row in rows]
    for criterion in rules.criteria:
        code = criterion.code
        scores = tuple(
            mark if code in agency.not_scored else agency.scores.get(code) for agency in agencies
        )

        maxima = "; ".join(
            f"nhóm {group}: {format_points(most)}" for group, most in criterion.max_points.items()
        )
        about = [criterion.name, f"Điểm tối đa: {maxima}."]
        if criterion.pillar:
            about.insert(1, f"Chỉ số chính {criterion.pillar}: {pillar_names[criterion.pillar]}.")
        if criterion.deduction:
            about.append("Tiêu chí trừ điểm.")
        columns.append(_points(code, scores, rules.precision, "\n".join(about)))
    for pillar in rules.pillars:

        def subtotal(row: Row, code: str = pillar.code) -> Value:
            return row.result.pillar_totals.get(code)

        columns.append(
            _points(
                f"Chỉ số {pillar.code}",
                each(subtotal),
                rules.precision,
                f"Chỉ số chính {pillar.code}: {pillar.name} (tổng điểm các tiêu chí của chỉ số).",
            )
        )
    columns.append(_points("Tổng điểm", each(lambda r: r.result.rounded_total), rules.precision))
    columns.append(_points("Điểm tối đa", each(lambda r: r.result.max_points), 0))
    if any(row.result.percent is not None for row in rows):
        columns.append(
            _points(
                "Tỷ lệ (%)",
                each(lambda r: r.result.percent),
                rules.percent_precision,
                "Tổng điểm tính theo phần trăm điểm tối đa của chính đơn vị.",
            )
        )
    columns.append(Column("Xếp hạng", each(lambda r: r.result.rank), WHOLE_FORMAT))
    if rules.grades:
        columns.append(Column("Xếp loại", each(lambda r: r.result.grade)))
    columns += [
        Column(
            f"Xếp hạng năm {info.year - 1}",
            each(lambda r: r.result.agency.prior_rank),
            WHOLE_FORMAT,
        ),
        Column(
            "Thay đổi",
            each(lambda r: r.result.rank_change),
            CHANGE_FORMAT,
            "Số bậc tăng (+) hoặc giảm (-) so với năm trước.",
        ),
    ]
    if any(row.result.agency.prior_note is not None for row in rows):
        columns.append(
            Column(
                "Ghi chú",
                each(
                    lambda r: (
                        None
                        if r.result.agency.prior_note is None
                        else note_sign(r.result.agency.prior_note)
                    )
                ),
                note="Chú thích về thứ hạng năm trước (đổi tên, hợp nhất): xem sheet Thông tin.",
            )
        )
    if any(row.result.rank is None for row in rows):
        columns.append(
            Column(
                UNRANKED_HEADER,
                each(lambda r: r.result.agency.unranked_reason if r.result.rank is None else None),
                note="Lý do đơn vị tham gia đánh giá nhưng không xếp hạng.",
            )
        )
    return columns


def info_columns(
    rules: Rules, info: DecisionInfo, groups: Sequence[GroupResult], notes: Sequence[str] = ()
) -> list[Column]:
    """The `Thông tin` sheet: what the results are, and how they were computed."""
    ranked = sum(len(group.results) for group in groups)
    unranked = sum(len(group.unranked) for group in groups)
    items: list[tuple[str, Value]] = [
        ("Nội dung", _title(rules, info)),
        ("Tỉnh", rules.document.province),
        ("Năm đánh giá", info.year),
        ("Tờ trình", _submission(rules, info)),
        ("Quyết định", _decision(rules, info)),
        ("Số đơn vị", ranked + unranked),
        ("Số đơn vị được xếp hạng", ranked),
        ("Số đơn vị không xếp hạng", unranked),
    ]
    for group in groups:
        line = f"{len(group.results)} đơn vị xếp hạng"
        if group.unranked:
            line += f", {len(group.unranked)} đơn vị không xếp hạng"
        items.append(
            (
                f"Nhóm {group.group.code}",
                f"{group.group.title}: thang điểm {format_points(group.group.max_points)}; {line}",
            )
        )
    basis = (
        "tỷ lệ phần trăm điểm tối đa của từng đơn vị"
        if rules.rank_by is RankBasis.PERCENT
        else "tổng điểm"
    )
    ties = "1, 2, 2, 4" if rules.ties is TiePolicy.COMPETITION else "1, 2, 2, 3"
    items += [
        ("Xếp hạng theo", f"{basis}, trong từng nhóm; đồng điểm thì đồng hạng ({ties})"),
        (
            "Cách làm tròn",
            f"điểm {rules.precision} chữ số thập phân, tỷ lệ phần trăm "
            f"{rules.percent_precision} chữ số; xếp loại và xếp hạng theo số đã làm tròn",
        ),
        ("Ô để trống", "tiêu chí không áp dụng cho nhóm của đơn vị"),
    ]
    if rules.not_scored:
        mark = min(rules.not_scored, key=len)
        items.append((f"Ô «{mark}»", "đơn vị không được đánh giá tiêu chí này"))
    if rules.description:
        items.append(("Bộ quy tắc", rules.description))
    items += [(f"Ghi chú {note_sign(index)}", note) for index, note in enumerate(notes)]
    return [
        Column("Mục", tuple(key for key, _ in items), widest=30),
        Column("Giá trị", tuple(value for _, value in items), "General", widest=90),
    ]


def _submission(rules: Rules, info: DecisionInfo) -> str:
    date = short_date(info.submission_date, fallback=info.submission_date)
    if info.submission_number is None or not info.submission_number.strip():
        return f"Chưa có số, ngày {date}"
    number = document_number(info.submission_number, rules.wording.submission_symbol)
    return f"Số {number} ngày {date}"


def _decision(rules: Rules, info: DecisionInfo) -> str:
    numbered = bool(info.decision_number and info.decision_number.strip())
    if not numbered and info.decision_date is None:
        return "Dự thảo, chưa có số và ngày"
    number = document_number(info.decision_number, rules.document.decision_symbol)
    date = info.decision_date
    return (f"Số {number}" if numbered else "Chưa có số,") + (
        f" ngày {short_date(date, fallback=date)}" if date else ", chưa có ngày"
    )


def criteria_columns(rules: Rules) -> list[Column]:
    """The `Tiêu chí` sheet: what each code in the results' header stands for."""
    pillar_names = {pillar.code: pillar.name for pillar in rules.pillars}
    criteria = rules.criteria
    columns = [
        Column("Mã", tuple(c.code for c in criteria)),
        Column("Tên tiêu chí", tuple(c.name for c in criteria), widest=80),
    ]
    if rules.pillars:
        columns.append(
            Column(
                "Chỉ số chính",
                tuple(c.pillar and f"{c.pillar} – {pillar_names[c.pillar]}" for c in criteria),
                widest=40,
            )
        )
    for group in rules.groups:
        columns.append(
            _points(
                f"Tối đa nhóm {group.code}",
                tuple(c.max_points.get(group.code) for c in criteria),
                0,
            )
        )
    if any(c.weight != 1 for c in criteria):
        columns.append(_points("Hệ số", tuple(c.weight for c in criteria), 0))
    if any(c.deduction for c in criteria):
        columns.append(Column("Trừ điểm", tuple("Có" if c.deduction else None for c in criteria)))
    return columns
