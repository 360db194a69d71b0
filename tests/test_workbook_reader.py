"""The streaming .xlsx reader: same values as openpyxl, plus what openpyxl's read-only mode lacks.

Differential tests write workbooks with openpyxl and check that our reader and openpyxl's
read-only, data-only reader see the same values; the other tests write the XML by hand for
what openpyxl never writes (cached formula values, shared strings, hidden rows, 1904 dates…).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from reference_reader import openpyxl_rows

from processor.core.problems import InputError
from processor.core.sheet import ExcelError, Sheet
from processor.reading import formats, limits
from processor.reading.workbook import read_workbook

import hostile_files as hf
from conftest import SAMPLE
from hostile_files import SHEET, rewrite, valid_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"


# -- differential: workbooks written by openpyxl --------------------------------------------------

_xml_text = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from(
    "\n\t\r &<>\"'"
)
texts = st.text(_xml_text, max_size=12).filter(lambda s: not s.startswith("=") and "_x" not in s)
vietnamese = st.sampled_from(
    [
        "Sở Thông tin và Truyền thông",
        unicodedata.normalize("NFD", "Sở Thông tin và Truyền thông"),
        "  Ban Dân tộc  ",
        "UBND huyện\nBảo Yên",
        'Ban "Đặc biệt" & <Thử nghiệm>',
        "",
        " ",
    ]
)
numbers = st.one_of(
    st.integers(-(10**15), 10**15),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1 + 0.2, 12.35, -0.5, 1e-10, 96.34, 42.5, 1e300, -0.0]),
)
moments = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.times(),
)
rich = st.lists(texts, min_size=1, max_size=3).map(
    lambda parts: CellRichText([parts[0], *(TextBlock(InlineFont(b=True), p) for p in parts[1:])])
)
FORMULAS = ["=SUM(A1:B2)", "=1+1", '="a"&"b"', "=A1*2"]
cells = st.one_of(
    texts,
    vietnamese,
    numbers,
    moments,
    st.booleans(),
    st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"]),
    rich,
    st.sampled_from(FORMULAS),
    st.tuples(numbers, st.sampled_from(["0%", "0.00%", "0.0"])),  # a number with a format
)
grids = st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 12)), cells, max_size=40)


def write_grid(path: Path, grid: dict[tuple[int, int], Any], epoch: Any = None) -> None:
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "Điểm"
    for (row, column), value in grid.items():
        cell = sheet.cell(row, column)
        if isinstance(value, tuple):
            cell.value, cell.number_format = value
        else:
            cell.value = value
    book.create_sheet("Ghi chú")["A1"] = "bỏ qua"
    book.create_sheet("Thông tin")["A1"] = "Năm đánh giá"
    book.save(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids, date1904=st.booleans())
def test_values_equal_openpyxl_read_only(grid: dict[tuple[int, int], Any], date1904: bool):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bang-diem.xlsx"
        write_grid(path, grid, CALENDAR_MAC_1904 if date1904 else None)
        book = read_workbook(path)
        sheet = book.sheets["Điểm"]
        assert sheet.rows == openpyxl_rows(path, "Điểm")
        assert list(sheet.rows) == sorted(sheet.rows)
        assert book.sheet_names == ("Điểm", "Ghi chú", "Thông tin")
        assert set(book.sheets) == {"Điểm", "Thông tin"}
        formulas = {p for p, v in grid.items() if isinstance(v, str) and v.startswith("=")}
        assert sheet.formulas_without_value == formulas  # openpyxl writes no cached values
        percent = {
            p
            for p, v in grid.items()
            if isinstance(v, tuple) and "%" in v[1] and not isinstance(v[0], bool)
        }
        assert sheet.percent_cells == percent


def test_every_kind_of_value_at_once(tmp_path):
    grid = {
        (1, 1): 0.1 + 0.2,
        (1, 2): -(2**60),
        (1, 3): "A & B < C > \"D\" 'E'",
        (1, 5): unicodedata.normalize("NFD", "Nguyễn Văn Ánh"),
        (1, 6): "  khoảng trắng  ",
        (1, 7): "dòng 1\ndòng 2",
        (2, 3): dt.datetime(2021, 1, 8, 10, 30),
        (2, 4): dt.date(2021, 1, 8),
        (2, 5): True,
        (3, 1): CellRichText(["Sở ", TextBlock(InlineFont(b=True), "Tư pháp")]),
        (3, 2): "=SUM(A1:A2)",
        (5, 3): "bắt đầu ở cột C",
        (9, 12): 7,
    }
    path = tmp_path / "bang-diem.xlsx"
    write_grid(path, grid)
    sheet = read_workbook(path).sheets["Điểm"]
    assert sheet.rows == openpyxl_rows(path, "Điểm")
    assert sheet.value(1, 1) == 0.3  # openpyxl writes 0.1 + 0.2 with 15 digits
    assert sheet.value(1, 5) == unicodedata.normalize("NFD", "Nguyễn Văn Ánh")  # as typed
    assert sheet.value(2, 3) == dt.datetime(2021, 1, 8, 10, 30)
    assert sheet.value(3, 1) == "Sở Tư pháp"
    assert sheet.rows[5] == (None, None, "bắt đầu ở cột C")
    assert 4 not in sheet.rows and sheet.value(4, 1) is None
    assert sheet.formulas_without_value == {(3, 2)}
    assert sheet.value(3, 2) is None


def test_the_sample_workbook_reads_exactly_as_openpyxl_reads_it():
    book = read_workbook(SAMPLE)
    assert book.sheet_names == ("Điểm", "Thông tin", "Ghi chú")
    for name in ("Điểm", "Thông tin"):
        assert book.sheets[name].rows == openpyxl_rows(SAMPLE, name)
    assert not book.has_macros


# -- hand-written parts: what openpyxl never writes ---------------------------------------------


def raw_xlsx(
    path: Path,
    sheets: list[tuple[str, str]],
    *,
    strings: list[str] | None = None,
    formats: list[str] | None = None,
    date1904: bool = False,
    absolute: bool = False,
    strict: bool = False,
) -> Path:
    """A workbook written part by part: `sheets` are (name, XML inside <worksheet>); `strings`
    are <si> bodies; `formats[i]` is the number format code of cell style i."""
    ns, rel_ns = (STRICT, STRICT_REL) if strict else (MAIN, REL)
    prefix = "/xl/" if absolute else ""
    sheet_list = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _) in enumerate(sheets, start=1)
    )
    relationships = "".join(
        f'<Relationship Id="rId{n}" Type="{REL}/worksheet" '
        f'Target="{prefix}worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    relationships += f'<Relationship Id="rIdS" Type="{REL}/styles" Target="{prefix}styles.xml"/>'
    if strings is not None:
        relationships += (
            f'<Relationship Id="rIdT" Type="{REL}/sharedStrings" '
            f'Target="{prefix}sharedStrings.xml"/>'
        )
    formats = formats or ["General"]
    custom = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
        for i, code in enumerate(formats)
    )
    xfs = "".join(f'<xf numFmtId="{164 + i}" xfId="0"/>' for i in range(len(formats)))
    workbook_pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{rel_ns}">{workbook_pr}'
        f"<sheets>{sheet_list}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships">{relationships}</Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{ns}"><numFmts>{custom}</numFmts>'
        f'<cellStyleXfs><xf numFmtId="10"/></cellStyleXfs><cellXfs>{xfs}</cellXfs></styleSheet>',
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{ns}">' + "".join(f"<si>{s}</si>" for s in strings) + "</sst>"
        )
    for n, (_, body) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = f'<worksheet xmlns="{ns}">{body}</worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return path


def score_sheet(tmp_path: Path, rows: str, tail: str = "", **options: Any) -> Sheet:
    path = raw_xlsx(
        tmp_path / "bang-diem.xlsx",
        [("Điểm", f"<sheetData>{rows}</sheetData>{tail}"), ("Thông tin", "<sheetData/>")],
        **options,
    )
    return read_workbook(path).sheets["Điểm"]


def test_cached_formula_values_are_read_and_missing_ones_are_listed(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><f>1+2</f><v>3</v></c>'
        '<c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="D1" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="E1"><f>1+1</f></c>'
        '<c r="F1"><f>1+1</f><v></v></c>'
        '<c r="G1" t="str"><f>""</f><v/></c>'  # Excel's cached empty string
        '<c r="H1" t="e"><f>NA()</f><v>#N/A</v></c></row>'
    )
    sheet = score_sheet(tmp_path, rows)
    assert sheet.rows[1] == (3, "ab", "#DIV/0!", True, None, None, None, "#N/A")
    assert isinstance(sheet.value(1, 3), ExcelError)
    assert isinstance(sheet.value(1, 8), ExcelError)
    assert sheet.formulas_without_value == {(1, 5), (1, 6)}


def test_cached_values_added_to_an_openpyxl_workbook(tmp_path):
    """openpyxl writes formulas without values; Excel adds them on save: rewrite the zip."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append([1, 2, "=A1+B1", "=A1/0", "=C1*2"])
    book.create_sheet("Thông tin")
    path = tmp_path / "cong-thuc.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(SHEET).decode()
    xml = xml.replace("<f>A1+B1</f>", "<f>A1+B1</f><v>3</v>")
    xml = re.sub(r'<c r="D1"( t="\w+")?>', '<c r="D1" t="e">', xml)
    xml = xml.replace("<f>A1/0</f>", "<f>A1/0</f><v>#DIV/0!</v>")
    cached = rewrite(path, tmp_path / "da-luu.xlsx", replace={SHEET: xml.encode()})
    read = read_workbook(cached).sheets["Điểm"]
    assert read.rows[1] == (1, 2, 3, "#DIV/0!")
    assert read.rows[1] == openpyxl_rows(cached, "Điểm")[1]
    assert read.value(1, 4) == ExcelError("#DIV/0!")
    assert read.formulas_without_value == {(1, 5)}


