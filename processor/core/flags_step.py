"""The arithmetic behind the flags before signing (processor/core/flags.py): pure, no I/O.

How a group is ordered (its ranking value, printed and in full), the step each criterion is
scored in, and whether one step of one cell would change a rank, found by bisection on the
group's sorted ranking values rather than by ranking the group again for every cell.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from processor.core.formatting import format_number, format_points, round_score
from processor.core.model import AgencyResult, GroupResult, RankBasis, Rules, TiePolicy
from processor.core.scoring import grade, percent

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Basis:
    """What orders a group, as scoring.py ranks it: the printed total, or the printed percent."""

    rules: Rules

    @property
    def by_percent(self) -> bool:
        return self.rules.rank_by is RankBasis.PERCENT

    @property
    def precision(self) -> int:
        """The printed precision of the ranking value."""
        return self.rules.percent_precision if self.by_percent else self.rules.precision

    @property
    def unit(self) -> Decimal:
        """One unit of the printed precision: 0,01 for two decimals."""
        return Decimal(1).scaleb(-self.precision)

    def shown(self, result: AgencyResult) -> Decimal:
        """The value the group is ranked on (what the appendix prints)."""
        if self.by_percent:
            return result.percent if result.percent is not None else _ZERO
        return result.rounded_total

    def full(self, result: AgencyResult) -> Decimal:
        """The ranking value before rounding: the exact total, or total / maximum x 100."""
        if self.by_percent:
            if result.max_points <= 0:
                return _ZERO
            return result.total * _HUNDRED / result.max_points
        return result.total

    def after(self, result: AgencyResult, total: Decimal) -> Decimal:
        """The ranking value the agency would have with this exact total, rounded as scoring."""
        shown = round_score(total, self.rules.precision)
        if not self.by_percent:
            return shown
        share = percent(shown, result.max_points, self.rules.percent_precision)
        return share if share is not None else _ZERO


def decimal_gcd(values: Iterable[Decimal]) -> Decimal | None:
    """The largest d such that every value is a whole multiple of d; None if all are zero."""
    nonzero = [abs(v).normalize() for v in values if v != 0]
    if not nonzero:
        return None
    exponent = min(int(v.as_tuple().exponent) for v in nonzero)
    whole = [int(v.scaleb(-exponent)) for v in nonzero]
    return Decimal(math.gcd(*whole)).scaleb(exponent).normalize()


def column_steps(rules: Rules, groups: Sequence[GroupResult]) -> dict[str, Decimal]:
    """Each criterion's step: its [[criteria]] step, else the GCD of its column and maxima."""
    column: dict[str, list[Decimal]] = {c.code: list(c.max_points.values()) for c in rules.criteria}
    for group in groups:
        for result in (*group.results, *group.unranked):
            for code, score in result.agency.scores.items():
                if code in column:
                    column[code].append(score)
    steps: dict[str, Decimal] = {}
    for criterion in rules.criteria:
        step = criterion.step if criterion.step is not None else decimal_gcd(column[criterion.code])
        if step is not None and step > 0:
            steps[criterion.code] = step
    return steps


@dataclass(frozen=True, slots=True)
class Move:
    """One cell moved by one step, within the criterion's range."""

    code: str
    old: Decimal
    new: Decimal
    change: Decimal  # on the exact total: weight x (new - old)

    @property
    def up(self) -> bool:
        return self.new > self.old


def moves(rules: Rules, result: AgencyResult, steps: Mapping[str, Decimal]) -> list[Move]:
    """Every one-step move of the agency's cells, smallest change to the total first."""
    group = result.agency.group
    found: list[tuple[Decimal, int, bool, Move]] = []
    for order, criterion in enumerate(rules.criteria):
        score = result.agency.scores.get(criterion.code)
        step = steps.get(criterion.code)
        if score is None or step is None or not criterion.applies_to(group):
            continue
        maximum = criterion.max_points[group]
        low, high = (-maximum, _ZERO) if criterion.deduction else (_ZERO, maximum)
        for new in (score + step, score - step):
            if low <= new <= high:
                move = Move(criterion.code, score, new, criterion.weight * (new - score))
                found.append((abs(move.change), order, not move.up, move))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]


