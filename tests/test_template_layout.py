"""Layout tests of the default profile's template (templates/lao-cai-2020/quyet-dinh.docx).

The template is built by templates/build_template.py; these tests check that a rendered
example has the Decree 30/2020 layout (page, fonts, header table, drawn lines, sections and
page numbers, results table with its unranked units) and that every word of the wording comes
from the context. tests/test_template_profiles.py checks what both bundled templates share
(up to date with the builder, the context contract, no province's or scheme's word) and the
landscape layout of chuyen-doi-so-2026; the golden test, that the 2020 sample still renders
byte for byte.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docxtpl import DocxTemplate

from docx_reading import lines, normalise, paragraph_text

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "lao-cai-2020" / "quyet-dinh.docx"
FONT = "Times New Roman"
FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def load_module(path: Path, name: str) -> ModuleType:
    """Import a script that is not part of a package (templates/, tests/) by its path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def unit(tt: str, ten: str, truoc: str, diem: str, hang: str, loai: str, ly_do: str = "") -> dict:
    """One row of the results table, as the processor hands it to the template."""
    return {
        "tt": tt,
        "ten": ten,
        "xep_hang_truoc": truoc,
        "tong_diem": diem,
        "diem_toi_da": "100",
        "ty_le": "",
        "xep_hang": hang,
        "xep_loai": loai,
        "thay_doi": "",
        "moi": False,
        "ly_do": ly_do,
        "chi_so": [],
    }


def group(ma: str, nhan: str, ten: str, scale: str, ranked: list, unranked: list) -> dict:
    return {
        "ma": ma,
        "nhan": nhan,
        "ten": ten,
        "thang_diem": scale,
        "so_don_vi": str(len(ranked)),
        "so_khong_xep_hang": str(len(unranked)),
        "don_vi": ranked,
        "khong_xep_hang": unranked,
    }


def pieces(line: str) -> list[dict]:
    """A Nơi nhận line as the processor splits it: "_2" is a copy count, printed subscript."""
    parts = re.split(r"_(\d+)", line)
    return [{"chu": part, "duoi": index % 2 == 1} for index, part in enumerate(parts) if part]


TRICKY_NAME = 'Ban "A" & <B>'
UNRANKED_REASON = "Không có thủ tục hành chính công"

