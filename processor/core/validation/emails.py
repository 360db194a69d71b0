"""The optional `Email` column: where an agency's own scorecard may be emailed.

Nothing of the decision depends on it, so every slip in it is a warning, never an error: an
address that is not one is named with its cell and agency and left out, the others are kept.
A cell may hold several addresses separated by «;» or «,», each bare (`vp@so.gov.vn`) or with
a name (`Văn phòng Sở <vp@so.gov.vn>`); the same address twice is kept once. The stored value
is the usable addresses joined by "; " (`email_addresses` splits it again for the mail).
"""

from __future__ import annotations

import re
from typing import Any

from processor.core.model import COL_EMAIL
from processor.core.problems import Problem, Severity
from processor.core.sheet import ExcelError
from processor.core.validation.values import FORMULA_FIX, Cells, blank, show

SEPARATORS = re.compile(r"[;,]")
# A plain address as mail servers take it: ASCII, one @, a domain of dotted labels.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})+$")
NAMED = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>$")
JOINER = "; "
EXAMPLE = "ten@co-quan.gov.vn"
_NOT_SENT = (
    "Đơn vị sẽ không nhận được phiếu kết quả qua thư; cột này không ảnh hưởng đến kết quả xếp hạng."
)


def bare_address(text: str) -> str | None:
    """The address of `ten@so.gov.vn` or `Tên <ten@so.gov.vn>`; None when it is not one."""
    text = text.strip()
    named = NAMED.match(text)
    address = named["address"].strip() if named else text
    if len(address) > 254 or not ADDRESS.match(address):
        return None
    if len(address.partition("@")[0]) > 64:
        return None
    return address


def email_addresses(text: str | None) -> tuple[str, ...]:
    """The addresses of a stored `AgencyScores.email` (or of a cell): each once, as written."""
    if not text:
        return ()
    found: dict[str, str] = {}
    for part in SEPARATORS.split(text):
        part = " ".join(part.split())
        address = bare_address(part) if part else None
        if address is not None:
            found.setdefault(address.casefold(), part)
    return tuple(found.values())


def agency_email(row_no: int, row: tuple[Any, ...], column: int | None, cells: Cells) -> str | None:
    """The usable addresses of the row's `Email` cell, joined by "; "; None when none.

    Every problem is a warning: the cell only says where the scorecard goes.
    """
    if column is None:
        return None
    value = row[column - 1] if column <= len(row) else None
    ref = cells.ref(row_no, column)
    problems = cells.problems
    if (row_no, column) in cells.sheet.formulas_without_value:
        problems.append(Problem(ref, f"{COL_EMAIL}: {FORMULA_FIX}. {_NOT_SENT}", Severity.WARNING))
        return None
    if isinstance(value, ExcelError):
        problems.append(
            Problem(
                ref,
                f"{COL_EMAIL}: ô đang báo lỗi {value} của công thức; sửa công thức hoặc ghi địa "
                f"chỉ thư. {_NOT_SENT}",
                Severity.WARNING,
            )
        )
        return None
    if blank(value):
        return None
    if not isinstance(value, str):
        problems.append(
            Problem(
                ref,
                f"Cột «{COL_EMAIL}» ghi địa chỉ thư của đơn vị (ví dụ {EXAMPLE}), đang ghi "
                f"{show(value)}. {_NOT_SENT}",
                Severity.WARNING,
            )
        )
        return None
    parts = [" ".join(part.split()) for part in SEPARATORS.split(value)]
    wrong = [part for part in parts if part and bare_address(part) is None]
    found = email_addresses(value)
    if wrong:
        listed = ", ".join(f"«{part}»" for part in wrong)
        rest = (
            f"bị bỏ qua khi gửi phiếu kết quả qua thư, vẫn gửi đến {', '.join(found)}"
            if found
            else "đơn vị sẽ không nhận được phiếu kết quả qua thư"
        )
        problems.append(
            Problem(
                ref,
                f"{listed} không phải địa chỉ thư (viết dạng {EXAMPLE}, nhiều địa chỉ cách "
                f"nhau dấu «;»): {rest}. Cột «{COL_EMAIL}» không ảnh hưởng đến kết quả xếp hạng.",
                Severity.WARNING,
            )
        )
    return JOINER.join(found) if found else None
