"""What the charts share: the style, the page geometry, the level shades, text that fits.

matplotlib is imported inside the functions only; the style is applied in an rc_context around
each figure, never to matplotlib's global settings. Figures are laid out by hand in inches
(text is measured first), so a chart of 7 agencies and one of 100 come out alike.
"""

from __future__ import annotations

import io
import math
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from processor.core.formatting import format_points
from processor.reporting.model import GroupReport, Scorecard
from processor.reporting.summary_docx import PICTURE_H_MM, PICTURE_W_MM

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH = 6.3  # inches: 16 cm, the text width of an A4 page with Decree 30 margins
DPI = 150
FONT = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese letter
PT = 7.0  # labels
SMALL = 6.4  # the numbers on bars and in cells, notes: 6,6 pt as printed
TITLE_PT = 9.0
NAME_CHARS = 44  # an agency's label is shortened beyond this
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": PT,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "black",
    "axes.labelsize": PT,
    "axes.titlesize": PT,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.labelsize": PT,
    "ytick.labelsize": PT,
    "hatch.linewidth": 0.5,
    "legend.fontsize": PT,
    "savefig.facecolor": "white",
}
# Level shades, best first: a grey and a hatch each, so that they differ without colour too.
SHADES = (
    ("#4d4d4d", ""),
    ("#9c9c9c", "////"),
    ("#d6d6d6", "...."),
    ("#ffffff", "xxxx"),
    ("#ebebeb", "\\\\\\\\"),
    ("#ffffff", "----"),
)
NO_LEVEL = ("#a6a6a6", "")


def text(value: str) -> str:
    """NFC: matplotlib draws precomposed letters, not always a letter and a combining mark."""
    return unicodedata.normalize("NFC", value)


def render(draw: Callable[[Figure], None]) -> bytes:
    """A PNG of the figure `draw` makes: Agg canvas, no pyplot, the same bytes every time."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, STYLE)):
        figure = Figure(figsize=(WIDTH, 3.0), dpi=DPI)
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        figure.clear()
    return buffer.getvalue()


def measure(draw: Callable[[Figure], None]) -> float:
    """The height in inches of the figure `draw` makes, without rendering it."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, STYLE)):
        figure = Figure(figsize=(WIDTH, 3.0), dpi=DPI)
        FigureCanvasAgg(figure)
        draw(figure)
        height = float(figure.get_figheight())
        figure.clear()
    return height


def width(figure: Figure, line: str, size: float = PT) -> float:
    """Inches a line of text takes (the widest line when there are several)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.font_manager import FontProperties

    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    font = FontProperties(size=size)
    return max(
        float(renderer.get_text_width_height_descent(part, font, ismath=False)[0])
        for part in line.split("\n")
    ) / float(figure.dpi)


def wrap(figure: Figure, line: str, room: float, size: float = PT) -> list[str]:
    """The words of `line` in lines of at most `room` inches (a longer word stays whole)."""
    lines: list[str] = []
    for word in line.split():
        if lines and width(figure, f"{lines[-1]} {word}", size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def fit(figure: Figure, line: str, room: float, size: float = PT) -> str:
    """`line`, cut at a word and ended with «…» if it is wider than `room` inches."""
    if width(figure, line, size) <= room:
        return line
    words = line.split()
    while len(words) > 1 and width(figure, " ".join(words) + "…", size) > room:
        words.pop()
    return " ".join(words).rstrip(" ,;:–-") + "…"


def title(figure: Figure, heading: str, height: float) -> None:
    """The chart's title across the top of a figure `height` inches tall."""
    figure.text(
        0.5,
        1 - 0.1 / height,
        "\n".join(title_lines(heading)),
        ha="center",
        va="top",
        fontsize=TITLE_PT,
        fontweight="bold",
        linespacing=1.3,
    )


def title_lines(heading: str) -> list[str]:
    """The title in lines of at most 80 characters, broken after its colon when it is long."""
    if len(heading) <= 80:
        return [heading]
    head, colon, tail = heading.partition(": ")
    parts = [head + colon.rstrip(), tail] if colon else [heading]
    return [line for part in parts for line in textwrap.wrap(part, 80)]


