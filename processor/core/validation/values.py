"""Reading one cell into a number, a whole number or text, and naming it in a message.

Every check reads cells the same way, so a formula without a cached value, an error value, a
percent format or a number typed as text is explained with the same words wherever it sits.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from processor.core.formatting import format_points
from processor.core.problems import Problem, Severity
from processor.core.sheet import ExcelError, Sheet, column_letter

NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
FORMULA_FIX = (
    "ô có công thức nhưng tệp không lưu kết quả tính (thường gặp khi tệp được lưu bằng chương "
    "trình khác Excel). Mở tệp bằng Excel, bấm Ctrl+Alt+F9 để tính lại rồi lưu, hoặc thay công "
    "thức bằng giá trị"
)


def cell_ref(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{column_letter(column)}{row}"


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: Any) -> str:
    """A cell's value as the secretary would recognise it in a message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"«{shown}»"
    if isinstance(value, datetime | date):
        return f"ngày {value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    number = as_number(value)
    return format_points(number) if number is not None else str(value)


def as_number(value: Any) -> Decimal | None:
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


def whole(value: Any) -> int | None:
    """A positive whole number typed as a number or as plain digits."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    number = as_number(value)
    if number is None or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


class Cells:
    """Reads one sheet's cells into numbers, saying what is wrong with a cell that is not one."""

    def __init__(self, sheet: Sheet, problems: list[Problem]):
        self.sheet = sheet
        self.problems = problems

    def ref(self, row: int, column: int) -> str:
        return cell_ref(self.sheet.name, row, column)

    def unusable(self, row: int, column: int, value: Any, what: str) -> bool:
        """True (with an error recorded) for a cell whose value cannot be trusted at all."""
        if (row, column) in self.sheet.formulas_without_value:
            self.problems.append(Problem(self.ref(row, column), f"{what}: {FORMULA_FIX}."))
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
            shown = as_number(value)
            percent = format_points(shown * 100) if shown is not None else "?"
            self.problems.append(
                Problem(
                    self.ref(row, column),
                    f"{what}: ô định dạng phần trăm (hiện {percent}%, giá trị thật là "
                    f"{format_points(shown) if shown is not None else show(value)}); bỏ định "
                    "dạng % (Định dạng ô > Số) và nhập số điểm.",
                )
            )
            return None
        number = as_number(value)
        if number is not None:
            return number
        if isinstance(value, str) and NUMBER_TEXT.match(value.strip()):
            number = Decimal(value.strip().replace(",", "."))
            self.problems.append(
                Problem(
                    self.ref(row, column),
                    f"{what}: số được gõ dưới dạng chữ {show(value)}; đã hiểu là "
                    f"{format_points(number)}. Nên nhập lại thành số để Excel cộng được.",
                    Severity.WARNING,
                )
            )
            return number
        self.problems.append(
            Problem(self.ref(row, column), f"{what} phải là số, đang ghi {show(value)}.")
        )
        return None
