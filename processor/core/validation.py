"""Checking the workbook cell by cell against the rules; pure, no file access.

One pass collects every problem, each naming its sheet and cell, so the secretary fixes the
workbook once instead of once per run.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from processor.core.formatting import format_number, format_points, normalise, round_score
from processor.core.model import (
    COL_GROUP,
    COL_NAME,
    COL_NO,
    COL_PRIOR,
    COL_TOTAL,
    AgencyScores,
    DecisionInfo,
    Evaluation,
    Rules,
)
from processor.core.problems import Problem, Severity, errors
from processor.core.scoring import total
from processor.core.sheet import (
    INFO_SHEET,
    SCORE_SHEET,
    ExcelError,
    RawWorkbook,
    Sheet,
    column_letter,
    column_number,
)

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
_UNUSABLE = object()  # a cell already reported (formula without value, error value)
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_FORMULA_FIX = (
    "ô có công thức nhưng tệp không lưu kết quả tính (thường gặp khi tệp được lưu bằng chương "
    "trình khác Excel). Mở tệp bằng Excel, bấm Ctrl+Alt+F9 để tính lại rồi lưu, hoặc thay công "
    "thức bằng giá trị"
)


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
    number = _number(value)
    return format_points(number) if number is not None else str(value)


def _number(value: Any) -> Decimal | None:
    """A numeric cell as an exact Decimal; None for anything that is not a number."""
    kind = value.__class__
    if kind is float:
        return _float_number(value)
    if kind is int:
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _float_number(float(value))


@functools.lru_cache(maxsize=65_536)
def _float_number(value: float) -> Decimal | None:
    """Scores repeat (7.5, 8.25, ...), so the conversion is cached: the same float, the same
    Decimal. Excel keeps 15 significant digits: a formula's 12.350000000000001 is the 12.35
    shown."""
    try:
        number = Decimal(f"{value:.15g}")
    except (InvalidOperation, ValueError, OverflowError):
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
    if raw.has_macros:
        problems.append(
            Problem(
                raw.file_name,
                "Bảng tính có macro (.xlsm). Macro không bao giờ được chạy; chương trình chỉ đọc "
                "giá trị các ô.",
                Severity.WARNING,
            )
        )
    agencies = _check_scores(scores, rules, problems) if scores else []
    info = _check_info(info_sheet, problems) if info_sheet else None
    if info is None or errors(problems):
        return None, problems
    return Evaluation(info=info, agencies=tuple(agencies)), problems


# -- sheet "Điểm" -------------------------------------------------------------------------------


class _Cells:
    """Reads one sheet's cells into numbers, saying what is wrong with a cell that is not one."""

    def __init__(self, sheet: Sheet, problems: list[Problem]):
        self.sheet = sheet
        self.problems = problems

    def ref(self, row: int, column: int) -> str:
        return cell_ref(self.sheet.name, row, column)

    def unusable(self, row: int, column: int, value: Any, what: str) -> bool:
        """True (with an error recorded) for a cell whose value cannot be trusted at all."""
        if (row, column) in self.sheet.formulas_without_value:
            self.problems.append(Problem(self.ref(row, column), f"{what}: {_FORMULA_FIX}."))
            return True
        if isinstance(value, ExcelError):
            self.problems.append(
                Problem(
                    self.ref(row, column),
                    f"{what}: ô đang báo lỗi {value} của công thức; sửa công thức hoặc nhập "
                    "giá trị.",
                )
            )
            return True
        return False

    def number(self, row: int, column: int, value: Any, what: str) -> Decimal | None:
        """A numeric cell as an exact Decimal; None (with an error recorded) otherwise.

        Numbers typed as text (`85,5` or `85.5`) are accepted with a warning: the value is
        clear, but the cell will not add up in Excel's own sums.
        """
        if (row, column) in self.sheet.percent_cells:
            shown = _number(value)
            percent = format_points(shown * 100) if shown is not None else "?"
            self.problems.append(
                Problem(
                    self.ref(row, column),
                    f"{what}: ô định dạng phần trăm (hiện {percent}%, giá trị thật là "
                    f"{format_points(shown) if shown is not None else _show(value)}); bỏ định "
                    "dạng % (Định dạng ô > Số) và nhập số điểm.",
                )
            )
            return None
        number = _number(value)
        if number is not None:
            return number
        if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
            number = Decimal(value.strip().replace(",", "."))
            self.problems.append(
                Problem(
                    self.ref(row, column),
                    f"{what}: số được gõ dưới dạng chữ {_show(value)}; đã hiểu là "
                    f"{format_points(number)}. Nên nhập lại thành số để Excel cộng được.",
                    Severity.WARNING,
                )
            )
            return number
        self.problems.append(
            Problem(self.ref(row, column), f"{what} phải là số, đang ghi {_show(value)}.")
        )
        return None


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
    hint = _misplaced_header_hint(sheet) if missing else ""
    for key in missing:
        problems.append(
            Problem(
                f"{name} (hàng tiêu đề)",
                f"Thiếu cột «{key}» ở hàng 1. Hàng 1 phải có: TT, Tên đơn vị, Nhóm, "
                f"Xếp hạng năm trước và một cột cho mỗi mã tiêu chí trong tệp quy tắc.{hint}",
            )
        )
    if missing:
        return None
    return _Columns(by_key=by_key, criteria=criteria)


