"""The summary's charts as PNG images: ranked bars, the level distribution, heat maps.

Drawn for black-and-white print: every level has its own grey and hatch, the mean is dashed
and the thresholds are solid, every bar and cell carries its number. The figures are drawn by
chart_bars and chart_heat (matplotlib imported inside their functions, so importing this
module stays cheap) in matplotlib's own DejaVu Sans, which has every Vietnamese letter.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from processor.reporting.chart_bars import (
    has_prior,
    levels_png,
    levels_title,
    ranked_frame,
    ranked_png,
    ranked_title,
)
from processor.reporting.chart_common import (
    PAGE_TALL,
    Part,
    parts,
    pitch,
    ranked_cards,
    title_height,
)
from processor.reporting.chart_heat import codes, heat_frame, heat_png, heat_title
from processor.reporting.model import GroupReport, Report

LEVELS_STEM = "muc-do"


@dataclass(frozen=True, slots=True)
class Chart:
    stem: str  # the file name without .png, ASCII: "xep-hang-nhom-I"
    title: str  # Vietnamese, as drawn at the top of the chart; fit for a caption
    png: bytes
    group: str | None  # the code of the group drawn; None for a chart of all groups


def charts(report: Report) -> tuple[Chart, ...]:
    """Per group the ranked bars; the level distribution; per group the heat map.

    A group without ranked agencies has neither bars nor a heat map (nor a heat map without
    indices); the level distribution is left out when the rules have no levels. A group longer
    than one page (rows_per_page) has its bars and its heat map in the same parts, of about
    equal size ("xep-hang-nhom-XP-phan-1", …), each printed on one page at full width.
    """
    found: list[Chart] = []
    slugs = group_slugs([group.code for group in report.groups])
    drawn = [(g, s) for g, s in zip(report.groups, slugs, strict=True) if ranked_cards(g)]
    split = {g.code: parts(len(ranked_cards(g)), rows_per_page(report, g)) for g, _ in drawn}
    for group, slug in drawn:
        stem = f"xep-hang-nhom-{slug}"
        draw = partial(ranked_png, report)
        found += _in_parts(stem, group, split[group.code], ranked_title, draw)
    if any(group.levels for group in report.groups):
        title = levels_title(report, has_prior(report))
        found.append(Chart(LEVELS_STEM, title, levels_png(report), None))
    for group, slug in drawn:
        if codes(ranked_cards(group)):
            stem = f"ban-do-nhiet-nhom-{slug}"
            heading = partial(heat_title, report)
            found += _in_parts(stem, group, split[group.code], heading, partial(heat_png, report))
    return tuple(found)


def rows_per_page(report: Report, group: GroupReport) -> int:
    """The most rows of the group's bars and of its heat map that fit one page of the summary
    at full width (PAGE_TALL): 52 for the 99 communes of the 2026 sample, so two parts."""
    ranked = ranked_cards(group)
    frames = [ranked_frame(report, group)]
    headings = [ranked_title(group)]
    if codes(ranked):
        frames.append(heat_frame(report, group))
        headings.append(heat_title(report, group))
    last = ranked[-1].rank
    widest = f" (phần 9/9: hạng {last}–{last})"  # the longest part title it may get
    frame = max(f + title_height(h + widest) for f, h in zip(frames, headings, strict=True))
    return max(1, math.floor((PAGE_TALL - frame) / pitch(len(ranked)) + 1e-9))


def _in_parts(
    stem: str,
    group: GroupReport,
    pieces: tuple[Part, ...],
    heading: Callable[[GroupReport, Part | None], str],
    draw: Callable[[GroupReport, Part | None], bytes],
) -> list[Chart]:
    """The chart of a group, or its parts when the group is too long for one page."""
    if len(pieces) == 1:
        return [Chart(stem, heading(group, None), draw(group, None), group.code)]
    return [
        Chart(f"{stem}-phan-{part.number}", heading(group, part), draw(group, part), group.code)
        for part in pieces
    ]


def group_slugs(codes: Sequence[str]) -> list[str]:
    """ASCII file-name parts for group codes, distinct even where file names ignore case."""
    found: list[str] = []
    for code in codes:
        plain = unicodedata.normalize("NFD", code.replace("đ", "d").replace("Đ", "D"))
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
        slug = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-") or "nhom"
        taken = {s.casefold() for s in found}
        candidate, n = slug, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{slug}-{n}"
        found.append(candidate)
    return found
