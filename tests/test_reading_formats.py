"""The reader's number-format and date rules give exactly what openpyxl 3.1's give.

processor/reading/formats.py re-implements openpyxl's helpers so the tool need not import
openpyxl; openpyxl stays a test dependency as the reference these tests compare with.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import numbers as reference_numbers
from openpyxl.utils import datetime as reference_datetime

from processor.reading import formats

FORMAT_CODES = [
    "",
    "General",
    "0",
    "0.00",
    "#,##0.00 ₫",
    "0%",
    "0.0%",
    '0"%"',
    "0\\%",
    "@",
    "yyyy-mm-dd",
    "dd/mm/yyyy",
    "d/m/yy",
    "dd.mm.yyyy hh:mm",
    "mmm-yy",
    "mmmm d, yyyy",
    "DD/MM/YYYY",
    "h:mm",
    "h:mm:ss AM/PM",
    "hh:mm:ss.000",
    "mm:ss",
    "mm:ss.0",
    "ss.00",
    "[h]:mm",
    "[h]:mm:ss",
    "[hh]:mm:ss.00",
    "[H]:MM:SS",
    "[m]:ss",
    "[mm]:ss.0",
    "[s]",
    "[ss].000",
    "[h]",
    "[hhh]:mm",
    "[h]:mm;@",
    "0;[h]:mm",
    "[Red]0.00",
    "[Red]dd/mm",
    "[Blue][h]:mm",
    "[Color10]yyyy",
    "[$-409]dddd, mmmm d, yyyy",
    "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy",
    "[$-42A]dd/mm/yyyy",
    "[$€-2] #,##0.00",
    "[$VND] #,##0",
    "[DBNum1][$-804]yyyy年m月d日",
    "[>=100]0;0.0",
    '"Ngày "dd" tháng "mm',
    '"day"0',
    '"d"0',
    '0" ngày"',
    "\\d0",
    "\\h\\m\\s",
    "0_d",
    "0_)",
    '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    "*d0",
    "*-0",
    "#,##0;[Red]-#,##0",
    "#,##0.0%;[Red]-#,##0.0%",
    "0;-0;;@",
    "yy;0%",
    "0%;yy",
    "General;d",
    "e",
    "E+00",
    "0.00E+00",
    "##0.0E+0",
    "ge",
    "B1yyyy",
    "AM/PM",
    "A/P",
    "?/?",
    "# ??/??",
    '"h"[h]',
    "[h]:mm:ss.0",
    "[h]:mm:ss.00",
    "[hh]:mm:ss.000",
    "[h]mm",
    "[m]",
    "[ss]:mm",
    "[h]:mm:ss;[Red]-[h]:mm:ss",
    '[h]:mm" giờ"',
    "[h] giờ",
    "[",
    "]",
    '"',
    '"unterminated d',
    "\\",
    "_",
    "\\\\d",
    "[]d",
    "[Red",
    "DDDD",
    "S",
    "Y",
    "H",
    "M",
]


def same_outcome(ours: Callable[..., Any], theirs: Callable[..., Any], *args: Any) -> None:
    """Equal results of the same type, or the same kind of exception."""
    try:
        expected = theirs(*args)
    except Exception as exc:  # whatever openpyxl raises, ours must raise too
        with pytest.raises(type(exc)):
            ours(*args)
        return
    got = ours(*args)
    assert type(got) is type(expected), args
    assert got == expected, args


# -- number formats -----------------------------------------------------------------------------


def test_the_builtin_formats_are_openpyxls():
    assert formats.BUILTIN_FORMATS == reference_numbers.BUILTIN_FORMATS


@pytest.mark.parametrize("format_id", range(reference_numbers.BUILTIN_FORMATS_MAX_SIZE))
def test_every_builtin_id_is_classified_as_openpyxl_classifies_it(format_id):
    code = reference_numbers.BUILTIN_FORMATS.get(format_id)
    assert formats.BUILTIN_FORMATS.get(format_id) == code
    if code is not None:
        assert formats.is_date_format(code) is reference_numbers.is_date_format(code)
        assert formats.is_timedelta_format(code) is reference_numbers.is_timedelta_format(code)


@pytest.mark.parametrize("code", FORMAT_CODES)
def test_format_codes_are_classified_as_openpyxl_classifies_them(code):
    assert formats.is_date_format(code) is reference_numbers.is_date_format(code)
    assert formats.is_timedelta_format(code) is reference_numbers.is_timedelta_format(code)


def reference_kind(code: str | None) -> int:
    """How the reader classified a format when it called openpyxl's helpers itself."""
    if code is None:
        return 0
    if reference_numbers.is_date_format(code):
        if reference_numbers.is_timedelta_format(code):
            return formats.DURATION
        return formats.DATE
    return formats.PERCENT if formats.is_percent_format(code) else 0


