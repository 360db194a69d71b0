"""`init YEAR`: next year's workbook, made by the tool, read back as Excel and as the tool reads it.

Real files throughout: the samples, workbooks written to disk and read back with openpyxl (the
data validations, comments, protection as Excel will see them), filled in as a council would and
checked with the tool's own `inspect`; the history is a real SQLite file written by `run`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from processor.config.resources import Profile, find_profile
from processor.core.formatting import format_points
from processor.core.past import PastAgency, PastYear, Succession
from processor.core.problems import Severity
from processor.core.scoring import evaluate
from processor.history.commands import record_outcome
from processor.history.init_command import init_command, profile_sample
from processor.history.next_year import NewRow, next_year
from processor.pipeline import inspect
from processor.writing.new_workbook import new_workbook

from conftest import ROOT, SAMPLE, cli

LAO = find_profile("lao-cai-2020")
CDS = find_profile("chuyen-doi-so-2026")
CDS_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
HEADER_ROW = 2


def computed_ranks(workbook: Path, profile: Profile) -> list[tuple[str, str, int | None]]:
    """(name, group, rank) of every agency as `run` ranks it, group by group, rank order."""
    found = inspect(workbook, profile.rules)
    assert found.evaluation is not None
    groups = evaluate(found.rules, found.evaluation.agencies)
    return [
        (r.agency.name, g.group.code, r.rank) for g in groups for r in (*g.results, *g.unranked)
    ]


def headings(sheet: Any) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[HEADER_ROW] if cell.value}


def agency_rows(path: Path) -> list[dict[str, Any]]:
    """The agencies' rows of the `Điểm` sheet (the rows whose `Nhóm` cell is filled)."""
    sheet = openpyxl.load_workbook(path)["Điểm"]
    at = headings(sheet)
    rows = []
    for row_no in range(HEADER_ROW + 1, sheet.max_row + 1):
        group = sheet.cell(row_no, at["Nhóm"]).value
        if group:
            rows.append(
                {
                    "row": row_no,
                    "name": sheet.cell(row_no, at["Tên đơn vị"]).value,
                    "group": group,
                    "prior": sheet.cell(row_no, at["Xếp hạng năm trước"]).value,
                    "reason": sheet.cell(row_no, at["Không xếp hạng"]).value,
                }
            )
    return rows


def made(tmp_path: Path, year: int, profile: Profile, **kwargs: Any) -> Path:
    out = tmp_path / f"bang-diem-{year}.xlsx"
    code = init_command(
        year, profile, kwargs.get("history"), out, kwargs.get("source")
    )  # fmt: skip
    assert code == 0
    return out


def fill(
    blank_book: Path,
    target: Path,
    scores_from: Path,
    year: int,
    *,
    totals: bool,
    aliases: dict[str, str] | None = None,
) -> Path:
    """Type last year's scores into the new workbook with openpyxl, as a secretary would, and
    the `Thông tin` facts; with `totals`, the council's own totals over the formulas. `aliases`
    names, for a new name, the agency of last year whose scores it gets."""
    aliases = aliases or {}
    source = openpyxl.load_workbook(scores_from)["Điểm"]
    source_at = {cell.value: cell.column for cell in source[1] if cell.value}
    by_name = {
        source.cell(r, source_at["Tên đơn vị"]).value: r for r in range(2, source.max_row + 1)
    }
    book = openpyxl.load_workbook(blank_book)
    sheet = book["Điểm"]
    at = headings(sheet)
    codes = [h for h in at if h in source_at and h not in ("TT", "Tên đơn vị", "Nhóm")]
    codes = [h for h in codes if h not in ("Xếp hạng năm trước", "Tổng điểm", "Không xếp hạng")]
    for row in agency_rows(blank_book):
        source_row = by_name[aliases.get(row["name"], row["name"])]
        for code in codes:
            sheet.cell(row["row"], at[code]).value = source.cell(source_row, source_at[code]).value
        if totals:
            total = source.cell(source_row, source_at["Tổng điểm"]).value
            sheet.cell(row["row"], at["Tổng điểm"]).value = total
    info = book["Thông tin"]
    facts = {
        "Ngày tờ trình": dt.datetime(year + 1, 1, 8),
        "Người ký": "Trịnh Xuân Trường",
        "Chức vụ người ký": "CHỦ TỊCH",
    }
    for row_no in range(2, info.max_row + 1):
        key = info.cell(row_no, 1).value
        if key in facts:
            info.cell(row_no, 2).value = facts[key]
    book.save(target)
    return target


