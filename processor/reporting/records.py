"""The report as data for other programs (`report --format json`): the same figures the
summary and the scorecards print, as plain decimals with a dot at the printed precision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from processor.core.flags import flag_record
from processor.core.formatting import round_score
from processor.reporting.model import GroupReport, Measure, Report, Scorecard, Stats


def report_record(report: Report) -> dict[str, Any]:
    return {
        "year": report.year,
        "prior_year": report.prior_year,
        "index_kind": report.index_kind,
        "margin": _plain(report.margin, None),
        "flags": [flag_record(flag) for flag in report.flags],
        "groups": [_group(report, group) for group in report.groups],
        "scorecards": [_card(report, card) for card in report.cards],
    }


def _plain(value: Decimal | None, places: int | None) -> str | None:
    if value is None:
        return None
    shown = value if places is None else round_score(value, places)
    return f"{shown.normalize() if places is None else shown:f}"


def _stats(report: Report, stats: Stats | None, places: int) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {
        "count": stats.count,
        **{
            name: _plain(getattr(stats, name), places)
            for name in ("mean", "median", "best", "worst", "spread", "stdev")
        },
    }


def _group(report: Report, group: GroupReport) -> dict[str, Any]:
    places = report.precision
    return {
        "code": group.code,
        "title": group.title,
        "ranked": group.ranked,
        "unranked": group.unranked,
        "levels": [
            {"grade": level.grade, "count": level.count, "prior": level.prior}
            for level in group.levels
        ],
        "totals": _stats(report, group.totals, places),
        "percents": _stats(report, group.percents, report.percent_precision),
        "indices": [
            {
                "code": index.code,
                "name": index.name,
                "maximum": _plain(index.maximum, None),
                **(_stats(report, index.stats, places) or {}),
            }
            for index in group.indices
        ],
        "movers_up": [_mover(m) for m in group.movers_up],
        "movers_down": [_mover(m) for m in group.movers_down],
        "leaders": [
            {
                "code": leader.code,
                "agencies": list(leader.agencies),
                "score": _plain(leader.score, places),
            }
            for leader in group.leaders
        ],
    }


def _mover(mover: Any) -> dict[str, Any]:
    return {
        "name": mover.name,
        "prior_rank": mover.prior_rank,
        "rank": mover.rank,
        "change": mover.change,
    }


def _measure(report: Report, measure: Measure) -> dict[str, Any]:
    places = report.precision
    return {
        "code": measure.code,
        "score": _plain(measure.score, places),
        "maximum": _plain(measure.maximum, None),
        "group_mean": _plain(measure.group_mean, places),
        "group_best": _plain(measure.group_best, places),
        "rank": measure.rank,
        "of": measure.of,
    }


def _card(report: Report, card: Scorecard) -> dict[str, Any]:
    return {
        "group": card.group,
        "name": card.name,
        "total": _plain(card.total, report.precision),
        "max_points": _plain(card.max_points, None),
        "percent": _plain(card.percent, report.percent_precision),
        "grade": card.grade,
        "rank": card.rank,
        "of": card.ranked_in_group,
        "prior_rank": card.prior_rank,
        "rank_change": card.rank_change,
        "next_grade": card.next_grade,
        "lacking": _plain(card.lacking, report.precision),
        "lacking_percent": _plain(card.lacking_percent, report.percent_precision),
        "most_room": [m.code for m in card.most_room],
        "indices": [_measure(report, m) for m in card.indices],
        "criteria": [_measure(report, m) for m in card.criteria],
        "email": card.email,
    }
