"""The report's figures, computed once from the validated results: group statistics, each
agency's standing on every index, movers, leaders, level counts.

pandas does the grouping (one long table of agency x index, grouped by group and index); the
figures themselves stay exact Decimals: the aggregations are Decimal functions, not floats.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from processor.core.flags import Flag
from processor.core.model import (
    AgencyResult,
    DecisionInfo,
    GroupResult,
    RankBasis,
    Rules,
)
from processor.core.past import PastYear
from processor.core.scoring import ranks
from processor.reporting.levels import levels, movers, next_level, thresholds
from processor.reporting.model import (
    GroupReport,
    IndexStats,
    Leader,
    Measure,
    Report,
    Scorecard,
    Stats,
)

if TYPE_CHECKING:
    import pandas as pd

ROOM = 3  # how many indices a scorecard names as having the most room


def build_report(
    rules: Rules,
    info: DecisionInfo,
    groups: Sequence[GroupResult],
    flags: Sequence[Flag] = (),
    past: PastYear | None = None,
    margin: Decimal | None = None,
) -> Report:
    """Everything the summary, the charts and the scorecards show, from the computed results."""
    cells = _cells(rules, groups)
    table = _group_table(rules, cells)
    reports = tuple(_group_report(rules, group, cells, table, past) for group in groups)
    return Report(
        year=info.year,
        province=rules.document.province,
        subject=rules.wording.subject,
        subject_short=rules.wording.subject_short or rules.wording.subject,
        precision=rules.precision,
        percent_precision=rules.percent_precision,
        index_kind="pillar" if rules.pillars else "criterion",
        groups=reports,
        flags=tuple(flags),
        margin=rules.report.margin if margin is None else margin,
        prior_year=None if past is None else past.year,
        texts=dict(rules.report.texts),
    )


def stats(values: Sequence[Decimal]) -> Stats:
    """Exact statistics of a non-empty sequence (statistics' Decimal arithmetic)."""
    best, worst = max(values), min(values)
    return Stats(
        count=len(values),
        mean=statistics.mean(values),
        median=statistics.median(values),
        best=best,
        worst=worst,
        spread=best - worst,
        stdev=statistics.pstdev(values),
    )


def _measures(rules: Rules) -> list[tuple[str, str, str]]:
    """(kind, code, name) of every index and criterion, in the rules' order."""
    return [("pillar", p.code, p.name) for p in rules.pillars] + [
        ("criterion", c.code, c.name) for c in rules.criteria
    ]


def _cells(rules: Rules, groups: Sequence[GroupResult]) -> pd.DataFrame:
    """One row per agency and index or criterion that applies to its group."""
    import pandas as pd

    criteria = {c.code: c for c in rules.criteria}
    rows: list[dict[str, Any]] = []
    for group in groups:
        code = group.group.code
        for position, result in enumerate((*group.results, *group.unranked)):
            agency = result.agency
            for kind, measure, _ in _measures(rules):
                if kind == "pillar":
                    score: Decimal | None = result.pillar_totals.get(measure)
                    maximum: Decimal | None = result.pillar_max.get(measure)
                else:
                    criterion = criteria[measure]
                    if not criterion.applies_to(code):
                        continue
                    maximum = Decimal(0) if criterion.deduction else criterion.max_points[code]
                    score = agency.scores.get(measure)
                rows.append(
                    {
                        "group": code,
                        "position": position,
                        "ranked": result.rank is not None,
                        "kind": kind,
                        "code": measure,
                        "score": score,
                        "maximum": maximum,
                    }
                )
    columns = ["group", "position", "ranked", "kind", "code", "score", "maximum"]
    cells = pd.DataFrame(rows, columns=columns)
    scored = cells["ranked"] & cells["score"].notna()
    cells["index_rank"] = pd.Series([None] * len(cells), dtype=object)
    if scored.any():  # each index's rank within its group, by the rules' tie policy
        ranked = cells[scored].groupby(["group", "code"], sort=False)["score"]
        cells.loc[scored, "index_rank"] = ranked.transform(_ranker(rules))
    return cells


def _ranker(rules: Rules) -> Callable[[pd.Series], list[int]]:
    def rank(column: pd.Series) -> list[int]:
        return ranks(list(column), rules.ties)

    return rank


def _group_table(rules: Rules, cells: pd.DataFrame) -> pd.DataFrame:
    """Per group and index: count, mean, best, and the sorted scores (for median and spread)."""
    scored = cells[cells["ranked"] & cells["score"].notna()]
    grouped = scored.groupby(["group", "code"], sort=False)
    return grouped.agg(
        count=("score", "size"),
        scores=("score", lambda column: tuple(column)),
        maxima=("maximum", lambda column: frozenset(column)),
    )


def _group_report(
    rules: Rules,
    group: GroupResult,
    cells: pd.DataFrame,
    table: pd.DataFrame,
    past: PastYear | None,
) -> GroupReport:
    code = group.group.code
    by_percent = rules.rank_by is RankBasis.PERCENT
    ranked = group.results
    mine = cells[cells["group"] == code]
    indices = _applicable(rules, code)
    summary = {
        measure: table.loc[(code, measure)]
        for _, measure, _ in indices
        if (code, measure) in table.index
    }
    cards = tuple(
        _card(rules, group, result, position, mine, summary)
        for position, result in enumerate((*group.results, *group.unranked))
    )
    shown = [(k, m, n) for k, m, n in indices if k == _index_kind(rules)]
    return GroupReport(
        code=code,
        label=group.group.printed_label,
        title=group.group.title,
        max_points=group.group.max_points,
        ranked=len(ranked),
        unranked=len(group.unranked),
        levels=levels(rules, group, past),
        totals=stats([r.rounded_total for r in ranked]) if ranked else None,
        percents=stats([r.percent for r in ranked if r.percent is not None])
        if by_percent and any(r.percent is not None for r in ranked)
        else None,
        indices=tuple(
            IndexStats(
                code=measure,
                name=name,
                maximum=_single(summary[measure]["maxima"]),
                stats=stats(list(summary[measure]["scores"])),
            )
            for _, measure, name in shown
            if measure in summary
        ),
        movers_up=movers(ranked, up=True),
        movers_down=movers(ranked, up=False),
        leaders=tuple(
            _leader(measure, name, ranked, cards)
            for _, measure, name in shown
            if measure in summary
        ),
        thresholds=thresholds(rules, group, by_percent),
        by_percent=by_percent,
        cards=cards,
    )


def _applicable(rules: Rules, group: str) -> tuple[tuple[str, str, str], ...]:
    """The indices and the criteria that apply to a group, in the rules' order."""
    applies = {c.code for c in rules.criteria if c.applies_to(group)}
    return tuple(
        (kind, code, name)
        for kind, code, name in _measures(rules)
        if kind == "pillar" or code in applies
    )


def _index_kind(rules: Rules) -> str:
    """What the summary calls the indices: the main indices, or the criteria without them."""
    return "pillar" if rules.pillars else "criterion"


def _single(maxima: Iterable[Decimal | None]) -> Decimal | None:
    found = set(maxima)
    return found.pop() if len(found) == 1 else None


def _card(
    rules: Rules,
    group: GroupResult,
    result: AgencyResult,
    position: int,
    mine: pd.DataFrame,
    summary: dict[str, Any],
) -> Scorecard:
    names = {p.code: p.name for p in rules.pillars} | {c.code: c.name for c in rules.criteria}
    rows = mine[mine["position"] == position]
    measures: dict[str, list[Measure]] = {"pillar": [], "criterion": []}
    for row in rows.itertuples(index=False):
        code = str(row.code)
        line = summary.get(code)
        score = row.score if row.score is not None and row.score == row.score else None
        maximum = row.maximum
        measures[str(row.kind)].append(
            Measure(
                code=code,
                name=names[code],
                score=score,
                maximum=maximum,
                group_mean=None if line is None else statistics.mean(line["scores"]),
                group_best=None if line is None else max(line["scores"]),
                rank=None if row.index_rank is None else int(row.index_rank),
                of=0 if line is None else int(line["count"]),
                room=Decimal(0) if score is None or maximum is None else maximum - score,
            )
        )
    indices = tuple(measures["pillar"])
    roomy = indices or tuple(measures["criterion"])
    most_room = tuple(sorted((m for m in roomy if m.room > 0), key=lambda m: -m.room)[:ROOM])
    agency = result.agency
    next_grade, lacking, lacking_percent = next_level(rules, group, result)
    return Scorecard(
        group=group.group.code,
        group_label=group.group.printed_label,
        group_title=group.group.title,
        name=agency.name,
        row=agency.row,
        total=result.rounded_total,
        max_points=result.max_points,
        percent=result.percent,
        grade=result.grade,
        rank=result.rank,
        ranked_in_group=len(group.results),
        prior_rank=agency.prior_rank,
        rank_change=result.rank_change,
        unranked_reason=agency.unranked_reason,
        indices=indices,
        criteria=tuple(measures["criterion"]),
        next_grade=next_grade,
        lacking=lacking,
        lacking_percent=lacking_percent,
        most_room=most_room,
        email=agency.email,
    )


def _leader(
    code: str, name: str, ranked: Sequence[AgencyResult], cards: Sequence[Scorecard]
) -> Leader:
    scored = [
        (card.name, measure)
        for card in cards[: len(ranked)]
        for measure in (*card.indices, *card.criteria)
        if measure.code == code and measure.score is not None
    ]
    best = max(measure.score for _, measure in scored if measure.score is not None)
    return Leader(
        code=code,
        name=name,
        agencies=tuple(agency for agency, measure in scored if measure.score == best),
        score=best,
        maximum=_single(measure.maximum for _, measure in scored),
    )
