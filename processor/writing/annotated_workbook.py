"""A marked copy of a refused workbook: the problem cells coloured and commented, and a first
sheet listing every problem with a link to its cell.

A list of cell references is hard to follow in a sheet of 30 columns; the copy puts each message
on its cell. The original is only ever read: first by the tool's own reader
(processor/reading/workbook.py), so a file it refuses (a zip bomb, a forged part, a .xls) never
reaches openpyxl, then as bytes that openpyxl loads from memory. The copy is rebuilt by
openpyxl, which drops what it does not model (shapes, text boxes, some images and charts, data
validation and conditional formatting extensions, slicers) and writes formulas without their
last results (Excel recalculates them on opening): the list sheet therefore asks the secretary
to fix the original. Marking a copy that was marked before first takes the earlier marks off,
so a cell fixed since is not shown red again.

openpyxl is imported inside the functions only: `check` must not load it.
"""

from __future__ import annotations

import copy
import io
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

from processor.core.formatting import normalise
from processor.core.places import cell_of, link_location, sheet_of
from processor.core.problems import InputError, Problem, Severity
from processor.core.report import label
from processor.writing.files import write_atomic
from processor.writing.openpyxl_cells import set_value

SUFFIX = ".danh-dau-loi"
AUTHOR = "Chương trình xếp hạng"
LIST_SHEET = "Danh sách lỗi"
TITLE = "DANH SÁCH LỖI CỦA BẢNG TÍNH"  # the start of the list sheet's A1, to know it again
ERROR_FILL = "FFB3B3"  # light red: black text stays readable, on paper too
WARNING_FILL = "FFE699"  # light yellow
LINK_COLOUR = "0563C1"  # Excel's own hyperlink blue
HEADINGS = ("STT", "Mức", "Ô cần sửa", "Đơn vị", "Nội dung")
WIDTHS = (6, 10, 18, 28, 72)  # in characters, as Excel counts column width
HEADING_ROW = 6
COMMENT_WIDTH = 340  # pixels
MAX_XML = 32 * 1024 * 1024
"""Bytes of XML a workbook may unpack to and still be copied: openpyxl holds every cell in
memory (about 0.8 KB each), so this is some 25,000 agencies of 30 criteria, 700 MB and 10 s;
a province has a few hundred. Above it no copy is made; the report still lists every problem."""
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML (and openpyxl) refuses


def annotated_name(original_name: str) -> str:
    """`bang-diem.xlsx` -> `bang-diem.danh-dau-loi.xlsx` (a marked copy is not marked twice)."""
    stem = PurePath(original_name).stem.removesuffix(SUFFIX) or "bang-tinh"
    return f"{stem}{SUFFIX}.xlsx"


def annotate(original: Path, problems: Sequence[Problem], target: Path) -> bool:
    """Write the marked copy of `original` to `target`; False (nothing written) when the file
    cannot be opened as a workbook. `original` is never written to.

    An OSError while writing `target` is raised as write_atomic words it.
    """
    if target.resolve() == original.resolve():
        raise ValueError(f"Bản đánh dấu không được ghi đè bảng tính gốc {original}.")
    data = _guarded_bytes(original)
    book = _load(data) if data is not None else None
    if book is None:
        return False
    _forget_earlier_marks(book)
    locations = _mark_cells(book, problems)
    _list_sheet(book, original.name, problems, locations)
    out = io.BytesIO()
    try:
        book.save(out)
    except Exception:  # openpyxl cannot write back what it read: no copy rather than a broken one
        return False
    write_atomic(target, out.getvalue())
    return True


def _openpyxl() -> Any:
    """openpyxl with the parts used here, imported on first use (`check` must not load it)."""
    import openpyxl  # type: ignore[import-untyped]
    import openpyxl.comments  # type: ignore[import-untyped]
    import openpyxl.styles  # type: ignore[import-untyped]
    import openpyxl.utils  # type: ignore[import-untyped]
    import openpyxl.worksheet.hyperlink  # type: ignore[import-untyped]

    return openpyxl


def _guarded_bytes(original: Path) -> bytes | None:
    """The file's bytes, once the tool's own reader has read it (every kind of file it refuses,
    every zip and XML limit) and its XML is small enough for openpyxl to hold."""
    from processor.reading.workbook import read_workbook

    try:
        read_workbook(original)
        data = original.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(
                p.file_size for p in archive.infolist() if p.filename.lower().endswith(".xml")
            )
    except (InputError, OSError, zipfile.BadZipFile):
        return None
    return data if unpacked <= MAX_XML else None


def _load(data: bytes) -> Any | None:
    """The workbook as openpyxl reads it (formulas kept, not their results); None if it cannot."""
    try:
        xl = _openpyxl()
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension is not supported and will be removed"
            return xl.load_workbook(io.BytesIO(data), rich_text=True)
    except Exception:  # a damaged or unusual package: openpyxl has no single error for it
        return None