def libreoffice_resave(source: Path, folder: Path) -> Path:
    """The workbook opened and saved by LibreOffice Calc (which computes the formulas)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) không có trên máy này")
    inbox = folder / "vao"
    inbox.mkdir(parents=True)
    shutil.copyfile(source, inbox / source.name)
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--convert-to",
            "xlsx:Calc Office Open XML",
            "--outdir",
            str(folder),
            str(inbox / source.name),
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    saved = folder / source.name
    if not saved.is_file():
        pytest.skip("LibreOffice không lưu được bảng tính (thiếu Calc?)")
    return saved


def record(history: Path, workbook: Path, profile: Profile) -> None:
    """Record an accepted year in the history, as `run --history` does after the decision."""
    found = inspect(workbook, profile.rules)
    assert found.evaluation is not None
    record_outcome(
        history,
        rules=found.rules,
        evaluation=found.evaluation,
        groups=evaluate(found.rules, found.evaluation.agencies),
        profile=profile.name,
        workbook=workbook,
        rules_file=profile.rules,
        tool_version="kiểm thử",
        clock=lambda: dt.datetime(2021, 1, 12, 9, 0, tzinfo=dt.UTC),
    )


def validations_of(sheet: Any, coordinate: str) -> list[Any]:
    return [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.fixture(scope="module")
def lao_2021(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made(tmp_path_factory.mktemp("lao"), 2021, LAO, source=SAMPLE)


@pytest.fixture(scope="module")
def cds_2027(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made(tmp_path_factory.mktemp("cds"), 2027, CDS)


# -- the agencies and their prior ranks --------------------------------------------------------


def test_init_2021_from_the_2020_workbook_lists_the_32_agencies_with_their_2020_ranks(lao_2021):
    rows = agency_rows(lao_2021)
    expected = computed_ranks(SAMPLE, LAO)
    assert len(rows) == 32
    assert [(r["name"], r["group"], r["prior"]) for r in rows] == expected
    assert [r["prior"] for r in rows if r["group"] == "I"] == list(range(1, 17))


def test_without_a_source_the_profile_sample_gives_the_same_list(tmp_path, lao_2021):
    assert profile_sample(LAO) == SAMPLE
    assert agency_rows(made(tmp_path, 2021, LAO)) == agency_rows(lao_2021)


def test_the_same_list_gives_the_same_bytes(tmp_path, lao_2021):
    again = made(tmp_path, 2021, LAO, source=SAMPLE)
    assert again.read_bytes() == lao_2021.read_bytes()


# -- what Excel will check as the council types ------------------------------------------------


def test_every_score_cell_carries_the_bounds_of_its_group(lao_2021):
    rules = inspect(SAMPLE, LAO.rules).rules
    sheet = openpyxl.load_workbook(lao_2021)["Điểm"]
    at = headings(sheet)
    checked = 0
    for row in agency_rows(lao_2021):
        for criterion in rules.criteria:
            cell = sheet.cell(row["row"], at[criterion.code])
            found = validations_of(sheet, cell.coordinate)
            assert len(found) == 1, cell.coordinate
            dv = found[0]
            most = criterion.max_points.get(row["group"])
            if most is None:
                assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "0")
                assert cell.fill.fgColor.rgb.endswith("BFBFBF")
                assert "không áp dụng cho nhóm" in dv.error
            elif criterion.deduction:
                assert (dv.type, dv.operator) == ("decimal", "between")
                assert (Decimal(dv.formula1), Decimal(dv.formula2)) == (-most, 0)
                assert "Ghi 0 nếu không bị trừ điểm" in dv.error
            else:  # the profile allows «Không đánh giá»: a formula admits it beside the number
                assert dv.type == "custom"
                (block,) = dv.sqref.ranges  # one group's rows: the formula names its first cell
                top = block.coord.split(":")[0]
                bound = format(most.normalize(), "f")
                assert f"AND(ISNUMBER({top}),{top}>=0,{top}<={bound})" in dv.formula1
                assert f'{top}="Không đánh giá"' in dv.formula1 and f'{top}="KĐG"' in dv.formula1
                assert f"đến {format_points(most)}" in dv.error
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
            assert dv.allow_blank
            checked += 1
    assert checked == 32 * len(rules.criteria)


def test_the_group_and_prior_rank_cells_offer_only_what_the_reader_accepts(lao_2021):
    sheet = openpyxl.load_workbook(lao_2021)["Điểm"]
    at = headings(sheet)
    first = agency_rows(lao_2021)[0]["row"]
    (group,) = validations_of(sheet, sheet.cell(first, at["Nhóm"]).coordinate)
    assert (group.type, group.formula1) == ("list", '"I,II,III"')
    assert "Mã nhóm phải là một trong: I, II, III" in group.error
    (prior,) = validations_of(sheet, sheet.cell(first, at["Xếp hạng năm trước"]).coordinate)
    assert (prior.type, prior.operator, prior.formula1) == ("whole", "greaterThanOrEqual", "1")
    # an agency added below the table still gets both lists
    assert validations_of(sheet, f"C{sheet.max_row + 50}")


def test_the_headings_are_locked_frozen_and_explained_in_comments(lao_2021):
    sheet = openpyxl.load_workbook(lao_2021)["Điểm"]
    at = headings(sheet)
    assert list(at)[:4] == ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước"]
    assert list(at)[-2:] == ["Tổng điểm", "Không xếp hạng"]
    assert sheet.freeze_panes == "C3"
    assert sheet.protection.sheet and not sheet.protection.password
    assert not sheet.protection.insertRows and not sheet.protection.deleteRows  # allowed
    assert all(cell.protection.locked for cell in sheet[HEADER_ROW] if cell.value)
    row = agency_rows(lao_2021)[0]["row"]
    assert not any(cell.protection.locked for cell in sheet[row])
    note = sheet.cell(HEADER_ROW, at["TC3.1"]).comment.text
    assert "TC3.1:" in note and "nhóm I: 18" in note and "nhóm II: không áp dụng" in note
    assert "Thứ hạng năm 2020" in sheet.cell(HEADER_ROW, at["Xếp hạng năm trước"]).comment.text
    assert sheet.cell(row, at["Tổng điểm"]).value.startswith("=SUM(")


def test_the_info_and_guide_sheets(lao_2021):
    book = openpyxl.load_workbook(lao_2021)
    assert book.sheetnames == ["Điểm", "Thông tin", "Sáp nhập - đổi tên", "Hướng dẫn"]
    info = {row[0]: row[1] for row in book["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert info == {
        "Năm đánh giá": 2021,
        "Số tờ trình": None,
        "Ngày tờ trình": None,
        "Người ký": None,
        "Chức vụ người ký": None,
        "Số quyết định": None,
        "Ngày quyết định": None,
    }
    guide = "\n".join(
        str(v) for row in book["Hướng dẫn"].iter_rows(values_only=True) for v in row if v
    )
    for words in ("dấu phẩy thập phân (7,5)", "«Không đánh giá»", "Không xếp hạng", "inbox",
                  "python -m processor check", "xep-hang-cntt-2020.xlsx (năm 2020)"):  # fmt: skip
        assert words in guide, words
    assert "Tổng điểm tối đa của nhóm" in guide and "TD" in guide


def test_the_unfilled_workbook_is_refused_only_for_its_missing_scores(lao_2021):
    found = inspect(lao_2021, LAO.rules)
    messages = {p.message.split(" ")[0] for p in found.problems if p.severity is Severity.ERROR}
    assert messages == {"Thiếu"}  # «Thiếu điểm tiêu chí …» and the Thông tin facts


# -- filled in, it passes `check` --------------------------------------------------------------


def test_filled_with_the_2020_scores_and_totals_it_passes_check_with_no_problem(tmp_path, lao_2021):
    filled = fill(lao_2021, tmp_path / "da-nhap.xlsx", SAMPLE, 2021, totals=True)
    found = inspect(filled, LAO.rules)
    assert found.problems == ()
    assert found.evaluation is not None and found.evaluation.info.year == 2021
    priors = {a.name: a.prior_rank for a in found.evaluation.agencies}
    assert priors == {name: rank for name, _, rank in computed_ranks(SAMPLE, LAO)}


def test_filled_and_saved_by_an_office_program_the_formula_totals_agree(tmp_path, lao_2021):
    typed = fill(lao_2021, tmp_path / "da-nhap.xlsx", SAMPLE, 2021, totals=False)
    # saved by a program that does not compute (openpyxl): the total cells hold init's own sum
    # formula without a result, which the check recognises, so there is nothing to warn about
    assert inspect(typed, LAO.rules).problems == ()
    saved = libreoffice_resave(typed, tmp_path / "lo")
    found = inspect(saved, LAO.rules)
    assert found.problems == ()
    scored = {a.name: a.council_total for a in found.evaluation.agencies}
    assert scored["Sở Thông tin và Truyền thông"] == Decimal("96.34")


def test_the_chuyen_doi_so_profile_makes_its_2027_workbook(tmp_path, cds_2027):
    rows = agency_rows(cds_2027)
    expected = computed_ranks(CDS_SAMPLE, CDS)
    assert [(r["name"], r["group"], r["prior"]) for r in rows] == expected
    reasons = {r["name"]: r["reason"] for r in rows if r["reason"]}
    assert set(reasons) == {n for n, _, rank in expected if rank is None}  # carried over
    sheet = openpyxl.load_workbook(cds_2027)["Điểm"]
    at = headings(sheet)
    first = rows[0]["row"]
    (group,) = validations_of(sheet, sheet.cell(first, at["Nhóm"]).coordinate)
    assert group.formula1 == '"SBN-TTHC,SBN-DT,XP"'
    (deduction,) = validations_of(sheet, sheet.cell(first, at["CS6.3"]).coordinate)
    assert (deduction.type, deduction.formula2) == ("decimal", "0")
    filled = fill(cds_2027, tmp_path / "da-nhap.xlsx", CDS_SAMPLE, 2027, totals=True)
    found = inspect(filled, CDS.rules)
    assert found.evaluation is not None
    # 2026 had tied ranks: the reader's plausibility warning says so, and nothing else
    assert found.problems and all("trùng với ô" in p.message for p in found.problems)
    ranked = [(group, rank) for _, group, rank in expected if rank is not None]
    assert len(found.problems) == len(ranked) - len(set(ranked))
    not_scored = {a.name for a in found.evaluation.agencies if a.not_scored}
    assert not_scored  # «Không đánh giá» typed in the cells got past the checks


# -- renames and mergers -----------------------------------------------------------------------


def past_2024() -> PastYear:
    agencies = [
        ("Sở A", "I", 2),
        ("Sở B", "I", 1),
        ("Sở C", "I", 3),
        ("Sở D", "I", None),
        ("Xã E", "II", 1),
        ("Xã F", "II", 2),
        ("Xã G", "II", 3),
    ]
    return PastYear(
        2024, "p", tuple(PastAgency(n, g, r, Decimal(50)) for n, g, r in agencies)
    )  # fmt: skip


def test_a_rename_keeps_the_rank_and_a_merger_is_one_row_without_one():
    successions = [
        Succession(("Sở A",), "Sở A mới", 2025, "quy-tac.toml: crosswalk[1]"),
        Succession(("Xã F", "Xã E"), "Xã EF", 2025, "quy-tac.toml: crosswalk[2]"),
        Succession(("Sở C",), "Sở C sau này", 2026, "x"),  # later than the year made
        Succession(("Sở B",), "Sở B cũ hơn", 2024, "y"),  # already in force last year
    ]
    result = next_year(past_2024(), 2025, successions, ["I", "II"], {"sở d": "Đặc thù"})
    assert result.rows == (
        NewRow("Sở B", "I", 1),
        NewRow("Sở A mới", "I", 2),
        NewRow("Sở C", "I", 3),
        NewRow("Sở D", "I", None, "Đặc thù"),
        NewRow("Xã EF", "II", None),  # where its best-placed predecessor stood
        NewRow("Xã G", "II", 3),
    )
    assert result.renamed == (("Sở A", "Sở A mới"),)
    assert result.merged == ((("Xã E", "Xã F"), "Xã EF"),)
    assert result.notes == ()


def test_successions_chain_over_skipped_years_and_unknown_names_are_noted():
    successions = [
        Succession(("Sở A",), "Sở A2", 2025, "a"),
        Succession(("Sở A2", "Sở B"), "Sở AB", 2026, "b"),
        Succession(("Sở Z",), "Sở Z2", 2026, "c"),
        Succession(("Xã G",), "Xã E", 2026, "d"),  # absorbed into an agency that stays
    ]
    result = next_year(past_2024(), 2026, successions, ["I", "II"])
    names = [(r.name, r.prior_rank) for r in result.rows]
    assert names == [
        ("Sở AB", None),
        ("Sở C", 3),
        ("Sở D", None),
        ("Xã E", None),
        ("Xã F", 2),
    ]
    assert result.renamed == (("Sở A", "Sở A2"),)
    assert [new for _, new in result.merged] == ["Sở AB", "Xã E"]
    assert len(result.notes) == 1 and "«Sở Z»" in result.notes[0]


def own_profile(tmp_path: Path, crosswalk: str) -> Profile:
    """A copy of the bundled profile with its own [[crosswalk]] and merge rule "best", as a
    province keeps one."""
    folder = tmp_path / "tinh-thu"
    shutil.copytree(LAO.folder, folder)
    rules = folder / "quy-tac.toml"
    text = rules.read_text(encoding="utf-8")
    assert text.count('merge_rule = "none"') == 1
    text = text.replace('merge_rule = "none"', 'merge_rule = "best"') + crosswalk
    rules.write_text(text, encoding="utf-8")
    return find_profile(str(folder))


CROSSWALK = """
[[crosswalk]]
old = "Sở Tư pháp"
new = "Sở Tư pháp tỉnh Lào Cai"
year = 2021