def test_numbers_keep_every_digit_written(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><v>0.30000000000000004</v></c><c r="B1"><v>-1152921504606846976</v>'
        '</c><c r="C1"><v>1E-3</v></c><c r="D1"><v>12.35</v></c><c r="E1"><v>42</v></c></row>'
    )
    values = score_sheet(tmp_path, rows).rows[1]
    assert values == (0.1 + 0.2, -(2**60), 0.001, 12.35, 42)
    assert [type(v) for v in values] == [float, int, float, float, int]


def test_shared_formulas_count_as_formulas(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f>'
        "<v>2</v></c></row>"
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/></c></row>'
        '<row r="4"><c r="B4"><f t="array" ref="B4">SUM(A1:A3)</f></c></row>'
    )
    sheet = score_sheet(tmp_path, rows)
    assert sheet.rows == {1: (1, 2), 2: (2, 4), 3: (3,)}
    assert sheet.formulas_without_value == {(3, 2), (4, 2)}


def test_percent_cells_by_builtin_and_custom_formats(tmp_path):
    formats = ["General", "0%", "0.00%", '0.0"%"', "[Red]0.0%;-0%", "#,##0\\%", "0.00_%"]
    rows = '<row r="1">' + "".join(
        f'<c r="{chr(65 + i)}1" s="{i}"><v>0.5</v></c>' for i in range(len(formats))
    )
    rows += '<c r="H1" s="1" t="s"><v>0</v></c></row>'  # text under a % format: not a number
    rows += '<row r="2"><c r="A2" s="7"><v>0.25</v></c><c r="B2" s="8"><v>0.25</v></c></row>'
    path = raw_xlsx(
        tmp_path / "bang-diem.xlsx",
        [("Điểm", f"<sheetData>{rows}</sheetData>")],
        strings=["<t>chữ</t>"],
        formats=formats,
    )
    # styles 7 and 8 use the built-in formats 9 (0%) and 10 (0.00%)
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    styles = styles.replace("</cellXfs>", '<xf numFmtId="9"/><xf numFmtId="10"/></cellXfs>')
    path = rewrite(path, tmp_path / "phan-tram.xlsx", replace={"xl/styles.xml": styles.encode()})
    sheet = read_workbook(path).sheets["Điểm"]
    assert sheet.percent_cells == {(1, 2), (1, 3), (1, 5), (2, 1), (2, 2)}
    assert sheet.value(1, 2) == 0.5  # the value is the number stored, not 50


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%;[Red]-#,##0.0%", True),
        ('0"%"', False),
        ("0\\%", False),
        ("[$%-409]0", False),
        ("0_%", False),
        ("General", False),
    ],
)
def test_percent_format_codes(code, percent):
    assert formats.is_percent_format(code) is percent