class Standing:
    """A group's ranking values, sorted once; where one agency's new value would stand.

    `own` is the agency's present value: it is left out of every count ("the others").
    """

    def __init__(self, values: Sequence[Decimal], ties: TiePolicy):
        self.values = sorted(values)
        self.distinct = sorted(set(values))
        self.count = Counter(values)
        self.ties = ties

    def greater(self, value: Decimal, own: Decimal) -> int:
        """How many others are ranked above `value`."""
        above = len(self.values) - bisect_right(self.values, value)
        return above - (own > value)

    def equal(self, value: Decimal, own: Decimal) -> int:
        """How many others share `value`."""
        return self.count.get(value, 0) - (own == value)

    def rank(self, value: Decimal, own: Decimal) -> int:
        """The agency's rank if its value were `value`."""
        if self.ties is TiePolicy.COMPETITION:
            return 1 + self.greater(value, own)
        above = len(self.distinct) - bisect_right(self.distinct, value)
        return 1 + above - (own > value and self.count[own] == 1)

    def changes(self, value: Decimal, own: Decimal) -> bool:
        """Would any rank of the group change? Only if the agency's place among the others does:
        the others above it and those level with it are a suffix and the block before it of the
        sorted values, so their numbers say which they are."""
        return (self.greater(value, own), self.equal(value, own)) != (
            self.greater(own, own),
            self.equal(own, own),
        )


def name_list(names: Sequence[str]) -> str:
    """`Sở A`, `Sở A và Sở B`, `Sở A, Sở B và Sở C`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def one_step(
    rules: Rules, group: GroupResult, basis: Basis, steps: Mapping[str, Decimal]
) -> dict[int, str]:
    """For each ranked agency (by its index in group.results) that one step of one of its cells
    moves in the ranking: the sentence naming the smallest such move and what it changes."""
    ranked = group.results
    values = [basis.shown(r) for r in ranked]
    standing = Standing(values, rules.ties)
    holders: dict[Decimal, list[int]] = defaultdict(list)
    for i, value in enumerate(values):
        holders[value].append(i)
    found: dict[int, str] = {}
    for i, result in enumerate(ranked):
        own = values[i]
        for move in moves(rules, result, steps):
            new = basis.after(result, result.total + move.change)
            if new != own and standing.changes(new, own):
                level = holders.get(new if new < own else own, [])
                names = [ranked[j].agency.name for j in level if j != i]
                outcome = _outcome(result, standing, new, own, names)
                level_move = _level_change(rules, result, result.total + move.change)
                if level_move:
                    joint = " và " if outcome.startswith("đơn vị ") else "; đơn vị "
                    outcome += joint + level_move
                found[i] = f"{_move_sentence(rules, move)}{outcome}."
                break
    return found


def _outcome(
    result: AgencyResult, standing: Standing, new: Decimal, own: Decimal, level: list[str]
) -> str:
    """What the move changes, said from the agency's side."""
    rank = result.rank or 0
    after = standing.rank(new, own)
    shared = "đồng " if standing.equal(new, own) else ""
    if after < rank:
        return f"đơn vị lên {shared}hạng {after} (đang hạng {rank})"
    if after > rank:
        return f"đơn vị xuống {shared}hạng {after} (đang hạng {rank})"
    if not level:  # not reached: a change that moves no one is no change
        return "thứ hạng trong nhóm thay đổi"
    if new > own:  # it leaves those it was level with below it
        return f"đơn vị không còn đồng hạng {rank} với {name_list(level)}"
    return f"{name_list(level)} lên đồng hạng {rank} với đơn vị"  # it came down level with them


def _level_change(rules: Rules, result: AgencyResult, total: Decimal) -> str:
    """`xuống mức Khá` when the exact total `total` grades the agency differently; else ""."""
    if result.grade is None:
        return ""
    shown = round_score(total, rules.precision)
    share = percent(shown, result.max_points, rules.percent_precision)
    after = grade(shown, result.agency.group, rules.grades, share)
    if after is None or after == result.grade:
        return ""
    names = [level.name for level in rules.grades]
    better = names.index(after) < names.index(result.grade)  # the grades are best first
    return f"{'lên' if better else 'xuống'} mức {after}"


def _move_sentence(rules: Rules, move: Move) -> str:
    criterion = next(c for c in rules.criteria if c.code == move.code)
    step = format_points(abs(move.new - move.old))
    towards = "lên" if move.up else "xuống"
    cells = (
        f"từ {format_number(move.old, rules.precision)} {towards} "
        f"{format_number(move.new, rules.precision)}"
    )
    if criterion.weight != 1:
        verb = "tăng" if move.change > 0 else "giảm"
        cells += f"; tổng điểm {verb} {format_points(abs(move.change))}"
    if criterion.deduction:
        if move.up:  # a deduction less deep
            return f"Nếu bớt {step} điểm trừ ở {move.code} ({cells}), "
        return f"Nếu bị trừ thêm {step} điểm ở {move.code} ({cells}), "
    verb = "tăng" if move.up else "giảm"
    return f"Nếu điểm {move.code} {verb} một bước {step} ({cells}), "
