"""One agency's criterion scores: each cell checked against its group's maximum and the rules.

The criteria are where most typing mistakes land (a score over the maximum, a deduction typed
as positive, a score in a criterion the group does not have), so each gets its own message.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from processor.core.formatting import format_points, normalise
from processor.core.model import Rules
from processor.core.problems import Problem
from processor.core.validation.layout import Columns
from processor.core.validation.values import Cells, blank, show


@functools.lru_cache(maxsize=8)
def _marks(not_scored: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalise(mark) for mark in not_scored)


def check_criteria(
    row: tuple[Any, ...],
    row_no: int,
    group: str | None,
    columns: Columns,
    rules: Rules,
    cells: Cells,
    not_scored: set[str] | None = None,
) -> dict[str, Decimal]:
    """The row's usable scores by criterion code; every unusable one is reported.

    When the group is not known (its cell is wrong, or no heading says it), what can be checked
    without it still is: each cell must be a number, with no more decimals than the rules
    allow, on the right side of 0. A criterion without a column (reported with the headings) is
    skipped. A cell holding one of the rules' "not scored" marks (Không đánh giá) adds its
    criterion to `not_scored`: the agency's maximum is then smaller by that criterion's maximum.
    """
    scores: dict[str, Decimal] = {}
    problems = cells.problems
    marks = _marks(rules.not_scored)
    for criterion, column in columns.present:
        value = row[column - 1] if column <= len(row) else None
        what = f"Điểm tiêu chí {criterion.code}"
        if group is not None and not criterion.applies_to(group):
            if not blank(value) or (row_no, column) in cells.sheet.formulas_without_value:
                shown = "một công thức" if value is None else show(value)
                problems.append(
                    Problem(
                        cells.ref(row_no, column),
                        f"Tiêu chí {criterion.code} không áp dụng cho nhóm {group}; "
                        f"ô này phải để trống, đang ghi {shown}.",
                    )
                )
            continue
        if cells.unusable(row_no, column, value, what):
            continue
        maximum = criterion.max_points[group] if group is not None else None
        if isinstance(value, str) and marks and normalise(value) in marks:
            if criterion.deduction:
                problems.append(
                    Problem(
                        cells.ref(row_no, column),
                        f"Tiêu chí trừ điểm {criterion.code} không thể «không đánh giá»; ghi 0 nếu "
                        "không bị trừ điểm.",
                    )
                )
            elif not_scored is not None:
                not_scored.add(criterion.code)
            continue
        if blank(value):
            if maximum is None:
                continue
            hint = " (ghi 0 nếu không bị trừ điểm)" if criterion.deduction else ""
            problems.append(
                Problem(cells.ref(row_no, column), f"Thiếu điểm tiêu chí {criterion.code}{hint}.")
            )
            continue
        number = cells.number(row_no, column, value, what)
        if number is None:
            continue
        places = -int(number.as_tuple().exponent)
        if places > rules.precision:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} là {format_points(number)}, có {places} chữ số thập phân; chỉ "
                    f"được tối đa {rules.precision} chữ số.",
                )
            )
        elif criterion.deduction and maximum is None and number > 0:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"Tiêu chí trừ điểm {criterion.code} phải là số âm hoặc 0, đang ghi "
                    f"{format_points(number)}.",
                )
            )
        elif criterion.deduction and maximum is not None and not -maximum <= number <= 0:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"Tiêu chí trừ điểm {criterion.code} phải từ -{format_points(maximum)} "
                    f"đến 0 (số âm), đang ghi {format_points(number)}.",
                )
            )
        elif not criterion.deduction and number < 0:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} không được âm, đang ghi {format_points(number)}.",
                )
            )
        elif not criterion.deduction and maximum is not None and number > maximum:
            problems.append(
                Problem(
                    cells.ref(row_no, column),
                    f"{what} là {format_points(number)}, vượt điểm tối đa "
                    f"{format_points(maximum)} của nhóm {group}.",
                )
            )
        else:
            scores[criterion.code] = number
    return scores
