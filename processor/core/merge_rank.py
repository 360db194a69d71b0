"""A merged agency's prior rank, computed from its predecessors' results last year.

Pure. `best`: the best rank among the predecessors ranked in the agency's group. `mean`: where
their mean total (or percent, when last year ranked by percent) would have ranked among the
other agencies ranked in that group last year, as the national index did for merged provinces.
`none` gives no rank. The profile names the rule ([prior] merge_rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from processor.core.model import TiePolicy
from processor.core.past import MergeRule, PastAgency, PastYear, agency_key


def merged_rank(
    rule: MergeRule,
    same: Sequence[PastAgency],
    before: Sequence[PastAgency],
    group: str,
    past: PastYear,
    ties: TiePolicy,
) -> int | None:
    """`same`: the predecessors ranked last year in `group`; `before`: all the predecessors
    found last year (none of them counts among the others the mean is ranked against)."""
    if rule is MergeRule.NONE or not same:
        return None
    if rule is MergeRule.BEST:
        return min(p.rank for p in same if p.rank is not None)
    return mean_rank(same, before, group, past, ties)


def mean_rank(
    same: Sequence[PastAgency],
    before: Sequence[PastAgency],
    group: str,
    past: PastYear,
    ties: TiePolicy,
) -> int | None:
    """Where the predecessors' mean would have ranked in last year's group, among the other
    ranked agencies: 1 + those strictly better (1224), or + their distinct values (1223)."""

    def value(agency: PastAgency) -> Decimal | None:
        return agency.percent if past.rank_by == "percent" else agency.total

    values = [value(p) for p in same]
    if any(v is None for v in values):
        return None
    mean = sum((v for v in values if v is not None), Decimal(0)) / len(values)
    excluded = {agency_key(p.name) for p in before}
    better = [
        v
        for a in past.agencies
        if a.group == group and a.rank is not None and agency_key(a.name) not in excluded
        for v in (value(a),)
        if v is not None and v > mean
    ]
    return 1 + (len(set(better)) if ties is TiePolicy.DENSE else len(better))
