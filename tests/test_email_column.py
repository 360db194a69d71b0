"""The optional `Email` column of the score sheet: read, checked (warnings only), kept next year.

Every workbook here is a real .xlsx written with openpyxl and read by the tool as `check` and
`run` read it. The column says where an agency's own scorecard may be emailed; nothing of the
decision depends on it, so whatever is wrong in it is a warning naming the cell and the agency,
and the decision is still made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest

from processor.config.rules_file import load_rules
from processor.core.model import Rules
from processor.core.problems import InputError, Severity, errors
from processor.core.sheet import column_letter
from processor.core.validation.emails import bare_address, email_addresses
from processor.history.next_year import NewRow
from processor.pipeline import Inspection, inspect, process
from processor.writing.annotated_workbook import WARNING_FILL, annotate
from processor.writing.new_workbook import new_workbook

from bad_workbooks import AGENCIES, base_book, letter
from conftest import RULES_FILE, TEMPLATE_FILE, full_row

EMAIL = "Email"


def email_column(rules: Rules) -> int:
    """The base workbook's first free column, right of `Tổng điểm`."""
    return 4 + len(rules.criteria) + 2


def with_emails(
    rules: Rules, folder: Path, cells: dict[int, object], *, heading: str = EMAIL
) -> Path:
    """The base workbook (four agencies, rows 2-5) with an Email column holding `cells`."""
    book = base_book(rules)
    sheet = book["Điểm"]
    column = email_column(rules)
    sheet.cell(1, column, heading)
    for row, value in cells.items():
        sheet.cell(row, column, value)
    path = folder / "bang-diem-email.xlsx"
    book.save(path)
    return path


def checked(path: Path) -> Inspection:
    return inspect(path, RULES_FILE)


def emails_of(found: Inspection) -> dict[str, str | None]:
    assert found.evaluation is not None, [str(p) for p in found.problems]
    return {a.name: a.email for a in found.evaluation.agencies}


def test_addresses_are_stored_stripped_several_allowed_blank_is_none(rules, tmp_path):
    path = with_emails(
        rules,
        tmp_path,
        {
            2: "  vanphong@stp.laocai.gov.vn  ",
            3: "a@syt.gov.vn; Văn phòng Sở <b@syt.gov.vn>, A@syt.gov.vn;",
            4: "   ",
        },
    )
    found = checked(path)
    assert found.problems == ()  # nothing to say about a good Email column
    assert emails_of(found) == {
        "Sở Tư pháp": "vanphong@stp.laocai.gov.vn",
        "Sở Y tế": "a@syt.gov.vn; Văn phòng Sở <b@syt.gov.vn>",  # the same address once
        "Ban Dân tộc": None,
        "UBND huyện Bát Xát": None,
    }
    assert email_addresses("a@syt.gov.vn; Văn phòng Sở <b@syt.gov.vn>") == (
        "a@syt.gov.vn",
        "Văn phòng Sở <b@syt.gov.vn>",
    )


