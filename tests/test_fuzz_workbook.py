"""Random cell values in the score sheet: the tool answers with messages, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processor import cli
from processor.core.model import Rules

from bad_workbooks import base_book
from conftest import RULES_FILE, TEMPLATE_FILE

# Text Excel can store: no control characters or lone surrogates (openpyxl refuses them).
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
    max_size=60,
)
_cell_values = st.one_of(
    st.none(),
    _text,
    st.sampled_from(["85,5", " 7.25 ", "=1/0", "=SUM(A1:A3)", "#DIV/0!", "#N/A", "-0", "1e3"]),
    st.text(alphabet="ĐđẠạ &<>\"'=+-@0123456789,.", min_size=1, max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.builds(lambda n: "x" * n, st.integers(min_value=1000, max_value=32_000)),  # huge strings
)
# (row, column) in the score sheet: the header, four agencies and a row below them.
_positions = st.tuples(
    st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=20)
)


def _answer(argv: list[str], capsys: Any) -> tuple[int, dict[str, Any]]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, json.loads(captured.out)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(st.tuples(_positions, _cell_values), min_size=1, max_size=12))
def test_random_cells_get_validation_messages_never_a_traceback(
    changes: list[tuple[tuple[int, int], Any]], rules: Rules, capsys: Any
) -> None:
    book = base_book(rules)
    sheet = book["Điểm"]
    for (row, column), value in changes:
        sheet.cell(row, column).value = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ngau-nhien.xlsx"
        book.save(path)
        status, found = _answer(
            ["check", str(path), "--rules", str(RULES_FILE), "--format", "json"], capsys
        )
        assert status in (0, 2)
        assert found["ok"] is (status == 0)
        assert (found["errors"] == 0) is (status == 0)
        for problem in found["problems"]:
            assert problem["place"] and problem["message"]
            assert problem["severity"] in ("error", "warning")
        out = Path(folder) / "ket-qua"
        status_run, result = _answer(
            [
                "run",
                str(path),
                "--rules",
                str(RULES_FILE),
                "--template",
                str(TEMPLATE_FILE),
                "--out",
                str(out),
                "--format",
                "json",
            ],
            capsys,
        )
        assert status_run == status  # run refuses exactly what check refuses
        if status == 0:
            assert Path(result["output"]).is_file()
            openpyxl.load_workbook(path)  # the input is still a workbook: never modified
        else:
            assert not out.exists()
