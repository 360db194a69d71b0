"""Layout of templates/chuyen-doi-so-2026/quyet-dinh.docx: the digital-transformation decision.

The decision itself (portrait, decision_front) is followed by a LANDSCAPE appendix, its own
section with page numbers from 1: the heading lines, section 1 (scale and, with grades, band
texts), section 2 (results: a column per main index, total, percent, level, rank, prior rank
and change; per group a title row with the ranked count, the ranked units, then the units
assessed but not ranked with the reason; under the table, when there are any, the footnotes
saying where a renamed or merged agency's prior rank comes from) and, when there are main
indices, section 3 "Xếp hạng theo chỉ số chính" (per agency and main index, its score and its
rank in the group). Header rows repeat on every page and no row splits across pages.

Columns whose number is data
----------------------------
The main indices are columns (``{%tc for … %}``), and the grade column exists only with
grades (``{%tc if co_xep_loai %}``). docxtpl would "fix" a table whose rows no longer fill its
grid by adding or dropping grid columns at its right edge, which breaks every width; so the
grid never changes here. The main indices share a block of grid columns with an edge at every
fraction i/n (for n up to the block's max_exact: 10 in section 2, 8 in section 3, where each
index also has a cut between its score and its rank): n indices get n equal columns, each
spanning ``{% colspan … %}`` grid columns read from a table of edges chosen by the number of
indices (``{%p set … %}`` paragraphs before the tables; beyond max_exact the edges are spread
over the block's columns, nearly equal). Without grades the percent cell spans the grade
column's place; without main indices the name cell spans their block. The cells holding a
``{%tc %}`` tag take grid columns of the block they stand in, so that the template's own rows
fill its grid too (it opens cleanly in Word). At most 63 grid columns: Word's limit.

With 11 pt figures an index column holds "230,62" for up to 8 indices; more indices still
render, in narrower columns where such a figure wraps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import decision_front
import docx_kit as kit
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell

METADATA = kit.Metadata(
    title="Quyết định {{ trich_yeu[0][:1]|lower }}{{ trich_yeu[0][1:] }}",
    author="{{ co_quan_de_nghi }}",
    last_modified_by="",
)

TABLE_PT = 11  # wide tables of a landscape appendix: 11 pt
LINE_APPENDIX_MM = 40
WIDE = kit.LANDSCAPE_TEXT_WIDTH_MM  # 252 mm

# Section 2: TT | Tên đơn vị | [main indices] | Tổng điểm | Tỷ lệ (%) | Mức độ | Xếp hạng |
# Xếp hạng năm trước | Thay đổi. Mức độ holds "Hình thành" and Thay đổi "giữ nguyên" on one
# line at 11 pt; an index column (102 mm / n) holds "230,62" for up to 8 indices. The names
# of the main indices are printed bottom to top (btLr) in a header row at least 32 mm high.
RESULT_TT_MM, RESULT_NAME_MM, RESULT_BLOCK_MM = 9, 48, 102
RESULT_TAIL_MM = {"tong": 15, "ty_le": 15, "muc": 20, "hang": 11, "truoc": 12, "thay_doi": 20}
PILLAR_NAMES_HEIGHT_MM = 32
VERTICAL_END_MM = 1.5
# Section 3: TT | Tên đơn vị | per main index: Điểm (4/7 of its width) | Xếp hạng (3/7).
PILLAR_TT_MM, PILLAR_NAME_MM = 9, 50
PILLAR_BLOCK_MM = WIDE - PILLAR_TT_MM - PILLAR_NAME_MM
WIDE_CELL_MAR = {"left": 1.0, "right": 1.0}

STYLE_NOTE = "Table Note"  # "Đơn vị tính: điểm", right-aligned above a table
LEFT = WD_ALIGN_PARAGRAPH.LEFT


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class Block:
    """A block of grid columns shared by n equal columns, one per main index, each cut at
    ``cuts`` (fractions of its width) into cells; exactly equal for n up to ``max_exact``
    (the grid then has a column edge at every cut of every n), nearly equal beyond."""

    width_mm: float
    cuts: tuple[Fraction, ...]  # starts with 0
    max_exact: int

    @property
    def fractions(self) -> list[Fraction]:
        return sorted({edge for n in range(1, self.max_exact + 1) for edge in self.edges(n)})

    def edges(self, n: int) -> list[Fraction]:
        """The cell edges for n main indices, left to right, as fractions of the block."""
        cells = [Fraction(i, n) + cut / n for i in range(n) for cut in self.cuts]
        return [*cells, Fraction(1)]

    @property
    def columns(self) -> int:
        return len(self.fractions) - 1

    def widths_tw(self) -> list[int]:
        total = kit.twips(self.width_mm)
        points = [round(f * total) for f in self.fractions]
        return [b - a for a, b in itertools.pairwise(points)]

    def edge_table(self) -> str:
        """Jinja list: for n main indices (n ≤ max_exact), the grid-column index of each edge."""
        index = {f: i for i, f in enumerate(self.fractions)}
        lists = [[0]] + [[index[f] for f in self.edges(n)] for n in range(1, self.max_exact + 1)]
        return "[" + ", ".join("[" + ", ".join(map(str, x)) + "]" for x in lists) + "]"

    def at(self, fraction: Fraction) -> int:
        """The grid-column index of an edge of the block."""
        return self.fractions.index(fraction)


RESULT_BLOCK = Block(RESULT_BLOCK_MM, (Fraction(0),), max_exact=10)
PILLAR_BLOCK = Block(PILLAR_BLOCK_MM, (Fraction(0), Fraction(4, 7)), max_exact=8)


def edge_paragraphs(doc: DocxDocument, name: str, block: Block) -> None:
    """``{%p %}`` paragraphs that put in ``cot.<name>`` the edges for this decision's number
    of main indices ``so_cs``: from the block's table up to max_exact, else spread evenly."""
    target = "cot." + name
    kit.new_paragraph(doc, "{%p if so_cs > " + str(block.max_exact) + " %}")
    kit.new_paragraph(doc, "{%p for i in range(so_cs) %}")
    for cut in block.cuts:
        k, d = cut.numerator, cut.denominator
        edge = f"{block.columns} * ({d} * i + {k}) // ({d} * so_cs)"
        kit.new_paragraph(doc, "{%p set " + target + " = " + target + " + [" + edge + "] %}")
    kit.new_paragraph(doc, "{%p endfor %}")
    kit.new_paragraph(doc, "{%p set " + target + " = " + target + f" + [{block.columns}] %}}")
    kit.new_paragraph(doc, "{%p else %}")
    kit.new_paragraph(doc, "{%p set " + target + " = " + block.edge_table() + "[so_cs] %}")
    kit.new_paragraph(doc, "{%p endif %}")


