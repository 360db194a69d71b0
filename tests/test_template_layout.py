"""Layout tests of the decision template (templates/lao-cai-2020/quyet-dinh.docx).

The template is built by templates/build_template.py; these tests check that the committed
.docx is up to date with that script, that its variables are exactly the context contract,
and that a rendered example has the Decree 30/2020 layout (page, fonts, header table, drawn
lines, sections and page numbers, results table) and the text of the 2020 Lào Cai decision.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
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


def unit(tt: str, ten: str, truoc: str, diem: str, hang: str, loai: str) -> dict:
    """One row of the results table, as the processor hands it to the template."""
    return {
        "tt": tt,
        "ten": ten,
        "xep_hang_truoc": truoc,
        "tong_diem": diem,
        "xep_hang": hang,
        "xep_loai": loai,
        "thay_doi": "",
        "moi": False,
    }


TRICKY_NAME = 'Ban "A" & <B>'

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
    "nhom": [
        {
            "ma": "I",
            "ten": "Các cơ quan, đơn vị có TTHC",
            "thang_diem": "100",
            "don_vi": [
                unit("1", "Sở Thông tin và Truyền thông", "3", "96,34", "1", "Tốt"),
                unit("2", "Sở Kế hoạch và Đầu tư", "1", "96,03", "2", "Tốt"),
                unit("3", "Ban Quản lý khu kinh tế Lào Cai", "2", "89,27", "3", "Tốt"),
                unit("4", TRICKY_NAME, "17", "70,00", "4", "Khá"),
            ],
        },
        {
            "ma": "II",
            "ten": "Các cơ quan, đơn vị đặc thù hoặc không có TTHC",
            "thang_diem": "70",
            "don_vi": [
                unit("1", "Văn phòng UBND tỉnh", "3", "65,60", "1", "Tốt"),
                unit("2", "Sở Ngoại vụ", "2", "65,15", "2", "Tốt"),
                unit("3", "Vườn Quốc gia Hoàng Liên", "5", "48,18", "3", "Yếu"),
            ],
        },
        {
            "ma": "III",
            "ten": "UBND cấp huyện",
            "thang_diem": "100",
            "don_vi": [
                unit("1", "UBND huyện Bảo Yên", "1", "89,34", "1", "Tốt"),
                unit("2", "UBND huyện Si Ma Cai", "4", "87,74", "2", "Tốt"),
                unit("3", "UBND huyện Sa Pa", "9", "81,18", "3", "Khá"),
            ],
        },
    ],
}

# --------------------------------------------------------------------------- helpers


def render_example(out: Path, template: Path = TEMPLATE) -> Path:
    """Render the example context as the processor does (StrictUndefined, autoescape)."""
    tpl = DocxTemplate(template)
    jinja_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    tpl.render(EXAMPLE_CONTEXT, jinja_env, autoescape=True)
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


def test_committed_template_is_up_to_date(tmp_path):
    builder = load_module(ROOT / "templates" / "build_template.py", "build_template")
    fresh = tmp_path / "fresh.docx"
    builder.build(fresh)
    with zipfile.ZipFile(fresh) as new, zipfile.ZipFile(TEMPLATE) as old:
        assert sorted(new.namelist()) == sorted(old.namelist())
        parts = [n for n in new.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in parts and "word/styles.xml" in parts
        assert any(n.startswith("word/header") for n in parts)
        for name in parts:
            assert new.read(name) == old.read(name), (
                f"{name} differs: run `python templates/build_template.py` and commit the result"
            )


def test_build_is_deterministic(tmp_path):
    builder = load_module(ROOT / "templates" / "build_template.py", "build_template")
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    builder.build(first)
    builder.build(second)
    assert first.read_bytes() == second.read_bytes()


def test_template_variables_are_the_context_contract():
    variables = DocxTemplate(TEMPLATE).get_undeclared_template_variables()
    assert variables == set(EXAMPLE_CONTEXT)


def test_core_properties_are_fixed():
    props = Document(TEMPLATE).core_properties
    assert props.author == "Sở Thông tin và Truyền thông"
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
    for group in EXAMPLE_CONTEXT["nhom"]:
        expected.append([group["ma"], group["ten"], "", "", "", ""])
        for dv in group["don_vi"]:
            keys = ("tt", "ten", "xep_hang_truoc", "tong_diem", "xep_hang", "xep_loai")
            expected.append([dv[k] for k in keys])
    assert rows == expected


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
