"""How tall a scorecard's page will be, estimated, so every card can be kept to one page.

Word and LibreOffice lay the page out; this only estimates it, from Times New Roman's metrics
(a line is 1,15 of the type size; each letter's advance width, a Vietnamese letter's that of its
base letter), breaking lines between words as they do. On the two sample profiles it comes
within 1,5 mm of what LibreOffice draws. The size is chosen with a safety margin, since Word and
LibreOffice may break a line differently. One size serves a whole document (every card of the
report looks the same, and so does the single card emailed to an agency): the largest of SIZES
at which the report's longest card fits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from processor.reporting.model import Scorecard
from processor.reporting.scorecard_tables import (
    BODY_PT,
    CELL_MARGIN_TWIPS,
    CELL_TOP_TWIPS,
    CRITERION_HEADING,
    INDEX_HEADING,
    MARGINS_MM,
    NAME_PT,
    PAGE_MM,
    SENTENCE_GAP_PT,
    TABLE_GAP_PT,
    TEXT_WIDTH_MM,
    TITLE_GAP_PT,
    TITLE_PT,
    TWIPS_PER_MM,
    Column,
    columns,
    criteria_ranked,
    group_line,
    measure_cells,
    not_scored_anywhere,
)

SIZES = (11.0, 10.0, 9.0)  # the tables' type size: the first at which every card fits
PT_MM = 25.4 / 72
LINE = 1.15  # Times New Roman's line height, in ems
# Advance widths in thousandths of an em (Times: the metrics Times New Roman shares).
_LOWER: tuple[int, ...] = (444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778)
_LOWER += (500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444)
_UPPER: tuple[int, ...] = (722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889)
_UPPER += (722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611)
_BOLD_LOWER: tuple[int, ...] = (500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833)
_BOLD_LOWER += (556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444)
_BOLD_UPPER: tuple[int, ...] = (722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944)
_BOLD_UPPER += (722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667)
_MARKS = {" ": 250, ",": 250, ".": 250, ":": 278, ";": 278, "(": 333, ")": 333, "/": 278}
_MARKS |= {"-": 333, "–": 500, "%": 833, "&": 778, "đ": 500, "Đ": 722, "\u031b": 80}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _widths(lower: Sequence[int], upper: Sequence[int]) -> dict[str, int]:
    return (
        dict(zip(_LETTERS, lower, strict=True))
        | dict(zip(_LETTERS.upper(), upper, strict=True))
        | dict.fromkeys("0123456789", 500)
        | _MARKS
    )


REGULAR = _widths(_LOWER, _UPPER)
BOLD = _widths(_BOLD_LOWER, _BOLD_UPPER)
UNKNOWN = 556  # a character not in the tables
USABLE_MM = PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]  # 257
SAFETY_MM = 6.0
INDENT_MM = 28 * PT_MM  # the first-line indent of the sentences
CELL_PADDING_MM = 2 * CELL_TOP_TWIPS / TWIPS_PER_MM
CELL_TEXT_MM = 2 * CELL_MARGIN_TWIPS / TWIPS_PER_MM  # the cell's left and right padding
RULE_MM = 0.26  # a table's border line, and what LibreOffice adds to a row


def width_em(text: str, bold: bool = False) -> float:
    """The advance width of `text` in ems: accents take no room, a horn (ơ, ư) a little."""
    table = BOLD if bold else REGULAR
    decomposed = unicodedata.normalize("NFD", text)  # "ể": "e" and two accents
    found = (table.get(ch, 0 if unicodedata.combining(ch) else UNKNOWN) for ch in decomposed)
    return sum(found) / 1000


def lines(
    text: str, width_mm: float, size: float, *, bold: bool = False, first_mm: float = 0
) -> int:
    """How many lines `text` takes in a column `width_mm` wide, breaking between words."""
    capacity = width_mm / (size * PT_MM)  # in ems
    space = width_em(" ", bold)
    count, used = 1, first_mm / (size * PT_MM)
    for word in text.split():
        word_em = width_em(word, bold)
        if used and used + space + word_em > capacity:
            count, used = count + 1, 0.0
        used += (space if used else 0.0) + word_em
        while used > capacity:  # a word longer than the line: Word breaks it
            count, used = count + 1, used - capacity
    return count


def table_size(
    title: str, pages: Iterable[tuple[Scorecard, Sequence[str]]], precision: int
) -> float:
    """The largest of SIZES at which every card (with its sentences) fits one page."""
    pages = list(pages)
    for size in SIZES:
        if all(fits(card_height_mm(title, card, texts, precision, size)) for card, texts in pages):
            return size
    return SIZES[-1]


def fits(height_mm: float) -> bool:
    return height_mm <= USABLE_MM - SAFETY_MM


def card_height_mm(
    title: str, card: Scorecard, paragraphs: Sequence[str], precision: int, size: float
) -> float:
    """The estimated height of one card's page, its tables at `size`."""
    height = text_height_mm(title, card.name, group_line(card), paragraphs)
    if card.indices:
        rows = [measure_cells(m, precision, True) for m in card.indices]
        height += table_height_mm(columns(INDEX_HEADING, True, rows, size), rows, size)
    if card.indices and card.criteria:
        height += TABLE_GAP_PT * PT_MM
    if card.criteria:
        ranked = criteria_ranked(card)
        rows = [measure_cells(m, precision, ranked) for m in card.criteria]
        height += table_height_mm(columns(CRITERION_HEADING, ranked, rows, size), rows, size)
    if not_scored_anywhere(card):
        height += (size * LINE + 2) * PT_MM
    return height


def text_height_mm(title: str, name: str, group: str, paragraphs: Sequence[str]) -> float:
    """The title, the agency's name and group, and its sentences, with the spaces between."""
    height = lines(title, TEXT_WIDTH_MM, TITLE_PT, bold=True) * TITLE_PT * LINE + TITLE_GAP_PT
    height += lines(name, TEXT_WIDTH_MM, NAME_PT, bold=True) * NAME_PT * LINE
    height += lines(group, TEXT_WIDTH_MM, BODY_PT) * BODY_PT * LINE + TITLE_GAP_PT
    for paragraph in paragraphs:
        count = lines(paragraph, TEXT_WIDTH_MM, BODY_PT, first_mm=INDENT_MM)
        height += count * BODY_PT * LINE + SENTENCE_GAP_PT
    if paragraphs:
        height += TABLE_GAP_PT - SENTENCE_GAP_PT  # the last sentence has the tables' gap after
    return height * PT_MM


def table_height_mm(layout: Sequence[Column], rows: Iterable[Sequence[str]], size: float) -> float:
    """A table's header and rows: each as tall as its tallest cell."""

    def row_mm(texts: Sequence[str], bold: bool) -> float:
        tallest = max(
            lines(text, column.width_mm - CELL_TEXT_MM, size, bold=bold)
            for text, column in zip(texts, layout, strict=True)
        )
        return tallest * size * LINE * PT_MM + CELL_PADDING_MM + RULE_MM

    height = row_mm([column.heading for column in layout], True)
    return height + sum(row_mm(texts, False) for texts in rows)
