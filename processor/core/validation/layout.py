"""The score sheet's shape: which column holds what, and what hides values from the eye.

Nothing in a row can be read before its columns are known, and a merged cell or a hidden row
changes what the council sees without changing what is counted, so these come first. A heading
that is missing or mistyped is reported, and the other columns are still read: one run names
every problem of the sheet.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import takewhile

from processor.core.formatting import normalise
from processor.core.model import (
    COL_EMAIL,
    COL_GROUP,
    COL_NAME,
    COL_NO,
    COL_PRIOR,
    COL_TOTAL,
    COL_UNRANKED,
    SCORE_COLUMNS,
    Criterion,
    Rules,
)
from processor.core.problems import Problem, Severity
from processor.core.sheet import Sheet, column_letter, column_number
from processor.core.validation.headers import HeaderBand, find_header, near_miss
from processor.core.validation.values import blank, cell_ref, show

REQUIRED = (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR)
OPTIONAL = (COL_TOTAL, COL_UNRANKED, COL_EMAIL)


@dataclass
class Columns:
    """Where each expected column sits (1-based), and where the headings are.

    A column missing from `by_key` or `criteria` has been reported (except `Nhóm`, which group
    heading rows may stand for; see scores.py). `complete` is False when some criterion has no
    column: no total can then be cross-checked.
    """

    by_key: dict[str, int]
    criteria: dict[str, int]
    band: HeaderBand
    complete: bool = True
    group_reported: bool = False  # a mistyped `Nhóm` heading was already reported
    present: list[tuple[Criterion, int]] = field(default_factory=list)  # the rules' order

    @property
    def last(self) -> int:
        return max([*self.by_key.values(), *self.criteria.values(), 1])


def read_header(sheet: Sheet, rules: Rules, problems: list[Problem]) -> Columns:
    """The columns of the heading row; every missing, mistyped or repeated heading reported."""
    name = sheet.name
    band = find_header(sheet, rules)
    fixed = {normalise(k): k for k in SCORE_COLUMNS}
    codes = {normalise(c.code): c.code for c in rules.criteria}
    by_key: dict[str, int] = {}
    criteria: dict[str, int] = {}
    unknown = []
    for row, column, value in band.cells:
        if blank(value):
            continue
        key = normalise(value)
        if key not in fixed and key not in codes:
            unknown.append((row, column, value))
            continue
        target, canonical = (by_key, fixed[key]) if key in fixed else (criteria, codes[key])
        if canonical in target:
            first = cell_ref(name, _row_of(band, target[canonical]), target[canonical])
            email = canonical == COL_EMAIL  # nothing counted is in it: the first one is read
            problems.append(
                Problem(
                    cell_ref(name, row, column),
                    f"Cột «{canonical}» bị lặp (đã có ở ô {first}); xóa một trong hai cột."
                    + (" Chỉ cột đầu được đọc." if email else ""),
                    Severity.WARNING if email else Severity.ERROR,
                )
            )
            continue
        target[canonical] = column
    missing = [k for k in REQUIRED if k not in by_key]
    missing += [c.code for c in rules.criteria if c.code not in criteria]
    optional = [k for k in OPTIONAL if k not in by_key]
    columns = Columns(by_key=by_key, criteria=criteria, band=band)
    for row, column, value in unknown:
        meant = near_miss(value, [*missing, *optional])
        ref = cell_ref(name, row, column)
        if meant is not None and meant in missing:
            missing.remove(meant)
            columns.group_reported |= meant == COL_GROUP
            columns.complete &= meant not in codes.values()
            what = "mã tiêu chí trong tệp quy tắc" if meant in codes.values() else "tên cột"
            problems.append(
                Problem(
                    ref,
                    f"Thiếu cột «{meant}»: ô này ghi {show(value)}, có phải «{meant}»? Sửa tiêu "
                    f"đề cho đúng {what}; các cột khác vẫn được kiểm tra.",
                )
            )
        elif meant is not None:
            optional.remove(meant)
            problems.append(
                Problem(
                    ref,
                    f"Cột {show(value)} không phải cột của mẫu nên bị bỏ qua; có phải «{meant}»? "
                    "Sửa tiêu đề nếu đúng vậy.",
                    Severity.WARNING,
                )
            )
        else:
            problems.append(
                Problem(
                    ref,
                    f"Cột {show(value)} không phải cột của mẫu cũng không phải mã tiêu chí "
                    "trong tệp quy tắc; cột này bị bỏ qua.",
                    Severity.WARNING,
                )
            )
    for key in missing:
        columns.complete &= key not in codes.values()
        if key != COL_GROUP:  # group heading rows may stand for it: decided in scores.py
            problems.append(missing_column(name, key, band))
    columns.present = [(c, criteria[c.code]) for c in rules.criteria if c.code in criteria]
    return columns


def missing_column(sheet_name: str, key: str, band: HeaderBand, extra: str = "") -> Problem:
    return Problem(
        f"{sheet_name} (hàng tiêu đề)",
        f"Thiếu cột «{key}» ở hàng {band.bottom}. Hàng tiêu đề phải có: TT, Tên đơn vị, Nhóm, "
        f"Xếp hạng năm trước và một cột cho mỗi mã tiêu chí trong tệp quy tắc.{extra}",
    )


def _row_of(band: HeaderBand, column: int) -> int:
    return next((r for r, c, v in band.cells if c == column and not blank(v)), band.bottom)


def rows_above(sheet: Sheet, band: HeaderBand, problems: list[Problem]) -> None:
    """Titles above the headings are not data; say so once if one of those rows holds a number."""
    found = next(
        (
            (row_no, column, value)
            for row_no, values in takewhile(lambda item: item[0] < band.top, sheet.rows.items())
            for column, value in enumerate(values, start=1)
            if isinstance(value, int | float) and not isinstance(value, bool)
        ),
        None,
    )
    if found is None:
        return
    row_no, column, value = found
    last = band.top - 1
    shown = str(value) if isinstance(value, int) else show(value)  # a year: 2020, not 2.020
    problems.append(
        Problem(
            f"{sheet.name}!1:{last}",
            f"Hàng tiêu đề của bảng điểm là hàng {band.bottom}; các hàng 1–{last} phía trên "
            f"không được đọc, nhưng ô {cell_ref(sheet.name, row_no, column)} ở đó ghi số "
            f"{shown}. Nếu đó là điểm của một đơn vị, chuyển hàng đó xuống dưới hàng tiêu đề; "
            "nếu là tên bảng thì bỏ qua cảnh báo này.",
            Severity.WARNING,
        )
    )


def check_layout(
    sheet: Sheet, columns: Columns, agency_rows: Sequence[int], problems: list[Problem]
) -> None:
    """Merged cells hide values; hidden rows and columns hide what is being counted.

    Only the agencies' rows are the data area: a title merged across the columns above the
    headings, or a group heading row merged across the sheet, hides nothing that is counted.
    `agency_rows` is in ascending order.
    """
    last_column = columns.last
    for merged in sheet.merged:
        first, _, end = merged.replace("$", "").partition(":")
        column = column_number(first.rstrip("0123456789"))
        top, bottom = _row(first), _row(end or first)
        if column is None or column > last_column or top is None or bottom is None:
            continue
        at = bisect.bisect_left(agency_rows, top)
        if at < len(agency_rows) and agency_rows[at] <= bottom:
            # Only the Email column: the first row's agency alone gets the address; nothing
            # counted is hidden, so the decision is not held back.
            email_only = column == columns.by_key.get(COL_EMAIL) and _last_column(end) in (
                None,
                column,
            )
            problems.append(
                Problem(
                    f"{sheet.name}!{merged}",
                    f"Các ô {merged} đang được gộp (Merge) trong vùng dữ liệu, nên chỉ ô đầu "
                    "có giá trị; bỏ gộp ô và ghi giá trị vào từng ô."
                    + (" Chỉ đơn vị ở hàng đầu được gửi phiếu kết quả." if email_only else ""),
                    Severity.WARNING if email_only else Severity.ERROR,
                )
            )
    for row_no in sorted(sheet.hidden_rows):
        if _has(agency_rows, row_no):
            problems.append(
                Problem(
                    f"{sheet.name}!{row_no}:{row_no}",
                    f"Hàng {row_no} đang bị ẩn nhưng vẫn được tính điểm và xếp hạng; hiện hàng "
                    "(Unhide) để kiểm tra, hoặc xóa hàng nếu đơn vị này không được xếp hạng.",
                    Severity.WARNING,
                )
            )
    for column in sorted(sheet.hidden_columns):
        heading = columns.band.heading(column) if column <= last_column else None
        if column == columns.by_key.get(COL_EMAIL):
            continue  # hides nothing that is counted
        if not blank(heading):
            letter = column_letter(column)
            problems.append(
                Problem(
                    f"{sheet.name}!{letter}:{letter}",
                    f"Cột {letter} ({show(heading)}) đang bị ẩn nhưng vẫn được tính; hiện cột "
                    "(Unhide) để kiểm tra.",
                    Severity.WARNING,
                )
            )


def _last_column(reference: str) -> int | None:
    """The column of a range's last cell (`F9` -> 6); None for an empty reference."""
    letters = reference.rstrip("0123456789")
    return column_number(letters) if letters else None


def _row(reference: str) -> int | None:
    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return int(digits) if digits.isdigit() else None


def _has(rows: Sequence[int], row_no: int) -> bool:
    at = bisect.bisect_left(rows, row_no)
    return at < len(rows) and rows[at] == row_no