def test_merged_ranges_hidden_rows_and_columns(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>TT</t></is></c></row>'
        '<row r="3" hidden="1"><c r="A3"><v>3</v></c></row>'
        '<row r="4" hidden="true"/>'
        '<row r="5" hidden="0"><c r="A5"><v>5</v></c></row>'
    )
    sheet = score_sheet(
        tmp_path,
        rows,
        tail='<mergeCells count="2"><mergeCell ref="B3:C4"/><mergeCell ref="A10:Z10"/>'
        "</mergeCells>",
    )
    assert sheet.merged == ("B3:C4", "A10:Z10")
    assert sheet.hidden_rows == {3, 4}
    assert sheet.rows == {1: ("TT",), 3: (3,), 5: (5,)}
    cols = (
        '<cols><col min="2" max="3" width="0" hidden="1"/><col min="5" max="5" hidden="0"/>'
        '<col min="16000" max="99999" hidden="1"/></cols>'
    )
    path = raw_xlsx(
        tmp_path / "cot-an.xlsx",
        [("Điểm", f'{cols}<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>')],
    )
    hidden = read_workbook(path).sheets["Điểm"].hidden_columns
    assert hidden == {2, 3, *range(16000, 16385)}  # clipped to column XFD


def test_dates_in_the_1904_system(tmp_path):
    rows = '<row r="1"><c r="A1" s="0"><v>1</v></c><c r="B1" s="0"><v>42003.5</v></c></row>'
    sheet = score_sheet(tmp_path, rows, formats=["dd/mm/yyyy"], date1904=True)
    assert sheet.rows[1] == (dt.datetime(1904, 1, 2), dt.datetime(2018, 12, 31, 12, 0))
    windows = score_sheet(tmp_path, rows, formats=["dd/mm/yyyy"])
    assert windows.rows[1] == (dt.datetime(1900, 1, 1), dt.datetime(2014, 12, 30, 12, 0))


