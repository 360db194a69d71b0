"""What the reader hands the checks: each sheet's values by position, and what explains a cell.

This is the contract between the file adapter (processor/reading) and the pure checks
(processor/core/validation): plain data, no file in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCORE_SHEET = "Điểm"
INFO_SHEET = "Thông tin"

EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384  # column XFD


class ExcelError(str):
    """An error value a formula left in a cell (`#DIV/0!`, `#N/A`, …), kept as its text."""

    __slots__ = ()


Position = tuple[int, int]  # (row, column), both 1-based as Excel counts them


@dataclass(frozen=True, slots=True)
class Sheet:
    """What one sheet holds, with enough about each cell to explain a problem in it.

    `rows` maps a row number to its values from column A (`values[c - 1]` is column c), for
    rows holding at least one value, in ascending order; trailing empty cells are dropped.
    Values are None, str, int, float, bool, datetime or ExcelError; a formula cell holds its
    cached value (None when the file has none: see `formulas_without_value`).
    """

    name: str
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    percent_cells: frozenset[Position] = frozenset()  # numbers shown with a % format
    formulas_without_value: frozenset[Position] = frozenset()
    # the formula of each of those cells as written, without "=" (enough to recognise a sum)
    formula_texts: Mapping[Position, str] = field(default_factory=dict)
    merged: tuple[str, ...] = ()  # merged ranges as written in the file, e.g. "B3:C4"
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()

    def value(self, row: int, column: int) -> Any:
        values = self.rows.get(row, ())
        return values[column - 1] if column <= len(values) else None


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    """The sheets the tool reads, by their canonical names, plus every sheet name seen."""

    file_name: str  # the workbook's file name, to name it in a message
    sheet_names: tuple[str, ...]
    sheets: dict[str, Sheet]
    has_macros: bool = False  # an .xlsm: its macros are never run
    warnings: tuple[str, ...] = ()  # what the reader put right to read the file, in Vietnamese


def column_letter(column: int) -> str:
    """1 -> A, 27 -> AA (as Excel names columns)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int | None:
    """'A' -> 1, 'XFD' -> 16384; None for anything that is not one of Excel's columns."""
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z" or number > EXCEL_MAX_COLUMN:
            return None
        number = number * 26 + ord(letter) - 64
    return number if 1 <= number <= EXCEL_MAX_COLUMN else None


def cell_name(row: int, column: int) -> str:
    """(12, 6) -> F12."""
    return f"{column_letter(column)}{row}"
