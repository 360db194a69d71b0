"""Which cell a problem's place names, so a marked copy of the workbook can point at it.

Places are written for people, in the shapes the checks use (processor/core/validation):
a cell `Điểm!F12`, merged cells `Điểm!C2:C3`, a row `Điểm!3:3` or rows `Điểm!1:2`, a column
`Điểm!F:F`, a column named in words `Thông tin (cột A)`, a part of a sheet named in words
`Điểm (hàng tiêu đề)`, a sheet that is missing `Điểm`, the workbook's file name, or a setting
`quy-tac.toml: grades[2]`. A range, a row or a column stands for its first cell; a place that
names no cell gives None. Pure: the marked copy (processor/writing/annotated_workbook.py) and
the tests read places through here, so a new shape of place is handled in one module.
"""

from __future__ import annotations

import re

from processor.core.sheet import EXCEL_MAX_ROW, column_letter, column_number

_COLUMN = r"\$?(?P<{0}>[A-Za-z]{{1,3}})"
_ROW = r"\$?(?P<{0}>[0-9]{{1,7}})"
_CELL = _COLUMN.format("c1") + _ROW.format("r1")
_CELL_2 = _COLUMN.format("c2") + _ROW.format("r2")
_REFERENCES = (
    re.compile(rf"^{_CELL}(?::{_CELL_2})?$"),  # F12, C2:C3
    re.compile(rf"^{_ROW.format('r1')}:{_ROW.format('r2')}$"),  # 3:3, 1:2
    re.compile(rf"^{_COLUMN.format('c1')}:{_COLUMN.format('c2')}$"),  # F:F
)
_IN_WORDS = re.compile(r"^(?P<sheet>.+?) \((?P<part>[^()]*)\)$")  # Điểm (hàng tiêu đề)
_COLUMN_IN_WORDS = re.compile(r"^cột (?P<c1>[A-Za-z]{1,3})$")  # cột A


def cell_of(place: str) -> tuple[str, str] | None:
    """("Điểm", "F12") for "Điểm!F12"; the first cell of a range, row or column; else None."""
    sheet, mark, reference = place.rpartition("!")
    if mark:
        name = sheet_name(sheet)
        cell = _first_cell(reference)
        return (name, cell) if name and cell else None
    words = _IN_WORDS.match(place)
    if words is not None and (column := _COLUMN_IN_WORDS.match(words["part"])) is not None:
        cell = _cell(column["c1"], "1")
        return (words["sheet"], cell) if cell else None
    return None


def sheet_of(place: str) -> str | None:
    """The sheet a place is in, when it names one ("Điểm (hàng tiêu đề)" -> "Điểm").

    A bare name ("Điểm" for a missing sheet, or a file name) gives None: it cannot be told
    from a file name, and a caller must still check that the sheet exists.
    """
    found = cell_of(place)
    if found is not None:
        return found[0]
    words = _IN_WORDS.match(place)
    return words["sheet"] if words is not None else None


def sheet_name(written: str) -> str:
    """A sheet name as written before `!`: `'Bảng 1'` and `'It''s'` lose their quotes."""
    if len(written) >= 2 and written[0] == written[-1] == "'":
        return written[1:-1].replace("''", "'")
    return written


def link_location(sheet: str, cell: str) -> str:
    """The in-workbook hyperlink location `'Điểm'!F12`; the name always quoted, `'` doubled."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell)


def _first_cell(reference: str) -> str | None:
    """F12 -> F12; C3:C2 -> C2; 3:5 -> A3; F:H -> F1; anything else -> None."""
    for pattern in _REFERENCES:
        found = pattern.match(reference)
        if found is None:
            continue
        parts = found.groupdict()
        rows = [int(parts[k]) for k in ("r1", "r2") if parts.get(k)]
        columns = [column_number(parts[k]) for k in ("c1", "c2") if parts.get(k)]
        if any(c is None for c in columns) or any(not 1 <= r <= EXCEL_MAX_ROW for r in rows):
            return None
        column = min(c for c in columns if c is not None) if columns else 1
        return f"{column_letter(column)}{min(rows) if rows else 1}"
    return None


def _cell(letters: str, digits: str) -> str | None:
    column = column_number(letters)
    row = int(digits)
    if column is None or not 1 <= row <= EXCEL_MAX_ROW:
        return None
    return f"{column_letter(column)}{row}"