# The 2020 Lào Cai wording, as the processor builds it from templates/lao-cai-2020/quy-tac.toml.
EXAMPLE_CONTEXT: dict = {
    "co_quan_ban_hanh": ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"],
    "so_quyet_dinh": "      /QĐ-UBND",
    "dia_danh": "Lào Cai",
    "ngay_quyet_dinh": "ngày      tháng      năm 2021",
    "ngay_quyet_dinh_ngan": "      /01/2021",
    "tinh": "Lào Cai",
    "nam": "2020",
    "nam_truoc": "2019",
    "tham_quyen": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÀO CAI",
    "so_to_trinh": "04/TTr-STTTT",
    "ngay_to_trinh": "08/01/2021",
    "chuc_vu_nguoi_ky": ["CHỦ TỊCH"],
    "nguoi_ky": "Trịnh Xuân Trường",
    "co_quan_viet_tat": "UBND tỉnh Lào Cai",
    "thang_diem": [
        "Thang điểm tối đa cho các cơ quan, đơn vị có thủ tục hành chính (TTHC): 100 điểm;",
        "Thang điểm tối đa cho các cơ quan, đơn vị không có TTHC: 70 điểm.",
    ],
    "muc_xep_loai": [
        "Mức tốt: tổng điểm đạt từ 85 điểm trở lên đối với cơ quan, đơn vị có TTHC và 65 điểm "
        "trở lên đối với các cơ quan, đơn vị không có TTHC;",
        "Mức khá: tổng điểm đạt từ 70 điểm đến dưới 85 điểm đối với cơ quan, đơn vị có TTHC và "
        "từ 60 điểm đến dưới 65 điểm đối với các cơ quan, đơn vị không có TTHC;",
        "Mức trung bình: tổng điểm đạt từ 50 điểm đến dưới 70 điểm đối với cơ quan, đơn vị có "
        "TTHC và từ 50 điểm đến dưới 60 điểm đối với các cơ quan, đơn vị không có TTHC;",
        "Mức yếu: tổng điểm dưới 50 điểm.",
    ],
    "chu_de": "ứng dụng công nghệ thông tin",
    "chu_de_ngan": "ứng dụng CNTT",
    "co_quan_de_nghi": "Sở Thông tin và Truyền thông",
    "trich_yeu": [
        "Phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT",
        "trong các cơ quan HCNN tỉnh Lào Cai năm 2020",
    ],
    "can_cu": [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;",
        "Căn cứ Quyết định số 1462/QĐ-UBND ngày 27/5/2019 của UBND tỉnh ban hành quy định về Bộ "
        "tiêu chí và phương pháp đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong các "
        "cơ quan hành chính nhà nước tỉnh Lào Cai;",
        "Căn cứ Quyết định số 3948/QĐ-UBND ngày 22/11/2019 của UBND tỉnh về việc kiện toàn Hội "
        "đồng thẩm định, đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong các cơ quan "
        "hành chính nhà nước tỉnh Lào Cai;",
        "Theo đề nghị của Sở Thông tin và Truyền thông tại Tờ trình số 04/TTr-STTTT ngày "
        "08/01/2021.",
    ],
    "dieu_1": "Phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng công nghệ thông tin trong "
    "các cơ quan hành chính nhà nước tỉnh Lào Cai năm 2020.",
    "ghi_chu_dieu_1": "(Chi tiết tại phụ lục kèm theo)",
    "dieu_2": "Giao Sở Thông tin và Truyền thông tổ chức công bố kết quả đánh giá, xếp hạng này.",
    "dieu_3": "Chánh Văn phòng UBND tỉnh, Giám đốc Sở Thông tin và Truyền thông, Thủ trưởng các "
    "sở, ban, ngành; Chủ tịch UBND các huyện, thị xã, thành phố và các cơ quan, tổ chức liên quan "
    "chịu trách nhiệm thi hành Quyết định này.",
    "hieu_luc": "Quyết định này có hiệu lực thi hành kể từ ngày ký./.",
    "noi_nhan": [
        pieces(line)
        for line in (
            "- TT: TU, HĐND, UBND tỉnh;",
            "- Như Điều 3;",
            "- CVP, PCVP_2;",
            "- Lưu: VT, TCHC, BBT_1, KSTT_2, VX_1.",
        )
    ],
    "tieu_de_phu_luc": "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT CỦA CÁC CƠ QUAN HCNN "
    "TỈNH LÀO CAI NĂM 2020",
    "tieu_de_muc_1": "1. Thang điểm và xếp hạng mức độ ứng dụng CNTT:",
    "tieu_de_xep_loai": "b) Xếp hạng mức độ ứng dụng CNTT:",
    "tieu_de_ket_qua": "2. Kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT năm 2020:",
    "tieu_de_chi_so": "3. Xếp hạng theo chỉ số chính:",
    "tieu_de_khong_xep_hang": "Đơn vị tham gia đánh giá nhưng không xếp hạng",
    "ghi_chu": [],
    "co_xep_loai": True,
    "co_chi_so": False,
    "chi_so_chinh": [],
    "nhom": [
        group(
            "TTHC",
            "I",
            "Các cơ quan, đơn vị có TTHC",
            "100",
            [
                unit("1", "Sở Thông tin và Truyền thông", "3", "96,34", "1", "Tốt"),
                unit("2", "Sở Kế hoạch và Đầu tư", "1", "96,03", "2", "Tốt"),
                unit("3", "Ban Quản lý khu kinh tế Lào Cai", "2", "89,27", "3", "Tốt"),
                unit("4", TRICKY_NAME, "17", "70,00", "4", "Khá"),
            ],
            [],
        ),
        group(
            "DT",
            "II",
            "Các cơ quan, đơn vị đặc thù hoặc không có TTHC",
            "70",
            [
                unit("1", "Văn phòng UBND tỉnh", "3", "65,60", "1", "Tốt"),
                unit("2", "Sở Ngoại vụ", "2", "65,15", "2", "Tốt"),
                unit("3", "Vườn Quốc gia Hoàng Liên", "5", "48,18", "3", "Yếu"),
            ],
            [unit("4", "Công an tỉnh", "", "60,00", "", "", UNRANKED_REASON)],
        ),
        group(
            "HUYEN",
            "III",
            "UBND cấp huyện",
            "100",
            [
                unit("1", "UBND huyện Bảo Yên", "1", "89,34", "1", "Tốt"),
                unit("2", "UBND huyện Si Ma Cai", "4", "87,74", "2", "Tốt"),
                unit("3", "UBND huyện Sa Pa", "9", "81,18", "3", "Khá"),
            ],
            [],
        ),
    ],
}

