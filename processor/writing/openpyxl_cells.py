"""A value into an openpyxl cell exactly as the tool holds it, for every workbook openpyxl writes.

openpyxl turns a str starting with "=" into a formula, and passes a Decimal through a float
(9.2 lands in the file as 9.199999999999999, 88.51 as 88.51000000000001). The history export,
next year's workbook and the marked copy all put values through here; the results workbook has
its own writer (xlsx_writer.py), whose `exact_text` this shares.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from processor.writing.xlsx_writer import exact_text


def set_value(cell: Any, value: Any) -> Any:
    """Text as text (never a formula), a Decimal as its own digits, anything else as given."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = exact_text(value)
        cell.data_type = "n"  # the digits go into <v> as written, not through a float
    else:
        cell.value = value
    return cell
