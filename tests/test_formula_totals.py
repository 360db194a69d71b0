"""A `Tổng điểm` formula saved without its result: init's own sum is trusted, anything else warns.

A workbook made by `init` carries `=SUM(E4:Q4)` in each total cell; filled by a program that
does not calculate (openpyxl, a web export), the file holds no results. The check recognises
exactly the sum of the row's criteria (or the weighted SUMPRODUCT `init` writes) and stays
quiet; a council's own, different formula still gets the warning that it was not compared.
"""

from __future__ import annotations

from decimal import Decimal

from processor.core.sheet import column_letter
from processor.core.validation.totals import is_criteria_sum
from processor.pipeline import inspect

from conftest import HEADER, RULES_FILE, full_row


def test_the_sum_of_every_criterion_column_is_recognised():
    ones = [Decimal(1)] * 3
    assert is_criteria_sum("SUM(E4:G4)", 4, [5, 6, 7], ones)
    assert is_criteria_sum("sum( $E$4 : $G$4 )", 4, [7, 5, 6], ones)
    assert not is_criteria_sum("SUM(E4:F4)", 4, [5, 6, 7], ones)  # one criterion left out
    assert not is_criteria_sum("SUM(E5:G5)", 4, [5, 6, 7], ones)  # another row
    assert not is_criteria_sum("SUM(E4:G4)+1", 4, [5, 6, 7], ones)
    assert not is_criteria_sum("SUM(E4:H4)", 4, [5, 6, 8], ones)  # a column between them
    halves = [Decimal(1), Decimal("0.5"), Decimal(2)]
    assert not is_criteria_sum("SUM(E4:G4)", 4, [5, 6, 7], halves)  # weights: not a plain sum
    assert is_criteria_sum("SUMPRODUCT(E4:G4,{1,0.5,2})", 4, [5, 6, 7], halves)
    assert not is_criteria_sum("SUMPRODUCT(E4:G4,{1,2,0.5})", 4, [5, 6, 7], halves)
    assert not is_criteria_sum("SUMPRODUCT(E4:G4,{1,x,2})", 4, [5, 6, 7], halves)


def test_only_a_foreign_uncomputed_total_is_warned_about(make_workbook, rules):
    codes = [c.code for c in rules.criteria]
    first, last = column_letter(len(HEADER) + 1), column_letter(len(HEADER) + len(codes))
    own = {**full_row(rules, "I"), "Tổng điểm": f"=SUM({first}2:{last}2)"}
    other = {**full_row(rules, "I"), "Tổng điểm": f"=SUM({first}3:{last}3)*1"}
    path = make_workbook(
        [("Sở A", "I", 1, own), ("Sở B", "I", 2, other)], header=[*HEADER, *codes, "Tổng điểm"]
    )
    found = inspect(path, RULES_FILE)
    assert found.evaluation is not None
    warned = [p for p in found.problems if "Không đối chiếu được tổng điểm" in p.message]
    assert [p.agency for p in warned] == ["Sở B"]
