"""The decision itself, up to the signature: the part every layout shares (Decree 30, Mẫu 1.2).

Ô 1–5 of Decree 30 (agency, national motto, number, place and date, document type and trích
yếu), the thẩm quyền line, the căn cứ, "QUYẾT ĐỊNH:", Điều 1–3 and the closing line, then the
signature block with Nơi nhận. Everything that differs between provinces or schemes is a
context variable (spec: "Template context"); only the fixed legal form is literal.

``exact=True`` writes the fields so that the 2020 Lào Cai decision renders byte for byte as it
did when its wording was typed into the template (docx_kit: "Two ways of writing a docxtpl
field"); ``exact=False`` writes docxtpl's ordinary tags, for a template people edit in Word.
Both render the same text with the same formatting.
"""

from __future__ import annotations

import docx_kit as kit
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

# Header table: the right column must hold "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (13 pt bold)
# on one line; it is allowed to reach a little into the left margin, as real templates do.
HEADER_COLS_MM = (62, 103)
HEADER_INDENT_MM = -2
# Signature block: Nơi nhận | chức vụ, chữ ký, họ tên (about 45 % / 55 %).
SIGNATURE_COLS_MM = (74, 91)

# Lengths of the drawn lines (empty paragraphs with a bottom border).
LINE_AGENCY_MM = 24  # about half of "ỦY BAN NHÂN DÂN"
LINE_MOTTO_MM = 60  # as long as "Độc lập - Tự do - Hạnh phúc" at 14 pt bold
LINE_SUMMARY_MM = 55  # about a third of the text width


def header_block(doc: DocxDocument) -> None:
    """Ô 1–4 of Decree 30: agency | national motto, then Số | place and date (2×2, no borders)."""
    left_mm, right_mm = HEADER_COLS_MM
    table = kit.borderless_table(doc, 2, HEADER_COLS_MM, indent_mm=HEADER_INDENT_MM)
    (agency, motto), (number, date) = (row.cells for row in table.rows)

    kit.jinja_paragraph(agency, "{%p for dong in co_quan_ban_hanh %}")
    kit.new_paragraph(agency, "{{ dong }}", style=kit.STYLE_CENTERED, bold=True, size=kit.AGENCY_PT)
    kit.jinja_paragraph(agency, "{%p endfor %}")
    kit.drawn_line(agency, LINE_AGENCY_MM, left_mm)

    kit.new_paragraph(
        motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style=kit.STYLE_CENTERED, bold=True,
        size=kit.AGENCY_PT,
    )  # fmt: skip
    kit.new_paragraph(motto, "Độc lập - Tự do - Hạnh phúc", style=kit.STYLE_CENTERED, bold=True)
    kit.drawn_line(motto, LINE_MOTTO_MM, right_mm)

    kit.new_paragraph(
        number, "Số: {{ so_quyet_dinh }}", style=kit.STYLE_CENTERED, size=kit.AGENCY_PT, before=6
    )
    kit.new_paragraph(
        date, "{{ dia_danh }}, {{ ngay_quyet_dinh }}", style=kit.STYLE_CENTERED, italic=True,
        before=6,
    )  # fmt: skip


def title_block(doc: DocxDocument, *, exact: bool) -> None:
    """Tên loại, trích yếu (one paragraph, two lines) with its line, then thẩm quyền."""
    kit.new_paragraph(doc, "QUYẾT ĐỊNH", style=kit.STYLE_CENTERED, bold=True, before=18)
    summary = kit.new_paragraph(doc, style=kit.STYLE_CENTERED)
    if exact:
        first = kit.plain_field(summary, "trich_yeu[0]", bold=True)
    else:
        first = kit.field(summary, "{{ trich_yeu[0] }}", bold=True)
    first.add_break()
    kit.field(summary, "{{ trich_yeu[1] }}", bold=True)
    kit.drawn_line(doc, LINE_SUMMARY_MM, kit.TEXT_WIDTH_MM)
    kit.new_paragraph(
        doc, "{{ tham_quyen }}", style=kit.STYLE_CENTERED, bold=True, before=12, after=6
    )


def _text_paragraph(paragraph: Paragraph, variable: str, *, exact: bool) -> None:
    if exact:
        kit.plain_field(paragraph, variable)
    else:
        kit.field(paragraph, "{{ " + variable + " }}")


def _optional_paragraph(doc: DocxDocument, variable: str, *, exact: bool) -> None:
    """A paragraph printed only when the variable is not empty."""
    kit.new_paragraph(doc, "{%p if " + variable + " %}")
    _text_paragraph(kit.new_paragraph(doc), variable, exact=exact)
    kit.new_paragraph(doc, "{%p endif %}")


