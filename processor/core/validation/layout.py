"""The score sheet's shape: which column holds what, and what hides values from the eye.

Nothing in a row can be read before its columns are known, and a merged cell or a hidden row
changes what the council sees without changing what is counted, so these come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from processor.core.formatting import normalise
from processor.core.model import COL_GROUP, COL_NAME, COL_NO, COL_PRIOR, SCORE_COLUMNS, Rules
from processor.core.problems import Problem, Severity
from processor.core.sheet import Sheet, column_letter, column_number
from processor.core.validation.values import blank, cell_ref, show


@dataclass
class Columns:
    """Where each expected column sits in the header row (1-based)."""

    by_key: dict[str, int]
    criteria: dict[str, int]


def read_header(sheet: Sheet, rules: Rules, problems: list[Problem]) -> Columns | None:
    """The columns of row 1; None (with every missing column reported) if any is missing."""
    name = sheet.name
    header = sheet.rows.get(1, ())
    fixed = {normalise(k): k for k in SCORE_COLUMNS}
    codes = {normalise(c.code): c.code for c in rules.criteria}
    by_key: dict[str, int] = {}
    criteria: dict[str, int] = {}
    for column, value in enumerate(header, start=1):
        if blank(value):
            continue
        key = normalise(value)
        target, canonical = (by_key, fixed[key]) if key in fixed else (criteria, codes.get(key, ""))
        if not canonical:
            problems.append(
                Problem(
                    cell_ref(name, 1, column),
                    f"Cột {show(value)} không phải cột của mẫu cũng không phải mã tiêu chí "
                    "trong tệp quy tắc; cột này bị bỏ qua.",
                    Severity.WARNING,
                )
            )
            continue
        if canonical in target:
            first = cell_ref(name, 1, target[canonical])
            problems.append(
                Problem(
                    cell_ref(name, 1, column),
                    f"Cột «{canonical}» bị lặp (đã có ở ô {first}); xóa một trong hai cột.",
                )
            )
            continue
        target[canonical] = column
    missing = [k for k in (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR) if k not in by_key]
    missing += [c.code for c in rules.criteria if c.code not in criteria]
    hint = misplaced_header_hint(sheet) if missing else ""
    for key in missing:
        problems.append(
            Problem(
                f"{name} (hàng tiêu đề)",
                f"Thiếu cột «{key}» ở hàng 1. Hàng 1 phải có: TT, Tên đơn vị, Nhóm, "
                f"Xếp hạng năm trước và một cột cho mỗi mã tiêu chí trong tệp quy tắc.{hint}",
            )
        )
    if missing:
        return None
    return Columns(by_key=by_key, criteria=criteria)


def misplaced_header_hint(sheet: Sheet) -> str:
    """When the headings sit lower down (a title typed above them), say where they are."""
    wanted = normalise(COL_NAME)
    for row_no, values in sheet.rows.items():
        if row_no > 20:
            break
        if row_no > 1 and any(not blank(v) and normalise(v) == wanted for v in values):
            return (
                f" Hàng tiêu đề đang ở hàng {row_no}: xóa các hàng phía trên để tiêu đề "
                "nằm ở hàng 1."
            )
    return ""


def check_layout(sheet: Sheet, last_column: int, problems: list[Problem]) -> None:
    """Merged cells hide values; hidden rows and columns hide what is being counted."""
    for merged in sheet.merged:
        first = merged.split(":", 1)[0].replace("$", "")
        column = column_number(first.rstrip("0123456789"))
        if column is not None and column <= last_column:
            problems.append(
                Problem(
                    f"{sheet.name}!{merged}",
                    f"Các ô {merged} đang được gộp (Merge) trong vùng dữ liệu, nên chỉ ô đầu "
                    "có giá trị; bỏ gộp ô và ghi giá trị vào từng ô.",
                )
            )
    for row_no in sorted(sheet.hidden_rows):
        if row_no in sheet.rows and row_no > 1:
            problems.append(
                Problem(
                    f"{sheet.name}!{row_no}:{row_no}",
                    f"Hàng {row_no} đang bị ẩn nhưng vẫn được tính điểm và xếp hạng; hiện hàng "
                    "(Unhide) để kiểm tra, hoặc xóa hàng nếu đơn vị này không được xếp hạng.",
                    Severity.WARNING,
                )
            )
    header = sheet.rows.get(1, ())
    for column in sorted(sheet.hidden_columns):
        if column <= min(last_column, len(header)) and not blank(header[column - 1]):
            letter = column_letter(column)
            problems.append(
                Problem(
                    f"{sheet.name}!{letter}:{letter}",
                    f"Cột {letter} ({show(header[column - 1])}) đang bị ẩn nhưng vẫn được "
                    "tính; hiện cột (Unhide) để kiểm tra.",
                    Severity.WARNING,
                )
            )
