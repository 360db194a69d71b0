"""The marked copy of a refused workbook, built from real workbooks and read back with openpyxl.

Each problem cell is filled (red for an error, yellow for a warning) and carries the message as
a comment; the first sheet lists every problem with a link that lands on its cell; the original
keeps its bytes and its time; a file that is not a workbook gives no copy at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from processor.core.model import Rules
from processor.core.places import cell_of
from processor.core.problems import Problem, Severity
from processor.pipeline import inspect
from processor.writing.annotated_workbook import (
    AUTHOR,
    ERROR_FILL,
    HEADING_ROW,
    LIST_SHEET,
    TITLE,
    WARNING_FILL,
    annotate,
    annotated_name,
)

import hostile_files
from bad_workbooks import CASES, WARNING_CASES, Case, base_book, letter
from conftest import ROOT, RULES_FILE, cli

Marks = dict[tuple[str, str], str]


def marks(book: openpyxl.Workbook) -> Marks:
    """(sheet, cell) -> the colour of every cell carrying one of our fills, list sheet aside."""
    found: Marks = {}
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows():
            for cell in row:
                colour = str(cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type else ""
                if colour in (ERROR_FILL, WARNING_FILL):
                    found[(sheet.title, cell.coordinate)] = colour
    return found


def listed(book: openpyxl.Workbook) -> list[tuple]:
    """The list sheet's rows below its headings: STT, level, place, agency, message, link."""
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(min_row=HEADING_ROW + 1):
        link = row[2].hyperlink
        rows.append((*(c.value for c in row[:5]), link.location if link else None))
    return rows


def landing(book: openpyxl.Workbook, location: str) -> openpyxl.cell.Cell:
    """The cell an internal link location (`'Điểm'!F12`) lands on; it must exist."""
    found = cell_of(location)
    assert found is not None, location
    sheet, cell = found
    assert sheet in book.sheetnames, (location, book.sheetnames)
    return book[sheet][cell]


def many_problems(rules: Rules, folder: Path) -> Path:
    """Errors and warnings on two sheets, a merged range, a hidden row, a commented cell."""
    book = base_book(rules)
    sheet = book["Điểm"]
    sheet[f"{letter(rules, 'TC1.1')}2"] = "tốt"
    sheet[f"{letter(rules, 'TC1.1')}2"].font = Font(name="Times New Roman", bold=True)
    sheet["C3"] = "IV"
    sheet["B4"] = 123
    sheet["B4"].comment = Comment("Thư ký: hỏi lại tên đơn vị", "Thư ký")
    sheet[f"{letter(rules, 'TC2.1')}2"] = "10,8"
    sheet[f"{letter(rules, 'TC2.1')}2"].number_format = "@"
    sheet.merge_cells("C4:C5")
    sheet.row_dimensions[3].hidden = True
    book["Thông tin"]["B5"] = None
    path = folder / "bang-diem.xlsx"
    book.save(path)
    return path


@pytest.fixture
def refused(rules: Rules, tmp_path: Path) -> tuple[Path, tuple[Problem, ...], Path]:
    original = many_problems(rules, tmp_path)
    problems = inspect(original, RULES_FILE).problems
    target = tmp_path / "tra-loi" / annotated_name(original.name)
    assert annotate(original, problems, target)
    return original, problems, target


def test_exactly_the_problem_cells_are_filled_red_or_yellow(refused, rules: Rules):
    _, _, target = refused
    score, text = f"{letter(rules, 'TC1.1')}2", f"{letter(rules, 'TC2.1')}2"
    assert marks(openpyxl.load_workbook(target)) == {
        ("Điểm", "C4"): ERROR_FILL,  # the merged C4:C5, and C5's empty group under it
        ("Điểm", "A3"): WARNING_FILL,  # the hidden row 3
        ("Điểm", score): ERROR_FILL,
        ("Điểm", text): WARNING_FILL,
        ("Điểm", "C3"): ERROR_FILL,
        ("Điểm", "B4"): ERROR_FILL,
        ("Thông tin", "B5"): ERROR_FILL,
    }


