"""The corpus of bad workbooks: each one built here by a script, never a hand-edited binary.

Every case starts from the same small, valid workbook (four agencies over the three groups of
the bundled Lào Cai rules, with a `Tổng điểm` column) and breaks one thing, the way a
secretary under deadline might. Each case knows where the tool must point and the words its
message must carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from processor.core.model import Rules
from processor.core.sheet import column_letter

from conftest import HEADER, INFO, ROOT, full_row

AGENCIES = [("Sở Tư pháp", "I", 1), ("Sở Y tế", "I", 2), ("Ban Dân tộc", "II", 1)]
AGENCIES += [("UBND huyện Bát Xát", "III", 1)]
TOTAL = "Tổng điểm"


def base_book(rules: Rules) -> openpyxl.Workbook:
    """A valid workbook: the header in row 1, agencies from row 2, totals that add up."""
    codes = [c.code for c in rules.criteria]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append([*HEADER, *codes, TOTAL])
    for number, (name, group, prior) in enumerate(AGENCIES, start=1):
        scores = full_row(rules, group)
        total = round(sum(scores.values()), 2)
        sheet.append([number, name, group, prior, *(scores.get(c) for c in codes), total])
    info = book.create_sheet("Thông tin")
    for key, value in INFO:
        info.append([key, value])
    return book


def letter(rules: Rules, code: str) -> str:
    """The column letter of a criterion (or of `Tổng điểm`) in the base workbook."""
    columns = [*HEADER, *(c.code for c in rules.criteria), TOTAL]
    return column_letter(columns.index(code) + 1)


def info_row(book: openpyxl.Workbook, key: str) -> int:
    sheet = book["Thông tin"]
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == key)


@dataclass(frozen=True)
class Case:
    """One bad workbook: how to break the base, where the tool must point, what it must say."""

    name: str
    breaks: Callable[[openpyxl.Workbook, Rules], Any]
    place: Callable[[Rules], str]
    words: tuple[str, ...]
    severity: str = "Lỗi"

    def build(self, rules: Rules, folder: Path) -> Path:
        book = base_book(rules)
        self.breaks(book, rules)
        path = folder / f"{self.name}.xlsx"
        book.save(path)
        return path


def at(place: str) -> Callable[[Rules], str]:
    return lambda rules: place


def score(code: str, row: int) -> Callable[[Rules], str]:
    return lambda rules: f"Điểm!{letter(rules, code)}{row}"


def set_score(code: str, row: int, value: Any) -> Callable[[openpyxl.Workbook, Rules], None]:
    def breaks(book: openpyxl.Workbook, rules: Rules) -> None:
        book["Điểm"][f"{letter(rules, code)}{row}"] = value

    return breaks


def set_info(key: str, value: Any) -> Callable[[openpyxl.Workbook, Rules], None]:
    def breaks(book: openpyxl.Workbook, rules: Rules) -> None:
        book["Thông tin"].cell(info_row(book, key), 2).value = value

    return breaks


def delete_column(code: str) -> Callable[[openpyxl.Workbook, Rules], None]:
    def breaks(book: openpyxl.Workbook, rules: Rules) -> None:
        sheet: Worksheet = book["Điểm"]
        sheet.delete_cols(openpyxl.utils.column_index_from_string(letter(rules, code)))

    return breaks


def rename_sheet(old: str, new: str) -> Callable[[openpyxl.Workbook, Rules], None]:
    def breaks(book: openpyxl.Workbook, rules: Rules) -> None:
        book[old].title = new

    return breaks


def _number_above_the_headings(book: openpyxl.Workbook, rules: Rules) -> None:
    """A title row, and below it a row that looks like data: it is not read, and said so."""
    sheet = book["Điểm"]
    sheet.insert_rows(1, 2)
    sheet["A1"] = "BẢNG TỔNG HỢP ĐIỂM THẨM ĐỊNH NĂM 2020"
    sheet["B2"] = "Năm"
    sheet["C2"] = 2020


def _misspelt_criterion(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"][f"{letter(rules, 'TC2.2')}1"] = "TC22"


def _misspelt_total(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"][f"{letter(rules, TOTAL)}1"] = "Tong diem"


def _heading_row(book: openpyxl.Workbook, row: int, label: str, title: str) -> None:
    """A group heading row inserted before `row`: the label in TT, a title, no scores."""
    sheet = book["Điểm"]
    sheet.insert_rows(row)
    sheet.cell(row, 1, label)
    sheet.cell(row, 2, title)


def _heading_disagrees(book: openpyxl.Workbook, rules: Rules) -> None:
    _heading_row(book, 2, "II", "Các cơ quan, đơn vị đặc thù hoặc không có TTHC")


def _no_heading_above(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"].delete_cols(3)  # no Nhóm column: the headings say the groups
    _heading_row(book, 4, "II", "Các cơ quan, đơn vị đặc thù hoặc không có TTHC")
    _heading_row(book, 6, "III", "UBND cấp huyện")


def _unknown_heading(book: openpyxl.Workbook, rules: Rules) -> None:
    _heading_row(book, 2, "IV", "Các đơn vị khác")


def _slip_in_a_leading_digit(book: openpyxl.Workbook, rules: Rules) -> None:
    cell = book["Điểm"][f"{letter(rules, 'TC3.1')}2"]
    cell.value = round(cell.value - 10, 2)  # 16,2 typed as 6,2: the total is 10 over


def _duplicate_header(book: openpyxl.Workbook, rules: Rules) -> None:
    sheet = book["Điểm"]
    column = sheet.max_column + 1
    sheet.cell(1, column, "TC1.1")


def _percent(book: openpyxl.Workbook, rules: Rules) -> None:
    cell = book["Điểm"][f"{letter(rules, 'TC2.1')}3"]
    cell.value = 0.85
    cell.number_format = "0%"


def _merged(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"].merge_cells("C2:C3")  # both agencies of group I under one "I"


def _only_header(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Điểm"].delete_rows(2, len(AGENCIES))


def _drop_info_key(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Thông tin"].delete_rows(info_row(book, "Năm đánh giá"))


def _repeat_info_key(book: openpyxl.Workbook, rules: Rules) -> None:
    book["Thông tin"].append(["Người ký", "Nguyễn Văn A"])


def _wrong_total(book: openpyxl.Workbook, rules: Rules) -> None:
    cell = book["Điểm"][f"{letter(rules, TOTAL)}2"]
    cell.value = cell.value + 1


CASES: list[Case] = [
    Case(
        "thieu-sheet-diem",
        rename_sheet("Điểm", "Sheet1"),
        at("Điểm"),
        ("Không tìm thấy sheet «Điểm»", "«Sheet1»"),
    ),
    Case(
        "thieu-sheet-thong-tin",
        rename_sheet("Thông tin", "TT chung"),
        at("Thông tin"),
        ("Không tìm thấy sheet «Thông tin»",),
    ),
    Case(
        "thieu-cot-nhom",
        lambda book, rules: book["Điểm"].delete_cols(3),
        at("Điểm (hàng tiêu đề)"),
        ("Thiếu cột «Nhóm»", "hàng 1"),
    ),
    Case(
        "thieu-cot-tieu-chi",
        delete_column("TC2.2"),
        at("Điểm (hàng tiêu đề)"),
        ("Thiếu cột «TC2.2»",),
    ),
    Case(
        "cot-tieu-chi-lap",
        _duplicate_header,
        lambda rules: f"Điểm!{column_letter(len(HEADER) + len(rules.criteria) + 2)}1",
        ("Cột «TC1.1» bị lặp", "Điểm!E1"),
    ),
    Case(
        "tieu-de-tieu-chi-go-sai",
        _misspelt_criterion,
        score("TC2.2", 1),
        ("Thiếu cột «TC2.2»", "ô này ghi «TC22», có phải «TC2.2»?", "các cột khác vẫn"),
    ),
    Case(
        "nhom-khac-hang-tieu-de-nhom",
        _heading_disagrees,
        at("Điểm!C3"),
        ("(Sở Tư pháp)", "Mã nhóm I", "khác nhóm II của hàng tiêu đề nhóm ở ô Điểm!A2"),
    ),
    Case(
        "khong-co-cot-nhom-va-hang-tieu-de-nhom",
        _no_heading_above,
        at("Điểm!B2"),
        ("Không biết đơn vị «Sở Tư pháp» thuộc nhóm nào", "không có cột «Nhóm»"),
    ),
    Case(
        "hang-tieu-de-nhom-la",
        _unknown_heading,
        at("Điểm!A2"),
        ("không phải mã nhóm nào", "«IV»", "I, II, III"),
    ),
    Case(
        "ma-nhom-la",
        lambda book, rules: book["Điểm"].__setitem__("C3", "IV"),
        at("Điểm!C3"),
        ("(Sở Y tế): Mã nhóm phải là một trong: I, II, III", "«IV»"),
    ),
    Case(
        "ma-nhom-trong",
        lambda book, rules: book["Điểm"].__setitem__("C4", None),
        at("Điểm!C4"),
        ("Mã nhóm", "đang để trống"),
    ),
    Case(
        "ten-don-vi-trong",
        lambda book, rules: book["Điểm"].__setitem__("B3", "   "),
        at("Điểm!B3"),
        ("Thiếu tên đơn vị",),
    ),
    Case(
        "ten-don-vi-trung",
        lambda book, rules: book["Điểm"].__setitem__("B3", "sở  tư pháp"),
        at("Điểm!B3"),
        ("trùng với hàng 2",),
    ),
    Case(
        "ten-don-vi-la-so",
        lambda book, rules: book["Điểm"].__setitem__("B3", 123),
        at("Điểm!B3"),
        ("Tên đơn vị phải là chữ", "123"),
    ),
    Case(
        "diem-trong",
        set_score("TC1.2", 3, None),
        score("TC1.2", 3),
        ("Thiếu điểm tiêu chí TC1.2",),
    ),
    Case(
        "diem-la-chu",
        set_score("TC1.1", 2, "tốt"),
        score("TC1.1", 2),
        ("(Sở Tư pháp): Điểm tiêu chí TC1.1 phải là số", "«tốt»"),
    ),
    Case(
        "diem-la-ngay",
        set_score("TC4.1", 2, dt.date(2020, 5, 7)),
        score("TC4.1", 2),
        ("phải là số", "ngày 07/05/2020"),
    ),
    Case(
        "diem-la-dung-sai",
        set_score("TC4.2", 2, True),
        score("TC4.2", 2),
        ("phải là số", "TRUE"),
    ),
    Case(
        "diem-am",
        set_score("TC2.3", 2, -1),
        score("TC2.3", 2),
        ("không được âm", "-1"),
    ),
    Case(
        "diem-tru-duong",
        set_score("TD", 3, 2),
        score("TD", 3),
        ("Tiêu chí trừ điểm TD phải từ -10 đến 0",),
    ),
    Case(
        "diem-tru-qua-muc",
        set_score("TD", 3, -12),
        score("TD", 3),
        ("Tiêu chí trừ điểm TD phải từ -10 đến 0", "-12"),
    ),
    Case(
        "diem-vuot-toi-da",
        set_score("TC2.1", 4, 15),
        score("TC2.1", 4),
        ("(Ban Dân tộc): Điểm tiêu chí TC2.1 là 15", "vượt điểm tối đa 14 của nhóm II"),
    ),
    Case(
        "diem-cho-tieu-chi-khong-ap-dung",
        set_score("TC3.1", 4, 5),
        score("TC3.1", 4),
        ("Tiêu chí TC3.1 không áp dụng cho nhóm II", "phải để trống"),
    ),
    Case(
        "qua-nhieu-chu-so-thap-phan",
        set_score("TC1.1", 2, 7.125),
        score("TC1.1", 2),
        ("7,125", "3 chữ số thập phân", "tối đa 2"),
    ),
    Case(
        "o-dinh-dang-phan-tram",
        _percent,
        score("TC2.1", 3),
        ("định dạng phần trăm", "85%", "bỏ định dạng %"),
    ),
    Case(
        "cong-thuc-chua-co-ket-qua",
        set_score("TC5.1", 2, "=3+4"),
        score("TC5.1", 2),
        ("công thức", "không lưu kết quả", "Ctrl+Alt+F9"),
    ),
    Case(
        "o-bao-loi-cong-thuc",
        set_score("TC5.2", 2, "#DIV/0!"),
        score("TC5.2", 2),
        ("#DIV/0!", "sửa công thức"),
    ),
    Case(
        "tong-diem-lech",
        _wrong_total,
        lambda rules: f"Điểm!{letter(rules, TOTAL)}2",
        ("Tổng điểm ghi trong bảng là", "cộng điểm các tiêu chí được"),
    ),
    Case(
        "tong-diem-lech-vi-thieu-chu-so-dau",
        _slip_in_a_leading_digit,
        lambda rules: f"Điểm!{letter(rules, TOTAL)}2",
        (
            "(Sở Tư pháp): Tổng điểm ghi trong bảng là",
            "(lệch 10,00)",
            "Ô có thể gõ nhầm:",
            "(TC3.1) = 6,2: ghi 16,2 thì tổng khớp (thiếu chữ số 1 ở đầu)",
        ),
    ),
    Case(
        "tong-diem-la-chu",
        lambda book, rules: book["Điểm"].__setitem__(f"{letter(rules, TOTAL)}3", "chín mươi"),
        lambda rules: f"Điểm!{letter(rules, TOTAL)}3",
        ("Tổng điểm phải là số", "«chín mươi»"),
    ),
    Case(
        "xep-hang-truoc-khong-nguyen",
        lambda book, rules: book["Điểm"].__setitem__("D3", 2.5),
        at("Điểm!D3"),
        ("Xếp hạng năm trước phải là số nguyên dương", "2,5"),
    ),
    Case(
        "xep-hang-truoc-am",
        lambda book, rules: book["Điểm"].__setitem__("D3", -2),
        at("Điểm!D3"),
        ("Xếp hạng năm trước phải là số nguyên dương", "-2"),
    ),
    Case(
        "o-gop-trong-vung-du-lieu",
        _merged,
        at("Điểm!C2:C3"),
        ("đang được gộp", "bỏ gộp ô"),
    ),
    Case(
        "khong-co-don-vi",
        _only_header,
        at("Điểm (vùng dữ liệu)"),
        ("Không có đơn vị nào",),
    ),
    Case(
        "thieu-nam-danh-gia",
        _drop_info_key,
        at("Thông tin (cột A)"),
        ("Thiếu mục «Năm đánh giá»",),
    ),
    Case(
        "nam-danh-gia-khong-phai-so",
        set_info("Năm đánh giá", "năm nay"),
        lambda rules: "Thông tin!B2",
        ("Năm đánh giá phải là năm", "«năm nay»"),
    ),
    Case(
        "ngay-to-trinh-sai",
        set_info("Ngày tờ trình", "32/01/2021"),
        lambda rules: "Thông tin!B4",
        ("Mục «Ngày tờ trình» phải là một ngày", "«32/01/2021»"),
    ),
    Case(
        "ngay-to-trinh-viet-chu-sai",
        set_info("Ngày tờ trình", "ngày 30 tháng 02 năm 2021"),
        lambda rules: "Thông tin!B4",
        ("Mục «Ngày tờ trình» phải là một ngày", "«ngày 30 tháng 02 năm 2021»"),
    ),
    Case(
        "nguoi-ky-trong",
        set_info("Người ký", None),
        lambda rules: "Thông tin!B5",
        ("Thiếu giá trị của mục «Người ký»",),
    ),
    Case(
        "muc-thong-tin-lap",
        _repeat_info_key,
        lambda rules: "Thông tin!A9",
        ("Mục «Người ký» ghi hai lần", "đã có ở ô Thông tin!A5"),
    ),
    Case(
        "nam-danh-gia-la-cong-thuc",
        set_info("Năm đánh giá", "=2019+1"),
        lambda rules: "Thông tin!B2",
        ("Mục «Năm đánh giá»", "không lưu kết quả"),
    ),
]

# Workbooks that are usable but deserve a second look: exit 0 and a warning at the place.
WARNING_CASES: list[Case] = [
    Case(
        "diem-go-dang-chu-dau-phay",
        set_score("TC2.1", 2, "10,8"),
        score("TC2.1", 2),
        ("số được gõ dưới dạng chữ", "«10,8»", "đã hiểu là 10,8"),
        "Cảnh báo",
    ),
    Case(
        "xep-hang-truoc-trung",
        lambda book, rules: book["Điểm"].__setitem__("D3", 1),
        at("Điểm!D3"),
        ("(Sở Y tế): Xếp hạng năm trước 1", "trùng với ô Điểm!D2 cùng nhóm I", "đồng hạng"),
        "Cảnh báo",
    ),
    Case(
        "xep-hang-truoc-qua-lon",
        lambda book, rules: book["Điểm"].__setitem__("D3", 9),
        at("Điểm!D3"),
        ("Xếp hạng năm trước là 9", "nhóm I chỉ có 2 đơn vị"),
        "Cảnh báo",
    ),
    Case(
        "hang-bi-an",
        lambda book, rules: setattr(book["Điểm"].row_dimensions[3], "hidden", True),
        at("Điểm!3:3"),
        ("Hàng 3 đang bị ẩn", "vẫn được tính"),
        "Cảnh báo",
    ),
    Case(
        "cot-la",
        lambda book, rules: book["Điểm"].cell(1, book["Điểm"].max_column + 2, "Ghi chú"),
        lambda rules: f"Điểm!{column_letter(len(HEADER) + len(rules.criteria) + 3)}1",
        ("«Ghi chú»", "bị bỏ qua"),
        "Cảnh báo",
    ),
    Case(
        "tieu-de-tong-diem-go-sai",
        _misspelt_total,
        lambda rules: f"Điểm!{letter(rules, TOTAL)}1",
        ("«Tong diem»", "bị bỏ qua", "có phải «Tổng điểm»?"),
        "Cảnh báo",
    ),
    Case(
        "so-phia-tren-hang-tieu-de",
        _number_above_the_headings,
        at("Điểm!1:2"),
        ("Hàng tiêu đề của bảng điểm là hàng 3", "không được đọc", "Điểm!C2", "2020"),
        "Cảnh báo",
    ),
    Case(
        "tong-diem-la-cong-thuc-chua-tinh",
        lambda book, rules: book["Điểm"].__setitem__(
            f"{letter(rules, TOTAL)}2",
            # a council's own formula (the plain sum of the criteria is init's, and trusted)
            f"=ROUND(SUM({letter(rules, 'TC1.1')}2:{letter(rules, 'TD')}2),2)",
        ),
        lambda rules: f"Điểm!{letter(rules, TOTAL)}2",
        ("Không đối chiếu được tổng điểm", "vẫn tự cộng"),
        "Cảnh báo",
    ),
]


def documented_phrases() -> list[str]:
    """The phrases in the first column of the README's tables of messages."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Khi bảng điểm có lỗi", 1)[1].split("\n## ", 1)[0]
    phrases = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            phrases += first_column.split("`")[1::2]
    return phrases
