"""Totals, subtotals, percentages, grades, ranks and the change since last year: pure functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from processor.core.formatting import round_score
from processor.core.model import (
    AgencyResult,
    AgencyScores,
    Grade,
    Group,
    GroupResult,
    RankBasis,
    Rules,
    TiePolicy,
)

_ONE = Decimal(1)


def total(scores: Mapping[str, Decimal]) -> Decimal:
    """The exact sum; Decimal, so 42.5 + 42.5 is 85 and never 84.99999."""
    return sum(scores.values(), Decimal(0))


def weighted_total(rules: Rules, scores: Mapping[str, Decimal]) -> Decimal:
    """The exact sum of weight x score (every weight is 1 unless the rules say otherwise)."""
    weights = {c.code: c.weight for c in rules.criteria}
    return sum((weights.get(code, _ONE) * score for code, score in scores.items()), Decimal(0))


def agency_maximum(rules: Rules, agency: AgencyScores) -> Decimal:
    """The group's maximum, less the weighted maxima of the criteria the agency is not scored on."""
    group = rules.group(agency.group)
    missing = sum(
        (
            c.weight * c.max_points[group.code]
            for c in rules.criteria
            if c.code in agency.not_scored and not c.deduction
        ),
        Decimal(0),
    )
    return group.max_points - missing


def pillar_totals(rules: Rules, scores: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Each main index's exact weighted subtotal, in the rules' order; they add up to the total."""
    subtotals = {p.code: Decimal(0) for p in rules.pillars}
    for criterion in rules.criteria:
        if criterion.pillar is not None and criterion.code in scores:
            subtotals[criterion.pillar] += criterion.weight * scores[criterion.code]
    return subtotals


def pillar_maxima(rules: Rules, agency: AgencyScores) -> dict[str, Decimal]:
    maxima = {p.code: Decimal(0) for p in rules.pillars}
    for criterion in rules.criteria:
        if (
            criterion.pillar is not None
            and criterion.applies_to(agency.group)
            and not criterion.deduction
            and criterion.code not in agency.not_scored
        ):
            maxima[criterion.pillar] += criterion.weight * criterion.max_points[agency.group]
    return maxima


def percent(points: Decimal, maximum: Decimal, precision: int) -> Decimal | None:
    """Points as a percentage of the maximum, rounded half up; None without a maximum."""
    if maximum <= 0:
        return None
    return round_score(points * 100 / maximum, precision)


def grade(
    points: Decimal, group_code: str, grades: Sequence[Grade], share: Decimal | None = None
) -> str | None:
    """The first grade, best first, whose bound for this group admits the points (or share).

    None when the rules have no grades: the decision then ranks only.
    """
    for candidate in grades:
        if candidate.bounds is None or candidate.bounds[group_code].admits(points, share):
            return candidate.name
    if grades:
        raise ValueError("the last grade must have no bound")  # rules.py guarantees it
    return None


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


def rank_change(prior_rank: int | None, rank: int | None) -> int | None:
    """Places gained since last year (negative: places lost); None without both ranks."""
    return None if prior_rank is None or rank is None else prior_rank - rank


def _result(rules: Rules, group: Group, agency: AgencyScores) -> AgencyResult:
    """Everything about one agency except its ranks."""
    exact = weighted_total(rules, agency.scores)
    shown = round_score(exact, rules.precision)
    maximum = agency_maximum(rules, agency)
    share = percent(shown, maximum, rules.percent_precision)
    return AgencyResult(
        agency=agency,
        total=exact,
        rounded_total=shown,
        grade=grade(shown, group.code, rules.grades, share),
        rank=None,
        rank_change=None,
        max_points=maximum,
        percent=share,
        pillar_totals={
            code: round_score(value, rules.precision)
            for code, value in pillar_totals(rules, agency.scores).items()
        },
        pillar_max=pillar_maxima(rules, agency),
    )


def _ranked(rules: Rules, results: list[AgencyResult]) -> list[AgencyResult]:
    """The group's ranked agencies with their ranks, overall and on each main index."""
    if rules.rank_by is RankBasis.PERCENT:
        keys = [r.percent if r.percent is not None else Decimal(0) for r in results]
    else:
        keys = [r.rounded_total for r in results]
    overall = ranks(keys, rules.ties)
    by_pillar = {
        p.code: ranks([r.pillar_totals[p.code] for r in results], rules.ties) for p in rules.pillars
    }
    ranked = [
        _with_ranks(result, rank, {code: values[i] for code, values in by_pillar.items()})
        for i, (result, rank) in enumerate(zip(results, overall, strict=True))
    ]
    ranked.sort(key=lambda r: r.rank or 0)  # stable: tied agencies keep workbook order
    return ranked


def _with_ranks(result: AgencyResult, rank: int, pillar_ranks: dict[str, int]) -> AgencyResult:
    return AgencyResult(
        agency=result.agency,
        total=result.total,
        rounded_total=result.rounded_total,
        grade=result.grade,
        rank=rank,
        rank_change=rank_change(result.agency.prior_rank, rank),
        max_points=result.max_points,
        percent=result.percent,
        pillar_totals=result.pillar_totals,
        pillar_max=result.pillar_max,
        pillar_ranks=pillar_ranks,
    )


def evaluate(rules: Rules, agencies: Iterable[AgencyScores]) -> tuple[GroupResult, ...]:
    """Every group of the rules, its agencies graded and in rank order (ties in input order).

    An agency assessed but not ranked is scored like the others and kept apart: it takes no
    rank and no place in anyone else's rank.
    """
    by_group: dict[str, list[AgencyScores]] = defaultdict(list)
    for agency in agencies:
        by_group[agency.group].append(agency)

    groups = []
    for group in rules.groups:
        results = [_result(rules, group, a) for a in by_group.get(group.code, [])]
        ranked = _ranked(rules, [r for r in results if r.agency.unranked_reason is None])
        unranked = tuple(r for r in results if r.agency.unranked_reason is not None)
        groups.append(GroupResult(group=group, results=tuple(ranked), unranked=unranked))
    return tuple(groups)
