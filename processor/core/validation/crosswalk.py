"""The sheet `Sáp nhập - đổi tên`: which agencies of last year became which, checked cell by cell.

Optional. One row per old name: `Tên cũ`, `Tên mới`, `Từ năm` (the first evaluation year under
the new name); several rows with one new name and one year are a merger. A cell of `Tên mới` or
`Từ năm` merged down over the rows of one merger counts for each row. The profile's
[[crosswalk]] holds the successions that hold for every workbook; where the sheet and the
profile speak of the same agency in the same year they may differ (the sheet is this year's
and typed by the secretary): the sheet's wins, with a warning naming both places.

Also here, because it is where the workbook keeps last year: `prior_column`, the place of the
score sheet's `Xếp hạng năm trước` column, so a later warning can name a prior rank's cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from processor.core.formatting import fold
from processor.core.model import COL_PRIOR, Rules
from processor.core.past import Succession, agency_key
from processor.core.problems import Problem, Severity
from processor.core.sheet import SCORE_SHEET, RawWorkbook, Sheet, column_letter, column_number
from processor.core.validation.layout import read_header
from processor.core.validation.values import Cells, blank, cell_ref, show, whole

CROSSWALK_SHEET = "Sáp nhập - đổi tên"
COL_OLD, COL_NEW, COL_FROM = "Tên cũ", "Tên mới", "Từ năm"
# Headings accepted for each column, compared without accents, case or spacing.
HEADINGS = {
    COL_OLD: ("Tên cũ", "Tên đơn vị cũ", "Đơn vị cũ"),
    COL_NEW: ("Tên mới", "Tên đơn vị mới", "Đơn vị mới"),
    COL_FROM: ("Từ năm", "Năm", "Năm áp dụng", "Áp dụng từ năm"),
}
HEADER_ROWS = 10  # the heading row is looked for among the sheet's first rows
FIRST_YEAR, LAST_YEAR = 1990, 2200
_SEPARATORS = (";", "\n")  # several old names in one cell


def _bare(text: object) -> str:
    """Letters and digits only, accents aside: «Sáp nhập – đổi tên» is «sapnhapdoiten»."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def is_crosswalk_sheet(title: str) -> bool:
    """Whether a sheet is the crosswalk, however its dash, case and accents are typed."""
    return _bare(title) == _bare(CROSSWALK_SHEET)


def prior_column(raw: RawWorkbook, rules: Rules) -> str | None:
    """`Điểm!D`: the score sheet and the letter of its `Xếp hạng năm trước` column (a row
    number appended names a cell); None when the sheet or the column is missing."""
    sheet = raw.sheets.get(SCORE_SHEET)
    if sheet is None:
        return None
    column = read_header(sheet, rules, []).by_key.get(COL_PRIOR)
    return None if column is None else f"{sheet.name}!{column_letter(column)}"


def check_crosswalk(
    raw: RawWorkbook, rules: Rules, year: int | None = None
) -> tuple[tuple[Succession, ...], list[Problem]]:
    """The successions in force: the sheet's, then the profile's it does not contradict.

    `year` is the evaluation year when known: a sheet row effective later is a warning.
    """
    problems: list[Problem] = []
    sheet = raw.sheets.get(CROSSWALK_SHEET)
    found = read_successions(sheet, problems) if sheet is not None else ()
    if year is not None:
        for succession in found:
            if succession.year > year:
                problems.append(
                    Problem(
                        succession.place,
                        f"«{succession.new_name}» từ năm {succession.year}, sau năm đánh giá "
                        f"{year}: chưa áp dụng cho bảng điểm này.",
                        Severity.WARNING,
                    )
                )
    return combined(found, rules.successions, problems), problems


def combined(
    sheet: Sequence[Succession], profile: Sequence[Succession], problems: list[Problem]
) -> tuple[Succession, ...]:
    """The sheet's successions and the profile's; a profile's one that names an agency the
    sheet names in the same year is dropped (silently when both say the same)."""
    kept = list(sheet)
    for theirs in profile:
        names = _names(theirs)
        clash = next((s for s in sheet if s.year == theirs.year and names & _names(s)), None)
        if clash is None:
            kept.append(theirs)
        elif not _same(clash, theirs):
            problems.append(
                Problem(
                    clash.place,
                    f"Sheet ghi {_said(clash)} từ năm {clash.year}, còn {theirs.place} ghi "
                    f"{_said(theirs)}; dùng theo sheet của bảng điểm.",
                    Severity.WARNING,
                )
            )
    return tuple(kept)


