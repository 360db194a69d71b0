"""The numbers a band's sentence states, and what the words beside each one say about it.

A grade's `text` sits beside its thresholds, and the decision prints it as the rule. The
numbers are read the Vietnamese way (`1.000 điểm` is one thousand, `62,5%` is sixty-two and a
half), and the words around each number say which side of it the band lies on: "trên 50%" and
"từ 50 điểm (trở lên)" are lower bounds, one exclusive and one inclusive; "dưới 85 điểm" and
"đến 75%" (or "từ 25% … trở xuống") are upper bounds, exclusive and inclusive.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from processor.core.formatting import format_points, parse_vietnamese_number

# A number the wording states as points or as a percentage: "85 điểm", "62,5 điểm", "75%".
_STATED = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)\s*(điểm|%)", re.IGNORECASE)


class Side(Enum):
    ABOVE = ">"  # "trên 50%": the band starts just above the number
    FROM = ">="  # "từ 50 điểm", "50 điểm trở lên"
    BELOW = "<"  # "dưới 85 điểm"
    UP_TO = "<="  # "đến 75%", "75% trở xuống", "không quá 75%"


# Words written just before the number, longest first so "không dưới" is not read as "dưới".
_BEFORE: tuple[tuple[str, Side], ...] = (
    ("không vượt quá", Side.UP_TO),
    ("không thấp hơn", Side.FROM),
    ("không cao hơn", Side.UP_TO),
    ("không dưới", Side.FROM),
    ("không quá", Side.UP_TO),
    ("không hơn", Side.UP_TO),
    ("chưa đến", Side.BELOW),
    ("chưa tới", Side.BELOW),
    ("chưa đạt", Side.BELOW),
    ("lớn hơn", Side.ABOVE),
    ("cao hơn", Side.ABOVE),
    ("nhiều hơn", Side.ABOVE),
    ("vượt quá", Side.ABOVE),
    ("nhỏ hơn", Side.BELOW),
    ("thấp hơn", Side.BELOW),
    ("ít hơn", Side.BELOW),
    ("tối thiểu", Side.FROM),
    ("ít nhất", Side.FROM),
    ("tối đa", Side.UP_TO),
    ("trên", Side.ABOVE),
    ("hơn", Side.ABOVE),
    ("dưới", Side.BELOW),
    ("đến", Side.UP_TO),
    ("tới", Side.UP_TO),
    (">=", Side.FROM),
    ("≥", Side.FROM),
    ("<=", Side.UP_TO),
    ("≤", Side.UP_TO),
    (">", Side.ABOVE),
    ("<", Side.BELOW),
)
_FROM = "từ"  # inclusive; which side depends on "trở lên" / "trở xuống" after the number
_BEFORE_PATTERN = re.compile(
    r"(?:^|(?<=[^\w<>=≥≤]))("
    + "|".join(re.escape(words) for words, _ in (*_BEFORE, (_FROM, Side.FROM)))
    + r")\s*$",
    re.IGNORECASE,
)
_SIDES = dict(_BEFORE)
_UPWARD = re.compile(r"(?<!\w)trở lên(?!\w)", re.IGNORECASE)
_DOWNWARD = re.compile(r"(?<!\w)trở xuống(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Stated:
    unit: str  # "điểm" or "%"
    value: Decimal
    side: Side | None  # None: the words do not say
    words: str  # as written: "từ 50% trở lên", "trên 85 điểm"


def stated_numbers(text: str) -> list[Stated]:
    """Every number the sentence states with "điểm" or "%", and the side its words give."""
    text = unicodedata.normalize("NFC", text)
    matches = list(_STATED.finditer(text))
    found = []
    for n, match in enumerate(matches):
        try:
            value = parse_vietnamese_number(match[1])
        except InvalidOperation:
            continue
        unit = "%" if match[2] == "%" else "điểm"
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        after = re.split(r"[;.!?](?:\s|$)", text[match.end() : end], maxsplit=1)[0]
        side, words = _side(text[: match.start()], match[0], after)
        found.append(Stated(unit, value, side, words))
    return found


def _side(before: str, number: str, after: str) -> tuple[Side | None, str]:
    prefix = _BEFORE_PATTERN.search(before)
    written = prefix[1].lower() if prefix else ""
    shown = f"{prefix[0].strip()} {number}" if prefix else number
    upward, downward = _UPWARD.search(after), _DOWNWARD.search(after)
    suffix = upward or downward
    if suffix is not None and written in ("", _FROM):
        gap = " " if not after[: suffix.start()].strip() else " … "
        side = Side.FROM if suffix is upward else Side.UP_TO
        return side, " ".join(f"{shown}{gap}{suffix[0]}".split())
    if written == _FROM:
        return Side.FROM, " ".join(shown.split())
    return _SIDES.get(written), " ".join(shown.split())


def show(unit: str, value: Decimal) -> str:
    return f"{format_points(value)}{'%' if unit == '%' else ' điểm'}"


# What each kind of threshold means for the band it starts, and for the band below it.
_OWN = {"from_points": Side.FROM, "above_percent": Side.ABOVE}
_BELOW_IT = {"from_points": Side.BELOW, "above_percent": Side.UP_TO}


def own_bound_problem(stated: Stated, kind: str) -> str | None:
    """Why the words of this band's own threshold are wrong for its kind, or None."""
    if stated.side is None or stated.side is _OWN[kind]:
        return None
    number = show(stated.unit, stated.value)
    if kind == "from_points":
        return (
            f"Câu chữ ghi «{stated.words}» nhưng from_points = {format_points(stated.value)} "
            f"tính cả ngưỡng: tổng điểm từ {number} trở lên thuộc mức này, kể cả đúng "
            f"{number}. Viết «từ {number}» hoặc «{number} trở lên»."
        )
    return (
        f"Câu chữ ghi «{stated.words}» nhưng above_percent = {format_points(stated.value)} không "
        f"tính ngưỡng: chỉ tổng điểm trên {number} điểm tối đa mới thuộc mức này, đúng {number} "
        f"thuộc mức dưới. Viết «trên {number}» (hoặc dùng from_points, tính bằng điểm và tính cả "
        "ngưỡng, nếu đúng ngưỡng phải thuộc mức này)."
    )


def upper_bound_problem(stated: Stated, kind: str, above: str) -> str | None:
    """Why the words of the threshold of the band `above` are wrong here, or None."""
    if stated.side is None or stated.side is _BELOW_IT[kind]:
        return None
    number = show(stated.unit, stated.value)
    if kind == "from_points":
        return (
            f"Câu chữ ghi «{stated.words}» nhưng mức «{above}» ở trên có from_points = "
            f"{format_points(stated.value)}, tính cả ngưỡng: đúng {number} thuộc mức «{above}», "
            f"nên mức này là dưới {number}. Viết «dưới {number}» (ví dụ «từ … đến dưới {number}»)."
        )
    return (
        f"Câu chữ ghi «{stated.words}» nhưng mức «{above}» ở trên có above_percent = "
        f"{format_points(stated.value)}, không tính ngưỡng: đúng {number} thuộc mức này. Viết "
        f"«đến {number}» hoặc «{number} trở xuống» (ví dụ «trên … đến {number}»)."
    )
