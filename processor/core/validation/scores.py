"""The score sheet row by row: each agency's name, group, prior rank, scores and total.

An agency is kept only when its own row has no error, so one bad row is reported without
hiding the problems of the others.
"""

from __future__ import annotations

from typing import Any

from processor.core.formatting import format_number, normalise, round_score
from processor.core.model import (
    COL_GROUP,
    COL_NAME,
    COL_PRIOR,
    COL_TOTAL,
    COL_UNRANKED,
    AgencyScores,
    Rules,
)
from processor.core.problems import Problem, Severity, errors
from processor.core.scoring import weighted_total
from processor.core.sheet import Sheet
from processor.core.validation.criteria import check_criteria
from processor.core.validation.layout import check_layout, read_header
from processor.core.validation.values import FORMULA_FIX, Cells, blank, cell_ref, show, whole


def check_scores(sheet: Sheet, rules: Rules, problems: list[Problem]) -> list[AgencyScores]:
    """The agencies whose rows have no error; every problem of the sheet is recorded."""
    columns = read_header(sheet, rules, problems)
    if columns is None:
        return []
    check_layout(sheet, max([*columns.by_key.values(), *columns.criteria.values()]), problems)
    name = sheet.name
    cells = Cells(sheet, problems)
    group_codes = {normalise(g.code): g.code for g in rules.groups}
    seen_names: dict[str, int] = {}
    priors: dict[str, list[tuple[int, str]]] = {}  # group -> (prior rank, cell) in row order
    agencies: list[AgencyScores] = []

    def at(row: tuple[Any, ...], column: int) -> Any:
        return row[column - 1] if column <= len(row) else None

    for row_no, row in sheet.rows.items():
        if row_no == 1 or all(blank(v) for v in row):
            continue
        before = len(problems)

        name_col = columns.by_key[COL_NAME]
        agency_name = at(row, name_col)
        name_ref = cell_ref(name, row_no, name_col)
        if cells.unusable(row_no, name_col, agency_name, "Tên đơn vị"):
            agency_name = ""
        elif blank(agency_name):
            problems.append(Problem(name_ref, "Thiếu tên đơn vị."))
            agency_name = ""
        elif not isinstance(agency_name, str):
            problems.append(
                Problem(name_ref, f"Tên đơn vị phải là chữ, đang ghi {show(agency_name)}.")
            )
            agency_name = ""
        else:
            agency_name = agency_name.strip()
            key = normalise(agency_name)
            if key in seen_names:
                problems.append(
                    Problem(
                        name_ref,
                        f"Tên đơn vị «{agency_name}» trùng với hàng {seen_names[key]}; "
                        "mỗi đơn vị chỉ được có một hàng.",
                    )
                )
            else:
                seen_names[key] = row_no

        group_col = columns.by_key[COL_GROUP]
        raw_group = at(row, group_col)
        group = group_codes.get(normalise(raw_group)) if not blank(raw_group) else None
        if cells.unusable(row_no, group_col, raw_group, "Mã nhóm"):
            group = None
        elif group is None:
            valid = ", ".join(g.code for g in rules.groups)
            found = "đang để trống" if blank(raw_group) else f"đang ghi {show(raw_group)}"
            problems.append(
                Problem(
                    cell_ref(name, row_no, group_col),
                    f"Mã nhóm phải là một trong: {valid}; {found}.",
                )
            )

        prior_col = columns.by_key[COL_PRIOR]
        raw_prior = at(row, prior_col)
        prior_ref = cell_ref(name, row_no, prior_col)
        prior = None
        if cells.unusable(row_no, prior_col, raw_prior, "Xếp hạng năm trước"):
            pass
        elif not blank(raw_prior):
            prior = whole(raw_prior)
            if prior is None:
                problems.append(
                    Problem(
                        prior_ref,
                        "Xếp hạng năm trước phải là số nguyên dương (để trống nếu đơn vị mới), "
                        f"đang ghi {show(raw_prior)}.",
                    )
                )
            elif group is not None:
                priors.setdefault(group, []).append((prior, prior_ref))

        not_scored: set[str] = set()
        scores = (
            check_criteria(row, row_no, group, columns, rules, cells, not_scored)
            if group is not None
            else {}
        )
        if group is not None and not_scored and not errors(problems[before:]):
            scored = [
                c
                for c in rules.criteria
                if c.applies_to(group) and not c.deduction and c.code not in not_scored
            ]
            if not scored:
                problems.append(
                    Problem(
                        cell_ref(name, row_no, name_col),
                        f"Đơn vị «{agency_name}» không được đánh giá tiêu chí nào (mọi ô đều ghi "
                        "«không đánh giá»); không tính được tỷ lệ điểm.",
                    )
                )
        reason = unranked_reason(row_no, row, columns.by_key.get(COL_UNRANKED), cells)

        council_total = None
        if COL_TOTAL in columns.by_key:
            total_col = columns.by_key[COL_TOTAL]
            raw_total = at(row, total_col)
            total_ref = cell_ref(name, row_no, total_col)
            if (row_no, total_col) in sheet.formulas_without_value:
                problems.append(
                    Problem(
                        total_ref,
                        f"Không đối chiếu được tổng điểm: {FORMULA_FIX}. Chương trình vẫn "
                        "tự cộng điểm các tiêu chí.",
                        Severity.WARNING,
                    )
                )
            elif not blank(raw_total) and not cells.unusable(
                row_no, total_col, raw_total, "Tổng điểm"
            ):
                council_total = cells.number(row_no, total_col, raw_total, "Tổng điểm")
                if council_total is not None and not errors(problems[before:]):
                    computed = round_score(weighted_total(rules, scores), rules.precision)
                    if round_score(council_total, rules.precision) != computed:
                        problems.append(
                            Problem(
                                total_ref,
                                "Tổng điểm ghi trong bảng là "
                                f"{format_number(council_total, rules.precision)}"
                                f" nhưng cộng điểm các tiêu chí được "
                                f"{format_number(computed, rules.precision)}; kiểm tra lại các ô "
                                "điểm hoặc ô tổng điểm của hàng này.",
                            )
                        )

        if not errors(problems[before:]):
            agencies.append(
                AgencyScores(
                    row=row_no,
                    name=agency_name,
                    group=group or "",
                    prior_rank=prior,
                    scores=scores,
                    council_total=council_total,
                    unranked_reason=reason,
                    not_scored=frozenset(not_scored),
                )
            )
    check_prior_ranks(priors, problems)
    if not agencies and not errors(problems):
        problems.append(
            Problem(
                f"{name} (vùng dữ liệu)",
                "Không có đơn vị nào: nhập mỗi đơn vị trên một hàng, bắt đầu từ hàng 2.",
            )
        )
    return agencies


