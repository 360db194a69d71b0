"""Workbooks as office programs and zip tools really write them, where the reader once went wrong.

A run over 2,335 real .xlsx files left four defects (issue 11): number formats of `<dxfs>` taken
for cells' formats, an `inlineStr` cell's `<v>` joined to its `<is>`, two members with the same
name read silently, and backslashes in member names refused. Each is reproduced here by a
workbook built by script (a real zip, written with zipfile), and compared with openpyxl wherever
openpyxl reads the file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from reference_reader import openpyxl_rows

from processor.core.model import Rules
from processor.core.problems import InputError, Problem, Severity
from processor.core.sheet import Position
from processor.core.validation import check_workbook
from processor.reading.formats import is_percent_format
from processor.reading.package import BACKSLASHED_NAMES, Package
from processor.reading.workbook import read_workbook

import hostile_files as hf
from conftest import SAMPLE, cli
from hostile_files import SHEET, rewrite, sheet_xml, valid_workbook

STYLES = "xl/styles.xml"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"


def openpyxl_percent_cells(path: Path, title: str) -> set[Position]:
    """The numbers openpyxl says are shown with a % format (its own reading of the styles)."""
    book = openpyxl.load_workbook(path, data_only=True)
    return {
        (cell.row, cell.column)
        for row in book[title].iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
        and not isinstance(cell.value, bool)
        and is_percent_format(cell.number_format)
    }


def edit(source: Path, target: Path, **changes: tuple[str, str]) -> Path:
    """A copy of `source` with, in each named member (`styles`, `sheet`, `info`), one text
    replaced by another; the text must be there."""
    members = {"styles": STYLES, "sheet": SHEET, "info": "xl/worksheets/sheet2.xml"}
    replace: dict[str, hf.Content] = {}
    with zipfile.ZipFile(source) as archive:
        for key, (old, new) in changes.items():
            text = archive.read(members[key]).decode()
            assert old in text, (key, old)
            replace[members[key]] = text.replace(old, new, 1).encode()
    return rewrite(source, target, replace=replace)


def dxfs(*formats: tuple[int, str]) -> str:
    """A `<dxfs>` whose differential formats each carry a <numFmt> (id, format code)."""
    body = "".join(
        f'<dxf><numFmt numFmtId="{number}" formatCode="{code}"/></dxf>' for number, code in formats
    )
    return f'<dxfs count="{len(formats)}">{body}</dxfs>'


CONDITIONAL = (
    '<conditionalFormatting sqref="E2:R33"><cfRule type="cellIs" dxfId="0" priority="1" '
    'operator="lessThan"><formula>0</formula></cfRule></conditionalFormatting><pageMargins'
)


def checked(path: Path, rules: Rules) -> tuple[Any, list[Problem]]:
    evaluation, problems = check_workbook(read_workbook(path), rules)
    return evaluation, problems


# -- 1. number formats of <dxfs> are not the cells' formats ---------------------------------------


def five_formats(folder: Path) -> Path:
    """0.5 under 0.00 (built-in 2), 0.0 (custom 164), 0.00% (built-in 10), 0.0% (custom 165),
    and a date serial under dd/mm/yyyy (custom 166), as openpyxl writes them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    for column, code in enumerate(["0.00", "0.0", "0.00%", "0.0%", "dd/mm/yyyy"], start=1):
        sheet.cell(2, column, 0.5 if column < 5 else 44204).number_format = code
    book.create_sheet("Thông tin")
    path = folder / "nam-dinh-dang.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("where", ["dxfs", "x14 dxfs"])
def test_formats_redefined_in_dxfs_change_no_cell(tmp_path, where):
    """Every id the cells use, redefined in a differential format with the opposite meaning."""
    opposite = [(2, "0.00%"), (164, "0%"), (10, "0.00"), (165, "General"), (166, "0.00")]
    if where == "dxfs":
        change = ("<tableStyles", dxfs(*opposite) + "<tableStyles")
    else:  # the same inside an extension, as Excel 2010 and later write some
        extension = (
            f'<extLst><ext uri="{{46F421CA-312F-682f-3DD2-61675219B42D}}" xmlns:x14="{X14}">'
            + dxfs(*opposite).replace("dxfs", "x14:dxfs")
            + "</ext></extLst></styleSheet>"
        )
        change = ("</styleSheet>", extension)
    base = five_formats(tmp_path)
    path = edit(base, tmp_path / "bang-diem.xlsx", styles=change)
    sheet = read_workbook(path).sheets["Điểm"]
    assert sheet == read_workbook(base).sheets["Điểm"]
    assert sheet.percent_cells == {(2, 3), (2, 4)} == openpyxl_percent_cells(path, "Điểm")
    assert sheet.rows == openpyxl_rows(path, "Điểm")  # E2 is still the date 8 January 2021


