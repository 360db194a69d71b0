"""The summary's tables as text (Grid): level counts, statistics, movers, leaders, flags.

Every figure is read from the Report objects and printed the Vietnamese way at the rules'
precision (scores) or percent precision (percents); maxima and thresholds as the rules write
them ("100", "62,5"). Only a level's share of the group is worked out here (its count over the
ranked agencies).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from processor.core.flags import KINDS, NEAR_BOUNDARY, ONE_STEP, ROUNDING_SPLIT, ROUNDING_TIE, Flag
from processor.core.formatting import format_number, format_points, signed
from processor.reporting.model import GroupReport, Leader, Mover, Report, Stats, Threshold
from processor.reporting.sentences import count
from processor.reporting.summary_docx import LEFT, RIGHT, TEXT_W_MM, Column, Grid

DIFFERENT = "—"  # the maximum differs between the group's agencies
DIFFERENT_NOTE = f"«{DIFFERENT}»: điểm tối đa khác nhau giữa các đơn vị trong nhóm."
STDEV_NOTE = (
    "Độ lệch chuẩn: độ lệch chuẩn tổng thể (chia cho số đơn vị, như hàm STDEV.P của Excel; "
    "hàm STDEV cho độ lệch chuẩn mẫu, lớn hơn một chút)."
)
LEADERS_NAMED = 5  # a cell names at most this many tied leaders
STAT_HEADINGS = (
    "Tối đa",
    "Trung bình",
    "Trung vị",
    "Cao nhất",
    "Thấp nhất",
    "Chênh lệch",
    "Độ lệch chuẩn",
)
KIND_NAMES = {
    NEAR_BOUNDARY: "Các đơn vị sát ngưỡng một mức",
    ROUNDING_TIE: "Các đơn vị bằng điểm chỉ do làm tròn",
    ROUNDING_SPLIT: "Các đơn vị khác điểm chỉ do làm tròn",
    ONE_STEP: "Các thứ hạng đổi nếu một ô điểm thay đổi một bước chấm",
}


def index_word(report: Report) -> str:
    return "Chỉ số" if report.index_kind == "pillar" else "Tiêu chí"


def level_grid(report: Report, group: GroupReport) -> Grid | None:
    """Levels: threshold, count and share; last year's count and the change when known."""
    if not group.levels:
        return None
    known = any(level.prior is not None for level in group.levels)
    widths: tuple[float, ...] = (32, 45, 20, 20, 24, 24) if known else (38, 55, 24, 24)
    columns = [
        Column("Mức độ", widths[0], LEFT),
        Column("Ngưỡng", widths[1], LEFT),
        Column("Số đơn vị", widths[2], RIGHT),
        Column("Tỷ lệ (%)", widths[3], RIGHT),
    ]
    if known:
        before = report.prior_year if report.prior_year is not None else report.year - 1
        columns += [
            Column(f"Năm {before}", widths[4], RIGHT),
            Column("Tăng (+), giảm (-)", widths[5], RIGHT),
        ]
    bands = level_bands(group)
    rows: list[tuple[str, ...]] = []
    for level in group.levels:
        row = [
            level.grade,
            bands.get(level.grade, ""),
            count(level.count),
            _share(report, group, level.count),
        ]
        if known:
            change = level.change
            row += [
                "" if level.prior is None else count(level.prior),
                "" if change is None else signed(change),
            ]
        rows.append(tuple(row))
    total = ["Cộng", "", count(group.ranked), _share(report, group, group.ranked)]
    if known:
        priors = [level.prior for level in group.levels if level.prior is not None]
        before_total = sum(priors)
        total += [count(before_total), signed(group.ranked - before_total)]
    rows.append(tuple(total))
    return Grid(tuple(columns), tuple(rows), strong=frozenset({len(rows) - 1}))


def _share(report: Report, group: GroupReport, number: int) -> str:
    if not group.ranked:
        return ""
    return format_number(Decimal(number) * 100 / group.ranked, report.percent_precision)


def level_bands(group: GroupReport) -> dict[str, str]:
    """Each level's range in words: "Từ 70 đến dưới 85 điểm", "Trên 50% đến 75%"."""
    unit, after = ("%", "") if group.by_percent else ("", " điểm")
    by_grade = {threshold.grade: threshold for threshold in group.thresholds}

    def number(threshold: Threshold) -> str:
        return format_points(threshold.value) + unit

    bands: dict[str, str] = {}
    above: Threshold | None = None
    for level in group.levels:
        low = by_grade.get(level.grade)
        if low is not None:
            start = ("Từ " if low.inclusive else "Trên ") + number(low)
            if above is None:
                bands[level.grade] = start + after + (" trở lên" if low.inclusive else "")
            else:
                end = ("dưới " if above.inclusive else "") + number(above)
                bands[level.grade] = f"{start} đến {end}{after}"
            above = low
        elif above is not None:
            if above.inclusive:
                bands[level.grade] = f"Dưới {number(above)}{after}"
            else:
                bands[level.grade] = f"Từ {number(above)}{after} trở xuống"
            above = None  # a later level without a bound has no range of its own
    return bands


