"""Build the Word template of the Chairman's IT-ranking decision (Quyết định xếp hạng CNTT).

The template is generated rather than edited by hand so that every layout choice (Decree
30/2020 page, fonts, header table, drawn lines, signature block, appendix section, results
table) is readable and reviewable here, and so that the .docx never drifts from its source.

Run ``python templates/build_template.py`` (optionally ``--out PATH``). The output is
deterministic: the same script always writes byte-identical XML parts (fixed core properties,
fixed zip timestamps), so a rebuilt template shows no spurious diff.

Jinja tags (docxtpl) used in the template: ``{{ … }}`` for values, ``{%p … %}`` for paragraph
loops (the tag's paragraph is dropped) and ``{%tr … %}`` for table-row loops (the tag's row is
dropped). Each tag is written in a single run so that docxtpl sees it whole.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from processor.writing.files import canonical_zip

DEFAULT_OUT = Path(__file__).resolve().parent / "lao-cai-2020" / "quyet-dinh.docx"
# Word 2010's copy of the styles; it still names the theme fonts, so it is dropped.
RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

FONT = "Times New Roman"
AUTHOR = "Sở Thông tin và Truyền thông"
TITLE = "Quyết định phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT"
# Fixed dates keep docProps/core.xml and the zip entries identical from build to build.
FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
ZIP_TIME = (2021, 1, 1, 0, 0, 0)

# Decree 30/2020, Phụ lục I: A4 portrait, margins T20 B20 L30 R15 mm (nd30-format.md §6).
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
HEADER_DISTANCE_MM = 10
TEXT_WIDTH_MM = PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165 mm

# Header table: the right column must hold "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (13 pt bold)
# on one line; it is allowed to reach a little into the left margin, as real templates do.
HEADER_COLS_MM = (62, 103)
HEADER_INDENT_MM = -2
# Signature block: Nơi nhận | chức vụ, chữ ký, họ tên (about 45 % / 55 %).
SIGNATURE_COLS_MM = (74, 91)
# Appendix results table: TT | Tên đơn vị | Xếp hạng năm trước | Tổng điểm | Xếp hạng | Xếp loại;
# "Xếp loại" is wide enough for "Trung bình" on one line at 13 pt.
RESULT_COLS_MM = (11, 67, 22, 21, 19, 25)

# Lengths of the drawn lines (empty paragraphs with a bottom border).
LINE_AGENCY_MM = 24  # about half of "ỦY BAN NHÂN DÂN"
LINE_MOTTO_MM = 60  # as long as "Độc lập - Tự do - Hạnh phúc" at 14 pt bold
LINE_SUMMARY_MM = 55  # about a third of the text width
LINE_APPENDIX_MM = 40  # the short rule under "(Kèm theo Quyết định …)"

BODY_PT = 14
AGENCY_PT = 13
TABLE_PT = 13
RECIPIENT_LABEL_PT = 12
RECIPIENT_PT = 11

# Style names are ASCII on purpose: python-docx derives the style ID from the name.
STYLE_CENTERED = "Centered"
STYLE_LINE = "Drawn Line"
STYLE_TABLE = "Table Text"
STYLE_RECIPIENTS = "Recipients"
# Styles kept from python-docx's default template; the ~160 others are pruned (less noise).
KEPT_DEFAULT_STYLES = ("Normal", "Header", "HeaderChar", "DefaultParagraphFont")
KEPT_DEFAULT_STYLES += ("TableNormal", "NoList")

# Schema order of w:pPr children that may follow w:pBdr (ECMA-376 CT_PPrBase).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
# Schema order of w:sectPr children that may follow w:pgNumType.
_AFTER_PGNUMTYPE = (
    "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)  # fmt: skip


# --------------------------------------------------------------------------- small helpers


def twips(mm: float) -> int:
    """Millimetres to twentieths of a point, the unit of widths in table XML."""
    return round(mm * 1440 / 25.4)


def _el(tag: str, **attrs: str | int) -> etree._Element:
    """Make a WordprocessingML element; attribute names are given without the ``w:`` prefix."""
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def set_fonts(rpr: etree._Element, font: str = FONT) -> None:
    """Put ``font`` in all four w:rFonts slots and drop theme fonts.

    Vietnamese letters with diacritics are drawn from the hAnsi slot, and a theme attribute
    (``w:asciiTheme`` …) would override an explicit name, so every slot is set explicitly.
    """
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = _el("w:rFonts")
        rstyle = rpr.find(qn("w:rStyle"))
        rpr.insert(0 if rstyle is None else 1, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), font)


def add_run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    subscript: bool = False,
) -> None:
    """Append one run; a Jinja tag must sit whole in one run for docxtpl to find it."""
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size is not None:
        run.font.size = Pt(size)
    if subscript:
        run.font.subscript = True


def new_paragraph(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    before: float | None = None,
    after: float | None = None,
) -> Paragraph:
    """Add a paragraph to the document or a cell (a fresh cell's own empty paragraph is reused)."""
    paragraph = None
    if isinstance(container, _Cell):
        only = container.paragraphs
        if len(only) == 1 and only[0]._p.pPr is None and not only[0].runs:
            paragraph = only[0]
    if paragraph is None:
        paragraph = container.add_paragraph()
    if style is not None:
        paragraph.style = style
    if text:
        add_run(paragraph, text, bold=bold, italic=italic, size=size)
    fmt = paragraph.paragraph_format
    if align is not None:
        fmt.alignment = align
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    return paragraph


def drawn_line(container: DocxDocument | _Cell, length_mm: float, box_mm: float) -> Paragraph:
    """Draw a centred horizontal line of ``length_mm`` inside a box ``box_mm`` wide.

    Decree 30 wants drawn lines, not underlined text or "____". The line is an empty paragraph
    with a bottom border; equal left/right indents, computed from the width of the box it sits
    in (the cell, or the text width), cut the border to length.
    """
    paragraph = new_paragraph(container, style=STYLE_LINE)
    side = Mm((box_mm - length_mm) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    border = _el("w:pBdr")
    border.append(_el("w:bottom", val="single", sz=6, space=1, color="auto"))
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)
    return paragraph


def jinja_paragraph(container: DocxDocument | _Cell, tag: str) -> Paragraph:
    """A paragraph holding only a ``{%p … %}`` tag; docxtpl removes the whole paragraph."""
    return new_paragraph(container, tag, style=STYLE_CENTERED)


# --------------------------------------------------------------------------- tables


def _table_properties(
    table: Table,
    widths_mm: Iterable[float],
    *,
    grid: bool,
    indent_mm: float,
    cell_mar: dict[str, float],
) -> None:
    """Rewrite w:tblPr in schema order with a fixed layout and the given borders.

    A new python-docx table already has w:tblW (auto) and w:tblLook; appending to it would
    give out-of-order XML, so the properties are rebuilt. LibreOffice ignores cell widths
    alone, hence the fixed layout plus explicit w:tblGrid and w:tcW widths.
    """
    widths = list(widths_mm)
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    tbl_pr.append(_el("w:tblW", w=sum(twips(w) for w in widths), type="dxa"))
    if indent_mm:
        tbl_pr.append(_el("w:tblInd", w=twips(indent_mm), type="dxa"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if grid:
            borders.append(_el(f"w:{side}", val="single", sz=4, space=0, color="auto"))
        else:
            borders.append(_el(f"w:{side}", val="nil"))
    tbl_pr.append(borders)
    tbl_pr.append(_el("w:tblLayout", type="fixed"))
    margins = _el("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w=twips(cell_mar.get(side, 0)), type="dxa"))
    tbl_pr.append(margins)
    tbl_pr.append(_el("w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0,
                      lastColumn=0, noHBand=1, noVBand=1))  # fmt: skip

    grid_el = table._tbl.tblGrid
    for col, width in zip(grid_el.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(twips(width)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def borderless_table(
    doc: DocxDocument, rows: int, widths_mm: tuple[float, ...], *, indent_mm: float = 0
) -> Table:
    """A layout table without any border (header block, signature block), cells top-aligned."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    _table_properties(table, widths_mm, grid=False, indent_mm=indent_mm, cell_mar={})
    return table


def grid_table(doc: DocxDocument, rows: int, widths_mm: tuple[float, ...]) -> Table:
    """A data table with a full 0.5 pt single-line grid, cells vertically centred."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    _table_properties(
        table, widths_mm, grid=True, indent_mm=0, cell_mar={"left": 1.2, "right": 1.2}
    )
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def mark_row(row_el: etree._Element, *, header: bool = False) -> None:
    """Keep a row on one page (w:cantSplit); repeat header rows on each page (w:tblHeader)."""
    tr_pr = row_el.get_or_add_trPr()
    tr_pr.append(_el("w:cantSplit"))
    if header:
        tr_pr.append(_el("w:tblHeader"))


# --------------------------------------------------------------------------- document setup


def setup_styles(doc: DocxDocument) -> None:
    """Times New Roman everywhere, the Decree 30 body style, and the few styles the text uses."""
    styles_el = doc.styles.element
    # docDefaults: explicit fonts (no theme fonts), 14 pt, Vietnamese, single spacing.
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        rpr_default.remove(child)
    rpr_default.append(_el("w:rFonts"))
    set_fonts(rpr_default)
    rpr_default.append(_el("w:sz", val=BODY_PT * 2))
    rpr_default.append(_el("w:szCs", val=BODY_PT * 2))
    rpr_default.append(_el("w:lang", val="vi-VN", eastAsia="en-US", bidi="ar-SA"))
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr_default):
        ppr_default.remove(child)
    ppr_default.append(_el("w:spacing", after=0, line=240, lineRule="auto"))

    for style_el in list(styles_el.findall(qn("w:style"))):
        if style_el.get(qn("w:styleId")) not in KEPT_DEFAULT_STYLES:
            styles_el.remove(style_el)

    # Body: 14 pt, justified, first line 1.27 cm, 6 pt after, single line spacing.
    normal = doc.styles["Normal"]
    normal.font.name = FONT  # explicit on Normal too, not only in the document defaults
    normal.font.size = Pt(BODY_PT)
    _paragraph_format(normal, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Cm(1.27), after=6)

    # Header part (page numbers): centred, no indent, no spacing, 14 pt.
    header = doc.styles["Header"]
    header.element.pPr.remove(header.element.pPr.find(qn("w:tabs")))
    header.font.size = Pt(BODY_PT)
    _paragraph_format(header, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=Cm(0), after=0)

    centered = _add_style(doc, STYLE_CENTERED)
    _paragraph_format(centered, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=Cm(0), after=0)

    line = _add_style(doc, STYLE_LINE)
    _paragraph_format(line, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=Cm(0), after=0)
    line.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    line.paragraph_format.line_spacing = Pt(5)
    line.font.size = Pt(5)

    table_text = _add_style(doc, STYLE_TABLE)
    table_text.font.size = Pt(TABLE_PT)
    _paragraph_format(
        table_text, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=Cm(0), before=2, after=2
    )

    recipients = _add_style(doc, STYLE_RECIPIENTS)
    recipients.font.size = Pt(RECIPIENT_PT)
    _paragraph_format(recipients, align=WD_ALIGN_PARAGRAPH.LEFT, first_line=Cm(0), after=0)

    # Any style that still names a font gets Times New Roman in all four slots.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        set_fonts(rfonts.getparent())


def _add_style(doc: DocxDocument, name: str) -> ParagraphStyle:
    """A paragraph style based on Normal and shown in Word's style gallery."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    return style


def _paragraph_format(
    style: ParagraphStyle,
    *,
    align: WD_ALIGN_PARAGRAPH,
    first_line: Length,
    before: float = 0,
    after: float = 0,
) -> None:
    """Alignment, first-line indent, spacing and single line spacing of a style."""
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0


def setup_section(section: Section, *, restart_numbering: bool) -> None:
    """A4 portrait, Decree 30 margins, page number centred in the header, none on page 1.

    Each section gets its own (not linked) headers so that LibreOffice and Word agree; the
    appendix section restarts numbering at 1 (Decree 30: appendices are numbered separately).
    """
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_W_MM)
    section.page_height = Mm(PAGE_H_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(HEADER_DISTANCE_MM)
    section.gutter = Mm(0)
    section.different_first_page_header_footer = True

    section.first_page_header.is_linked_to_previous = False  # present but empty
    header = section.header
    header.is_linked_to_previous = False
    page_field(header.paragraphs[0])

    if restart_numbering:
        sect_pr = section._sectPr
        sect_pr.insert_element_before(_el("w:pgNumType", start=1), *_AFTER_PGNUMTYPE)


def page_field(paragraph: Paragraph) -> None:
    """A PAGE complex field (begin, instruction, separate, cached result, end)."""
    paragraph.style = "Header"

    def run_with(child: etree._Element) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    run_with(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    run_with(instr)
    run_with(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("2")
    run_with(_el("w:fldChar", fldCharType="end"))


def setup_package(doc: DocxDocument) -> None:
    """Fixed core properties; drop default-template parts the decision does not need."""
    props = doc.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.title = TITLE
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME

    # stylesWithEffects still carries the theme fonts; the thumbnail shows python-docx's page.
    for rels, reltypes in (
        (doc.part.rels, (RT_STYLES_WITH_EFFECTS, RT.CUSTOM_XML)),
        (doc.part.package.rels, (RT.THUMBNAIL,)),
    ):
        for rid, rel in list(rels.items()):
            if rel.reltype in reltypes:
                del rels[rid]


# --------------------------------------------------------------------------- content


def header_block(doc: DocxDocument) -> None:
    """Ô 1–4 of Decree 30: agency | national motto, then Số | place and date (2×2, no borders)."""
    left_mm, right_mm = HEADER_COLS_MM
    table = borderless_table(doc, 2, HEADER_COLS_MM, indent_mm=HEADER_INDENT_MM)
    (agency, motto), (number, date) = (row.cells for row in table.rows)

    jinja_paragraph(agency, "{%p for dong in co_quan_ban_hanh %}")
    new_paragraph(agency, "{{ dong }}", style=STYLE_CENTERED, bold=True, size=AGENCY_PT)
    jinja_paragraph(agency, "{%p endfor %}")
    drawn_line(agency, LINE_AGENCY_MM, left_mm)

    new_paragraph(
        motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style=STYLE_CENTERED, bold=True,
        size=AGENCY_PT,
    )  # fmt: skip
    new_paragraph(motto, "Độc lập - Tự do - Hạnh phúc", style=STYLE_CENTERED, bold=True)
    drawn_line(motto, LINE_MOTTO_MM, right_mm)

    new_paragraph(number, "Số: {{ so_quyet_dinh }}", style=STYLE_CENTERED, size=AGENCY_PT, before=6)
    new_paragraph(
        date, "{{ dia_danh }}, {{ ngay_quyet_dinh }}", style=STYLE_CENTERED, italic=True, before=6
    )


def title_block(doc: DocxDocument) -> None:
    """Tên loại, trích yếu (one paragraph, two lines) with its line, then thẩm quyền."""
    new_paragraph(doc, "QUYẾT ĐỊNH", style=STYLE_CENTERED, bold=True, before=18)
    summary = new_paragraph(doc, style=STYLE_CENTERED)
    run = summary.add_run("Phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT")
    run.bold = True
    run.add_break()
    add_run(summary, "trong các cơ quan HCNN tỉnh {{ tinh }} năm {{ nam }}", bold=True)
    drawn_line(doc, LINE_SUMMARY_MM, TEXT_WIDTH_MM)
    new_paragraph(doc, "{{ tham_quyen }}", style=STYLE_CENTERED, bold=True, before=12, after=6)


LEGAL_BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;",
    "Căn cứ Quyết định số 1462/QĐ-UBND ngày 27/5/2019 của UBND tỉnh ban hành quy định về Bộ "
    "tiêu chí và phương pháp đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong các "
    "cơ quan hành chính nhà nước tỉnh {{ tinh }};",
    "Căn cứ Quyết định số 3948/QĐ-UBND ngày 22/11/2019 của UBND tỉnh về việc kiện toàn Hội đồng "
    "thẩm định, đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong các cơ quan hành "
    "chính nhà nước tỉnh {{ tinh }};",
    "Theo đề nghị của Sở Thông tin và Truyền thông tại Tờ trình số {{ so_to_trinh }} ngày "
    "{{ ngay_to_trinh }}.",
)

ARTICLES = (
    (
        "Điều 1.",
        " Phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong các cơ "
        "quan hành chính nhà nước tỉnh {{ tinh }} năm {{ nam }}.",
    ),
    (None, "(Chi tiết tại phụ lục kèm theo)"),
    (
        "Điều 2.",
        " Giao Sở Thông tin và Truyền thông tổ chức công bố kết quả đánh giá, xếp hạng này.",
    ),
    (
        "Điều 3.",
        " Chánh Văn phòng UBND tỉnh, Giám đốc Sở Thông tin và Truyền thông, Thủ trưởng các sở, "
        "ban, ngành; Chủ tịch UBND các huyện, thị xã, thành phố và các cơ quan, tổ chức liên quan "
        "chịu trách nhiệm thi hành Quyết định này.",
    ),
    (None, "Quyết định này có hiệu lực thi hành kể từ ngày ký./."),
)

# Nơi nhận: (text, subscript) pieces; the copy counts (PCVP₂, BBT₁ …) are subscript digits.
RECIPIENTS: tuple[tuple[tuple[str, bool], ...], ...] = (
    (("- TT: TU, HĐND, UBND tỉnh;", False),),
    (("- Như Điều 3;", False),),
    (("- CVP, PCVP", False), ("2", True), (";", False)),
    (
        ("- Lưu: VT, TCHC, BBT", False), ("1", True), (", KSTT", False), ("2", True),
        (", VX", False), ("1", True), (".", False),
    ),
)  # fmt: skip


def body(doc: DocxDocument) -> None:
    """Căn cứ (italic), QUYẾT ĐỊNH:, the articles with bold "Điều n." and the closing line."""
    for text in LEGAL_BASES:
        new_paragraph(doc, text, italic=True)
    new_paragraph(doc, "QUYẾT ĐỊNH:", style=STYLE_CENTERED, bold=True, before=6, after=12)
    for label, text in ARTICLES:
        paragraph = new_paragraph(doc)
        if label:
            add_run(paragraph, label, bold=True)
        add_run(paragraph, text)


def signature_block(doc: DocxDocument) -> None:
    """Nơi nhận (left) and chức vụ, room for signature and seal, họ tên (right), never split."""
    table = borderless_table(doc, 1, SIGNATURE_COLS_MM)
    # A little room above the block without adding spacing inside the chức vụ loop.
    table._tbl.tblPr.find(qn("w:tblCellMar")).find(qn("w:top")).set(qn("w:w"), str(twips(3)))
    row = table.rows[0]
    mark_row(row._tr)
    recipients, signer = row.cells

    new_paragraph(
        recipients, "Nơi nhận:", style=STYLE_RECIPIENTS, bold=True, italic=True,
        size=RECIPIENT_LABEL_PT,
    )  # fmt: skip
    for pieces in RECIPIENTS:
        paragraph = new_paragraph(recipients, style=STYLE_RECIPIENTS)
        for text, subscript in pieces:
            add_run(paragraph, text, subscript=subscript)

    jinja_paragraph(signer, "{%p for dong in chuc_vu_nguoi_ky %}")
    new_paragraph(signer, "{{ dong }}", style=STYLE_CENTERED, bold=True)
    jinja_paragraph(signer, "{%p endfor %}")
    for _ in range(4):
        new_paragraph(signer, style=STYLE_CENTERED)
    new_paragraph(signer, "{{ nguoi_ky }}", style=STYLE_CENTERED, bold=True)


def appendix_heading(doc: DocxDocument) -> None:
    """Phụ lục, its title in capitals, the "(Kèm theo …)" line and a short rule (Mẫu 2.1)."""
    new_paragraph(doc, "Phụ lục", style=STYLE_CENTERED, bold=True)
    new_paragraph(
        doc,
        "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT CỦA CÁC CƠ QUAN HCNN TỈNH "
        "{{ tinh|upper }} NĂM {{ nam }}",
        style=STYLE_CENTERED,
        bold=True,
    )
    new_paragraph(
        doc,
        "(Kèm theo Quyết định số {{ so_quyet_dinh }} ngày {{ ngay_quyet_dinh_ngan }} của "
        "{{ co_quan_viet_tat }})",
        style=STYLE_CENTERED,
        italic=True,
    )
    drawn_line(doc, LINE_APPENDIX_MM, TEXT_WIDTH_MM)


def appendix_text(doc: DocxDocument) -> None:
    """Section 1 (scale and grades, from lists in the context) and the heading of section 2."""
    new_paragraph(doc, "1. Thang điểm và xếp hạng mức độ ứng dụng CNTT:", bold=True, before=12)
    new_paragraph(doc, "a) Thang điểm:")
    new_paragraph(doc, "{%p for dong in thang_diem %}")
    new_paragraph(doc, "- {{ dong }}")
    new_paragraph(doc, "{%p endfor %}")
    new_paragraph(doc, "b) Xếp hạng mức độ ứng dụng CNTT:")
    new_paragraph(doc, "{%p for dong in muc_xep_loai %}")
    new_paragraph(doc, "- {{ dong }}")
    new_paragraph(doc, "{%p endfor %}")
    new_paragraph(
        doc, "2. Kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT năm {{ nam }}:", bold=True
    )


def results_table(doc: DocxDocument) -> None:
    """Two header rows (repeated on each page), then a group row and unit rows per group.

    Rows 2, 4, 6 and 7 only carry ``{%tr … %}`` tags and disappear when rendered; docxtpl
    copies the group row and the unit row (with their merges and w:cantSplit) unchanged.
    """
    left = WD_ALIGN_PARAGRAPH.LEFT
    table = grid_table(doc, 8, RESULT_COLS_MM)
    rows = list(table.rows)

    def fill(
        cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
    ) -> None:
        new_paragraph(cell, text, style=STYLE_TABLE, bold=bold, align=align)

    head1, head2 = rows[0], rows[1]
    for cell, text in zip(
        head1.cells[:3], ("TT", "Tên đơn vị", "Xếp hạng năm {{ nam_truoc }}"), strict=True
    ):
        fill(cell, text, bold=True)
        cell._tc.vMerge = "restart"
    for cell in head2.cells[:3]:
        cell._tc.vMerge = "continue"
        new_paragraph(cell, style=STYLE_TABLE)
    result = head1.cells[3].merge(head1.cells[5])
    fill(result, "Kết quả đánh giá năm {{ nam }}", bold=True)
    for cell, text in zip(head2.cells[3:], ("Tổng điểm", "Xếp hạng", "Xếp loại"), strict=True):
        fill(cell, text, bold=True)

    tags = {2: "{%tr for g in nhom %}", 4: "{%tr for dv in g.don_vi %}"}
    tags |= {6: "{%tr endfor %}", 7: "{%tr endfor %}"}
    for index, tag in tags.items():
        fill(rows[index].cells[0], tag)

    group = rows[3]
    fill(group.cells[0], "{{ g.ma }}", bold=True)
    name = group.cells[1].merge(group.cells[5])
    fill(name, "{{ g.ten }}", bold=True, align=left)

    unit = rows[5].cells
    fill(unit[0], "{{ dv.tt }}")
    fill(unit[1], "{{ dv.ten }}", align=left)
    fill(unit[2], "{{ dv.xep_hang_truoc }}")
    fill(unit[3], "{{ dv.tong_diem }}")
    fill(unit[4], "{{ dv.xep_hang }}")
    fill(unit[5], "{{ dv.xep_loai }}")

    # Every cell needs a paragraph (an empty w:tc is invalid); fill the tag rows' other cells.
    for row in rows:
        for cell in row.cells:
            if cell.paragraphs[0]._p.pPr is None:
                new_paragraph(cell, style=STYLE_TABLE)
    for index, row in enumerate(rows):
        mark_row(row._tr, header=index < 2)


# --------------------------------------------------------------------------- build


def build_document() -> DocxDocument:
    """Assemble the whole template in memory."""
    doc = Document()
    setup_package(doc)
    setup_styles(doc)
    setup_section(doc.sections[0], restart_numbering=False)

    # python-docx starts with an empty body; the header table comes first.
    header_block(doc)
    title_block(doc)
    body(doc)
    signature_block(doc)

    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph that now carries section 1's w:sectPr follows the signature table;
    # keep it tiny so it never pushes the signature block onto a page of its own.
    doc.paragraphs[-1].style = STYLE_LINE
    setup_section(appendix, restart_numbering=True)

    appendix_heading(doc)
    appendix_text(doc)
    results_table(doc)
    new_paragraph(doc, "./.", align=WD_ALIGN_PARAGRAPH.RIGHT, before=6)
    return doc


def build(path: Path) -> None:
    """Build the template and write it to ``path``."""
    buffer = io.BytesIO()
    build_document().save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical_zip(buffer.getvalue(), ZIP_TIME))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo mẫu Word của Quyết định xếp hạng CNTT.")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"tệp .docx đầu ra (mặc định: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    build(args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