@pytest.mark.parametrize("code", [*FORMAT_CODES, None])
def test_format_kind_is_the_classification_the_reader_made_with_openpyxl(code):
    assert formats.format_kind(code) == reference_kind(code)


def test_some_kinds_by_name():
    assert formats.format_kind("dd/mm/yyyy") == formats.DATE
    assert formats.format_kind("[h]:mm:ss") == formats.DURATION
    assert formats.format_kind("0.00%") == formats.PERCENT
    assert formats.format_kind('"d"0') == 0
    assert formats.format_kind("[Red]0.00") == 0


FORMAT_PIECES = st.sampled_from(
    [
        *'dmhysDMHYS0#.,;:%@?/-_\\*" E+eAPB[]$()',
        *("[h]", "[hh]", "[mm]", "[ss]", "[Red]", "[$-409]", "[$€-2]", "[>=1]"),
        *('"d"', "AM/PM", ".0", ".00", "\\d", "_d", "*d", "Ngày"),
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(FORMAT_PIECES, max_size=12).map("".join))
def test_random_format_codes_are_classified_as_openpyxl_classifies_them(code):
    assert formats.is_date_format(code) is reference_numbers.is_date_format(code)
    assert formats.is_timedelta_format(code) is reference_numbers.is_timedelta_format(code)
    assert formats.format_kind(code) == reference_kind(code)


# -- date serials -------------------------------------------------------------------------------

EPOCHS = [
    (formats.WINDOWS_EPOCH, reference_datetime.WINDOWS_EPOCH),
    (formats.MAC_EPOCH, reference_datetime.CALENDAR_MAC_1904),
]

SERIALS = [
    0,
    0.0,
    1e-9,
    0.0000057870370370370,  # half a millisecond
    0.25,
    0.5,
    0.999,
    0.9999999,  # rounds up to the next day: a datetime, not a time
    0.99999999999,
    1,
    1.5,
    2,
    31,
    58,
    59,
    59.5,
    59.999999,
    60,
    60.25,
    60.5,
    61,
    61.75,
    62,
    365,
    366,
    1462,
    1462.5,
    36526,
    43831,
    43831.041666666664,
    44197.999988425923,
    45000.123456789,
    2958465,
    2958465.9999999,
    2958466,
    10**7,
    1e15,
    1e300,
    -0.0,
    -1e-9,
    -0.25,
    -0.5,
    -1,
    -1.5,
    -59,
    -60,
    -61,
    -1462,
    -1462.5,
    -693593,
    -693594,
    -693594.5,
    -(10**7),
    math.inf,
    -math.inf,
    math.nan,
]


@pytest.mark.parametrize("timedelta", [False, True])
@pytest.mark.parametrize(("ours", "theirs"), EPOCHS, ids=["1900", "1904"])
@pytest.mark.parametrize("serial", SERIALS, ids=repr)
def test_serials_convert_as_openpyxl_converts_them(serial, ours, theirs, timedelta):
    same_outcome(
        lambda value: formats.from_excel(value, ours, timedelta=timedelta),
        lambda value: reference_datetime.from_excel(value, theirs, timedelta=timedelta),
        serial,
    )


def test_the_1900_leap_year_bug_and_the_1904_calendar():
    assert formats.from_excel(1) == dt.datetime(1900, 1, 1)
    assert formats.from_excel(59) == dt.datetime(1900, 2, 28)
    assert formats.from_excel(60) == dt.datetime(1900, 2, 28)  # Excel's 29 February 1900
    assert formats.from_excel(61) == dt.datetime(1900, 3, 1)
    assert formats.from_excel(43831) == dt.datetime(2020, 1, 1)
    assert formats.from_excel(42369, formats.MAC_EPOCH) == dt.datetime(2020, 1, 1)
    assert formats.from_excel(0.75) == dt.time(18, 0)
    assert formats.from_excel(1.5, timedelta=True) == dt.timedelta(days=1, hours=12)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(min_value=-700_000, max_value=3_000_000, allow_nan=False),
        st.floats(min_value=-2, max_value=2, allow_nan=False),
        st.floats(min_value=55, max_value=65, allow_nan=False),
        st.integers(min_value=-700_000, max_value=3_000_000),
        st.floats(),
    ),
    st.booleans(),
    st.booleans(),
)
def test_random_serials_convert_as_openpyxl_converts_them(serial, date1904, timedelta):
    ours, theirs = EPOCHS[date1904]
    same_outcome(
        lambda value: formats.from_excel(value, ours, timedelta=timedelta),
        lambda value: reference_datetime.from_excel(value, theirs, timedelta=timedelta),
        serial,
    )


