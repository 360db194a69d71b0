"""The `Thông tin` sheet: the key/value rows that fill the decision's year, numbers and signer.

The keys are matched loosely (case, spacing, Unicode form) because people type them by hand;
the values are checked strictly because they are printed in the decision as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from processor.core.formatting import fold, format_points, normalise
from processor.core.model import DecisionInfo, InfoField
from processor.core.problems import Problem, Severity, errors
from processor.core.sheet import Sheet
from processor.core.validation.values import Cells, as_number, blank, cell_ref, show, whole

KEY_YEAR = "Năm đánh giá"
KEY_SUBMISSION_NO = "Số tờ trình"
KEY_SUBMISSION_DATE = "Ngày tờ trình"
KEY_SIGNER = "Người ký"
KEY_SIGNER_TITLE = "Chức vụ người ký"
KEY_DECISION_NO = "Số quyết định"
KEY_DECISION_DATE = "Ngày quyết định"
INFO_KEYS = (
    KEY_YEAR,
    KEY_SUBMISSION_NO,
    KEY_SUBMISSION_DATE,
    KEY_SIGNER,
    KEY_SIGNER_TITLE,
    KEY_DECISION_NO,
    KEY_DECISION_DATE,
)
# A draft may leave these blank: the decision then prints the blanks a draft shows.
OPTIONAL_INFO_KEYS = {KEY_SUBMISSION_NO, KEY_DECISION_NO, KEY_DECISION_DATE}
_DATE_TEXT = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\.?$")
# The written form of Decree 30: "ngày 08 tháng 01 năm 2021", also without the leading "ngày";
# matched without accents (`fold`), as some type them.
_DATE_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s+thang\s+(\d{1,2})\s*,?\s+nam\s+(\d{4})\.?$")
_UNUSABLE = object()  # a cell already reported (formula without value, error value)


def check_info(
    sheet: Sheet, problems: list[Problem], fields: Sequence[InfoField] = ()
) -> DecisionInfo | None:
    """The decision's facts; None when any is missing or wrong (each one is reported).

    `fields` are the rows a profile adds (its wording names them); they are optional text.
    """
    name = sheet.name
    start = len(problems)
    all_keys = (*INFO_KEYS, *(f.key for f in fields))
    optional = OPTIONAL_INFO_KEYS | {f.key for f in fields}
    known = {normalise(k): k for k in all_keys}
    values: dict[str, tuple[Any, str]] = {}
    key_cells: dict[str, str] = {}
    for row_no, row in sheet.rows.items():
        key = row[0] if row else None
        if blank(key):
            continue
        canonical = known.get(normalise(key))
        if canonical is None:
            if row_no > 1:  # row 1 may hold column headings
                problems.append(
                    Problem(
                        cell_ref(name, row_no, 1),
                        f"Mục {show(key)} không được dùng; các mục hợp lệ: {', '.join(all_keys)}.",
                        Severity.WARNING,
                    )
                )
            continue
        if canonical in values:
            problems.append(
                Problem(
                    cell_ref(name, row_no, 1),
                    f"Mục «{canonical}» ghi hai lần (đã có ở ô {key_cells[canonical]}).",
                )
            )
            continue
        key_cells[canonical] = cell_ref(name, row_no, 1)
        value = row[1] if len(row) > 1 else None
        if Cells(sheet, problems).unusable(row_no, 2, value, f"Mục «{canonical}»"):
            value = _UNUSABLE
        values[canonical] = (value, cell_ref(name, row_no, 2))

    def get(key: str) -> tuple[Any, str] | None:
        if key not in values:
            if key not in optional:
                problems.append(
                    Problem(
                        f"{name} (cột A)",
                        f"Thiếu mục «{key}»: thêm một hàng với «{key}» ở cột A và giá trị ở cột B.",
                    )
                )
            return None
        value, ref = values[key]
        if value is _UNUSABLE:
            return None
        if blank(value):
            if key not in optional:
                problems.append(Problem(ref, f"Thiếu giá trị của mục «{key}»."))
            return None
        return value, ref

    year = None
    if (found := get(KEY_YEAR)) is not None:
        year = whole(found[0])
        if year is None or not 1990 <= year <= 2200:
            problems.append(
                Problem(
                    found[1], f"Năm đánh giá phải là năm, ví dụ 2020; đang ghi {show(found[0])}."
                )
            )
            year = None

    def text(key: str) -> str | None:
        found = get(key)
        if found is None:
            return None
        value, ref = found
        if isinstance(value, bool | datetime | date):
            problems.append(Problem(ref, f"Mục «{key}» phải là chữ, đang ghi {show(value)}."))
            return None
        number = as_number(value)
        if number is not None:
            return format_points(number)
        return unicodedata.normalize("NFC", str(value)).strip()

    def day(key: str) -> date | None:
        found = get(key)
        return None if found is None else _date(found[0], found[1], key, problems)

    submission_no = text(KEY_SUBMISSION_NO)
    submission_date = day(KEY_SUBMISSION_DATE)
    signer = text(KEY_SIGNER)
    title = text(KEY_SIGNER_TITLE)
    decision_no = text(KEY_DECISION_NO)
    decision_date = day(KEY_DECISION_DATE)
    extra = {f.name: text(f.key) for f in fields}
    if errors(problems[start:]) or year is None:
        return None
    if not (submission_date and signer and title):
        return None  # each one missing has been reported above
    return DecisionInfo(
        year=year,
        submission_number=submission_no,
        submission_date=submission_date,
        signer=signer,
        signer_title=tuple(line.strip() for line in title.splitlines() if line.strip()),
        decision_number=decision_no,
        decision_date=decision_date,
        extra=extra,
    )


def _date(value: Any, ref: str, key: str, problems: list[Problem]) -> date | None:
    """A date cell, or text written the Vietnamese way: 08/01/2021, 8.1.2021, 8-1-2021,
    «ngày 08 tháng 01 năm 2021» or «08 tháng 01 năm 2021»."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = fold(value)
        match = _DATE_TEXT.match(text) or _DATE_WORDS.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                pass
    problems.append(
        Problem(
            ref,
            f"Mục «{key}» phải là một ngày (ví dụ 08/01/2021 hoặc «ngày 08 tháng 01 năm 2021»), "
            f"đang ghi {show(value)}.",
        )
    )
    return None
