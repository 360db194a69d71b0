"""The scoring model beyond the 2020 decision: main indices, weights, no grades, percentages,
units assessed but not ranked, not-scored criteria, prior ranks and the JSON for programs.

Pure core only: rules are parsed from dicts, agencies are typed data, nothing touches a disk
(the workbook side of the same features is in tests/test_scheme_workbooks.py).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from processor.core.decision import build_context, change_text, email_wording
from processor.core.model import AgencyScores, ChangeStyle, DecisionInfo
from processor.core.problems import InputError
from processor.core.report import agency_records
from processor.core.rules import parse_rules
from processor.core.scoring import evaluate, pillar_totals, weighted_total

from conftest import wording_tables

DOCUMENT = {
    "province": "Hòa Phong",
    "place": "Hòa Phong",
    "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH HÒA PHONG"],
    "issuer_short": "UBND tỉnh Hòa Phong",
    "authority": "ỦY BAN NHÂN DÂN TỈNH HÒA PHONG",
    "decision_symbol": "QĐ-UBND",
}
INFO = DecisionInfo(
    year=2026,
    submission_number=None,
    submission_date=dt.date(2027, 1, 12),
    signer="Nguyễn Văn A",
    signer_title=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
)


def dti_raw() -> dict:
    """A digital-transformation scheme: two main indices, percentage levels, 1.000 points."""
    return {
        **copy.deepcopy(wording_tables()),
        "document": dict(DOCUMENT),
        "scoring": {"precision": 2},
        "groups": [
            {"code": "SBN", "label": "I", "title": "Các sở, ban, ngành", "max_points": 1000},
            {"code": "XA", "label": "II", "title": "UBND các xã, phường", "max_points": 1000},
        ],
        "pillars": [
            {"code": "NT", "name": "Chuyển đổi nhận thức"},
            {"code": "HT", "name": "Hạ tầng số"},
        ],
        "grades": [
            {"name": "Dẫn dắt", "above_percent": 75, "text": "Dẫn dắt: trên 75%;"},
            {"name": "Nâng cao", "above_percent": 50, "text": "Nâng cao: trên 50% đến 75%;"},
            {"name": "Hình thành", "above_percent": 25},
            {"name": "Khởi động", "text": "Khởi động: từ 25% trở xuống."},
        ],
        "criteria": [
            {"code": "NT1", "name": "Nhận thức", "pillar": "NT", "max": {"SBN": 300, "XA": 400}},
            {"code": "NT2", "name": "Kế hoạch", "pillar": "NT", "max": {"SBN": 200, "XA": 100}},
            {"code": "HT1", "name": "Hạ tầng", "pillar": "HT", "max": {"SBN": 500, "XA": 500}},
            {
                "code": "TD",
                "name": "Trừ điểm",
                "pillar": "HT",
                "deduction": True,
                "max": {"SBN": 50, "XA": 50},
            },
        ],
    }


def agency(row, name, group, scores, prior=None, unranked=None, not_scored=()):
    return AgencyScores(
        row=row,
        name=name,
        group=group,
        prior_rank=prior,
        scores={k: Decimal(str(v)) for k, v in scores.items()},
        unranked_reason=unranked,
        not_scored=frozenset(not_scored),
    )


AGENCIES = (
    agency(2, "Sở A", "SBN", {"NT1": 250, "NT2": 150.5, "HT1": 400, "TD": -10}, prior=2),
    agency(3, "Sở B", "SBN", {"NT1": 290, "NT2": 190, "HT1": 480.25, "TD": 0}, prior=1),
    agency(
        4,
        "Công an tỉnh",
        "SBN",
        {"NT1": 100, "NT2": 100, "HT1": 100, "TD": 0},
        unranked="Cơ quan đặc thù về an ninh",
    ),
    agency(5, "Sở C", "SBN", {"NT1": 200, "HT1": 300, "TD": 0}, not_scored={"NT2"}),
    agency(6, "Xã Một", "XA", {"NT1": 100, "NT2": 20, "HT1": 130, "TD": 0}),
)


def test_subtotals_add_up_to_the_total_and_levels_follow_the_percent():
    rules = parse_rules(dti_raw())
    groups = evaluate(rules, AGENCIES)
    for group in groups:
        for result in (*group.results, *group.unranked):
            assert sum(result.pillar_totals.values()) == result.rounded_total
    first = groups[0]
    assert [r.agency.name for r in first.results] == ["Sở B", "Sở A", "Sở C"]
    assert [r.rank for r in first.results] == [1, 2, 3]
    sở_c = first.results[2]
    # Not scored on NT2 (200 points): its maximum is 800 and its percent is of 800.
    assert sở_c.max_points == Decimal(800)
    assert sở_c.percent == Decimal("62.50")
    assert sở_c.grade == "Nâng cao"
    assert sở_c.pillar_max == {"NT": Decimal(300), "HT": Decimal(500)}
    assert first.results[0].percent == Decimal("96.03") and first.results[0].grade == "Dẫn dắt"
    xa = groups[1].results[0]
    assert xa.percent == Decimal("25.00") and xa.grade == "Khởi động"  # 25% is not "trên 25%"


def test_an_unranked_unit_takes_no_rank_and_no_place():
    rules = parse_rules(dti_raw())
    first = evaluate(rules, AGENCIES)[0]
    assert [r.agency.name for r in first.unranked] == ["Công an tỉnh"]
    assert first.unranked[0].rank is None and first.unranked[0].rank_change is None
    assert first.unranked[0].grade == "Hình thành"  # still scored and graded
    assert len(first.results) == 3


def test_main_index_ranks_within_the_group():
    rules = parse_rules(dti_raw())
    first = evaluate(rules, AGENCIES)[0]
    by_name = {r.agency.name: r for r in first.results}
    assert by_name["Sở B"].pillar_ranks == {"NT": 1, "HT": 1}
    assert by_name["Sở A"].pillar_ranks == {"NT": 2, "HT": 2}
    assert by_name["Sở C"].pillar_ranks == {"NT": 3, "HT": 3}


def test_the_context_prints_vietnamese_numbers_and_lists_unranked_units_apart():
    raw = dti_raw()
    raw["wording"] |= {"prior_blank": "Mới", "change_style": "words"}
    rules = parse_rules(raw)
    context = build_context(rules, INFO, evaluate(rules, AGENCIES))
    group = context["nhom"][0]
    assert group["nhan"] == "I" and group["ma"] == "SBN" and group["thang_diem"] == "1.000"
    assert group["so_don_vi"] == "3" and group["so_khong_xep_hang"] == "1"
    assert [row["ten"] for row in group["khong_xep_hang"]] == ["Công an tỉnh"]
    assert group["khong_xep_hang"][0]["ly_do"] == "Cơ quan đặc thù về an ninh"
    assert group["khong_xep_hang"][0]["xep_hang"] == ""
    b, a, c = group["don_vi"]
    assert b["tong_diem"] == "960,25" and b["ty_le"] == "96,03%" and b["thay_doi"] == "giữ nguyên"
    assert a["thay_doi"] == "giữ nguyên" and a["xep_hang_truoc"] == "2"
    assert c["xep_hang_truoc"] == "Mới" and c["thay_doi"] == "" and c["diem_toi_da"] == "800"
    assert [p["diem"] for p in b["chi_so"]] == ["480,00", "480,25"]
    assert context["chuc_vu_nguoi_ky"] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert context["co_chi_so"] and context["co_xep_loai"]
    assert (
        context["so_to_trinh"].endswith("/TTr-STTTT") and context["so_to_trinh"].strip()[0] == "/"
    )


def test_change_styles():
    assert [change_text(c, ChangeStyle.WORDS) for c in (2, -3, 0, None)] == [
        "tăng 2",
        "giảm 3",
        "giữ nguyên",
        "",
    ]
    assert [change_text(c, ChangeStyle.SIGNED) for c in (2, -3, 0)] == ["+2", "-3", "0"]


def test_without_grades_the_decision_ranks_only():
    raw = dti_raw()
    del raw["grades"]
    raw["wording"]["grades_heading"] = ""
    rules = parse_rules(raw)
    assert rules.grades == ()
    groups = evaluate(rules, AGENCIES)
    assert [r.rank for r in groups[0].results] == [1, 2, 3]
    assert all(r.grade is None for g in groups for r in g.results)
    context = build_context(rules, INFO, groups)
    assert context["co_xep_loai"] is False and context["muc_xep_loai"] == []
    assert {row["xep_loai"] for g in context["nhom"] for row in g["don_vi"]} == {""}
    assert {r["grade"] for r in agency_records(rules, groups)} == {None}


def test_one_grade_alone_is_still_refused():
    raw = dti_raw()
    raw["grades"] = raw["grades"][-1:]
    with pytest.raises(InputError) as error:
        parse_rules(raw)
    assert any("bỏ hẳn [[grades]]" in p.message for p in error.value.problems)


def national_index_raw() -> dict:
    """The national DTI's shape: eight main indices on 0-1, weights 0.1 x 5, 0.2, 0.15 x 2."""
    weights = ["0.1"] * 5 + ["0.2", "0.15", "0.15"]
    return {
        **copy.deepcopy(wording_tables()),
        "document": dict(DOCUMENT),
        "scoring": {"precision": 4},
        "groups": [{"code": "T", "title": "Tỉnh", "max_points": 1}],
        "criteria": [
            {"code": f"CS{i}", "name": f"Chỉ số {i}", "max": {"T": 1}, "weight": w}
            for i, w in enumerate(weights, start=1)
        ],
    }


