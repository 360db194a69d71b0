"""openpyxl as the reference the tool's own reader is compared with (tests only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def openpyxl_rows(path: Path, title: str) -> dict[int, tuple[Any, ...]]:
    """openpyxl's values (read-only, data-only), trimmed as our reader trims them."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        rows = {}
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = tuple(values)
            while values and values[-1] is None:
                values = values[:-1]
            if values:
                rows[number] = values
        return rows
    finally:
        book.close()