def test_a_dxf_giving_the_scores_format_id_a_percent_code_flags_no_score(tmp_path, rules):
    """The 411 false «định dạng phần trăm» errors: the sample, whose scores are 0.00 (id 2),
    with a conditional format whose dxf reuses id 2 as a percent (and the date's id as 0.00)."""
    path = edit(
        SAMPLE,
        tmp_path / "bang-diem.xlsx",
        styles=("<tableStyles", dxfs((2, "0.00%"), (165, "0.00")) + "<tableStyles"),
        sheet=("<pageMargins", CONDITIONAL),
    )
    book = read_workbook(path)
    assert book.sheets == read_workbook(SAMPLE).sheets
    assert book.sheets["Điểm"].percent_cells == set() == openpyxl_percent_cells(path, "Điểm")
    assert book.sheets["Thông tin"].rows == openpyxl_rows(path, "Thông tin")
    evaluation, problems = checked(path, rules)
    assert (evaluation, problems) == checked(SAMPLE, rules)
    assert evaluation is not None


def test_a_dxf_giving_a_percent_id_a_plain_code_hides_no_percent_score(tmp_path, rules):
    """The other way: the sample's scores truly under 0.00% (id 10), a dxf redefining id 10."""
    path = edit(
        SAMPLE,
        tmp_path / "bang-diem.xlsx",
        styles=("<tableStyles", dxfs((10, "0.00")) + "<tableStyles"),
        sheet=("<pageMargins", CONDITIONAL),
    )
    path = edit(
        path,
        tmp_path / "phan-tram.xlsx",
        styles=('<xf numFmtId="2" ', '<xf numFmtId="10" '),
    )
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(SHEET).decode()
    scores = {
        (int(row), openpyxl.utils.column_index_from_string(letters))
        for letters, row in re.findall(r'<c r="([A-Z]+)(\d+)" s="2" t="n"><v>', xml)
    }
    assert len(scores) > 300
    assert read_workbook(path).sheets["Điểm"].percent_cells == scores
    assert scores == openpyxl_percent_cells(path, "Điểm")
    evaluation, problems = checked(path, rules)
    assert evaluation is None
    flagged = [p for p in problems if "định dạng phần trăm" in p.message]
    assert flagged and all(p.severity is Severity.ERROR for p in flagged)


# -- 2. an inlineStr cell's value is its <is> text only ------------------------------------------


