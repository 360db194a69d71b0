"""Which group each agency belongs to: its `Nhóm` cell, the group heading row above it, or both.

Council sheets are often laid out like the decision's appendix: a heading row before each
group's agencies, its TT cell holding the group's printed label or code ("I", "Nhóm II",
"III. UBND các xã, phường") and no scores at all. Such a row is not an agency. Without a
`Nhóm` column each agency belongs to the group of the heading above it; with both, they must
agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from processor.core.formatting import normalise
from processor.core.model import COL_GROUP, COL_NAME, COL_NO, COL_TOTAL, Rules
from processor.core.problems import Problem
from processor.core.sheet import Sheet
from processor.core.validation.layout import Columns
from processor.core.validation.values import NUMBER_TEXT, Cells, blank, cell_ref, show

_SEPARATORS = " .):;,-–—"


@dataclass(frozen=True, slots=True)
class Heading:
    """A group heading row: `group` is None when what it names is no group of the rules."""

    row: int
    ref: str  # the cell naming the group
    shown: Any  # what that cell holds
    group: str | None


class Headings:
    """Tells a group heading row from an agency's row."""

    def __init__(self, sheet: Sheet, rules: Rules, columns: Columns):
        self.sheet = sheet
        self.rules = rules
        self.no_col = columns.by_key.get(COL_NO)
        self.name_col = columns.by_key.get(COL_NAME)
        self.group_col = columns.by_key.get(COL_GROUP)
        keys = {}
        for group in rules.groups:
            for label in {group.code, group.printed_label}:
                keys[normalise(label)] = group.code
                keys[normalise(f"nhóm {label}")] = group.code
        self.keys = sorted(keys.items(), key=lambda item: -len(item[0]))  # "ii" before "i"
        self.titles = {normalise(g.title): g.code for g in rules.groups}
        self.codes = {normalise(g.code): g.code for g in rules.groups}
        self.example = ", ".join(g.printed_label for g in rules.groups[:2]) + ", …"
        self.any_heading = False  # set once the rows are classified
        # A heading row may carry its group's subtotal in `Tổng điểm`; never a score.
        total_col = columns.by_key.get(COL_TOTAL)
        skip = {self.no_col, self.name_col, self.group_col, total_col}
        self.score_cols = sorted(
            {*columns.criteria.values(), *columns.by_key.values()} - skip, reverse=True
        )

    def named(self, text: str, *, bare: bool = True) -> str | None:
        """The group a heading's text names by its code or label: «II», «Nhóm II», «II. Các…»."""
        key = normalise(text)
        for name, code in self.keys:
            if key == name:
                return code if bare else None
            if key.startswith(name) and key[len(name)] in _SEPARATORS:
                return code
        return None

    def scoreless(self, row_no: int, row: tuple[Any, ...]) -> bool:
        formulas = self.sheet.formulas_without_value
        for column in self.score_cols:  # from the right: an agency's scores show up first
            if column <= len(row) and not blank(row[column - 1]):
                return False
            if formulas and (row_no, column) in formulas:
                return False
        return True

    def classify(self, row_no: int, row: tuple[Any, ...]) -> Heading | None:
        """The heading this row is, or None for an agency's row."""
        number = _at(row, self.no_col)
        name = _at(row, self.name_col)
        if isinstance(number, str) and not blank(number):
            if NUMBER_TEXT.match(number.strip()) or not self.scoreless(row_no, row):
                return None
            return Heading(row_no, self._ref(row_no, self.no_col), number, self.named(number))
        if isinstance(name, str) and blank(number):
            code = self.titles.get(normalise(name)) or self.named(name, bare=False)
            if code is not None and self.scoreless(row_no, row):
                return Heading(row_no, self._ref(row_no, self.name_col), name, code)
        return None

    def _ref(self, row_no: int, column: int | None) -> str:
        return cell_ref(self.sheet.name, row_no, column or 1)

    def check(self, heading: Heading, row: tuple[Any, ...], problems: list[Problem]) -> None:
        """A heading naming no group, or whose own `Nhóm` cell names another, is an error."""
        if heading.group is None:
            choices = ", ".join(
                f"{g.printed_label} ({g.code})" if g.label else g.code for g in self.rules.groups
            )
            problems.append(
                Problem(
                    heading.ref,
                    f"Hàng {heading.row} không có điểm nào và ô này ghi {show(heading.shown)}, "
                    f"không phải mã nhóm nào: hàng tiêu đề nhóm ghi ở ô TT mã hoặc số thứ tự của "
                    f"nhóm ({choices}); nếu đây là một đơn vị thì nhập điểm.",
                )
            )
            return
        raw = _at(row, self.group_col)
        if not blank(raw) and self.lookup(raw) != heading.group:
            ref = cell_ref(self.sheet.name, heading.row, self.group_col or 1)
            problems.append(
                Problem(
                    ref,
                    f"Hàng tiêu đề nhóm ghi nhóm {heading.group} ở ô {heading.ref} nhưng ô "
                    f"«{COL_GROUP}» ghi {show(raw)}; sửa một trong hai ô.",
                )
            )

    def lookup(self, raw: Any) -> str | None:
        """A `Nhóm` cell's group code (matched loosely, as the headers are); None if none."""
        return self.codes.get(normalise(raw))

    def agency_group(
        self,
        row_no: int,
        row: tuple[Any, ...],
        heading: Heading | None,
        cells: Cells,
        who: str,
    ) -> str | None:
        """The group of an agency's row; None (with the reason reported, once) when unknown.

        `heading` is the nearest group heading above the row; `who` names the agency.
        """
        problems = cells.problems
        if self.group_col is None:
            if heading is None and self.any_heading:
                problems.append(
                    Problem(
                        cell_ref(self.sheet.name, row_no, self.name_col or self.no_col or 1),
                        f"Không biết {who} thuộc nhóm nào: bảng điểm không có cột «{COL_GROUP}» "
                        "và phía trên hàng này chưa có hàng tiêu đề nhóm; thêm một hàng tiêu đề "
                        f"nhóm (ô TT ghi {self.example}) phía trên, hoặc thêm cột «{COL_GROUP}».",
                    )
                )
            return heading.group if heading is not None else None
        raw = _at(row, self.group_col)
        if cells.unusable(row_no, self.group_col, raw, "Mã nhóm"):
            return None
        if blank(raw) and heading is not None:
            return heading.group
        code = None if blank(raw) else self.lookup(raw)
        ref = cell_ref(self.sheet.name, row_no, self.group_col)
        if code is None:
            valid = ", ".join(g.code for g in self.rules.groups)
            found = "đang để trống" if blank(raw) else f"đang ghi {show(raw)}"
            problems.append(Problem(ref, f"Mã nhóm phải là một trong: {valid}; {found}."))
            return None
        if heading is not None and heading.group is not None and code != heading.group:
            problems.append(
                Problem(
                    ref,
                    f"Mã nhóm {code} ở ô này khác nhóm {heading.group} của hàng tiêu đề nhóm ở ô "
                    f"{heading.ref} phía trên; sửa mã nhóm, hoặc chuyển đơn vị xuống dưới hàng "
                    f"tiêu đề của nhóm {code}.",
                )
            )
            return None
        return code


def _at(row: tuple[Any, ...], column: int | None) -> Any:
    return row[column - 1] if column is not None and column <= len(row) else None
