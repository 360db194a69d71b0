"""The summary's sentences say only what the computed table says, figure for figure.

Every number in every sentence is parsed out (after the names, which may hold digits, are
taken away) and compared, in order, with the figures recomputed here independently from
processor.core.scoring.evaluate's results on the two real samples: statistics' Decimal
arithmetic over the rounded totals, percents and subtotals, the grades counted, the movers
and the leaders found again. A sentence of an unknown kind fails the test, so a new sentence
cannot slip past unchecked.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from processor.config.resources import find_profile
from processor.core.flags import flags
from processor.core.formatting import format_number, format_points
from processor.core.model import GroupResult, RankBasis, Rules
from processor.core.past import PastAgency, PastYear
from processor.core.report_wording import REPORT_TEXTS, report_text, text_problem
from processor.core.scoring import evaluate
from processor.pipeline import inspect
from processor.reporting.model import Leader, Mover, Report
from processor.reporting.sentences import (
    group_paragraphs,
    group_sentences,
    index_label,
    names,
    short_name,
    summary_intro,
    summary_title,
)
from processor.reporting.tables import build_report

from conftest import ROOT, SAMPLE

DX_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
SAMPLES = [("lao-cai-2020", SAMPLE), ("chuyen-doi-so-2026", DX_SAMPLE)]
# A Vietnamese number: "1.000", "96,34", "12"
NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


@dataclasses.dataclass(frozen=True)
class Sample:
    rules: Rules
    groups: tuple[GroupResult, ...]
    report: Report


def load(profile: str, workbook: Path, past: PastYear | None = None) -> Sample:
    found = inspect(workbook, find_profile(profile).rules)
    assert found.evaluation is not None
    groups = evaluate(found.rules, found.evaluation.agencies)
    found_flags = flags(found.rules, groups)
    report = build_report(found.rules, found.evaluation.info, groups, found_flags, past)
    return Sample(found.rules, groups, report)


@pytest.fixture(scope="module", params=SAMPLES, ids=[p for p, _ in SAMPLES])
def sample(request: pytest.FixtureRequest) -> Sample:
    return load(*request.param)


def numbers(sentence: str, report: Report) -> list[str]:
    """The numbers a reader sees, once the names (which may hold digits) are taken out."""
    hidden = {card.name for card in report.cards}
    for group in report.groups:
        hidden.add(group.title)
        for leader in group.leaders:
            hidden |= {index_label(leader.code, leader.name), leader.code}
    text = sentence
    for name in sorted(hidden, key=len, reverse=True):
        text = text.replace(name, "§")
    return NUMBER.findall(text)


def fmt(value: Decimal, precision: int) -> str:
    return format_number(value, precision)


def count(value: int) -> str:
    return format_number(Decimal(value), 0)


def holders(pairs: Sequence[tuple[str, Decimal | None]], value: Decimal, precision: int) -> set:
    printed = fmt(value, precision)
    return {name for name, v in pairs if v is not None and fmt(v, precision) == printed}


def expected_figures(rules: Rules, result: GroupResult, report: Report) -> dict[str, list[str]]:
    """Per sentence kind (its opening words), the figures it must print, recomputed here."""
    p, pp = rules.precision, rules.percent_precision
    ranked = result.results
    out: dict[str, list[str]] = {"Nhóm": [count(len(ranked))]}
    if result.unranked:
        out["Ngoài ra"] = [count(len(result.unranked))]
    if not ranked:
        return out
    totals = [r.rounded_total for r in ranked]
    out["Tổng điểm"] = [
        format_points(result.group.max_points),
        fmt(statistics.mean(totals), p),
        fmt(statistics.median(totals), p),
        fmt(max(totals), p),
        fmt(min(totals), p),
        fmt(max(totals) - min(totals), p),
    ]
    percents = [r.percent for r in ranked if r.percent is not None]
    if rules.rank_by is RankBasis.PERCENT and percents:
        out["Tỷ lệ điểm"] = [
            fmt(statistics.mean(percents), pp),
            fmt(statistics.median(percents), pp),
            fmt(max(percents), pp),
            fmt(min(percents), pp),
        ]
    grades = Counter(r.grade for r in ranked)
    if rules.grades:
        out["Về mức độ"] = [count(grades[g.name]) for g in rules.grades if grades[g.name]]
    moved = [r for r in ranked if r.rank_change]
    for word, up in (("Tăng hạng", True), ("Giảm hạng", False)):
        mine = (
            [r for r in moved if (r.rank_change or 0) > 0]
            if up
            else [r for r in moved if (r.rank_change or 0) < 0]
        )
        mine.sort(key=lambda r: (-abs(r.rank_change or 0), r.rank or 0))
        if len(mine) > 5:  # five, and those tied with the fifth (none of a tie of over ten)
            fifth = abs(mine[4].rank_change or 0)
            tied = [r for r in mine if abs(r.rank_change or 0) == fifth]
            above = [r for r in mine if abs(r.rank_change or 0) > fifth]
            mine = above + tied if len(above) + len(tied) <= 10 else above
        if mine:
            out[word] = [
                figure
                for r in mine
                for figure in (
                    count(r.agency.prior_rank or 0),
                    count(r.rank or 0),
                    count(abs(r.rank_change or 0)),
                )
            ]
    out["Dẫn đầu"] = leader_figures(rules, result)
    if not out["Dẫn đầu"]:
        del out["Dẫn đầu"]
    return out


def index_scores(rules: Rules, result: GroupResult) -> list[tuple[str, list, set]]:
    """(code, [(agency, score)], maxima) of each index (or criterion) shown for the group."""
    code = result.group.code
    found = []
    if rules.pillars:
        for pillar in rules.pillars:
            pairs = [
                (r.agency.name, r.pillar_totals[pillar.code])
                for r in result.results
                if pillar.code in r.pillar_totals
            ]
            maxima = {
                r.pillar_max[pillar.code] for r in result.results if pillar.code in r.pillar_max
            }
            if pairs:
                found.append((pillar.code, pairs, maxima))
    else:
        for criterion in rules.criteria:
            if not criterion.applies_to(code) or criterion.deduction:
                continue
            pairs = [
                (r.agency.name, r.agency.scores[criterion.code])
                for r in result.results
                if criterion.code in r.agency.scores
            ]
            if pairs:
                found.append((criterion.code, pairs, {criterion.max_points[code]}))
    return found


def leader_figures(rules: Rules, result: GroupResult) -> list[str]:
    figures = []
    for _, pairs, maxima in index_scores(rules, result):
        best = max(score for _, score in pairs)
        tied = [name for name, score in pairs if score == best]
        if len(tied) > 3:
            figures.append(count(len(tied)))
        figures.append(fmt(best, rules.precision))
        if len(maxima) == 1:
            figures.append(format_points(next(iter(maxima))))
    return figures


def kind_of(sentence: str) -> str:
    for opening in (
        "Nhóm",
        "Ngoài ra",
        "Tổng điểm",
        "Tỷ lệ điểm",
        "Về mức độ",
        "So với năm",
        "Tăng hạng",
        "Giảm hạng",
        "Dẫn đầu",
    ):
        if sentence.startswith(opening):
            return opening
    raise AssertionError(f"a sentence of an unknown kind: {sentence}")


def test_every_number_in_every_sentence_is_the_recomputed_figure(sample: Sample) -> None:
    checked = Counter()
    for result, group in zip(sample.groups, sample.report.groups, strict=True):
        expected = expected_figures(sample.rules, result, sample.report)
        sentences = group_sentences(sample.report, group)
        kinds = [kind_of(sentence) for sentence in sentences]
        assert kinds == [kind for kind in expected if kind in kinds]
        assert set(kinds) == set(expected), (kinds, list(expected))
        for sentence, kind in zip(sentences, kinds, strict=True):
            assert numbers(sentence, sample.report) == expected[kind], sentence
            checked[kind] += 1
    assert checked["Tổng điểm"] == 3 and checked["Dẫn đầu"] == 3
    assert checked["Tăng hạng"] >= 2 and checked["Giảm hạng"] == 3


def test_the_agencies_named_are_the_ones_holding_the_figures(sample: Sample) -> None:
    p = sample.rules.precision
    for result, group in zip(sample.groups, sample.report.groups, strict=True):
        totals = [(r.agency.name, r.rounded_total) for r in result.results]
        best = holders(totals, max(t for _, t in totals), p)
        worst = holders(totals, min(t for _, t in totals), p)
        sentence = next(s for s in group_sentences(sample.report, group) if s.startswith("Tổng"))
        head, _, tail = sentence.partition("thấp nhất")
        assert len(best) <= 3 and len(worst) <= 3
        assert all(f"{name}" in head.partition("cao nhất")[2] for name in best), sentence
        assert all(f"{name}" in tail for name in worst), sentence
        leaders = next(s for s in group_sentences(sample.report, group) if s.startswith("Dẫn"))
        for code, pairs, _ in index_scores(sample.rules, result):
            top = max(score for _, score in pairs)
            tied = [name for name, score in pairs if score == top]
            part = next(piece for piece in leaders.split("; ") if code + " " in piece)
            if len(tied) <= 3:
                assert all(name in part for name in tied), part


def test_the_2020_sentences_read_as_the_council_would_write_them() -> None:
    sample = load("lao-cai-2020", SAMPLE)
    first = group_sentences(sample.report, sample.report.groups[0])
    assert first[0] == "Nhóm I (Các cơ quan, đơn vị có TTHC) có 16 đơn vị được xếp hạng."
    assert first[1].startswith("Tổng điểm (tối đa 100 điểm): trung bình 85,63 điểm")
    assert "cao nhất 96,34 điểm (Sở Thông tin và Truyền thông)" in first[1]
    assert first[2] == "Về mức độ: Tốt 12 đơn vị, Khá 4 đơn vị."
    assert "Sở Nội vụ (từ hạng 14 lên hạng 6, tăng 8 bậc)" in first[3]
    assert first[5].startswith("Dẫn đầu từng tiêu chí: TC1.1 Hạ tầng kỹ thuật…: ")
    assert "TD " not in first[5]  # a deduction has no leader
    assert summary_title(sample.report) == (
        "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2020"
    )
    assert "32 đơn vị được đánh giá, 3 nhóm xếp hạng" in summary_intro(sample.report)


def test_the_digital_transformation_sentences_give_percents_and_unranked() -> None:
    sample = load("chuyen-doi-so-2026", DX_SAMPLE)
    second = group_sentences(sample.report, sample.report.groups[1])
    assert second[1] == "Ngoài ra, 2 đơn vị được đánh giá nhưng không xếp hạng."
    assert second[3].startswith("Tỷ lệ điểm đạt được so với điểm tối đa: trung bình 66,26%")
    leaders = second[-1]
    assert leaders.startswith("Dẫn đầu từng chỉ số chính: CS1 Chuyển đổi nhận thức: ")
    assert "CS4 Dữ liệu số: Văn phòng UBND tỉnh (88,95 điểm)" in leaders  # maxima differ


def test_last_years_levels_are_compared_when_the_history_knows_them() -> None:
    plain = load("lao-cai-2020", SAMPLE)
    first = plain.groups[0]
    grades = [r.grade for r in first.results]
    grades[0] = "Khá"  # last year one agency fewer at Tốt, one more at Khá
    past = PastYear(
        2019,
        "lao-cai-2020",
        tuple(
            PastAgency(r.agency.name, first.group.code, n, r.rounded_total, grade=grade)
            for n, (r, grade) in enumerate(zip(first.results, grades, strict=True), 1)
        ),
    )
    sample = load("lao-cai-2020", SAMPLE, past)
    sentences = group_sentences(sample.report, sample.report.groups[0])
    change = next(s for s in sentences if s.startswith("So với năm"))
    assert change == (
        "So với năm 2019: Tốt tăng 1 đơn vị (từ 11 lên 12), Khá giảm 1 đơn vị (từ 5 xuống 4)."
    )
    assert numbers(change, sample.report) == ["2019", "1", "11", "12", "1", "5", "4"]
    # nobody of the other groups is in this history: their counts are unknown, nothing said
    other = group_sentences(sample.report, sample.report.groups[1])
    assert not [s for s in other if s.startswith("So với năm")]


def test_a_province_rewords_a_sentence_in_its_rules_file(tmp_path: Path) -> None:
    rules_file = tmp_path / "quy-tac.toml"
    original = find_profile("lao-cai-2020").rules.read_text(encoding="utf-8")
    rules_file.write_text(
        original
        + "\n[report]\n"
        + 'group_count = "Nhóm {nhom} gồm {so_don_vi} đơn vị xếp hạng ({ten_nhom})."\n'
        + 'group_leaders = "Đứng đầu từng {loai}: {danh_sach}."\n',
        encoding="utf-8",
    )
    found = inspect(SAMPLE, rules_file)
    assert found.evaluation is not None
    assert set(found.rules.report.texts) == {"group_count", "group_leaders"}
    groups = evaluate(found.rules, found.evaluation.agencies)
    report = build_report(found.rules, found.evaluation.info, groups, ())
    plain = load("lao-cai-2020", SAMPLE).report
    group = report.groups[0]
    sentences = group_sentences(report, group)
    assert sentences[0] == f"Nhóm I gồm 16 đơn vị xếp hạng ({group.title})."
    assert sentences[-1].startswith("Đứng đầu từng tiêu chí: TC1.1 Hạ tầng kỹ thuật…: ")
    assert sentences[1:-1] == group_sentences(plain, plain.groups[0])[1:-1]
    assert numbers(sentences[-1], report) == numbers(
        group_sentences(plain, plain.groups[0])[-1], plain
    )


def test_every_default_template_passes_its_own_check() -> None:
    for key, (template, _) in REPORT_TEXTS.items():
        assert text_problem(key, template) is None, key
    assert text_problem("group_totals", "{trung_binh} {so_don_vi}") is not None
    assert report_text({}, "group_unranked", so_don_vi="2").startswith("Ngoài ra, 2 đơn vị")


def test_a_group_without_a_ranked_agency_gets_only_its_count(sample: Sample) -> None:
    group = dataclasses.replace(
        sample.report.groups[0],
        ranked=0,
        unranked=0,
        totals=None,
        percents=None,
        indices=(),
        movers_up=(),
        movers_down=(),
        leaders=(),
        cards=(),
    )
    sentences = group_sentences(sample.report, group)
    assert len(sentences) == 1
    assert numbers(sentences[0], sample.report) == ["0"]


def test_nothing_to_say_is_not_said(sample: Sample) -> None:
    group = dataclasses.replace(sample.report.groups[0], movers_up=(), movers_down=())
    kinds = [kind_of(s) for s in group_sentences(sample.report, group)]
    assert "Tăng hạng" not in kinds and "Giảm hạng" not in kinds
    assert len(group_paragraphs(sample.report, group)) == 2  # figures, leaders


def test_ties_and_long_names_read_well() -> None:
    sample = load("lao-cai-2020", SAMPLE)
    report, group = sample.report, sample.report.groups[0]
    many = Leader("TC1.1", "Hạ tầng", ("A", "B", "C", "D", "E"), Decimal(8), Decimal(8))
    two = Leader("TC1.2", "Hạ tầng", ("Sở A", "Sở B"), Decimal("6.5"), None)
    with_and = Leader("TC1.3", "Hạ tầng", ("Sở X và Y", "Sở Z"), Decimal(7), Decimal(7))
    moved = (Mover("Sở A", 9, 4, 5),)
    changed = dataclasses.replace(
        group, leaders=(many, two, with_and), movers_up=moved, movers_down=()
    )
    sentences = group_sentences(report, changed)
    assert sentences[-1] == (
        "Dẫn đầu từng tiêu chí: TC1.1 Hạ tầng: 5 đơn vị cùng đạt 8,00/8 điểm; "
        "TC1.2 Hạ tầng: Sở A và Sở B (6,50 điểm); TC1.3 Hạ tầng: Sở X và Y, Sở Z (7,00/7 điểm)."
    )
    assert "Tăng hạng nhiều nhất: Sở A (từ hạng 9 lên hạng 4, tăng 5 bậc)." in sentences
    assert names(["A", "B", "C", "D"]) == "A, B, C và 1 đơn vị khác"
    long = "Hạ tầng kỹ thuật: máy tính, mạng nội bộ, kết nối Internet và mạng truyền số liệu"
    assert short_name(long) == "Hạ tầng kỹ thuật…"
    assert short_name("Chuyển đổi nhận thức") == "Chuyển đổi nhận thức"
