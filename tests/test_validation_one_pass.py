"""One run names every problem, each with its cell and its agency.

Workbooks written by openpyxl and read back: a misspelt or missing heading does not stop the
cell checks, group heading rows stand for the `Nhóm` column, a total that does not add up
points at the cells that may hold the slip, and `Thông tin` takes dates written out in words.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from processor.core.formatting import fold
from processor.core.model import Rules
from processor.core.problems import Severity
from processor.core.sheet import column_letter
from processor.core.validation import check_workbook
from processor.core.validation.headers import near_miss
from processor.reading.workbook import read_workbook

from conftest import HEADER, INFO, cli, full_row

TITLES = {
    "I": "Các cơ quan, đơn vị có TTHC",
    "II": "Các cơ quan, đơn vị đặc thù hoặc không có TTHC",
    "III": "UBND cấp huyện",
}


def check(path: Path, rules: Rules):
    return check_workbook(read_workbook(path), rules)


def named(problem) -> str:
    """The message as a person reads it after the place: `(Sở A) Điểm tiêu chí …`."""
    return f"({problem.agency}) {problem.message}" if problem.agency else problem.message


def errors_at(problems) -> dict[str, str]:
    return {p.place: named(p) for p in problems if p.severity is Severity.ERROR}


def warnings_of(problems) -> list[str]:
    return [f"{p.place}: {p.message}" for p in problems if p.severity is Severity.WARNING]


def col(rules: Rules, code: str, header: list[str] | None = None) -> str:
    columns = header or [*HEADER, *(c.code for c in rules.criteria)]
    return column_letter(columns.index(code) + 1)


def agency(rules: Rules, name: str, group: str, prior: Any = None, **changes: Any) -> dict:
    """One agency's row as {heading: value}, scores at 90% of the maximum."""
    return {"Tên đơn vị": name, "Nhóm": group, "Xếp hạng năm trước": prior} | {
        **full_row(rules, group),
        **{code.replace("_", "."): value for code, value in changes.items()},
    }


