"""The report's figures (processor/reporting/tables.py), checked against a recount done here
without pandas, on both bundled samples: group statistics, index ranks, leaders, movers, level
counts, the points an agency lacks for the next level."""

from __future__ import annotations

import statistics
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from processor.core.model import RankBasis
from processor.core.past import PastAgency, PastYear
from processor.core.scoring import percent, ranks
from processor.reporting.tables import build_report, stats

from report_samples import SAMPLES, sample_results


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest):
    rules, info, groups = sample_results(request.param)
    return rules, info, groups, build_report(rules, info, groups)


def test_every_agency_has_one_card_in_its_group_in_rank_order(sample):
    _, _, groups, report = sample
    for group, part in zip(groups, report.groups, strict=True):
        names = [r.agency.name for r in (*group.results, *group.unranked)]
        assert [card.name for card in part.cards] == names
        assert part.ranked == len(group.results)
    assert len(report.cards) == sum(len(g.results) + len(g.unranked) for g in groups)


def test_group_totals_are_the_exact_statistics_of_the_printed_totals(sample):
    _, _, groups, report = sample
    for group, part in zip(groups, report.groups, strict=True):
        totals = [r.rounded_total for r in group.results]
        assert part.totals is not None
        assert part.totals.count == len(totals)
        assert part.totals.mean == sum(totals) / len(totals)
        assert part.totals.median == statistics.median(totals)
        assert part.totals.best == max(totals) and part.totals.worst == min(totals)
        assert part.totals.spread == max(totals) - min(totals)


def test_index_figures_agree_with_the_subtotals_of_the_results(sample):
    rules, _, groups, report = sample
    for group, part in zip(groups, report.groups, strict=True):
        for index in part.indices:
            if rules.pillars:
                values = [r.pillar_totals[index.code] for r in group.results]
            else:
                values = [
                    r.agency.scores[index.code]
                    for r in group.results
                    if index.code in r.agency.scores
                ]
            assert index.stats.mean == sum(values) / len(values), index.code
            assert index.stats.best == max(values)
            assert index.stats.worst == min(values)
            leader = next(lead for lead in part.leaders if lead.code == index.code)
            assert leader.score == max(values)


def test_a_cards_rank_on_an_index_follows_the_tie_policy(sample):
    rules, _, groups, report = sample
    for group, part in zip(groups, report.groups, strict=True):
        ranked = group.results
        for position, card in enumerate(part.cards[: len(ranked)]):
            pillars = {m.code for m in card.indices}
            for measure in (*card.indices, *card.criteria):
                if measure.score is None:
                    continue
                values = {
                    i: r.pillar_totals.get(measure.code)
                    if measure.code in pillars
                    else r.agency.scores.get(measure.code)
                    for i, r in enumerate(ranked)
                }
                scored = [i for i, value in values.items() if value is not None]
                expected = ranks([values[i] for i in scored], rules.ties)[scored.index(position)]
                assert measure.rank == expected, (card.name, measure.code)
                assert measure.of == len(scored)


def test_the_points_lacking_reach_the_next_level_and_one_step_less_does_not(sample):
    rules, _, groups, report = sample
    unit = Decimal(1).scaleb(-rules.precision)
    names = [grade.name for grade in rules.grades]
    checked = 0
    for group, part in zip(groups, report.groups, strict=True):
        for result, card in zip(group.results, part.cards, strict=False):
            if card.next_grade is None:
                assert card.grade == names[0]
                continue
            assert card.next_grade == names[names.index(card.grade) - 1]
            bound = next(g for g in rules.grades if g.name == card.next_grade).bounds[card.group]
            assert card.lacking is not None and card.lacking > 0

            def reaches(extra: Decimal, result=result, bound=bound) -> bool:
                total = result.rounded_total + extra
                return bound.admits(
                    total, percent(total, result.max_points, rules.percent_precision)
                )

            assert reaches(card.lacking), card.name
            assert card.lacking == unit or not reaches(card.lacking - unit), card.name
            checked += 1
    assert checked


def test_most_room_names_the_indices_furthest_from_their_maximum(sample):
    _, _, _, report = sample
    for card in report.cards:
        pool = card.indices or card.criteria
        rooms = sorted((m.room for m in pool if m.room > 0), reverse=True)
        assert [m.room for m in card.most_room] == rooms[: len(card.most_room)]
        assert len(card.most_room) == min(3, len(rooms))


