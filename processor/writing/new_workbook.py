"""Next year's score workbook, made by the tool: the sheets and columns the reader expects.

The council fills in a workbook the tool made rather than one it laid out itself, so the
headings are always right and Excel refuses most slips as they are typed (the `Điểm` sheet:
new_workbook_scores.py). Beside it: `Thông tin` with the year filled in and every key the reader
expects, `Sáp nhập - đổi tên` with the successions already applied to the list (so the decision
knows them even when the profile does not), and the `Hướng dẫn` sheet (its words:
new_workbook_guide.py). Same rules, year and rows, same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from processor.core.model import Rules
from processor.core.past import Succession
from processor.core.sheet import INFO_SHEET, SCORE_SHEET, column_letter
from processor.writing.files import canonical_zip
from processor.writing.new_workbook_guide import (
    CROSSWALK_HEADINGS,
    CROSSWALK_SHEET,
    GUIDE_SHEET,
    guide_rows,
    info_rows,
)
from processor.writing.new_workbook_scores import (
    AUTHOR,
    HEADER_FILL,
    Row,
    ScoreSheet,
    apply,
    fit_to_width,
    put,
    style,
)


def new_workbook(
    rules: Rules,
    year: int,
    agencies: Sequence[Row],
    *,
    source: str = "",
    successions: Sequence[Succession] = (),
    emails: Mapping[str, str] | None = None,
) -> bytes:
    """The .xlsx bytes: sheets `Điểm`, `Thông tin`, `Sáp nhập - đổi tên` and `Hướng dẫn`.

    Every row's group must be one of the rules' groups (ValueError otherwise: the caller says
    so in Vietnamese first). `source` says where the agencies came from, `successions` the
    renames and mergers applied to last year's list. `emails` maps an agency's key
    (past.agency_key of its name) to last year's `Email` cell: when there is any, the sheet
    keeps the optional `Email` column, filled in.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

    unknown = sorted({a.group for a in agencies} - {g.code for g in rules.groups})
    if unknown:
        raise ValueError(f"groups not in the rules: {unknown}")
    previous = year - 1  # the year of the prior ranks
    book = Workbook()
    scores = book.active
    scores.title = SCORE_SHEET
    ScoreSheet(rules, year, scores, previous, emails).fill(agencies)
    _info_sheet(book.create_sheet(INFO_SHEET), rules, year)
    _crosswalk_sheet(book.create_sheet(CROSSWALK_SHEET), successions)
    _guide_sheet(book.create_sheet(GUIDE_SHEET), rules, year, source, previous, bool(emails))
    book.active = 0
    stamp = datetime(year, 10, 1)  # the quarter the workbook goes out; never the clock
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = book.properties.lastModifiedBy = AUTHOR
    book.properties.title = f"Bảng điểm năm {year}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return canonical_zip(buffer.getvalue())


def _info_sheet(sheet: Any, rules: Rules, year: int) -> None:
    """`Thông tin`: the keys the reader expects, the year filled in, a hint beside each."""
    header = style(bold=True, fill=HEADER_FILL, align="center")
    for column, text in enumerate(("Thông tin", "Giá trị", "Ghi chú"), start=1):
        apply(put(sheet, 1, column, text), header)
    for row_no, (key, value, hint, is_date) in enumerate(info_rows(rules, year), start=2):
        apply(put(sheet, row_no, 1, key), style(bold=True))
        cell = put(sheet, row_no, 2, value)
        apply(cell, style(wrap=True, align="left"))
        if is_date:
            cell.number_format = "dd/mm/yyyy"
        apply(put(sheet, row_no, 3, hint), style(wrap=True))
    for letter, width in (("A", 34), ("B", 30), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    fit_to_width(sheet, "landscape")


def _crosswalk_sheet(sheet: Any, successions: Sequence[Succession]) -> None:
    """`Sáp nhập - đổi tên`: one row per old name; the secretary adds this year's own."""
    header = style(bold=True, fill=HEADER_FILL, align="center")
    for column, text in enumerate(CROSSWALK_HEADINGS, start=1):
        apply(put(sheet, 1, column, text), header)
    row_no = 2
    for succession in successions:
        for old in succession.old_names:
            for column, value in enumerate((old, succession.new_name, succession.year), start=1):
                apply(put(sheet, row_no, column, value), style(wrap=column < 3))
            row_no += 1
    for letter, width in (("A", 45), ("B", 45), ("C", 10)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    fit_to_width(sheet, "landscape")


def _guide_sheet(
    sheet: Any, rules: Rules, year: int, source: str, previous: int, email: bool = False
) -> None:
    """`Hướng dẫn`: what each column means, how to type scores and send the workbook."""
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 90
    for index in range(len(rules.groups)):
        sheet.column_dimensions[column_letter(3 + index)].width = 12
    for row_no, (cells, kind) in enumerate(
        guide_rows(rules, year, source, previous, email), start=1
    ):
        for column, text in enumerate(cells, start=1):
            cell = put(sheet, row_no, column, text)
            cell.font = Font(
                name="Times New Roman", size=14 if kind == "title" else 12, bold=kind != "text"
            )
            cell.alignment = Alignment(wrap_text=kind in ("text", "row"), vertical="top")
        if kind in ("text", "row"):
            lines = -(-len(cells[1]) // 95)  # about 95 characters a line in column B
            sheet.row_dimensions[row_no].height = 16 * max(1, lines) + 2
    fit_to_width(sheet, "portrait")