def test_iso_dates_inline_strings_and_cells_without_references(tmp_path):
    rows = (
        '<row><c t="d"><v>2021-01-08T00:00:00</v></c><c t="d"><v>2021-01-15</v></c></row>'
        '<row><c t="inlineStr"><is><t xml:space="preserve">  cách  </t></is></c>'
        '<c t="inlineStr"><is><r><t>Sở </t></r><r><rPr><b/></rPr><t>Y tế</t></r>'
        "<rPh><t>ふりがな</t></rPh></is></c><c/><c><v>4</v></c></row>"
        '<row r="5"><c r="C5"><v>1</v></c><c><v>2</v></c></row>'
        "<row><c><v>6</v></c></row>"
    )
    sheet = score_sheet(tmp_path, rows)
    assert sheet.rows == {
        1: (dt.datetime(2021, 1, 8), dt.date(2021, 1, 15)),
        2: ("  cách  ", "Sở Y tế", None, 4),
        5: (None, None, 1, 2),
        6: (6,),
    }


def test_an_iso_date_no_calendar_can_hold_is_kept_as_its_text(tmp_path):
    rows = '<row><c t="d"><v>PT99999999999999H</v></c><c t="d"><v>9999-99-99</v></c></row>'
    sheet = score_sheet(tmp_path, rows)
    assert sheet.rows == {1: ("PT99999999999999H", "9999-99-99")}


def test_shared_strings_plain_rich_phonetic_and_escaped(tmp_path):
    strings = [
        "<t>Sở Tư pháp</t>",
        '<r><t xml:space="preserve">Ban </t></r><r><rPr><b/></rPr><t>Dân tộc</t></r>',
        '<t>東京</t><rPh sb="0" eb="2"><t>とうきょう</t></rPh>',
        "<t>dòng 1_x000D_\ndòng 2</t>",
        "<t>_x005F_x0041_ và _x0041_</t>",
        "<t>_x0001_ giữ nguyên</t>",  # a control character Word could not carry
        "<t/>",
    ]
    rows = '<row r="1">' + "".join(
        f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(strings))
    )
    sheet = score_sheet(tmp_path, rows + "</row>", strings=strings)
    assert sheet.rows[1] == (
        "Sở Tư pháp",
        "Ban Dân tộc",
        "東京",
        "dòng 1\r\ndòng 2",
        "_x0041_ và A",
        "_x0001_ giữ nguyên",
        "",
    )