def unranked_reason(
    row_no: int, row: tuple[Any, ...], column: int | None, cells: Cells
) -> str | None:
    """The reason typed in `Không xếp hạng`; None (ranked) when the column or cell is empty."""
    if column is None:
        return None
    value = row[column - 1] if column <= len(row) else None
    if cells.unusable(row_no, column, value, COL_UNRANKED) or blank(value):
        return None
    if not isinstance(value, str):
        cells.problems.append(
            Problem(
                cells.ref(row_no, column),
                f"Cột «{COL_UNRANKED}» ghi lý do bằng chữ (ví dụ «Cơ quan đặc thù về an ninh»), "
                f"hoặc để trống nếu đơn vị được xếp hạng; đang ghi {show(value)}.",
            )
        )
        return None
    return " ".join(value.split())


def check_prior_ranks(priors: dict[str, list[tuple[int, str]]], problems: list[Problem]) -> None:
    """Last year's ranks should be a plausible ranking of each group: warn, don't refuse.

    Ties are legal ("1224"), so a repeated rank may be right; and last year's group size is
    only known as the number of agencies that carry a rank now.
    """
    for group, ranks in priors.items():
        size = len(ranks)
        first_at: dict[int, str] = {}
        for rank, ref in ranks:
            if rank in first_at:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước {rank} trùng với ô {first_at[rank]} cùng nhóm "
                        f"{group}; kiểm tra lại (bỏ qua nếu năm trước hai đơn vị đồng hạng).",
                        Severity.WARNING,
                    )
                )
            else:
                first_at[rank] = ref
            if rank > size:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước là {rank} nhưng nhóm {group} chỉ có {size} đơn vị "
                        "có xếp hạng năm trước; kiểm tra lại.",
                        Severity.WARNING,
                    )
                )