# --------------------------------------------------------------------------- table building


@dataclass(frozen=True)
class Cell:
    """One cell of a template row: the grid columns it spans in the template, its text, and
    ``colspan``, the Jinja expression of the columns it spans once rendered (if it differs)."""

    span: int
    text: str = ""
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH | None = None
    vmerge: str | None = None  # "restart" / "continue"
    colspan: str | None = None
    vertical: bool = False  # text read bottom to top (w:textDirection btLr)


def tag(span: int, text: str) -> Cell:
    """A cell holding only a ``{%tc … %}`` tag: it disappears when rendered."""
    return Cell(span, text)


def wide_table(doc: DocxDocument, widths_tw: list[int]) -> Table:
    """A grid table with the given columns and no rows yet; cells are added by add_row."""
    table = doc.add_table(rows=0, cols=len(widths_tw))
    kit.set_grid(table, widths_tw, grid=True, indent_mm=0, cell_mar=WIDE_CELL_MAR)
    return table


def add_row(
    table: Table,
    cells: list[Cell],
    *,
    header: bool = False,
    keep_with_next: bool = False,
    min_height_mm: float = 0,
) -> None:
    """Append a row; the cells must fill the grid. No w:tcW: a cell's width is its grid
    columns (a rendered span differs from the template's, and docxtpl's colspan puts the span
    first in w:tcPr, where a w:tcW may not follow). ``keep_with_next``: a title row stays on
    the page of the row after it."""
    columns = len(table._tbl.tblGrid.findall(qn("w:gridCol")))
    assert sum(cell.span for cell in cells) == columns, (columns, cells)
    tr = OxmlElement("w:tr")
    table._tbl.append(tr)
    for spec in cells:
        tc = OxmlElement("w:tc")
        tr.append(tc)
        tc_pr = tc.get_or_add_tcPr()
        if spec.span > 1:
            tc_pr.grid_span = spec.span
        if spec.vmerge is not None:
            tc.vMerge = spec.vmerge
        if spec.vertical:  # a little room at both ends of the rotated lines
            margins = kit.el("w:tcMar")
            for side in ("top", "bottom"):
                margins.append(kit.el(f"w:{side}", w=kit.twips(VERTICAL_END_MM), type="dxa"))
            tc_pr.append(margins)
            tc_pr.append(kit.el("w:textDirection", val="btLr"))
        tc.append(OxmlElement("w:p"))
        cell = _Cell(tc, table)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        text = spec.text
        if spec.colspan is not None:
            text = "{% colspan " + spec.colspan + " %}" + text
        paragraph = kit.new_paragraph(
            cell, text, style=kit.STYLE_TABLE, bold=spec.bold, italic=spec.italic,
            align=spec.align,
        )  # fmt: skip
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
    kit.mark_row(tr, header=header)
    if min_height_mm:
        tr.trPr.append(kit.el("w:trHeight", val=kit.twips(min_height_mm), hRule="atLeast"))


