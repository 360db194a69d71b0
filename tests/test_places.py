"""Every place a check writes maps to a cell of the real workbook, or is a known cell-less place.

The bad-workbook corpus (tests/bad_workbooks.py), plus the few shapes it does not build (a
hidden column, a sheet named in another case), runs through the real reader and checks; each
problem's place is then resolved with `cell_of` against the workbook openpyxl reads. A new
shape of place that names a cell but is not understood fails here, not in a secretary's copy.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from processor.core.formatting import normalise
from processor.core.model import Rules
from processor.core.places import cell_of, link_location, sheet_name, sheet_of
from processor.core.problems import Problem
from processor.pipeline import inspect

from bad_workbooks import CASES, WARNING_CASES, Case, base_book, letter
from conftest import RULES_FILE

# Places that name no cell, by what follows the sheet name; each of these is worded in a check.
PARTS_IN_WORDS = ("(hàng tiêu đề)", "(vùng dữ liệu)")


def _hidden_column(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"].column_dimensions[letter(rules, "TC1.2")].hidden = True


def _sheet_renamed_loosely(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"].title = "tạm"  # openpyxl takes its own name in other capitals as taken
    book["tạm"].title = "ĐIỂM"  # matched as «Điểm»: the places then say «ĐIỂM»
    book["ĐIỂM"]["C3"] = "IV"


EXTRA = [
    Case(
        "cot-bi-an", _hidden_column, lambda rules: "Điểm!{0}:{0}".format(letter(rules, "TC1.2")), ()
    ),
    Case("ten-sheet-khac-kieu-chu", _sheet_renamed_loosely, lambda rules: "ĐIỂM!C3", ()),
]


def resolve(problem: Problem, book: openpyxl.Workbook, file_name: str) -> str:
    """`sheet!cell` the place maps to (the cell exists), or why it rightly names no cell."""
    found = cell_of(problem.place)
    if found is not None:
        sheet, cell = found
        assert sheet in book.sheetnames, (problem.place, book.sheetnames)
        column, row = openpyxl.utils.cell.coordinate_from_string(cell)
        worksheet = book[sheet]
        assert row <= worksheet.max_row, (problem.place, worksheet.max_row)
        assert openpyxl.utils.column_index_from_string(column) <= worksheet.max_column
        return f"{sheet}!{cell}"
    if problem.place == file_name:
        return "the file"
    absent = normalise(problem.place) not in {normalise(n) for n in book.sheetnames}
    if absent and problem.message.startswith("Không tìm thấy sheet"):
        return "a missing sheet"
    part = problem.place.removeprefix(sheet_of(problem.place) or "").strip()
    assert sheet_of(problem.place) in book.sheetnames and part in PARTS_IN_WORDS, (
        f"a new kind of place, not mapped to a cell: {problem.place!r} ({problem.message})"
    )
    return "a part of a sheet"


@pytest.mark.parametrize("case", [*CASES, *WARNING_CASES, *EXTRA], ids=lambda case: case.name)
def test_every_place_of_a_bad_workbook_maps_to_an_existing_cell(
    case: Case, rules: Rules, tmp_path: Path
):
    workbook = case.build(rules, tmp_path)
    found = inspect(workbook, RULES_FILE)
    assert found.problems, case.name
    book = openpyxl.load_workbook(workbook)
    resolved = [resolve(p, book, workbook.name) for p in found.problems]
    expected = case.place(rules)
    if "!" in expected:  # the case's own place names a cell: it is one of those resolved
        sheet_cell = cell_of(expected)
        assert sheet_cell is not None, expected
        assert "!".join(sheet_cell) in resolved, (expected, resolved)


def test_the_corpus_reaches_every_shape_of_place(rules: Rules, tmp_path: Path):
    """Cells, a merged range, a row, rows, a column, a column in words, parts in words."""
    places = []
    for case in [*CASES, *WARNING_CASES, *EXTRA]:
        places += [p.place for p in inspect(case.build(rules, tmp_path), RULES_FILE).problems]
    shapes = {
        "cell": r"^[^!]+![A-Z]+[0-9]+$",
        "range": r"^[^!]+![A-Z]+[0-9]+:[A-Z]+[0-9]+$",
        "rows": r"^[^!]+![0-9]+:[0-9]+$",
        "column": r"^[^!]+![A-Z]+:[A-Z]+$",
        "column in words": r" \(cột [A-Z]+\)$",
        "part in words": r" \((hàng tiêu đề|vùng dữ liệu)\)$",
    }
    missing = [
        name for name, shape in shapes.items() if not any(re.search(shape, p) for p in places)
    ]
    assert not missing, missing


@pytest.mark.parametrize(
    ("place", "cell"),
    [
        ("Điểm!F12", ("Điểm", "F12")),
        ("Điểm!C2:C3", ("Điểm", "C2")),
        ("Điểm!$D$5:$B$2", ("Điểm", "B2")),
        ("Điểm!3:3", ("Điểm", "A3")),
        ("Điểm!1:2", ("Điểm", "A1")),
        ("Điểm!F:F", ("Điểm", "F1")),
        ("Điểm!XFD1048576", ("Điểm", "XFD1048576")),
        ("Thông tin!B3", ("Thông tin", "B3")),
        ("Thông tin (cột A)", ("Thông tin", "A1")),
        ("'Bảng 1'!B2", ("Bảng 1", "B2")),
        ("'It''s'!B2", ("It's", "B2")),
        ("Sheet!1!A1", ("Sheet!1", "A1")),
        ("Điểm (hàng tiêu đề)", None),
        ("Điểm (vùng dữ liệu)", None),
        ("Điểm", None),
        ("bang-diem.xlsx", None),
        ("bang!F1.xlsx", None),
        ("quy-tac.toml: grades[2]", None),
        ("quy-tac.toml, dòng 3", None),
        ("Điểm!XFE1", None),
        ("Điểm!A0", None),
        ("Điểm!A1048577", None),
        ("!A1", None),
    ],
)
def test_cell_of_each_shape(place: str, cell: tuple[str, str] | None):
    assert cell_of(place) == cell


def test_sheet_of_names_the_sheet_of_a_part_in_words_only():
    assert sheet_of("Điểm (hàng tiêu đề)") == "Điểm"
    assert sheet_of("Bảng (2) (vùng dữ liệu)") == "Bảng (2)"
    assert sheet_of("Thông tin!B3") == "Thông tin"
    assert sheet_of("Điểm") is None
    assert sheet_of("quy-tac.toml: grades[2]") is None


def test_link_locations_quote_every_name():
    assert link_location("Điểm", "F12") == "'Điểm'!F12"
    assert link_location("Thông tin", "B3") == "'Thông tin'!B3"
    assert link_location("It's", "A1") == "'It''s'!A1"
    assert sheet_name("'It''s'") == "It's"


def test_a_sheet_named_loosely_is_still_the_workbook_s_own_name(rules: Rules, tmp_path: Path):
    book = base_book(rules)
    _sheet_renamed_loosely(book, rules)
    path = tmp_path / "loose.xlsx"
    book.save(path)
    places = [p.place for p in inspect(path, RULES_FILE).problems]
    assert "ĐIỂM!C3" in places, places


@pytest.mark.parametrize(
    "place", ["Điểm (hàng 5)", "Điểm!R5C3", "Điểm!A5-A7", "Điểm, ô F12", "Sheet khác!B2"]
)
def test_a_new_kind_of_place_is_caught(place: str, rules: Rules):
    """What the corpus test would say if a check began writing one of these."""
    with pytest.raises(AssertionError):
        resolve(Problem(place, "Thử."), base_book(rules), "bang-diem.xlsx")