def test_a_marked_cell_keeps_its_font_and_number_format(refused, rules: Rules):
    _, _, target = refused
    sheet = openpyxl.load_workbook(target)["Điểm"]
    score = sheet[f"{letter(rules, 'TC1.1')}2"]
    assert (score.font.name, score.font.b) == ("Times New Roman", True)
    assert sheet[f"{letter(rules, 'TC2.1')}2"].number_format == "@"


def test_each_comment_holds_the_vietnamese_messages_of_its_cell(refused):
    _, problems, target = refused
    book = openpyxl.load_workbook(target)
    for number, problem in enumerate(problems, start=1):
        location = listed(book)[number - 1][5]
        comment = landing(book, location).comment
        assert comment is not None, problem.place
        assert problem.message in comment.text
        assert f"[{number}] {'Lỗi' if problem.severity is Severity.ERROR else 'Cảnh báo'}" in (
            comment.text
        )
    merged = book["Điểm"]["C4"].comment.text
    assert "đang được gộp" in merged and "(ô C5)" in merged  # two problems, one comment
    assert book["Điểm"]["E3"].comment is None


def test_an_existing_comment_is_kept_with_ours_below(refused):
    _, _, target = refused
    comment = openpyxl.load_workbook(target)["Điểm"]["B4"].comment
    assert comment.text.startswith("Thư ký: hỏi lại tên đơn vị\n\n")
    ours = comment.text.split("\n\n", 1)[1]
    assert ours.startswith(f"{AUTHOR}:\n[") and "Tên đơn vị phải là chữ" in ours
    assert comment.author == "Thư ký"
    fresh = openpyxl.load_workbook(target)["Điểm"]["C3"].comment
    assert fresh.author == AUTHOR and fresh.text.startswith(f"{AUTHOR}:\n")


def test_a_comment_box_is_tall_enough_for_its_text(refused):
    _, _, target = refused
    book = openpyxl.load_workbook(target)
    long = book["Điểm"]["C4"].comment  # two messages
    short = book["Thông tin"]["B5"].comment
    with zipfile.ZipFile(target) as archive:
        drawings = [n for n in archive.namelist() if n.endswith(".vml")]
        shapes = b"".join(archive.read(n) for n in drawings)
    assert long.text.count("\n") > short.text.count("\n")
    assert b"width:340px" in shapes
    heights = {int(h) for h in re.findall(rb"height:(\d+)px", shapes)}
    assert max(heights) >= 100 and min(heights) >= 60


def test_the_first_sheet_lists_every_problem_with_a_link_to_its_cell(refused):
    original, problems, target = refused
    book = openpyxl.load_workbook(target)
    first = book.worksheets[0]
    assert first.title == LIST_SHEET and book.active.title == LIST_SHEET
    assert first["A1"].value == f"{TITLE} «{original.name}»"
    assert "được giữ nguyên" in first["A2"].value and "GỐC" in first["A3"].value
    assert "6 lỗi" in first["A4"].value and "2 cảnh báo" in first["A4"].value
    assert [c.value for c in first[HEADING_ROW]] == [
        "STT",
        "Mức",
        "Ô cần sửa",
        "Đơn vị",
        "Nội dung",
    ]
    assert first.freeze_panes == f"A{HEADING_ROW + 1}"
    assert first.column_dimensions["E"].width >= 60
    assert first.cell(HEADING_ROW + 1, 5).alignment.wrap_text
    rows = listed(book)
    assert len(rows) == len(problems)
    for number, (row, problem) in enumerate(zip(rows, problems, strict=True), start=1):
        level = "Lỗi" if problem.severity is Severity.ERROR else "Cảnh báo"
        assert row[:5] == (number, level, problem.place, problem.agency, problem.message)
        target_cell = landing(book, row[5])
        assert target_cell.comment is not None and problem.message in target_cell.comment.text
    assert [s.sheet_view.tabSelected for s in book.worksheets] == [True, False, False]