def tag_row(table: Table, text: str, columns: int) -> None:
    """A row holding only a ``{%tr … %}`` tag: it disappears when rendered."""
    add_row(table, [Cell(columns, text)])


# --------------------------------------------------------------------------- appendix text


def appendix_heading(doc: DocxDocument) -> None:
    """Phụ lục, its title in capitals, the "(Kèm theo …)" line and a short rule (Mẫu 2.1)."""
    kit.new_paragraph(doc, "Phụ lục", style=kit.STYLE_CENTERED, bold=True)
    kit.new_paragraph(doc, "{{ tieu_de_phu_luc }}", style=kit.STYLE_CENTERED, bold=True)
    kit.new_paragraph(
        doc,
        "(Kèm theo Quyết định số {{ so_quyet_dinh }} ngày {{ ngay_quyet_dinh_ngan }} của "
        "{{ co_quan_viet_tat }})",
        style=kit.STYLE_CENTERED,
        italic=True,
    )
    kit.drawn_line(doc, LINE_APPENDIX_MM, WIDE)


def section_1(doc: DocxDocument) -> None:
    """The scale texts and, with grades, the band texts."""
    kit.new_paragraph(doc, "{{ tieu_de_muc_1 }}", bold=True, before=6)
    kit.new_paragraph(doc, "a) Thang điểm:")
    kit.new_paragraph(doc, "{%p for dong in thang_diem %}")
    kit.new_paragraph(doc, "- {{ dong }}")
    kit.new_paragraph(doc, "{%p endfor %}")
    kit.new_paragraph(doc, "{%p if co_xep_loai %}")
    kit.new_paragraph(doc, "{{ tieu_de_xep_loai }}")
    kit.new_paragraph(doc, "{%p for dong in muc_xep_loai %}")
    kit.new_paragraph(doc, "- {{ dong }}")
    kit.new_paragraph(doc, "{%p endfor %}")
    kit.new_paragraph(doc, "{%p endif %}")


def unit_note(doc: DocxDocument) -> None:
    note = kit.new_paragraph(doc, "Đơn vị tính: điểm", style=STYLE_NOTE, italic=True)
    note.paragraph_format.keep_with_next = True


# --------------------------------------------------------------------------- section 2


