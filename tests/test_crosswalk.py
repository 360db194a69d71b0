"""The crosswalk as secretaries write it: the sheet `Sáp nhập - đổi tên` in a real .xlsx, the
profile's [[crosswalk]] and [prior], and a decision rendered with the footnote it leads to.

Workbooks are copies of input_samples/xep-hang-cntt-2020.xlsx edited with openpyxl and read by
the tool's own reader; the decision is rendered from the bundled templates and read back with
python-docx (and, when LibreOffice is there, converted to PDF).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from processor.config.rules_file import load_rules
from processor.core.decision import build_context
from processor.core.model import Rules
from processor.core.past import MergeRule, PastAgency, PastYear, Succession
from processor.core.prior_years import apply_past
from processor.core.problems import InputError, Severity
from processor.core.rules import parse_rules
from processor.core.scoring import evaluate
from processor.core.validation import check_workbook
from processor.core.validation.crosswalk import (
    CROSSWALK_SHEET,
    check_crosswalk,
    is_crosswalk_sheet,
    prior_column,
)
from processor.reading.workbook import read_workbook
from processor.writing.rendering import render_decision
from processor.writing.sample_context import sample_context

from conftest import ROOT, RULES_FILE, SAMPLE
from docx_reading import lines

KHCN, TTTT = "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"
BAN_DT, SO_DTTG = "Ban Dân tộc", "Sở Dân tộc và Tôn giáo"
HEAD = ("Tên cũ", "Tên mới", "Từ năm")
MERGER_2021 = [(KHCN, KHCN, 2021), (TTTT, KHCN, 2021), (BAN_DT, SO_DTTG, 2021)]


def workbook(
    tmp_path: Path,
    rows: Sequence[Sequence[Any]] = (),
    *,
    title: str = CROSSWALK_SHEET,
    head: Sequence[Any] | None = HEAD,
    name: str = "bang-diem.xlsx",
    edit: Any = None,
) -> Path:
    """A copy of the 2020 sample with a crosswalk sheet (`rows` under `head`); `edit(book)`
    changes anything else first."""
    book = openpyxl.load_workbook(SAMPLE)
    if edit is not None:
        edit(book)
    if title:
        sheet = book.create_sheet(title)
        if head is not None:
            sheet.append(list(head))
        for row in rows:
            sheet.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


def crosswalk(path: Path, rules: Rules, year: int | None = 2021):
    return check_crosswalk(read_workbook(path), rules, year)


def at(problems, severity=Severity.ERROR) -> dict[str, str]:
    return {p.place: p.message for p in problems if p.severity is severity}


# --------------------------------------------------------------------------- the sheet


def test_the_sheet_gives_a_merger_and_a_rename(tmp_path, rules):
    found, problems = crosswalk(workbook(tmp_path, MERGER_2021), rules)
    assert problems == []
    assert found == (
        Succession((KHCN, TTTT), KHCN, 2021, f"{CROSSWALK_SHEET}!B2"),
        Succession((BAN_DT,), SO_DTTG, 2021, f"{CROSSWALK_SHEET}!B4"),
    )
    assert found[0].is_merger and not found[1].is_merger


def test_no_sheet_means_no_succession_and_the_score_sheet_is_read_as_before(tmp_path, rules):
    path = workbook(tmp_path, title="")
    assert crosswalk(path, rules) == ((), [])
    raw = read_workbook(path)
    assert CROSSWALK_SHEET not in raw.sheets
    assert read_workbook(SAMPLE).sheets.keys() == raw.sheets.keys()


@pytest.mark.parametrize(
    "title", ["SÁP NHẬP – ĐỔI TÊN", "Sap nhap doi ten", "Sáp nhập, đổi tên", " sáp nhập-đổi tên "]
)
def test_the_sheet_is_found_however_its_title_is_typed(tmp_path, rules, title):
    title = title.strip()
    assert is_crosswalk_sheet(title)
    found, problems = crosswalk(workbook(tmp_path, MERGER_2021, title=title), rules)
    assert problems == [] and len(found) == 2
    assert found[0].place == f"{title}!B2"


def test_headings_below_a_title_in_any_order_with_other_columns(tmp_path, rules):
    rows = [
        ("Danh sách đơn vị sáp nhập, đổi tên năm 2021",),
        (),
        ("TT", "năm áp dụng", "Tên đơn vị mới", "Ghi chú", "TÊN ĐƠN VỊ CŨ"),
        (1, 2021, SO_DTTG, "theo Quyết định số …", BAN_DT),
    ]
    found, problems = crosswalk(workbook(tmp_path, rows, head=None), rules)
    assert problems == []
    assert found == (Succession((BAN_DT,), SO_DTTG, 2021, f"{CROSSWALK_SHEET}!C4"),)


def test_a_merge_down_and_several_names_in_one_cell(tmp_path, rules):
    path = workbook(
        tmp_path,
        [
            (KHCN, KHCN, 2021),
            (TTTT, None, None),
            ("Xã A; Xã B\nXã C", "Xã Mới", "2021"),
        ],
    )
    book = openpyxl.load_workbook(path)
    sheet = book[CROSSWALK_SHEET]
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:C3")
    book.save(path)
    found, problems = crosswalk(path, rules)
    assert problems == []
    assert [(s.old_names, s.new_name) for s in found] == [
        ((KHCN, TTTT), KHCN),
        (("Xã A", "Xã B", "Xã C"), "Xã Mới"),
    ]


def test_every_bad_cell_is_named(tmp_path, rules):
    rows = [
        (None, KHCN, 2021),  # A2: no old name
        (TTTT, 12, 2021),  # B3: a number
        (BAN_DT, SO_DTTG, None),  # C4: no year
        ("Sở X", "Sở Y", "năm sau"),  # C5: not a year
        ("Sở Z", "Sở W", 1850),  # C6: out of range
        (None, None, None),  # a blank row: skipped
    ]
    found, problems = crosswalk(workbook(tmp_path, rows), rules)
    errors = at(problems)
    assert set(errors) == {f"{CROSSWALK_SHEET}!{c}" for c in ("A2", "B3", "C4", "C5", "C6")}
    assert errors[f"{CROSSWALK_SHEET}!A2"] == "Thiếu tên cũ."
    assert "phải là chữ, đang ghi 12" in errors[f"{CROSSWALK_SHEET}!B3"]
    assert "ví dụ 2025; để trống" in errors[f"{CROSSWALK_SHEET}!C4"]
    assert "đang ghi «năm sau»" in errors[f"{CROSSWALK_SHEET}!C5"]
    assert found == ()


def test_a_sheet_without_its_headings_is_refused(tmp_path, rules):
    _, problems = crosswalk(workbook(tmp_path, [(KHCN, KHCN)], head=("Cũ", "Mới")), rules)
    assert list(at(problems)) == [f"{CROSSWALK_SHEET} (hàng tiêu đề)"]
    _, problems = crosswalk(workbook(tmp_path, [(KHCN, KHCN)], head=HEAD[:2]), rules)
    assert "Thiếu cột «Từ năm»" in at(problems)[f"{CROSSWALK_SHEET} (hàng tiêu đề)"]


def test_one_agency_going_two_ways_in_a_year_is_refused(tmp_path, rules):
    rows = [(TTTT, KHCN, 2021), (TTTT, "Sở Khác", 2021), (TTTT, KHCN, 2021), ("Sở Q", "Sở Q", 2021)]
    found, problems = crosswalk(workbook(tmp_path, rows), rules)
    assert "đã ghi ở ô " + f"{CROSSWALK_SHEET}!A2" in at(problems)[f"{CROSSWALK_SHEET}!A3"]
    warnings = at(problems, Severity.WARNING)
    assert "ghi lại lần nữa" in warnings[f"{CROSSWALK_SHEET}!A4"]
    assert "trùng tên cũ" in warnings[f"{CROSSWALK_SHEET}!B5"]
    assert [s.new_name for s in found] == [KHCN]  # the reader keeps what it could read


def test_a_chain_within_one_year_is_refused(tmp_path, rules):
    rows = [(BAN_DT, "Sở Trung Gian", 2021), ("Sở Trung Gian", SO_DTTG, 2021)]
    _, problems = crosswalk(workbook(tmp_path, rows), rules)
    assert "vừa là tên mới" in at(problems)[f"{CROSSWALK_SHEET}!B2"]


def test_a_later_year_is_a_warning_and_the_check_needs_no_year(tmp_path, rules):
    path = workbook(tmp_path, [(BAN_DT, SO_DTTG, 2023)])
    _, problems = crosswalk(path, rules, year=2021)
    assert "chưa áp dụng" in at(problems, Severity.WARNING)[f"{CROSSWALK_SHEET}!B2"]
    assert crosswalk(path, rules, year=None)[1] == []


def test_the_prior_column_is_named_with_its_sheet(tmp_path, rules):
    assert prior_column(read_workbook(SAMPLE), rules) == "Điểm!D"

    def title_and_moved(book):
        sheet = book["Điểm"]
        sheet.insert_rows(1, 2)
        sheet["A1"] = "BẢNG TỔNG HỢP ĐIỂM"
        sheet.move_range("D3:D40", cols=20)  # the prior ranks now in column X

    raw = read_workbook(workbook(tmp_path, title="", edit=title_and_moved))
    assert prior_column(raw, rules) == "Điểm!X"


# --------------------------------------------------------------------------- the profile


def profile_raw(**extra: Any) -> dict[str, Any]:
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    raw.update(copy.deepcopy(extra))
    return raw


def refused(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        parse_rules(raw, "quy-tac.toml")
    return {p.place: p.message for p in caught.value.problems}


def test_the_profile_crosswalk_and_merge_rule(rules):
    assert rules.merge_rule is MergeRule.NONE and rules.successions == ()
    parsed = parse_rules(
        profile_raw(
            prior={"merge_rule": "Best"},
            crosswalk=[
                {"old": [KHCN, TTTT, " Sở  Khoa học và Công nghệ "], "new": KHCN, "year": 2025},
                {"old": BAN_DT, "new": SO_DTTG, "year": 2025},
            ],
        ),
        "quy-tac.toml",
    )
    assert parsed.merge_rule is MergeRule.BEST
    assert parsed.successions == (
        Succession((KHCN, TTTT), KHCN, 2025, "quy-tac.toml: crosswalk[1]"),
        Succession((BAN_DT,), SO_DTTG, 2025, "quy-tac.toml: crosswalk[2]"),
    )


def test_profile_mistakes_are_named_by_key():
    problems = refused(
        profile_raw(
            prior={"merge_rule": "average"},
            crosswalk=[
                {"old": [], "new": KHCN, "year": 2025},
                {"old": TTTT, "new": KHCN, "year": "2025"},
                {"old": BAN_DT, "new": SO_DTTG, "year": 2025},
                {"old": [BAN_DT], "new": "Sở Khác", "year": 2025},
                {"old": "Sở Q", "new": "sở q", "year": 2025},
                {"old": "Sở R", "neww": "Sở S", "year": 2025},
            ],
        )
    )
    assert '"none"' in problems["quy-tac.toml: prior.merge_rule"]
    assert "quy-tac.toml: crosswalk[1].old" in problems
    assert "ví dụ 2025" in problems["quy-tac.toml: crosswalk[2].year"]
    assert "crosswalk[3]" in problems["quy-tac.toml: crosswalk[4].old"]
    assert "trùng tên cũ" in problems["quy-tac.toml: crosswalk[5].new"]
    assert "có phải «new»?" in problems["quy-tac.toml: crosswalk[6].neww"]


def test_footnote_wording_in_the_profile_is_checked_for_its_placeholders():
    wording = profile_raw()["wording"]
    good = {
        **wording,
        "note_merged_best": "Năm {nam_truoc}: {don_vi}.",
        "note_merged_item": "{moi} ({cu})",
    }
    parsed = parse_rules(profile_raw(wording=good), "quy-tac.toml")
    assert parsed.prior_notes.merged_best == "Năm {nam_truoc}: {don_vi}."
    assert parsed.prior_notes.merged_item == "{moi} ({cu})"
    bad = {**wording, "note_merged_best": "{moi} {don_vi}", "note_renamed_item": "{don_vi}"}
    problems = refused(profile_raw(wording=bad))
    assert "{moi} không có" in problems["quy-tac.toml: wording.note_merged_best"]
    assert "{don_vi} không có" in problems["quy-tac.toml: wording.note_renamed_item"]


@pytest.mark.parametrize("profile", ["lao-cai-2020", "chuyen-doi-so-2026"])
def test_both_bundled_profiles_carry_the_keys(profile):
    path = ROOT / "templates" / profile / "quy-tac.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "merge_rule" in raw["prior"]
    for key in (
        "note_merged_item",
        "note_renamed_item",
        "note_merged_none",
        "note_merged_best",
        "note_merged_mean",
        "note_merged_typed",
        "note_renamed",
    ):
        assert key in raw["wording"], key
    load_rules(path)


def test_the_sheet_wins_over_the_profile_and_says_so(tmp_path, rules):
    profile = (
        Succession((KHCN, TTTT), KHCN, 2021, "quy-tac.toml: crosswalk[1]"),  # as the sheet
        Succession((BAN_DT,), "Sở Dân tộc", 2021, "quy-tac.toml: crosswalk[2]"),  # differs
        Succession(("Sở Y tế",), "Sở Y tế và Dân số", 2021, "quy-tac.toml: crosswalk[3]"),
        Succession((BAN_DT,), "Sở Dân tộc", 2019, "quy-tac.toml: crosswalk[4]"),  # other year
    )
    with_profile = dataclasses.replace(rules, successions=profile)
    found, problems = crosswalk(workbook(tmp_path, MERGER_2021), with_profile)
    assert [s.place for s in found] == [
        f"{CROSSWALK_SHEET}!B2",
        f"{CROSSWALK_SHEET}!B4",
        "quy-tac.toml: crosswalk[3]",
        "quy-tac.toml: crosswalk[4]",
    ]
    (warning,) = problems
    assert warning.severity is Severity.WARNING and warning.place == f"{CROSSWALK_SHEET}!B4"
    assert "quy-tac.toml: crosswalk[2]" in warning.message and "dùng theo sheet" in warning.message


# --------------------------------------------------------------------------- the decision


def year_2021(book: Any) -> None:
    """The sample as a 2021 workbook: prior ranks left blank, TTTT merged into KHCN, Ban Dân
    tộc renamed."""
    sheet = book["Điểm"]
    for row in sheet.iter_rows(min_row=2):
        row[3].value = None
        if row[1].value == BAN_DT:
            row[1].value = SO_DTTG
    doomed = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[1].value == TTTT)
    sheet.delete_rows(doomed)
    info = book["Thông tin"]
    for row in info.iter_rows():
        if row[0].value == "Năm đánh giá":
            row[1].value = 2021
        if row[0].value == "Ngày tờ trình":
            row[1].value = dt.datetime(2022, 1, 8)


def history_2020(rules: Rules) -> PastYear:
    evaluation, _ = check_workbook(read_workbook(SAMPLE), rules)
    assert evaluation is not None
    groups = evaluate(rules, evaluation.agencies)
    return PastYear(
        2020,
        "lao-cai-2020",
        tuple(
            PastAgency(r.agency.name, g.group.code, r.rank, r.rounded_total, r.percent)
            for g in groups
            for r in g.results
        ),
        maxima={c.code: dict(c.max_points) for c in rules.criteria},
    )


def decide(path: Path, rules: Rules, past: PastYear | None, template: Path, out: Path):
    """What the pipeline does once wired: check, crosswalk, prior years, compute, render."""
    raw = read_workbook(path)
    evaluation, problems = check_workbook(raw, rules)
    assert evaluation is not None, problems
    successions, crosswalk_problems = check_crosswalk(raw, rules, evaluation.info.year)
    applied = apply_past(rules, evaluation, past, successions, prior_column(raw, rules))
    groups = evaluate(rules, applied.evaluation.agencies)
    context = build_context(rules, evaluation.info, groups, notes=applied.notes)
    out.write_bytes(render_decision(template, context, reference=sample_context(rules)))
    return applied, [*problems, *crosswalk_problems]


def test_a_decision_with_a_merger_and_a_rename_prints_the_footnotes(tmp_path, rules):
    best = dataclasses.replace(rules, merge_rule=MergeRule.BEST)
    past = history_2020(rules)
    ranks = {a.name: a.rank for a in past.agencies}
    path = workbook(tmp_path, MERGER_2021, edit=year_2021)
    target = tmp_path / "quyet-dinh-2021.docx"
    applied, problems = decide(
        path, best, past, ROOT / "templates/lao-cai-2020/quyet-dinh.docx", target
    )
    assert not [p for p in problems if p.severity is Severity.ERROR]
    priors = {a.name: a.prior_rank for a in applied.evaluation.agencies}
    assert priors[KHCN] == min(ranks[KHCN], ranks[TTTT])
    assert priors[SO_DTTG] == ranks[BAN_DT]
    assert priors["Sở Y tế"] == ranks["Sở Y tế"]
    assert not applied.warnings

    text = lines(target)
    footnotes = text[text.index("Ghi chú:") + 1 : text.index("./.")]
    assert footnotes == [
        f"(*) Thứ hạng năm 2020 của đơn vị hợp nhất từ năm 2021 lấy theo thứ hạng cao nhất của "
        f"các đơn vị được hợp nhất: {KHCN} được hợp nhất từ {KHCN} và {TTTT}.",
        f"(**) Thứ hạng năm 2020 của đơn vị đổi tên từ năm 2021 là thứ hạng của đơn vị mang "
        f"tên cũ: {SO_DTTG} (trước đây là {BAN_DT}).",
    ]
    table = docx.Document(str(target)).tables[-1]
    rows = {r.cells[1].text: r.cells[2].text for r in table.rows}
    assert rows[KHCN] == f"{priors[KHCN]} (*)"
    assert rows[SO_DTTG] == f"{ranks[BAN_DT]} (**)"
    assert rows["Sở Y tế"] == str(ranks["Sở Y tế"])
    paragraph = next(p for p in docx.Document(str(target)).paragraphs if p.text.startswith("(*)"))
    assert all(run.italic for run in paragraph.runs)


def test_the_2026_template_prints_the_footnote_under_its_results(tmp_path):
    rules = load_rules(ROOT / "templates/chuyen-doi-so-2026/quy-tac.toml")
    template = ROOT / "templates/chuyen-doi-so-2026/quyet-dinh.docx"
    sample = ROOT / "input_samples/chuyen-doi-so-2026.xlsx"
    raw = read_workbook(sample)
    evaluation, _ = check_workbook(raw, rules)
    assert evaluation is not None
    first = evaluation.agencies[0]
    successions = [Succession(("Đơn vị cũ A", "Đơn vị cũ B"), first.name, 2026, "x")]
    applied = apply_past(rules, evaluation, None, successions, prior_column(raw, rules))
    context = build_context(
        rules, evaluation.info, evaluate(rules, applied.evaluation.agencies), notes=applied.notes
    )
    target = tmp_path / "2026.docx"
    target.write_bytes(render_decision(template, context, reference=sample_context(rules)))
    text = lines(target)
    (note,) = [t for t in text if t.startswith("(*) ")]
    assert f"{first.name} được hợp nhất từ Đơn vị cũ A và Đơn vị cũ B" in note
    assert text.index("Ghi chú:") < text.index(note) < text.index("3. Xếp hạng theo chỉ số chính:")
    assert any(t.endswith("(*)") for t in text if t.startswith(("—", "1", "2", "3")))


def test_no_footnote_leaves_no_trace(tmp_path, rules):
    """Without notes the footnote paragraphs vanish: the sample renders to the golden bytes
    (tests/test_golden.py checks the CLI; here, the context with notes=() explicitly)."""
    evaluation, _ = check_workbook(read_workbook(SAMPLE), rules)
    assert evaluation is not None
    template = ROOT / "templates/lao-cai-2020/quyet-dinh.docx"
    groups = evaluate(rules, evaluation.agencies)
    plain = render_decision(
        template,
        build_context(rules, evaluation.info, groups, notes=()),
        reference=sample_context(rules),
    )
    import hashlib

    assert hashlib.sha256(plain).hexdigest() == (
        "7d52f4bc487583f8ccdb9a5c24e4c7e61cb0a89ff71cecfdd3dd0c3517d1b64d"
    )


def test_the_footnoted_decision_converts_to_pdf(tmp_path, rules):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    from render_pages import docx_to_pdf

    best = dataclasses.replace(rules, merge_rule=MergeRule.MEAN)
    target = tmp_path / "quyet-dinh-2021.docx"
    decide(
        workbook(tmp_path, MERGER_2021, edit=year_2021),
        best,
        history_2020(rules),
        ROOT / "templates/lao-cai-2020/quyet-dinh.docx",
        target,
    )
    assert docx_to_pdf(target, tmp_path).read_bytes().startswith(b"%PDF")
