"""Bar charts: a group's agencies ranked, with the level thresholds and the group mean; and the
number of agencies per level in each group (beside last year's when the history knows it).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from processor.core.formatting import format_number, format_points
from processor.reporting.chart_common import (
    PT,
    SMALL,
    WIDTH,
    Part,
    agency_labels,
    group_name,
    measure,
    part_label,
    pitch,
    place,
    plain_axes,
    ranked_cards,
    render,
    shade,
    text,
    tick_format,
    title,
    title_height,
    width,
    wrap,
)
from processor.reporting.chart_labels import CENTRE, label_places
from processor.reporting.model import GroupReport, Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LABEL_ROW_PT = 11.5  # the height of one row of threshold labels above the bars
NUMBER_PAD = 1.6  # points of white around the number at the end of a bar
PRIOR_FACE, PRIOR_HATCH = "#ffffff", "////"
NOW_FACE = "#5a5a5a"


def ranked_title(group: GroupReport, part: Part | None = None) -> str:
    measure = "tỷ lệ điểm đạt được (%)" if group.by_percent else "tổng điểm"
    return f"{group_name(group)}: {measure} theo thứ hạng{part_label(ranked_cards(group), part)}"


def ranked_png(report: Report, group: GroupReport, part: Part | None = None) -> bytes:
    return render(lambda figure: _draw_ranked(figure, report, group, part))


def ranked_frame(report: Report, group: GroupReport) -> float:
    """Inches the group's bar chart takes besides its rows and its title: threshold labels,
    axis, legend (measured on a chart of the first agency alone)."""
    height = measure(lambda figure: _draw_ranked(figure, report, group, Part(1, 1, 0, 1)))
    return height - pitch(len(ranked_cards(group))) - title_height(ranked_title(group))


def marks(report: Report, group: GroupReport) -> list[tuple[Decimal, str, bool]]:
    """(value, label, is the mean) of each vertical line: the thresholds, then the mean."""
    unit = "%" if group.by_percent else ""
    precision = report.percent_precision if group.by_percent else report.precision
    found = [
        (
            t.value,
            text(f"Mức {t.grade} {'≥' if t.inclusive else '>'} {format_points(t.value)}{unit}"),
            False,
        )
        for t in group.thresholds
    ]
    stats = group.percents if group.by_percent else group.totals
    if stats is not None:
        mean = format_number(stats.mean, precision)
        found.append((stats.mean, f"Trung bình nhóm {mean}{unit}", True))
    return found


def _draw_ranked(
    figure: Figure, report: Report, group: GroupReport, part: Part | None = None
) -> None:
    """The bars of the group's ranked agencies, or of one part of them. A part is laid out
    as the whole group (the same margins, scale, lines and legend), so that parts compare."""
    from matplotlib.patches import Patch
    from matplotlib.patheffects import withStroke
    from matplotlib.ticker import FuncFormatter

    heading = ranked_title(group, part)
    every = ranked_cards(group)
    unit = "%" if group.by_percent else ""
    precision = report.percent_precision if group.by_percent else report.precision
    values = [(card.percent if group.by_percent else card.total) or Decimal(0) for card in every]
    numbers = [f"{format_number(v, precision)}{unit}" for v in values]
    names = agency_labels(every)
    top = Decimal(100) if group.by_percent else max(group.max_points, *values)
    left = max(width(figure, name) for name in names) + 0.12
    right = max(width(figure, number, SMALL) for number in numbers) + 0.15
    low = min(Decimal(0), *values)
    cut = slice(part.start, part.stop) if part is not None else slice(None)
    cards, values, numbers, names = every[cut], values[cut], numbers[cut], names[cut]
    wide = WIDTH - left - right
    lines = marks(report, group)
    at = [left + float((value - low) / (top - low)) * wide for value, _, _ in lines]
    sizes = [width(figure, label) for _, label, _ in lines]
    # no label overlaps another, nor lies across another's line; near an edge, moved inwards
    places = label_places(at, sizes, 0.05, WIDTH - 0.05)
    rows = [label.row for label in places]
    levels = [level.grade for level in group.levels]
    legend_rows = math.ceil(len(levels) / 4)
    tall = len(cards) * pitch(len(every))
    head = title_height(heading) + LABEL_ROW_PT / 72 * (max(rows, default=-1) + 1) + 0.05
    note = 0.16 if group.unranked else 0.0
    foot = 0.42 + 0.2 * legend_rows + note
    height = head + tall + foot
    figure.set_size_inches(WIDTH, height)
    title(figure, heading, height)
    axes = place(figure, (left, foot, wide, tall), height)

    for face, hatch in dict.fromkeys(shade(levels, card.grade) for card in cards):
        mine = [i for i, card in enumerate(cards) if shade(levels, card.grade) == (face, hatch)]
        axes.barh(
            mine,
            [float(values[i]) for i in mine],
            height=0.7,
            color=face,
            hatch=hatch or None,
            edgecolor="black",
            linewidth=0.4,
            zorder=2,
        )
    halo = [withStroke(linewidth=1.8, foreground="white")]
    for i, (value, number) in enumerate(zip(values, numbers, strict=True)):
        # an opaque white box over the lines: a line at the end of a bar stops at the number
        axes.annotate(
            number,
            xy=(float(max(value, Decimal(0))), i),
            xytext=(NUMBER_PAD + 1.2, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=SMALL,
            annotation_clip=False,
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": NUMBER_PAD},
        )
    for (value, label, is_mean), (x, spot) in zip(lines, zip(at, places, strict=True),
                                                   strict=True):  # fmt: skip
        style: Any = (0, (4, 2)) if is_mean else "-"
        axes.axvline(
            float(value),
            color="black",
            linewidth=1.1 if is_mean else 0.7,
            linestyle=style,
            zorder=3,
            path_effects=halo,
        )
        link = {"arrowstyle": "-", "linewidth": 0.5, "linestyle": style, "shrinkA": 0}
        edge = {"left": 0.0, "right": 1.0}.get(spot.align, 0.5)
        leads = spot.row > 0 or (spot.align == CENTRE and abs(spot.shift) > 0.01)
        axes.annotate(
            label,
            xy=(float(value), 1),
            xycoords=("data", "axes fraction"),
            xytext=((spot.anchor - x) * 72, 2 + LABEL_ROW_PT * spot.row),
            textcoords="offset points",
            ha=spot.align,
            va="bottom",
            fontstyle="italic" if is_mean else "normal",
            annotation_clip=False,
            arrowprops={**link, "shrinkB": 0, "color": "0.35", "relpos": (edge, 0.0)}
            if leads
            else None,
        )
    axes.set_xlim(float(low), float(top))
    axes.set_ylim(len(cards) - 0.5, -0.5)
    axes.set_yticks(range(len(cards)), names)
    axes.tick_params(axis="y", length=0, pad=3)
    axes.xaxis.set_major_formatter(FuncFormatter(tick_format))
    axes.xaxis.grid(True, color="0.85", linewidth=0.4)
    plain_axes(axes)
    if group.by_percent:
        axes.set_xlabel("Tỷ lệ điểm đạt được so với điểm tối đa (%)")
    else:
        axes.set_xlabel(f"Tổng điểm (tối đa {format_points(group.max_points)} điểm)")
    if levels:
        handles = [
            Patch(
                facecolor=shade(levels, name)[0],
                hatch=shade(levels, name)[1] or None,
                edgecolor="black",
                linewidth=0.4,
                label=text(f"Mức {name}"),
            )
            for name in levels
        ]
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 4),
            frameon=False,
            bbox_to_anchor=(0.5, (0.02 + note) / height),
            handlelength=2.4,
            handleheight=1.2,
            columnspacing=1.6,
        )
    if group.unranked:
        figure.text(
            0.5,
            0.04 / height,
            f"Không vẽ trên biểu đồ: {group.unranked} cơ quan, đơn vị được đánh giá "
            "nhưng không xếp hạng.",
            ha="center",
            fontsize=SMALL,
            style="italic",
        )


def levels_title(report: Report, prior: bool) -> str:
    then = f"năm {report.prior_year}" if report.prior_year else "năm trước"
    heading = f"Số cơ quan, đơn vị theo mức xếp hạng, năm {report.year}"
    return heading + (f" so với {then}" if prior else "")


def has_prior(report: Report) -> bool:
    return any(level.prior is not None for group in report.groups for level in group.levels)


def levels_png(report: Report) -> bytes:
    return render(lambda figure: _draw_levels(figure, report))


def _draw_levels(figure: Figure, report: Report) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    groups = [group for group in report.groups if group.levels]
    prior = has_prior(report)
    years = (
        f"năm {report.prior_year}" if report.prior_year else "năm trước",
        f"năm {report.year}",
    )
    heading = levels_title(report, prior)
    columns = min(3, len(groups))
    lines = math.ceil(len(groups) / columns)
    panel = 2.3
    foot = 0.3 if prior else 0.05
    height = title_height(heading) + lines * panel + foot
    figure.set_size_inches(WIDTH, height)
    title(figure, heading, height)
    wide = (WIDTH - 0.4) / columns
    for n, group in enumerate(groups):
        line, column = divmod(n, columns)
        box = (0.52 + column * wide, foot + (lines - 1 - line) * panel + 0.5, wide - 0.3, 1.3)
        axes = place(figure, box, height)
        names = [level.grade for level in group.levels]
        counts = [level.count for level in group.levels]
        places = list(range(len(names)))
        tops: list[tuple[float, int]]
        if prior:
            before = [level.prior or 0 for level in group.levels]
            then = [p - 0.19 for p in places]
            now = [p + 0.19 for p in places]
            axes.bar(
                then,
                before,
                width=0.36,
                color=PRIOR_FACE,
                hatch=PRIOR_HATCH,
                edgecolor="black",
                linewidth=0.5,
                zorder=2,
            )
            axes.bar(
                now, counts, width=0.36, color=NOW_FACE, edgecolor="black", linewidth=0.5, zorder=2
            )
            tops = [*zip(then, before, strict=True), *zip(now, counts, strict=True)]
        else:
            for spot, name, count in zip(places, names, counts, strict=True):
                face, hatch = shade(names, name)
                axes.bar(
                    spot,
                    count,
                    width=0.66,
                    color=face,
                    hatch=hatch or None,
                    edgecolor="black",
                    linewidth=0.5,
                    zorder=2,
                )
            tops = [(float(spot), count) for spot, count in zip(places, counts, strict=True)]
        highest = max([count for _, count in tops] + [1])
        for middle, count in tops:
            axes.text(
                middle, count + highest * 0.02, str(count), ha="center", va="bottom", fontsize=SMALL
            )
        axes.set_ylim(0, highest * 1.15)
        axes.set_xlim(-0.6, len(names) - 0.4)
        room = (wide - 0.3) / max(len(names), 1) * 0.92
        ticks = ["\n".join(wrap(figure, text(name), room)) for name in names]
        axes.set_xticks(places, ticks)
        axes.tick_params(axis="x", length=0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        axes.yaxis.grid(True, color="0.85", linewidth=0.4)
        plain_axes(axes)
        heading_lines = [
            f"Nhóm {group.label or group.code}",
            *wrap(figure, text(group.title), wide - 0.2),
        ]
        axes.set_title("\n".join(heading_lines), fontsize=PT, pad=4)
        if column == 0:
            axes.set_ylabel("Số cơ quan, đơn vị")
    if prior:
        handles = [
            Patch(
                facecolor=PRIOR_FACE,
                hatch=PRIOR_HATCH,
                edgecolor="black",
                linewidth=0.5,
                label=years[0],
            ),
            Patch(facecolor=NOW_FACE, edgecolor="black", linewidth=0.5, label=years[1]),
        ]
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=2,
            frameon=False,
            bbox_to_anchor=(0.5, 0.02 / height),
            handlelength=2.4,
            handleheight=1.2,
        )
