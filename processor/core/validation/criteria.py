"""One agency's criterion scores: each cell checked against its group's maximum and the rules.

The criteria are where most typing mistakes land (a score over the maximum, a deduction typed
as positive, a score in a criterion the group does not have), so each gets its own message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from processor.core.formatting import format_points, normalise
from processor.core.model import Rules
from processor.core.problems import Problem
from processor.core.validation.layout import Columns
from processor.core.validation.values import Cells, blank, show


def check_criteria(
    row: tuple[Any, ...],
    row_no: int,
    group: str,
    columns: Columns,
    rules: Rules,
    cells: Cells,
    not_scored: set[str] | None = None,
) -> dict[str, Decimal]:
    """The row's usable scores by criterion code; every unusable one is reported.

    A cell holding one of the rules' "not scored" marks (Không đánh giá) adds its criterion to
    `not_scored`: the agency's maximum is then smaller by that criterion's maximum.
    """
    scores: dict[str, Decimal] = {}
    problems = cells.problems
    marks = {normalise(m) for m in rules.not_scored}
    for criterion in rules.criteria:
        column = columns.criteria[criterion.code]
        value = row[column - 1] if column <= len(row) else None
        what = f"Điểm tiêu chí {criterion.code}"
        if not criterion.applies_to(group):
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
        maximum = criterion.max_points[group]
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
        elif criterion.deduction and not -maximum <= number <= 0:
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
        elif not criterion.deduction and number > maximum:
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
