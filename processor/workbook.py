"""Reading the council's workbook: cell values with their positions, nothing interpreted yet.

This is the edge where the file is touched; checking what the cells mean is validation.py's job.
The workbook is opened read-only and never written.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from processor.formatting import normalise
from processor.problems import InputError, Problem

SCORE_SHEET = "Điểm"
INFO_SHEET = "Thông tin"


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
    merged: tuple[str, ...] = ()  # merged ranges as written in the file, e.g. "B3:C4"
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()

    def value(self, row: int, column: int) -> Any:
        values = self.rows.get(row, ())
        return values[column - 1] if column <= len(values) else None


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    """The sheets the tool reads, by their canonical names, plus every sheet name seen."""

    path: Path
    sheet_names: tuple[str, ...]
    sheets: dict[str, Sheet]
    has_macros: bool = False  # an .xlsm: its macros are never run


def _require_defusedxml() -> None:
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise InputError(
            "Chương trình từ chối đọc bảng tính vì thiếu lớp bảo vệ XML.",
            [
                Problem(
                    "cài đặt",
                    "openpyxl không dùng defusedxml (chưa cài, hoặc biến môi trường "
                    "OPENPYXL_DEFUSEDXML khác True): cài lại bằng  pip install defusedxml  "
                    "rồi chạy lại.",
                )
            ],
        )


def read_workbook(path: Path) -> RawWorkbook:
    """Read the `Điểm` and `Thông tin` sheets' values (cached values, never formulas)."""
    _require_defusedxml()
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    label = path.name
    if not path.is_file():
        raise InputError(
            f"Không tìm thấy bảng tính {path}.", [Problem(label, "Tệp không tồn tại.")]
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"Không mở được bảng tính {path}.",
            [
                Problem(
                    label,
                    "Tệp không phải bảng tính Excel .xlsx hợp lệ (hoặc đã hỏng): mở bằng Excel "
                    f"và lưu lại dưới dạng .xlsx. Chi tiết: {type(exc).__name__}.",
                )
            ],
        ) from None
    try:
        wanted = {normalise(SCORE_SHEET): SCORE_SHEET, normalise(INFO_SHEET): INFO_SHEET}
        sheets: dict[str, Sheet] = {}
        for title in book.sheetnames:
            canonical = wanted.get(normalise(title))
            if canonical is None or canonical in sheets:
                continue
            worksheet = book[title]
            worksheet.reset_dimensions()  # trust the cells, not the size a program claimed
            rows = {}
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                values = tuple(values)
                while values and values[-1] is None:
                    values = values[:-1]
                if values:
                    rows[number] = values
            sheets[canonical] = Sheet(title, rows)
        return RawWorkbook(path=path, sheet_names=tuple(book.sheetnames), sheets=sheets)
    finally:
        book.close()
