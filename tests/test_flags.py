"""Flags before signing, on hand-built rules and scores: pure, nothing is read from a workbook.

Near a level boundary, tied or split by rounding alone, moved in the ranking by one step of one
cell; and the [report] / [[criteria]] step keys of the rules file that configure them.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processor.core.flags import (
    KINDS,
    NEAR_BOUNDARY,
    ONE_STEP,
    ROUNDING_SPLIT,
    ROUNDING_TIE,
    Flag,
    flag_lines,
    flag_record,
    flags,
)
from processor.core.flags_step import column_steps, decimal_gcd
from processor.core.model import AgencyScores, Rules, TiePolicy
from processor.core.problems import InputError
from processor.core.rules import parse_rules
from processor.core.scoring import evaluate

from conftest import wording_tables

DOCUMENT = {
    "province": "Lào Cai",
    "place": "Lào Cai",
    "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"],
    "issuer_short": "UBND tỉnh Lào Cai",
    "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÀO CAI",
    "decision_symbol": "QĐ-UBND",
}
POINT_GRADES = [
    {"name": "Tốt", "from_points": 85},
    {"name": "Khá", "from_points": 70},
    {"name": "Yếu"},
]
PERCENT_GRADES = [
    {"name": "Dẫn dắt", "above_percent": 75},
    {"name": "Nâng cao", "above_percent": 50},
    {"name": "Khởi động"},
]


def raw_rules(
    criteria: list[dict[str, Any]] | None = None,
    grades: list[dict[str, Any]] | None = None,
    groups: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        **wording_tables(),
        "document": DOCUMENT,
        "groups": groups or [{"code": "A", "title": "Nhóm A", "max_points": 100}],
        "grades": POINT_GRADES if grades is None else grades,
        "criteria": criteria
        or [
            {"code": "K1", "name": "Tiêu chí 1", "max": {"A": 60}},
            {"code": "K2", "name": "Tiêu chí 2", "max": {"A": 40}},
        ],
        **extra,
    }


def make_rules(*args: Any, **kwargs: Any) -> Rules:
    return parse_rules(raw_rules(*args, **kwargs), "quy-tac.toml")


def scored(*rows: tuple[str, dict[str, str]], group: str = "A") -> list[AgencyScores]:
    return [
        AgencyScores(
            row=n,
            name=name,
            group=group,
            prior_rank=None,
            scores={code: Decimal(v) for code, v in scores.items()},
        )
        for n, (name, scores) in enumerate(rows, start=2)
    ]


def of_kind(found: tuple[Flag, ...], kind: str) -> dict[str, str]:
    return {f.name: f.detail for f in found if f.kind == kind}


# -- near a level boundary ---------------------------------------------------------------------


def test_near_boundary_says_the_side_the_bound_and_the_distance():
    rules = make_rules(criteria=[{"code": "K1", "name": "Một", "max": {"A": 100}, "step": 50}])
    agencies = scored(
        ("Sở Trên", {"K1": "85.02"}),
        ("Sở Dưới", {"K1": "84.95"}),
        ("Sở Đúng", {"K1": "85"}),
        ("Sở Xa", {"K1": "85.2"}),
        ("Sở Biên", {"K1": "70.1"}),  # exactly the margin away: flagged
        ("Sở Ngoài", {"K1": "69.89"}),
    )
    near = of_kind(flags(rules, evaluate(rules, agencies)), NEAR_BOUNDARY)
    assert near == {
        "Sở Trên": "85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm.",
        "Sở Dưới": "84,95 điểm, dưới ngưỡng mức Tốt (từ 85 điểm) 0,05 điểm.",
        "Sở Đúng": "85,00 điểm, đúng bằng ngưỡng mức Tốt (từ 85 điểm).",
        "Sở Biên": "70,10 điểm, trên ngưỡng mức Khá (từ 70 điểm) 0,10 điểm.",
    }


def test_the_margin_comes_from_the_rules_and_an_argument_overrides_it():
    rules = make_rules(criteria=[{"code": "K1", "name": "Một", "max": {"A": 100}, "step": 50}])
    agencies = scored(("Đúng", {"K1": "85"}), ("Gần", {"K1": "85.04"}), ("Xa", {"K1": "85.3"}))
    groups = evaluate(rules, agencies)

    def near(margin: Decimal | None, on: Rules = rules) -> set[str]:
        return set(of_kind(flags(on, groups, margin), NEAR_BOUNDARY))

    assert near(None) == {"Đúng", "Gần"}  # the default 0,1
    assert near(Decimal("0.001")) == {"Đúng"}  # tiny: only the one exactly on it
    assert near(Decimal("0.5")) == {"Đúng", "Gần", "Xa"}
    wide = make_rules(
        criteria=[{"code": "K1", "name": "Một", "max": {"A": 100}, "step": 50}],
        report={"margin": "0,5"},
    )
    assert near(None, wide) == {"Đúng", "Gần", "Xa"}
    assert near(Decimal("0.01"), wide) == {"Đúng"}


@given(
    st.lists(st.integers(min_value=6500, max_value=10000), min_size=1, max_size=12),
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=300),
)
@settings(deadline=None, max_examples=40)
def test_a_larger_margin_never_flags_fewer(cents, a, b):
    rules = make_rules(criteria=[{"code": "K1", "name": "Một", "max": {"A": 100}, "step": 100}])
    groups = evaluate(
        rules,
        scored(*((f"Đơn vị {i}", {"K1": str(Decimal(c).scaleb(-2))}) for i, c in enumerate(cents))),
    )
    small, large = sorted((Decimal(a).scaleb(-2), Decimal(b).scaleb(-2)))
    assert set(of_kind(flags(rules, groups, small), NEAR_BOUNDARY)) <= set(
        of_kind(flags(rules, groups, large), NEAR_BOUNDARY)
    )


def test_a_percent_bound_is_measured_in_percentage_points_of_the_printed_percent():
    rules = make_rules(
        grades=PERCENT_GRADES,
        groups=[
            {"code": "A", "title": "Nhóm A", "max_points": 1000},
            {"code": "B", "title": "Nhóm B", "max_points": 800},
        ],
        criteria=[{"code": "K1", "name": "Một", "max": {"A": 1000, "B": 800}, "step": 200}],
        scoring={"rank_by": "percent"},
    )
    agencies = [
        *scored(("Đúng 75%", {"K1": "750"}), ("Trên", {"K1": "750.5"}), ("Xa", {"K1": "760"})),
        *scored(("Dưới", {"K1": "599.6"}), ("Nhóm B xa", {"K1": "700"}), group="B"),
    ]
    near = of_kind(flags(rules, evaluate(rules, agencies)), NEAR_BOUNDARY)
    assert near == {
        "Đúng 75%": "75,00%, đúng bằng ngưỡng mức Dẫn dắt (trên 75%), nên chưa đạt mức Dẫn dắt.",
        "Trên": "75,05%, trên ngưỡng mức Dẫn dắt (trên 75%) 0,05 điểm phần trăm.",
        "Dưới": "74,95%, dưới ngưỡng mức Dẫn dắt (trên 75%) 0,05 điểm phần trăm.",
    }


def test_only_ranked_agencies_are_flagged():
    rules = make_rules(criteria=[{"code": "K1", "name": "Một", "max": {"A": 100}, "step": 50}])
    (apart,) = scored(("Không xếp", {"K1": "85.01"}))
    groups = evaluate(rules, [replace(apart, unranked_reason="mới thành lập")])
    assert groups[0].unranked and flags(rules, groups) == ()


def test_rules_without_levels_flag_no_boundary():
    rules = make_rules(grades=[])
    groups = evaluate(rules, scored(("Sở A", {"K1": "50", "K2": "35"})))
    assert flags(rules, groups) == ()


# -- ties and splits made by rounding ----------------------------------------------------------


def half_weighted() -> Rules:
    """Totals with three decimals at a printed precision of two: weight 0,5 on a 200 column."""
    return make_rules(
        criteria=[{"code": "K1", "name": "Một", "max": {"A": 200}, "weight": 0.5, "step": 100}]
    )


def test_a_tie_made_by_rounding_names_both_full_values():
    rules = half_weighted()
    agencies = scored(
        ("Sở X", {"K1": "170.09"}),  # 85,045 -> 85,05
        ("Sở Y", {"K1": "170.10"}),  # 85,050
        ("Sở Z", {"K1": "150"}),  # 75, and so is Sở W: a real tie, not flagged
        ("Sở W", {"K1": "150"}),
    )
    groups = evaluate(rules, agencies)
    assert [r.rank for r in groups[0].results] == [1, 1, 3, 3]
    assert of_kind(flags(rules, groups), ROUNDING_TIE) == {
        "Sở X": "Bằng điểm Sở Y khi làm tròn (85,05) nhưng điểm đầy đủ khác (85,045 và 85,050).",
        "Sở Y": "Bằng điểm Sở X khi làm tròn (85,05) nhưng điểm đầy đủ khác (85,050 và 85,045).",
    }


def test_three_tied_by_rounding_are_named_together():
    rules = half_weighted()
    agencies = scored(
        ("Sở X", {"K1": "170.09"}), ("Sở Y", {"K1": "170.10"}), ("Sở Z", {"K1": "170.096"})
    )
    ties = of_kind(flags(rules, evaluate(rules, agencies)), ROUNDING_TIE)
    assert ties["Sở X"] == (
        "Bằng điểm Sở Y và Sở Z khi làm tròn (85,05) nhưng điểm đầy đủ khác "
        "(85,045 so với 85,050; 85,048)."
    )


def test_a_split_made_by_rounding_is_less_than_a_printed_unit_apart():
    rules = half_weighted()
    agencies = scored(
        ("Sở X", {"K1": "170.07"}),  # 85,035 -> 85,04
        ("Sở Y", {"K1": "170.06"}),  # 85,030 -> 85,03: 0,005 apart, printed 0,01 apart
        ("Sở Z", {"K1": "160.04"}),  # 80,02, and Sở W 80,01: a full unit apart, not flagged
        ("Sở W", {"K1": "160.02"}),
    )
    found = flags(rules, evaluate(rules, agencies))
    assert of_kind(found, ROUNDING_SPLIT) == {
        "Sở X": "Khác điểm Sở Y khi làm tròn (85,04 và 85,03) nhưng điểm đầy đủ chỉ chênh 0,005 "
        "điểm (85,035 và 85,030).",
        "Sở Y": "Khác điểm Sở X khi làm tròn (85,03 và 85,04) nhưng điểm đầy đủ chỉ chênh 0,005 "
        "điểm (85,030 và 85,035).",
    }
    assert not of_kind(found, ROUNDING_TIE)


def test_ranking_by_percent_ties_and_splits_on_the_percent():
    rules = make_rules(
        grades=[],
        groups=[{"code": "A", "title": "Nhóm A", "max_points": 1000}],
        criteria=[{"code": "K1", "name": "Một", "max": {"A": 1000}, "step": 500}],
        scoring={"rank_by": "percent"},
    )
    agencies = scored(
        ("Xã P", {"K1": "624.05"}),  # 62,405% -> 62,41%
        ("Xã T", {"K1": "624.14"}),  # 62,414% -> 62,41%
        ("Xã B", {"K1": "403.56"}),  # 40,356% -> 40,36%
        ("Xã H", {"K1": "403.50"}),  # 40,350%
    )
    found = flags(rules, evaluate(rules, agencies))
    assert of_kind(found, ROUNDING_TIE)["Xã P"] == (
        "Bằng tỷ lệ Xã T khi làm tròn (62,41%) nhưng tỷ lệ đầy đủ khác (62,405% và 62,414%)."
    )
    assert of_kind(found, ROUNDING_SPLIT)["Xã B"] == (
        "Khác tỷ lệ Xã H khi làm tròn (40,36% và 40,35%) nhưng tỷ lệ đầy đủ chỉ chênh 0,006 "
        "điểm phần trăm (40,356% và 40,350%)."
    )


# -- one step of one cell ----------------------------------------------------------------------


def stepped(step: str = "0.5", deduction_step: str = "1") -> Rules:
    return make_rules(
        grades=[],
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 60}, "step": step},
            {"code": "K2", "name": "Hai", "max": {"A": 40}, "step": "2"},
            {
                "code": "TD",
                "name": "Trừ",
                "max": {"A": 10},
                "deduction": True,
                "step": deduction_step,
            },
        ],
    )


def test_one_step_names_the_smallest_move_and_the_rank_it_gives():
    rules = stepped()
    agencies = scored(
        ("Sở Cao", {"K1": "50.3", "K2": "30", "TD": "0"}),  # 80,3
        ("Sở Sát", {"K1": "50", "K2": "30", "TD": "0"}),  # 80: half a point up passes Sở Cao
        ("Sở Xa", {"K1": "30", "K2": "30", "TD": "0"}),  # 60: no one step reaches anyone
    )
    moved = of_kind(flags(rules, evaluate(rules, agencies)), ONE_STEP)
    assert moved == {
        "Sở Cao": "Nếu điểm K1 giảm một bước 0,5 (từ 50,30 xuống 49,80), đơn vị xuống hạng 2 "
        "(đang hạng 1).",
        "Sở Sát": "Nếu điểm K1 tăng một bước 0,5 (từ 50,00 lên 50,50), đơn vị lên hạng 1 "
        "(đang hạng 2).",
    }


def test_one_step_stays_within_the_criterion_range():
    rules = stepped()
    agencies = scored(
        ("Sở Cao", {"K1": "60", "K2": "20.5", "TD": "0"}),  # 80,5: K1 cannot go above 60
        ("Sở Sát", {"K1": "0", "K2": "40", "TD": "-10"}),  # 30
        ("Sở Thấp", {"K1": "0", "K2": "30.2", "TD": "0"}),  # 30,2: K1 cannot go below 0
    )
    moved = of_kind(flags(rules, evaluate(rules, agencies)), ONE_STEP)
    # Sở Sát: K1 0 -> 0,5 gives 30,5 > 30,2 (its K1 cannot go down, nor TD below -10)
    assert moved["Sở Sát"].startswith("Nếu điểm K1 tăng một bước 0,5 (từ 0,00 lên 0,50)")
    # Sở Thấp: K1 up keeps its rank, K1 down and TD up are out of range; TD 0 -> -1 gives 29,2
    assert moved["Sở Thấp"] == (
        "Nếu bị trừ thêm 1 điểm ở TD (từ 0,00 xuống -1,00), đơn vị xuống hạng 3 (đang hạng 2)."
    )
    assert "Sở Cao" not in moved


def test_one_step_says_who_is_tied_or_untied_when_the_agency_keeps_its_rank():
    rules = stepped(step="1")
    agencies = scored(
        ("Sở Một", {"K1": "50", "K2": "30", "TD": "0"}),  # 80, tied with Sở Hai
        ("Sở Hai", {"K1": "50", "K2": "30", "TD": "0"}),
        ("Sở Ba", {"K1": "39", "K2": "30", "TD": "0"}),  # 69
        ("Sở Bốn", {"K1": "38", "K2": "30", "TD": "0"}),  # 68: one below Sở Ba
    )
    moved = of_kind(flags(rules, evaluate(rules, agencies)), ONE_STEP)
    assert moved["Sở Một"] == (
        "Nếu điểm K1 tăng một bước 1 (từ 50,00 lên 51,00), đơn vị không còn đồng hạng 1 với Sở Hai."
    )
    assert moved["Sở Ba"] == (
        "Nếu điểm K1 giảm một bước 1 (từ 39,00 xuống 38,00), Sở Bốn lên đồng hạng 3 với đơn vị."
    )
    assert moved["Sở Bốn"] == (
        "Nếu điểm K1 tăng một bước 1 (từ 38,00 lên 39,00), đơn vị lên đồng hạng 3 (đang hạng 4)."
    )


def test_a_weighted_move_says_what_it_does_to_the_total():
    rules = make_rules(
        grades=[],
        criteria=[{"code": "K1", "name": "Một", "max": {"A": 200}, "weight": 0.5, "step": 1}],
    )
    agencies = scored(("Sở X", {"K1": "100"}), ("Sở Y", {"K1": "100.5"}))
    moved = of_kind(flags(rules, evaluate(rules, agencies)), ONE_STEP)
    assert moved["Sở X"] == (
        "Nếu điểm K1 tăng một bước 1 (từ 100,00 lên 101,00; tổng điểm tăng 0,5), đơn vị lên "
        "hạng 1 (đang hạng 2)."
    )


def test_a_deduction_move_says_points_taken_and_a_level_it_changes():
    rules = make_rules(
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 100}, "step": 1},
            {"code": "TD", "name": "Trừ", "max": {"A": 10}, "deduction": True, "step": 0.5},
        ]
    )
    agencies = scored(
        ("Sở Đầu", {"K1": "85", "TD": "0"}),  # 85: Tốt
        ("Sở Sau", {"K1": "85", "TD": "-0.5"}),  # 84,5: Khá
        ("Sở Ba", {"K1": "84", "TD": "0"}),  # 84: Khá
        ("Sở Bốn", {"K1": "83", "TD": "0"}),  # 83: Khá, and still Khá one step up
    )
    moved = of_kind(flags(rules, evaluate(rules, agencies)), ONE_STEP)
    assert moved == {
        "Sở Đầu": "Nếu bị trừ thêm 0,5 điểm ở TD (từ 0,00 xuống -0,50), Sở Sau lên đồng hạng 1 "
        "với đơn vị; đơn vị xuống mức Khá.",
        "Sở Sau": "Nếu bớt 0,5 điểm trừ ở TD (từ -0,50 lên 0,00), đơn vị lên đồng hạng 1 "
        "(đang hạng 2) và lên mức Tốt.",
        "Sở Ba": "Nếu điểm K1 tăng một bước 1 (từ 84,00 lên 85,00), đơn vị lên đồng hạng 1 "
        "(đang hạng 3) và lên mức Tốt.",
        "Sở Bốn": "Nếu điểm K1 tăng một bước 1 (từ 83,00 lên 84,00), đơn vị lên đồng hạng 3 "
        "(đang hạng 4).",
    }


def move_start(rules: Rules, code: str, up: bool) -> str:
    """How a one-step flag moving `code` up or down begins."""
    (criterion,) = [c for c in rules.criteria if c.code == code]
    if criterion.deduction:
        return "Nếu bớt " if up else "Nếu bị trừ thêm "
    return f"Nếu điểm {code} {'tăng' if up else 'giảm'} một bước"


def brute_one_step(
    rules: Rules, agencies: list[AgencyScores]
) -> dict[str, tuple[str, bool, int | None, int | None]]:
    """Each agency's smallest one-step move that changes a rank, found by ranking again:
    (criterion, up, its rank before, its rank after)."""
    groups = evaluate(rules, agencies)
    steps = column_steps(rules, groups)
    before = {r.agency.name: r.rank for g in groups for r in g.results}
    found: dict[str, tuple[str, bool, int | None, int | None]] = {}
    for agency in agencies:
        if agency.unranked_reason is not None:
            continue
        changing = []
        for order, criterion in enumerate(rules.criteria):
            if criterion.code not in agency.scores or criterion.code not in steps:
                continue
            maximum = criterion.max_points[agency.group]
            low, high = (-maximum, 0) if criterion.deduction else (0, maximum)
            for up in (True, False):
                new = agency.scores[criterion.code] + (steps[criterion.code] * (1 if up else -1))
                if not low <= new <= high:
                    continue
                moved = replace(agency, scores={**agency.scores, criterion.code: new})
                again = evaluate(rules, [moved if a is agency else a for a in agencies])
                after = {r.agency.name: r.rank for g in again for r in g.results}
                if after != before:
                    size = criterion.weight * steps[criterion.code]
                    changing.append((size, order, not up, after[agency.name]))
        if changing:
            _, order, down, rank = min(changing)
            found[agency.name] = (rules.criteria[order].code, not down, before[agency.name], rank)
    return found


@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 8), st.integers(-4, 0)),
        min_size=1,
        max_size=9,
    ),
    st.sampled_from(["1224", "1223"]),
)
@settings(deadline=None, max_examples=60)
def test_one_step_agrees_with_ranking_again(rows, ties):
    rules = make_rules(
        grades=[],
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 60}, "step": "5"},
            {"code": "K2", "name": "Hai", "max": {"A": 40}, "step": "2.5"},
            {"code": "TD", "name": "Trừ", "max": {"A": 10}, "deduction": True, "step": "2.5"},
        ],
        scoring={"ties": ties},
    )
    assert rules.ties is (TiePolicy.DENSE if ties == "1223" else TiePolicy.COMPETITION)
    agencies = scored(
        *(
            (f"Đơn vị {i}", {"K1": str(5 * a), "K2": str(Decimal("2.5") * b), "TD": str(2.5 * t)})
            for i, (a, b, t) in enumerate(rows)
        )
    )
    found = flags(rules, evaluate(rules, agencies))
    moved = [f for f in found if f.kind == ONE_STEP]
    assert len({f.name for f in moved}) == len(moved)  # at most one per agency
    expected = brute_one_step(rules, agencies)
    assert {f.name for f in moved} == set(expected)
    for flag in moved:
        code, up, rank, after = expected[flag.name]
        assert flag.detail.startswith(move_start(rules, code, up))
        if after != rank:
            assert f"hạng {after} (đang hạng {rank})." in flag.detail
        else:
            assert f"đồng hạng {rank} với" in flag.detail


def test_the_step_is_read_from_the_column_when_the_rules_give_none():
    assert decimal_gcd([Decimal("7.83"), Decimal("8"), Decimal("6")]) == Decimal("0.01")
    assert decimal_gcd([Decimal("-0.5"), Decimal("-2"), Decimal("10"), Decimal(0)]) == Decimal(
        "0.5"
    )
    assert decimal_gcd([Decimal("-15"), Decimal("-5"), Decimal("50")]) == Decimal("5")
    assert decimal_gcd([Decimal("0"), Decimal("0.00")]) is None
    rules = make_rules()  # no step in the rules: K1 max 60, K2 max 40
    groups = evaluate(
        rules, scored(("Sở A", {"K1": "52.5", "K2": "30"}), ("Sở B", {"K1": "45", "K2": "40"}))
    )
    assert column_steps(rules, groups) == {"K1": Decimal("7.5"), "K2": Decimal("10")}
    stepped_rules = make_rules(
        criteria=[
            {"code": "K1", "name": "Tiêu chí 1", "max": {"A": 60}, "step": 0.25},
            {"code": "K2", "name": "Tiêu chí 2", "max": {"A": 40}},
        ]
    )
    assert column_steps(stepped_rules, groups)["K1"] == Decimal("0.25")


# -- what is printed ---------------------------------------------------------------------------


def test_flags_come_group_by_group_in_rank_order_kind_by_kind():
    rules = stepped(step="0.01")
    agencies = scored(
        ("Sở Đầu", {"K1": "55", "K2": "30.02", "TD": "0"}),  # 85,02: near Tốt
        ("Sở Sau", {"K1": "55", "K2": "30.01", "TD": "0"}),  # 85,01: one step below Sở Đầu
    )
    rules = replace(rules, grades=make_rules().grades)
    found = flags(rules, evaluate(rules, agencies))
    assert [(f.name, f.kind) for f in found] == [
        ("Sở Đầu", NEAR_BOUNDARY),
        ("Sở Đầu", ONE_STEP),
        ("Sở Sau", NEAR_BOUNDARY),
        ("Sở Sau", ONE_STEP),
    ]
    assert {f.kind for f in found} <= set(KINDS)
    assert flag_record(found[0]) == {
        "group": "A",
        "name": "Sở Đầu",
        "kind": "near_boundary",
        "detail": "85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm.",
    }
    lines = flag_lines(found)
    assert lines[0] == (
        "Cần xem trước khi ký (4 kết quả sát ngưỡng hoặc dễ đổi hạng; không phải lỗi của bảng "
        "tính):"
    )
    assert lines[1] == "  Nhóm A – Sở Đầu: 85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm."
    assert len(lines) == 5
    # the group as the documents name it; a code the mapping lacks is printed as it is
    labelled = flag_lines(found, {"A": "III"})
    assert labelled[1].startswith("  Nhóm III – Sở Đầu: 85,02 điểm")
    assert labelled[1:] == [line.replace("Nhóm A –", "Nhóm III –") for line in lines[1:]]
    assert flag_lines(found, {"B": "II"}) == lines
    assert flag_lines(()) == [
        "Không có kết quả nào cần xem trước khi ký (sát ngưỡng xếp loại hoặc dễ đổi hạng)."
    ]


# -- the rules file: [report] and [[criteria]] step -------------------------------------------


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        parse_rules(data, "quy-tac.toml")
    return [(p.place, p.message) for p in caught.value.problems]


def test_report_margin_and_texts_are_read():
    rules = make_rules(report={"margin": "0,25", "card_level": "Xếp loại: {muc}."})
    assert rules.report.margin == Decimal("0.25")
    assert rules.report.texts == {"card_level": "Xếp loại: {muc}."}
    assert make_rules(report={"margin": 0.2}).report.margin == Decimal("0.2")
    assert make_rules().report.margin == Decimal("0.1")  # the default
    assert make_rules().report.texts == {}


@pytest.mark.parametrize(
    ("report", "place", "words"),
    [
        ({"margin": 0}, "report.margin", "lớn hơn 0"),
        ({"margin": -0.1}, "report.margin", "lớn hơn 0"),
        ({"margin": "nhiều"}, "report.margin", "Phải là một số"),
        ({"card_level": "Mức: {muc_do}."}, "report.card_level", "{muc}"),
        ({"card_level": "Mức: {muc."}, "report.card_level", "ngoặc nhọn"),
        ({"card_level": ""}, "report.card_level", "không rỗng"),
        ({"card_level": 3}, "report.card_level", "chuỗi chữ"),
    ],
)
def test_report_mistakes_are_named_by_key(report, place, words):
    problems = problems_of(raw_rules(report=report))
    assert any(p == f"quy-tac.toml: {place}" and words in m for p, m in problems), problems


def test_an_unknown_report_key_suggests_the_one_meant():
    ((place, message),) = problems_of(raw_rules(report={"margn": 0.2}))
    assert place == "quy-tac.toml: report.margn"
    assert "có phải «margin»?" in message and "[report]" in message
    ((place, message),) = problems_of(raw_rules(reprot={"margin": 0.2}))
    assert place == "quy-tac.toml: reprot" and "[report]" in message
    ((place, message),) = problems_of(raw_rules(report="0.2"))
    assert place == "quy-tac.toml: [report]"


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (0, "lớn hơn 0"),
        (-1, "lớn hơn 0"),
        (45, "lớn hơn điểm tối đa 40 của tiêu chí K2 (nhóm A)"),
        ("bước", "một số"),
        # the maxima must be whole multiples of the step: 40 is not one of 0,3 (nor of 15)
        (0.3, "Điểm tối đa 40 (nhóm A) của tiêu chí K2 không chia hết cho bước điểm 0,3"),
        ("15", "không chia hết cho bước điểm 15"),
    ],
)
def test_a_criterion_step_must_fit_the_criterion(step, words):
    data = raw_rules(
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 60}},
            {"code": "K2", "name": "Hai", "max": {"A": 40}, "step": step},
        ]
    )
    problems = problems_of(data)
    assert any(p == "quy-tac.toml: criteria[2].step" and words in m for p, m in problems), problems


def test_a_criterion_step_is_read_and_a_misspelt_one_suggested():
    rules = make_rules(
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 60}, "step": "0,25"},
            {"code": "K2", "name": "Hai", "max": {"A": 40}},
        ]
    )
    assert [c.step for c in rules.criteria] == [Decimal("0.25"), None]
    data = raw_rules(
        criteria=[
            {"code": "K1", "name": "Một", "max": {"A": 60}, "stepp": 1},
            {"code": "K2", "name": "Hai", "max": {"A": 40}},
        ]
    )
    ((place, message),) = problems_of(data)
    assert place == "quy-tac.toml: criteria[1].stepp" and "có phải «step»?" in message


def test_a_criterion_step_must_divide_every_groups_maximum():
    groups = [
        {"code": "A", "title": "Nhóm A", "max_points": 100},
        {"code": "B", "title": "Nhóm B", "max_points": 100},
    ]

    def criteria(step: Any) -> list[dict[str, Any]]:
        return [
            {"code": "K1", "name": "Một", "max": {"A": 92, "B": 92.5}},
            {"code": "K2", "name": "Hai", "max": {"A": 8, "B": 7.5}, "step": step},
        ]

    fits = make_rules(groups=groups, criteria=criteria("0,25"))
    assert fits.criteria[1].step == Decimal("0.25")
    assert make_rules(groups=groups, criteria=criteria(0.5)).criteria[1].step == Decimal("0.5")
    ((place, message),) = problems_of(raw_rules(groups=groups, criteria=criteria(1)))
    assert place == "quy-tac.toml: criteria[2].step"
    assert message.startswith(
        "Điểm tối đa 7,5 (nhóm B) của tiêu chí K2 không chia hết cho bước điểm 1:"
    )
