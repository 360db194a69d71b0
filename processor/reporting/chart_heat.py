"""The heat map: a group's agencies (rank order) by its main indices, or by its criteria when
the profile has none; each cell the score as a percent of the index's maximum, written in it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from processor.core.formatting import format_number, format_points
from processor.reporting.chart_common import (
    PT,
    SMALL,
    WIDTH,
    Part,
    agency_labels,
    fit,
    group_name,
    measure,
    part_label,
    pitch,
    place,
    ranked_cards,
    render,
    text,
    title,
    title_height,
    width,
)
from processor.reporting.model import GroupReport, Measure, Report, Scorecard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NOT_SCORED = "KĐG"  # Không đánh giá
SCALE = "% điểm tối đa"
KEY_PT = SMALL
KEY_LINE = 0.125  # inches per line of the key under the map
DARKEST = 0.8  # of matplotlib's Greys: the best cell prints mid-dark, not black


def measures(card: Scorecard) -> tuple[Measure, ...]:
    """The main indices; the criteria when the profile has none."""
    return card.indices or card.criteria


def codes(cards: Sequence[Scorecard]) -> list[str]:
    """Every index code the group's agencies carry, in the rules' order."""
    found: dict[str, None] = {}
    for card in cards:
        found.update((measure.code, None) for measure in measures(card))
    return list(found)


def heat_title(report: Report, group: GroupReport, part: Part | None = None) -> str:
    kind = "tiêu chí" if report.index_kind == "criterion" else "chỉ số chính"
    tail = part_label(ranked_cards(group), part)
    return f"{group_name(group)}: điểm từng {kind} so với điểm tối đa (%){tail}"


def heat_png(report: Report, group: GroupReport, part: Part | None = None) -> bytes:
    return render(lambda figure: _draw_heat(figure, report, group, part))


def heat_frame(report: Report, group: GroupReport) -> float:
    """Inches the group's heat map takes besides its rows and its title: the column codes,
    the key (measured on a map of the first agency alone)."""
    height = measure(lambda figure: _draw_heat(figure, report, group, Part(1, 1, 0, 1)))
    return height - pitch(len(ranked_cards(group))) - title_height(heat_title(report, group))


def cell(measure: Measure | None) -> tuple[float, str]:
    """The shade (percent of the maximum; NaN for none) and the text of one cell."""
    if measure is None:
        return math.nan, ""
    if measure.score is None:
        return math.nan, NOT_SCORED if measure.maximum is not None else ""
    if not measure.maximum:  # a deduction (maximum 0): the points taken off, unshaded
        return math.nan, format_points(measure.score)
    share = measure.score * 100 / measure.maximum
    return float(share), format_number(share, 0)


def _key(
    figure: Figure, names: dict[str, str], deductions: list[str], scored: bool
) -> tuple[list[list[str]], int]:
    """The lines under the map (what each code stands for) and how many columns they have."""
    entries = [f"{code}: {text(name)}" for code, name in names.items()]
    columns = 3 if max(width(figure, e, KEY_PT) for e in entries) < WIDTH / 3 - 0.2 else 2
    room = (WIDTH - 0.2) / columns - 0.12
    cut = [fit(figure, entry, room, KEY_PT) for entry in entries]
    per = math.ceil(len(cut) / columns)
    lines = [cut[n::per] for n in range(per)]
    extra = []
    if deductions:
        extra.append(f"{', '.join(deductions)}: điểm trừ, ghi số điểm bị trừ, ô không tô.")
    if not scored:
        extra.append(f"{NOT_SCORED}: không đánh giá.")
    return lines + ([[" ".join(extra)]] if extra else []), columns


def _draw_heat(
    figure: Figure, report: Report, group: GroupReport, part: Part | None = None
) -> None:
    """The map of the group's ranked agencies, or of one part of them, laid out as the whole
    group (the same columns, margins, scale and key), so that parts compare."""
    import numpy
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    heading = heat_title(report, group, part)
    every = ranked_cards(group)
    columns = codes(every)
    table = [{m.code: m for m in measures(card)} for card in every]
    cells = [[cell(row.get(code)) for code in columns] for row in table]
    names = agency_labels(every)
    deductions = [
        code
        for code in columns
        if all(not m.maximum for row in table if (m := row.get(code)) is not None)
    ]
    titles: dict[str, str] = {}
    for row in table:
        titles.update((code, m.name) for code, m in row.items() if code not in titles)
    complete = all(t != NOT_SCORED for row in cells for _, t in row)
    key, key_columns = _key(figure, {code: titles[code] for code in columns}, deductions, complete)
    left = max(width(figure, name) for name in names) + 0.12
    wide = min(WIDTH - left - 0.8, 0.55 * len(columns))
    step = wide / len(columns)
    code_pt = next(
        (pt for pt in (PT, SMALL) if max(width(figure, c, pt) for c in columns) < step * 0.9),
        None,
    )
    upright = code_pt is None  # too wide even in the small size: written upwards
    code_pt = code_pt or PT
    label_room = max(width(figure, code) for code in columns) + 0.08 if upright else 0.16
    cut = slice(part.start, part.stop) if part is not None else slice(None)
    every_cells = cells  # the scale is the whole group's, so that parts compare
    cards, cells, names = every[cut], cells[cut], names[cut]
    tall = len(cards) * pitch(len(every))
    head = title_height(heading) + label_room + 0.04
    foot = label_room + 0.12 + KEY_LINE * len(key)
    height = head + tall + foot
    figure.set_size_inches(WIDTH, height)
    title(figure, heading, height)
    axes = place(figure, (left, foot, wide, tall), height)
    floor = scale_floor([value for row in every_cells for value, _ in row])
    greys = ListedColormap(
        colormaps["Greys"](numpy.linspace(0.0, DARKEST, 256)), name="greys"
    ).with_extremes(bad="white")
    grid = numpy.ma.masked_invalid(numpy.array([[v for v, _ in row] for row in cells]))
    image = axes.imshow(
        grid, cmap=greys, vmin=floor, vmax=100, aspect="auto", interpolation="nearest"
    )
    widest = max((width(figure, t, SMALL) for line in cells for _, t in line), default=0.0)
    size = SMALL if widest < step * 0.92 else SMALL - 0.6  # many narrow columns: smaller
    for y, line in enumerate(cells):
        for x, (value, label) in enumerate(line):
            dark = not math.isnan(value) and _luminance(greys(_part(value, floor))) < 0.5
            axes.text(
                x,
                y,
                label,
                ha="center",
                va="center",
                fontsize=size,
                color="white" if dark else "black",
            )
    axes.set_xticks(range(len(columns)), [text(code) for code in columns])
    axes.set_yticks(range(len(cards)), names)
    axes.tick_params(axis="both", length=0, pad=2)
    axes.tick_params(
        axis="x", top=True, labeltop=True, rotation=90 if upright else 0, labelsize=code_pt
    )
    # white lines between the cells
    between = [x + 0.5 for x in range(len(columns) - 1)]
    axes.vlines(between, -0.5, len(cards) - 0.5, colors="white", linewidth=0.8)
    between = [y + 0.5 for y in range(len(cards) - 1)]
    axes.hlines(between, -0.5, len(columns) - 0.5, colors="white", linewidth=0.8)
    for spine in axes.spines.values():
        spine.set_visible(False)
    scale_tall = min(tall, 2.2)
    scale_box = (left + wide + 0.16, foot + tall - scale_tall, 0.12, scale_tall)
    legend = figure.colorbar(image, cax=place(figure, scale_box, height), ticks=scale_ticks(floor))
    legend.set_label(SCALE, fontsize=PT)
    legend.ax.tick_params(labelsize=SMALL, width=0.5)
    legend.outline.set_linewidth(0.5)
    for n, spans in enumerate(key):
        low = 0.06 + KEY_LINE * (len(key) - 1 - n)
        for c, span in enumerate(spans):
            start = 0.1 + c * (WIDTH - 0.2) / key_columns
            figure.text(start / WIDTH, low / height, span, fontsize=KEY_PT)


def scale_floor(values: Sequence[float]) -> int:
    """The shade scale's lowest percent: the group's lowest, rounded down to a multiple of 10
    (0 at the least, 90 at the most), so that the group's own spread uses the whole scale."""
    shown = [value for value in values if not math.isnan(value)]
    if not shown:
        return 0
    return int(min(90, max(0, math.floor(min(shown) / 10) * 10)))


def scale_ticks(floor: int) -> list[int]:
    """The ticks of the scale, floor to 100, at most 7 of them and evenly spaced."""
    span = 100 - floor
    step = next((n for n in (10, 20, 25, 30, 50) if span % n == 0 and span // n <= 6), 10)
    return list(range(floor, 101, step))


def _part(value: float, floor: int) -> float:
    """Where a percent falls on the scale floor..100, as 0..1."""
    return (min(max(value, floor), 100) - floor) / (100 - floor)


def _luminance(rgba: tuple[float, float, float, float]) -> float:
    red, green, blue, _ = rgba
    return 0.299 * red + 0.587 * green + 0.114 * blue
