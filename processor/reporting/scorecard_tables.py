"""The scorecard's Word mechanics: the page (A4, Decree 30 margins and font) and the two tables.

python-docx is imported inside the functions, so importing processor.reporting costs nothing
until a document is made. A table is written as one piece of XML, row after row, and parsed
once: neither `Table.cell(r, c)` (which walks the whole table on every call) nor python-docx's
cell-by-cell setters are used.

The tables' type size is chosen per document (scorecard_fit.py) so that the longest card
still fits one A4 page; the column widths follow it: the digital-transformation profile's 7
main indices and 20 criteria come out at 10 pt, the 2020 profile's 13 criteria at 11 pt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from processor.core.formatting import format_number, format_points
from processor.reporting.model import Measure, Scorecard
from processor.reporting.summary_docx import minus_signs

FONT = "Times New Roman"
BODY_PT = 13  # the sentences (Decree 30: 13-14 pt)
TITLE_PT = 12  # bold capitals: the title stays on one line, the page is full
NAME_PT = 14  # the agency's name, bold
TITLE_GAP_PT = 4  # after the title and after the group
SENTENCE_GAP_PT = 2  # after each sentence paragraph
TABLE_GAP_PT = 5  # above the first table, and between the two
INDEX_HEADING = "Chỉ số"
CRITERION_HEADING = "Tiêu chí"
HEADER_FILL = "D9D9D9"  # light grey: prints as grey on a black-and-white printer
NOT_SCORED = "KĐG"  # the criterion is not scored for this agency (Không đánh giá)
NONE = "–"  # nothing to print: no maximum, no group mean, not ranked

# Decree 30 (Phụ lục I): A4 portrait; top and bottom 20 mm, left 30 mm, right 15 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165

# Column widths for 10 pt; they grow with the type size.
CODE_MM = 11.5
NUMBER_MM = 12  # Điểm, Tối đa, TB nhóm: "300,00"
BEST_MM = 16  # Cao nhất nhóm: "Cao nhất" on one line, so the heading takes two
RANK_MM = 21  # Hạng trong nhóm: "Hạng trong" on one line, so the heading takes two
BASE_PT = 10
CELL_MARGIN_TWIPS = 50  # left and right padding in a cell (0,9 mm)
CELL_TOP_TWIPS = 15  # top and bottom padding (a quarter of a millimetre)
TWIPS_PER_MM = 1440 / 25.4


def group_line(card: Scorecard) -> str:
    """`Nhóm I: Các cơ quan, đơn vị có TTHC`."""
    label = card.group_label or card.group
    return f"Nhóm {label}: {card.group_title}" if card.group_title else f"Nhóm {label}"


def criteria_ranked(card: Scorecard) -> bool:
    """Whether the criteria table has a rank column: when criteria stand in for main indices."""
    return not card.indices and any(m.rank is not None for m in card.criteria)


def not_scored_anywhere(card: Scorecard) -> bool:
    """Whether a KĐG appears on the card (then a note below the tables says what it means)."""
    return any(m.score is None and m.maximum is not None for m in (*card.indices, *card.criteria))


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width_mm: float
    centred: bool


def columns(
    name_heading: str, with_rank: bool, rows: Sequence[Sequence[str]], size: float
) -> tuple[Column, ...]:
    """Mã, the name, Điểm, Tối đa, TB nhóm, Cao nhất nhóm[, Hạng trong nhóm]: 165 mm in all.

    A number column widens when one of `rows` would not fit it (a maximum of "1.000,00"); the
    name column takes what is left.
    """
    headings = ("Điểm", "Tối đa", "TB nhóm", "Cao nhất nhóm", "Hạng trong nhóm")
    scale = size / BASE_PT
    widths = (NUMBER_MM, NUMBER_MM, NUMBER_MM, BEST_MM, RANK_MM)
    count = 5 if with_rank else 4
    numbers = tuple(
        Column(heading, max([width * scale, *(text_width_mm(r[2 + n], size) for r in rows)]), True)
        for n, (heading, width) in enumerate(zip(headings[:count], widths[:count], strict=True))
    )
    code = max([CODE_MM * scale, *(text_width_mm(row[0], size) for row in rows)])
    fixed = code + sum(c.width_mm for c in numbers)
    return (Column("Mã", code, True), Column(name_heading, TEXT_WIDTH_MM - fixed, False), *numbers)


def text_width_mm(text: str, size: float) -> float:
    """A generous width for a short text (a code, a number) at the table's size, padding included:
    digits are half an em in Times New Roman, a comma or dot a quarter, a capital about 0.72."""
    em_mm = size * 25.4 / 72
    ems = sum(0.25 if ch in ",./" else 0.72 if ch.isupper() else 0.5 for ch in text)
    return ems * em_mm + 2 * CELL_MARGIN_TWIPS / TWIPS_PER_MM + 0.4


def measure_cells(measure: Measure, precision: int, with_rank: bool) -> tuple[str, ...]:
    """One table row as printed: numbers the Vietnamese way, KĐG for a criterion not scored.

    Scores and the group's figures at the rules' precision ("25,13"); a maximum as the decision
    prints it ("40", "62,5").
    """

    def number(value: Decimal | None) -> str:
        return NONE if value is None else format_number(value, precision)

    if measure.score is not None:
        score = number(measure.score)
    else:
        score = NOT_SCORED if measure.maximum is not None else NONE
    cells = (
        measure.code,
        measure.name,
        score,
        NONE if measure.maximum is None else format_points(measure.maximum),
        number(measure.group_mean),
        number(measure.group_best),
    )
    if not with_rank:
        return cells
    rank = NONE if measure.rank is None else f"{measure.rank}/{measure.of}"
    return (*cells, rank)


def new_document() -> Any:
    """An empty A4 document in Times New Roman 13 pt, Decree 30 margins, Vietnamese language."""
    import docx
    from docx.shared import Mm, Pt

    document = docx.Document()
    _fonts_everywhere(document)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    return document


def _fonts_everywhere(document: Any) -> None:
    """Times New Roman for every script, set in the document defaults.

    python-docx's template names theme fonts there (Calibri, Cambria), which outrank a plain
    font name; Vietnamese letters fall in ranges Word may take from another slot (eastAsia,
    cs), so all four slots name the font. Spacing defaults (10 pt after, 1,15 lines) go too.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = run_defaults.find(qn("w:rFonts"))
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")


