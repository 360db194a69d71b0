"""Vietnamese number, date and text forms, as Decree 30 and administrative practice use them."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# What a draft prints where the number or the date is still to be filled in by hand.
BLANK = " " * 6


def normalise(text: object) -> str:
    """How codes, headers, keys and names are compared: NFC, case- and whitespace-insensitive.

    The rules file and the workbook share this one comparison, so two codes the rules accept
    as different can never collide when the workbook's headers are matched.
    """
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def fold(text: object) -> str:
    """`normalise` without the accents: «CĐS1», «CDS1» and «cds1» compare equal.

    How a name typed by hand is matched when people may leave out the accents (a heading, a
    key, a template variable, a written date).
    """
    decomposed = unicodedata.normalize("NFD", normalise(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("đ", "d")


def round_score(value: Decimal, precision: int) -> Decimal:
    """Round half up (the usual "làm tròn") to the printed precision."""
    return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def format_number(value: Decimal, precision: int) -> str:
    """`96,34`; `1.234,50`: decimal comma, thousands dot."""
    rounded = round_score(value, precision)
    sign = "-" if rounded < 0 else ""
    digits = f"{abs(rounded):,.{precision}f}"  # "1,234.50"
    return sign + digits.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_points(value: Decimal) -> str:
    """A threshold or maximum as written in prose: `85`, `62,5`, `1.000`."""
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}".replace(",", ".")
    return sign + grouped + ("," + fraction if fraction else "")


def parse_vietnamese_number(text: str) -> Decimal:
    """`1.000` -> 1000, `62,5` -> 62.5, `1.234,5` -> 1234.5; a lone `0.5` stays 0.5.

    A dot followed by exactly three digits groups thousands, as Vietnamese writes them, after
    a first group of one to three digits that does not start with 0 (`0.125` is a fraction).
    """
    if "," in text:
        return Decimal(text.replace(".", "").replace(",", "."))
    parts = text.split(".")
    grouped = 1 <= len(parts[0]) <= 3 and not parts[0].startswith("0")
    if len(parts) > 1 and grouped and all(len(p) == 3 for p in parts[1:]):
        return Decimal("".join(parts))
    return Decimal(text)


def _day(d: date) -> str:
    return f"{d.day:02d}"


def _month(month: int) -> str:
    # Decree 30: a leading zero for days below 10 and for months 1 and 2 only.
    return f"{month:02d}" if month < 3 else str(month)


def long_date(d: date | None, *, fallback: date) -> str:
    """`ngày 08 tháng 01 năm 2021`; blanks to fill in by hand when the date is not known yet."""
    if d is None:
        return f"ngày{BLANK}tháng{BLANK}năm {fallback.year}"
    return f"ngày {_day(d)} tháng {_month(d.month)} năm {d.year}"


def short_date(d: date | None, *, fallback: date) -> str:
    """`08/01/2021`, `19/6/2015`; `      /01/2021` when the day is not known yet."""
    if d is None:
        return f"{BLANK}/{_month(fallback.month)}/{fallback.year}"
    return f"{_day(d)}/{_month(d.month)}/{d.year}"


def document_number(number: str | None, symbol: str) -> str:
    """`05/QĐ-UBND`; `      /QĐ-UBND` for a draft; a full `123/QĐ-UBND` is kept as typed."""
    if number is None or not number.strip():
        return f"{BLANK}/{symbol}"
    number = number.strip()
    if "/" in number:
        return number
    if number.isdigit() and len(number) < 2:
        number = number.zfill(2)
    return f"{number}/{symbol}"


def signed(value: int) -> str:
    """A rank change: `+2`, `-1`, `0`."""
    return f"{value:+d}" if value else "0"