def _article(doc: DocxDocument, number: int, *, preserve: bool) -> None:
    """ "Điều n." in bold, then the article's text from the context.

    The space after "Điều n." is written inside the tag (`{{ ' ' ~ dieu_2 }}`) unless the
    run keeps it with xml:space: an editor saving the template (LibreOffice does) drops a
    leading space that is not marked to be kept, and the decision would print "Điều 2.Giao".
    """
    paragraph = kit.new_paragraph(doc)
    kit.add_run(paragraph, f"Điều {number}.", bold=True)
    if preserve:
        kit.field(paragraph, " {{ dieu_" + str(number) + " }}", preserve=True)
    else:
        kit.field(paragraph, "{{ ' ' ~ dieu_" + str(number) + " }}")


def body(doc: DocxDocument, *, exact: bool) -> None:
    """Căn cứ (italic), QUYẾT ĐỊNH:, the articles with bold "Điều n." and the closing line."""
    kit.new_paragraph(doc, "{%p for dong in can_cu %}")
    basis = kit.new_paragraph(doc)
    if exact:
        # The 2020 template had the first basis (the Law) as plain text and the others with
        # a placeholder: their texts come out with and without xml:space respectively.
        kit.tag_run(basis, "if loop.first")
        kit.plain_field(basis, "dong", italic=True, tail=kit.end_tags("else"))
        kit.field(basis, "{{ dong }}", italic=True, tail=kit.end_tags("endif"))
    else:
        kit.field(basis, "{{ dong }}", italic=True)
    kit.new_paragraph(doc, "{%p endfor %}")

    kit.new_paragraph(doc, "QUYẾT ĐỊNH:", style=kit.STYLE_CENTERED, bold=True, before=6, after=12)
    # In the 2020 text only Điều 1 had a placeholder (so "Điều 1." came out with xml:space).
    _article(doc, 1, preserve=exact)
    _optional_paragraph(doc, "ghi_chu_dieu_1", exact=exact)
    _article(doc, 2, preserve=False)
    _article(doc, 3, preserve=False)
    _optional_paragraph(doc, "hieu_luc", exact=exact)


def signature_block(doc: DocxDocument, *, exact: bool) -> None:
    """Nơi nhận (left) and chức vụ, room for signature and seal, họ tên (right), never split."""
    table = kit.borderless_table(doc, 1, SIGNATURE_COLS_MM)
    # A little room above the block without adding spacing inside the chức vụ loop.
    table._tbl.tblPr.find(qn("w:tblCellMar")).find(qn("w:top")).set(qn("w:w"), str(kit.twips(3)))
    row = table.rows[0]
    kit.mark_row(row._tr)
    recipients, signer = row.cells

    kit.new_paragraph(
        recipients, "Nơi nhận:", style=kit.STYLE_RECIPIENTS, bold=True, italic=True,
        size=kit.RECIPIENT_LABEL_PT,
    )  # fmt: skip
    # Each line is a list of pieces {chu, duoi}; duoi = the copy count, printed subscript (PCVP₂).
    kit.new_paragraph(recipients, "{%p for dong in noi_nhan %}", style=kit.STYLE_RECIPIENTS)
    line = kit.new_paragraph(recipients, style=kit.STYLE_RECIPIENTS)
    if exact:
        kit.tag_run(line, "for doan in dong", "if doan.duoi")
        kit.plain_field(line, "doan.chu", subscript=True, tail=kit.end_tags("else"))
        kit.plain_field(line, "doan.chu", tail=kit.end_tags("endif", "endfor"))
    else:
        # The tags end their run's text ({%r … -%}): docxtpl then leaves one empty run per line.
        kit.add_run(line, kit.end_tags("for doan in dong", "if doan.duoi"))
        kit.field(line, "{{ doan.chu }}", subscript=True, tail=kit.end_tags("else"))
        kit.field(line, "{{ doan.chu }}", tail=kit.end_tags("endif", "endfor"))
    kit.new_paragraph(recipients, "{%p endfor %}", style=kit.STYLE_RECIPIENTS)

    kit.jinja_paragraph(signer, "{%p for dong in chuc_vu_nguoi_ky %}")
    kit.new_paragraph(signer, "{{ dong }}", style=kit.STYLE_CENTERED, bold=True)
    kit.jinja_paragraph(signer, "{%p endfor %}")
    for _ in range(4):
        kit.new_paragraph(signer, style=kit.STYLE_CENTERED)
    kit.new_paragraph(signer, "{{ nguoi_ky }}", style=kit.STYLE_CENTERED, bold=True)


def decision_front(doc: DocxDocument, *, exact: bool) -> None:
    """Everything before the appendix."""
    header_block(doc)
    title_block(doc, exact=exact)
    body(doc, exact=exact)
    signature_block(doc, exact=exact)
