"""A council total that does not add up, and which of the row's cells most likely holds the slip.

The message names the total cell, lists the row's criterion cells with their values, and points
at the cells that look mistyped: one that closes the gap if a leading digit is added or dropped,
the decimal comma moved or two digits swapped; one that is not a multiple of the step the rest
of its column is scored in (0,5, 0,25 …); one far from the other agencies of its group, in the
direction the gap points. The column statistics are computed once, and only when some total is
off, so a sheet whose totals agree costs nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from processor.core.formatting import format_number, format_points
from processor.core.model import Criterion, Rules
from processor.core.problems import Problem
from processor.core.sheet import cell_name, column_letter

STEPS = (Decimal(1), Decimal("0.5"), Decimal("0.25"), Decimal("0.1"), Decimal("0.05"))
MIN_VALUES = 5  # fewer values in a column or group say nothing about its usual values
USUAL_SHARE = 0.9  # a step is the column's usual one when this share of its cells fit it
FAR = Decimal("3.5")  # robust z-score beyond which a value is far from its group's others
MAX_SUSPECTS = 3  # the cells named first; the others are counted


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A row whose `Tổng điểm` differs from its criteria's sum; reported once all rows are read.

    `index` is where its placeholder sits in the problems, so the full message keeps the row's
    place among the others.
    """

    index: int
    row_no: int
    group: str
    agency: str  # the agency of the row ("" when its name is missing)
    ref: str  # the total cell
    council: Decimal
    computed: Decimal  # the exact weighted sum of `scores`
    scores: Mapping[str, Decimal]


def placeholder(ref: str) -> Problem:
    return Problem(ref, "Tổng điểm ghi trong bảng khác tổng cộng từ các tiêu chí.")


class _Column:
    """One criterion's values across the usable rows: its usual step, each group's spread."""

    def __init__(self, values: list[tuple[str, Decimal]], precision: int):
        self.count = len(values)
        self.precision = precision
        smallest = Decimal(1).scaleb(-precision)
        # each step in units of the rules' precision: 0,25 is 25 hundredths
        self.steps = [(s, int(s.scaleb(precision))) for s in STEPS if s >= smallest]
        scaled = [int(v.scaleb(precision)) for _, v in values]
        self.fits = [sum(1 for n in scaled if n % units == 0) for _, units in self.steps]
        by_group: dict[str, list[Decimal]] = {}
        for group, value in values:
            by_group.setdefault(group, []).append(value)
        self.spread: dict[str, tuple[list[Decimal], Decimal]] = {}
        for group, found in by_group.items():
            if len(found) > MIN_VALUES:
                found.sort()
                middle = _median(found)
                self.spread[group] = (found, _median(sorted(abs(v - middle) for v in found)))

    def others_median(self, group: str, value: Decimal) -> Decimal:
        """The median of the group's values but (one of) this one, without re-sorting: the
        i-th of the others is the i-th of all when this value sorts after it, else the next."""
        ordered = self.spread[group][0]
        size = len(ordered) - 1

        def at(i: int) -> Decimal:
            return ordered[i] if value > ordered[i] else ordered[i + 1]

        half = size // 2
        return at(half) if size % 2 else (at(half - 1) + at(half)) / 2

    def usual_step(self, value: Decimal) -> Decimal | None:
        """The coarsest step the column's other cells keep to, if this value breaks it."""
        others = self.count - 1
        if others < MIN_VALUES:
            return None
        scaled = int(value.scaleb(self.precision))
        for (step, units), fits in zip(self.steps, self.fits, strict=True):
            mine = scaled % units == 0
            if fits - mine >= USUAL_SHARE * others:
                return None if mine else step
        return None


def _median(ordered: list[Decimal]) -> Decimal:
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def _digits(value: Decimal) -> str:
    return format(abs(value).normalize(), "f")


def _closure(value: Decimal, wanted: Decimal) -> str | None:
    """How `value` may be a mistyped `wanted`: a leading digit, the decimal comma, a swap."""
    if value == wanted or (value and wanted and (value < 0) != (wanted < 0)):
        return None
    typed, meant = _digits(value), _digits(wanted)
    if len(meant) == len(typed) + 1 and meant[1:] == typed and meant[0] in "123456789":
        return f"thiếu chữ số {meant[0]} ở đầu"
    if len(typed) == len(meant) + 1 and typed[1:] == meant and typed[0] in "123456789":
        return f"thừa chữ số {typed[0]} ở đầu"
    if value and (wanted == value * 10 or wanted * 10 == value):
        return "nhầm chỗ dấu phẩy thập phân"
    if len(typed) == len(meant):
        differ = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        if len(differ) == 2 and differ[1] == differ[0] + 1:
            i = differ[0]
            if typed[i] == meant[i + 1] and typed[i + 1] == meant[i] and typed[i : i + 2].isdigit():
                return "đảo hai chữ số"
    return None