def _names(succession: Succession) -> set[str]:
    return {agency_key(n) for n in (*succession.old_names, succession.new_name)}


def _same(one: Succession, other: Succession) -> bool:
    return agency_key(one.new_name) == agency_key(other.new_name) and {
        agency_key(n) for n in one.old_names
    } == {agency_key(n) for n in other.old_names}


def _said(succession: Succession) -> str:
    olds = ", ".join(f"«{n}»" for n in succession.old_names)
    return f"{olds} thành «{succession.new_name}»"


@dataclass
class _Entry:
    """One succession as the rows build it up."""

    new: str
    year: int
    place: str  # the first row's `Tên mới` cell
    olds: dict[str, tuple[str, str]]  # key -> (name as typed, its cell)


def read_successions(sheet: Sheet, problems: list[Problem]) -> tuple[Succession, ...]:
    """The sheet's successions; every cell that cannot be read is an error naming it."""
    if not sheet.rows:
        return ()
    header = _header(sheet)
    if header is None:
        wanted = ", ".join(f"«{k}»" for k in HEADINGS)
        problems.append(
            Problem(
                f"{sheet.name} (hàng tiêu đề)",
                f"Không tìm thấy hàng tiêu đề trong {HEADER_ROWS} hàng đầu: sheet cần các cột "
                f"{wanted}, mỗi hàng một tên cũ (nhiều hàng cùng tên mới là hợp nhất).",
            )
        )
        return ()
    row_no, columns = header
    if COL_FROM not in columns:
        problems.append(
            Problem(
                f"{sheet.name} (hàng tiêu đề)",
                f"Thiếu cột «{COL_FROM}» ở hàng {row_no}: ghi năm đánh giá đầu tiên mang tên "
                "mới, ví dụ 2025.",
            )
        )
        return ()
    reader = _Reader(sheet, columns, problems)
    for number, values in sheet.rows.items():
        if number > row_no:
            reader.row(number, values)
    return reader.successions()


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The heading row and the column of each heading it has; it must have old and new."""
    known = {fold(alias): key for key, aliases in HEADINGS.items() for alias in aliases}
    for row_no, values in sheet.rows.items():
        if row_no > HEADER_ROWS:
            break
        columns: dict[str, int] = {}
        for column, value in enumerate(values, start=1):
            key = known.get(fold(value)) if isinstance(value, str) else None
            if key is not None:
                columns.setdefault(key, column)
        if COL_OLD in columns and COL_NEW in columns:
            return row_no, columns
    return None


class _Reader:
    """Reads the rows one by one, keeping the successions they add up to."""

    def __init__(self, sheet: Sheet, columns: dict[str, int], problems: list[Problem]):
        self.sheet = sheet
        self.columns = columns
        self.problems = problems
        self.cells = Cells(sheet, problems)
        self.entries: dict[tuple[int, str], _Entry] = {}  # (year, new key) -> entry
        self.owners: dict[tuple[int, str], _Entry] = {}  # (year, old key) -> its entry
        self.spans = _merged_down(sheet, set(columns.values()))

    def value(self, row_no: int, column: int, values: tuple[Any, ...]) -> tuple[Any, int]:
        """The cell's value and the row it is read from (the top of a merge down)."""
        top = self.spans.get((row_no, column), row_no)
        source = values if top == row_no else self.sheet.rows.get(top, ())
        return (source[column - 1] if column <= len(source) else None), top

    def row(self, row_no: int, values: tuple[Any, ...]) -> None:
        cells = {k: self.value(row_no, c, values) for k, c in self.columns.items()}
        if all(blank(v) for v, top in cells.values() if top == row_no):
            return  # an empty row (or only the rest of a merge)
        before = len(self.problems)
        olds = self.names(row_no, COL_OLD, cells[COL_OLD][0])
        news = self.names(row_no, COL_NEW, cells[COL_NEW][0])
        year = self.year(row_no, cells[COL_FROM][0])
        if len(news) > 1:
            self.problems.append(
                Problem(self.ref(row_no, COL_NEW), "Mỗi hàng chỉ ghi một tên mới.")
            )
        if len(self.problems) > before or year is None or not olds or not news:
            return
        self.add(row_no, olds, news[0], year)

    def ref(self, row_no: int, key: str) -> str:
        return cell_ref(self.sheet.name, row_no, self.columns[key])

    def names(self, row_no: int, key: str, value: Any) -> list[str]:
        column = self.columns[key]
        if self.cells.unusable(row_no, column, value, key):
            return []
        if blank(value):
            self.problems.append(Problem(self.ref(row_no, key), f"Thiếu {key.lower()}."))
            return []
        if not isinstance(value, str):
            self.problems.append(
                Problem(self.ref(row_no, key), f"{key} phải là chữ, đang ghi {show(value)}.")
            )
            return []
        text = value
        for mark in _SEPARATORS[1:]:
            text = text.replace(mark, _SEPARATORS[0])
        return [" ".join(p.split()) for p in text.split(_SEPARATORS[0]) if p.strip()]

    def year(self, row_no: int, value: Any) -> int | None:
        column = self.columns[COL_FROM]
        if self.cells.unusable(row_no, column, value, COL_FROM):
            return None
        year = None if blank(value) else whole(value)
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            shown = "để trống" if blank(value) else f"đang ghi {show(value)}"
            self.problems.append(
                Problem(
                    self.ref(row_no, COL_FROM),
                    f"«{COL_FROM}» phải là năm đánh giá đầu tiên mang tên mới, ví dụ 2025; "
                    f"{shown}.",
                )
            )
            return None
        return year

    def add(self, row_no: int, olds: list[str], new: str, year: int) -> None:
        new_cell, old_cell = self.ref(row_no, COL_NEW), self.ref(row_no, COL_OLD)
        entry = self.entries.setdefault((year, agency_key(new)), _Entry(new, year, new_cell, {}))
        for name in olds:
            key = agency_key(name)
            other = self.owners.get((year, key))
            if other is not None and other is not entry:
                self.problems.append(
                    Problem(
                        old_cell,
                        f"«{name}» đã ghi ở ô {other.olds[key][1]} là đổi tên hoặc hợp nhất "
                        f"thành «{other.new}» từ năm {year}; trong một năm một đơn vị chỉ "
                        "thành một đơn vị mới.",
                    )
                )
            elif key in entry.olds:
                self.problems.append(
                    Problem(
                        old_cell,
                        f"«{name}» thành «{new}» đã ghi ở ô {entry.olds[key][1]}; hàng này "
                        "ghi lại lần nữa nên được bỏ qua.",
                        Severity.WARNING,
                    )
                )
            else:
                entry.olds[key] = (name, old_cell)
                self.owners[(year, key)] = entry

    def successions(self) -> tuple[Succession, ...]:
        found: list[Succession] = []
        for (year, new_key), entry in self.entries.items():
            if not entry.olds:
                continue
            if list(entry.olds) == [new_key]:
                self.problems.append(
                    Problem(
                        entry.place,
                        f"Tên mới «{entry.new}» trùng tên cũ: không có gì thay đổi, hàng này "
                        "bị bỏ qua.",
                        Severity.WARNING,
                    )
                )
                continue
            chained = self.owners.get((year, new_key))
            if chained is not None and chained is not entry:
                self.problems.append(
                    Problem(
                        entry.place,
                        f"«{entry.new}» vừa là tên mới ở ô này vừa là tên cũ ở ô "
                        f"{chained.olds[new_key][1]} trong cùng năm {year}; ghi thẳng tên cuối "
                        "cùng.",
                    )
                )
                continue
            olds = tuple(name for name, _ in entry.olds.values())
            found.append(Succession(olds, entry.new, year, entry.place))
        return tuple(found)


def _merged_down(sheet: Sheet, columns: set[int]) -> dict[tuple[int, int], int]:
    """(row, column) -> the top row of the merge it lies in, for merges in `columns`."""
    spans: dict[tuple[int, int], int] = {}
    for merged in sheet.merged:
        first, _, last = merged.replace("$", "").partition(":")
        start, end = _cell(first), _cell(last or first)
        if start is None or end is None:
            continue
        for column in range(start[1], end[1] + 1):
            if column in columns:
                for row_no in range(start[0] + 1, end[0] + 1):
                    spans[(row_no, column)] = start[0]
    return spans


def _cell(reference: str) -> tuple[int, int] | None:
    letters = reference.rstrip("0123456789")
    digits = reference[len(letters) :]
    column = column_number(letters)
    if column is None or not digits.isdigit():
        return None
    return int(digits), column