def test_strict_open_xml_and_absolute_targets(tmp_path):
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2.5</v></c></row>'
    for options in ({"strict": True}, {"absolute": True}):
        sheet = score_sheet(tmp_path, rows, strings=["<t>TT</t>"], **options)
        assert sheet.rows == {1: ("TT", 2.5)}


def test_sheet_names_match_like_headers_and_the_first_match_wins(tmp_path):
    nfd = unicodedata.normalize("NFD", " điểm ")
    path = raw_xlsx(
        tmp_path / "bang-diem.xlsx",
        [
            ("Ghi chú", '<sheetData><row r="1"><c r="A1"><v>0</v></c></row></sheetData>'),
            (nfd, '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'),
            ("ĐIỂM", '<sheetData><row r="1"><c r="A1"><v>2</v></c></row></sheetData>'),
        ],
    )
    book = read_workbook(path)
    assert book.sheet_names == ("Ghi chú", nfd, "ĐIỂM")
    assert book.sheets["Điểm"].name == nfd
    assert book.sheets["Điểm"].rows == {1: (1,)}
    assert "Thông tin" not in book.sheets


def test_rows_out_of_order_or_repeated_come_out_sorted(tmp_path):
    rows = (
        '<row r="5"><c r="A5"><v>5</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="C2"><v>3</v></c></row>'
        '<row r="2"><c r="B2"><v>9</v></c></row>'
    )
    sheet = score_sheet(tmp_path, rows)
    assert list(sheet.rows.items()) == [(2, (2, 9, 3)), (5, (5,))]


