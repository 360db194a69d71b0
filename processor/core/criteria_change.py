"""Whether this year's criteria are last year's: if not, ranks are not strictly comparable.

Pure. Compares the rules' criteria (codes and maximum per group), group scales and ranking
basis with those recorded for last year in the history, and says in one Vietnamese warning
what was added, removed or changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from processor.core.formatting import format_points, normalise
from processor.core.model import Rules
from processor.core.past import PastYear
from processor.core.problems import Problem, Severity

PLACE = "Tệp quy tắc ([[criteria]])"
_BASIS = {"total": "tổng điểm", "percent": "tỷ lệ phần trăm"}


def criteria_changes(rules: Rules, past: PastYear) -> Problem | None:
    """One warning naming every difference; None when last year's criteria are unknown (not
    recorded) or the same."""
    if not past.maxima:
        return None
    now = {normalise(c.code): (c.code, dict(c.max_points)) for c in rules.criteria}
    then = {normalise(code): (code, dict(maxima)) for code, maxima in past.maxima.items()}
    parts: list[str] = []
    added = [code for key, (code, _) in now.items() if key not in then]
    removed = [code for key, (code, _) in then.items() if key not in now]
    if added:
        parts.append("thêm " + ", ".join(added))
    if removed:
        parts.append("bỏ " + ", ".join(removed))
    changed = [
        f"{code} ({_maxima(then[key][1], maxima)})"
        for key, (code, maxima) in now.items()
        if key in then and _differ(then[key][1], maxima)
    ]
    if changed:
        parts.append("đổi điểm tối đa " + ", ".join(changed))
    scales = [
        f"nhóm {g.code}: {format_points(past.group_max[g.code])} → {format_points(g.max_points)}"
        for g in rules.groups
        if g.code in past.group_max and past.group_max[g.code] != g.max_points
    ]
    if scales:
        parts.append("đổi thang điểm " + ", ".join(scales))
    if past.rank_by != rules.rank_by.value:
        then_basis = _BASIS.get(past.rank_by, past.rank_by)
        parts.append(f"xếp hạng theo {_BASIS[rules.rank_by.value]} thay vì {then_basis}")
    if not parts:
        return None
    return Problem(
        PLACE,
        f"Bộ tiêu chí năm nay khác năm {past.year}: {'; '.join(parts)}. Thứ hạng năm nay không "
        f"hoàn toàn so sánh được với thứ hạng năm {past.year}.",
        Severity.WARNING,
    )


def _differ(then: Mapping[str, Decimal], now: Mapping[str, Decimal]) -> bool:
    return set(then) != set(now) or any(then[g] != now[g] for g in now)


def _maxima(then: Mapping[str, Decimal], now: Mapping[str, Decimal]) -> str:
    """`nhóm I: 8 → 10, nhóm III: không áp dụng → 6` for the groups whose maximum changed."""
    groups = [*now, *(g for g in then if g not in now)]

    def shown(maxima: Mapping[str, Decimal], group: str) -> str:
        return format_points(maxima[group]) if group in maxima else "không áp dụng"

    return ", ".join(
        f"nhóm {g}: {shown(then, g)} → {shown(now, g)}" for g in groups if then.get(g) != now.get(g)
    )