def add_measure_table(
    document: Any,
    name_heading: str,
    measures: Sequence[Measure],
    precision: int,
    with_rank: bool,
    size: float,
) -> None:
    """A bordered table at the end of the body: a grey header row, then one row per measure."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    rows = [measure_cells(measure, precision, with_rank) for measure in measures]
    table = parse_xml(table_xml(columns(name_heading, with_rank, rows, size), rows, size))
    body = document.element.body
    ending = body.find(qn("w:sectPr"))  # the section's properties stay last
    if ending is None:
        body.append(table)
    else:
        ending.addprevious(table)


def table_xml(layout: Sequence[Column], rows: Sequence[Sequence[str]], size: float) -> str:
    """The whole `w:tbl`, written at once and parsed once.

    python-docx's cell-by-cell API (width, alignment, run, font) searched each element's
    children for every property it set: 7 s for the 122 cards of the digital-transformation
    sample. The same table as one string takes a few milliseconds.
    """
    from docx.oxml.ns import nsdecls

    twips = [round(column.width_mm * TWIPS_PER_MM) for column in layout]
    twips[1] += round(TEXT_WIDTH_MM * TWIPS_PER_MM) - sum(twips)  # the name column: the rest
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    margins = "".join(
        f'<w:{side} w:w="{amount}" w:type="dxa"/>'
        for side, amount in (
            ("top", CELL_TOP_TWIPS),
            ("left", CELL_MARGIN_TWIPS),
            ("bottom", CELL_TOP_TWIPS),
            ("right", CELL_MARGIN_TWIPS),
        )
    )
    header = _row_xml([c.heading for c in layout], layout, twips, size, header=True)
    body = "".join(_row_xml(texts, layout, twips, size, header=False) for texts in rows)
    return (
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{header}{body}</w:tbl>"
    )


def _row_xml(
    texts: Sequence[str],
    layout: Sequence[Column],
    twips: Sequence[int],
    size: float,
    *,
    header: bool,
) -> str:
    """One row that never splits across pages; the header row repeats on a page that follows."""
    from xml.sax.saxutils import escape

    half_points = round(size * 2)
    bold = "<w:b/><w:bCs/>" if header else ""
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if header else ""
    cells = []
    for text, column, width in zip(texts, layout, twips, strict=True):
        align = "center" if column.centred or header else "left"
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}'
            '<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{bold}'
            f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(_printable(text))}</w:t></w:r></w:p></w:tc>'
        )
    repeat = "<w:tblHeader/>" if header else ""
    return f"<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>{''.join(cells)}</w:tr>"


_CONTROL = {code: None for code in range(32) if chr(code) not in "\t\n\r"}


def _printable(text: str) -> str:
    """The text without the control characters XML cannot hold (a stray one in a cell), a
    number's hyphen-minus as a minus sign."""
    return minus_signs(text.translate(_CONTROL))
