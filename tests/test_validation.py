"""Workbooks written by openpyxl, read back and checked: every problem names its cell."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from processor.core.problems import InputError, Severity
from processor.core.sheet import column_letter
from processor.core.validation import check_workbook
from processor.reading.workbook import read_workbook

from conftest import HEADER, INFO, full_row


def check(path, rules):
    return check_workbook(read_workbook(path), rules)


def errors_at(problems):
    return {p.place: p.message for p in problems if p.severity is Severity.ERROR}


def col(rules, code):
    return column_letter(len(HEADER) + 1 + [c.code for c in rules.criteria].index(code))


def test_a_clean_workbook_gives_typed_agencies(make_workbook, rules):
    path = make_workbook(
        [
            ("Sở A", "I", 2, full_row(rules, "I")),
            ("Sở B", "ii", None, full_row(rules, "II", 0.5)),
            ("UBND huyện C", " III ", "1", full_row(rules, "III")),
            ("Sở D", "I", 1, full_row(rules, "I")),
        ]
    )
    evaluation, problems = check(path, rules)
    assert problems == []
    a, b, c, _ = evaluation.agencies
    assert (a.name, a.group, a.prior_rank, a.row) == ("Sở A", "I", 2, 2)
    assert (b.group, b.prior_rank) == ("II", None)
    assert (c.group, c.prior_rank) == ("III", 1)
    assert set(b.scores) == {x.code for x in rules.criteria if x.applies_to("II")}
    assert all(isinstance(v, Decimal) for v in a.scores.values())
    info = evaluation.info
    assert (info.year, info.submission_number, info.submission_date) == (
        2020,
        "04/TTr-STTTT",
        dt.date(2021, 1, 8),
    )
    assert info.signer_title == ("CHỦ TỊCH",)
    assert info.decision_number is None and info.decision_date is None


def test_headers_match_whatever_the_case_spacing_or_unicode_form(make_workbook, rules):
    import unicodedata

    codes = [c.code for c in rules.criteria]
    header = [" tt ", unicodedata.normalize("NFD", "TÊN  ĐƠN VỊ"), "nhóm", "Xếp hạng\nnăm trước"]
    header += [code.lower() for code in codes]
    path = make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], header=[*header])
    # the maker fills columns by their exact header text, so put the scores in by hand
    book = openpyxl.load_workbook(path)
    sheet = book["Điểm"]
    scores = full_row(rules, "I")
    sheet.cell(2, 2, "Sở A")
    sheet.cell(2, 3, "I")
    for i, code in enumerate(codes, start=len(HEADER) + 1):
        sheet.cell(2, i, scores.get(code))
    book.save(path)
    evaluation, problems = check(path, rules)
    assert problems == []
    assert evaluation.agencies[0].name == "Sở A"


def test_cell_problems_are_all_found_in_one_pass(make_workbook, rules):
    bad = full_row(rules, "I")
    bad["TC2.1"] = 15  # max 12 in group I
    bad["TC1.1"] = -1
    bad["TC1.2"] = "bảy"
    bad["TD"] = 2  # a deduction must be <= 0
    del bad["TC3.1"]  # blank
    group_ii = full_row(rules, "II")
    group_ii["TC3.1"] = 5  # does not apply to group II
    path = make_workbook(
        [
            ("Sở A", "I", 1, bad),
            ("", "I", 2, full_row(rules, "I")),
            ("Sở B", "IV", 3, full_row(rules, "I")),
            ("Sở C", "II", 0, group_ii),
            ("sở  a", "I", 2.5, full_row(rules, "I")),
        ]
    )
    evaluation, problems = check(path, rules)
    assert evaluation is None
    found = errors_at(problems)
    expected = {
        f"Điểm!{col(rules, 'TC2.1')}2": "vượt điểm tối đa 12 của nhóm I",
        f"Điểm!{col(rules, 'TC1.1')}2": "không được âm",
        f"Điểm!{col(rules, 'TC1.2')}2": "phải là số, đang ghi «bảy»",
        f"Điểm!{col(rules, 'TD')}2": "từ -10 đến 0",
        f"Điểm!{col(rules, 'TC3.1')}2": "Thiếu điểm tiêu chí TC3.1",
        "Điểm!B3": "Thiếu tên đơn vị",
        "Điểm!C4": "Mã nhóm phải là một trong: I, II, III; đang ghi «IV»",
        "Điểm!D5": "số nguyên dương",
        f"Điểm!{col(rules, 'TC3.1')}5": "không áp dụng cho nhóm II",
        "Điểm!B6": "trùng với hàng 2",
        "Điểm!D6": "số nguyên dương",
    }
    for place, words in expected.items():
        assert place in found, (place, found)
        assert words in found[place], (place, found[place])
    assert len(found) == len(expected)


def test_missing_sheets_and_columns(tmp_path, rules):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    path = tmp_path / "sai.xlsx"
    book.save(path)
    evaluation, problems = check(path, rules)
    assert evaluation is None
    found = errors_at(problems)
    assert "Không tìm thấy sheet «Điểm»" in found["Điểm"]
    assert "«Sheet1»" in found["Điểm"]
    assert "Không tìm thấy sheet «Thông tin»" in found["Thông tin"]


def test_missing_and_duplicated_headers(make_workbook, rules):
    codes = [c.code for c in rules.criteria if c.code != "TC2.2"]
    header = ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước", *codes, "TC2.1", "Ghi chú"]
    path = make_workbook([], header=header)
    evaluation, problems = check(path, rules)
    assert evaluation is None
    messages = [(p.place, p.message, p.severity) for p in problems]
    assert ("Điểm (hàng tiêu đề)", True) in {
        (place, "Thiếu cột «TC2.2»" in message) for place, message, _ in messages
    }
    duplicate = column_letter(len(header) - 1)
    assert any(place == f"Điểm!{duplicate}1" and "bị lặp" in m for place, m, _ in messages)
    note = column_letter(len(header))
    assert any(
        place == f"Điểm!{note}1" and severity is Severity.WARNING for place, _, severity in messages
    )


def test_an_empty_data_area_is_refused(make_workbook, rules):
    evaluation, problems = check(make_workbook([]), rules)
    assert evaluation is None
    assert "Không có đơn vị nào" in errors_at(problems)["Điểm (vùng dữ liệu)"]


def test_council_total_is_cross_checked(tmp_path, rules):
    codes = [c.code for c in rules.criteria]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append([*HEADER, *codes, "Tổng điểm"])
    scores = full_row(rules, "I", 0.8)
    computed = sum(Decimal(str(v)) for v in scores.values())
    row = [1, "Sở A", "I", 1, *[scores.get(c) for c in codes]]
    sheet.append([*row, float(computed)])
    sheet.append([2, "Sở B", "I", 2, *[scores.get(c) for c in codes], float(computed) + 1])
    info = book.create_sheet("Thông tin")
    for key, value in INFO:
        info.append([key, value])
    path = tmp_path / "tong.xlsx"
    book.save(path)
    _, problems = check(path, rules)
    found = errors_at(problems)
    total_col = column_letter(len(HEADER) + len(codes) + 1)
    assert list(found) == [f"Điểm!{total_col}3"]
    assert "cộng điểm các tiêu chí được" in found[f"Điểm!{total_col}3"]


@pytest.mark.parametrize(
    ("key", "value", "place", "words"),
    [
        ("Năm đánh giá", "năm nay", "Thông tin!B2", "phải là năm"),
        ("Ngày tờ trình", "32/01/2021", "Thông tin!B4", "phải là một ngày"),
        ("Người ký", None, "Thông tin!B5", "Thiếu giá trị"),
        ("Ngày quyết định", "hôm nay", "Thông tin!B8", "phải là một ngày"),
    ],
)
def test_information_sheet_values(make_workbook, rules, key, value, place, words):
    info = [(k, value if k == key else v) for k, v in INFO]
    path = make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], info=info)
    evaluation, problems = check(path, rules)
    assert evaluation is None
    assert words in errors_at(problems)[place]


REPLACED = {"Ngày tờ trình", "Số quyết định", "Ngày quyết định"}


def test_information_sheet_accepts_typed_dates_and_numbers(make_workbook, rules):
    info = [
        *[
            (k, v)
            for k, v in INFO
            if k not in {"Ngày tờ trình", "Số quyết định", "Ngày quyết định"}
        ],
        ("Ngày tờ trình", "8/1/2021"),
        ("Số quyết định", 5),
        ("Ngày quyết định", dt.datetime(2021, 1, 15)),
    ]
    path = make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], info=info)
    evaluation, problems = check(path, rules)
    assert problems == []
    assert evaluation.info.submission_date == dt.date(2021, 1, 8)
    assert evaluation.info.decision_number == "5"
    assert evaluation.info.decision_date == dt.date(2021, 1, 15)


def test_a_missing_information_key_is_named(make_workbook, rules):
    info = [(k, v) for k, v in INFO if k != "Người ký"]
    evaluation, problems = check(
        make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], info=info), rules
    )
    assert evaluation is None
    assert "Thiếu mục «Người ký»" in errors_at(problems)["Thông tin (cột A)"]


def test_a_draft_may_leave_the_submission_number_blank(make_workbook, rules):
    """A Tờ trình not yet numbered prints as the blank a draft shows, never as a guess."""
    info = [(k, v) for k, v in INFO if k != "Số tờ trình"]
    evaluation, problems = check(
        make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], info=info), rules
    )
    assert problems == []
    assert evaluation.info.submission_number is None


def test_files_that_are_not_workbooks_are_refused(tmp_path):
    fake = tmp_path / "bang-diem.xlsx"
    fake.write_text("không phải bảng tính", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_workbook(fake)
    assert "không phải bảng tính Excel .xlsx hợp lệ" in caught.value.problems[0].message
    with pytest.raises(InputError) as caught:
        read_workbook(tmp_path / "khong-co.xlsx")
    assert "không tồn tại" in caught.value.problems[0].message


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_a_number_where_a_name_belongs_is_named(make_workbook, rules):
    evaluation, problems = check(make_workbook([(123, "I", 1, full_row(rules, "I"))]), rules)
    assert evaluation is None
    assert errors_at(problems) == {"Điểm!B2": "Tên đơn vị phải là chữ, đang ghi 123."}