def write(
    folder: Path,
    rules: Rules,
    rows: list[dict | list],
    *,
    header: list[str] | None = None,
    above: list[list[Any]] = (),
    merges: list[str] = (),
    info: list[tuple[Any, Any]] = INFO,
    name: str = "bang-diem.xlsx",
) -> Path:
    """A workbook: `above` rows, the header, then each row (a dict by heading, or a list as is:
    a group heading row); agencies are numbered 1, 2, … in TT."""
    columns = header or [*HEADER, *(c.code for c in rules.criteria)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    for values in above:
        sheet.append(values)
    sheet.append(columns)
    number = 0
    for row in rows:
        if isinstance(row, list):
            sheet.append(row)
            continue
        number += 1
        sheet.append([number if c == "TT" else row.get(c) for c in columns])
    for merged in merges:
        sheet.merge_cells(merged)
    info_sheet = book.create_sheet("Thông tin")
    for key, value in info:
        info_sheet.append([key, value])
    path = folder / name
    book.save(path)
    return path


# --- headings: found below titles, misspelt ones named with what they were meant to be -------


def test_fold_and_near_miss_ignore_accents_and_catch_close_spellings():
    assert fold("CĐS1") == fold("cds 1".replace(" ", "")) == "cds1"
    assert near_miss("CDS1", ["CĐS2", "CĐS1"]) == "CĐS1"
    assert near_miss("Ten don vi", ["TT", "Tên đơn vị"]) == "Tên đơn vị"
    assert near_miss("TC22", ["TC2.2", "TD"]) == "TC2.2"
    assert near_miss("Ghi chú", ["TC2.2", "Xếp hạng năm trước"]) is None


def test_title_rows_above_the_headings_are_skipped_and_cells_keep_their_references(rules, tmp_path):
    above = [["BẢNG TỔNG HỢP ĐIỂM THẨM ĐỊNH NĂM 2020"], [], ["(Kèm theo Tờ trình số 04)"]]
    rows = [agency(rules, "Sở A", "I", 1), agency(rules, "Sở B", "I", 2, TC2_1=15)]
    last = column_letter(len(HEADER) + len(rules.criteria))
    path = write(tmp_path, rules, rows, above=above, merges=[f"A1:{last}1", f"A3:{last}3"])
    evaluation, problems = check(path, rules)
    assert errors_at(problems) == {
        f"Điểm!{col(rules, 'TC2.1')}6": "(Sở B) Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 "
        "của nhóm I."
    }
    assert warnings_of(problems) == []  # titles are not data: nothing to say about them
    path = write(tmp_path, rules, rows[:1], above=above, merges=[f"A1:{last}1"])
    evaluation, problems = check(path, rules)
    assert problems == [] and evaluation.agencies[0].row == 5


def test_a_misspelt_criterion_heading_is_named_and_every_other_cell_still_checked(rules, tmp_path):
    header = [*HEADER, *(c.code for c in rules.criteria)]
    header[header.index("TC2.2")] = "tc22"
    header[header.index("Tên đơn vị")] = "Ten don vi"
    rows = [agency(rules, "Sở A", "I", 1, TC1_1="bảy"), agency(rules, "Sở B", "II", 1, TD=3)]
    rows[0]["Ten don vi"], rows[1]["Ten don vi"] = "Sở A", "Sở B"
    evaluation, problems = check(write(tmp_path, rules, rows, header=header), rules)
    found = errors_at(problems)
    assert evaluation is None
    assert found[f"Điểm!{col(rules, 'TC2.2')}1"].startswith(
        "Thiếu cột «TC2.2»: ô này ghi «tc22», có phải «TC2.2»?"
    )
    assert found["Điểm!B1"].startswith("Thiếu cột «Tên đơn vị»: ô này ghi «Ten don vi»")
    # no name column: the cells are still checked, named by their place only
    assert "phải là số, đang ghi «bảy»" in found[f"Điểm!{col(rules, 'TC1.1')}2"]
    assert "Tiêu chí trừ điểm TD" in found[f"Điểm!{col(rules, 'TD')}3"]
    assert len(found) == 4
    assert not any("bị bỏ qua" in w for w in warnings_of(problems))  # not also "ignored"


def test_check_reports_a_misspelt_heading_and_four_cell_errors_in_one_run(rules, tmp_path):
    """The issue's "done when": all five at once, each with its sheet and cell for programs."""
    header = [*HEADER, *(c.code for c in rules.criteria)]
    header[header.index("TC3.2")] = "TC 3.2"
    rows = [
        agency(rules, "Sở Kế hoạch và Đầu tư", "I", 1, TC2_1=15),
        agency(rules, "Sở Tư pháp", "I", 2, TC1_2="sáu"),
        agency(rules, "Ban Dân tộc", "II", 1, TC3_1=4),
        agency(rules, "UBND huyện Bát Xát", "III", 1.5),
    ]
    done = cli("check", str(write(tmp_path, rules, rows, header=header)), "--format", "json")
    assert done.returncode == 2
    found = json.loads(done.stdout)
    assert found["errors"] == 5, found["problems"]
    cells = {
        (p["sheet"], p["cell"]): f"({p['agency']}) {p['message']}" if p["agency"] else p["message"]
        for p in found["problems"]
    }
    assert cells[("Điểm", f"{col(rules, 'TC3.2')}1")].startswith("Thiếu cột «TC3.2»")
    assert "có phải «TC3.2»?" in cells[("Điểm", f"{col(rules, 'TC3.2')}1")]
    assert cells[("Điểm", f"{col(rules, 'TC2.1')}2")].startswith("(Sở Kế hoạch và Đầu tư) ")
    assert cells[("Điểm", f"{col(rules, 'TC1.2')}3")].startswith("(Sở Tư pháp) Điểm tiêu chí")
    assert cells[("Điểm", f"{col(rules, 'TC3.1')}4")].startswith("(Ban Dân tộc) Tiêu chí TC3.1")
    assert cells[("Điểm", "D5")].startswith("(UBND huyện Bát Xát) Xếp hạng năm trước")


def test_every_message_about_an_agencys_cell_starts_with_the_agency(rules, tmp_path):
    rows = [
        agency(rules, "Sở A", "I", 1, TC2_1=15, TC1_1="10,5"),
        agency(rules, "Sở B", "I", 1),  # same prior rank: a warning
        agency(rules, "", "I", 3, TC1_2=-1),  # no name: nothing to name it by
    ]
    _, problems = check(write(tmp_path, rules, rows), rules)
    by_place = {p.place: named(p) for p in problems}
    assert by_place[f"Điểm!{col(rules, 'TC2.1')}2"].startswith("(Sở A) Điểm tiêu chí TC2.1")
    assert by_place[f"Điểm!{col(rules, 'TC1.1')}2"].startswith("(Sở A) Điểm tiêu chí TC1.1")
    assert by_place["Điểm!D3"].startswith("(Sở B) Xếp hạng năm trước 1 trùng với ô Điểm!D2")
    assert by_place["Điểm!B4"] == "Thiếu tên đơn vị."
    assert by_place[f"Điểm!{col(rules, 'TC1.2')}4"].startswith("Điểm tiêu chí TC1.2 không")


# --- group heading rows ---------------------------------------------------------------------


def headed(rules: Rules, *, group_column: bool) -> tuple[list[str], list[dict | list]]:
    header = [*HEADER, *(c.code for c in rules.criteria)]
    if not group_column:
        header.remove("Nhóm")
    rows: list[dict | list] = []
    for group, names in (("I", ["Sở A", "Sở B"]), ("II", ["Ban C"]), ("III", ["UBND huyện D"])):
        rows.append([group, TITLES[group]])
        rows += [agency(rules, n, group, i) for i, n in enumerate(names, start=1)]
    return header, rows


@pytest.mark.parametrize("group_column", [True, False], ids=["co-cot-nhom", "khong-cot-nhom"])
def test_group_heading_rows_are_skipped_and_say_the_group(rules, tmp_path, group_column):
    header, rows = headed(rules, group_column=group_column)
    last = column_letter(len(header))
    merges = [f"B2:{last}2", f"B5:{last}5"]  # heading rows merged across: hide no score
    evaluation, problems = check(write(tmp_path, rules, rows, header=header, merges=merges), rules)
    assert problems == []
    assert [(a.name, a.group, a.row) for a in evaluation.agencies] == [
        ("Sở A", "I", 3),
        ("Sở B", "I", 4),
        ("Ban C", "II", 6),
        ("UBND huyện D", "III", 8),
    ]


def test_a_blank_group_cell_under_a_heading_takes_the_headings_group(rules, tmp_path):
    header, rows = headed(rules, group_column=True)
    rows[1]["Nhóm"] = None
    evaluation, problems = check(write(tmp_path, rules, rows, header=header), rules)
    assert problems == [] and evaluation.agencies[0].group == "I"


def test_a_heading_may_carry_the_title_in_its_tt_cell_or_only_in_the_name_cell(rules, tmp_path):
    header, rows = headed(rules, group_column=False)
    rows[0] = ["Nhóm I: Các cơ quan, đơn vị có TTHC"]
    rows[3] = [None, TITLES["II"]]
    rows[5] = ["III. UBND cấp huyện"]
    evaluation, problems = check(write(tmp_path, rules, rows, header=header), rules)
    assert problems == []
    assert [a.group for a in evaluation.agencies] == ["I", "I", "II", "III"]


def test_a_heading_row_may_carry_its_groups_subtotal(rules, tmp_path):
    header, rows = headed(rules, group_column=False)
    header.append("Tổng điểm")
    for row in rows:
        if isinstance(row, dict):
            row["Tổng điểm"] = float(sum(Decimal(str(v)) for k, v in row.items() if "TC" in k))
    rows[0] += [None] * (len(header) - 3) + [180]  # the council's sum of group I
    evaluation, problems = check(write(tmp_path, rules, rows, header=header), rules)
    assert problems == [] and len(evaluation.agencies) == 4


def test_a_merge_reaching_an_agencys_row_is_still_reported(rules, tmp_path):
    header, rows = headed(rules, group_column=True)
    path = write(tmp_path, rules, rows, header=header, merges=["C3:C4"])
    _, problems = check(path, rules)
    assert "đang được gộp" in errors_at(problems)["Điểm!C3:C4"]


def test_without_a_group_column_or_a_heading_the_sheet_says_so_once(rules, tmp_path):
    header = [h for h in [*HEADER, *(c.code for c in rules.criteria)] if h != "Nhóm"]
    rows = [agency(rules, "Sở A", "I", 1, TC1_1="bảy"), agency(rules, "Sở B", "I", 2)]
    evaluation, problems = check(write(tmp_path, rules, rows, header=header), rules)
    found = errors_at(problems)
    assert evaluation is None
    assert "Thiếu cột «Nhóm» ở hàng 1" in found["Điểm (hàng tiêu đề)"]
    assert "hàng tiêu đề nhóm" in found["Điểm (hàng tiêu đề)"]
    # the cells that need no group are still checked
    assert "(Sở A) Điểm tiêu chí TC1.1 phải là số" in found[f"Điểm!{col(rules, 'TC1.1', header)}2"]
    assert len(found) == 2


def test_an_unknown_heading_is_one_error_not_a_row_of_missing_scores(rules, tmp_path):
    header, rows = headed(rules, group_column=True)
    rows.insert(0, ["IV", "Các đơn vị khác"])
    _, problems = check(write(tmp_path, rules, rows, header=header), rules)
    assert list(errors_at(problems)) == ["Điểm!A2"]
    assert "«IV», không phải mã nhóm nào" in errors_at(problems)["Điểm!A2"]


def test_a_heading_whose_group_cell_names_another_group_is_refused(rules, tmp_path):
    header, rows = headed(rules, group_column=True)
    rows[3] = ["II", TITLES["II"], "III"]
    _, problems = check(write(tmp_path, rules, rows, header=header), rules)
    assert "nhóm II ở ô Điểm!A5 nhưng ô «Nhóm» ghi «III»" in errors_at(problems)["Điểm!C5"]


def test_a_group_unknown_to_the_rules_still_has_its_cells_checked(rules, tmp_path):
    rows = [agency(rules, "Sở A", "I", 1, TC1_1="bảy", TC1_2=7.123, TD=2)]
    rows[0]["Nhóm"] = "IV"
    _, problems = check(write(tmp_path, rules, rows), rules)
    found = errors_at(problems)
    assert "Mã nhóm phải là một trong: I, II, III" in found["Điểm!C2"]
    assert "phải là số" in found[f"Điểm!{col(rules, 'TC1.1')}2"]
    assert "3 chữ số thập phân" in found[f"Điểm!{col(rules, 'TC1.2')}2"]
    assert "phải là số âm hoặc 0" in found[f"Điểm!{col(rules, 'TD')}2"]


def test_a_hidden_heading_row_is_not_a_hidden_agency(rules, tmp_path):
    header, rows = headed(rules, group_column=True)
    path = write(tmp_path, rules, rows, header=header)
    book = openpyxl.load_workbook(path)
    book["Điểm"].row_dimensions[2].hidden = True
    book["Điểm"].row_dimensions[3].hidden = True
    book.save(path)
    _, problems = check(path, rules)
    assert [p.place for p in problems] == ["Điểm!3:3"]


# --- Thông tin: dates written out -------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "ngày 08 tháng 01 năm 2021",
        "08 tháng 01 năm 2021",
        "Ngày 8 tháng 1 năm 2021",
        "ngay 08 thang 01 nam 2021",
        "ngày 08/01/2021",
        "8/1/2021",
    ],
)
def test_a_date_written_the_vietnamese_way_is_accepted(rules, tmp_path, written):
    info = [(k, written if k == "Ngày tờ trình" else v) for k, v in INFO]
    info.append(("Ngày quyết định", "ngày 15 tháng 01 năm 2021"))
    info = [(k, v) for k, v in info if not (k == "Ngày quyết định" and v is None)]
    path = write(tmp_path, rules, [agency(rules, "Sở A", "I", 1)], info=info)
    evaluation, problems = check(path, rules)
    assert problems == []
    assert evaluation.info.submission_date == dt.date(2021, 1, 8)
    assert evaluation.info.decision_date == dt.date(2021, 1, 15)