# --------------------------------------------------------------------------- helpers


def render_example(out: Path, template: Path = TEMPLATE, context: dict | None = None) -> Path:
    """Render the example context as the processor does (StrictUndefined, autoescape)."""
    tpl = DocxTemplate(template)
    jinja_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    tpl.render(EXAMPLE_CONTEXT if context is None else context, jinja_env, autoescape=True)
    tpl.save(out)
    return out


def row_texts(table) -> list[list[str]]:
    """Each row as one string per grid column; spanned and continued cells read as ""."""
    rows = []
    for row in table.rows:
        texts: list[str] = []
        for tc in row._tr.tc_lst:
            continued = tc.tcPr is not None and tc.tcPr.find(qn("w:vMerge")) is not None
            continued = continued and tc.tcPr.find(qn("w:vMerge")).get(qn("w:val")) != "restart"
            text = " ".join(paragraph_text(p) for p in _Cell(tc, table).paragraphs)
            texts.append("" if continued else normalise(text))
            texts.extend([""] * (tc.grid_span - 1))
        rows.append(texts)
    return rows


def results_table(doc):
    """The appendix table: the one whose first cell reads "TT"."""
    for table in doc.tables:
        if row_texts(table)[0][:2] == ["TT", "Tên đơn vị"]:
            return table
    raise AssertionError("results table not found")


def is_drawn_line(paragraph) -> bool:
    """An empty paragraph with a bottom border: how the template draws Decree 30's lines."""
    bottom = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    return bottom is not None and bottom.get(qn("w:val")) == "single" and not paragraph.text


def effective_alignment(paragraph):
    style = paragraph.style
    alignment = paragraph.alignment
    while alignment is None and style is not None:
        alignment = style.paragraph_format.alignment
        style = style.base_style
    return alignment


def has_page_field(header) -> bool:
    instr = "".join(t.text or "" for t in header._element.iter(qn("w:instrText")))
    begins = list(header._element.iter(qn("w:fldChar")))
    return instr.split() == ["PAGE"] and len(begins) == 3


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    return render_example(tmp_path_factory.mktemp("render") / "quyet-dinh.docx")


@pytest.fixture(scope="module")
def doc(rendered):
    return Document(rendered)


# --------------------------------------------------------------------------- the template


def test_core_properties_come_from_the_context(doc):
    props = doc.core_properties
    assert props.author == "Sở Thông tin và Truyền thông"  # co_quan_de_nghi
    assert props.title == "Quyết định phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT"
    assert props.created.year == 2021 and props.modified == props.created


# --------------------------------------------------------------------------- rendered layout


def test_page_is_a4_portrait_with_decree_30_margins(doc):
    assert len(doc.sections) == 2
    for section in doc.sections:
        assert section.orientation == WD_ORIENT.PORTRAIT
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        for margin, mm in (
            (section.top_margin, 20),
            (section.bottom_margin, 20),
            (section.left_margin, 30),
            (section.right_margin, 15),
        ):
            assert abs(margin - Mm(mm)) < Mm(0.1)


def test_times_new_roman_in_every_font_slot(doc):
    styles = doc.styles.element
    default_fonts = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    default_fonts = default_fonts.find(qn("w:rFonts"))
    assert default_fonts is not None
    checked = 0
    for rfonts in [default_fonts, *styles.iter(qn("w:rFonts"))]:
        assert {slot: rfonts.get(qn(f"w:{slot}")) for slot in FONT_SLOTS} == dict.fromkeys(
            FONT_SLOTS, FONT
        )
        assert not [a for a in rfonts.attrib if "Theme" in a or "theme" in a]
        checked += 1
    assert checked >= 2
    # and no run or paragraph overrides it
    for part in (doc.element, *(s.header._element for s in doc.sections)):
        for rfonts in part.iter(qn("w:rFonts")):
            assert rfonts.get(qn("w:hAnsi")) == FONT


def test_body_paragraph_style(doc):
    fmt = doc.styles["Normal"].paragraph_format
    assert doc.styles["Normal"].font.size == Pt(14)
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(fmt.first_line_indent - Cm(1.27)) < Mm(0.1)
    assert fmt.space_after == Pt(6)
    assert fmt.line_spacing == 1.0