def test_the_email_column_is_no_criterion_and_the_totals_still_add_up(rules, tmp_path):
    path = with_emails(rules, tmp_path, {2: "a@stp.gov.vn"})
    found = checked(path)
    assert found.evaluation is not None
    for agency in found.evaluation.agencies:
        assert set(agency.scores) == {c.code for c in rules.criteria if c.applies_to(agency.group)}
        assert agency.council_total is not None  # `Tổng điểm` still read and cross-checked
    # a profile cannot name a criterion after it either
    text = RULES_FILE.read_text(encoding="utf-8").replace('code = "TD"', 'code = "Email"', 1)
    (tmp_path / "quy-tac.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_rules(tmp_path / "quy-tac.toml")
    assert any("cột cố định" in p.message for p in refused.value.problems)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("sai-dia-chi", ("«sai-dia-chi» không phải địa chỉ thư", "sẽ không nhận được phiếu")),
        ("a@stp.gov.vn; thieu@", ("«thieu@» không phải địa chỉ thư", "vẫn gửi đến a@stp.gov.vn")),
        ("sở@tư-pháp.vn", ("«sở@tư-pháp.vn» không phải địa chỉ thư",)),
        (12345, ("đang ghi 12.345", "ten@co-quan.gov.vn")),
    ],
)
def test_a_malformed_address_is_a_warning_naming_the_cell_and_agency(rules, tmp_path, value, words):
    path = with_emails(rules, tmp_path, {3: value})
    found = checked(path)
    assert errors(found.problems) == []  # the decision does not depend on it
    (problem,) = found.problems
    assert problem.severity is Severity.WARNING
    assert problem.place == f"Điểm!{column_letter(email_column(rules))}3"
    assert problem.agency == "Sở Y tế"
    for word in words:
        assert word in problem.message
    assert "không ảnh hưởng đến kết quả xếp hạng" in problem.message
    kept = emails_of(found)["Sở Y tế"]
    assert kept == ("a@stp.gov.vn" if isinstance(value, str) and ";" in value else None)


def test_what_counts_as_an_address():
    assert bare_address("vp@stp.laocai.gov.vn") == "vp@stp.laocai.gov.vn"
    assert bare_address("Văn phòng <vp@stp.gov.vn>") == "vp@stp.gov.vn"
    for wrong in ("vp@stp", "vp stp@gov.vn", "@gov.vn", "vp@@gov.vn", "vp@.gov.vn", "vp..a@b.vn"):
        assert bare_address(wrong) is None, wrong


def test_a_mistyped_heading_is_pointed_out_and_a_second_email_column_is_only_a_warning(
    rules, tmp_path
):
    found = checked(with_emails(rules, tmp_path, {2: "a@stp.gov.vn"}, heading="E-mail"))
    (problem,) = found.problems
    assert problem.severity is Severity.WARNING and "có phải «Email»?" in problem.message
    assert emails_of(found)["Sở Tư pháp"] is None  # not read under another heading

    book = base_book(rules)
    sheet = book["Điểm"]
    column = email_column(rules)
    for offset, address in enumerate(("a@stp.gov.vn", "b@stp.gov.vn")):
        sheet.cell(1, column + offset, EMAIL)
        sheet.cell(2, column + offset, address)
    book.save(tmp_path / "hai-cot.xlsx")
    found = checked(tmp_path / "hai-cot.xlsx")
    (problem,) = found.problems
    assert problem.severity is Severity.WARNING and "bị lặp" in problem.message
    assert emails_of(found)["Sở Tư pháp"] == "a@stp.gov.vn"  # the first one


def test_merged_or_hidden_email_cells_do_not_hold_back_the_decision(rules, tmp_path):
    book = base_book(rules)
    sheet = book["Điểm"]
    column = email_column(rules)
    sheet.cell(1, column, EMAIL)
    sheet.cell(2, column, "chung@so.gov.vn")
    where = f"{column_letter(column)}2:{column_letter(column)}3"
    sheet.merge_cells(where)
    sheet.column_dimensions[column_letter(column)].hidden = True
    book.save(tmp_path / "gop.xlsx")
    found = checked(tmp_path / "gop.xlsx")
    assert errors(found.problems) == []
    (problem,) = found.problems  # nothing about the hidden column: it hides nothing counted
    assert problem.place == f"Điểm!{where}" and problem.severity is Severity.WARNING
    assert "Chỉ đơn vị ở hàng đầu được gửi phiếu kết quả." in problem.message
    assert emails_of(found)["Sở Tư pháp"] == "chung@so.gov.vn"


