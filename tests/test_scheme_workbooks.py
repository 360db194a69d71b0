"""The workbook side of the generalised model, through the real reader and real .xlsx files:
the `Không xếp hạng` column, "Không đánh giá" cells, and the profile's own `Thông tin` rows."""

from __future__ import annotations

import dataclasses

from processor.core.model import InfoField
from processor.core.problems import Severity
from processor.core.validation import check_workbook
from processor.reading.workbook import read_workbook

from conftest import HEADER, INFO, full_row


def check(path, rules):
    return check_workbook(read_workbook(path), rules)


def errors_at(problems):
    return {p.place: p.message for p in problems if p.severity is Severity.ERROR}


def with_columns(rules, *extra):
    return [*HEADER, *(c.code for c in rules.criteria), *extra]


def test_a_reason_in_khong_xep_hang_keeps_the_unit_out_of_the_ranks(make_workbook, rules):
    header = with_columns(rules, "Không xếp hạng")
    police = full_row(rules, "I", 0.5) | {"Không xếp hạng": "  Cơ quan đặc thù  về an ninh "}
    path = make_workbook(
        [("Sở A", "I", 1, full_row(rules, "I")), ("Công an tỉnh", "I", None, police)],
        header=header,
    )
    evaluation, problems = check(path, rules)
    assert problems == []
    reasons = {a.name: a.unranked_reason for a in evaluation.agencies}
    assert reasons == {"Sở A": None, "Công an tỉnh": "Cơ quan đặc thù về an ninh"}


def test_a_number_in_khong_xep_hang_is_refused_with_its_cell(make_workbook, rules):
    header = with_columns(rules, "Không xếp hạng")
    path = make_workbook(
        [("Sở A", "I", 1, full_row(rules, "I") | {"Không xếp hạng": 1})], header=header
    )
    evaluation, problems = check(path, rules)
    letter = chr(ord("A") + len(header) - 1)
    assert evaluation is None
    assert "ghi lý do bằng chữ" in errors_at(problems)[f"Điểm!{letter}2"]


def test_a_criterion_marked_not_scored_leaves_the_maximum(make_workbook, rules):
    row = full_row(rules, "I") | {"TC3.1": "Không đánh giá"}
    path = make_workbook([("Sở A", "I", 1, row)], header=with_columns(rules))
    evaluation, problems = check(path, rules)
    assert problems == []
    (agency,) = evaluation.agencies
    assert agency.not_scored == {"TC3.1"} and "TC3.1" not in agency.scores


def test_a_deduction_cannot_be_marked_not_scored(make_workbook, rules):
    row = full_row(rules, "I") | {"TD": "KĐG"}
    evaluation, problems = check(make_workbook([("Sở A", "I", 1, row)]), rules)
    assert evaluation is None
    assert any("không thể «không đánh giá»" in m for m in errors_at(problems).values())


def test_every_criterion_not_scored_is_refused(make_workbook, rules):
    row = {
        c.code: (0 if c.deduction else "Không đánh giá")
        for c in rules.criteria
        if c.applies_to("II")
    }
    evaluation, problems = check(make_workbook([("Sở A", "II", 1, row)]), rules)
    assert evaluation is None
    assert "không được đánh giá tiêu chí nào" in errors_at(problems)["Điểm!B2"]


def test_the_profile_reads_its_own_information_rows(make_workbook, rules):
    field = InfoField(key="Quyết định ban hành Bộ chỉ số", name="qd", blank="      ")
    profile = dataclasses.replace(rules, info_fields=(field,))
    info = [*INFO, ("quyết định  ban hành bộ chỉ số", "2150/QĐ-UBND ngày 15/10/2025")]
    evaluation, problems = check(
        make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], info=info), profile
    )
    assert problems == []
    assert evaluation.info.extra == {"qd": "2150/QĐ-UBND ngày 15/10/2025"}
    # Left out, it is simply blank: the decision prints the draft's blank.
    evaluation, problems = check(
        make_workbook([("Sở A", "I", 1, full_row(rules, "I"))], name="b.xlsx"), profile
    )
    assert problems == [] and evaluation.info.extra == {"qd": None}