def _misplaced_header_hint(sheet: Sheet) -> str:
    """When the headings sit lower down (a title typed above them), say where they are."""
    wanted = normalise(COL_NAME)
    for row_no, values in sheet.rows.items():
        if row_no > 20:
            break
        if row_no > 1 and any(not _blank(v) and normalise(v) == wanted for v in values):
            return (
                f" Hàng tiêu đề đang ở hàng {row_no}: xóa các hàng phía trên để tiêu đề "
                "nằm ở hàng 1."
            )
    return ""


def _check_layout(sheet: Sheet, last_column: int, problems: list[Problem]) -> None:
    """Merged cells hide values; hidden rows and columns hide what is being counted."""
    for merged in sheet.merged:
        first = merged.split(":", 1)[0].replace("$", "")
        column = column_number(first.rstrip("0123456789"))
        if column is not None and column <= last_column:
            problems.append(
                Problem(
                    f"{sheet.name}!{merged}",
                    f"Các ô {merged} đang được gộp (Merge) trong vùng dữ liệu, nên chỉ ô đầu "
                    "có giá trị; bỏ gộp ô và ghi giá trị vào từng ô.",
                )
            )
    for row_no in sorted(sheet.hidden_rows):
        if row_no in sheet.rows and row_no > 1:
            problems.append(
                Problem(
                    f"{sheet.name}!{row_no}:{row_no}",
                    f"Hàng {row_no} đang bị ẩn nhưng vẫn được tính điểm và xếp hạng; hiện hàng "
                    "(Unhide) để kiểm tra, hoặc xóa hàng nếu đơn vị này không được xếp hạng.",
                    Severity.WARNING,
                )
            )
    header = sheet.rows.get(1, ())
    for column in sorted(sheet.hidden_columns):
        if column <= min(last_column, len(header)) and not _blank(header[column - 1]):
            letter = column_letter(column)
            problems.append(
                Problem(
                    f"{sheet.name}!{letter}:{letter}",
                    f"Cột {letter} ({_show(header[column - 1])}) đang bị ẩn nhưng vẫn được "
                    "tính; hiện cột (Unhide) để kiểm tra.",
                    Severity.WARNING,
                )
            )