def test_a_claimed_dimension_costs_nothing(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    sheet = score_sheet(tmp_path, rows)
    path = raw_xlsx(
        tmp_path / "lon.xlsx",
        [("Điểm", f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData>')],
    )
    assert read_workbook(path).sheets["Điểm"].rows == sheet.rows == {1: (1,)}


def test_a_macro_enabled_workbook_is_read_and_flagged(tmp_path):
    from hostile_files import xlsm_workbook

    book = read_workbook(xlsm_workbook(tmp_path))
    assert book.has_macros
    assert book.sheets["Điểm"].value(2, 2) == "Sở Tư pháp"
    assert not read_workbook(valid_workbook(tmp_path)).has_macros


# -- refusals inside the reader -----------------------------------------------------------------


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.place == path.name
    return problem.message


def test_broken_cell_contents_name_the_cell(tmp_path):
    cases = {
        '<c r="B2"><v>abc</v></c>': "ô Điểm!B2 ghi số không hợp lệ «abc»",
        '<c r="C2" t="s"><v>7</v></c>': "ô Điểm!C2 trỏ tới chuỗi dùng chung số «7»",
        '<c r="C2" t="s"><v>-1</v></c>': "ô Điểm!C2 trỏ tới chuỗi dùng chung số «-1»",
        '<c r="D2" t="b"><v>maybe</v></c>': "ô Điểm!D2 ghi giá trị đúng/sai",
        '<c r="XFE2"><v>1</v></c>': "vị trí ô không hợp lệ «XFE»",
        '<c r="A0A"><v>1</v></c>': "vị trí ô không hợp lệ",
    }
    for number, (cell, words) in enumerate(cases.items()):
        path = raw_xlsx(
            tmp_path / f"hong-{number}.xlsx",
            [("Điểm", f'<sheetData><row r="2">{cell}</row></sheetData>')],
            strings=["<t>một</t>"],
        )
        message = refusal(path)
        assert message.startswith("Tệp hỏng: "), message
        assert words in message
        assert "mở bằng Excel và lưu lại" in message


def test_row_numbers_beyond_excel_are_refused(tmp_path):
    for row in ('<row r="1048577"/>', '<row r="x"/>', '<row r="2.5"/>'):
        path = raw_xlsx(tmp_path / "hang.xlsx", [("Điểm", f"<sheetData>{row}</sheetData>")])
        assert refusal(path).startswith("Tệp hỏng: ")
    path = raw_xlsx(tmp_path / "hang.xlsx", [("Điểm", '<sheetData><row r="3.0"/></sheetData>')])
    assert read_workbook(path).sheets["Điểm"].rows == {}


def test_limits_on_rows_and_cells(tmp_path, monkeypatch):
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="C{n}"><v>1</v></c></row>'
        for n in range(1, 4)
    )
    path = raw_xlsx(tmp_path / "bang-diem.xlsx", [("Điểm", f"<sheetData>{rows}</sheetData>")])
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    message = refusal(path)
    assert message.startswith("Bảng tính quá lớn: sheet «Điểm» có hơn 2 hàng có dữ liệu")
    assert "giới hạn 2 hàng" in message
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    assert len(read_workbook(path).sheets["Điểm"].rows) == 3
    monkeypatch.setattr(limits, "MAX_CELLS", 8)  # 3 rows x 3 columns (A to C)
    assert "hơn 8 ô" in refusal(path)
    monkeypatch.setattr(limits, "MAX_CELLS", 9)
    assert len(read_workbook(path).sheets["Điểm"].rows) == 3


def test_one_value_far_to_the_right_counts_as_a_whole_row(tmp_path, monkeypatch):
    """Memory holds each row from column A: a value in XFD costs 16,384 cells, and is counted."""
    monkeypatch.setattr(limits, "MAX_CELLS", 20_000)
    rows = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in (1, 2))
    path = raw_xlsx(tmp_path / "bang-diem.xlsx", [("Điểm", f"<sheetData>{rows}</sheetData>")])
    assert "hơn 20.000 ô" in refusal(path)


def test_the_row_limit_with_the_full_scale_builder_shape(tmp_path, monkeypatch):
    from hostile_files import too_many_rows

    monkeypatch.setattr(limits, "MAX_ROWS", 1000)
    message = refusal(too_many_rows(tmp_path, rows=1001))
    assert "hơn 1.000 hàng có dữ liệu" in message


def test_limits_on_the_archive(tmp_path, monkeypatch):
    path = valid_workbook(tmp_path)
    with zipfile.ZipFile(path) as archive:
        members = len(archive.infolist())
        sheet_size = archive.getinfo(SHEET).file_size
        total = sum(i.file_size for i in archive.infolist())
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", members - 1)
    assert f"có {members} phần bên trong" in refusal(path)
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", members)
    monkeypatch.setattr(limits, "MAX_PART_BYTES", sheet_size - 1)
    message = refusal(path)
    assert message.startswith("Tệp nén bất thường: phần «")
    assert "cho mỗi phần" in message
    monkeypatch.setattr(limits, "MAX_PART_BYTES", 1 << 30)
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", total - 1)
    assert "khi giải nén chiếm tổng cộng" in refusal(path)
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", total)
    assert read_workbook(path).sheets["Điểm"].rows


def test_limits_on_shared_strings_and_text(tmp_path, monkeypatch):
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = raw_xlsx(
        tmp_path / "bang-diem.xlsx",
        [("Điểm", f"<sheetData>{rows}</sheetData>")],
        strings=["<t>một</t>", "<t>hai</t>", "<t>ba</t>"],
    )
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 2)
    assert "hơn 2 chuỗi" in refusal(path)
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 3)
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 2)
    assert "chứa hơn 2 ký tự" in refusal(path)


def test_a_long_text_in_many_pieces_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 200_000)
    long_text = "x" * 300_000  # arrives in pieces of _CHUNK characters
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{long_text}</t></is></c></row>'
    path = raw_xlsx(tmp_path / "bang-diem.xlsx", [("Điểm", f"<sheetData>{rows}</sheetData>")])
    assert "chứa hơn 200.000 ký tự" in refusal(path)
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 300_000)
    assert read_workbook(path).sheets["Điểm"].value(1, 1) == long_text


def test_zipfile_stops_at_the_declared_size_and_checks_the_crc(tmp_path):
    """What the reader relies on when a member's declared size lies: memory stays bounded."""
    from hostile_files import lying_sizes

    path = lying_sizes(tmp_path)
    with zipfile.ZipFile(path) as archive, archive.open(SHEET) as member:
        assert archive.getinfo(SHEET).file_size == 1000
        read = b""
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            while chunk := member.read(300):
                read += chunk
        assert len(read) <= 1000
    assert "sai mã kiểm tra CRC" in refusal(path)


