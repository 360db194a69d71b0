"""Totals, grades, ranks and the change since last year: pure functions over plain data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from processor.core.formatting import round_score
from processor.core.model import (
    AgencyResult,
    AgencyScores,
    Grade,
    GroupResult,
    Rules,
    TiePolicy,
)


def total(scores: Mapping[str, Decimal]) -> Decimal:
    """The exact sum; Decimal, so 42.5 + 42.5 is 85 and never 84.99999."""
    return sum(scores.values(), Decimal(0))


def grade(points: Decimal, group_code: str, grades: Sequence[Grade]) -> str:
    """The first grade, best first, whose bound for this group admits the points."""
    for candidate in grades:
        if candidate.bounds is None or candidate.bounds[group_code].admits(points):
            return candidate.name
    raise ValueError("the last grade must have no bound")  # rules.py guarantees it


def ranks(values: Sequence[Decimal], ties: TiePolicy) -> list[int]:
    """Rank of each value (highest first); equal values share a rank.

    Returned in the order of `values`. O(n log n): one sort, one pass.
    """
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    result = [0] * len(values)
    rank = 0
    previous: Decimal | None = None
    for position, index in enumerate(order, start=1):
        value = values[index]
        if value != previous:
            rank = position if ties is TiePolicy.COMPETITION else rank + 1
            previous = value
        result[index] = rank
    return result


def rank_change(prior_rank: int | None, rank: int) -> int | None:
    """Places gained since last year (negative: places lost); None for a new agency."""
    return None if prior_rank is None else prior_rank - rank


def evaluate(rules: Rules, agencies: Iterable[AgencyScores]) -> tuple[GroupResult, ...]:
    """Every group of the rules, its agencies graded and in rank order (ties in input order)."""
    by_group: dict[str, list[AgencyScores]] = defaultdict(list)
    for agency in agencies:
        by_group[agency.group].append(agency)

    groups = []
    for group in rules.groups:
        members = by_group.get(group.code, [])
        exact = [total(a.scores) for a in members]
        rounded = [round_score(t, rules.precision) for t in exact]
        group_ranks = ranks(rounded, rules.ties)
        results = [
            AgencyResult(
                agency=agency,
                total=exact_total,
                rounded_total=shown,
                grade=grade(shown, group.code, rules.grades),
                rank=rank,
                rank_change=rank_change(agency.prior_rank, rank),
            )
            for agency, exact_total, shown, rank in zip(
                members, exact, rounded, group_ranks, strict=True
            )
        ]
        results.sort(key=lambda r: r.rank)  # stable: tied agencies keep workbook order
        groups.append(GroupResult(group=group, results=tuple(results)))
    return tuple(groups)
