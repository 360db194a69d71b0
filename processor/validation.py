"""Checking the workbook cell by cell against the rules; pure, no file access.

One pass collects every problem, each naming its sheet and cell, so the secretary fixes the
workbook once instead of once per run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from processor.formatting import format_number, format_points, normalise, round_score
from processor.model import AgencyScores, DecisionInfo, Evaluation, Rules
from processor.problems import Problem, Severity, errors
from processor.scoring import total
from processor.workbook import INFO_SHEET, SCORE_SHEET, RawWorkbook, Sheet

COL_NO = "TT"
COL_NAME = "Tên đơn vị"
COL_GROUP = "Nhóm"
COL_PRIOR = "Xếp hạng năm trước"
COL_TOTAL = "Tổng điểm"

KEY_YEAR = "Năm đánh giá"
KEY_SUBMISSION_NO = "Số tờ trình"
KEY_SUBMISSION_DATE = "Ngày tờ trình"
KEY_SIGNER = "Người ký"
KEY_SIGNER_TITLE = "Chức vụ người ký"
KEY_DECISION_NO = "Số quyết định"
KEY_DECISION_DATE = "Ngày quyết định"
INFO_KEYS = (
    KEY_YEAR,
    KEY_SUBMISSION_NO,
    KEY_SUBMISSION_DATE,
    KEY_SIGNER,
    KEY_SIGNER_TITLE,
    KEY_DECISION_NO,
    KEY_DECISION_DATE,
)
OPTIONAL_INFO_KEYS = {KEY_DECISION_NO, KEY_DECISION_DATE}
_DATE_TEXT = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def column_letter(column: int) -> str:
    """1 -> A, 27 -> AA (as Excel names columns)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_ref(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{column_letter(column)}{row}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: Any) -> str:
    """A cell's value as the secretary would recognise it in a message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"«{shown}»"
    if isinstance(value, datetime | date):
        return f"ngày {value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _number(value: Any) -> Decimal | None:
    """A numeric cell as an exact Decimal; None for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))  # the shortest repr: 12.35 stays 12.35
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _whole(value: Any) -> int | None:
    """A positive whole number typed as a number or as plain digits."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    number = _number(value)
    if number is None or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


@dataclass
class _Columns:
    """Where each expected column sits in the header row (1-based)."""

    by_key: dict[str, int]
    criteria: dict[str, int]


def check_workbook(raw: RawWorkbook, rules: Rules) -> tuple[Evaluation | None, list[Problem]]:
    """Every problem in the workbook; the Evaluation only when none of them is an error."""
    problems: list[Problem] = []
    scores = raw.sheets.get(SCORE_SHEET)
    info_sheet = raw.sheets.get(INFO_SHEET)
    for wanted, sheet in ((SCORE_SHEET, scores), (INFO_SHEET, info_sheet)):
        if sheet is None:
            present = ", ".join(f"«{n}»" for n in raw.sheet_names) or "(không có sheet nào)"
            problems.append(
                Problem(
                    wanted,
                    f"Không tìm thấy sheet «{wanted}». Bảng tính đang có: {present}.",
                )
            )
    agencies = _check_scores(scores, rules, problems) if scores else []
    info = _check_info(info_sheet, problems) if info_sheet else None
    if info is None or errors(problems):
        return None, problems
    return Evaluation(info=info, agencies=tuple(agencies)), problems


# -- sheet "Điểm" -------------------------------------------------------------------------------


def _header(sheet: Sheet, rules: Rules, problems: list[Problem]) -> _Columns | None:
    name = sheet.name
    header = sheet.rows.get(1, ())
    fixed = {normalise(k): k for k in (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR, COL_TOTAL)}
    codes = {normalise(c.code): c.code for c in rules.criteria}
    by_key: dict[str, int] = {}
    criteria: dict[str, int] = {}
    for column, value in enumerate(header, start=1):
        if _blank(value):
            continue
        key = normalise(value)
        target, canonical = (by_key, fixed[key]) if key in fixed else (criteria, codes.get(key, ""))
        if not canonical:
            problems.append(
                Problem(
                    cell_ref(name, 1, column),
                    f"Cột {_show(value)} không phải cột của mẫu cũng không phải mã tiêu chí "
                    "trong tệp quy tắc; cột này bị bỏ qua.",
                    Severity.WARNING,
                )
            )
            continue
        if canonical in target:
            first = cell_ref(name, 1, target[canonical])
            problems.append(
                Problem(
                    cell_ref(name, 1, column),
                    f"Cột «{canonical}» bị lặp (đã có ở ô {first}); xóa một trong hai cột.",
                )
            )
            continue
        target[canonical] = column
    missing = [k for k in (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR) if k not in by_key]
    missing += [c.code for c in rules.criteria if c.code not in criteria]
    for key in missing:
        problems.append(
            Problem(
                f"{name} (hàng tiêu đề)",
                f"Thiếu cột «{key}» ở hàng 1. Hàng 1 phải có: TT, Tên đơn vị, Nhóm, "
                "Xếp hạng năm trước và một cột cho mỗi mã tiêu chí trong tệp quy tắc.",
            )
        )
    if missing:
        return None
    return _Columns(by_key=by_key, criteria=criteria)


def _check_scores(sheet: Sheet, rules: Rules, problems: list[Problem]) -> list[AgencyScores]:
    columns = _header(sheet, rules, problems)
    if columns is None:
        return []
    name = sheet.name
    group_codes = {normalise(g.code): g.code for g in rules.groups}
    seen_names: dict[str, int] = {}
    agencies: list[AgencyScores] = []

    def at(row: tuple[Any, ...], column: int) -> Any:
        return row[column - 1] if column <= len(row) else None

    for row_no, row in sheet.rows.items():
        if row_no == 1 or all(_blank(v) for v in row):
            continue
        before = len(problems)

        agency_name = at(row, columns.by_key[COL_NAME])
        name_ref = cell_ref(name, row_no, columns.by_key[COL_NAME])
        if _blank(agency_name):
            problems.append(Problem(name_ref, "Thiếu tên đơn vị."))
            agency_name = ""
        elif not isinstance(agency_name, str):
            problems.append(
                Problem(name_ref, f"Tên đơn vị phải là chữ, đang ghi {_show(agency_name)}.")
            )
            agency_name = ""
        else:
            agency_name = agency_name.strip()
            key = normalise(agency_name)
            if key in seen_names:
                problems.append(
                    Problem(
                        name_ref,
                        f"Tên đơn vị «{agency_name}» trùng với hàng {seen_names[key]}; "
                        "mỗi đơn vị chỉ được có một hàng.",
                    )
                )
            else:
                seen_names[key] = row_no

        raw_group = at(row, columns.by_key[COL_GROUP])
        group = group_codes.get(normalise(raw_group)) if not _blank(raw_group) else None
        if group is None:
            valid = ", ".join(g.code for g in rules.groups)
            found = "đang để trống" if _blank(raw_group) else f"đang ghi {_show(raw_group)}"
            problems.append(
                Problem(
                    cell_ref(name, row_no, columns.by_key[COL_GROUP]),
                    f"Mã nhóm phải là một trong: {valid}; {found}.",
                )
            )

        raw_prior = at(row, columns.by_key[COL_PRIOR])
        prior = None if _blank(raw_prior) else _whole(raw_prior)
        if not _blank(raw_prior) and prior is None:
            problems.append(
                Problem(
                    cell_ref(name, row_no, columns.by_key[COL_PRIOR]),
                    f"Xếp hạng năm trước phải là số nguyên dương (để trống nếu đơn vị mới), "
                    f"đang ghi {_show(raw_prior)}.",
                )
            )

        scores = (
            _check_criteria(row, row_no, group, columns, rules, name, problems)
            if group is not None
            else {}
        )

        council_total = None
        if COL_TOTAL in columns.by_key:
            raw_total = at(row, columns.by_key[COL_TOTAL])
            total_ref = cell_ref(name, row_no, columns.by_key[COL_TOTAL])
            council_total = None if _blank(raw_total) else _number(raw_total)
            if not _blank(raw_total) and council_total is None:
                problems.append(
                    Problem(total_ref, f"Tổng điểm phải là số, đang ghi {_show(raw_total)}.")
                )
            elif council_total is not None and not errors(problems[before:]):
                computed = round_score(total(scores), rules.precision)
                if round_score(council_total, rules.precision) != computed:
                    problems.append(
                        Problem(
                            total_ref,
                            "Tổng điểm ghi trong bảng là "
                            f"{format_number(council_total, rules.precision)}"
                            f" nhưng cộng điểm các tiêu chí được "
                            f"{format_number(computed, rules.precision)}; kiểm tra lại các ô điểm "
                            "hoặc ô tổng điểm của hàng này.",
                        )
                    )

        if len(problems) == before or all(
            p.severity is Severity.WARNING for p in problems[before:]
        ):
            agencies.append(
                AgencyScores(
                    row=row_no,
                    name=agency_name,
                    group=group or "",
                    prior_rank=prior,
                    scores=scores,
                    council_total=council_total,
                )
            )
    if not agencies and not errors(problems):
        problems.append(
            Problem(
                f"{name} (vùng dữ liệu)",
                "Không có đơn vị nào: nhập mỗi đơn vị trên một hàng, bắt đầu từ hàng 2.",
            )
        )
    return agencies


def _check_criteria(
    row: tuple[Any, ...],
    row_no: int,
    group: str,
    columns: _Columns,
    rules: Rules,
    sheet: str,
    problems: list[Problem],
) -> dict[str, Decimal]:
    scores: dict[str, Decimal] = {}
    for criterion in rules.criteria:
        column = columns.criteria[criterion.code]
        value = row[column - 1] if column <= len(row) else None
        ref = cell_ref(sheet, row_no, column)
        if not criterion.applies_to(group):
            if not _blank(value):
                problems.append(
                    Problem(
                        ref,
                        f"Tiêu chí {criterion.code} không áp dụng cho nhóm {group}; "
                        f"ô này phải để trống, đang ghi {_show(value)}.",
                    )
                )
            continue
        maximum = criterion.max_points[group]
        if _blank(value):
            hint = " (ghi 0 nếu không bị trừ điểm)" if criterion.deduction else ""
            problems.append(Problem(ref, f"Thiếu điểm tiêu chí {criterion.code}{hint}."))
            continue
        number = _number(value)
        if number is None:
            problems.append(
                Problem(
                    ref,
                    f"Điểm tiêu chí {criterion.code} phải là số, đang ghi {_show(value)}.",
                )
            )
            continue
        shown = format_points(number)
        if criterion.deduction and not -maximum <= number <= 0:
            problems.append(
                Problem(
                    ref,
                    f"Tiêu chí trừ điểm {criterion.code} phải từ -{format_points(maximum)} "
                    f"đến 0 (số âm), đang ghi {shown}.",
                )
            )
        elif not criterion.deduction and number < 0:
            problems.append(
                Problem(ref, f"Điểm tiêu chí {criterion.code} không được âm, đang ghi {shown}.")
            )
        elif not criterion.deduction and number > maximum:
            problems.append(
                Problem(
                    ref,
                    f"Điểm tiêu chí {criterion.code} là {shown}, vượt điểm tối đa "
                    f"{format_points(maximum)} của nhóm {group}.",
                )
            )
        else:
            scores[criterion.code] = number
    return scores


# -- sheet "Thông tin" --------------------------------------------------------------------------


def _check_info(sheet: Sheet, problems: list[Problem]) -> DecisionInfo | None:
    name = sheet.name
    known = {normalise(k): k for k in INFO_KEYS}
    values: dict[str, tuple[Any, str]] = {}
    for row_no, row in sheet.rows.items():
        key = row[0] if row else None
        if _blank(key):
            continue
        canonical = known.get(normalise(key))
        if canonical is None:
            if row_no > 1:  # row 1 may hold column headings
                problems.append(
                    Problem(
                        cell_ref(name, row_no, 1),
                        f"Mục {_show(key)} không được dùng; các mục hợp lệ: "
                        f"{', '.join(INFO_KEYS)}.",
                        Severity.WARNING,
                    )
                )
            continue
        if canonical in values:
            problems.append(
                Problem(
                    cell_ref(name, row_no, 1),
                    f"Mục «{canonical}» ghi hai lần (đã có ở ô {values[canonical][1]}).",
                )
            )
            continue
        value = row[1] if len(row) > 1 else None
        values[canonical] = (value, cell_ref(name, row_no, 2))

    before = len(problems)

    def get(key: str) -> tuple[Any, str] | None:
        if key not in values:
            if key not in OPTIONAL_INFO_KEYS:
                problems.append(
                    Problem(
                        f"{name} (cột A)",
                        f"Thiếu mục «{key}»: thêm một hàng với «{key}» ở cột A và giá trị ở cột B.",
                    )
                )
            return None
        value, ref = values[key]
        if _blank(value):
            if key not in OPTIONAL_INFO_KEYS:
                problems.append(Problem(ref, f"Thiếu giá trị của mục «{key}»."))
            return None
        return value, ref

    year = None
    if (found := get(KEY_YEAR)) is not None:
        year = _whole(found[0])
        if year is None or not 1990 <= year <= 2200:
            problems.append(
                Problem(
                    found[1], f"Năm đánh giá phải là năm, ví dụ 2020; đang ghi {_show(found[0])}."
                )
            )
            year = None

    def text(key: str) -> str | None:
        found = get(key)
        if found is None:
            return None
        value, ref = found
        if isinstance(value, bool | datetime | date):
            problems.append(Problem(ref, f"Mục «{key}» phải là chữ, đang ghi {_show(value)}."))
            return None
        number = _number(value)
        if number is not None:
            return format_points(number)
        return unicodedata.normalize("NFC", str(value)).strip()

    def day(key: str) -> date | None:
        found = get(key)
        return None if found is None else _date(found[0], found[1], key, problems)

    submission_no = text(KEY_SUBMISSION_NO)
    submission_date = day(KEY_SUBMISSION_DATE)
    signer = text(KEY_SIGNER)
    title = text(KEY_SIGNER_TITLE)
    decision_no = text(KEY_DECISION_NO)
    decision_date = day(KEY_DECISION_DATE)
    if len(problems) > before or year is None:
        return None
    assert submission_no and submission_date and signer and title
    return DecisionInfo(
        year=year,
        submission_number=submission_no,
        submission_date=submission_date,
        signer=signer,
        signer_title=tuple(line.strip() for line in title.splitlines() if line.strip()),
        decision_number=decision_no,
        decision_date=decision_date,
    )


def _date(value: Any, ref: str, key: str, problems: list[Problem]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (match := _DATE_TEXT.match(value)):
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    problems.append(
        Problem(ref, f"Mục «{key}» phải là một ngày (ví dụ 08/01/2021), đang ghi {_show(value)}.")
    )
    return None