def _reasons(
    criterion: Criterion, group: str, value: Decimal, gap: Decimal, column: _Column
) -> tuple[int, list[str]]:
    """Why the cell may hold the slip, and how strongly: a correction that closes the gap and
    makes the value more like its group's others counts most, one that makes it less like
    them least (with a gap of exactly 10, every one-digit score "lacks a leading 1")."""
    reasons, strength = [], 0
    maximum = criterion.max_points[group]
    wanted = value + gap / criterion.weight if criterion.weight else value
    middle = deviation = None
    if group in column.spread:
        middle, deviation = column.others_median(group, value), column.spread[group][1]
    low, high = (-maximum, Decimal(0)) if criterion.deduction else (Decimal(0), maximum)
    how = _closure(value, wanted) if criterion.weight and low <= wanted <= high else None
    if how is not None:
        reasons.append(f"ghi {format_points(wanted)} thì tổng khớp ({how})")
        closer = middle is None or abs(wanted - middle) < abs(value - middle)
        strength += 3 if closer else 1
    step = column.usual_step(value)
    if step is not None:
        reasons.append(f"không phải bội số của {format_points(step)} như các ô khác trong cột")
        strength += 2
    if middle is not None and deviation is not None:
        scale = max(deviation * Decimal("1.4826"), maximum / 20)
        if abs(value - middle) > FAR * scale and abs(wanted - middle) < abs(value - middle):
            reasons.append(
                f"khác xa các đơn vị cùng nhóm {group} (thường quanh {format_points(middle)})"
            )
            strength += 2
    return strength, reasons


def explain(
    mismatches: list[Mismatch],
    usable: Iterable[tuple[str, Mapping[str, Decimal]]],
    rules: Rules,
    columns: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """Replace each mismatch's placeholder with the full message. `usable` is every row whose
    cells are usable, as (group, scores); the mismatched rows are among them."""
    if not mismatches:
        return
    values: dict[str, list[tuple[str, Decimal]]] = {c.code: [] for c in rules.criteria}
    for group, scores in usable:
        for code, score in scores.items():
            values[code].append((group, score))
    stats: dict[str, _Column] = {}
    for mismatch in mismatches:
        gap = mismatch.council - mismatch.computed
        listed: list[str] = []
        suspects: list[tuple[int, int, str]] = []  # (-strength, column order, text)
        for criterion in rules.criteria:
            value = mismatch.scores.get(criterion.code)
            if value is None:
                continue
            cell = cell_name(mismatch.row_no, columns[criterion.code])
            shown = f"{cell} ({criterion.code}) = {format_points(value)}"
            listed.append(shown)
            if criterion.code not in stats:
                stats[criterion.code] = _Column(values[criterion.code], rules.precision)
            strength, reasons = _reasons(
                criterion, mismatch.group, value, gap, stats[criterion.code]
            )
            if reasons:
                suspects.append((-strength, len(suspects), f"{shown}: {', '.join(reasons)}"))
        places = rules.precision
        message = (
            "Tổng điểm ghi trong bảng là "
            f"{format_number(mismatch.council, places)} nhưng cộng điểm các tiêu chí được "
            f"{format_number(mismatch.computed, places)} (lệch {format_number(abs(gap), places)})."
            f" Điểm các tiêu chí của hàng: {'; '.join(listed) or 'không có'}. "
        )
        if suspects:
            suspects.sort()
            named = "; ".join(text for _, _, text in suspects[:MAX_SUSPECTS])
            more = len(suspects) - MAX_SUSPECTS
            also = f" (và {more} ô khác có dấu hiệu tương tự)" if more > 0 else ""
            message += (
                f"Ô có thể gõ nhầm: {named}{also}. Nếu các ô điểm đều đúng thì sửa ô tổng điểm."
            )
        else:
            message += (
                "Không ô nào có dấu hiệu gõ nhầm rõ ràng; kiểm tra lại các ô điểm hoặc ô tổng "
                "điểm của hàng này."
            )
        problems[mismatch.index] = Problem(mismatch.ref, message, agency=mismatch.agency or None)


def is_criteria_sum(
    formula: str, row: int, columns: Sequence[int], weights: Sequence[Decimal]
) -> bool:
    """A total cell's formula that is exactly the tool's own sum of the row's criteria.

    `SUM(E4:Q4)` over every criterion column (all weights 1), or `SUMPRODUCT(E4:Q4,{1,0.5,…})`
    with the rules' weights in column order: what a workbook made by `init` holds. Such a total
    says nothing the tool does not compute itself, so no cached result is needed to trust it.
    """
    if not columns or sorted(columns) != list(range(min(columns), max(columns) + 1)):
        return False
    text = "".join(formula.split()).replace("$", "").upper().lstrip("=")
    cells = f"{column_letter(min(columns))}{row}:{column_letter(max(columns))}{row}"
    if all(weight == 1 for weight in weights) and text == f"SUM({cells})":
        return True
    prefix = f"SUMPRODUCT({cells},{{"
    if not (text.startswith(prefix) and text.endswith("})")):
        return False
    try:
        found = [Decimal(part) for part in text[len(prefix) : -2].split(",")]
    except ArithmeticError:
        return False
    ordered = [weight for _, weight in sorted(zip(columns, weights, strict=True))]
    return found == ordered