def test_a_link_lands_on_a_visible_cell(refused):
    _, _, target = refused
    sheet = openpyxl.load_workbook(target)["Điểm"]
    assert not sheet.row_dimensions[3].hidden  # hidden in the original, shown in the copy


def test_the_original_keeps_its_bytes_and_its_time(rules: Rules, tmp_path: Path):
    original = many_problems(rules, tmp_path)
    os.utime(original, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before, stat = original.read_bytes(), original.stat()
    problems = inspect(original, RULES_FILE).problems
    assert annotate(original, problems, tmp_path / annotated_name(original.name))
    after = original.stat()
    assert original.read_bytes() == before
    assert (after.st_mtime_ns, after.st_size) == (stat.st_mtime_ns, stat.st_size)
    with pytest.raises(ValueError, match="không được ghi đè"):
        annotate(original, problems, original)
    assert original.read_bytes() == before


NOT_WORKBOOKS: list[Callable[[Path], Path]] = [
    hostile_files.lock_file,
    hostile_files.empty_file,
    hostile_files.text_file,
    hostile_files.csv_file,
    hostile_files.html_file,
    hostile_files.garbage_file,
    hostile_files.legacy_xls,
    hostile_files.encrypted_xlsx,
    hostile_files.ods_file,
    hostile_files.xlsb_file,
    hostile_files.docx_renamed,
    hostile_files.entity_bomb,
    hostile_files.deep_nesting,
    hostile_files.malformed_xml,
    hostile_files.zip_bomb,
    hostile_files.truncated_zip,
    hostile_files.crc_corrupted,
    hostile_files.too_many_rows,
]


@pytest.mark.parametrize("make", NOT_WORKBOOKS, ids=lambda make: make.__name__)
def test_a_file_that_is_not_a_usable_workbook_gives_no_copy(make, tmp_path: Path):
    original = make(tmp_path)
    before = original.read_bytes()
    answers = tmp_path / "tra-loi"
    assert not annotate(original, [Problem(original.name, "x")], answers / "ban-sao.xlsx")
    assert not answers.exists()  # nothing written, not even the folder or a temporary file
    assert original.read_bytes() == before


def test_a_missing_file_or_a_folder_gives_no_copy(tmp_path: Path):
    answers = tmp_path / "tra-loi"
    assert not annotate(tmp_path / "khong-co.xlsx", [], answers / "a.xlsx")
    assert not annotate(tmp_path, [], answers / "b.xlsx")
    assert not answers.exists()


def test_a_macro_workbook_is_copied_as_a_plain_workbook(tmp_path: Path):
    original = hostile_files.xlsm_workbook(tmp_path)
    target = tmp_path / annotated_name(original.name)
    assert target.name.endswith(".danh-dau-loi.xlsx")
    assert annotate(original, [Problem("Điểm!B2", "Thử.")], target)
    with zipfile.ZipFile(target) as archive:
        assert not any(n.endswith("vbaProject.bin") for n in archive.namelist())
    assert openpyxl.load_workbook(target).worksheets[0].title == LIST_SHEET


def _sheets_with_odd_names(folder: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Bảng 'phụ' số 1"
    book.create_sheet("Thông tin")
    book.create_sheet("Điểm!2")
    path = folder / "ten-sheet.xlsx"
    book.save(path)
    return path


def test_sheet_names_with_spaces_and_apostrophes_link_correctly(tmp_path: Path):
    original = _sheets_with_odd_names(tmp_path)
    problems = [
        Problem("Bảng 'phụ' số 1!B2", "Ô thứ nhất."),
        Problem("'Bảng ''phụ'' số 1'!C3", "Ô thứ hai, tên sheet có ngoặc đơn."),
        Problem("Thông tin!B3", "Ô thứ ba.", Severity.WARNING),
        Problem("Điểm!2!D4", "Ô thứ tư, tên sheet có dấu chấm than."),
    ]
    target = tmp_path / "ban-sao.xlsx"
    assert annotate(original, problems, target)
    book = openpyxl.load_workbook(target)
    assert [row[5] for row in listed(book)] == [
        "'Bảng ''phụ'' số 1'!B2",
        "'Bảng ''phụ'' số 1'!C3",
        "'Thông tin'!B3",
        "'Điểm!2'!D4",
    ]
    for row in listed(book):
        assert row[4] in landing(book, row[5]).comment.text
    assert marks(book) == {
        ("Bảng 'phụ' số 1", "B2"): ERROR_FILL,
        ("Bảng 'phụ' số 1", "C3"): ERROR_FILL,
        ("Thông tin", "B3"): WARNING_FILL,
        ("Điểm!2", "D4"): ERROR_FILL,
    }
    with zipfile.ZipFile(target) as archive:
        first = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        rels = [n for n in archive.namelist() if n.startswith("xl/worksheets/_rels/sheet1")]
    links = first.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}hyperlink")
    assert next(links).get("location") == "'Bảng ''phụ'' số 1'!B2"  # as Excel writes it
    assert not rels  # internal links: no external relationship, nothing Excel warns about


def test_a_place_without_a_cell_is_listed_and_links_to_its_sheet(rules: Rules, tmp_path: Path):
    original = next(c for c in CASES if c.name == "thieu-cot-nhom").build(rules, tmp_path)
    problems = [
        *inspect(original, RULES_FILE).problems,
        Problem("Sheet khác (hàng tiêu đề)", "Không có sheet này."),
        Problem("quy-tac.toml: grades[2]", "Một lỗi của tệp quy tắc."),
    ]
    target = tmp_path / "ban-sao.xlsx"
    assert annotate(original, problems, target)
    book = openpyxl.load_workbook(target)
    rows = listed(book)
    assert rows[0][2] == "Điểm (hàng tiêu đề)" and rows[0][5] == "'Điểm'!A1"
    assert rows[-2][5] is None and rows[-1][5] is None
    assert marks(book) == {}  # no cell to mark
    assert book["Điểm"]["A1"].comment is None


def test_text_in_the_list_is_never_a_formula(tmp_path: Path, make_workbook):
    original = make_workbook([])
    problems = [Problem("Điểm!B2", "=1+1 \x0b ký tự lạ", agency='=HYPERLINK("http://x")')]
    target = tmp_path / "ban-sao.xlsx"
    assert annotate(original, problems, target)
    row = listed(openpyxl.load_workbook(target))[0]
    assert row[3] == '=HYPERLINK("http://x")' and row[4] == "=1+1   ký tự lạ"
    with zipfile.ZipFile(target) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_white_heading_text_is_darkened_on_the_light_fill(rules: Rules, tmp_path: Path):
    case = next(c for c in CASES if c.name == "cot-tieu-chi-lap")
    book = base_book(rules)
    case.breaks(book, rules)
    for cell in book["Điểm"][1]:
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill(fill_type="solid", fgColor="FF1F4E79")
    original = tmp_path / "tieu-de-mau.xlsx"
    book.save(original)
    problems = inspect(original, RULES_FILE).problems
    target = tmp_path / "ban-sao.xlsx"
    assert annotate(original, problems, target)
    found = cell_of(case.place(rules))
    cell = openpyxl.load_workbook(target)[found[0]][found[1]]
    assert cell.font.b and cell.font.color.rgb == "FF000000"
    assert str(cell.fill.fgColor.rgb).endswith(ERROR_FILL)


@pytest.mark.parametrize("case", [*CASES, *WARNING_CASES], ids=lambda case: case.name)
def test_every_bad_workbook_of_the_corpus_is_marked_and_reads_as_before(
    case: Case, rules: Rules, tmp_path: Path
):
    """The marks and the list sheet change nothing the tool reads: the copy, checked, gives the
    same problems (except what the copy shows on purpose: the unhidden row, its own sheet)."""
    original = case.build(rules, tmp_path)
    problems = inspect(original, RULES_FILE).problems
    target = tmp_path / "tra-loi" / annotated_name(original.name)
    assert annotate(original, problems, target)
    book = openpyxl.load_workbook(target)
    for problem, row in zip(problems, listed(book), strict=True):
        if cell_of(problem.place) is not None:
            assert problem.message in landing(book, row[5]).comment.text
    again = inspect(target, RULES_FILE).problems
    if case.name in {"thieu-sheet-diem", "thieu-sheet-thong-tin"}:  # lists the new sheet
        again = tuple(p for p in again if "Không tìm thấy sheet" not in p.message)
        problems = tuple(p for p in problems if "Không tìm thấy sheet" not in p.message)
    if case.name == "hang-bi-an":
        problems = tuple(p for p in problems if "bị ẩn" not in p.message)
    assert [(p.place, p.message, p.severity) for p in again] == [
        (p.place, p.message, p.severity) for p in problems
    ]


def test_a_fixed_copy_passes_check(rules: Rules, tmp_path: Path):
    """A secretary who fixes the copy instead of the original is not refused for it."""
    case = next(c for c in CASES if c.name == "diem-la-chu")
    original = case.build(rules, tmp_path)
    target = tmp_path / annotated_name(original.name)
    assert annotate(original, inspect(original, RULES_FILE).problems, target)
    book = openpyxl.load_workbook(target)
    sheet, cell = cell_of(case.place(rules))
    book[sheet][cell] = openpyxl.load_workbook(base_path(rules, tmp_path))[sheet][cell].value
    book.save(target)
    done = cli("check", str(target))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "không có lỗi nào" in done.stdout


def base_path(rules: Rules, folder: Path) -> Path:
    path = folder / "goc-sach.xlsx"
    base_book(rules).save(path)
    return path


def test_marking_a_marked_copy_again_takes_the_old_marks_off(refused, rules: Rules):
    _, _, first_copy = refused
    book = openpyxl.load_workbook(first_copy)
    book["Điểm"]["C3"] = "I"  # the secretary fixes one cell in the copy and sends it back
    book.save(first_copy)
    second = first_copy.with_name("lan-hai.xlsx")
    assert annotate(first_copy, inspect(first_copy, RULES_FILE).problems, second)
    marked = openpyxl.load_workbook(second)
    assert ("Điểm", "C3") not in marks(marked) and marked["Điểm"]["C3"].comment is None
    assert ("Điểm", "B4") in marks(marked)
    assert [s.title for s in marked.worksheets].count(LIST_SHEET) == 1
    kept = marked["Điểm"]["B4"].comment.text
    assert kept.count("Thư ký: hỏi lại tên đơn vị") == 1 and kept.count(f"{AUTHOR}:") == 1


@pytest.mark.parametrize(
    ("name", "marked"),
    [
        ("bang-diem.xlsx", "bang-diem.danh-dau-loi.xlsx"),
        ("Bảng điểm 2020.XLSX", "Bảng điểm 2020.danh-dau-loi.xlsx"),
        ("bang-diem.xlsm", "bang-diem.danh-dau-loi.xlsx"),
        ("bang-diem.danh-dau-loi.xlsx", "bang-diem.danh-dau-loi.xlsx"),
        ("bang diem", "bang diem.danh-dau-loi.xlsx"),
    ],
)
def test_annotated_name(name: str, marked: str):
    assert annotated_name(name) == marked


def test_importing_the_module_does_not_import_openpyxl():
    code = (
        "import sys, processor.writing.annotated_workbook; "
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_workbook_too_large_to_rebuild_in_memory_gives_no_copy(
    rules: Rules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from processor.writing import annotated_workbook

    original = many_problems(rules, tmp_path)
    monkeypatch.setattr(annotated_workbook, "MAX_XML", 1_000)
    assert not annotate(original, [Problem("Điểm!B2", "x")], tmp_path / "tra-loi" / "a.xlsx")
    assert not (tmp_path / "tra-loi").exists()
