"""The bundled Word templates: built by templates/build_template.py, layout and legal form only.

For both templates (lao-cai-2020, chuyen-doi-so-2026): the committed .docx is what the builder
makes, byte for byte and every time; every Jinja variable is one of the context's (spec
"Template context"), down to the keys of a group, a row, a main index and a Nơi nhận piece;
no province's or scheme's word is typed into the document. Then the layout of
chuyen-doi-so-2026, rendered from a hand-made context of 20 departments, 100 communes and 7
main indices: a landscape appendix numbered from 1, results with a column per main index
(equal widths, a grid docxtpl never has to change), header rows repeated on every page, rows
that never split, unranked units apart, the table "Xếp hạng theo chỉ số chính", and the same
template without grades or without main indices.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate
from lxml import etree
from test_template_layout import EXAMPLE_CONTEXT, ROOT, load_module, render_example, row_texts

from docx_reading import lines

PROFILES = ("lao-cai-2020", "chuyen-doi-so-2026")
DIGITAL = ROOT / "templates" / "chuyen-doi-so-2026" / "quyet-dinh.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The spec's "Template context": every top-level key, and the keys of its items.
CONTEXT_KEYS = {
    "co_quan_ban_hanh", "so_quyet_dinh", "dia_danh", "ngay_quyet_dinh", "ngay_quyet_dinh_ngan",
    "tinh", "nam", "nam_truoc", "tham_quyen", "so_to_trinh", "ngay_to_trinh", "chuc_vu_nguoi_ky",
    "nguoi_ky", "co_quan_viet_tat", "thang_diem", "muc_xep_loai", "chu_de", "chu_de_ngan",
    "co_quan_de_nghi", "trich_yeu", "can_cu", "dieu_1", "ghi_chu_dieu_1", "dieu_2", "dieu_3",
    "hieu_luc", "noi_nhan", "tieu_de_phu_luc", "tieu_de_muc_1", "tieu_de_xep_loai",
    "tieu_de_ket_qua", "tieu_de_chi_so", "tieu_de_khong_xep_hang", "co_xep_loai", "co_chi_so",
    "chi_so_chinh", "nhom", "ghi_chu",
}  # fmt: skip
GROUP_KEYS = {"ma", "nhan", "ten", "thang_diem", "so_don_vi", "so_khong_xep_hang", "don_vi"}
GROUP_KEYS |= {"khong_xep_hang"}
ROW_KEYS = {"tt", "ten", "xep_hang_truoc", "tong_diem", "diem_toi_da", "ty_le", "xep_hang"}
ROW_KEYS |= {"xep_loai", "thay_doi", "moi", "ly_do", "chi_so"}
PILLAR_KEYS = {"ma", "ten", "diem", "toi_da", "ty_le", "xep_hang"}  # chi_so_chinh: ma, ten
PIECE_KEYS = {"chu", "duoi"}
# The loop variables the templates use, and what each runs over.
ITEM_KEYS = {"g": GROUP_KEYS, "dv": ROW_KEYS, "cs": PILLAR_KEYS, "doan": PIECE_KEYS}

# Words of one province or one scheme: none may be typed into a template's text.
FORBIDDEN = (
    "Lào Cai", "CNTT", "công nghệ thông tin", "Thông tin và Truyền thông", "huyện",
    "chuyển đổi số",
)  # fmt: skip


def template(profile: str) -> Path:
    return ROOT / "templates" / profile / "quyet-dinh.docx"


def builder() -> Any:
    return load_module(ROOT / "templates" / "build_template.py", "build_template")


def fold(text: str) -> str:
    return " ".join(text.lower().split())


# --------------------------------------------------------------------------- both templates


@pytest.mark.parametrize("profile", PROFILES)
def test_committed_template_is_up_to_date(profile: str, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.docx"
    builder().build(fresh, profile)
    with zipfile.ZipFile(fresh) as new, zipfile.ZipFile(template(profile)) as old:
        assert sorted(new.namelist()) == sorted(old.namelist())
        parts = [n for n in new.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in parts and "word/styles.xml" in parts
        assert any(n.startswith("word/header") for n in parts)
        for name in parts:
            assert new.read(name) == old.read(name), (
                f"{name} differs: run `python templates/build_template.py` and commit the result"
            )
    assert fresh.read_bytes() == template(profile).read_bytes()


@pytest.mark.parametrize("profile", PROFILES)
def test_build_is_deterministic(profile: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    builder().build(first, profile)
    builder().build(second, profile)
    assert first.read_bytes() == second.read_bytes()


def test_builder_cli_builds_one_profile_or_all(tmp_path: Path) -> None:
    build = builder()
    out = tmp_path / "one.docx"
    assert build.main(["--profile", "chuyen-doi-so-2026", "--out", str(out)]) == 0
    assert out.read_bytes() == DIGITAL.read_bytes()
    with pytest.raises(SystemExit):
        build.main(["--out", str(out)])  # --out names one file: it needs --profile
    assert set(build.LAYOUTS) == set(PROFILES)


def patched_text(path: Path) -> str:
    """The template's body and headers as docxtpl hands them to Jinja."""
    tpl = DocxTemplate(path)
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for rel in tpl.docx.part.rels.values():
        if rel.reltype.endswith("/header") or rel.reltype.endswith("/footer"):
            parts.append(tpl.patch_xml(rel.target_part.blob.decode("utf-8")))
    return "".join(parts)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_variable_is_a_context_key(profile: str) -> None:
    path = template(profile)
    env = jinja2.Environment()
    undeclared = DocxTemplate(path).get_undeclared_template_variables(env)
    assert undeclared <= CONTEXT_KEYS, undeclared - CONTEXT_KEYS
    assert {"nhom", "noi_nhan", "can_cu", "trich_yeu", "co_xep_loai"} <= undeclared
    # the core properties docxtpl renders (author, title) use context keys too
    props = Document(path).core_properties
    for text in (props.author, props.title, props.subject, props.comments):
        found = jinja2.meta.find_undeclared_variables(env.parse(text))
        assert found <= CONTEXT_KEYS, (text, found)
    # and every key read from a group, a row, a main index or a Nơi nhận piece exists
    source = patched_text(path)
    used = set(re.findall(r"\b(g|dv|cs|doan)\.([a-z_]+)", source))
    assert used, "no loop variable found"
    wrong = {f"{item}.{key}" for item, key in used if key not in ITEM_KEYS[item]}
    assert not wrong, wrong
    loops = set(re.findall(r"{%-?r? ?for (\w+) in ", source))
    assert loops <= {"dong", "doan", *ITEM_KEYS, "i"}, loops