def test_movers_are_the_biggest_rank_changes_each_way(sample):
    _, _, groups, report = sample
    for group, part in zip(groups, report.groups, strict=True):
        ups = sorted(
            (r.rank_change for r in group.results if (r.rank_change or 0) > 0), reverse=True
        )
        downs = sorted(r.rank_change for r in group.results if (r.rank_change or 0) < 0)
        for named, changes in ((part.movers_up, ups), (part.movers_down, downs)):
            # the five biggest, and every agency tied with the fifth (a tie is never cut)
            shown = [m.change for m in named]
            assert shown == changes[: len(shown)]
            assert len(shown) == len(changes) or (
                shown[-1] != changes[len(shown)] and len(shown) <= 10
            )
            assert len(shown) >= min(5, len(changes)) or changes[len(shown)] == changes[4]
        for mover in (*part.movers_up, *part.movers_down):
            assert mover.prior_rank - mover.rank == mover.change


def test_thresholds_are_in_the_unit_of_the_bars(sample):
    rules, _, _, report = sample
    for part in report.groups:
        assert part.by_percent == (rules.rank_by is RankBasis.PERCENT)
        assert [t.grade for t in part.thresholds] == [
            g.name for g in rules.grades if g.bounds is not None
        ]
    if rules.rank_by is RankBasis.PERCENT:
        assert {t.value for part in report.groups for t in part.thresholds} == {
            Decimal(25),
            Decimal(50),
            Decimal(75),
        }


def test_level_counts_compare_with_last_year_only_when_the_history_has_its_levels():
    rules, info, groups = sample_results("lao-cai-2020")
    report = build_report(rules, info, groups)
    assert all(level.prior is None for part in report.groups for level in part.levels)
    first = report.groups[0]
    assert [level.count for level in first.levels] == [12, 4, 0, 0]
    past = PastYear(
        year=2019,
        profile="lao-cai-2020",
        agencies=(
            PastAgency("A", "I", 1, Decimal("90"), None, "Tốt"),
            PastAgency("B", "I", 2, Decimal("80"), None, "Khá"),
            PastAgency("C", "I", 3, Decimal("79"), None, "Khá"),
            PastAgency("D", "I", None, Decimal("40"), None, "Yếu"),  # not ranked: not counted
            PastAgency("E", "II", 1, Decimal("60"), None, None),  # no level recorded
        ),
    )
    report = build_report(rules, info, groups, past=past)
    assert report.prior_year == 2019
    levels = {level.grade: level for level in report.groups[0].levels}
    assert (levels["Tốt"].prior, levels["Tốt"].change) == (1, 11)
    assert (levels["Khá"].prior, levels["Khá"].change) == (2, 2)
    assert levels["Yếu"].prior == 0
    assert all(level.prior is None for level in report.groups[1].levels)  # unknown, not zero
    assert all(level.prior is None for level in report.groups[2].levels)  # not in the history


def test_stats_are_exact_decimals():
    values = [Decimal("85.05"), Decimal("85.02"), Decimal("96.34")]
    found = stats(values)
    assert found.mean == Decimal("266.41") / 3
    assert found.median == Decimal("85.05")
    assert found.spread == Decimal("11.32")
    assert isinstance(found.stdev, Decimal)


def test_the_profiles_margin_and_texts_reach_the_report():
    rules, info, groups = sample_results("lao-cai-2020")
    changed = replace(
        rules,
        report=replace(
            rules.report, margin=Decimal("0.3"), texts={"group_up": "Lên: {danh_sach}."}
        ),
    )
    report = build_report(changed, info, groups)
    assert report.margin == Decimal("0.3")
    assert report.texts == {"group_up": "Lên: {danh_sach}."}
    assert build_report(rules, info, groups, margin=Decimal("0.2")).margin == Decimal("0.2")


def test_building_the_report_touches_no_file(tmp_path: Path, monkeypatch):
    rules, info, groups = sample_results("chuyen-doi-so-2026")
    monkeypatch.chdir(tmp_path)
    build_report(rules, info, groups)
    assert list(tmp_path.iterdir()) == []


def test_the_movers_list_never_cuts_through_a_tie():
    from processor.reporting.levels import cut as _cut

    def moved(*changes: int) -> list:
        return [
            replace(result, rank_change=change)
            for result, change in zip(
                sample_results("lao-cai-2020")[2][0].results, changes, strict=False
            )
        ]

    assert _cut(moved(8, 7, 3, 2, 1, 1)) == 6  # the tie at the fifth is named whole
    assert _cut(moved(8, 7, 3, 2, 1)) == 5
    assert _cut(moved(8, 7, 3, 2, 2, 1)) == 5
    assert _cut(moved(9, 8, *([1] * 12))) == 2  # a tie of twelve at the fifth: none of it
