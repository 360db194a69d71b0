"""Number formats and Excel's date serials: which cells show dates, and which dates they are.

A date in a workbook is a number (days since an epoch) under a date format; the format decides
whether the reader returns a datetime, a duration or the number itself. These are openpyxl
3.1's rules, re-implemented so the reader does not import openpyxl (half a second at start-up)
and reads the same values as openpyxl does; tests/test_reading_formats.py compares them with
openpyxl's own functions on many inputs.
"""

from __future__ import annotations

import datetime as dt
import re

# -- number formats -----------------------------------------------------------------------------

BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',  # sic: as openpyxl has it
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
"""The formats a style names by id alone, without a <numFmt> of its own (openpyxl's table)."""

# Quoted text, and any [bracket] except an elapsed [h], [mm] or [ss]: never a date part.
_NOT_A_DATE_PART = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")  # not after the _ or \ that make it literal
_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
_NOT_SHOWN = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|[_*].')  # literal text, [colour], padding

DATE, DURATION, PERCENT = 1, 2, 3
"""What a number under a format is shown as; 0 for a plain number."""


def is_date_format(code: str) -> bool:
    """Whether the first section of a format code shows a date or a time of day."""
    first = _NOT_A_DATE_PART.sub("", code.split(";")[0])
    return _DATE_PART.search(first) is not None


def is_timedelta_format(code: str) -> bool:
    """Whether the first section shows elapsed time ([h]:mm…), a duration rather than a date."""
    return _ELAPSED.search(code.split(";")[0]) is not None


def is_percent_format(code: str) -> bool:
    """A % outside quotes, brackets and escapes multiplies the value by 100 when shown."""
    return "%" in _NOT_SHOWN.sub("", code)


def format_kind(code: str | None) -> int:
    """DATE, DURATION, PERCENT or 0 for a number shown with this format code."""
    if code is None:
        return 0
    if is_date_format(code):
        return DURATION if is_timedelta_format(code) else DATE
    if is_percent_format(code):
        return PERCENT
    return 0


# -- date serials -------------------------------------------------------------------------------

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
"""Day 0 of the 1900 date system, as serials after February 1900 count from it."""

MAC_EPOCH = dt.datetime(1904, 1, 1)
"""Day 0 of the 1904 date system (`<workbookPr date1904="1"/>`)."""

_SECONDS_PER_DAY = 86_400


def from_excel(
    serial: float, epoch: dt.datetime = WINDOWS_EPOCH, timedelta: bool = False
) -> dt.datetime | dt.time | dt.timedelta:
    """A serial number as Excel shows it, to the millisecond.

    A duration under an elapsed-time format; a time of day for 0 <= serial < 1; otherwise a
    datetime. Excel's 1900 system counts a 29 February 1900 that never was (serial 60, read as
    28 February, as openpyxl reads it), so serials before it are one day later than a plain
    count from 30 December 1899.
    OverflowError or ValueError for a serial no datetime can hold (or inf, nan).
    """
    if timedelta:
        duration = dt.timedelta(days=serial)
        if duration.microseconds:
            duration = dt.timedelta(
                seconds=duration.total_seconds() // 1,
                microseconds=round(duration.microseconds, -3),
            )
        return duration
    day, fraction = divmod(serial, 1)
    diff = dt.timedelta(milliseconds=round(fraction * _SECONDS_PER_DAY * 1000))
    if 0 <= serial < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < serial < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


# The ISO 8601 forms of a `t="d"` cell (ECMA-376 18.17.4), and the durations Excel's strict mode
# writes; trailing text after a match is ignored, as openpyxl ignores it.
_ISO_DATETIME = re.compile(
    r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""",
    re.VERBOSE,
)
_ISO_DURATION = re.compile(
    r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?"
)


def from_iso8601(text: str) -> dt.datetime | dt.date | dt.time | dt.timedelta | None:
    """A date, time, datetime or duration written as ISO 8601 text; None for no text.

    ValueError for text of none of these forms or an impossible date (month 13); OverflowError
    for a duration longer than a timedelta holds.
    """
    if not text:
        return None
    moment = _ISO_DATETIME.match(text)
    if moment and any(moment.groups()):
        parts = moment.groupdict()
        year, month, day, hour, minute, second = (
            int(parts[name] or 0) for name in ("year", "month", "day", "hour", "minute", "second")
        )
        fraction = parts["microsecond"]
        microsecond = int(float(fraction) * 1_000_000) if fraction else 0
        if not parts["date"]:
            return dt.time(hour, minute, second, microsecond)
        if not parts["time"]:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, hour, minute, second, microsecond)
    duration = _ISO_DURATION.match(text)
    if duration and any(duration.groups()):
        hours, minutes, seconds = (
            float(duration[name] or 0) for name in ("hours", "minutes", "seconds")
        )
        return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"Invalid datetime value {text}")