@pytest.mark.parametrize("profile", PROFILES)
def test_no_province_or_scheme_word_is_typed_into_the_template(profile: str) -> None:
    with zipfile.ZipFile(template(profile)) as package:
        for name in package.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(package.read(name))
            text = fold(" ".join(t.text or "" for t in root.iter(f"{W}t")))
            found = [word for word in FORBIDDEN if fold(word) in text]
            assert not found, (name, found)


@pytest.mark.parametrize("profile", PROFILES)
def test_core_properties_are_tags_or_neutral(profile: str) -> None:
    props = Document(template(profile)).core_properties
    assert props.author == "{{ co_quan_de_nghi }}"
    assert props.title.startswith("Quyết định {{ trich_yeu[0]")
    assert props.created.year == 2021 and props.modified == props.created
    if profile != "lao-cai-2020":  # docxtpl does not render it; 2020's bytes need their own
        assert props.last_modified_by == ""


# --------------------------------------------------------------------------- chuyen-doi-so-2026

PILLARS = [
    ("CS1", "Chuyển đổi nhận thức"),
    ("CS2", "Kiến tạo thể chế số"),
    ("CS3", "Hạ tầng và nền tảng số"),
    ("CS4", "Dữ liệu số"),
    ("CS5", "Hoạt động chính quyền số"),
    ("CS6", "An toàn thông tin mạng"),
    ("CS7", "Nhân lực số"),
]
GRADES = ("Dẫn dắt", "Nâng cao", "Hình thành", "Khởi động")
CHANGES = ("tăng 2", "giảm 3", "giữ nguyên", "")
REASON = "Cơ quan đặc thù về an ninh, không công bố xếp hạng"


