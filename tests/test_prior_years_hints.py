"""The hints that save a merger from a slip: a misspelt predecessor, a rank `init` typed in.

Found by trying the yearly loop as an office would: a misspelt old name in the sheet
`Sáp nhập - đổi tên` reached the footnote unnoticed, and a merger declared after `init` kept
the rank `init` had filled in for the agency itself, footnoted as if the council had set it.
"""

from __future__ import annotations

from processor.core.past import MergeRule, Succession

from test_prior_years import KHCN, PAST, SHEET, TTTT, agency, apply, merger, messages


def test_a_misspelt_predecessor_is_answered_with_the_name_last_year_had(rules):
    typo = Succession((KHCN, "Sở Thông tin và Truyền Thôngg"), KHCN, 2025, f"{SHEET}!B2")
    done = apply(rules, [agency(rules, 3, KHCN)], PAST, [typo], rule=MergeRule.BEST)
    (warning,) = [t for t in messages(done) if "Truyền Thôngg" in t]
    assert f"Có phải «{TTTT}»?" in warning
    assert "chú thích in đúng tên" in warning


def test_a_rank_init_filled_in_for_the_merged_agency_itself_is_pointed_out(rules):
    # last year KHCN itself was 4th: a workbook made by init carries 4 in its prior cell
    for rule in (MergeRule.BEST, MergeRule.NONE):
        done = apply(rules, [agency(rules, 3, KHCN, prior=4)], PAST, [merger()], rule=rule)
        (warning,) = [p.message for p in done.warnings if p.place == "Điểm!D3"]
        assert "lệnh init điền sẵn" in warning and "xóa ô này" in warning
    other = apply(rules, [agency(rules, 3, KHCN, prior=6)], PAST, [merger()], rule=MergeRule.BEST)
    assert not any("init" in p.message for p in other.warnings)  # a rank of its own choosing