def results_table(doc: DocxDocument) -> None:
    """Section 2's table (module docstring for the columns that are data)."""
    block = RESULT_BLOCK
    c = block.columns
    tail = RESULT_TAIL_MM
    widths = [kit.twips(RESULT_TT_MM), kit.twips(RESULT_NAME_MM), *block.widths_tw()]
    widths += [kit.twips(tail["tong"]), kit.twips(tail["ty_le"])]
    widths += [kit.twips(tail["muc"] / 3)] * 2
    widths += [kit.twips(tail["muc"]) - 2 * kit.twips(tail["muc"] / 3)]
    widths += [kit.twips(tail[k]) for k in ("hang", "truoc", "thay_doi")]
    table = wide_table(doc, widths)
    total = len(widths)

    # How the block is split in the template, between a {%tc %} pair and the cell it loops.
    quarter, three_quarters = block.at(Fraction(1, 4)), block.at(Fraction(3, 4))
    before, inside, after = quarter, three_quarters - quarter, c - three_quarters

    name_span = f"1 if co_chi_so else {c + 1}"
    percent_span = "1 if co_xep_loai else 4"
    pillar_span = "cot.cs[loop.index] - cot.cs[loop.index0]"

    def grade(*cells: Cell) -> list[Cell]:
        """The grade column's three grid columns: its cell between a {%tc if %} pair."""
        return [tag(1, "{%tc if co_xep_loai %}"), *cells, tag(1, "{%tc endif %}")]

    # Header, row 1: the block's heading over the main indices' names (row 2).
    bold = {"bold": True}
    add_row(
        table,
        [
            Cell(1, "TT", vmerge="restart", **bold),
            Cell(1, "Tên đơn vị", vmerge="restart", colspan=name_span, **bold),
            tag(before, "{%tc if co_chi_so %}"),
            Cell(inside, "Điểm các chỉ số chính", colspan=str(c), **bold),
            tag(after, "{%tc endif %}"),
            Cell(1, "Tổng điểm", vmerge="restart", **bold),
            Cell(1, "Tỷ lệ (%)", vmerge="restart", colspan=percent_span, **bold),
            *grade(Cell(1, "Mức độ", vmerge="restart", colspan="3", **bold)),
            Cell(1, "Xếp hạng", vmerge="restart", **bold),
            Cell(1, "Xếp hạng năm {{ nam_truoc }}", vmerge="restart", **bold),
            Cell(1, "Thay đổi", vmerge="restart", **bold),
        ],
        header=True,
    )
    tag_row(table, "{%tr if co_chi_so %}", total)
    add_row(
        table,
        [
            Cell(1, vmerge="continue"),
            Cell(1, vmerge="continue"),
            tag(before, "{%tc for cs in chi_so_chinh %}"),
            Cell(inside, "{{ cs.ten }}", colspan=pillar_span, vertical=True, **bold),
            tag(after, "{%tc endfor %}"),
            Cell(1, vmerge="continue"),
            Cell(1, vmerge="continue", colspan=percent_span),
            *grade(Cell(1, vmerge="continue", colspan="3")),
            Cell(1, vmerge="continue"),
            Cell(1, vmerge="continue"),
            Cell(1, vmerge="continue"),
        ],
        header=True,
        min_height_mm=PILLAR_NAMES_HEIGHT_MM,
    )
    tag_row(table, "{%tr endif %}", total)

    def scores(row: str) -> list[Cell]:
        """TT, name, a cell per main index, total, percent and grade of a unit row."""
        return [
            Cell(1, "{{ dv.tt }}"),
            Cell(1, "{{ dv.ten }}", align=LEFT, colspan=name_span),
            tag(before, "{%tc for cs in dv.chi_so %}"),
            Cell(inside, "{{ cs.diem }}", colspan=pillar_span),
            tag(after, "{%tc endfor %}"),
            Cell(1, "{{ dv.tong_diem }}", bold=row == "ranked"),
            Cell(1, "{{ dv.ty_le }}", colspan=percent_span),
            *grade(Cell(1, "{{ dv.xep_loai }}", colspan="3")),
        ]

    tag_row(table, "{%tr for g in nhom %}", total)
    add_row(
        table,
        [
            Cell(1, "{{ g.nhan }}", bold=True),
            Cell(total - 1, "{{ g.ten }} ({{ g.so_don_vi }} đơn vị)", bold=True, align=LEFT),
        ],
        keep_with_next=True,
    )
    tag_row(table, "{%tr for dv in g.don_vi %}", total)
    add_row(
        table,
        [
            *scores("ranked"),
            Cell(1, "{{ dv.xep_hang }}", bold=True),
            Cell(1, "{{ dv.xep_hang_truoc }}"),
            Cell(1, "{{ dv.thay_doi }}"),
        ],
    )
    tag_row(table, "{%tr endfor %}", total)
    unranked_rows(table, total, [*scores("unranked"), Cell(3, "{{ dv.ly_do }}", italic=True)])
    tag_row(table, "{%tr endfor %}", total)


def unranked_rows(table: Table, total: int, row: list[Cell]) -> None:
    """Under a group, when it has any: a title row, then its units assessed but not ranked."""
    tag_row(table, "{%tr if g.khong_xep_hang %}", total)
    add_row(
        table,
        [
            Cell(
                total,
                "{{ tieu_de_khong_xep_hang }} ({{ g.so_khong_xep_hang }} đơn vị)",
                bold=True,
                italic=True,
                align=LEFT,
            )
        ],
        keep_with_next=True,
    )
    tag_row(table, "{%tr for dv in g.khong_xep_hang %}", total)
    add_row(table, row)
    tag_row(table, "{%tr endfor %}", total)
    tag_row(table, "{%tr endif %}", total)


# --------------------------------------------------------------------------- section 3