def number(value: float) -> str:
    return f"{value:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def digital_row(tt: int, name: str, count: int, *, ranked: bool, grades: bool) -> dict:
    scores = [100 + (tt * 7 + k * 13) % 50 + k / 4 for k in range(count)]
    total = sum(scores)
    return {
        "tt": str(tt),
        "ten": name,
        "xep_hang_truoc": str(tt + 1) if tt % 5 else "—",
        "tong_diem": number(total),
        "diem_toi_da": "1.000",
        "ty_le": number(total / 10) + "%",
        "xep_hang": str(tt) if ranked else "",
        "xep_loai": GRADES[tt % 4] if grades else "",
        "thay_doi": CHANGES[tt % 4] if ranked else "",
        "moi": tt % 5 == 0,
        "ly_do": "" if ranked else REASON,
        "chi_so": [
            {
                "ma": code,
                "ten": title,
                "diem": number(score),
                "toi_da": "150",
                "ty_le": "",
                "xep_hang": str((tt + k) % 20 + 1) if ranked else "",
            }
            for k, ((code, title), score) in enumerate(zip(PILLARS * 2, scores, strict=False))
        ],
    }


def digital_group(nhan: str, title: str, names: list[str], unranked: int, **kw: Any) -> dict:
    rows = [
        digital_row(i, name, ranked=i <= len(names) - unranked, **kw)
        for i, name in enumerate(names, start=1)
    ]
    ranked = [r for r in rows if r["xep_hang"]]
    apart = [r for r in rows if not r["xep_hang"]]
    return {
        "ma": f"N{nhan}",
        "nhan": nhan,
        "ten": title,
        "thang_diem": "1.000",
        "so_don_vi": str(len(ranked)),
        "so_khong_xep_hang": str(len(apart)),
        "don_vi": ranked,
        "khong_xep_hang": apart,
    }


def digital_context(*, pillars: int = 7, grades: bool = True) -> dict:
    """20 departments (2 of them not ranked), 100 communes, ``pillars`` main indices."""
    kw = {"count": pillars, "grades": grades}
    departments = [f"Sở Ngành Thứ {i}" for i in range(1, 21)]
    communes = [f"Xã Miền Núi Số {i}" for i in range(1, 101)]
    pillar_list = [{"ma": c, "ten": t} for c, t in (PILLARS * 2)[:pillars]]
    return {
        **EXAMPLE_CONTEXT,
        "ghi_chu": [],
        "tham_quyen": "ỦY BAN NHÂN DÂN TỈNH HÒA PHONG",
        "chuc_vu_nguoi_ky": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        "trich_yeu": ["Công bố kết quả đánh giá, xếp hạng mức độ số hóa", "năm 2026"],
        "tieu_de_phu_luc": "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ SỐ HÓA NĂM 2026",
        "nam": "2026",
        "nam_truoc": "2025",
        "co_xep_loai": grades,
        "muc_xep_loai": EXAMPLE_CONTEXT["muc_xep_loai"] if grades else [],
        "co_chi_so": pillars > 0,
        "chi_so_chinh": pillar_list,
        "nhom": [
            digital_group("I", "Các sở, ban, ngành", departments, 2, **kw),
            digital_group("II", "UBND các xã, phường", communes, 1, **kw),
        ],
    }


