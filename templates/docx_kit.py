"""The building blocks of the decision templates: Decree 30 page, fonts, styles, tables, tags.

Used by templates/build_template.py and the layouts it builds (layout_*.py); nothing here
knows a province or a scheme. Every length is in millimetres unless a name says otherwise.

Two ways of writing a docxtpl field
-----------------------------------
docxtpl gives every ``<w:t>`` that holds a Jinja tag the attribute ``xml:space="preserve"``,
and also the nearest ``<w:t>`` before a tag when no ``<w:t>`` without attributes lies between
them. The 2020 Lào Cai decision must come out byte for byte as it did when its wording was
typed into the template, so where that text sat in a plain ``<w:t>`` the template now needs a
field that renders into a plain ``<w:t>``. :func:`plain_field` writes it as two texts in one
run, ``{##}`` (an empty Jinja comment: it keeps the run's first ``<w:t>`` free of tags) and
``{%- if true %}{{ value }}{% endif %}`` (docxtpl's ``{%-`` then joins it to the first text).
It renders exactly like ``{{ value }}``; :func:`field` is the ordinary form.

A run-level choice, ``{%r … %}``, normally leaves an empty run on each side of its tag.
:func:`tag_run` writes the first tag of a paragraph as ``{##}`` + ``{%-r … %}`` (the whole run
goes), and :func:`end_tags` appends the following ``{%r … -%}`` tags to the end of a run's
text (docxtpl's ``-%}`` removes the empty run after each). Each tag sits whole in one
``<w:t>`` so that docxtpl sees it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
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
from docx.text.run import Run
from lxml import etree

from processor.writing.files import canonical_zip

# Word 2010's copy of the styles; it still names the theme fonts, so it is dropped.
RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

FONT = "Times New Roman"
# Fixed dates keep docProps/core.xml and the zip entries identical from build to build.
FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
ZIP_TIME = (2021, 1, 1, 0, 0, 0)

# Decree 30/2020, Phụ lục I: A4, margins T20 B20 L30 R15 mm (nd30-format.md §6).
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
HEADER_DISTANCE_MM = 10
TEXT_WIDTH_MM = PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165 mm portrait
LANDSCAPE_TEXT_WIDTH_MM = PAGE_H_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 252 mm landscape

BODY_PT = 14
AGENCY_PT = 13
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
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


# --------------------------------------------------------------------------- small helpers


def twips(mm: float) -> int:
    """Millimetres to twentieths of a point, the unit of widths in table XML."""
    return round(mm * 1440 / 25.4)


def el(tag: str, **attrs: str | int) -> etree._Element:
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
        rfonts = el("w:rFonts")
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
) -> Run:
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
    return run


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
    border = el("w:pBdr")
    border.append(el("w:bottom", val="single", sz=6, space=1, color="auto"))
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)
    return paragraph


def jinja_paragraph(container: DocxDocument | _Cell, tag: str) -> Paragraph:
    """A paragraph holding only a ``{%p … %}`` tag; docxtpl removes the whole paragraph."""
    return new_paragraph(container, tag, style=STYLE_CENTERED)


def footnotes(doc: DocxDocument, size: float) -> None:
    """The appendix's footnotes (``ghi_chu``: where a renamed or merged agency's prior rank
    comes from), italic, under a "Ghi chú:" line. Every paragraph of it sits between ``{%p``
    tags, so a decision without footnotes keeps no trace of it, byte for byte."""
    new_paragraph(doc, "{%p if ghi_chu %}")
    new_paragraph(doc, "Ghi chú:", bold=True, italic=True, size=size, before=6)
    new_paragraph(doc, "{%p for dong in ghi_chu %}")
    field(new_paragraph(doc), "{{ dong }}", italic=True, size=size)
    new_paragraph(doc, "{%p endfor %}")
    new_paragraph(doc, "{%p endif %}")


# --------------------------------------------------------------------------- Jinja fields


def _texts(run: Run, *texts: str, preserve: bool) -> None:
    """Put ``texts`` in the run as one w:t each; xml:space only when ``preserve``.

    Without it, docxtpl decides (see the module docstring): a w:t holding a tag gets it.
    """
    for text in texts:
        t = run._r.add_t(text)
        if preserve:
            t.set(XML_SPACE, "preserve")
        elif XML_SPACE in t.attrib:
            del t.attrib[XML_SPACE]


def field(
    paragraph: Paragraph,
    text: str,
    *,
    preserve: bool = False,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    subscript: bool = False,
    tail: str = "",
) -> Run:
    """A run holding ``text`` (with its tags) in one w:t, then the ``tail`` tags.

    ``preserve`` writes xml:space="preserve" in the template: the w:t then does not shield an
    earlier w:t from docxtpl's attribute (module docstring); otherwise it is left out even for
    a text with a leading space, and docxtpl adds it.
    """
    run = add_run(paragraph, "", bold=bold, italic=italic, size=size, subscript=subscript)
    _texts(run, text + tail, preserve=preserve)
    return run


def plain_field(
    paragraph: Paragraph,
    expression: str,
    *,
    bold: bool = False,
    italic: bool = False,
    subscript: bool = False,
    tail: str = "",
) -> Run:
    """A run whose value renders into a ``<w:t>`` without attributes (module docstring)."""
    run = add_run(paragraph, "", bold=bold, italic=italic, subscript=subscript)
    body = "{%- if true %}{{ " + expression + " }}{% endif %}"
    _texts(run, "{##}", body + tail, preserve=False)
    return run


def tag_run(paragraph: Paragraph, tag: str, *more: str) -> Run:
    """The first run-level tag(s) of a paragraph, in a run that disappears whole.

    ``tag`` is written ``{%-r … %}``: docxtpl's ``{%-`` joins it to the run's first text
    (``{##}``), then its ``{%r`` removes that run; ``more`` are appended as ``{%r … -%}``.
    """
    run = add_run(paragraph, "")
    _texts(run, "{##}", "{%-r " + tag + " %}" + end_tags(*more), preserve=False)
    return run


def end_tags(*tags: str) -> str:
    """Run-level tags to append to a run's text: ``{%r … -%}`` each (module docstring)."""
    return "".join("{%r " + tag + " -%}" for tag in tags)


# --------------------------------------------------------------------------- tables


def table_properties(
    table: Table,
    widths_mm: Iterable[float],
    *,
    grid: bool,
    indent_mm: float,
    cell_mar: dict[str, float],
    cell_widths: bool = True,
) -> None:
    """Rewrite w:tblPr in schema order with a fixed layout and the given borders.

    A new python-docx table already has w:tblW (auto) and w:tblLook; appending to it would
    give out-of-order XML, so the properties are rebuilt. LibreOffice ignores cell widths
    alone, hence the fixed layout plus explicit w:tblGrid (and, unless ``cell_widths`` is
    false, w:tcW) widths.
    """
    widths = list(widths_mm)
    set_grid(table, [twips(w) for w in widths], grid=grid, indent_mm=indent_mm, cell_mar=cell_mar)
    if cell_widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Mm(width)


def set_grid(
    table: Table,
    widths_tw: list[int],
    *,
    grid: bool,
    indent_mm: float,
    cell_mar: dict[str, float],
) -> None:
    """w:tblPr (as :func:`table_properties`) and w:tblGrid, widths given in twips."""
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    tbl_pr.append(el("w:tblW", w=sum(widths_tw), type="dxa"))
    if indent_mm:
        tbl_pr.append(el("w:tblInd", w=twips(indent_mm), type="dxa"))
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if grid:
            borders.append(el(f"w:{side}", val="single", sz=4, space=0, color="auto"))
        else:
            borders.append(el(f"w:{side}", val="nil"))
    tbl_pr.append(borders)
    tbl_pr.append(el("w:tblLayout", type="fixed"))
    margins = el("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(el(f"w:{side}", w=twips(cell_mar.get(side, 0)), type="dxa"))
    tbl_pr.append(margins)
    tbl_pr.append(el("w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0,
                     lastColumn=0, noHBand=1, noVBand=1))  # fmt: skip

    grid_el = table._tbl.tblGrid
    for col in grid_el.findall(qn("w:gridCol")):
        grid_el.remove(col)
    for width in widths_tw:
        grid_el.append(el("w:gridCol", w=width))


def borderless_table(
    doc: DocxDocument, rows: int, widths_mm: tuple[float, ...], *, indent_mm: float = 0
) -> Table:
    """A layout table without any border (header block, signature block), cells top-aligned."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table_properties(table, widths_mm, grid=False, indent_mm=indent_mm, cell_mar={})
    return table


GRID_CELL_MAR = {"left": 1.2, "right": 1.2}


def grid_table(doc: DocxDocument, rows: int, widths_mm: tuple[float, ...]) -> Table:
    """A data table with a full 0.5 pt single-line grid, cells vertically centred."""
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table_properties(table, widths_mm, grid=True, indent_mm=0, cell_mar=GRID_CELL_MAR)
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def mark_row(row_el: etree._Element, *, header: bool = False) -> None:
    """Keep a row on one page (w:cantSplit); repeat header rows on each page (w:tblHeader)."""
    tr_pr = row_el.get_or_add_trPr()
    tr_pr.append(el("w:cantSplit"))
    if header:
        tr_pr.append(el("w:tblHeader"))


# --------------------------------------------------------------------------- document setup


@dataclass(frozen=True)
class TextStyle:
    """A paragraph style of a layout's own: based on Normal, no first-line indent."""

    name: str
    size: float | None = None
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER
    before: float = 0
    after: float = 0


def setup_styles(doc: DocxDocument, *, table_pt: float, extra: tuple[TextStyle, ...] = ()) -> None:
    """Times New Roman everywhere, the Decree 30 body style, and the few styles the text uses."""
    styles_el = doc.styles.element
    # docDefaults: explicit fonts (no theme fonts), 14 pt, Vietnamese, single spacing.
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        rpr_default.remove(child)
    rpr_default.append(el("w:rFonts"))
    set_fonts(rpr_default)
    rpr_default.append(el("w:sz", val=BODY_PT * 2))
    rpr_default.append(el("w:szCs", val=BODY_PT * 2))
    rpr_default.append(el("w:lang", val="vi-VN", eastAsia="en-US", bidi="ar-SA"))
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr_default):
        ppr_default.remove(child)
    ppr_default.append(el("w:spacing", after=0, line=240, lineRule="auto"))

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
    table_text.font.size = Pt(table_pt)
    _paragraph_format(
        table_text, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=Cm(0), before=2, after=2
    )

    recipients = _add_style(doc, STYLE_RECIPIENTS)
    recipients.font.size = Pt(RECIPIENT_PT)
    _paragraph_format(recipients, align=WD_ALIGN_PARAGRAPH.LEFT, first_line=Cm(0), after=0)

    for spec in extra:
        style = _add_style(doc, spec.name)
        if spec.size is not None:
            style.font.size = Pt(spec.size)
        _paragraph_format(
            style, align=spec.align, first_line=Cm(0), before=spec.before, after=spec.after
        )

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


def setup_section(section: Section, *, restart_numbering: bool, landscape: bool = False) -> None:
    """A4 (portrait or landscape), Decree 30 margins, page number centred in the header, none
    on page 1.

    Each section gets its own (not linked) headers so that LibreOffice and Word agree; the
    appendix section restarts numbering at 1 (Decree 30: appendices are numbered separately).
    A landscape page keeps the margins of the portrait one, edge for edge as the page is
    read: 20 mm top and bottom, 30 mm left (where a bound copy is held), 15 mm right.
    """
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width = Mm(PAGE_H_MM)
        section.page_height = Mm(PAGE_W_MM)
    else:
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
        sect_pr.insert_element_before(el("w:pgNumType", start=1), *_AFTER_PGNUMTYPE)


def page_field(paragraph: Paragraph) -> None:
    """A PAGE complex field (begin, instruction, separate, cached result, end)."""
    paragraph.style = "Header"

    def run_with(child: etree._Element) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    run_with(el("w:fldChar", fldCharType="begin"))
    instr = el("w:instrText")
    instr.set(XML_SPACE, "preserve")
    instr.text = " PAGE "
    run_with(instr)
    run_with(el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("2")
    run_with(el("w:fldChar", fldCharType="end"))


@dataclass(frozen=True)
class Metadata:
    """The template's core properties; docxtpl renders tags in author and title, not in
    last_modified_by. They are copied into every decision made from the template."""

    title: str
    author: str
    last_modified_by: str


def setup_package(doc: DocxDocument, metadata: Metadata) -> None:
    """Fixed core properties; drop default-template parts the decision does not need."""
    props = doc.core_properties
    props.author = metadata.author
    props.last_modified_by = metadata.last_modified_by
    props.title = metadata.title
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


def save(doc: DocxDocument, path: Path) -> None:
    """Write ``doc`` to ``path`` in canonical form (fixed zip times): same bytes every build."""
    buffer = io.BytesIO()
    doc.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical_zip(buffer.getvalue(), ZIP_TIME))