def pillar_table(doc: DocxDocument) -> None:
    """Section 3: per agency and main index, its score and its rank in the group."""
    block = PILLAR_BLOCK
    widths = [kit.twips(PILLAR_TT_MM), kit.twips(PILLAR_NAME_MM), *block.widths_tw()]
    table = wide_table(doc, widths)
    total = len(widths)
    quarter, cut = block.at(Fraction(1, 4)), block.at(Fraction(4, 7))
    three_quarters = block.at(Fraction(3, 4))
    before, after = quarter, block.columns - three_quarters
    score_span, rank_span = cut - quarter, three_quarters - cut

    name = "cot.xh[2 * loop.index] - cot.xh[2 * loop.index0]"
    score = "cot.xh[2 * loop.index - 1] - cot.xh[2 * loop.index0]"
    rank = "cot.xh[2 * loop.index] - cot.xh[2 * loop.index - 1]"
    bold = {"bold": True}

    add_row(
        table,
        [
            Cell(1, "TT", vmerge="restart", **bold),
            Cell(1, "Tên đơn vị", vmerge="restart", **bold),
            tag(before, "{%tc for cs in chi_so_chinh %}"),
            Cell(score_span + rank_span, "{{ cs.ten }}", colspan=name, **bold),
            tag(after, "{%tc endfor %}"),
        ],
        header=True,
    )
    add_row(
        table,
        [
            Cell(1, vmerge="continue"),
            Cell(1, vmerge="continue"),
            tag(before, "{%tc for cs in chi_so_chinh %}"),
            Cell(score_span, "Điểm", colspan=score, **bold),
            Cell(rank_span, "Xếp hạng", colspan=rank, **bold),
            tag(after, "{%tc endfor %}"),
        ],
        header=True,
    )

    def unit() -> list[Cell]:
        return [
            Cell(1, "{{ dv.tt }}"),
            Cell(1, "{{ dv.ten }}", align=LEFT),
            tag(before, "{%tc for cs in dv.chi_so %}"),
            Cell(score_span, "{{ cs.diem }}", colspan=score),
            Cell(rank_span, "{{ cs.xep_hang }}", colspan=rank),
            tag(after, "{%tc endfor %}"),
        ]

    tag_row(table, "{%tr for g in nhom %}", total)
    add_row(
        table,
        [
            Cell(1, "{{ g.nhan }}", bold=True),
            Cell(total - 1, "{{ g.ten }} ({{ g.so_don_vi }} đơn vị)", bold=True, align=LEFT),
        ],
        keep_with_next=True,
    )
    tag_row(table, "{%tr for dv in g.don_vi %}", total)
    add_row(table, unit())
    tag_row(table, "{%tr endfor %}", total)
    unranked_rows(table, total, unit())
    tag_row(table, "{%tr endfor %}", total)


# --------------------------------------------------------------------------- build


def appendix(doc: DocxDocument) -> None:
    appendix_heading(doc)
    section_1(doc)
    # The number of main indices and the grid edges of their columns (module docstring).
    kit.new_paragraph(doc, "{%p set so_cs = chi_so_chinh|length %}")
    kit.new_paragraph(doc, "{%p set cot = namespace(cs=[], xh=[]) %}")
    kit.new_paragraph(doc, "{%p if co_chi_so %}")
    edge_paragraphs(doc, "cs", RESULT_BLOCK)
    edge_paragraphs(doc, "xh", PILLAR_BLOCK)
    kit.new_paragraph(doc, "{%p endif %}")

    heading = kit.new_paragraph(doc, "{{ tieu_de_ket_qua }}", bold=True)
    heading.paragraph_format.keep_with_next = True
    unit_note(doc)
    results_table(doc)
    kit.footnotes(doc, 12)  # where a renamed or merged agency's prior rank comes from

    kit.new_paragraph(doc, "{%p if co_chi_so %}")
    heading = kit.new_paragraph(doc, "{{ tieu_de_chi_so }}", bold=True, before=12)
    heading.paragraph_format.keep_with_next = True
    unit_note(doc)
    pillar_table(doc)
    kit.new_paragraph(doc, "{%p endif %}")
    kit.new_paragraph(doc, "./.", align=WD_ALIGN_PARAGRAPH.RIGHT, before=6)


def build_document() -> DocxDocument:
    """Assemble the whole template in memory."""
    doc = Document()
    kit.setup_package(doc, METADATA)
    note = kit.TextStyle(STYLE_NOTE, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT, after=2)
    kit.setup_styles(doc, table_pt=TABLE_PT, extra=(note,))
    kit.setup_section(doc.sections[0], restart_numbering=False)

    decision_front.decision_front(doc, exact=False)

    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph that now carries section 1's w:sectPr follows the signature table;
    # keep it tiny so it never pushes the signature block onto a page of its own.
    doc.paragraphs[-1].style = kit.STYLE_LINE
    kit.setup_section(landscape, restart_numbering=True, landscape=True)
    appendix(doc)
    return doc