def _check_scores(sheet: Sheet, rules: Rules, problems: list[Problem]) -> list[AgencyScores]:
    columns = _header(sheet, rules, problems)
    if columns is None:
        return []
    _check_layout(sheet, max([*columns.by_key.values(), *columns.criteria.values()]), problems)
    name = sheet.name
    cells = _Cells(sheet, problems)
    group_codes = {normalise(g.code): g.code for g in rules.groups}
    seen_names: dict[str, int] = {}
    priors: dict[str, list[tuple[int, str]]] = {}  # group -> (prior rank, cell) in row order
    agencies: list[AgencyScores] = []

    def at(row: tuple[Any, ...], column: int) -> Any:
        return row[column - 1] if column <= len(row) else None

    for row_no, row in sheet.rows.items():
        if row_no == 1 or all(_blank(v) for v in row):
            continue
        before = len(problems)

        name_col = columns.by_key[COL_NAME]
        agency_name = at(row, name_col)
        name_ref = cell_ref(name, row_no, name_col)
        if cells.unusable(row_no, name_col, agency_name, "Tên đơn vị"):
            agency_name = ""
        elif _blank(agency_name):
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

        group_col = columns.by_key[COL_GROUP]
        raw_group = at(row, group_col)
        group = group_codes.get(normalise(raw_group)) if not _blank(raw_group) else None
        if cells.unusable(row_no, group_col, raw_group, "Mã nhóm"):
            group = None
        elif group is None:
            valid = ", ".join(g.code for g in rules.groups)
            found = "đang để trống" if _blank(raw_group) else f"đang ghi {_show(raw_group)}"
            problems.append(
                Problem(
                    cell_ref(name, row_no, group_col),
                    f"Mã nhóm phải là một trong: {valid}; {found}.",
                )
            )

        prior_col = columns.by_key[COL_PRIOR]
        raw_prior = at(row, prior_col)
        prior_ref = cell_ref(name, row_no, prior_col)
        prior = None
        if cells.unusable(row_no, prior_col, raw_prior, "Xếp hạng năm trước"):
            pass
        elif not _blank(raw_prior):
            prior = _whole(raw_prior)
            if prior is None:
                problems.append(
                    Problem(
                        prior_ref,
                        "Xếp hạng năm trước phải là số nguyên dương (để trống nếu đơn vị mới), "
                        f"đang ghi {_show(raw_prior)}.",
                    )
                )
            elif group is not None:
                priors.setdefault(group, []).append((prior, prior_ref))

        scores = (
            _check_criteria(row, row_no, group, columns, rules, cells) if group is not None else {}
        )

        council_total = None
        if COL_TOTAL in columns.by_key:
            total_col = columns.by_key[COL_TOTAL]
            raw_total = at(row, total_col)
            total_ref = cell_ref(name, row_no, total_col)
            if (row_no, total_col) in sheet.formulas_without_value:
                problems.append(
                    Problem(
                        total_ref,
                        f"Không đối chiếu được tổng điểm: {_FORMULA_FIX}. Chương trình vẫn "
                        "tự cộng điểm các tiêu chí.",
                        Severity.WARNING,
                    )
                )
            elif not _blank(raw_total) and not cells.unusable(
                row_no, total_col, raw_total, "Tổng điểm"
            ):
                council_total = cells.number(row_no, total_col, raw_total, "Tổng điểm")
                if council_total is not None and not errors(problems[before:]):
                    computed = round_score(total(scores), rules.precision)
                    if round_score(council_total, rules.precision) != computed:
                        problems.append(
                            Problem(
                                total_ref,
                                "Tổng điểm ghi trong bảng là "
                                f"{format_number(council_total, rules.precision)}"
                                f" nhưng cộng điểm các tiêu chí được "
                                f"{format_number(computed, rules.precision)}; kiểm tra lại các ô "
                                "điểm hoặc ô tổng điểm của hàng này.",
                            )
                        )

        if not errors(problems[before:]):
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
    _check_prior_ranks(priors, problems)
    if not agencies and not errors(problems):
        problems.append(
            Problem(
                f"{name} (vùng dữ liệu)",
                "Không có đơn vị nào: nhập mỗi đơn vị trên một hàng, bắt đầu từ hàng 2.",
            )
        )
    return agencies


