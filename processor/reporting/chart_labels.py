"""Where the labels of a bar chart's vertical lines (the thresholds, the group mean) go, above
the axes: in rows, each centred on its line or beside it, so that no two labels overlap and no
line (or the leader from the axes up to a raised label) runs through another label.

A label in row 0 sits right on top of its line; a label in a higher row is joined to its line
by a thin leader from the top of the axes. The placement with the fewest rows and, among
those, the fewest raised or side-set labels wins (a small search: charts have a handful of
lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GAP = 0.05  # inches kept between two labels in a row
CLEAR = 0.03  # inches kept between a leader and a label it passes
SIDE = 0.03  # inches between a line and a label set beside it
CENTRE, AFTER, BEFORE = "center", "left", "right"  # the label's ha: on, after, before its line
ALIGNS = (CENTRE, AFTER, BEFORE)
MOST = 8  # more labels than this: placed by rows alone, without the search


@dataclass(frozen=True, slots=True)
class Place:
    row: int
    align: str  # CENTRE, AFTER (the label starts right of its line) or BEFORE (ends left of it)
    shift: float  # inches the anchor moved inwards to stay on the figure
    start: float  # the label's left and right edges, inches from the figure's left
    stop: float

    @property
    def anchor(self) -> float:
        """Where the label meets its leader: its middle, or the edge next to the line."""
        if self.align == AFTER:
            return self.start
        if self.align == BEFORE:
            return self.stop
        return (self.start + self.stop) / 2


def _place(x: float, wide: float, row: int, align: str, low: float, high: float) -> Place:
    start = x - wide / 2 if align == CENTRE else x + SIDE if align == AFTER else x - SIDE - wide
    shift = max(low - start, min(0.0, high - (start + wide)))
    return Place(row, align, shift, start + shift, start + shift + wide)


def _leader(x: float, place: Place) -> tuple[float, float] | None:
    """The span a label's leader takes across the rows below it (none for a label in row 0)."""
    if place.row == 0:
        return None
    return min(x, place.anchor), max(x, place.anchor)


def _fits(x: float, mine: Place, lines: Sequence[float], placed: Sequence[Place | None]) -> bool:
    reach = _leader(x, mine)
    for line, other in zip(lines, placed, strict=False):
        if other is None:
            continue
        if other.row == mine.row and not (
            mine.stop + GAP < other.start or mine.start > other.stop + GAP
        ):
            return False
        if reach is not None and other.row < mine.row and _crosses(reach, other):
            return False
        theirs = _leader(line, other)
        if theirs is not None and mine.row < other.row and _crosses(theirs, mine):
            return False
    return True


def _crosses(reach: tuple[float, float], place: Place) -> bool:
    return reach[1] >= place.start - CLEAR and reach[0] <= place.stop + CLEAR


def _cost(place: Place) -> int:
    return 2 * place.row + (place.align != CENTRE)


def label_places(
    lines: Sequence[float], widths: Sequence[float], low: float, high: float
) -> list[Place]:
    """For lines at `lines` (inches) with labels `widths` wide, kept within low..high: where
    each label goes."""
    count = len(lines)
    if count == 0:
        return []
    if count <= MOST:
        for rows in range(1, count + 1):
            found = _search(lines, widths, low, high, rows)
            if found is not None:
                return found
    return _stacked(lines, widths, low, high)


def _search(
    lines: Sequence[float], widths: Sequence[float], low: float, high: float, rows: int
) -> list[Place] | None:
    """The cheapest placement within `rows` rows (branch and bound), or None."""
    order = sorted(range(len(lines)), key=lambda i: lines[i])
    placed: list[Place | None] = [None] * len(lines)
    best: list[list[Place | None]] = []
    bound = [float("inf")]

    def walk(step: int, spent: int) -> None:
        if spent >= bound[0]:
            return
        if step == len(order):
            bound[0] = spent
            best[:] = [list(placed)]
            return
        i = order[step]
        for row in range(rows):
            for align in ALIGNS:
                mine = _place(lines[i], widths[i], row, align, low, high)
                if _fits(lines[i], mine, lines, placed):
                    placed[i] = mine
                    walk(step + 1, spent + _cost(mine))
                    placed[i] = None

    walk(0, 0)
    if not best:
        return None
    return [place for place in best[0] if place is not None]


def _stacked(
    lines: Sequence[float], widths: Sequence[float], low: float, high: float
) -> list[Place]:
    """Centred labels, each in the lowest row where it overlaps no other (leaders ignored)."""
    rows: list[list[Place]] = []
    found: list[Place | None] = [None] * len(lines)
    for i in sorted(range(len(lines)), key=lambda i: lines[i]):
        for row in range(len(rows) + 1):
            mine = _place(lines[i], widths[i], row, CENTRE, low, high)
            if row == len(rows):
                rows.append([])
            if all(mine.stop + GAP < o.start or mine.start > o.stop + GAP for o in rows[row]):
                rows[row].append(mine)
                found[i] = mine
                break
    return [place for place in found if place is not None]
