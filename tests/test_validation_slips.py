"""A `Tổng điểm` that does not add up names its cell, lists the row's criterion cells and points
at the ones that look mistyped. Workbooks written by openpyxl, read back and checked."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from processor.core.model import Rules
from processor.core.problems import Severity
from processor.core.sheet import column_letter
from processor.core.validation import check_workbook
from processor.reading.workbook import read_workbook

from conftest import HEADER, INFO, full_row

# TC3.1 (maximum 18 in group I) is scored in steps of 0,5 by this council.
STEPPED = [15, 15.5, 16, 16.5, 17, 17.5, 16, 15.5]


def workbook(
    folder: Path, rules: Rules, typed: dict[int, dict[str, float]], *, omit: str = ""
) -> Path:
    """Eight agencies of group I whose totals add up to their true scores; `typed` holds, by
    agency (0-7), the cells as mistyped afterwards: the totals then no longer agree."""
    codes = [c.code for c in rules.criteria if c.code != omit]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append([*HEADER, *codes, "Tổng điểm"])
    for i, step in enumerate(STEPPED):
        scores = full_row(rules, "I") | {"TC3.1": step}
        total = float(sum(Decimal(str(v)) for v in scores.values()))
        scores |= typed.get(i, {})
        sheet.append([i + 1, f"Sở {i + 1}", "I", i + 1, *(scores.get(c) for c in codes), total])
    info = book.create_sheet("Thông tin")
    for key, value in INFO:
        info.append([key, value])
    path = folder / "tong-diem.xlsx"
    book.save(path)
    return path


def problems_of(path: Path, rules: Rules):
    return check_workbook(read_workbook(path), rules)[1]


def total_message(rules: Rules, path: Path, row: int) -> str:
    place = f"Điểm!{column_letter(len(HEADER) + len(rules.criteria) + 1)}{row}"
    found = {
        p.place: f"({p.agency}) {p.message}" if p.agency else p.message
        for p in problems_of(path, rules)
        if p.severity is Severity.ERROR
    }
    assert list(found) == [place], found
    return found[place]


def cell(rules: Rules, code: str, row: int) -> str:
    return f"{column_letter(len(HEADER) + 1 + [c.code for c in rules.criteria].index(code))}{row}"


def test_the_totals_of_the_base_workbook_agree(rules, tmp_path):
    assert problems_of(workbook(tmp_path, rules, {}), rules) == []


def test_the_message_names_the_agency_the_gap_and_every_criterion_cell(rules, tmp_path):
    message = total_message(rules, workbook(tmp_path, rules, {2: {"TC3.1": 3}}), 4)
    assert message.startswith(
        "(Sở 3) Tổng điểm ghi trong bảng là 89,80 nhưng cộng điểm các tiêu chí được 76,80 "
        "(lệch 13,00). Điểm các tiêu chí của hàng: "
    )
    for code, value in full_row(rules, "I").items():
        shown = "3" if code == "TC3.1" else str(value).replace(".", ",").removesuffix(",0")
        assert f"{cell(rules, code, 4)} ({code}) = {shown}" in message, (code, message)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        # far below the group's others, and the gap points back up to them
        (3, "khác xa các đơn vị cùng nhóm I (thường quanh 16)"),
        # not a multiple of the column's usual 0,5
        (15.8, "không phải bội số của 0,5 như các ô khác trong cột"),
        # a leading digit dropped or added: the correction closes the gap exactly
        (6, "ghi 16 thì tổng khớp (thiếu chữ số 1 ở đầu)"),
        (116, None),  # over the maximum: that cell's own error, the total is not compared
        # the decimal comma in the wrong place
        (1.6, "ghi 16 thì tổng khớp (nhầm chỗ dấu phẩy thập phân)"),
    ],
)
def test_the_cell_that_looks_mistyped_is_pointed_at(rules, tmp_path, typed, why):
    path = workbook(tmp_path, rules, {2: {"TC3.1": typed}})  # the true score is 16
    if why is None:
        found = [p for p in problems_of(path, rules) if p.severity is Severity.ERROR]
        assert [p.place for p in found] == [f"Điểm!{cell(rules, 'TC3.1', 4)}"]
        return
    message = total_message(rules, path, 4)
    shown = str(typed).replace(".", ",")
    assert f"Ô có thể gõ nhầm: {cell(rules, 'TC3.1', 4)} (TC3.1) = {shown}: " in message
    assert why in message
    assert message.endswith("Nếu các ô điểm đều đúng thì sửa ô tổng điểm.")
    assert message.count(" = ") == len(full_row(rules, "I")) + 1  # no other cell suspected


def test_two_swapped_digits_are_pointed_at(rules, tmp_path):
    path = workbook(tmp_path, rules, {5: {"TC3.1": 17.15}})  # 17,51 typed as 17,15
    book = openpyxl.load_workbook(path)
    total = book["Điểm"].cell(7, len(HEADER) + len(rules.criteria) + 1)
    total.value = round(total.value + 0.01, 2)  # the true score was 17,51
    book.save(path)
    message = total_message(rules, path, 7)
    assert "ghi 17,51 thì tổng khớp (đảo hai chữ số)" in message


def test_an_extra_leading_digit_is_pointed_at(rules, tmp_path):
    path = workbook(tmp_path, rules, {0: {"TC1.1": 7.2, "TC2.1": 10.8}})
    book = openpyxl.load_workbook(path)
    total = book["Điểm"].cell(2, len(HEADER) + len(rules.criteria) + 1)
    total.value = round(total.value - 10, 2)  # the council's TC2.1 was 0,8: 10,8 is a slip
    book.save(path)
    message = total_message(rules, path, 2)
    assert f"{cell(rules, 'TC2.1', 2)} (TC2.1) = 10,8: ghi 0,8 thì tổng khớp (thừa chữ số 1" in (
        message
    )


def test_when_no_cell_looks_wrong_the_total_itself_is_suspected(rules, tmp_path):
    path = workbook(tmp_path, rules, {})
    book = openpyxl.load_workbook(path)
    total = book["Điểm"].cell(3, len(HEADER) + len(rules.criteria) + 1)
    total.value = round(total.value + 0.01, 2)
    book.save(path)
    message = total_message(rules, path, 3)
    assert "(lệch 0,01)" in message
    assert message.endswith(
        "Không ô nào có dấu hiệu gõ nhầm rõ ràng; kiểm tra lại các ô điểm hoặc ô tổng điểm của "
        "hàng này."
    )


def test_the_full_message_keeps_its_rows_place_among_the_problems(rules, tmp_path):
    path = workbook(tmp_path, rules, {1: {"TC3.1": 3}, 4: {"TC1.1": "tám"}, 6: {"TC3.1": 6}})
    places = [p.place for p in problems_of(path, rules)]
    total = column_letter(len(HEADER) + len(rules.criteria) + 1)
    assert places == [f"Điểm!{total}3", f"Điểm!{cell(rules, 'TC1.1', 6)}", f"Điểm!{total}8"]


def test_without_every_criterion_column_no_total_is_compared(rules, tmp_path):
    path = workbook(tmp_path, rules, {}, omit="TC2.2")
    found = [p for p in problems_of(path, rules) if p.severity is Severity.ERROR]
    assert [p.place for p in found] == ["Điểm (hàng tiêu đề)"]
    assert "Thiếu cột «TC2.2»" in found[0].message


def test_with_many_cells_that_could_close_the_gap_the_likeliest_come_first(rules, tmp_path):
    """A gap of exactly 10 and maxima of 100: every one-digit score "lacks a leading 1". The
    cell whose correction also makes it like its group's others is named first."""
    roomy = dataclasses.replace(
        rules,
        criteria=tuple(
            dataclasses.replace(c, max_points={g: Decimal(100) for g in c.max_points})
            for c in rules.criteria
        ),
    )
    path = workbook(tmp_path, rules, {2: {"TC3.1": 6}})  # the true score is 16
    found = [p for p in problems_of(path, roomy) if p.severity is Severity.ERROR]
    assert len(found) == 1
    suspects = found[0].message.split("Ô có thể gõ nhầm: ", 1)[1]
    assert suspects.startswith(
        f"{cell(rules, 'TC3.1', 4)} (TC3.1) = 6: ghi 16 thì tổng khớp (thiếu chữ số 1 ở đầu); "
    )
    assert suspects.count(" thì tổng khớp ") == 3  # three named …
    assert "(và 6 ô khác có dấu hiệu tương tự)" in suspects  # … the other six counted