def title_height(heading: str) -> float:
    return 0.18 + 0.19 * len(title_lines(heading))


def place(figure: Figure, box: tuple[float, float, float, float], height: float) -> Axes:
    """Axes at (left, bottom, width, height) in inches on a figure `height` inches tall."""
    left, bottom, wide, tall = box
    return figure.add_axes((left / WIDTH, bottom / height, wide / WIDTH, tall / height))


def plain_axes(axes: Axes) -> None:
    """No top or right frame; a light grid behind the data."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_axisbelow(True)


def tick_format(value: float, _position: int | None = None) -> str:
    """An axis tick the Vietnamese way: 0, 12,5, 1.000."""
    return format_points(Decimal(repr(round(float(value), 6))))


def ranked_cards(group: GroupReport) -> list[Scorecard]:
    """The group's ranked agencies, in rank order (the unranked are not drawn)."""
    return [card for card in group.cards if card.rank is not None]


def group_name(group: GroupReport) -> str:
    label = f"Nhóm {group.label or group.code}"
    return text(f"{label} – {group.title}" if group.title.strip() else label)


def shade(levels: Sequence[str], grade: str | None) -> tuple[str, str]:
    """(face colour, hatch) of a level; the same level looks the same in every chart."""
    if grade is None or grade not in levels:
        return NO_LEVEL
    return SHADES[list(levels).index(grade) % len(SHADES)]


ROW_PITCH_MANY = 0.135  # inches per row of a chart of many agencies
# The tallest figure the summary prints at its full width on one page (9,01 in): a longer group
# is drawn in parts (see charts.rows_per_page).
PAGE_TALL = WIDTH * PICTURE_H_MM / PICTURE_W_MM


def pitch(rows: int) -> float:
    """Inches per bar or heat-map row: roomy for a few agencies, tight but legible for 100."""
    return 0.24 if rows <= 12 else 0.18 if rows <= 35 else ROW_PITCH_MANY


@dataclass(frozen=True, slots=True)
class Part:
    """Rows start..stop (of the group's ranked agencies) drawn as part `number` of `count`."""

    number: int
    count: int
    start: int
    stop: int


def parts(rows: int, most: int) -> tuple[Part, ...]:
    """The whole group as one part up to `most` rows; beyond, parts of about equal size."""
    count = max(1, math.ceil(rows / most))
    edges = [round(n * rows / count) for n in range(count + 1)]
    return tuple(Part(n + 1, count, edges[n], edges[n + 1]) for n in range(count))


def part_label(cards: Sequence[Scorecard], part: Part | None) -> str:
    """« (phần 1/2: hạng 1–50)» after a split chart's title; nothing for a whole group."""
    if part is None or part.count == 1:
        return ""
    first, last = cards[part.start].rank, cards[part.stop - 1].rank
    ranks = f"{first}–{last}" if first != last else f"{first}"
    return f" (phần {part.number}/{part.count}: hạng {ranks})"


def shorten(name: str, limit: int, middle: bool = False) -> str:
    if len(name) <= limit:
        return name
    if middle:  # keep both ends, whole words: names sharing a long start differ at the end
        half = (limit - 1) // 2
        head, tail = name[:half], name[-half:]
        head = head.rsplit(" ", 1)[0] if " " in head else head
        tail = tail.split(" ", 1)[1] if " " in tail and name[-half - 1] != " " else tail
        return head.rstrip(" ,;:–-") + " … " + tail.strip()
    cut = name[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def agency_labels(cards: Sequence[Scorecard]) -> list[str]:
    """«3. Sở Tư pháp»: rank and name, long names shortened but still telling agencies apart."""
    names = [text(card.name) for card in cards]
    short = [shorten(name, NAME_CHARS) for name in names]
    if len(set(short)) < len(set(names)):
        short = [shorten(name, NAME_CHARS, middle=True) for name in names]
    if len(set(short)) < len(set(names)):
        short = names
    return [f"{card.rank}. {name}" for card, name in zip(cards, short, strict=True)]
