"""Every workbook openpyxl writes for the tool holds the exact decimals the tool computed.

openpyxl passes a Decimal through a float: the history export of the two samples held 191
values such as 88.51000000000001. `processor/writing/openpyxl_cells.set_value` writes the
digits themselves; the files are read back here as XML, where the digits are.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
from test_history import sample_run

from processor.history.export import export_history
from processor.history.store import open_history
from processor.writing.openpyxl_cells import set_value


def values_in(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [
            value
            for name in package.namelist()
            if name.startswith("xl/worksheets/")
            for value in re.findall(r"<v>([^<]*)</v>", package.read(name).decode("utf-8"))
        ]


def test_a_decimal_keeps_its_digits_and_text_stays_text():
    book = openpyxl.Workbook()
    sheet = book.active
    for row, value in enumerate([Decimal("9.2"), Decimal("88.51"), Decimal("1E+3"), 7], 1):
        set_value(sheet.cell(row, 1), value)
    set_value(sheet.cell(1, 2), "=SUM(A1:A3)")
    buffer = io.BytesIO()
    book.save(buffer)
    assert values_in(buffer.getvalue()) == ["9.2", "88.51", "1000", "7"]
    again = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert again["A1"].value == 9.2 and again["B1"].value == "=SUM(A1:A3)"
    assert again["B1"].data_type == "s"  # a string, never a formula


def test_the_history_export_holds_exactly_the_recorded_totals(tmp_path):
    runs = [sample_run("lao-cai-2020"), sample_run("chuyen-doi-so-2026")]
    with open_history(tmp_path / "h.sqlite") as history:
        for run in runs:
            history.record(run)
        export_history(history, tmp_path / "x.xlsx")
    written = values_in((tmp_path / "x.xlsx").read_bytes())
    assert [v for v in written if re.search(r"\d{9,}", v)] == []  # no float noise anywhere
    totals = {str(a.rounded_total) for run in runs for a in run.agencies}
    assert totals <= set(written)
