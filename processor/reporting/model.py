"""What the report shows, as plain data: computed once (tables.py), drawn by the others.

Every figure the summary, the charts and the scorecards print comes from these objects, so a
sentence can be checked against the table it was written from. Decimals are exact (means and
deviations carry 28 digits); printing rounds them at the rules' precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from processor.core.flags import Flag


@dataclass(frozen=True, slots=True)
class Stats:
    """Totals (or one index's subtotals) over a group's ranked agencies."""

    count: int
    mean: Decimal
    median: Decimal
    best: Decimal
    worst: Decimal
    spread: Decimal  # best - worst
    stdev: Decimal  # population standard deviation


@dataclass(frozen=True, slots=True)
class Measure:
    """One agency on one main index (or criterion), beside its group."""

    code: str
    name: str
    score: Decimal | None  # the rounded subtotal or the cell; None: not scored or not applicable
    maximum: Decimal | None  # None: the criterion does not apply to the agency's group
    group_mean: Decimal | None  # over the group's ranked agencies scored on it
    group_best: Decimal | None
    rank: int | None  # among those agencies (the rules' tie policy); None when not ranked on it
    of: int  # how many agencies are ranked on it
    room: Decimal  # maximum - score: the points still to gain (0 when not scored)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One agency's page."""

    group: str  # the group's code
    group_label: str  # as printed ("I")
    group_title: str
    name: str
    row: int  # the workbook row
    total: Decimal  # rounded, as in the decision
    max_points: Decimal  # the agency's own maximum
    percent: Decimal | None
    grade: str | None
    rank: int | None  # None: assessed but not ranked
    ranked_in_group: int
    prior_rank: int | None
    rank_change: int | None  # positive: moved up
    unranked_reason: str | None
    indices: tuple[Measure, ...]  # the main indices; empty when the profile has none
    criteria: tuple[Measure, ...]  # every criterion of the profile that applies to the group
    next_grade: str | None  # the next level up; None at the top, unranked, or without levels
    lacking: Decimal | None  # points (at the printed precision) short of the next level
    lacking_percent: Decimal | None  # percentage points short, when levels are in percent
    most_room: tuple[Measure, ...]  # up to three indices (criteria without indices), most room
    email: str | None = None


@dataclass(frozen=True, slots=True)
class LevelCount:
    grade: str
    count: int
    prior: int | None = None  # last year's count (history); None when unknown

    @property
    def change(self) -> int | None:
        return None if self.prior is None else self.count - self.prior


@dataclass(frozen=True, slots=True)
class Mover:
    name: str
    prior_rank: int
    rank: int
    change: int  # prior_rank - rank; positive: moved up


@dataclass(frozen=True, slots=True)
class Leader:
    """Who leads one index in a group (several when tied)."""

    code: str
    name: str  # the index's name
    agencies: tuple[str, ...]
    score: Decimal
    maximum: Decimal | None


@dataclass(frozen=True, slots=True)
class Threshold:
    """A level's lower bound, in the unit the bars are drawn in."""

    grade: str
    value: Decimal
    inclusive: bool


@dataclass(frozen=True, slots=True)
class IndexStats:
    code: str
    name: str
    maximum: Decimal | None  # None when the group's agencies have different maxima on it
    stats: Stats


@dataclass(frozen=True, slots=True)
class GroupReport:
    code: str
    label: str  # as printed ("I")
    title: str
    max_points: Decimal
    ranked: int
    unranked: int
    levels: tuple[LevelCount, ...]  # every level of the rules in order, zeros too; () without
    totals: Stats | None  # None when no agency is ranked
    percents: Stats | None  # of the percents, when the group ranks by percent
    indices: tuple[IndexStats, ...]
    movers_up: tuple[Mover, ...]  # at most five, biggest rise first
    movers_down: tuple[Mover, ...]  # at most five, biggest fall first
    leaders: tuple[Leader, ...]  # one per index
    thresholds: tuple[Threshold, ...]
    by_percent: bool  # bars and thresholds are percents (rank_by = "percent")
    cards: tuple[Scorecard, ...]  # ranked in rank order, then the unranked


@dataclass(frozen=True, slots=True)
class Report:
    year: int
    province: str
    subject: str  # "chuyển đổi số"
    subject_short: str
    precision: int
    percent_precision: int
    index_kind: str  # "pillar": main indices; "criterion": the profile has none, criteria stand in
    groups: tuple[GroupReport, ...]
    flags: tuple[Flag, ...]
    margin: Decimal
    prior_year: int | None  # the year the level changes compare with; None without history
    texts: dict[str, str]  # the profile's reworded sentences ([report]), by key

    @property
    def cards(self) -> tuple[Scorecard, ...]:
        return tuple(card for group in self.groups for card in group.cards)
