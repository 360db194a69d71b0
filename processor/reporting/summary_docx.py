"""The summary's page and its building blocks, with python-docx: Decree 30 page, fonts, tables.

A4 portrait, margins 20/20/30/15 mm, Times New Roman everywhere (all four font slots, no theme
fonts), 14 pt body text justified with a 1,27 cm first-line indent and 6 pt after, page numbers
centred in the header from page 2 (Decree 30/2020, Phụ lục I). Tables have a fixed layout
(w:tblGrid plus cell widths, which LibreOffice needs) no wider than the text, a header row
repeated on every page (w:tblHeader), rows that never split across pages (w:cantSplit).

python-docx is imported inside the functions: the package is only loaded by `report`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
CAPTION_PT = 13
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_W_MM = PAGE_W_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
TEXT_H_MM = PAGE_H_MM - MARGINS_MM["top"] - MARGINS_MM["bottom"]  # 257
PICTURE_W_MM = float(TEXT_W_MM)  # a chart is printed across the text width
PICTURE_H_MM = 236.0  # leaves room for the caption on the same page
CELL_MARGIN_MM = 1.2
KEEP_TOGETHER = 10  # rows: a table this short is kept on one page

HEADING = "Summary Heading"
SUBHEADING = "Summary Subheading"
CAPTION = "Summary Caption"
TABLE_TEXT = "Summary Table"
PLAIN = "Summary Plain"  # centred, no indent, no spacing (the title, pictures)

LEFT, CENTER, RIGHT = "left", "center", "right"
MINUS = "\u2212"  # MINUS SIGN: Times New Roman has it (not U+2011), and no line breaks after it
_MINUS_BEFORE_DIGIT = re.compile(r"(^|[\s(])-(?=\d)")


def minus_signs(text: str) -> str:
    """A hyphen-minus that starts a number ("-0,5", "(-1", "xuống -2") as a minus sign, so the
    line never breaks between the sign and its number ("xuống -" / "0,5)")."""
    return _MINUS_BEFORE_DIGIT.sub(lambda found: found.group(1) + MINUS, text)


def created_on(year: int) -> datetime:
    """The documents' fixed creation time: 31/12 of the report's year (the same bytes every
    time the same report is written)."""
    return datetime(year, 12, 31)


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width_mm: float
    align: str = CENTER  # of the body cells; headings are always centred


@dataclass(frozen=True, slots=True)
class Grid:
    """A data table as text: what summary_tables builds and `add_grid` draws."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    strong: frozenset[int] = field(default_factory=frozenset)  # rows printed bold (the totals)


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _el(tag: str, **attrs: object) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _fonts(rpr: Any) -> None:
    """Times New Roman in all four w:rFonts slots (Vietnamese letters come from hAnsi)."""
    from docx.oxml.ns import qn

    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = _el("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), FONT)


def new_document(title: str, author: str, moment: datetime) -> Document:
    """An empty A4 document with the summary's styles and fixed properties."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    document = docx.Document()
    _styles(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True  # Decree 30: no number on page 1
    section.first_page_header.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    _page_number(section.header.paragraphs[0])
    props = document.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = props.modified = moment
    _drop_extras(document)
    return document


def _styles(document: Document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(_el("w:rFonts"))
    _fonts(rpr)
    rpr.append(_el("w:sz", val=BODY_PT * 2))
    rpr.append(_el("w:szCs", val=BODY_PT * 2))
    rpr.append(_el("w:lang", val="vi-VN", eastAsia="en-US", bidi="ar-SA"))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    ppr.append(_el("w:spacing", after=0, line=240, lineRule="auto"))

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    body = normal.paragraph_format
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.first_line_indent = Cm(1.27)
    body.space_before, body.space_after = Pt(0), Pt(6)
    body.line_spacing = 1.1

    def style(name: str, size: float, align: Any, before: float, after: float) -> Any:
        made = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        made.base_style = normal
        made.font.size = Pt(size)
        fmt = made.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Cm(0)
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.line_spacing = 1.0
        return made

    for level, name in enumerate((HEADING, SUBHEADING)):
        heading = style(name, BODY_PT, WD_ALIGN_PARAGRAPH.LEFT, 12 - 4 * level, 6)
        heading.font.bold = True
        heading.paragraph_format.keep_with_next = True
        heading.element.get_or_add_pPr().append(_el("w:outlineLvl", val=level))  # navigation
    caption = style(CAPTION, CAPTION_PT, WD_ALIGN_PARAGRAPH.CENTER, 6, 3)
    caption.font.bold = True
    caption.paragraph_format.keep_with_next = True
    style(TABLE_TEXT, TABLE_PT, WD_ALIGN_PARAGRAPH.CENTER, 1, 1)
    style(PLAIN, BODY_PT, WD_ALIGN_PARAGRAPH.CENTER, 0, 0)
    header = document.styles["Header"]
    header.font.size = Pt(BODY_PT)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for rfonts in list(styles.iter(qn("w:rFonts"))):
        _fonts(rfonts.getparent())


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field, centred in the header (Decree 30)."""

    def run_with(child: Any) -> None:
        paragraph.add_run()._r.append(child)

    run_with(_el("w:fldChar", fldCharType="begin"))
    instruction = _el("w:instrText")
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    run_with(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("2")
    run_with(_el("w:fldChar", fldCharType="end"))


def _drop_extras(document: Document) -> None:
    """The default template's thumbnail and Word 2010 style copy (theme fonts) are not needed."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    effects = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
    for rels, kinds in (
        (document.part.rels, (effects, RT.CUSTOM_XML)),
        (document.part.package.rels, (RT.THUMBNAIL,)),
    ):
        for rid, rel in list(rels.items()):
            if rel.reltype in kinds:
                del rels[rid]


def paragraph(
    document: Document,
    text: str = "",
    *,
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
) -> Paragraph:
    from docx.shared import Pt

    added = document.add_paragraph(style=style)
    if text:
        run = added.add_run(minus_signs(text))
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    return added


def drawn_line(document: Document, length_mm: float) -> None:
    """A short centred rule (a bottom border cut by indents), as under a Decree 30 title."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Mm, Pt

    line = paragraph(document, style=PLAIN)
    fmt = line.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((TEXT_W_MM - length_mm) / 2)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(4)
    fmt.space_after = Pt(12)
    borders = _el("w:pBdr")
    borders.append(_el("w:bottom", val="single", sz=6, space=1, color="auto"))
    ppr = line._p.get_or_add_pPr()
    ppr.insert(1 if ppr.find("{*}pStyle") is not None else 0, borders)


def add_grid(document: Document, grid: Grid) -> None:
    """The table: a single-line grid, bold centred header row repeated on every page."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    aligns = {
        LEFT: WD_ALIGN_PARAGRAPH.LEFT,
        CENTER: WD_ALIGN_PARAGRAPH.CENTER,
        RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
    }
    widths = [column.width_mm for column in grid.columns]
    if sum(widths) > TEXT_W_MM + 0.01:
        raise ValueError(f"table wider than the text: {sum(widths)} mm")
    together = len(grid.rows) <= KEEP_TOGETHER
    table = document.add_table(rows=1 + len(grid.rows), cols=len(widths))
    _table_properties(table, widths)
    lines: list[tuple[tuple[str, ...], bool, Sequence[str]]] = [
        (tuple(c.heading for c in grid.columns), True, [CENTER] * len(widths))
    ]
    lines += [
        (row, n in grid.strong, [c.align for c in grid.columns]) for n, row in enumerate(grid.rows)
    ]
    for number, (row, (texts, bold, row_aligns)) in enumerate(zip(table.rows, lines, strict=True)):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(_el("w:cantSplit"))
        if number == 0:
            trpr.append(_el("w:tblHeader"))
        for cell, text, width, align in zip(row.cells, texts, widths, row_aligns, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            inside = cell.paragraphs[0]
            inside.style = TABLE_TEXT
            inside.paragraph_format.alignment = aligns[align]
            run = inside.add_run(minus_signs(text))
            if bold:
                run.bold = True
            if together and number < len(lines) - 1:
                inside.paragraph_format.keep_with_next = True


def _table_properties(table: Any, widths_mm: Sequence[float]) -> None:
    """w:tblPr rebuilt in schema order: width, borders, fixed layout, cell margins; w:tblGrid."""
    from docx.oxml.ns import qn

    edges = [twips(sum(widths_mm[:n])) for n in range(len(widths_mm) + 1)]
    widths = [right - left for left, right in pairwise(edges)]  # the sum is exact
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    tbl_pr.append(_el("w:tblW", w=sum(widths), type="dxa"))
    tbl_pr.append(_el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz=4, space=0, color="auto"))
    tbl_pr.append(borders)
    tbl_pr.append(_el("w:tblLayout", type="fixed"))
    margins = _el("w:tblCellMar")
    for side, width in (("top", 0), ("left", CELL_MARGIN_MM), ("bottom", 0)):
        margins.append(_el(f"w:{side}", w=twips(width), type="dxa"))
    margins.append(_el("w:right", w=twips(CELL_MARGIN_MM), type="dxa"))
    tbl_pr.append(margins)
    tbl_pr.append(_el("w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0,
                      lastColumn=0, noHBand=1, noVBand=1))  # fmt: skip
    grid = table._tbl.tblGrid
    for column in grid.findall(qn("w:gridCol")):
        grid.remove(column)
    for width in widths:
        grid.append(_el("w:gridCol", w=width))


def add_picture(document: Document, png: bytes, caption: str) -> None:
    """The image centred across the text width (narrower only when it would be taller than a
    page allows), its caption under."""
    from docx.image.image import Image
    from docx.shared import Mm

    image = Image.from_blob(png)
    ratio = image.px_height / image.px_width if image.px_width else 1
    width = min(PICTURE_W_MM, PICTURE_H_MM / ratio) if ratio else PICTURE_W_MM
    holder = paragraph(document, style=PLAIN)
    holder.paragraph_format.keep_with_next = True
    holder.paragraph_format.space_before = Mm(2)
    holder.add_run().add_picture(io.BytesIO(png), width=Mm(width))
    below = paragraph(document, caption, style=CAPTION, italic=True)
    below.runs[0].bold = False
    below.paragraph_format.keep_with_next = False
    below.paragraph_format.space_after = Mm(3)


def document_bytes(document: Document) -> bytes:
    """The package with fixed zip entry times: the same report gives the same bytes."""
    from processor.writing.files import canonical_zip

    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue())