@pytest.fixture(scope="module")
def digital(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("digital") / "quyet-dinh.docx"
    return render_example(out, DIGITAL, digital_context())


@pytest.fixture(scope="module")
def digital_doc(digital: Path) -> Any:
    return Document(digital)


def grid_widths(table: Any) -> list[int]:
    return [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]


def cell_widths(table: Any, tr: Any) -> list[int]:
    """Each cell's width in twips: the sum of the grid columns it spans."""
    widths, start = [], 0
    grid = grid_widths(table)
    for tc in tr.tc_lst:
        widths.append(sum(grid[start : start + tc.grid_span]))
        start += tc.grid_span
    return widths


def results(doc: Any) -> Any:
    return next(t for t in doc.tables if row_texts(t)[0][:2] == ["TT", "Tên đơn vị"])


def pillar_table(doc: Any) -> Any:
    found = [t for t in doc.tables if row_texts(t)[0][:2] == ["TT", "Tên đơn vị"]]
    return found[1]


def test_the_appendix_is_landscape_and_numbered_from_1(digital_doc: Any) -> None:
    decision, appendix = digital_doc.sections
    assert decision.orientation == WD_ORIENT.PORTRAIT
    assert abs(decision.page_width - Mm(210)) < Mm(0.5)
    assert appendix.start_type == WD_SECTION.NEW_PAGE
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert abs(appendix.page_width - Mm(297)) < Mm(0.5)
    assert abs(appendix.page_height - Mm(210)) < Mm(0.5)
    for margin, mm in (
        (appendix.top_margin, 20),
        (appendix.bottom_margin, 20),
        (appendix.left_margin, 30),
        (appendix.right_margin, 15),
    ):
        assert abs(margin - Mm(mm)) < Mm(0.1)
    pg_num = appendix._sectPr.find(qn("w:pgNumType"))
    assert pg_num is not None and pg_num.get(qn("w:start")) == "1"
    assert appendix.different_first_page_header_footer
    assert list(appendix.header._element.iter(qn("w:instrText")))


def test_every_table_fills_its_grid_and_the_grid_is_small_enough_for_word(
    digital_doc: Any,
) -> None:
    for table in digital_doc.tables:
        columns = len(grid_widths(table))
        assert columns <= 63  # Word's limit
        for tr in table._tbl.tr_lst:
            assert sum(tc.grid_span for tc in tr.tc_lst) == columns


@pytest.mark.parametrize("which", ["results", "pillars"])
def test_header_rows_repeat_and_no_row_splits(digital_doc: Any, which: str) -> None:
    table = results(digital_doc) if which == "results" else pillar_table(digital_doc)
    assert len(table.rows) > 100  # the communes' table runs over several pages
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None, index
        assert (tr_pr.find(qn("w:tblHeader")) is not None) == (index < 2), index
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {(b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders} == {("single", "4")}
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert abs(sum(grid_widths(table)) * 635 - Mm(252)) < Mm(1)


def test_results_have_a_column_per_main_index_of_equal_width(digital_doc: Any) -> None:
    table = results(digital_doc)
    head1, head2 = row_texts(table)[:2]
    names = [t for t in head2 if t]
    assert names == [name for _, name in PILLARS]
    assert "Điểm các chỉ số chính" in head1
    for heading in ("Tổng điểm", "Tỷ lệ (%)", "Mức độ", "Xếp hạng", "Thay đổi"):
        assert heading in head1, heading
    assert "Xếp hạng năm 2025" in head1
    # the names are printed bottom to top, in a row tall enough for two lines of them
    name_cells = [tc for tc in table.rows[1]._tr.tc_lst if tc.vMerge != "continue"]
    assert len(name_cells) == len(PILLARS)
    for tc in name_cells:
        assert tc.tcPr.find(qn("w:textDirection")).get(qn("w:val")) == "btLr"
    unit_row = table.rows[3]._tr  # group I's title is row 2, its first unit row 3
    widths = cell_widths(table, unit_row)[2 : 2 + len(PILLARS)]
    assert max(widths) - min(widths) <= 1, widths
    assert abs(sum(widths) * 635 - Mm(102)) < Mm(0.5)
    assert widths[0] * 635 > Mm(14)  # holds "230,62" at 11 pt


@pytest.mark.parametrize("pillars", [1, 3, 5, 8, 10, 12])
def test_any_number_of_main_indices_fills_the_block(pillars: int, tmp_path: Path) -> None:
    path = render_example(tmp_path / "n.docx", DIGITAL, digital_context(pillars=pillars))
    doc = Document(path)
    table = results(doc)
    unit_row = table.rows[3]._tr
    assert len(unit_row.tc_lst) == 2 + pillars + 6
    widths = cell_widths(table, unit_row)[2 : 2 + pillars]
    assert abs(sum(widths) * 635 - Mm(102)) < Mm(0.5)
    spread = 1 if pillars <= 10 else max(grid_widths(table))  # exact up to 10, near beyond
    assert max(widths) - min(widths) <= spread, widths
    section_3 = pillar_table(doc)
    cells = cell_widths(section_3, section_3.rows[3]._tr)[2:]
    assert len(cells) == 2 * pillars
    per_index = [a + b for a, b in zip(cells[::2], cells[1::2], strict=True)]
    if pillars <= 8:
        assert max(per_index) - min(per_index) <= 1, per_index
    for table in doc.tables:
        for tr in table._tbl.tr_lst:
            assert sum(tc.grid_span for tc in tr.tc_lst) == len(grid_widths(table))


def test_results_rows_groups_and_units_apart(digital: Path, digital_doc: Any) -> None:
    rows = row_texts(results(digital_doc))
    context = digital_context()
    body = [[cell for cell in row if cell] for row in rows[2:]]
    expected: list[list[str]] = []
    for group in context["nhom"]:
        expected.append([group["nhan"], f"{group['ten']} ({group['so_don_vi']} đơn vị)"])
        for dv in group["don_vi"]:
            scores = [cs["diem"] for cs in dv["chi_so"]]
            tail = [dv["xep_hang"], dv["xep_hang_truoc"], dv["thay_doi"]]
            row = [dv["tt"], dv["ten"], *scores, dv["tong_diem"], dv["ty_le"], dv["xep_loai"]]
            expected.append([c for c in [*row, *tail] if c])
        title = context["tieu_de_khong_xep_hang"]
        expected.append([f"{title} ({group['so_khong_xep_hang']} đơn vị)"])
        for dv in group["khong_xep_hang"]:
            scores = [cs["diem"] for cs in dv["chi_so"]]
            row = [dv["tt"], dv["ten"], *scores, dv["tong_diem"], dv["ty_le"], dv["xep_loai"]]
            expected.append([*row, dv["ly_do"]])
    assert body == expected
    text = lines(digital)
    assert "Đơn vị tính: điểm" in text


def test_pillar_table_gives_score_and_rank_in_the_group(digital_doc: Any) -> None:
    rows = row_texts(pillar_table(digital_doc))
    assert [t for t in rows[0][2:] if t] == [name for _, name in PILLARS]
    assert [t for t in rows[1][2:] if t] == ["Điểm", "Xếp hạng"] * len(PILLARS)
    first = digital_context()["nhom"][0]["don_vi"][0]
    cells = [t for t in rows[3] if t]
    expected = [first["tt"], first["ten"]]
    expected += [v for cs in first["chi_so"] for v in (cs["diem"], cs["xep_hang"])]
    assert cells == expected


def test_wide_tables_are_11_pt_times_new_roman(digital_doc: Any) -> None:
    style = digital_doc.styles["Table Text"]
    assert style.font.size == Pt(11)
    styles = digital_doc.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        assert rfonts.get(qn("w:hAnsi")) == "Times New Roman"
        assert rfonts.get(qn("w:ascii")) == "Times New Roman"
    for rfonts in digital_doc.element.iter(qn("w:rFonts")):
        assert rfonts.get(qn("w:hAnsi")) == "Times New Roman"


def test_the_decision_part_is_the_shared_one(digital: Path) -> None:
    text = lines(digital)
    assert text[text.index("QUYẾT ĐỊNH") + 1 : text.index("QUYẾT ĐỊNH") + 3] == [
        "Công bố kết quả đánh giá, xếp hạng mức độ số hóa",
        "năm 2026",
    ]
    for key in ("dieu_1", "dieu_2", "dieu_3"):
        assert f"Điều {key[-1]}. {EXAMPLE_CONTEXT[key]}" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text
    assert "- CVP, PCVP₂;" in text


def test_without_grades_there_is_no_grade_column_or_band_text(tmp_path: Path) -> None:
    path = render_example(tmp_path / "g.docx", DIGITAL, digital_context(grades=False))
    doc = Document(path)
    head = row_texts(results(doc))[0]
    assert "Mức độ" not in head and "Tỷ lệ (%)" in head
    assert EXAMPLE_CONTEXT["tieu_de_xep_loai"] not in lines(path)
    unit_row = results(doc).rows[3]._tr
    assert len(unit_row.tc_lst) == 2 + len(PILLARS) + 5


def test_without_main_indices_there_are_no_index_columns_nor_table(tmp_path: Path) -> None:
    path = render_example(tmp_path / "p.docx", DIGITAL, digital_context(pillars=0))
    doc = Document(path)
    tables = [t for t in doc.tables if row_texts(t)[0][:2] == ["TT", "Tên đơn vị"]]
    assert len(tables) == 1
    rows = row_texts(tables[0])
    assert "Điểm các chỉ số chính" not in rows[0]
    header = [r for r in tables[0].rows if r._tr.trPr.find(qn("w:tblHeader")) is not None]
    assert len(header) == 1
    assert EXAMPLE_CONTEXT["tieu_de_chi_so"] not in lines(path)
    name_cell = tables[0].rows[2]._tr.tc_lst[1]
    widths = cell_widths(tables[0], tables[0].rows[2]._tr)
    assert name_cell.grid_span > 1 and widths[1] * 635 > Mm(140)


def test_rendered_digital_decision_converts_to_pdf(digital: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH: cannot convert the .docx to PDF")
    render_pages = load_module(ROOT / "tests" / "render_pages.py", "render_pages")
    pdf = render_pages.docx_to_pdf(digital, tmp_path)
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