def test_a_weighted_index_is_exact_to_four_decimals():
    rules = parse_rules(national_index_raw())
    values = ["0.8123", "0.6541", "0.7000", "0.5555", "0.9012", "0.6789", "0.4321", "0.3456"]
    scores = {f"CS{i}": Decimal(v) for i, v in enumerate(values, start=1)}
    # 0.1 x 3.6231 + 0.2 x 0.6789 + 0.15 x 0.7777 = 0.614745 exactly; half up at 4 places.
    assert weighted_total(rules, scores) == Decimal("0.614745")
    result = evaluate(rules, [agency(2, "Tỉnh X", "T", scores)])[0].results[0]
    assert result.rounded_total == Decimal("0.6147")
    assert result.percent == Decimal("61.47")
    record = agency_records(rules, evaluate(rules, [agency(2, "Tỉnh X", "T", scores)]))[0]
    assert record["total"] == "0.6147" and record["max_points"] == "1"


def test_weighted_maxima_must_add_up_to_the_scale():
    raw = national_index_raw()
    raw["criteria"][0]["weight"] = "0.2"
    with pytest.raises(InputError) as error:
        parse_rules(raw)
    assert any("1,1" in p.message for p in error.value.problems)


def test_with_pillars_every_criterion_names_one():
    raw = dti_raw()
    del raw["criteria"][3]["pillar"]
    with pytest.raises(InputError) as error:
        parse_rules(raw)
    assert [p.place for p in error.value.problems] == ["quy tắc: criteria[4].pillar"]


