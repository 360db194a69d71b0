"""Layout of templates/lao-cai-2020/quyet-dinh.docx: the 2020 Chairman's decision, portrait.

A4 portrait throughout; the appendix (its own section, page numbers from 1) prints the scale
and band texts and one results table: TT | Tên đơn vị | Xếp hạng năm trước | Tổng điểm |
Xếp hạng | Xếp loại, a title row per group, and under a group the units assessed but not ranked
(none in 2020); below the table, the footnotes on renamed and merged agencies' prior ranks when
there are any (none in 2020). Rendered with the 2020 wording it gives the 2020 decision byte for
byte, so the fields are written in docx_kit's exact form where that text was plain
(decision_front).
"""

from __future__ import annotations

import decision_front
import docx_kit as kit
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import _Cell

# Core properties, copied into every decision made from the template: the drafting body as
# author and the first line of the trích yếu as title, both from the context. docxtpl does not
# render last_modified_by; processor/writing/rendering.fill sets it to the rendered author.
METADATA = kit.Metadata(
    title="Quyết định {{ trich_yeu[0][:1]|lower }}{{ trich_yeu[0][1:] }}",
    author="{{ co_quan_de_nghi }}",
    last_modified_by="",
)

TABLE_PT = 13
# Appendix results table: TT | Tên đơn vị | Xếp hạng năm trước | Tổng điểm | Xếp hạng | Xếp loại;
# "Xếp loại" is wide enough for "Trung bình" on one line at 13 pt.
RESULT_COLS_MM = (11, 67, 22, 21, 19, 25)
LINE_APPENDIX_MM = 40  # the short rule under "(Kèm theo Quyết định …)"


def appendix_heading(doc: DocxDocument) -> None:
    """Phụ lục, its title in capitals, the "(Kèm theo …)" line and a short rule (Mẫu 2.1)."""
    kit.new_paragraph(doc, "Phụ lục", style=kit.STYLE_CENTERED, bold=True)
    paragraph = kit.new_paragraph(doc, style=kit.STYLE_CENTERED)
    kit.field(paragraph, "{{ tieu_de_phu_luc }}", bold=True)
    kit.new_paragraph(
        doc,
        "(Kèm theo Quyết định số {{ so_quyet_dinh }} ngày {{ ngay_quyet_dinh_ngan }} của "
        "{{ co_quan_viet_tat }})",
        style=kit.STYLE_CENTERED,
        italic=True,
    )
    kit.drawn_line(doc, LINE_APPENDIX_MM, kit.TEXT_WIDTH_MM)


def appendix_text(doc: DocxDocument) -> None:
    """Section 1 (scale and, with grades, bands, from lists in the context) and the heading of
    section 2."""
    heading = kit.new_paragraph(doc, before=12)
    kit.plain_field(heading, "tieu_de_muc_1", bold=True)
    kit.new_paragraph(doc, "a) Thang điểm:")
    kit.new_paragraph(doc, "{%p for dong in thang_diem %}")
    kit.new_paragraph(doc, "- {{ dong }}")
    kit.new_paragraph(doc, "{%p endfor %}")
    kit.new_paragraph(doc, "{%p if co_xep_loai %}")
    kit.plain_field(kit.new_paragraph(doc), "tieu_de_xep_loai")
    kit.new_paragraph(doc, "{%p for dong in muc_xep_loai %}")
    kit.new_paragraph(doc, "- {{ dong }}")
    kit.new_paragraph(doc, "{%p endfor %}")
    kit.new_paragraph(doc, "{%p endif %}")
    kit.field(kit.new_paragraph(doc), "{{ tieu_de_ket_qua }}", bold=True)