[[crosswalk]]
old = ["Sở Tài chính", "Sở Kế hoạch và Đầu tư"]
new = "Sở Tài chính - Kế hoạch"
year = 2021
"""


def test_init_from_the_history_applies_the_profile_crosswalk(tmp_path):
    profile = own_profile(tmp_path, CROSSWALK)
    history = tmp_path / "lich-su.sqlite"
    record(history, SAMPLE, profile)
    out = tmp_path / "bang-diem-2021.xlsx"
    done = cli(
        "init", "2021", "--profile", str(profile.folder), "--history", str(history),
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lich-su.sqlite (năm 2020)" in done.stdout
    assert "Hợp nhất: «Sở Kế hoạch và Đầu tư», «Sở Tài chính»" in done.stdout
    assert 'merge_rule = "best"' in done.stdout
    rows = {r["name"]: r for r in agency_rows(out)}
    ranks = {name: rank for name, _, rank in computed_ranks(SAMPLE, LAO)}
    assert len(rows) == 31
    assert rows["Sở Tư pháp tỉnh Lào Cai"]["prior"] == ranks["Sở Tư pháp"]
    assert rows["Sở Tài chính - Kế hoạch"]["prior"] is None
    assert "Sở Tài chính" not in rows and "Sở Kế hoạch và Đầu tư" not in rows
    crosswalk = openpyxl.load_workbook(out)["Sáp nhập - đổi tên"]
    assert list(crosswalk.iter_rows(values_only=True)) == [
        ("Tên cũ", "Tên mới", "Từ năm"),
        ("Sở Tư pháp", "Sở Tư pháp tỉnh Lào Cai", 2021),
        ("Sở Tài chính", "Sở Tài chính - Kế hoạch", 2021),
        ("Sở Kế hoạch và Đầu tư", "Sở Tài chính - Kế hoạch", 2021),
    ]
    aliases = {"Sở Tư pháp tỉnh Lào Cai": "Sở Tư pháp", "Sở Tài chính - Kế hoạch": "Sở Tài chính"}
    filled = fill(out, tmp_path / "da-nhap.xlsx", SAMPLE, 2021, totals=True, aliases=aliases)
    found = inspect(filled, profile.rules)
    assert found.evaluation is not None, [str(p) for p in found.problems]
    # Two ranks of group I left with the merger: the plausibility check of the prior ranks
    # (ranks up to 16, 14 agencies with one) warns about the last two, and nothing else.
    assert sorted(p.place for p in found.problems) == ["Điểm!D17", "Điểm!D18"]


def test_init_2021_after_recording_the_2020_sample_in_the_history(tmp_path, lao_2021):
    history = tmp_path / "lich-su.sqlite"
    record(history, SAMPLE, LAO)
    out = made(tmp_path, 2021, LAO, history=history)
    assert agency_rows(out) == agency_rows(lao_2021)
    filled = fill(out, tmp_path / "da-nhap.xlsx", SAMPLE, 2021, totals=True)
    assert inspect(filled, LAO.rules).problems == ()


def test_a_year_skipped_in_the_history_lists_the_agencies_without_prior_ranks(
    tmp_path, capsys, lao_2021
):
    history = tmp_path / "lich-su.sqlite"
    record(history, SAMPLE, LAO)
    out = tmp_path / "bang-diem-2022.xlsx"
    assert init_command(2022, LAO, history, out, None) == 0
    rows = agency_rows(out)
    assert [r["name"] for r in rows] == [r["name"] for r in agency_rows(lao_2021)]
    assert all(r["prior"] is None for r in rows)  # 2020's ranks are not 2021's
    assert "năm gần nhất có kết quả là 2020, không phải 2021" in capsys.readouterr().out


def test_groups_the_rules_no_longer_have_are_named(tmp_path, capsys):
    history = tmp_path / "lich-su.sqlite"
    record(history, SAMPLE, own_profile(tmp_path / "cu", ""))
    folder = tmp_path / "moi" / "tinh-thu"  # the same profile, its districts now communes
    shutil.copytree(tmp_path / "cu" / "tinh-thu", folder)
    rules = folder / "quy-tac.toml"
    text = rules.read_text(encoding="utf-8").replace('code = "III"', 'code = "XA"')
    rules.write_text(text.replace("III = ", "XA = "), encoding="utf-8")
    assert init_command(2021, find_profile(str(folder)), history, tmp_path / "b.xlsx", None) == 2
    err = capsys.readouterr().err
    assert "Nhóm III của năm 2020 không còn trong tệp quy tắc" in err
    assert "UBND huyện Bảo Yên" in err and not (tmp_path / "b.xlsx").exists()


# -- refusals ----------------------------------------------------------------------------------


def test_an_existing_file_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "co-roi.xlsx"
    out.write_bytes(b"tep cu")
    assert init_command(2021, LAO, None, out, SAMPLE) == 2
    assert out.read_bytes() == b"tep cu"
    assert "không ghi đè" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("year", "name", "history", "source", "words"),
    [
        (2021, "bang.docx", None, None, "đuôi .xlsx"),
        (2021, "bang.xlsx", "lich-su.sqlite", SAMPLE, "Chỉ dùng một nguồn"),
        (2021, "bang.xlsx", "khong-co.sqlite", None, "Chưa có tệp lịch sử"),
        (2020, "bang.xlsx", None, SAMPLE, "không phải của một năm trước năm 2020"),
        (20210, "bang.xlsx", None, SAMPLE, "Năm đánh giá phải là một năm"),
    ],
)
def test_bad_arguments_are_refused_in_vietnamese(
    tmp_path, capsys, year, name, history, source, words
):
    history_path = None if history is None else tmp_path / history
    assert init_command(year, LAO, history_path, tmp_path / name, source) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / name).exists()
    assert history_path is None or not history_path.exists()  # never created by init


def test_a_history_without_an_earlier_year_says_which_years_it_has(tmp_path, capsys):
    history = tmp_path / "lich-su.sqlite"
    record(history, SAMPLE, LAO)
    assert init_command(2020, LAO, history, tmp_path / "b.xlsx", None) == 2
    err = capsys.readouterr().err
    assert "chưa có năm nào trước năm 2020" in err and "lao-cai-2020 2020" in err


def test_a_profile_without_a_sample_asks_for_a_source(tmp_path, capsys):
    folder = tmp_path / "bo-mau"
    shutil.copytree(LAO.folder, folder)
    profile = find_profile(str(folder))
    assert profile_sample(profile) is None
    assert init_command(2021, profile, None, tmp_path / "b.xlsx", None) == 2
    assert "--from BẢNG_ĐIỂM" in capsys.readouterr().err
    (folder / "bang-diem-mau.xlsx").write_bytes(SAMPLE.read_bytes())
    assert profile_sample(profile) == folder / "bang-diem-mau.xlsx"
    assert init_command(2021, profile, None, tmp_path / "b.xlsx", None) == 0


def test_a_workbook_with_errors_is_not_a_source(tmp_path, capsys):
    book = openpyxl.load_workbook(SAMPLE)
    book["Điểm"]["E2"] = 99
    broken = tmp_path / "sai.xlsx"
    book.save(broken)
    assert init_command(2021, LAO, None, tmp_path / "b.xlsx", broken) == 2
    err = capsys.readouterr().err
    assert "sai.xlsx có 1 lỗi" in err and "Điểm!E2" in err


def test_without_openpyxl_the_message_says_what_to_install(tmp_path):
    out = tmp_path / "b.xlsx"
    script = (
        "import sys; sys.modules['openpyxl'] = None\n"
        "from processor.cli import main\n"
        f"sys.exit(main(['init', '2021', '--out', {str(out)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "python -m pip install openpyxl" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_names_are_written_as_text_even_when_they_look_like_formulas(tmp_path):
    rules = inspect(SAMPLE, LAO.rules).rules
    data = new_workbook(rules, 2021, [NewRow("=1+1 Sở lạ", "I", 1)])
    (tmp_path / "x.xlsx").write_bytes(data)
    assert agency_rows(tmp_path / "x.xlsx")[0]["name"] == "=1+1 Sở lạ"


# -- the command line and the page -------------------------------------------------------------


def test_the_command_line_makes_the_workbook(tmp_path):
    out = tmp_path / "bang-diem-2027.xlsx"
    done = cli("init", "2027", "--profile", "chuyen-doi-so-2026", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"Đã lập bảng điểm năm 2027: {out}" in done.stdout
    assert "122 đơn vị trong 3 nhóm" in done.stdout
    again = cli("init", "2027", "--profile", "chuyen-doi-so-2026", "--out", str(out))
    assert again.returncode == 2 and "không ghi đè" in again.stderr


def test_the_workbook_prints_with_libreoffice(tmp_path, lao_2021):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice hoặc pdftotext không có trên máy này")
    subprocess.run(
        [
            soffice, "--headless", "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(lao_2021),
        ],
        capture_output=True, timeout=240, check=False,
    )  # fmt: skip
    pdf = tmp_path / f"{lao_2021.stem}.pdf"
    assert pdf.is_file()
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "BẢNG ĐIỂM ĐÁNH GIÁ, XẾP HẠNG" in text and "Sở Thông tin và Truyền thông" in text
    assert "HƯỚNG DẪN NHẬP BẢNG ĐIỂM NĂM 2021" in text