def test_pillar_totals_use_the_weights():
    raw = national_index_raw()
    raw["pillars"] = [{"code": "A", "name": "Nền tảng"}, {"code": "B", "name": "Hoạt động"}]
    for i, criterion in enumerate(raw["criteria"]):
        criterion["pillar"] = "A" if i < 5 else "B"
    rules = parse_rules(raw)
    scores = {f"CS{i}": Decimal("0.5") for i in range(1, 9)}
    assert pillar_totals(rules, scores) == {"A": Decimal("0.25"), "B": Decimal("0.25")}


def test_json_records_every_agency():
    rules = parse_rules(dti_raw())
    records = agency_records(rules, evaluate(rules, AGENCIES))
    assert [r["name"] for r in records] == ["Sở B", "Sở A", "Sở C", "Công an tỉnh", "Xã Một"]
    police = records[3]
    assert police["ranked"] is False and police["rank"] is None
    assert records[0] == {
        "group": "SBN",
        "name": "Sở B",
        "ranked": True,
        "rank": 1,
        "total": "960.25",
        "max_points": "1000",
        "percent": "96.03",
        "grade": "Dẫn dắt",
        "prior_rank": 1,
        "rank_change": 0,
        "pillars": {"NT": "480.00", "HT": "480.25"},
        "unranked_reason": None,
    }


@pytest.mark.parametrize(
    ("key", "value", "place", "words"),
    [
        ("article_2", "Giao {so_quyet_dinh} tổ chức", "wording.article_2", "{so_quyet_dinh}"),
        ("article_3", "Giao {tinh tổ chức", "wording.article_3", "ngoặc"),
        ("title", ["Một dòng"], "wording.title", "hai dòng"),
        ("change_style", "mũi tên", "wording.change_style", '"words"'),
    ],
)
def test_wording_mistakes_are_named(key, value, place, words):
    raw = dti_raw()
    raw["wording"][key] = value
    with pytest.raises(InputError) as error:
        parse_rules(raw)
    found = {p.place.split(": ", 1)[1]: p.message for p in error.value.problems}
    assert words in found[place]


def test_info_fields_fill_the_wording_or_print_their_blank():
    raw = dti_raw()
    raw["info_fields"] = [{"key": "Quyết định Bộ chỉ số", "name": "qd_bo_chi_so", "blank": "…"}]
    raw["wording"]["legal_bases"] = ["Căn cứ Quyết định số {qd_bo_chi_so} của UBND tỉnh;"]
    rules = parse_rules(raw)
    groups = evaluate(rules, AGENCIES)
    blank = build_context(rules, INFO, groups)["can_cu"][0]
    assert blank == "Căn cứ Quyết định số … của UBND tỉnh;"
    info = dataclasses.replace(INFO, extra={"qd_bo_chi_so": "12/QĐ-UBND"})
    assert build_context(rules, info, groups)["can_cu"][0] == (
        "Căn cứ Quyết định số 12/QĐ-UBND của UBND tỉnh;"
    )


def test_email_wording_comes_from_the_rules():
    rules = parse_rules(dti_raw())
    texts = email_wording(rules, INFO)
    assert texts["kinh_gui"] == "Kính gửi: Văn phòng UBND tỉnh Hòa Phong."
    assert texts["tieu_de"].endswith("năm 2026")
    assert "Lào Cai" not in " ".join(texts.values())