def test_an_inline_string_with_a_v_reads_its_is_text_as_openpyxl_does(tmp_path):
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><v>TT cũ</v><is><t>TT</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Tên đơn vị</t></is><v>sau</v></c>'
        '<c r="C1" t="inlineStr"><v>chỉ có v</v></c>'
        '<c r="D1" t="inlineStr"><v>v</v><is><r><t>Sở </t></r><r><t>Y tế</t></r>'
        '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></is></c>'
        '<c r="E1" t="inlineStr"><v>v</v><is/></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><f>"a"</f><v>a</v><is><t>b</t></is></c>'
        '<c r="B2" t="inlineStr"><v>0</v></c><c r="C2" t="s"><v>0</v></c></row>',
    ]
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{hf.MAIN_NS}"><si><t>chung</t>'
        "</si></sst>"
    )
    base = valid_workbook(tmp_path, "co-so.xlsx")
    with zipfile.ZipFile(base) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = types.replace(  # openpyxl finds the shared strings by their content type
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    replace: dict[str, hf.Content] = {
        SHEET: b"".join(sheet_xml(rows)),
        "xl/_rels/workbook.xml.rels": rels.encode(),
        "[Content_Types].xml": types.encode(),
    }
    path = rewrite(
        base,
        tmp_path / "bang-diem.xlsx",
        replace=replace,
        add={"xl/sharedStrings.xml": strings.encode()},
    )
    sheet = read_workbook(path).sheets["Điểm"]
    assert sheet.rows == {
        1: ("TT", "Tên đơn vị", None, "Sở Y tế", ""),
        2: ("b", None, "chung"),
    }
    assert sheet.rows == openpyxl_rows(path, "Điểm")


def test_the_sample_with_a_v_in_its_inline_strings_reads_unchanged(tmp_path):
    path = edit(
        SAMPLE,
        tmp_path / "bang-diem.xlsx",
        sheet=('<c r="B2" t="inlineStr"><is>', '<c r="B2" t="inlineStr"><v>0</v><is>'),
        info=('t="inlineStr"><is>', 't="inlineStr"><v>Năm cũ</v><is>'),
    )
    book = read_workbook(path)
    assert book.sheets == read_workbook(SAMPLE).sheets
    for title in ("Điểm", "Thông tin"):
        assert book.sheets[title].rows == openpyxl_rows(path, title)


# -- 3. two members with one name are refused ----------------------------------------------------


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    [problem] = caught.value.problems
    assert problem.place == path.name
    return problem.message


@pytest.mark.parametrize(
    ("second", "named"),
    [
        (SHEET, "hai phần cùng tên «xl/worksheets/sheet1.xml»"),
        ("XL/Worksheets/Sheet1.xml", "«xl/worksheets/sheet1.xml» và «XL/Worksheets/Sheet1.xml»"),
        (
            "xl\\worksheets\\sheet1.xml",
            "«xl/worksheets/sheet1.xml» và «xl\\worksheets\\sheet1.xml»",
        ),
        ("xl/workbook.xml", "hai phần cùng tên «xl/workbook.xml»"),
        ("docProps/app.xml", "hai phần cùng tên «docProps/app.xml»"),  # a part never read
    ],
)
def test_two_members_with_one_name_are_refused_naming_the_part(tmp_path, second, named):
    path = hf.duplicate_part(tmp_path, second)
    message = refusal(path)
    assert message.startswith("Tệp hỏng: tệp nén chứa "), message
    assert named in message
    assert "không biết nội dung nào là thật" in message
    assert "mở bằng Excel và lưu lại" in message


def test_the_duplicate_may_come_first(tmp_path):
    base = valid_workbook(tmp_path, "co-so.xlsx")
    path = tmp_path / "bang-diem.xlsx"
    with zipfile.ZipFile(base) as old, zipfile.ZipFile(path, "w") as new:
        new.writestr("XL/WORKSHEETS/SHEET1.XML", b"<worksheet/>")
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
    assert "«XL/WORKSHEETS/SHEET1.XML» và «xl/worksheets/sheet1.xml»" in refusal(path)


def test_repeated_folder_entries_are_no_ambiguity(tmp_path):
    base = valid_workbook(tmp_path, "co-so.xlsx")
    path = rewrite(base, tmp_path / "bang-diem.xlsx", add={"xl/": b"", "XL/": b""})
    assert read_workbook(path).sheets == read_workbook(base).sheets


# -- 4. backslashes in member names are read, with a warning --------------------------------------


def backslashed(source: Path, target: Path, only: str = "") -> Path:
    """`source` with every member name (or those starting with `only`) written with
    backslashes, as some Windows zip tools write them; the contents are unchanged."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            name = info.filename
            if name.startswith(only):
                name = name.replace("/", "\\")
            member = zipfile.ZipInfo(date_time=info.date_time)
            member.filename = member.orig_filename = name  # as written, on any system
            member.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(member, old.read(info))
    return target


@pytest.mark.parametrize("only", ["", "xl/worksheets/", "_rels/"])
def test_backslashed_member_names_are_read_as_the_sample_with_a_warning(tmp_path, only, rules):
    path = backslashed(SAMPLE, tmp_path / SAMPLE.name, only)
    with zipfile.ZipFile(path) as archive:
        names = [info.orig_filename for info in archive.infolist()]
        assert any("\\" in name for name in names)
        first = next(name for name in names if "\\" in name)
        package = Package(archive)
    assert package.warnings == [BACKSLASHED_NAMES.format(part=first)]
    assert "dấu «\\» thay cho «/»" in package.warnings[0]
    assert "mở bằng Excel" in package.warnings[0]
    book, sample = read_workbook(path), read_workbook(SAMPLE)
    assert (book.sheet_names, book.sheets) == (sample.sheet_names, sample.sheets)
    assert book.warnings == tuple(package.warnings) and sample.warnings == ()
    (evaluation, problems), (clean, clean_problems) = checked(path, rules), checked(SAMPLE, rules)
    assert evaluation == clean and evaluation is not None
    assert problems == [Problem(path.name, package.warnings[0], Severity.WARNING), *clean_problems]


def test_a_workbook_with_slashes_has_no_warning():
    with zipfile.ZipFile(SAMPLE) as archive:
        assert Package(archive).warnings == []


def test_check_reads_a_backslashed_workbook(tmp_path):
    path = backslashed(SAMPLE, tmp_path / SAMPLE.name)
    done = cli("check", str(path))
    assert done.returncode == 0, done.stderr
    assert "Không mở được" not in done.stdout + done.stderr
    assert f"Cảnh báo {path.name}: Tên các phần bên trong tệp nén dùng dấu «\\»" in done.stdout