def _check_prior_ranks(priors: dict[str, list[tuple[int, str]]], problems: list[Problem]) -> None:
    """Last year's ranks should be a plausible ranking of each group: warn, don't refuse.

    Ties are legal ("1224"), so a repeated rank may be right; and last year's group size is
    only known as the number of agencies that carry a rank now.
    """
    for group, ranks in priors.items():
        size = len(ranks)
        first_at: dict[int, str] = {}
        for rank, ref in ranks:
            if rank in first_at:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước {rank} trùng với ô {first_at[rank]} cùng nhóm "
                        f"{group}; kiểm tra lại (bỏ qua nếu năm trước hai đơn vị đồng hạng).",
                        Severity.WARNING,
                    )
                )
            else:
                first_at[rank] = ref
            if rank > size:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước là {rank} nhưng nhóm {group} chỉ có {size} đơn vị "
                        "có xếp hạng năm trước; kiểm tra lại.",
                        Severity.WARNING,
                    )
                )


def _check_criteria(
    row: tuple[Any, ...],
    row_no: int,
    group: str,
    columns: _Columns,
    rules: Rules,
    cells: _Cells,
) -> dict[str, Decimal]:
    scores: dict[str, Decimal] = {}
    problems = cells.problems
    for criterion in rules.criteria:
        column = columns.criteria[criterion.code]
        value = row[column - 1] if column <= len(row) else None
        what = f"Điểm tiêu chí {criterion.code}"
        if not criterion.applies_to(group):
            if not _blank(value) or (row_no, column) in cells.sheet.formulas_without_value:
                shown = "một công thức" if value is None else _show(value)
                problems.append(
                    Problem(
                        cells.ref(row_no, column),
                        f"Tiêu chí {criterion.code} không áp dụng cho nhóm {group}; "
                        f"ô này phải để trống, đang ghi {shown}.",
                    )
                )
            continue
        if cells.unusable(row_no, column, value, what):
            continue
        maximum = criterion.max_points[group]
        if _blank(value):
            hint = " (ghi 0 nếu không bị trừ điểm)" if criterion.deduction else ""
            problems.append(
                Problem(cells.ref(row_no, column), f"Thiếu điểm tiêu chí {criterion.code}{hint}.")
            )
            continue
        number = cells.number(row_no, column, value, what)
        if number is None:
            continue
        places = -int(number.as_tuple().exponent)
        if places > rules.precision:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} là {format_points(number)}, có {places} chữ số thập phân; chỉ "
                    f"được tối đa {rules.precision} chữ số.",
                )
            )
        elif criterion.deduction and not -maximum <= number <= 0:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"Tiêu chí trừ điểm {criterion.code} phải từ -{format_points(maximum)} "
                    f"đến 0 (số âm), đang ghi {format_points(number)}.",
                )
            )
        elif not criterion.deduction and number < 0:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} không được âm, đang ghi {format_points(number)}.",
                )
            )
        elif not criterion.deduction and number > maximum:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} là {format_points(number)}, vượt điểm tối đa "
                    f"{format_points(maximum)} của nhóm {group}.",
                )
            )
        else:
            scores[criterion.code] = number
    return scores


# -- sheet "Thông tin" --------------------------------------------------------------------------


def _check_info(sheet: Sheet, problems: list[Problem]) -> DecisionInfo | None:
    name = sheet.name
    start = len(problems)
    known = {normalise(k): k for k in INFO_KEYS}
    values: dict[str, tuple[Any, str]] = {}
    key_cells: dict[str, str] = {}
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
                    f"Mục «{canonical}» ghi hai lần (đã có ở ô {key_cells[canonical]}).",
                )
            )
            continue
        key_cells[canonical] = cell_ref(name, row_no, 1)
        value = row[1] if len(row) > 1 else None
        if _Cells(sheet, problems).unusable(row_no, 2, value, f"Mục «{canonical}»"):
            value = _UNUSABLE
        values[canonical] = (value, cell_ref(name, row_no, 2))

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
        if value is _UNUSABLE:
            return None
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
    if errors(problems[start:]) or year is None:
        return None
    if not (submission_no and submission_date and signer and title):
        return None  # each one missing has been reported above
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
