"""The pure core: exact totals, grades, ranks; no files are touched here."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processor.core.formatting import round_score
from processor.core.model import AgencyScores, TiePolicy
from processor.core.rules import parse_rules
from processor.core.scoring import evaluate, grade, rank_change, ranks, total

from conftest import wording_tables

hundredths = st.integers(min_value=-1000, max_value=10000)


@given(st.lists(hundredths, max_size=40))
def test_total_is_the_exact_sum(cents):
    scores = {f"C{i}": Decimal(c).scaleb(-2) for i, c in enumerate(cents)}
    assert total(scores) == Decimal(sum(cents)).scaleb(-2)


def test_float_typed_scores_do_not_fall_below_a_threshold(rules):
    # As floats these sum to 84.99999999999999; as Decimals of their shortest form, to 85.
    floats = [6.26, 2.19, 14.53, 10.54, 17.1, 18.83, 15.55]
    assert sum(floats) < 85
    scores = {f"C{i}": Decimal(str(x)) for i, x in enumerate(floats)}
    assert total(scores) == Decimal("85")
    assert grade(total(scores), "I", rules.grades) == "Tốt"


@pytest.mark.parametrize(
    ("group", "points", "expected"),
    [
        ("I", "85", "Tốt"),
        ("I", "84.99", "Khá"),
        ("I", "70", "Khá"),
        ("I", "69.99", "Trung bình"),
        ("I", "50", "Trung bình"),
        ("I", "49.99", "Yếu"),
        ("II", "65", "Tốt"),
        ("II", "64.99", "Khá"),
        ("II", "60", "Khá"),
        ("II", "59.99", "Trung bình"),
        ("II", "48.18", "Yếu"),
        ("III", "84.55", "Khá"),
    ],
)
def test_reference_bands_are_inclusive_lower_bounds(rules, group, points, expected):
    assert grade(Decimal(points), group, rules.grades) == expected


@given(
    group=st.sampled_from(["I", "II", "III"]),
    a=st.decimals(min_value=0, max_value=100, places=2),
    b=st.decimals(min_value=0, max_value=100, places=2),
)
def test_grade_never_decreases_as_the_total_rises(rules, group, a, b):
    order = [g.name for g in rules.grades]  # best first
    low, high = sorted((a, b))
    assert order.index(grade(high, group, rules.grades)) <= order.index(
        grade(low, group, rules.grades)
    )


def percent_rules():
    """The digital-transformation style: bands as exclusive percentages of each group's max."""
    return parse_rules(
        {
            **wording_tables(),
            "document": {
                "province": "Lào Cai",
                "place": "Lào Cai",
                "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"],
                "issuer_short": "UBND tỉnh Lào Cai",
                "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÀO CAI",
                "decision_symbol": "QĐ-UBND",
            },
            "groups": [
                {"code": "A", "title": "Có TTHC", "max_points": 1000},
                {"code": "B", "title": "Không có TTHC", "max_points": 800},
            ],
            "grades": [
                {"name": "Dẫn dắt", "above_percent": 75, "text": "Dẫn dắt: trên 75%"},
                {"name": "Nâng cao", "above_percent": 50, "text": "Nâng cao: trên 50% đến 75%"},
                {"name": "Hình thành", "above_percent": 25},
                {"name": "Khởi động", "text": "Khởi động: từ 25% trở xuống"},
            ],
            "criteria": [
                {"code": "K1", "name": "Chỉ số chung", "max": {"A": 500, "B": 500}},
                {"code": "K2", "name": "Hoạt động", "max": {"A": 500, "B": 300}},
            ],
        }
    )


@pytest.mark.parametrize(
    ("group", "points", "expected"),
    [
        ("A", "750", "Nâng cao"),  # exactly 75 % is not "trên 75%"
        ("A", "750.01", "Dẫn dắt"),
        ("B", "600", "Nâng cao"),
        ("B", "600.01", "Dẫn dắt"),
        ("A", "250", "Khởi động"),
        ("A", "250.01", "Hình thành"),
        ("A", "0", "Khởi động"),
    ],
)
def test_percentage_bands_are_exclusive_and_scale_with_the_group(group, points, expected):
    assert grade(Decimal(points), group, percent_rules().grades) == expected


values_with_ties = st.lists(
    st.sampled_from([Decimal(v) for v in ("90", "85.5", "85.5", "70", "0")])
)


@given(values_with_ties)
def test_competition_ranks_skip_after_ties(values):
    result = ranks(values, TiePolicy.COMPETITION)
    for value, rank in zip(values, result, strict=True):
        assert rank == 1 + sum(other > value for other in values)


@given(values_with_ties)
def test_dense_ranks_do_not_skip(values):
    result = ranks(values, TiePolicy.DENSE)
    for value, rank in zip(values, result, strict=True):
        assert rank == 1 + len({other for other in values if other > value})


def test_tie_policies_on_a_small_example():
    values = [Decimal(v) for v in ("9", "8", "8", "7")]
    assert ranks(values, TiePolicy.COMPETITION) == [1, 2, 2, 4]
    assert ranks(values, TiePolicy.DENSE) == [1, 2, 2, 3]


def agency(row, name, group, score, prior=None):
    return AgencyScores(row=row, name=name, group=group, prior_rank=prior, scores={"X": score})


def test_ties_compare_at_the_printed_precision_and_keep_workbook_order(rules):
    agencies = [
        agency(2, "B", "I", Decimal("80.004"), prior=1),
        agency(3, "A", "I", Decimal("80.001")),
        agency(4, "C", "I", Decimal("90"), prior=2),
        agency(5, "D", "II", Decimal("66")),
    ]
    groups = evaluate(rules, agencies)
    first = groups[0].results
    assert [(r.agency.name, r.rank) for r in first] == [("C", 1), ("B", 2), ("A", 2)]
    assert first[1].total == Decimal("80.004")
    assert first[1].rounded_total == Decimal("80.00")
    assert [r.rank_change for r in first] == [1, -1, None]
    assert groups[1].results[0].grade == "Tốt"
    assert groups[2].results == ()


@given(st.lists(st.tuples(st.sampled_from(["I", "II", "III"]), hundredths), max_size=60))
def test_evaluate_ranks_within_each_group(rules, rows):
    agencies = [
        agency(i, f"Đơn vị {i}", group, Decimal(c).scaleb(-2)) for i, (group, c) in enumerate(rows)
    ]
    groups = evaluate(rules, agencies)
    assert sum(len(g.results) for g in groups) == len(agencies)
    for group in groups:
        totals = [r.rounded_total for r in group.results]
        assert totals == sorted(totals, reverse=True)
        for result in group.results:
            assert result.agency.group == group.group.code
            assert result.rounded_total == round_score(result.total, rules.precision)
            assert result.rank == 1 + sum(t > result.rounded_total for t in totals)
        tied_rows = {}
        for result in group.results:
            tied_rows.setdefault(result.rank, []).append(result.agency.row)
        assert all(rows_ == sorted(rows_) for rows_ in tied_rows.values())


def test_rank_change():
    assert rank_change(3, 1) == 2
    assert rank_change(1, 4) == -3
    assert rank_change(None, 1) is None
