"""Flags before signing: results that hang on a hair, for the council to look at.

Not warnings about the workbook (the workbook is right); results a Chairman should know are
fragile: near a level boundary, tied or split only by rounding, or moved by one scoring step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from processor.core.flags_step import Basis, column_steps, name_list, one_step
from processor.core.formatting import format_number, format_points, round_score
from processor.core.model import AgencyResult, Bound, GroupResult, Rules

# Flag.kind, for programs (JSON) and tests
NEAR_BOUNDARY = "near_boundary"  # within the margin above or below a level's lower bound
ROUNDING_TIE = "rounding_tie"  # tie at the printed precision, different at full precision
ROUNDING_SPLIT = "rounding_split"  # apart at the printed precision, less than a unit apart
ONE_STEP = "one_step"  # a rank changes if one cell moves by one step of its criterion
KINDS = (NEAR_BOUNDARY, ROUNDING_TIE, ROUNDING_SPLIT, ONE_STEP)
_MAX_EXTRA_PLACES = 6  # a full value is printed with at most this many more decimals


@dataclass(frozen=True, slots=True)
class Flag:
    group: str  # the group's code
    name: str  # the agency
    kind: str  # one of KINDS
    detail: str  # one Vietnamese sentence with the figures


def flags(
    rules: Rules, groups: Sequence[GroupResult], margin: Decimal | None = None
) -> tuple[Flag, ...]:
    """Every flag of the ranked agencies: group by group, in rank order, kind by kind.

    `margin` (in the levels' unit: points, or percentage points for a level stated in percent)
    overrides the rules' [report] margin.
    """
    margin = rules.report.margin if margin is None else margin
    basis = Basis(rules)
    steps = column_steps(rules, groups)
    found: list[Flag] = []
    for group in groups:
        ranked = group.results
        by_agency: list[list[tuple[str, str]]] = [[] for _ in ranked]
        for i, detail in near_boundary(rules, group, margin).items():
            by_agency[i].append((NEAR_BOUNDARY, detail))
        for i, kind, detail in rounding(basis, group):
            by_agency[i].append((kind, detail))
        for i, detail in one_step(rules, group, basis, steps).items():
            by_agency[i].append((ONE_STEP, detail))
        for result, details in zip(ranked, by_agency, strict=True):
            details.sort(key=lambda item: KINDS.index(item[0]))  # stable: ties keep their order
            found.extend(Flag(group.group.code, result.agency.name, k, d) for k, d in details)
    return tuple(found)


def flag_record(flag: Flag) -> dict[str, str]:
    """A flag as JSON reads it."""
    return {"group": flag.group, "name": flag.name, "kind": flag.kind, "detail": flag.detail}


def flag_lines(found: Sequence[Flag], labels: Mapping[str, str] | None = None) -> list[str]:
    """The flags as `check` prints them: a heading, then one indented line per flag.

    `labels` maps a group's code to the name the documents print (Group.printed_label), so the
    terminal says "Nhóm III" where the decision does; a code it lacks is printed as it is.
    """
    names = labels or {}
    if not found:
        return ["Không có kết quả nào cần xem trước khi ký (sát ngưỡng xếp loại hoặc dễ đổi hạng)."]
    return [
        f"Cần xem trước khi ký ({len(found)} kết quả sát ngưỡng hoặc dễ đổi hạng; không phải lỗi "
        "của bảng tính):",
        *(f"  Nhóm {names.get(f.group, f.group)} – {f.name}: {f.detail}" for f in found),
    ]


# -- near a level boundary -------------------------------------------------------------------


def near_boundary(rules: Rules, group: GroupResult, margin: Decimal) -> dict[int, str]:
    """The ranked agencies within `margin` of a level's lower bound: the nearest bound said."""
    code = group.group.code
    found: dict[int, str] = {}
    for i, result in enumerate(group.results):
        nearest: tuple[Decimal, str] | None = None
        for level in rules.grades:
            if level.bounds is None or code not in level.bounds:
                continue
            bound = level.bounds[code]
            value, limit, in_percent = _compared(result, bound)
            gap = value - limit
            if abs(gap) <= margin and (nearest is None or abs(gap) < abs(nearest[0])):
                said = _boundary_sentence(rules, level.name, bound, value, limit, in_percent)
                nearest = (gap, said)
        if nearest is not None:
            found[i] = nearest[1]
    return found


def _compared(result: AgencyResult, bound: Bound) -> tuple[Decimal, Decimal, bool]:
    """(graded value, bound, in percent?): a bound stated in percent is compared with the
    printed percent, any other with the printed total, as Bound.admits grades them."""
    if bound.percent is not None and result.percent is not None:
        return result.percent, bound.percent, True
    return result.rounded_total, bound.points, False


def _boundary_sentence(
    rules: Rules, name: str, bound: Bound, value: Decimal, limit: Decimal, in_percent: bool
) -> str:
    side = "từ" if bound.inclusive else "trên"
    if in_percent:
        places, mark, unit = rules.percent_precision, "%", "điểm phần trăm"
    else:
        places, mark, unit = rules.precision, " điểm", "điểm"
    shown = f"{format_number(value, places)}{mark}"
    stated = f"{side} {format_points(limit)}{mark}"
    gap = value - limit
    if gap == 0:
        short = "" if bound.inclusive else f", nên chưa đạt mức {name}"
        return f"{shown}, đúng bằng ngưỡng mức {name} ({stated}){short}."
    where = "trên" if gap > 0 else "dưới"
    distance = format_number(abs(gap), places)
    return f"{shown}, {where} ngưỡng mức {name} ({stated}) {distance} {unit}."


# -- ties and splits made by rounding ----------------------------------------------------------


def rounding(basis: Basis, group: GroupResult) -> list[tuple[int, str, str]]:
    """(index, kind, sentence) for each agency tied, or split, by rounding alone.

    A tie: ranked level with others only because their ranking values print the same. A split:
    ranked apart from its nearest other (in full value) by printed values that differ although
    the full values are less than one printed unit apart.
    """
    ranked = group.results
    shown = [basis.shown(r) for r in ranked]
    full = [basis.full(r) for r in ranked]
    found: list[tuple[int, str, str]] = []
    level: dict[Decimal, list[int]] = defaultdict(list)
    for i, value in enumerate(shown):
        level[value].append(i)
    for i in range(len(ranked)):
        others = [j for j in level[shown[i]] if full[j] != full[i]]
        if others:
            found.append((i, ROUNDING_TIE, _tie_sentence(basis, ranked, full, i, others)))
    for i, j in _splits(basis, shown, full):
        found.append((i, ROUNDING_SPLIT, _split_sentence(basis, ranked, shown, full, i, j)))
    return found


def _splits(basis: Basis, shown: list[Decimal], full: list[Decimal]) -> list[tuple[int, int]]:
    """(agency, its nearest other printed differently, less than a unit away in full value).

    In the order of full values, those printed as the agency is form a run around it; the
    nearest printed differently are the neighbours just outside that run.
    """
    order = sorted(range(len(full)), key=lambda k: full[k])
    start = [0] * len(order)  # where the run holding each position starts, and ends
    for p in range(1, len(order)):
        same = shown[order[p]] == shown[order[p - 1]]
        start[p] = start[p - 1] if same else p
    end = [len(order) - 1] * len(order)
    for p in range(len(order) - 2, -1, -1):
        same = shown[order[p]] == shown[order[p + 1]]
        end[p] = end[p + 1] if same else p
    pairs: list[tuple[int, int]] = []
    for p, i in enumerate(order):
        near = [order[q] for q in (start[p] - 1, end[p] + 1) if 0 <= q < len(order)]
        near = [j for j in near if abs(full[j] - full[i]) < basis.unit]
        if near:
            pairs.append((i, min(near, key=lambda j: abs(full[j] - full[i]))))
    pairs.sort()
    return pairs


def _places(basis: Basis, values: Sequence[Decimal], gap: Decimal | None = None) -> int:
    """Enough decimals to print the values apart, and the gap between them as non-zero."""
    places = basis.precision + 1
    while places < basis.precision + _MAX_EXTRA_PLACES:
        apart = len({format_number(v, places) for v in values}) == len(set(values))
        if apart and (gap is None or round_score(gap, places) != 0):
            break
        places += 1
    return places


def _tie_sentence(
    basis: Basis, ranked: Sequence[AgencyResult], full: list[Decimal], i: int, others: list[int]
) -> str:
    noun, mark = ("tỷ lệ", "%") if basis.by_percent else ("điểm", "")
    names = [ranked[j].agency.name for j in others]
    fulls = [full[i], *(full[j] for j in others)]
    places = _places(basis, fulls)
    own, *rest = (f"{format_number(v, places)}{mark}" for v in fulls)
    apart = f"{own} và {rest[0]}" if len(rest) == 1 else f"{own} so với {'; '.join(rest)}"
    shown = f"{format_number(basis.shown(ranked[i]), basis.precision)}{mark}"
    tied = name_list(names)
    return f"Bằng {noun} {tied} khi làm tròn ({shown}) nhưng {noun} đầy đủ khác ({apart})."


def _split_sentence(
    basis: Basis,
    ranked: Sequence[AgencyResult],
    shown: list[Decimal],
    full: list[Decimal],
    i: int,
    j: int,
) -> str:
    noun, mark = ("tỷ lệ", "%") if basis.by_percent else ("điểm", "")
    unit = "điểm phần trăm" if basis.by_percent else "điểm"
    gap = abs(full[i] - full[j])
    places = _places(basis, [full[i], full[j]], gap)
    printed = " và ".join(f"{format_number(shown[k], basis.precision)}{mark}" for k in (i, j))
    exact = " và ".join(f"{format_number(full[k], places)}{mark}" for k in (i, j))
    return (
        f"Khác {noun} {ranked[j].agency.name} khi làm tròn ({printed}) nhưng {noun} đầy đủ chỉ "
        f"chênh {format_number(gap, places)} {unit} ({exact})."
    )