def results_table(doc: DocxDocument) -> None:
    """Two header rows (repeated on each page), then per group a title row, its ranked units
    and, when it has any, a title row and rows for the units assessed but not ranked.

    Rows holding only ``{%tr … %}`` tags disappear when rendered; docxtpl copies the others
    (with their merges and w:cantSplit) unchanged.
    """
    left = WD_ALIGN_PARAGRAPH.LEFT
    template_rows = (
        "head1", "head2", "{%tr for g in nhom %}", "group", "{%tr for dv in g.don_vi %}", "unit",
        "{%tr endfor %}", "{%tr if g.khong_xep_hang %}", "unranked_title",
        "{%tr for dv in g.khong_xep_hang %}", "unranked", "{%tr endfor %}", "{%tr endif %}",
        "{%tr endfor %}",
    )  # fmt: skip
    table = kit.grid_table(doc, len(template_rows), RESULT_COLS_MM)
    named = list(zip(template_rows, table.rows, strict=True))
    rows = dict(named)  # the content rows by name (tag rows repeat; they are filled below)

    def fill(
        cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
    ) -> None:
        kit.new_paragraph(cell, text, style=kit.STYLE_TABLE, bold=bold, align=align)

    head1, head2 = rows["head1"], rows["head2"]
    for cell, text in zip(
        head1.cells[:3], ("TT", "Tên đơn vị", "Xếp hạng năm {{ nam_truoc }}"), strict=True
    ):
        fill(cell, text, bold=True)
        cell._tc.vMerge = "restart"
    for cell in head2.cells[:3]:
        cell._tc.vMerge = "continue"
        kit.new_paragraph(cell, style=kit.STYLE_TABLE)
    result = head1.cells[3].merge(head1.cells[5])
    fill(result, "Kết quả đánh giá năm {{ nam }}", bold=True)
    for cell, text in zip(head2.cells[3:], ("Tổng điểm", "Xếp hạng", "Xếp loại"), strict=True):
        fill(cell, text, bold=True)

    for key, row in named:
        if key.startswith("{%tr"):
            fill(row.cells[0], key)

    group = rows["group"]
    fill(group.cells[0], "{{ g.nhan }}", bold=True)
    fill(group.cells[1].merge(group.cells[5]), "{{ g.ten }}", bold=True, align=left)

    unit = rows["unit"].cells
    fill(unit[0], "{{ dv.tt }}")
    fill(unit[1], "{{ dv.ten }}", align=left)
    fill(unit[2], "{{ dv.xep_hang_truoc }}")
    fill(unit[3], "{{ dv.tong_diem }}")
    fill(unit[4], "{{ dv.xep_hang }}")
    fill(unit[5], "{{ dv.xep_loai }}")

    title = rows["unranked_title"]
    title_cell = title.cells[0].merge(title.cells[5])
    kit.new_paragraph(
        title_cell, "{{ tieu_de_khong_xep_hang }}", style=kit.STYLE_TABLE, bold=True, italic=True,
        align=left,
    )  # fmt: skip

    unranked = rows["unranked"].cells
    fill(unranked[0], "{{ dv.tt }}")
    fill(unranked[1], "{{ dv.ten }}", align=left)
    fill(unranked[2], "{{ dv.xep_hang_truoc }}")
    fill(unranked[3], "{{ dv.tong_diem }}")
    fill(unranked[4].merge(unranked[5]), "{{ dv.ly_do }}")

    # Every cell needs a paragraph (an empty w:tc is invalid); fill the tag rows' other cells.
    for row in table.rows:
        for cell in row.cells:
            if cell.paragraphs[0]._p.pPr is None:
                kit.new_paragraph(cell, style=kit.STYLE_TABLE)
    for index, row in enumerate(table.rows):
        kit.mark_row(row._tr, header=index < 2)


def build_document() -> DocxDocument:
    """Assemble the whole template in memory."""
    doc = Document()
    kit.setup_package(doc, METADATA)
    kit.setup_styles(doc, table_pt=TABLE_PT)
    kit.setup_section(doc.sections[0], restart_numbering=False)

    # python-docx starts with an empty body; the header table comes first.
    decision_front.decision_front(doc, exact=True)

    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph that now carries section 1's w:sectPr follows the signature table;
    # keep it tiny so it never pushes the signature block onto a page of its own.
    doc.paragraphs[-1].style = kit.STYLE_LINE
    kit.setup_section(appendix, restart_numbering=True)

    appendix_heading(doc)
    appendix_text(doc)
    results_table(doc)
    kit.footnotes(doc, TABLE_PT)  # only when there are some: the 2020 decision has none
    kit.new_paragraph(doc, "./.", align=WD_ALIGN_PARAGRAPH.RIGHT, before=6)
    return doc
