"""One sheet's XML, read in a single streaming pass into the values the checks look at.

This is where the reader spends its time (a national run has 300,000 cells), so the pass is
written for speed: see `read_sheet`. Values are typed as openpyxl's data-only mode types them:
numbers, text, booleans, error values, dates and durations under date formats.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import Any

from processor.core.sheet import (
    EXCEL_MAX_COLUMN,
    EXCEL_MAX_ROW,
    ExcelError,
    Position,
    Sheet,
    cell_name,
    column_number,
)
from processor.reading import limits
from processor.reading.formats import DURATION, PERCENT, from_excel, from_iso8601
from processor.reading.ooxml import MAIN, TRUE, unescape
from processor.reading.package import Package
from processor.reading.refusals import corrupt, count, too_deep, too_large, too_long
from processor.reading.xml_parser import xml_parser

_DIGITS = "0123456789"
FORMULA_KEPT = 1024  # characters of an uncomputed formula kept: enough to recognise a sum

_COLUMN_NUMBERS: dict[str, int] = {}


def _column_number(letters: str, part: str) -> int:
    """'A' -> 1, 'XFD' -> 16384; cached, since a sheet repeats the same few columns."""
    found = _COLUMN_NUMBERS.get(letters)
    if found is not None:
        return found
    number = column_number(letters)
    if number is None:
        raise corrupt(f"phần «{part}» ghi vị trí ô không hợp lệ «{letters[:20]}»")
    _COLUMN_NUMBERS[letters] = number
    return number


def _row_number(text: str, part: str) -> int:
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = 0.5
        if not value.is_integer():
            raise corrupt(f"phần «{part}» ghi số hàng không hợp lệ «{text[:20]}»") from None
        number = int(value)
    if not 1 <= number <= EXCEL_MAX_ROW:
        raise corrupt(f"phần «{part}» ghi số hàng {text[:20]}, ngoài giới hạn của Excel")
    return number


def read_sheet(
    package: Package,
    info: zipfile.ZipInfo,
    title: str,
    strings: list[str],
    styles: dict[str, int],
    epoch: dt.datetime,
) -> Sheet:
    """One pass over a sheet's XML: values, cached formula results, formats, merges, hiding.

    The handlers below run once per XML element, of which a sheet may hold millions: they keep
    their state in local variables, compare element names with constants bound once the root
    element has told the namespace, and test the most frequent elements (`c`, `v`) first.
    """
    part = info.filename
    digits = _DIGITS
    known_columns = _COLUMN_NUMBERS
    shown_as = styles.get
    n_strings = len(strings)
    rows: dict[int, tuple[Any, ...]] = {}
    percent: set[Position] = set()
    pending: set[Position] = set()
    pending_text: dict[Position, str] = {}  # the formula of each, as written (without "=")
    merged: list[str] = []
    hidden_rows: set[int] = set()
    hidden_columns: set[int] = set()

    # element names, bound by `root` to the namespace the sheet uses
    C = V = F = ROW = IS = T = RPH = COL = MERGE = ""
    row = 0  # current row number
    values: list[Any] = []  # the current row's values from column A
    column = 0  # current cell's column
    cells_in_row = 0
    row_elements = 0
    rows_with_values = 0
    last_stored = 0
    ordered = True
    budget = 0  # cells counted against max_cells
    cell_type = "n"
    style = ""  # the cell's `s`, its style index
    has_formula = False
    has_value = False
    inline = False  # inside <is>
    saw_inline = False  # the current cell has an <is>
    phonetic = False
    collecting = False
    content = ""  # the text of the current cell's <v> or <is>
    in_formula = False
    formula = ""  # the text of the current cell's <f>
    depth = 0
    max_depth = limits.MAX_XML_DEPTH
    max_column = EXCEL_MAX_COLUMN
    max_cells = limits.MAX_CELLS
    max_rows = limits.MAX_ROWS
    max_text = limits.MAX_TEXT_CHARS

    def refuse_cells() -> None:
        raise too_large(
            f"sheet «{title}» có hơn {count(max_cells)} ô", f"{count(max_cells)} ô cho mỗi sheet"
        )

    def root(name: str, attrs: dict[str, str]) -> None:
        nonlocal C, V, F, ROW, IS, T, RPH, COL, MERGE, depth
        namespace = name.rpartition("}")[0]
        if namespace not in MAIN:
            namespace = MAIN[0]  # not a worksheet (a chart sheet…): no cells will match
        C, V, F, ROW, IS, T, RPH, COL, MERGE = (
            parser.intern.setdefault(f"{namespace}}}{local}", f"{namespace}}}{local}")
            for local in ("c", "v", "f", "row", "is", "t", "rPh", "col", "mergeCell")
        )
        parser.StartElementHandler = start
        depth = 1

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, values, column, cells_in_row, row_elements, cell_type, style
        nonlocal has_formula, has_value, inline, saw_inline, phonetic, collecting, content
        nonlocal depth, budget, in_formula, formula
        depth += 1
        if depth > max_depth:
            raise too_deep(part)
        if name == C:
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(digits)
                column = known_columns.get(letters) or _column_number(letters, part)
            else:
                column += 1
                if column > max_column:
                    raise corrupt(f"phần «{part}» có hàng {row} dài quá cột cuối của Excel")
            cells_in_row += 1
            if cells_in_row > max_column:
                raise corrupt(f"phần «{part}» có hàng {row} chứa quá nhiều ô")
            cell_type = attrs.get("t", "n")
            style = attrs.get("s", "")
            has_formula = has_value = saw_inline = collecting = False
            content = ""
        elif name == V:
            has_value = True
            collecting = cell_type != "inlineStr"  # an inline string's value is its <is> alone
        elif name == ROW:
            number = attrs.get("r")
            row = _row_number(number, part) if number else row + 1
            if row > EXCEL_MAX_ROW:
                raise corrupt(f"phần «{part}» có nhiều hàng hơn giới hạn của Excel")
            row_elements += 1
            if row_elements > EXCEL_MAX_ROW:
                raise too_large(
                    f"sheet «{title}» có hơn {count(EXCEL_MAX_ROW)} hàng",
                    f"{count(EXCEL_MAX_ROW)} hàng của Excel",
                )
            if attrs.get("hidden", "").lower() in TRUE:
                hidden_rows.add(row)
            values = []
            column = cells_in_row = 0
        elif name == F:
            has_formula = in_formula = True
            formula = ""
        elif name == IS:
            inline = saw_inline = True
        elif name == T:
            collecting = inline and not phonetic
        elif name == RPH:
            phonetic = True
        elif name == COL:
            if attrs.get("hidden", "").lower() in TRUE:
                try:
                    low = max(1, int(attrs.get("min", "")))
                    high = min(int(attrs.get("max", "")), EXCEL_MAX_COLUMN)
                except ValueError:
                    return
                hidden_columns.update(range(low, high + 1))
        elif name == MERGE:
            budget += 1
            if budget > max_cells:
                refuse_cells()
            merged.append(attrs.get("ref", ""))

    def end(name: str) -> None:
        nonlocal depth, collecting, inline, phonetic, rows_with_values, last_stored, ordered
        nonlocal budget, in_formula
        depth -= 1
        if name == V:
            collecting = False
        elif name == F:
            in_formula = False
        elif name == C:
            if content:
                if cell_type == "n":
                    try:
                        if "." in content or "e" in content or "E" in content:
                            value: Any = float(content)
                        else:
                            value = int(content)
                    except ValueError:
                        raise corrupt(
                            f"ô {title}!{cell_name(row, column)} ghi số không hợp lệ "
                            f"«{content[:20]}»"
                        ) from None
                    shown = shown_as(style)
                    if shown is not None:
                        value = shown_number(value, shown)
                else:
                    value = typed(content)
            elif saw_inline and cell_type == "inlineStr":
                value = ""  # an <is> without text is an empty string, as openpyxl reads it
            else:
                value = None
            if value is None:
                if has_formula and not (has_value and cell_type == "str"):
                    pending.add((row, column))  # an empty <v/> of a "str" is a cached ""
                    pending_text[(row, column)] = formula if has_formula else ""
                return
            size = len(values)
            if column > size:
                if column > size + 1:
                    values.extend([None] * (column - size - 1))
                values.append(value)
            else:
                values[column - 1] = value
        elif name == ROW:
            budget += max(cells_in_row, len(values))
            if budget > max_cells:
                refuse_cells()
            if not values:
                return
            rows_with_values += 1
            if rows_with_values > max_rows:
                raise too_large(
                    f"sheet «{title}» có hơn {count(max_rows)} hàng có dữ liệu",
                    f"{count(max_rows)} hàng cho mỗi sheet",
                )
            if row <= last_stored:
                ordered = False
                if row in rows:
                    rows[row] = _overlay(rows[row], values)
                    return
            else:
                last_stored = row
            rows[row] = tuple(values)
        elif name == T:
            collecting = False
        elif name == IS:
            inline = False
        elif name == RPH:
            phonetic = False

    def text(data: str) -> None:
        nonlocal content, formula
        if collecting:
            if content:  # a long text arrives in pieces of at most limits.CHUNK characters
                if len(content) + len(data) > max_text:
                    raise too_long(part)
                content += data
            else:
                content = data
        elif in_formula and len(formula) < FORMULA_KEPT:
            formula += data

    def shown_number(number: float, shown: int) -> Any:
        """A number under a date, duration or percent format."""
        if shown == PERCENT:
            percent.add((row, column))
            return number
        try:
            return from_excel(number, epoch, timedelta=shown == DURATION)
        except (OverflowError, ValueError):
            return number  # too large for a date: the number typed stays visible

    def typed(content: str) -> Any:
        """A cell's non-empty text under its type `t`, other than a number."""
        kind = cell_type
        if kind == "s":
            try:
                index = int(content)
            except ValueError:
                index = -1
            if not 0 <= index < n_strings:
                raise corrupt(
                    f"ô {title}!{cell_name(row, column)} trỏ tới chuỗi dùng chung số "
                    f"«{content[:20]}» không có trong tệp"
                )
            return strings[index]
        if kind == "str" or kind == "inlineStr":
            return unescape(content)
        if kind == "b":
            flag = content.strip().lower()
            if flag in ("1", "true"):
                return True
            if flag in ("0", "false"):
                return False
            raise corrupt(f"ô {title}!{cell_name(row, column)} ghi giá trị đúng/sai «{flag[:20]}»")
        if kind == "e":
            return ExcelError(content)
        if kind == "d":
            try:
                return from_iso8601(content)
            except (ValueError, OverflowError):  # text no calendar can hold
                return content
        return content

    parser = xml_parser(part, root, end, text)
    package.parse(info, parser)
    if not ordered:
        rows = dict(sorted(rows.items()))
    return Sheet(
        name=title,
        rows=rows,
        percent_cells=frozenset(percent),
        formulas_without_value=frozenset(pending),
        formula_texts=pending_text,
        merged=tuple(merged),
        hidden_rows=frozenset(hidden_rows),
        hidden_columns=frozenset(hidden_columns),
    )


def _overlay(old: tuple[Any, ...], new: list[Any]) -> tuple[Any, ...]:
    """A row written twice in the file: later cells win, as Excel keeps the last one."""
    merged = list(old) + [None] * (len(new) - len(old))
    for index, value in enumerate(new):
        if value is not None:
            merged[index] = value
    return tuple(merged)