def stats_grid(report: Report, group: GroupReport) -> Grid | None:
    """Totals (and percents) and each index: maximum, mean, median, best, worst, spread, SD."""
    if group.totals is None:
        return None
    first = TEXT_W_MM - 17 * len(STAT_HEADINGS)
    columns = (
        Column("Nội dung", first, LEFT),
        *(Column(heading, 17, RIGHT) for heading in STAT_HEADINGS),
    )
    rows = [_stats_row(report, "Tổng điểm", format_points(group.max_points), group.totals, None)]
    if group.percents is not None:
        rows.append(
            _stats_row(report, "Tỷ lệ (%)", "100", group.percents, report.percent_precision)
        )
    for index in group.indices:
        maximum = DIFFERENT if index.maximum is None else format_points(index.maximum)
        rows.append(_stats_row(report, f"{index.code} {index.name}", maximum, index.stats, None))
    return Grid(columns, tuple(rows), strong=frozenset({0}))


def _stats_row(
    report: Report, label: str, maximum: str, stats: Stats, precision: int | None
) -> tuple[str, ...]:
    digits = report.precision if precision is None else precision
    figures = (stats.mean, stats.median, stats.best, stats.worst, stats.spread, stats.stdev)
    return (label, maximum, *(format_number(value, digits) for value in figures))


def stats_note(group: GroupReport) -> str:
    """Which standard deviation the table gives; what «—» in the maximum column means, when it
    appears."""
    different = any(index.maximum is None for index in group.indices)
    return f"{STDEV_NOTE} {DIFFERENT_NOTE}" if different else STDEV_NOTE


def mover_grid(report: Report, moved: Sequence[Mover]) -> Grid:
    before = report.prior_year if report.prior_year is not None else report.year - 1
    columns = (
        Column("TT", 11, "center"),
        Column("Đơn vị", 84, LEFT),
        Column(f"Hạng năm {before}", 23, RIGHT),
        Column(f"Hạng năm {report.year}", 23, RIGHT),
        Column("Thay đổi (bậc)", 24, RIGHT),
    )
    rows = tuple(
        (
            count(number),
            mover.name,
            count(mover.prior_rank),
            count(mover.rank),
            signed(mover.change),
        )
        for number, mover in enumerate(moved, 1)
    )
    return Grid(columns, rows)


def leaders(group: GroupReport) -> tuple[Leader, ...]:
    """The leaders worth naming: a deduction (maximum 0) has none."""
    return tuple(leader for leader in group.leaders if leader.maximum is None or leader.maximum > 0)


def leader_grid(report: Report, group: GroupReport) -> Grid | None:
    shown = leaders(group)
    if not shown:
        return None
    columns = (
        Column(index_word(report), 62, LEFT),
        Column("Tối đa", 17, RIGHT),
        Column("Đơn vị dẫn đầu", 66, LEFT),
        Column("Điểm", 20, RIGHT),
    )
    rows = tuple(
        (
            f"{leader.code} {leader.name}",
            DIFFERENT if leader.maximum is None else format_points(leader.maximum),
            _leader_names(leader.agencies),
            format_number(leader.score, report.precision),
        )
        for leader in shown
    )
    return Grid(columns, rows)


def _leader_names(agencies: Sequence[str]) -> str:
    if len(agencies) <= LEADERS_NAMED:
        return "\n".join(agencies)
    rest = len(agencies) - LEADERS_NAMED
    return "\n".join([*agencies[:LEADERS_NAMED], f"và {count(rest)} đơn vị khác"])


def flag_grid(report: Report, flags: Sequence[Flag]) -> Grid:
    """One kind of flag: the group, the agency, the sentence with the figures."""
    labels = {group.code: group.label or group.code for group in report.groups}
    columns = (
        Column("TT", 11, "center"),
        Column("Nhóm", 16, "center"),
        Column("Đơn vị", 50, LEFT),
        Column("Nội dung", 88, LEFT),
    )
    rows = tuple(
        (count(number), labels.get(flag.group, flag.group), flag.name, flag.detail)
        for number, flag in enumerate(flags, 1)
    )
    return Grid(columns, rows)


def flags_by_kind(report: Report) -> list[tuple[str, tuple[Flag, ...]]]:
    """The flags in kind order (KINDS), each kind with its Vietnamese heading."""
    kinds = [*KINDS, *sorted({flag.kind for flag in report.flags} - set(KINDS))]
    found = []
    for kind in kinds:
        mine = tuple(flag for flag in report.flags if flag.kind == kind)
        if mine:
            found.append((KIND_NAMES.get(kind, kind), mine))
    return found