def test_header_table_is_borderless_2x2_with_motto_and_agency(doc):
    table = doc.tables[0]
    assert len(table.rows) == 2 and len(table.columns) == 2
    tbl_pr = table._tbl.tblPr
    assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    borders = tbl_pr.find(qn("w:tblBorders"))
    assert len(borders) == 6
    assert {b.get(qn("w:val")) for b in borders} <= {"nil", "none"}
    for tc in table._tbl.iter(qn("w:tc")):
        for border in tc.iter(qn("w:tcBorders")):
            assert {b.get(qn("w:val")) for b in border} <= {"nil", "none"}
    rows = row_texts(table)
    assert rows[0][0] == "ỦY BAN NHÂN DÂN TỈNH LÀO CAI"
    assert rows[0][1] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"
    assert rows[1] == ["Số: /QĐ-UBND", "Lào Cai, ngày tháng năm 2021"]
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert widths[1] > widths[0] and Mm(95) < widths[1] * 635 < Mm(110)
    date = table.rows[1].cells[1].paragraphs[0]
    assert all(run.italic for run in date.runs)


def test_lines_are_drawn_not_typed(doc):
    header = doc.tables[0]
    agency_cell, motto_cell = header.rows[0].cells
    assert sum(map(is_drawn_line, agency_cell.paragraphs)) == 1
    assert sum(map(is_drawn_line, motto_cell.paragraphs)) == 1
    body_lines = [p for p in doc.paragraphs if is_drawn_line(p)]
    assert len(body_lines) >= 2  # under the trích yếu and under "(Kèm theo …)"
    # the motto line is about as long as the motto (cell width minus both indents)
    motto_line = next(p for p in motto_cell.paragraphs if is_drawn_line(p))
    fmt = motto_line.paragraph_format
    length = motto_cell.width - fmt.left_indent - fmt.right_indent
    assert Mm(50) < length < Mm(70)
    xml = doc.element.xml
    assert "___" not in xml
    assert not list(doc.element.iter(qn("w:u")))


def test_titles_are_bold_and_centred(doc):
    by_text = {normalise(p.text): p for p in doc.paragraphs}
    for text in ("QUYẾT ĐỊNH", "QUYẾT ĐỊNH:", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "Phụ lục"):
        paragraph = by_text[text]
        assert effective_alignment(paragraph) == WD_ALIGN_PARAGRAPH.CENTER, text
        assert all(run.bold for run in paragraph.runs), text
    summary = next(p for p in doc.paragraphs if p.text.startswith("Phê duyệt kết quả"))
    assert summary._p.findall(f"{qn('w:r')}/{qn('w:br')}"), "trích yếu is one paragraph, 2 lines"
    bases = [p for p in doc.paragraphs if p.text.startswith(("Căn cứ", "Theo đề nghị"))]
    assert len(bases) == 4 and all(run.italic for p in bases for run in p.runs)


def test_appendix_is_a_new_section_restarting_page_numbers(doc, rendered):
    first, appendix = doc.sections
    assert appendix.start_type == WD_SECTION.NEW_PAGE
    pg_num = appendix._sectPr.find(qn("w:pgNumType"))
    assert pg_num is not None and pg_num.get(qn("w:start")) == "1"
    for section in (first, appendix):
        assert section.different_first_page_header_footer
        first_page = section.first_page_header
        assert all(not p.text.strip() for p in first_page.paragraphs)
        assert not list(first_page._element.iter(qn("w:fldChar")))
        header = section.header
        assert has_page_field(header)
        field_paragraph = next(p for p in header.paragraphs if list(p._p.iter(qn("w:instrText"))))
        assert effective_alignment(field_paragraph) == WD_ALIGN_PARAGRAPH.CENTER
    # the appendix starts right after the signature block
    text = lines(rendered)
    assert text[text.index("Phụ lục") - 1].endswith("Trịnh Xuân Trường")


def test_signature_block_does_not_split(doc):
    table = next(t for t in doc.tables if "Nơi nhận:" in row_texts(t)[0][0])
    assert len(table.rows) == 1
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    label = table.rows[0].cells[0].paragraphs[0]
    assert label.runs[0].bold and label.runs[0].italic and label.runs[0].font.size == Pt(12)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} <= {"nil", "none"}