@pytest.mark.parametrize(
    "part",
    [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet2.xml",
    ],
)
def test_a_doctype_in_any_part_is_refused(tmp_path, part):
    from hostile_files import doctype_in

    message = refusal(doctype_in(tmp_path, part))
    assert message.startswith("Tệp có khai báo DTD/thực thể XML")
    assert f"«{part}»" in message


def test_a_doctype_in_a_part_the_tool_never_reads_is_refused_too(tmp_path):
    from hostile_files import doctype_in

    message = refusal(doctype_in(tmp_path, "docProps/core.xml"))
    assert "«docProps/core.xml»" in message


def test_a_doctype_behind_a_long_comment_is_refused_while_parsing(tmp_path):
    path = valid_workbook(tmp_path, "co-so.xlsx")
    comment = "<!--" + "x" * 10_000 + "-->"
    sheet = (
        f'<?xml version="1.0"?>{comment}<!DOCTYPE worksheet [<!ENTITY a "b">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    )
    target = rewrite(path, tmp_path / "bang-diem.xlsx", replace={SHEET: sheet.encode()})
    assert refusal(target).startswith("Tệp có khai báo DTD/thực thể XML (trong phần «xl/work")


def test_a_tag_too_long_to_be_real_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_TOKEN_BYTES", 200_000)
    rows = f'<row r="1"><c r="A1" s="{"1" * 300_000}"><v>1</v></c></row>'
    path = raw_xlsx(tmp_path / "bang-diem.xlsx", [("Điểm", f"<sheetData>{rows}</sheetData>")])
    assert "có một thẻ XML dài hơn" in refusal(path)


def test_a_doctype_in_the_shared_strings_is_refused(tmp_path):
    path = raw_xlsx(
        tmp_path / "co-so.xlsx",
        [("Điểm", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')],
        strings=["<t>một</t>"],
    )
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/sharedStrings.xml")
    bomb = xml.replace(b"?>", b'?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>', 1)
    bomb = bomb.replace(b"<t>m", b"<t>&a;m")
    target = rewrite(path, tmp_path / "bang-diem.xlsx", replace={"xl/sharedStrings.xml": bomb})
    assert "«xl/sharedStrings.xml»" in refusal(target)


def test_no_entity_can_be_used_or_declared_past_the_prolog(tmp_path):
    """A DTD may only stand before the root element; later, expat calls it malformed."""
    filler = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 200))
    for body in (
        f'<sheetData>{filler}<!DOCTYPE x [<!ENTITY a "b">]></sheetData>',
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row></sheetData>',
    ):
        path = raw_xlsx(tmp_path / "bang-diem.xlsx", [("Điểm", body)])
        assert refusal(path).startswith("Tệp hỏng: nội dung XML của phần")


def test_a_zip_member_compressed_in_an_unsupported_way_is_named(tmp_path):
    path = valid_workbook(tmp_path, "co-so.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    data[info.header_offset + 8] = 99  # compression method 99 (AES), in the local header
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        if data[at + 46 : at + 46 + len(SHEET)] == SHEET.encode():
            data[at + 10] = 99  # and in the central directory
        at = data.find(b"PK\x01\x02", at + 4)
    target = tmp_path / "bang-diem.xlsx"
    target.write_bytes(bytes(data))
    message = refusal(target)
    assert message.startswith("Tệp hỏng: ")
    assert f"«{SHEET}»" in message


@pytest.mark.parametrize(
    "part",
    ["[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"],
)
def test_nesting_too_deep_in_a_small_part_is_refused(part, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_DEPTH", 20)
    base = hf.valid_workbook(tmp_path, "co-so.xlsx")
    with zipfile.ZipFile(base) as archive:
        xml = archive.read(part)
    closing = xml.rindex(b"</")  # inside the root element, before it closes
    nested = xml[:closing] + b"<x>" * 25 + b"</x>" * 25 + xml[closing:]
    path = hf.rewrite(base, tmp_path / "bang-diem.xlsx", replace={part: nested})
    with pytest.raises(InputError) as refused:
        read_workbook(path)
    assert "lồng nhau quá 20 tầng" in refused.value.problems[0].message
    assert part in refused.value.problems[0].message