def test_the_decision_and_results_workbook_are_made_as_before(rules, tmp_path):
    path = with_emails(rules, tmp_path, {2: "a@stp.gov.vn", 3: "sai"})
    outcome = process(path, RULES_FILE, TEMPLATE_FILE, tmp_path / "ra", pdf=False)
    assert [p.severity for p in outcome.warnings] == [Severity.WARNING]
    text = "\n".join(
        cell.text
        for table in docx.Document(str(outcome.path)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "Sở Tư pháp" in text and "a@stp.gov.vn" not in text  # never printed in the decision
    results = openpyxl.load_workbook(outcome.results)
    values = {str(c.value) for s in results.worksheets for row in s.iter_rows() for c in row}
    assert "Sở Tư pháp" in values


def test_the_marked_copy_of_a_refused_workbook_marks_the_address_too(rules, tmp_path):
    book = base_book(rules)
    sheet = book["Điểm"]
    column = email_column(rules)
    sheet.cell(1, column, EMAIL)
    sheet.cell(3, column, "sai")
    sheet[f"{letter(rules, 'TC2.1')}2"] = 15  # above its maximum: an error
    book.save(tmp_path / "loi.xlsx")
    found = checked(tmp_path / "loi.xlsx")
    assert found.evaluation is None
    target = tmp_path / "danh-dau.xlsx"
    assert annotate(tmp_path / "loi.xlsx", found.problems, target)
    marked = openpyxl.load_workbook(target)["Điểm"]
    cell = marked[f"{column_letter(column)}3"]
    assert str(cell.fill.fgColor.rgb)[-6:] == WARNING_FILL
    assert "không phải địa chỉ thư" in cell.comment.text


def filled(rules: Rules, data: bytes, folder: Path) -> Path:
    """Next year's workbook with every agency's scores typed in, as the council would."""
    path = folder / "nam-sau.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    sheet = book["Điểm"]
    at = {cell.value: cell.column for cell in sheet[2] if cell.value}
    for row in range(3, sheet.max_row + 1):
        group = sheet.cell(row, at["Nhóm"]).value
        if group is None:
            continue
        for code, value in full_row(rules, group).items():
            sheet.cell(row, at[code], value)
    info = book["Thông tin"]
    for row in range(2, info.max_row + 1):
        key = info.cell(row, 1).value
        facts = {"Ngày tờ trình": dt.date(2022, 1, 8), "Người ký": "Nguyễn Văn A"}
        facts["Chức vụ người ký"] = "CHỦ TỊCH"
        if key in facts:
            info.cell(row, 2, facts[key])
    book.save(path)
    return path


def test_next_years_workbook_keeps_the_email_column_when_last_year_had_it(rules, tmp_path):
    rows = [NewRow(name, group, prior) for name, group, prior in AGENCIES]
    (tmp_path / "a").mkdir()
    plain = filled(rules, new_workbook(rules, 2021, rows), tmp_path / "a")
    headings = [c.value for c in openpyxl.load_workbook(plain)["Điểm"][2]]
    assert EMAIL not in headings and headings[-1] == "Không xếp hạng"  # as before

    emails = {"sở tư pháp": "vp@stp.gov.vn; gd@stp.gov.vn"}
    data = new_workbook(rules, 2021, rows, emails=emails)
    (tmp_path / "b").mkdir()
    path = filled(rules, data, tmp_path / "b")
    book = openpyxl.load_workbook(path)
    headings = [c.value for c in book["Điểm"][2]]
    assert headings[-2:] == ["Không xếp hạng", EMAIL]
    comment = book["Điểm"].cell(2, len(headings)).comment
    assert comment is not None and "phiếu kết quả" in comment.text
    guide = " ".join(str(c.value) for row in book["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "Email (không bắt buộc)" in guide
    found = checked(path)
    assert errors(found.problems) == [], [str(p) for p in found.problems]
    assert emails_of(found) == {
        "Sở Tư pháp": "vp@stp.gov.vn; gd@stp.gov.vn",
        "Sở Y tế": None,
        "Ban Dân tộc": None,
        "UBND huyện Bát Xát": None,
    }