def test_results_table_header_rows_repeat_and_rows_do_not_split(doc):
    table = results_table(doc)
    rows = list(table.rows)
    for index, row in enumerate(rows):
        tr_pr = row._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None, index
        is_header = tr_pr.find(qn("w:tblHeader")) is not None
        assert is_header == (index < 2), index
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert len(widths) == 6 and abs(sum(widths) * 635 - Mm(165)) < Mm(1)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {(b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders} == {("single", "4")}


def test_results_table_content(doc):
    rows = row_texts(results_table(doc))
    expected = [
        ["TT", "Tên đơn vị", "Xếp hạng năm 2019", "Kết quả đánh giá năm 2020", "", ""],
        ["", "", "", "Tổng điểm", "Xếp hạng", "Xếp loại"],
    ]
    keys = ("tt", "ten", "xep_hang_truoc", "tong_diem", "xep_hang", "xep_loai")
    for group in EXAMPLE_CONTEXT["nhom"]:
        expected.append([group["nhan"], group["ten"], "", "", "", ""])  # the label, not the code
        for dv in group["don_vi"]:
            expected.append([dv[k] for k in keys])
        if group["khong_xep_hang"]:
            expected.append([EXAMPLE_CONTEXT["tieu_de_khong_xep_hang"], "", "", "", "", ""])
        for dv in group["khong_xep_hang"]:
            expected.append([dv["tt"], dv["ten"], dv["xep_hang_truoc"], dv["tong_diem"]])
            expected[-1] += [dv["ly_do"], ""]
    assert rows == expected


def test_no_band_text_without_grades(tmp_path):
    context = {**EXAMPLE_CONTEXT, "co_xep_loai": False, "muc_xep_loai": []}
    text = lines(render_example(tmp_path / "no-grades.docx", context=context))
    assert EXAMPLE_CONTEXT["tieu_de_xep_loai"] not in text
    assert "a) Thang điểm:" in text


def test_optional_paragraphs_disappear_when_empty(tmp_path):
    context = {**EXAMPLE_CONTEXT, "ghi_chu_dieu_1": "", "hieu_luc": ""}
    path = render_example(tmp_path / "short.docx", context=context)
    paragraphs = [p.text for p in Document(path).paragraphs]
    first = paragraphs.index("QUYẾT ĐỊNH:") + 1
    assert [p[:8] for p in paragraphs[first : first + 3]] == ["Điều 1. ", "Điều 2. ", "Điều 3. "]
    assert paragraphs[first + 3] == ""  # the paragraph that ends the section, no empty one
    everything = "\n".join(paragraphs)
    assert EXAMPLE_CONTEXT["hieu_luc"] not in everything
    assert EXAMPLE_CONTEXT["ghi_chu_dieu_1"] not in everything


def test_wording_comes_from_the_context(doc, rendered):
    text = lines(rendered)
    for key in ("dieu_1", "dieu_2", "dieu_3"):
        number = key[-1]
        assert f"Điều {number}. {EXAMPLE_CONTEXT[key]}" in text
    for key in ("ghi_chu_dieu_1", "hieu_luc", "tieu_de_phu_luc", "tieu_de_muc_1"):
        assert EXAMPLE_CONTEXT[key] in text, key
    for key in ("tieu_de_xep_loai", "tieu_de_ket_qua"):
        assert EXAMPLE_CONTEXT[key] in text, key
    assert all(basis in text for basis in EXAMPLE_CONTEXT["can_cu"])
    assert " ".join(EXAMPLE_CONTEXT["trich_yeu"]) in " ".join(text)


def test_values_come_out_exactly_as_given(doc):
    cells = {cell.text for row in results_table(doc).rows for cell in row.cells}
    assert TRICKY_NAME in cells
    assert {"96,34", "70,00", "48,18"} <= cells


def test_every_cell_has_a_paragraph(doc):
    cells = list(doc.element.body.iter(qn("w:tc")))
    assert cells
    assert all(tc.find(qn("w:p")) is not None for tc in cells)


def test_recipients_use_subscript_digits(doc):
    table = next(t for t in doc.tables if "Nơi nhận:" in row_texts(t)[0][0])
    runs = [r for p in table.rows[0].cells[0].paragraphs for r in p.runs]
    subscripts = [r.text for r in runs if r.font.subscript]
    assert subscripts == ["2", "1", "2", "1"]


def test_rendered_example_converts_to_pdf(rendered, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH: cannot convert the .docx to PDF")
    render_pages = load_module(ROOT / "tests" / "render_pages.py", "render_pages")
    pdf = render_pages.docx_to_pdf(rendered, tmp_path)
    assert pdf.is_file() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")