def _forget_earlier_marks(book: Any) -> None:
    """Take off the list sheet, fills and comment parts a previous marking left."""
    for sheet in list(book.worksheets):
        if sheet.title.startswith(LIST_SHEET) and str(sheet["A1"].value or "").startswith(TITLE):
            book.remove(sheet)
    ours = {ERROR_FILL, WARNING_FILL}
    for sheet in book.worksheets:
        for cell in list(sheet._cells.values()):
            comment = cell.comment
            if comment is None or f"{AUTHOR}:\n" not in comment.text:
                continue
            kept = comment.text.split(f"{AUTHOR}:\n", 1)[0].rstrip()
            cell.comment = _comment(kept, comment.author) if kept else None
            colour = str(cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type else ""
            if colour in ours:
                cell.fill = _openpyxl().styles.PatternFill(fill_type=None)


def _mark_cells(book: Any, problems: Sequence[Problem]) -> list[str | None]:
    """Fill and comment each problem's cell; the link location of each problem, or None."""
    fill = _openpyxl().styles.PatternFill
    locations: list[str | None] = []
    notes: dict[tuple[str, str], list[str]] = {}
    worst: dict[tuple[str, str], Severity] = {}
    for number, problem in enumerate(problems, start=1):
        found = cell_of(problem.place)
        sheet = _sheet(book, found[0] if found else sheet_of(problem.place))
        if sheet is None:
            locations.append(None)
            continue
        if found is None:  # a part of the sheet named in words: link to the sheet itself
            locations.append(link_location(sheet.title, "A1"))
            continue
        cell = _top_left(sheet, found[1])
        key = (sheet.title, cell.coordinate)
        locations.append(link_location(*key))
        shown = f" (ô {found[1]})" if found[1] != cell.coordinate else ""
        notes.setdefault(key, []).append(f"[{number}] {label(problem)}{shown}: {problem.message}")
        if worst.get(key) is not Severity.ERROR:
            worst[key] = problem.severity
    for (title, coordinate), lines in notes.items():
        cell = book[title][coordinate]
        _show(book[title], cell)
        colour = ERROR_FILL if worst[(title, coordinate)] is Severity.ERROR else WARNING_FILL
        cell.fill = fill(fill_type="solid", fgColor=colour, bgColor=colour)
        if _light(cell.font):  # white text on a dark heading would vanish on the light fill
            font = copy.copy(cell.font)
            font.color = "FF000000"
            cell.font = font
        ours = f"{AUTHOR}:\n" + "\n\n".join(lines)
        before = cell.comment
        if before is not None and before.text.strip():
            cell.comment = _comment(f"{before.text.rstrip()}\n\n{ours}", before.author or AUTHOR)
        else:
            cell.comment = _comment(ours, AUTHOR)
    return locations


def _sheet(book: Any, name: str | None) -> Any | None:
    """The sheet of that name, or of that name as the reader matches names; None if absent."""
    if name is None:
        return None
    if name in book.sheetnames:
        return book[name]
    wanted = normalise(name)
    return next((s for s in book.worksheets if normalise(s.title) == wanted), None)


def _top_left(sheet: Any, coordinate: str) -> Any:
    """The cell, or the first cell of the merged range it is hidden under."""
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return sheet.cell(merged.min_row, merged.min_col)
    return sheet[coordinate]


def _show(sheet: Any, cell: Any) -> None:
    """Unhide the row and column of a marked cell, so its link lands on something visible."""
    sheet.row_dimensions[cell.row].hidden = False
    for columns in sheet.column_dimensions.values():
        if columns.hidden and (columns.min or 0) <= cell.column <= (columns.max or 0):
            columns.hidden = False


def _light(font: Any) -> bool:
    """True for a font coloured white or nearly (an RGB colour, or the theme's light 1 and 2)."""
    colour = font.color if font is not None else None
    if colour is None:
        return False
    if colour.type == "theme":
        return colour.theme in (0, 2) and (colour.tint or 0) > -0.4
    if colour.type != "rgb" or not isinstance(colour.rgb, str) or len(colour.rgb) < 6:
        return False
    red, green, blue = (int(colour.rgb[-6:][i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue > 190


def _comment(text: str, author: str) -> Any:
    """A comment box wide enough for its text and tall enough for every line of it."""
    text = _clean(text)
    per_line = COMMENT_WIDTH // 6
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))
    height = min(max(60, lines * 15 + 16), 900)
    return _openpyxl().comments.Comment(text, author, height=height, width=COMMENT_WIDTH)


def _clean(text: str) -> str:
    return _ILLEGAL.sub(" ", text)


def _list_sheet(
    book: Any, original: str, problems: Sequence[Problem], locations: Sequence[str | None]
) -> None:
    """The first sheet, made active: what this copy is, what to do, then one row per problem."""
    xl = _openpyxl()
    styles = xl.styles
    face = getattr(book._fonts[0], "name", None) if book._fonts else None  # the default font
    sheet = book.create_sheet(_free_title(book), 0)
    for other in book.worksheets[1:]:
        other.sheet_view.tabSelected = False  # two selected tabs would group-edit the sheets
    book.active = 0
    sheet.sheet_view.tabSelected = True
    if book.views:
        book.views[0].firstSheet = 0
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warned = len(problems) - errors
    intro = (
        f"{TITLE} «{original}»",
        f"Đây là bản sao do chương trình lập để chỉ chỗ cần sửa; bảng tính gốc «{original}» "
        "được giữ nguyên, không bị sửa. Trong bản sao, ô có lỗi được tô đỏ, ô cần xem lại tô "
        "vàng, và mỗi ô có ghi chú nói rõ điều cần sửa (đưa chuột vào ô có dấu tam giác đỏ ở "
        "góc để đọc).",
        f"Cách làm: mở bảng tính GỐC «{original}» (không phải bản sao này), sửa từng ô theo "
        "danh sách dưới đây, lưu lại rồi gửi lại bảng tính gốc. Bấm vào ô ở cột «Ô cần sửa» để "
        "xem ô đó trong bản sao. Bản sao có thể thiếu hình vẽ, biểu đồ của bảng gốc; chỉ khi "
        "không còn bảng gốc mới sửa ngay trên bản sao, lưu bằng Excel rồi gửi (sheet này, màu "
        "và ghi chú không làm sai việc đọc điểm).",
        _counts(errors, warned),
    )
    for row, text in enumerate(intro, start=1):
        cell = sheet.cell(row, 1)
        _text(cell, text)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADINGS))
        cell.alignment = styles.Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = _height(text, sum(WIDTHS), 16 if row == 1 else 11)
    sheet["A1"].font = styles.Font(name=face, bold=True, size=14)
    sheet["A3"].font = styles.Font(name=face, bold=True)
    for column, (heading, width) in enumerate(zip(HEADINGS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(HEADING_ROW, column)
        _text(cell, heading)
        cell.font = styles.Font(name=face, bold=True)
        cell.fill = styles.PatternFill(fill_type="solid", fgColor="D9D9D9", bgColor="D9D9D9")
        cell.alignment = styles.Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[xl.utils.get_column_letter(column)].width = width
    thin = styles.Side(style="thin", color="808080")
    border = styles.Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = styles.Alignment(wrap_text=True, vertical="top")
    for number, (problem, location) in enumerate(zip(problems, locations, strict=True), start=1):
        row = HEADING_ROW + number
        values = (number, label(problem), problem.place, problem.agency or "", problem.message)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column)
            if isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
            cell.alignment = wrap
            cell.border = border
        colour = ERROR_FILL if problem.severity is Severity.ERROR else WARNING_FILL
        sheet.cell(row, 2).fill = styles.PatternFill(
            fill_type="solid", fgColor=colour, bgColor=colour
        )
        if location is not None:
            place = sheet.cell(row, 3)
            place.hyperlink = xl.worksheet.hyperlink.Hyperlink(
                ref=place.coordinate, location=location, tooltip="Đến ô này"
            )
            place.font = styles.Font(name=face, color=LINK_COLOUR, underline="single")
        sheet.row_dimensions[row].height = max(
            _height(str(v), w) for v, w in zip(values, WIDTHS, strict=True)
        )
    for cell in sheet[HEADING_ROW]:
        cell.border = border
    last = HEADING_ROW + len(problems)
    sheet.freeze_panes = sheet.cell(HEADING_ROW + 1, 1)
    if problems:
        sheet.auto_filter.ref = f"A{HEADING_ROW}:E{last}"
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _counts(errors: int, warned: int) -> str:
    if errors and warned:
        return (
            f"Có {errors} lỗi phải sửa thì mới lập được quyết định, và {warned} cảnh báo cần "
            "xem lại (sửa nếu đúng là nhầm)."
        )
    if errors:
        return f"Có {errors} lỗi phải sửa thì mới lập được quyết định."
    return f"Không có lỗi; có {warned} cảnh báo cần xem lại (sửa nếu đúng là nhầm)."


def _free_title(book: Any) -> str:
    """`Danh sách lỗi`, or `Danh sách lỗi (2)` when the workbook has a sheet of that name."""
    taken = {normalise(name) for name in book.sheetnames}
    title, number = LIST_SHEET, 1
    while normalise(title) in taken:
        number += 1
        title = f"{LIST_SHEET} ({number})"
    return title


def _text(cell: Any, value: str) -> None:
    """Text stays text: a name starting with `=` is never turned into a formula."""
    set_value(cell, _clean(value))


def _height(text: str, width: int, size: int = 11) -> float:
    """Points for a row whose wrapped text fills a column `width` characters wide."""
    per_line = max(1, int(width * 1.15))
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))
    return round(lines * size * 1.4 + 4, 1)
