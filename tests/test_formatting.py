from datetime import date
from decimal import Decimal

import pytest

from processor.core.formatting import (
    document_number,
    format_number,
    format_points,
    long_date,
    short_date,
    signed,
)


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("96.34", 2, "96,34"),
        ("86.6", 2, "86,60"),
        ("65", 2, "65,00"),
        ("84.995", 2, "85,00"),  # half up, as "làm tròn" is taught
        ("84.994", 2, "84,99"),
        ("1234567.5", 2, "1.234.567,50"),
        ("731.61", 2, "731,61"),
        ("-1.5", 2, "-1,50"),
        ("0", 0, "0"),
        ("999.96", 1, "1.000,0"),
    ],
)
def test_numbers_use_decimal_comma_and_thousands_dot(value, precision, expected):
    assert format_number(Decimal(value), precision) == expected


def test_points_in_prose_drop_trailing_zeros():
    assert format_points(Decimal("85")) == "85"
    assert format_points(Decimal("62.50")) == "62,5"
    assert format_points(Decimal("1E+2")) == "100"


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (date(2021, 1, 8), "ngày 08 tháng 01 năm 2021", "08/01/2021"),
        (date(2021, 2, 28), "ngày 28 tháng 02 năm 2021", "28/02/2021"),
        (date(2015, 6, 19), "ngày 19 tháng 6 năm 2015", "19/6/2015"),
        (date(2019, 3, 5), "ngày 05 tháng 3 năm 2019", "05/3/2019"),
        (date(2019, 11, 22), "ngày 22 tháng 11 năm 2019", "22/11/2019"),
    ],
)
def test_dates_follow_decree_30(day, long, short):
    # Leading zero for days below 10 and for months 1 and 2 only.
    assert long_date(day, fallback=day) == long
    assert short_date(day, fallback=day) == short


def test_unknown_date_leaves_blanks_with_the_due_month_and_year():
    due = date(2021, 1, 8)
    assert " ".join(long_date(None, fallback=due).split()) == "ngày tháng năm 2021"
    assert short_date(None, fallback=due).strip() == "/01/2021"
    assert short_date(None, fallback=due).startswith("  ")


def test_document_numbers():
    assert document_number("5", "QĐ-UBND") == "05/QĐ-UBND"
    assert document_number("123", "QĐ-UBND") == "123/QĐ-UBND"
    assert document_number(" 07/QĐ-UBND ", "QĐ-UBND") == "07/QĐ-UBND"
    blank = document_number(None, "QĐ-UBND")
    assert blank.strip() == "/QĐ-UBND" and blank.startswith("  ")


def test_rank_changes_are_signed():
    assert [signed(v) for v in (2, -1, 0)] == ["+2", "-1", "0"]
