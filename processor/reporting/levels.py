"""Where each agency stands against the levels and last year: the next level and the points
it lacks, the level counts (and last year's), the biggest movers, the thresholds drawn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from processor.core.model import AgencyResult, Bound, GroupResult, Rules
from processor.core.past import PastYear
from processor.core.scoring import percent
from processor.reporting.model import LevelCount, Mover, Threshold

MOVERS = 5  # how many agencies the summary names as moving most, each way (more on a tie)


def next_level(
    rules: Rules, group: GroupResult, result: AgencyResult
) -> tuple[str | None, Decimal | None, Decimal | None]:
    """The next level up and the smallest printed increase that reaches it.

    In points at the printed precision; for a bound stated in percent also in percentage
    points, and the points found by trying the printed steps, so the printed percent of
    total + lacking is what the decision would grade.
    """
    names = [grade.name for grade in rules.grades]
    if result.rank is None or result.grade not in names:
        return None, None, None
    place = names.index(result.grade)
    if place == 0:
        return None, None, None
    target = rules.grades[place - 1]
    bound: Bound | None = None if target.bounds is None else target.bounds.get(group.group.code)
    if bound is None:
        return None, None, None
    unit = Decimal(1).scaleb(-rules.precision)
    total = result.rounded_total
    if bound.percent is None or result.percent is None:
        need = bound.points - total + (Decimal(0) if bound.inclusive else unit)
        return target.name, max(need, unit), None
    share_unit = Decimal(1).scaleb(-rules.percent_precision)
    need_percent = bound.percent - result.percent + (Decimal(0) if bound.inclusive else share_unit)
    maximum = result.max_points
    points = (need_percent * maximum / 100).quantize(unit)
    points = max(points, unit)

    def reaches(extra: Decimal) -> bool:
        share = percent(total + extra, maximum, rules.percent_precision)
        return bound.admits(total + extra, share)

    while not reaches(points):
        points += unit
    while points > unit and reaches(points - unit):
        points -= unit
    return target.name, points, max(need_percent, share_unit)


def levels(rules: Rules, group: GroupResult, past: PastYear | None) -> tuple[LevelCount, ...]:
    counts = Counter(result.grade for result in group.results)
    before: Counter[str | None] | None = None
    if past is not None:
        then = [a for a in past.agencies if a.group == group.group.code and a.rank is not None]
        if then and all(a.grade is not None for a in then):
            before = Counter(a.grade for a in then)
    return tuple(
        LevelCount(
            grade=grade.name,
            count=counts[grade.name],
            prior=None if before is None else before[grade.name],
        )
        for grade in rules.grades
    )


def movers(ranked: Sequence[AgencyResult], *, up: bool) -> tuple[Mover, ...]:
    moved = [
        r
        for r in ranked
        if r.rank_change is not None and (r.rank_change > 0 if up else r.rank_change < 0)
    ]
    moved.sort(key=lambda r: (-abs(r.rank_change or 0), r.rank or 0))
    return tuple(
        Mover(
            name=r.agency.name,
            prior_rank=r.agency.prior_rank or 0,
            rank=r.rank or 0,
            change=r.rank_change or 0,
        )
        for r in moved[: cut(moved)]
    )


def cut(moved: Sequence[AgencyResult]) -> int:
    """MOVERS, never cutting through a tie: the agencies tied with the fifth are named too, or,
    when that would name more than twice MOVERS, none of that tie is (so none is left out
    only by its place in the workbook)."""
    if len(moved) <= MOVERS:
        return len(moved)
    last = abs(moved[MOVERS - 1].rank_change or 0)
    start = MOVERS - 1
    while start > 0 and abs(moved[start - 1].rank_change or 0) == last:
        start -= 1
    end = MOVERS
    while end < len(moved) and abs(moved[end].rank_change or 0) == last:
        end += 1
    return end if end <= 2 * MOVERS else start


def thresholds(rules: Rules, group: GroupResult, by_percent: bool) -> tuple[Threshold, ...]:
    """Each level's lower bound in the unit the group's bars are drawn in."""
    found = []
    maximum = group.group.max_points
    for grade in rules.grades:
        bound = None if grade.bounds is None else grade.bounds.get(group.group.code)
        if bound is None:
            continue
        if by_percent:
            value = bound.percent if bound.percent is not None else bound.points * 100 / maximum
        else:
            value = bound.points
        found.append(Threshold(grade=grade.name, value=value, inclusive=bound.inclusive))
    return tuple(found)
