"""The score sheet row by row: each agency's name, group, prior rank, scores and total.

The heading row is found first (titles above it are not data), then each row below is either a
group heading row or an agency's row. An agency is kept only when its own row has no error, so
one bad row is reported without hiding the problems of the others; every message about a cell
of an agency's row starts with the agency's name, so a secretary with a hundred communes need
not look the row up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from processor.core.formatting import format_points, normalise, round_score
from processor.core.model import (
    COL_EMAIL,
    COL_GROUP,
    COL_NAME,
    COL_PRIOR,
    COL_TOTAL,
    COL_UNRANKED,
    AgencyScores,
    Rules,
)
from processor.core.problems import PRIOR_SIZE, Problem, Severity, errors
from processor.core.report_rules import on_step
from processor.core.scoring import weighted_total
from processor.core.sheet import Sheet
from processor.core.validation.criteria import check_criteria
from processor.core.validation.emails import agency_email
from processor.core.validation.groups import Heading, Headings
from processor.core.validation.layout import (
    Columns,
    check_layout,
    missing_column,
    read_header,
    rows_above,
)
from processor.core.validation.totals import Mismatch, explain, is_criteria_sum, placeholder
from processor.core.validation.values import FORMULA_FIX, Cells, blank, cell_ref, show, whole

Row = tuple[Any, ...]
RULES_FILE = "quy-tac.toml"  # how the profile's rules file is named (config/resources.py)


def check_scores(sheet: Sheet, rules: Rules, problems: list[Problem]) -> list[AgencyScores]:
    """The agencies whose rows have no error; every problem of the sheet is recorded."""
    columns = read_header(sheet, rules, problems)
    band = columns.band
    rows_above(sheet, band, problems)
    headings = Headings(sheet, rules, columns)
    data: list[tuple[int, Row, Heading | None]] = [
        (row_no, row, headings.classify(row_no, row))
        for row_no, row in sheet.rows.items()
        if row_no > band.bottom and not all(blank(v) for v in row)
    ]
    headings.any_heading = any(heading is not None for _, _, heading in data)
    if COL_GROUP not in columns.by_key and not columns.group_reported and not headings.any_heading:
        problems.append(
            missing_column(
                sheet.name,
                COL_GROUP,
                band,
                f" Không có cột «{COL_GROUP}» thì trước mỗi nhóm phải có một hàng tiêu đề nhóm "
                f"(ô TT ghi {headings.example}, không có điểm).",
            )
        )
    check_layout(sheet, columns, [row_no for row_no, _, h in data if h is None], problems)
    rows = _Rows(sheet, rules, columns, headings, problems)
    current: Heading | None = None
    for row_no, row, heading in data:
        if heading is not None:
            headings.check(heading, row, problems)
            current = heading
        else:
            rows.agency(row_no, row, current)
    usable = [(a.group, a.scores) for a in rows.agencies]
    explain(
        rows.mismatches,
        [*usable, *((m.group, m.scores) for m in rows.mismatches)],
        rules,
        columns.criteria,
        problems,
    )
    check_prior_ranks(rows.priors, problems)
    if not rows.agencies and not errors(problems):
        problems.append(
            Problem(
                f"{sheet.name} (vùng dữ liệu)",
                "Không có đơn vị nào: nhập mỗi đơn vị trên một hàng, bắt đầu từ hàng "
                f"{band.bottom + 1} (ngay dưới hàng tiêu đề).",
            )
        )
    return rows.agencies


class _Rows:
    """Reads the agencies' rows one by one, keeping what the checks across rows need."""

    def __init__(
        self,
        sheet: Sheet,
        rules: Rules,
        columns: Columns,
        headings: Headings,
        problems: list[Problem],
    ):
        self.sheet = sheet
        self.rules = rules
        self.columns = columns
        self.headings = headings
        self.problems = problems
        self.cells = Cells(sheet, problems)
        self.seen_names: dict[str, int] = {}
        self.priors: dict[str, list[tuple[int, str, str]]] = {}  # group -> (rank, cell, agency)
        self.agencies: list[AgencyScores] = []
        self.mismatches: list[Mismatch] = []

    def agency(self, row_no: int, row: Row, heading: Heading | None) -> None:
        problems, columns = self.problems, self.columns
        before = len(problems)
        name_col = columns.by_key.get(COL_NAME)
        agency_name = self.name(row_no, row, name_col) if name_col is not None else ""
        who = f"đơn vị «{agency_name}»" if agency_name else "đơn vị ở hàng này"
        group = self.headings.agency_group(row_no, row, heading, self.cells, who)
        prior = self.prior(row_no, row, group)

        not_scored: set[str] = set()
        scores = check_criteria(row, row_no, group, columns, self.rules, self.cells, not_scored)
        if group is not None and not_scored and not errors(problems[before:]):
            scored = [
                c
                for c in self.rules.criteria
                if c.applies_to(group) and not c.deduction and c.code not in not_scored
            ]
            if not scored:
                problems.append(
                    Problem(
                        cell_ref(self.sheet.name, row_no, name_col or 1),
                        f"Đơn vị «{agency_name}» không được đánh giá tiêu chí nào (mọi ô đều ghi "
                        "«không đánh giá»); không tính được tỷ lệ điểm.",
                    )
                )
        self.off_step(row_no, scores)
        reason = unranked_reason(row_no, row, columns.by_key.get(COL_UNRANKED), self.cells)
        council_total = self.total(row_no, row, group, scores, before, agency_name)
        email = agency_email(row_no, row, columns.by_key.get(COL_EMAIL), self.cells)

        if agency_name and len(problems) > before:
            self.name_agency(before, cell_ref(self.sheet.name, row_no, name_col or 1), agency_name)
        if prior is not None and group is not None:
            self.priors.setdefault(group, []).append((prior[0], prior[1], agency_name))
        if group is not None and not errors(problems[before:]):
            self.agencies.append(
                AgencyScores(
                    row=row_no,
                    name=agency_name,
                    group=group,
                    prior_rank=prior[0] if prior else None,
                    scores=scores,
                    council_total=council_total,
                    unranked_reason=reason,
                    not_scored=frozenset(not_scored),
                    email=email,
                )
            )

    def off_step(self, row_no: int, scores: dict[str, Decimal]) -> None:
        """Warn of a score that is not a whole number of its criterion's declared step (the
        flags before signing move scores by that step; a council may also have mistyped)."""
        for criterion in self.rules.criteria:
            score, step = scores.get(criterion.code), criterion.step
            if score is None or step is None or on_step(score, step):
                continue
            self.problems.append(
                Problem(
                    self.cells.ref(row_no, self.columns.criteria[criterion.code]),
                    f"Điểm {format_points(score)} của tiêu chí {criterion.code} không theo bước "
                    f"{format_points(step)} của tiêu chí ({RULES_FILE}: step).",
                    Severity.WARNING,
                )
            )

    def name_agency(self, start: int, name_ref: str, agency: str) -> None:
        """Name the agency in each of the row's problems (one about the name cell quotes it
        already)."""
        problems = self.problems
        for index in range(start, len(problems)):
            found = problems[index]
            if found.place != name_ref:
                problems[index] = Problem(found.place, found.message, found.severity, agency)

    def name(self, row_no: int, row: Row, column: int) -> str:
        """The agency's name as typed (trimmed); "" when it is missing or not text."""
        value = row[column - 1] if column <= len(row) else None
        if self.cells.unusable(row_no, column, value, "Tên đơn vị"):
            return ""
        if blank(value):
            self.problems.append(Problem(self.cells.ref(row_no, column), "Thiếu tên đơn vị."))
            return ""
        if not isinstance(value, str):
            self.problems.append(
                Problem(
                    self.cells.ref(row_no, column),
                    f"Tên đơn vị phải là chữ, đang ghi {show(value)}.",
                )
            )
            return ""
        name = value.strip()
        key = normalise(name)
        if key in self.seen_names:
            self.problems.append(
                Problem(
                    self.cells.ref(row_no, column),
                    f"Tên đơn vị «{name}» trùng với hàng {self.seen_names[key]}; mỗi đơn vị chỉ "
                    "được có một hàng.",
                )
            )
        else:
            self.seen_names[key] = row_no
        return name

    def prior(self, row_no: int, row: Row, group: str | None) -> tuple[int, str] | None:
        """Last year's rank and its cell; None when blank (a new agency) or wrong (reported)."""
        column = self.columns.by_key.get(COL_PRIOR)
        if column is None:
            return None
        value = row[column - 1] if column <= len(row) else None
        if self.cells.unusable(row_no, column, value, "Xếp hạng năm trước") or blank(value):
            return None
        ref = cell_ref(self.sheet.name, row_no, column)
        rank = whole(value)
        if rank is None:
            self.problems.append(
                Problem(
                    ref,
                    "Xếp hạng năm trước phải là số nguyên dương (để trống nếu đơn vị mới), "
                    f"đang ghi {show(value)}.",
                )
            )
            return None
        return rank, ref

    def own_sum(self, row_no: int, column: int) -> bool:
        formula = self.sheet.formula_texts.get((row_no, column), "")
        present = [
            (self.columns.criteria[c.code], c.weight)
            for c in self.rules.criteria
            if c.code in self.columns.criteria
        ]
        if len(present) != len(self.rules.criteria):
            return False
        return is_criteria_sum(formula, row_no, [p[0] for p in present], [p[1] for p in present])

    def total(
        self,
        row_no: int,
        row: Row,
        group: str | None,
        scores: dict[str, Any],
        before: int,
        agency: str,
    ) -> Any:
        """The council's own total; a mismatch with the criteria is reported after all rows."""
        column = self.columns.by_key.get(COL_TOTAL)
        if column is None:
            return None
        value = row[column - 1] if column <= len(row) else None
        if (row_no, column) in self.sheet.formulas_without_value:
            if self.own_sum(row_no, column):
                return None  # `init`'s own sum of the criteria: nothing to compare it with
            self.problems.append(
                Problem(
                    self.cells.ref(row_no, column),
                    f"Không đối chiếu được tổng điểm: {FORMULA_FIX}. Chương trình vẫn tự cộng "
                    "điểm các tiêu chí.",
                    Severity.WARNING,
                )
            )
            return None
        if blank(value) or self.cells.unusable(row_no, column, value, "Tổng điểm"):
            return None
        council = self.cells.number(row_no, column, value, "Tổng điểm")
        if council is None or group is None or not self.columns.complete:
            return council
        if errors(self.problems[before:]):
            return council
        computed = weighted_total(self.rules, scores)
        precision = self.rules.precision
        if round_score(council, precision) != round_score(computed, precision):
            ref = self.cells.ref(row_no, column)
            self.mismatches.append(
                Mismatch(len(self.problems), row_no, group, agency, ref, council, computed, scores)
            )
            self.problems.append(placeholder(ref))
        return council


def unranked_reason(row_no: int, row: Row, column: int | None, cells: Cells) -> str | None:
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


def check_prior_ranks(
    priors: dict[str, list[tuple[int, str, str]]], problems: list[Problem]
) -> None:
    """Last year's ranks should be a plausible ranking of each group: warn, don't refuse.

    Ties are legal ("1224"), so a repeated rank may be right; and last year's group size is
    only known as the number of agencies that carry a rank now.
    """
    for group, ranks in priors.items():
        size = len(ranks)
        first_at: dict[int, str] = {}
        for rank, ref, agency in ranks:
            if rank in first_at:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước {rank} trùng với ô {first_at[rank]} cùng "
                        f"nhóm {group}; kiểm tra lại (bỏ qua nếu năm trước hai đơn vị đồng hạng).",
                        Severity.WARNING,
                        agency or None,
                    )
                )
            else:
                first_at[rank] = ref
            if rank > size:
                problems.append(
                    Problem(
                        ref,
                        f"Xếp hạng năm trước là {rank} nhưng nhóm {group} chỉ có {size} "
                        "đơn vị có xếp hạng năm trước; kiểm tra lại.",
                        Severity.WARNING,
                        agency or None,
                        PRIOR_SIZE,
                    )
                )