# -- ISO 8601 text (t="d" cells) ------------------------------------------------------------------

ISO_TEXTS = [
    "",
    "2020-01-01",
    "2020-01-01T00:00:00",
    "2020-01-01T10:20:30Z",
    "2020-01-01T10:20:30.5",
    "2020-01-01T10:20:30.05Z",
    "2020-01-01T10:20:30.123",
    "2020-01-01T10:20:30.1234",
    "2020-01-01T10:20",
    "2020-01-01 10:20:30",
    "2020-01-01T",
    "2020-01-01Z",
    "2020-01-01garbage",
    "20200101",
    "2020-1-1",
    "2020-13-01",
    "2020-02-30",
    "2020-02-29",
    "1900-02-29",
    "0000-01-01",
    "9999-12-31T23:59:59.999",
    "10:20",
    "10:20:30",
    "10:20:30.001",
    "T10:20:30",
    "24:00",
    "23:60",
    "00:00:60",
    "PT",
    "PT1H",
    "PT1H2M3S",
    "PT1H2M3.5S",
    "PT0.25S",
    "PT90M",
    "PT99999S",
    "PT1.5H",
    "PT1M2H",
    "P1D",
    "T",
    "Z",
    "garbage",
    " 2020-01-01",
    "２０２０-０１-０１",
    "PT99999999999999H",
    "PT" + "9" * 400 + "H",
]


@pytest.mark.parametrize("text", ISO_TEXTS)
def test_iso_text_reads_as_openpyxl_reads_it(text):
    same_outcome(formats.from_iso8601, reference_datetime.from_ISO8601, text)


ISO_PIECES = st.sampled_from(
    [*"0123456789-:.TZPHMS ", "2020-", "01-", "12", "T10:", "30", ".5", "PT", "H", "M", "S"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(ISO_PIECES, max_size=10).map("".join))
def test_random_iso_text_reads_as_openpyxl_reads_it(text):
    same_outcome(formats.from_iso8601, reference_datetime.from_ISO8601, text)


@settings(max_examples=1000, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)))
def test_written_datetimes_read_back_as_openpyxl_reads_them(moment):
    text = reference_datetime.to_ISO8601(moment)
    same_outcome(formats.from_iso8601, reference_datetime.from_ISO8601, text)
