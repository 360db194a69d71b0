"""Prior-year ranks from the history, through renames and mergers, with their footnotes.

Pure core only: last year is a hand-built PastYear (or one made from a year evaluated here),
the agencies are typed data, nothing touches a disk. The workbook's sheet `Sáp nhập - đổi tên`
and the rendered footnote are in tests/test_crosswalk.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from processor.core.criteria_change import criteria_changes
from processor.core.decision import build_context
from processor.core.merge_rank import mean_rank
from processor.core.model import (
    AgencyScores,
    Criterion,
    DecisionInfo,
    Evaluation,
    GroupResult,
    RankBasis,
    Rules,
    TiePolicy,
)
from processor.core.past import MergeRule, PastAgency, PastYear, Succession
from processor.core.prior_years import PastApplied, apply_past
from processor.core.problems import Severity
from processor.core.scoring import evaluate

KHCN, TTTT = "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"
BAN_DT, SO_DTTG = "Ban Dân tộc", "Sở Dân tộc và Tôn giáo"
SHEET = "Sáp nhập - đổi tên"


def info(year: int) -> DecisionInfo:
    return DecisionInfo(
        year=year,
        submission_number=None,
        submission_date=dt.date(year + 1, 1, 8),
        signer="Nguyễn Văn A",
        signer_title=("CHỦ TỊCH",),
    )


def scores(rules: Rules, group: str, share: str) -> dict[str, Decimal]:
    return {
        c.code: Decimal(0) if c.deduction else c.max_points[group] * Decimal(share)
        for c in rules.criteria
        if c.applies_to(group)
    }


def agency(
    rules: Rules, row: int, name: str, group: str = "I", prior: int | None = None, share="0.8"
) -> AgencyScores:
    return AgencyScores(row, name, group, prior, scores(rules, group, share))


def past_of(rules: Rules, year: int, groups: Sequence[GroupResult]) -> PastYear:
    """Last year as the history gives it back: every agency with its group, rank and total."""
    return PastYear(
        year=year,
        profile="lao-cai-2020",
        agencies=tuple(
            PastAgency(r.agency.name, g.group.code, r.rank, r.rounded_total, r.percent)
            for g in groups
            for r in (*g.results, *g.unranked)
        ),
        maxima={c.code: dict(c.max_points) for c in rules.criteria},
        group_max={g.code: g.max_points for g in rules.groups},
        rank_by=rules.rank_by.value,
    )


def last_year(*agencies: tuple[str, str, int | None, str], year: int = 2024) -> PastYear:
    """(name, group, rank, total) each."""
    return PastYear(
        year,
        "lao-cai-2020",
        tuple(PastAgency(n, g, r, Decimal(t)) for n, g, r, t in agencies),
    )


def apply(
    rules: Rules,
    agencies: Sequence[AgencyScores],
    past: PastYear | None,
    successions: Sequence[Succession] = (),
    year: int = 2025,
    rule: MergeRule | None = None,
) -> PastApplied:
    if rule is not None:
        rules = dataclasses.replace(rules, merge_rule=rule)
    return apply_past(rules, Evaluation(info(year), tuple(agencies)), past, successions, "Điểm!D")


def priors(applied: PastApplied) -> dict[str, int | None]:
    return {a.name: a.prior_rank for a in applied.evaluation.agencies}


def messages(applied: PastApplied) -> list[str]:
    return [str(p) for p in applied.warnings]


def merger(year: int = 2025, *olds: str, new: str = KHCN) -> Succession:
    return Succession(olds or (KHCN, TTTT), new, year, f"{SHEET}!B2")


def rename(year: int = 2025) -> Succession:
    return Succession((BAN_DT,), SO_DTTG, year, f"{SHEET}!B4")


# Last year, group I: Sở Tư pháp 1 (95), TTTT 2 (90), Ban Dân tộc 3 (85), KHCN 4 (80),
# Sở Y tế 5 (70); group II: Văn phòng 1 (60).
PAST = last_year(
    ("Sở Tư pháp", "I", 1, "95"),
    (TTTT, "I", 2, "90"),
    (BAN_DT, "I", 3, "85"),
    (KHCN, "I", 4, "80"),
    ("Sở Y tế", "I", 5, "70"),
    ("Văn phòng UBND tỉnh", "II", 1, "60"),
)


# --------------------------------------------------------------------------- the prior cell


def test_a_blank_prior_rank_is_filled_from_history_by_name(rules):
    done = apply(rules, [agency(rules, 7, "sở  tư PHÁP"), agency(rules, 8, "Sở Y tế")], PAST)
    assert priors(done) == {"sở  tư PHÁP": 1, "Sở Y tế": 5}
    assert all(a.prior_note is None for a in done.evaluation.agencies)
    assert done.notes == ()


def test_the_workbook_wins_and_a_difference_names_the_cell_and_both_values(rules):
    done = apply(
        rules, [agency(rules, 7, "Sở Y tế", prior=4), agency(rules, 8, "Sở Tư pháp", prior=1)], PAST
    )
    assert priors(done) == {"Sở Y tế": 4, "Sở Tư pháp": 1}
    (warning,) = [p for p in done.warnings if p.place.startswith("Điểm!D")]
    assert warning.place == "Điểm!D7" and warning.agency == "Sở Y tế"
    assert warning.severity is Severity.WARNING
    assert str(warning).startswith("Điểm!D7 (Sở Y tế): ")
    assert "ghi trong bảng điểm là 4" in warning.message and "là 5" in warning.message


def test_without_history_the_workbook_is_left_as_it_is(rules):
    agencies = [agency(rules, 7, "Sở Y tế", prior=4), agency(rules, 8, "Sở Tư pháp")]
    done = apply(rules, agencies, None)
    assert priors(done) == {"Sở Y tế": 4, "Sở Tư pháp": None}
    assert done.warnings == () and done.notes == ()


def test_a_group_change_gives_no_prior_rank_and_a_warning(rules):
    done = apply(rules, [agency(rules, 9, "Văn phòng UBND tỉnh", group="I")], PAST)
    assert priors(done) == {"Văn phòng UBND tỉnh": None}
    (warning,) = [p for p in done.warnings if p.place == "Điểm!D9"]
    assert "nhóm II" in warning.message and "nhóm I" in warning.message
    typed = apply(rules, [agency(rules, 9, "Văn phòng UBND tỉnh", group="I", prior=3)], PAST)
    assert priors(typed) == {"Văn phòng UBND tỉnh": 3}  # the workbook still wins
    assert any(p.place == "Điểm!D9" and "nhóm II" in p.message for p in typed.warnings)


def test_an_agency_unranked_last_year_has_no_prior_rank(rules):
    past = last_year(("Công an tỉnh", "I", None, "70"))
    done = apply(rules, [agency(rules, 5, "Công an tỉnh")], past)
    assert priors(done) == {"Công an tỉnh": None} and done.warnings == ()


def test_new_and_vanished_agencies_are_pointed_out(rules):
    done = apply(rules, [agency(rules, 5, "Sở Mới Lập"), agency(rules, 6, "Sở Y tế")], PAST)
    text = messages(done)
    assert any(
        t.startswith("Điểm!D5 (Sở Mới Lập): «Sở Mới Lập» không có trong kết quả năm 2024")
        and SHEET in t
        for t in text
    )
    (gone,) = [p for p in done.warnings if p.place == "Điểm"]
    assert gone.message.startswith("5 đơn vị trong kết quả năm 2024 không có")
    assert "«Sở Tư pháp»" in gone.message and "«Sở Y tế»" not in gone.message


def test_a_history_of_another_year_is_not_used(rules):
    done = apply(rules, [agency(rules, 5, "Sở Y tế")], PAST, year=2026)
    assert priors(done) == {"Sở Y tế": None}
    assert [p.place for p in done.warnings] == ["Lịch sử"]
    assert "năm 2024, không phải năm 2025" in done.warnings[0].message


# --------------------------------------------------------------------------- renames


def test_a_renamed_agency_takes_its_old_names_rank_with_a_footnote(rules):
    done = apply(rules, [agency(rules, 4, SO_DTTG), agency(rules, 5, "Sở Y tế")], PAST, [rename()])
    assert priors(done) == {SO_DTTG: 3, "Sở Y tế": 5}
    assert done.notes == (
        "Thứ hạng năm 2024 của đơn vị đổi tên từ năm 2025 là thứ hạng của đơn vị mang tên cũ: "
        "Sở Dân tộc và Tôn giáo (trước đây là Ban Dân tộc).",
    )
    assert [a.prior_note for a in done.evaluation.agencies] == [0, None]
    assert not any("Ban Dân tộc" in t and "không có trong bảng điểm" in t for t in messages(done))


def test_a_succession_of_another_year_is_not_applied(rules):
    # effective 2024: the 2024 results already carry the new name; effective 2026: not yet
    for year in (2024, 2026):
        done = apply(rules, [agency(rules, 4, SO_DTTG)], PAST, [rename(year)])
        assert priors(done) == {SO_DTTG: None} and done.notes == ()


def test_a_rename_whose_old_name_is_not_in_history_is_a_warning(rules):
    done = apply(
        rules, [agency(rules, 4, SO_DTTG)], last_year(("Sở Y tế", "I", 1, "70")), [rename()]
    )
    assert priors(done) == {SO_DTTG: None} and done.notes == ()
    assert any(
        "«Ban Dân tộc» (tên cũ của «Sở Dân tộc và Tôn giáo») không có" in t for t in messages(done)
    )


def test_a_new_name_missing_from_the_workbook_is_a_warning_at_the_crosswalk(rules):
    done = apply(rules, [agency(rules, 4, "Sở Y tế")], PAST, [rename()])
    assert any(p.place == f"{SHEET}!B4" and SO_DTTG in p.message for p in done.warnings)


def test_an_old_name_still_in_the_workbook_is_a_warning(rules):
    done = apply(rules, [agency(rules, 4, SO_DTTG), agency(rules, 5, BAN_DT)], PAST, [rename()])
    assert priors(done) == {SO_DTTG: 3, BAN_DT: None}
    assert any(p.place == "Điểm!D5" and "vẫn có «Ban Dân tộc»" in p.message for p in done.warnings)


# --------------------------------------------------------------------------- mergers


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(MergeRule.NONE, None), (MergeRule.BEST, 2), (MergeRule.MEAN, 2)],
)
def test_a_merged_agencys_prior_rank_follows_the_profiles_rule(rules, rule, expected):
    done = apply(rules, [agency(rules, 3, KHCN)], PAST, [merger()], rule=rule)
    assert priors(done) == {KHCN: expected}
    (note,) = done.notes
    listed = f"{KHCN} được hợp nhất từ {KHCN} và {TTTT}."
    assert note.endswith(": " + listed)
    words = {
        MergeRule.NONE: "không có thứ hạng năm 2024 để so sánh",
        MergeRule.BEST: "lấy theo thứ hạng cao nhất",
        MergeRule.MEAN: "điểm trung bình năm 2024",
    }
    assert words[rule] in note
    assert done.evaluation.agencies[0].prior_note == 0
    # the predecessor absorbed is not reported as gone
    assert not any(TTTT in t and "không có trong bảng điểm" in t for t in messages(done))


def test_the_mean_is_ranked_again_against_the_rest_of_last_years_group(rules):
    # predecessors 90 and 80: mean 85 ties Ban Dân tộc (85), behind Sở Tư pháp (95)
    assert priors(
        apply(rules, [agency(rules, 3, KHCN)], PAST, [merger()], rule=MergeRule.MEAN)
    ) == {KHCN: 2}
    low = last_year(
        ("A", "I", 1, "99"),
        ("B", "I", 2, "99"),
        ("C", "I", 4, "98"),
        (TTTT, "I", 3, "60"),
        (KHCN, "I", 5, "50"),
        ("D", "I", 6, "40"),
    )
    same, before = [a for a in low.agencies if a.name in (KHCN, TTTT)], low.agencies[3:5]
    # mean 55: A, B (99) and C (98) are better; D is not
    assert mean_rank(same, before, "I", low, TiePolicy.COMPETITION) == 4
    assert mean_rank(same, before, "I", low, TiePolicy.DENSE) == 3  # 99 and 98: two values


def test_the_mean_uses_percent_when_last_year_ranked_by_percent(rules):
    past = PastYear(
        2024,
        "x",
        (
            PastAgency("A", "I", 1, Decimal(70), Decimal(90)),  # fewer points, better percent
            PastAgency(TTTT, "I", 2, Decimal(90), Decimal(80)),
            PastAgency(KHCN, "I", 3, Decimal(95), Decimal(70)),
            PastAgency("B", "I", 4, Decimal(99), Decimal(60)),
        ),
        rank_by=RankBasis.PERCENT.value,
    )
    done = apply(rules, [agency(rules, 3, KHCN)], past, [merger()], rule=MergeRule.MEAN)
    assert priors(done) == {KHCN: 2}  # mean 75%: only A (90%) is better; B's 99 points are not


def test_a_workbook_prior_rank_for_a_merged_agency_still_wins(rules):
    done = apply(rules, [agency(rules, 3, KHCN, prior=6)], PAST, [merger()], rule=MergeRule.BEST)
    assert priors(done) == {KHCN: 6}
    assert any(
        p.place == "Điểm!D3" and "là 6" in p.message and "là 2" in p.message for p in done.warnings
    )
    (note,) = done.notes
    assert "do Hội đồng thẩm định xác định" in note
    same = apply(rules, [agency(rules, 3, KHCN, prior=2)], PAST, [merger()], rule=MergeRule.BEST)
    assert "lấy theo thứ hạng cao nhất" in same.notes[0]  # typed as the rule says: the rule
    assert not [p for p in same.warnings if p.place == "Điểm!D3"]
    none = apply(rules, [agency(rules, 3, KHCN, prior=2)], PAST, [merger()], rule=MergeRule.NONE)
    assert priors(none) == {KHCN: 2} and "do Hội đồng" in none.notes[0]
    assert any(p.place == "Điểm!D3" for p in none.warnings)


def test_only_predecessors_ranked_in_the_same_group_count(rules):
    past = last_year((TTTT, "II", 1, "65"), (KHCN, "I", 3, "80"), ("X", "I", 1, "99"))
    done = apply(rules, [agency(rules, 3, KHCN)], past, [merger()], rule=MergeRule.BEST)
    assert priors(done) == {KHCN: 3}
    assert any("không thuộc nhóm I" in t and TTTT in t for t in messages(done))
    elsewhere = last_year((TTTT, "II", 1, "65"), (KHCN, "II", 2, "60"))
    done = apply(rules, [agency(rules, 3, KHCN)], elsewhere, [merger()], rule=MergeRule.BEST)
    assert priors(done) == {KHCN: None}
    assert "không có thứ hạng năm 2024 để so sánh" in done.notes[0]  # fell back to "none"


def test_a_merger_into_an_existing_agency_counts_its_own_history(rules):
    # only the absorbed department is written: the department keeping its name still counts
    absorbed = Succession((TTTT,), KHCN, 2025, f"{SHEET}!B2")
    done = apply(rules, [agency(rules, 3, KHCN)], PAST, [absorbed], rule=MergeRule.BEST)
    assert priors(done) == {KHCN: 2}
    assert done.notes[0].endswith(f"{KHCN} được hợp nhất từ {TTTT} và {KHCN}.")


def test_a_predecessor_missing_from_history_is_named(rules):
    past = last_year((KHCN, "I", 4, "80"), ("X", "I", 1, "99"))
    done = apply(rules, [agency(rules, 3, KHCN)], past, [merger()], rule=MergeRule.BEST)
    assert priors(done) == {KHCN: 4}
    assert any(f"Không có «{TTTT}» trong kết quả năm 2024" in t for t in messages(done))


def test_without_history_a_declared_merger_is_still_footnoted(rules):
    blank = apply(rules, [agency(rules, 3, KHCN)], None, [merger()], rule=MergeRule.BEST)
    assert priors(blank) == {KHCN: None}
    assert "không có thứ hạng năm 2024 để so sánh" in blank.notes[0]
    assert any("ghi tay" in t for t in messages(blank))
    typed = apply(
        rules,
        [agency(rules, 3, KHCN, prior=2), agency(rules, 4, SO_DTTG, prior=5)],
        None,
        [merger(), rename()],
        rule=MergeRule.NONE,
    )
    assert priors(typed) == {KHCN: 2, SO_DTTG: 5}
    assert len(typed.notes) == 2 and "do Hội đồng" in typed.notes[0]
    assert "mang tên cũ" in typed.notes[1]
    assert typed.warnings == ()


def test_one_footnote_per_rule_lists_every_agency_it_explains(rules):
    past = last_year(
        ("Xã A", "III", 2, "80"),
        ("Xã B", "III", 1, "90"),
        ("Xã C", "III", 3, "70"),
        ("Xã D", "III", 4, "60"),
        (BAN_DT, "I", 3, "85"),
        ("Phòng E", "I", 1, "90"),
    )
    successions = [
        Succession(("Xã A", "Xã B"), "Xã Một", 2025, f"{SHEET}!B2"),
        Succession(("Xã C", "Xã D"), "Xã Hai", 2025, f"{SHEET}!B4"),
        Succession(("Phòng E",), "Sở E", 2025, f"{SHEET}!B6"),
        rename(),
    ]
    agencies = [
        agency(rules, 2, "Sở E"),
        agency(rules, 3, SO_DTTG),
        agency(rules, 4, "Xã Một", "III"),
        agency(rules, 5, "Xã Hai", "III", prior=9),
    ]
    done = apply(rules, agencies, past, successions, rule=MergeRule.BEST)
    assert priors(done) == {"Sở E": 1, SO_DTTG: 3, "Xã Một": 1, "Xã Hai": 9}
    assert [a.prior_note for a in done.evaluation.agencies] == [2, 2, 0, 1]
    best, typed, renamed = done.notes
    assert best.endswith(": Xã Một được hợp nhất từ Xã A và Xã B.")
    assert typed.endswith(": Xã Hai được hợp nhất từ Xã C và Xã D.")
    assert renamed.endswith(f": Sở E (trước đây là Phòng E); {SO_DTTG} (trước đây là {BAN_DT}).")
    context = build_context(
        rules, info(2025), evaluate(rules, done.evaluation.agencies), done.notes
    )
    assert context["ghi_chu"] == [f"(*) {best}", f"(**) {typed}", f"(***) {renamed}"]
    shown = {row["ten"]: row["xep_hang_truoc"] for g in context["nhom"] for row in g["don_vi"]}
    assert shown == {"Sở E": "1 (***)", SO_DTTG: "3 (***)", "Xã Một": "1 (*)", "Xã Hai": "9 (**)"}


def test_a_merged_agency_without_prior_rank_shows_the_blank_and_the_sign(rules):
    rules = dataclasses.replace(
        rules,
        wording=dataclasses.replace(rules.wording, prior_blank="—"),
        merge_rule=MergeRule.NONE,
    )
    done = apply(rules, [agency(rules, 3, KHCN)], PAST, [merger()])
    context = build_context(
        rules, info(2025), evaluate(rules, done.evaluation.agencies), done.notes
    )
    assert context["nhom"][0]["don_vi"][0]["xep_hang_truoc"] == "— (*)"
    plain = build_context(rules, info(2025), evaluate(rules, [agency(rules, 3, KHCN)]))
    assert plain["ghi_chu"] == [] and plain["nhom"][0]["don_vi"][0]["xep_hang_truoc"] == "—"


def test_the_footnote_wording_comes_from_the_profile(rules):
    notes = dataclasses.replace(
        rules.prior_notes,
        merged_item="{moi} (gồm {cu})",
        merged_best="Năm {nam}, {tinh}: {don_vi}.",
    )
    rules = dataclasses.replace(rules, prior_notes=notes, merge_rule=MergeRule.BEST)
    done = apply(rules, [agency(rules, 3, KHCN)], PAST, [merger()])
    assert done.notes == (f"Năm 2025, Lào Cai: {KHCN} (gồm {KHCN} và {TTTT}).",)


# --------------------------------------------------------------------------- criteria changed


def test_changed_criteria_are_a_warning_saying_what_changed(rules):
    past = dataclasses.replace(PAST, maxima={c.code: dict(c.max_points) for c in rules.criteria})
    assert criteria_changes(rules, past) is None
    first, second = rules.criteria[0], rules.criteria[1]
    bigger = dataclasses.replace(
        first, max_points={**first.max_points, "I": first.max_points["I"] + 2}
    )
    extra = Criterion("TC9.9", "Tiêu chí mới", {"I": Decimal(1)})
    changed = dataclasses.replace(
        rules, criteria=(bigger, *[c for c in rules.criteria[1:] if c is not second], extra)
    )
    done = apply(changed, [agency(rules, 7, "Sở Y tế")], past)
    (warning,) = [p for p in done.warnings if "Bộ tiêu chí" in p.message]
    text = warning.message
    assert f"thêm TC9.9; bỏ {second.code}; đổi điểm tối đa {first.code} (nhóm I: " in text
    assert "không hoàn toàn so sánh được với thứ hạng năm 2024" in text
    assert priors(done) == {"Sở Y tế": 5}  # still filled


def test_scales_and_the_ranking_basis_count_as_changes_and_unknown_maxima_do_not(rules):
    past = dataclasses.replace(
        PAST,
        maxima={c.code: dict(c.max_points) for c in rules.criteria},
        group_max={"I": Decimal(1000)},
        rank_by="percent",
    )
    problem = criteria_changes(rules, past)
    assert problem is not None
    assert "đổi thang điểm nhóm I: 1.000 → 100" in problem.message
    assert "xếp hạng theo tổng điểm thay vì tỷ lệ phần trăm" in problem.message
    assert criteria_changes(rules, PAST) is None  # the history did not record the criteria


# --------------------------------------------------------------------------- three years


def test_three_years_with_a_merger_and_a_rename_in_the_middle(rules):
    """2024 -> 2025 (TTTT merges into KHCN, Ban Dân tộc becomes a Sở) -> 2026, each year's
    results becoming the next year's history, under each merge rule."""
    y2024 = [
        agency(rules, 2, "Sở Tư pháp", share="0.95"),
        agency(rules, 3, TTTT, share="0.9"),
        agency(rules, 4, BAN_DT, share="0.85"),
        agency(rules, 5, KHCN, share="0.8"),
        agency(rules, 6, "Sở Y tế", share="0.7"),
    ]
    first = apply(rules, y2024, None, year=2024)
    past_2024 = past_of(rules, 2024, evaluate(rules, first.evaluation.agencies))
    assert [(a.name, a.rank) for a in past_2024.agencies] == [
        ("Sở Tư pháp", 1),
        (TTTT, 2),
        (BAN_DT, 3),
        (KHCN, 4),
        ("Sở Y tế", 5),
    ]
    successions = [merger(2025), rename(2025)]
    expected_2025 = {MergeRule.NONE: None, MergeRule.BEST: 2, MergeRule.MEAN: 2}
    for rule, merged_prior in expected_2025.items():
        y2025 = [
            agency(rules, 2, KHCN, share="0.97"),  # the merged department comes first
            agency(rules, 3, "Sở Tư pháp", share="0.9"),
            agency(rules, 4, SO_DTTG, share="0.8"),
            agency(rules, 5, "Sở Y tế", share="0.75"),
        ]
        second = apply(rules, y2025, past_2024, successions, year=2025, rule=rule)
        assert priors(second) == {KHCN: merged_prior, "Sở Tư pháp": 1, SO_DTTG: 3, "Sở Y tế": 5}
        assert len(second.notes) == 2
        groups = evaluate(rules, second.evaluation.agencies)
        changes = {r.agency.name: r.rank_change for g in groups for r in g.results}
        assert changes[SO_DTTG] == 0 and changes["Sở Y tế"] == 1
        assert changes[KHCN] == (None if merged_prior is None else merged_prior - 1)
        past_2025 = past_of(rules, 2025, groups)

        # 2026: the history of 2025 carries the new names; the 2025 successions are done
        y2026 = [
            agency(rules, 2, "Sở Tư pháp", share="0.99"),
            agency(rules, 3, KHCN, share="0.9"),
            agency(rules, 4, SO_DTTG, share="0.85"),
            agency(rules, 5, "Sở Y tế", share="0.7"),
        ]
        third = apply(rules, y2026, past_2025, successions, year=2026, rule=rule)
        assert priors(third) == {KHCN: 1, "Sở Tư pháp": 2, SO_DTTG: 3, "Sở Y tế": 4}
        assert third.notes == () and third.warnings == ()
