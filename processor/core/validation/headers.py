"""Where the score sheet's headings are, and what a heading that matches nothing was meant to be.

Council sheets seldom start at row 1: a title ("BẢNG TỔNG HỢP ĐIỂM …", often merged across the
columns), a blank row or two, sometimes a second heading row above the criterion codes. The
heading row is the one among the first rows that holds the most known headings; the rows above
it are not data. A heading that matches no column (`CDS1` typed for `CĐS1`) is compared with the
headings still missing, accents aside, so the message can say what it was meant to be.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from processor.core.formatting import fold
from processor.core.model import SCORE_COLUMNS, Rules
from processor.core.sheet import Sheet
from processor.core.validation.values import blank

HEADER_SEARCH_ROWS = 20  # the heading row is looked for among the sheet's first rows


def near_miss(value: object, candidates: Iterable[str]) -> str | None:
    """The candidate a mistyped heading most likely meant: equal but for accents, or close."""
    options = list(candidates)
    key = fold(value)
    for option in options:
        if fold(option) == key:
            return option
    folded = {fold(option): option for option in options}
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


@dataclass(frozen=True, slots=True)
class HeaderBand:
    """The heading row, and a row just above or below it that carries the rest of the headings.

    `cells` are (row, column, value) in reading order: every cell of the main row, and of the
    other row only the known headings standing where the main row is blank (a two-row header
    with «TT» merged down over both rows, or criterion codes under a merged «Điểm» caption).
    """

    top: int
    bottom: int  # data starts below this row
    cells: tuple[tuple[int, int, Any], ...]

    def heading(self, column: int) -> Any:
        return next((value for _, c, value in self.cells if c == column), None)


def _known(rules: Rules) -> frozenset[str]:
    return frozenset(fold(k) for k in (*SCORE_COLUMNS, *(c.code for c in rules.criteria)))


def _is_known(value: Any, known: frozenset[str]) -> bool:
    return isinstance(value, str) and fold(value) in known


def find_header(sheet: Sheet, rules: Rules) -> HeaderBand:
    """The rows holding the headings; row 1 when no row of the first ones holds any."""
    known = _known(rules)
    best, best_count = 1, 0
    for row_no, values in sheet.rows.items():
        if row_no > HEADER_SEARCH_ROWS:
            break
        count = sum(1 for value in values if _is_known(value, known))
        if count > best_count:
            best, best_count = row_no, count
    main = sheet.rows.get(best, ())
    cells = [(best, column, value) for column, value in enumerate(main, start=1)]
    top = bottom = best
    for other in (best - 1, best + 1):
        extra = _borrowed(sheet.rows.get(other, ()), main, known)
        if extra:
            cells += [(other, column, value) for column, value in extra]
            top, bottom = min(top, other), max(bottom, other)
    cells.sort(key=lambda cell: (cell[1], cell[0]))
    return HeaderBand(top=top, bottom=bottom, cells=tuple(cells))


def _borrowed(
    values: Sequence[Any], main: Sequence[Any], known: frozenset[str]
) -> list[tuple[int, Any]]:
    """A neighbouring row's known headings in the columns the main row leaves blank; none from a
    row holding a number (an agency's row)."""
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return []
    found = []
    for column, value in enumerate(values, start=1):
        below_blank = column > len(main) or blank(main[column - 1])
        if below_blank and _is_known(value, known):
            found.append((column, value))
    return found
