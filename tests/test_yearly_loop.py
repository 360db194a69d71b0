"""The yearly loop end to end, as an office lives it: `run --history` year after year, the prior
ranks taken from the history through a rename and a merger, a year re-run, and `init` making
next year's workbook.

Everything is real: copies of input_samples/xep-hang-cntt-2020.xlsx edited with openpyxl, a
copy of the lao-cai-2020 profile folder with its own [prior] merge_rule, SQLite files written
by the CLI in subprocesses, decisions read back with python-docx. Expected ranks are worked out
here from the decisions' own tables, never by calling the library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from conftest import ROOT, SAMPLE

TTTT, KHCN = "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"
MERGED = "Sở Khoa học, Công nghệ và Truyền thông"  # a new name for the two
BAN_DT, SO_DTTG = "Ban Dân tộc", "Sở Dân tộc và Tôn giáo"
KHDT = "Sở Kế hoạch và Đầu tư"
CROSSWALK = [(TTTT, MERGED, 2025), (KHCN, MERGED, 2025), (BAN_DT, SO_DTTG, 2025)]
PROFILE = "tinh-thu"  # the history key: the same folder name every year
RULE_WORDS = {
    "none": "không có thứ hạng năm 2024 để so sánh",
    "best": "lấy theo thứ hạng cao nhất",
    "mean": "điểm trung bình năm 2024",
}


def cli(*args: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "processor", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
        timeout=300,
    )


def profile(folder: Path, rule: str) -> Path:
    """A copy of the bundled profile named PROFILE, its merge rule set to `rule`."""
    target = folder / PROFILE
    shutil.copytree(ROOT / "templates" / "lao-cai-2020", target)
    rules = target / "quy-tac.toml"
    text = rules.read_text(encoding="utf-8")
    assert text.count('merge_rule = "none"') == 1
    rules.write_text(text.replace('merge_rule = "none"', f'merge_rule = "{rule}"'), "utf-8")
    return target


def workbook(
    path: Path,
    year: int,
    *,
    names: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    lower: dict[str, tuple[str, int]] | None = None,
    typed: dict[str, int] | None = None,
    crosswalk: list[tuple[str, str, int]] | None = None,
) -> Path:
    """The 2020 sample as another year's workbook: prior ranks blank (or `typed`), agencies
    renamed (`names`, by their 2020 name) or dropped, a criterion `lower`ed by some points
    (the council's total with it, so the scores stay valid and agree), the crosswalk sheet."""
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book["Điểm"]
    head = {cell.value: cell.column for cell in sheet[1] if cell.value}
    for row_no in range(sheet.max_row, 1, -1):
        if sheet.cell(row_no, head["Tên đơn vị"]).value in drop:
            sheet.delete_rows(row_no)
    numbers: dict[str, int] = {}
    for row_no in range(2, sheet.max_row + 1):
        name_cell = sheet.cell(row_no, head["Tên đơn vị"])
        group = sheet.cell(row_no, head["Nhóm"]).value
        if not name_cell.value:
            continue
        numbers[group] = numbers.get(group, 0) + 1
        sheet.cell(row_no, head["TT"]).value = numbers[group]
        old = name_cell.value
        if old in (lower or {}):
            code, points = (lower or {})[old]
            for column in (head[code], head["Tổng điểm"]):
                cell = sheet.cell(row_no, column)
                cell.value = round(cell.value - points, 2)
        name_cell.value = (names or {}).get(old, old)
        sheet.cell(row_no, head["Xếp hạng năm trước"]).value = (typed or {}).get(name_cell.value)
    info = book["Thông tin"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "Năm đánh giá":
            row[1].value = year
        if row[0].value == "Ngày tờ trình":
            row[1].value = dt.datetime(year + 1, 1, 8)
    if crosswalk:
        cross = book.create_sheet("Sáp nhập - đổi tên")
        cross.append(["Tên cũ", "Tên mới", "Từ năm"])
        for entry in crosswalk:
            cross.append(list(entry))
    book.save(path)
    return path


def year_2025(folder: Path, **changes: Any) -> Path:
    """2025: TTTT and KHCN merged into MERGED (TTTT's row, KHCN's gone), Ban Dân tộc renamed,
    KHĐT 10 points down so the ranks move."""
    lower = {KHDT: ("TC3.1", 10), **changes.pop("lower", {})}
    return workbook(
        folder / "bang-diem-2025.xlsx",
        2025,
        names={TTTT: MERGED, BAN_DT: SO_DTTG},
        drop=(KHCN,),
        lower=lower,
        crosswalk=CROSSWALK,
        **changes,
    )


def year_2026(folder: Path) -> Path:
    """2026: the 2025 names, no crosswalk; the merged agency 20 points down."""
    return workbook(
        folder / "bang-diem-2026.xlsx",
        2026,
        names={TTTT: MERGED, BAN_DT: SO_DTTG},
        drop=(KHCN,),
        lower={TTTT: ("TC3.1", 12), "Sở Y tế": ("TC3.1", 10)},
    )


def run(book: Path, rules: Path | str, history: Path, out: Path) -> subprocess.CompletedProcess:
    done = cli("run", book, "--profile", rules, "--history", history, "--no-pdf", "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def decision(out: Path, year: int) -> Path:
    (path,) = out.glob(f"quyet-dinh-*{year}.docx")
    return path


def appendix(path: Path) -> dict[str, dict[str, str]]:
    """Each agency's row of the appendix table: prior rank, total, rank as printed."""
    table = docx.Document(str(path)).tables[-1]
    rows = {}
    for row in table.rows[2:]:
        cells = [c.text for c in row.cells]
        if cells[0].isdigit():
            rows[cells[1]] = {"prior": cells[2], "total": cells[3], "rank": cells[4]}
    return rows


def group_of(path: Path, name: str) -> list[str]:
    """The names in the same group as `name`, in the order of the table."""
    groups: list[list[str]] = []
    for row in docx.Document(str(path)).tables[-1].rows[2:]:
        cells = [c.text for c in row.cells]
        if not cells[0].isdigit():
            groups.append([])
        elif groups:
            groups[-1].append(cells[1])
    return next(g for g in groups if name in g)


def footnotes(path: Path) -> dict[str, str]:
    """The decision's footnotes by their sign: {"(*)": "Thứ hạng …", …}."""
    texts = [paragraph.text for paragraph in docx.Document(str(path)).paragraphs]
    notes = {m[1]: m[2] for t in texts if (m := re.match(r"^(\(\*+\)) (.+)$", t))}
    assert ("Ghi chú:" in texts) == bool(notes)  # the heading comes with the notes
    return notes


def trend(history: Path, name: str) -> dict[int, dict[str, Any]]:
    done = cli("history", "--history", history, "--agency", name, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return {point["year"]: point for point in json.loads(done.stdout)["trend"]}


def prior_in_history(point: dict[str, Any]) -> int | None:
    """The prior rank the history implies: rank_change is prior minus rank."""
    change = point["rank_change"]
    return None if change is None else point["rank"] + change


def points(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def marked(text: str) -> tuple[str, str | None]:
    """ "5 (**)" -> ("5", "(**)"); "3" -> ("3", None)."""
    found = re.match(r"^(.*?)\s*(\(\*+\))?$", text)
    assert found is not None
    return found[1], found[2]


# --------------------------------------------------------------------------- three years


@pytest.mark.parametrize("rule", ["none", "best", "mean"])
def test_three_years_with_a_merger_and_a_rename(tmp_path, rule):
    rules, history = profile(tmp_path, rule), tmp_path / "lich-su.sqlite"
    out = {year: tmp_path / f"ra-{year}" for year in (2024, 2025, 2026)}
    done = [run(workbook(tmp_path / "bang-diem-2024.xlsx", 2024), rules, history, out[2024])]
    y2024 = appendix(decision(out[2024], 2024))
    done.append(run(year_2025(tmp_path), rules, history, out[2025]))
    y2025 = appendix(decision(out[2025], 2025))

    # the renamed agency: its old name's 2024 rank, with the rename footnote
    notes = footnotes(decision(out[2025], 2025))
    rank, sign = marked(y2025[SO_DTTG]["prior"])
    assert rank == y2024[BAN_DT]["rank"] and sign is not None
    assert "mang tên cũ: " + f"{SO_DTTG} (trước đây là {BAN_DT})." in notes[sign]
    assert prior_in_history(trend(history, SO_DTTG)[2025]) == int(y2024[BAN_DT]["rank"])
    assert trend(history, BAN_DT)[2024]["rank"] == int(y2024[BAN_DT]["rank"])

    # the merged agency: as the rule says, worked out here from the 2024 table
    predecessors = (TTTT, KHCN)
    if rule == "none":
        expected = None
    elif rule == "best":
        expected = min(int(y2024[n]["rank"]) for n in predecessors)
    else:
        mean = sum(points(y2024[n]["total"]) for n in predecessors) / 2
        others = [n for n in group_of(decision(out[2024], 2024), TTTT) if n not in predecessors]
        expected = 1 + sum(points(y2024[n]["total"]) > mean for n in others)
    rank, sign = marked(y2025[MERGED]["prior"])
    assert sign is not None and rank == ("" if expected is None else str(expected))
    assert prior_in_history(trend(history, MERGED)[2025]) == expected
    assert RULE_WORDS[rule] in notes[sign]
    assert notes[sign].endswith(f"{MERGED} được hợp nhất từ {TTTT} và {KHCN}.")
    assert len(notes) == 2
    assert not any(name in y2025 for name in (TTTT, KHCN, BAN_DT))
    unchanged = [n for n in y2025 if n in y2024]
    assert {n: y2025[n]["prior"] for n in unchanged} == {n: y2024[n]["rank"] for n in unchanged}
    assert y2025[KHDT]["rank"] != y2024[KHDT]["rank"]  # the ranks did move

    # 2026: every prior rank is the 2025 rank, the successions done, no footnote left
    done.append(run(year_2026(tmp_path), rules, history, out[2026]))
    y2026 = appendix(decision(out[2026], 2026))
    assert {n: r["prior"] for n, r in y2026.items()} == {n: r["rank"] for n, r in y2025.items()}
    assert footnotes(decision(out[2026], 2026)) == {}
    assert prior_in_history(trend(history, MERGED)[2026]) == int(y2025[MERGED]["rank"])
    assert y2026[MERGED]["rank"] != y2025[MERGED]["rank"]  # and it moved again
    assert [d.stderr for d in done] == ["", "", ""]  # not one warning in three years


# --------------------------------------------------------------------------- re-running a year


def test_rerunning_2025_replaces_it_and_2026_follows_the_new_ranks(tmp_path):
    rules, history = profile(tmp_path, "best"), tmp_path / "lich-su.sqlite"
    run(workbook(tmp_path / "bang-diem-2024.xlsx", 2024), rules, history, tmp_path / "ra-2024")
    first = year_2025(tmp_path)
    run(first, rules, history, tmp_path / "ra-2025")
    before = appendix(decision(tmp_path / "ra-2025", 2025))
    old_sha = hashlib.sha256(first.read_bytes()).hexdigest()

    (tmp_path / "sua").mkdir()
    fixed = year_2025(tmp_path / "sua", lower={TTTT: ("TC3.1", 9)})  # the merged row 9 down
    new_sha = hashlib.sha256(fixed.read_bytes()).hexdigest()
    assert new_sha != old_sha
    again = run(fixed, rules, history, tmp_path / "ra-2025b")
    assert "2025" in again.stdout and "lịch sử" in again.stdout
    after = appendix(decision(tmp_path / "ra-2025b", 2025))
    assert after[MERGED]["rank"] != before[MERGED]["rank"]

    listed = cli("history", "--history", history, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    years = [y for y in document["years"] if y["year"] == 2025]
    assert len(years) == 1 and years[0]["input_sha256"] == new_sha and years[0]["replaced"] == 1
    (audit,) = document["replacements"]
    assert (audit["profile"], audit["year"]) == (PROFILE, 2025)
    assert (audit["old_input_sha256"], audit["new_input_sha256"]) == (old_sha, new_sha)
    assert MERGED in audit["changes"]["changed_names"] and "đổi kết quả" in audit["summary"]
    assert trend(history, MERGED)[2025]["rank"] == int(after[MERGED]["rank"])

    run(year_2026(tmp_path), rules, history, tmp_path / "ra-2026")
    y2026 = appendix(decision(tmp_path / "ra-2026", 2026))
    assert {n: r["prior"] for n, r in y2026.items()} == {n: r["rank"] for n, r in after.items()}


# --------------------------------------------------------------------------- the workbook wins


def test_a_typed_prior_rank_that_differs_from_history_is_a_warning_and_is_printed(tmp_path):
    rules, history = profile(tmp_path, "none"), tmp_path / "lich-su.sqlite"
    run(workbook(tmp_path / "bang-diem-2024.xlsx", 2024), rules, history, tmp_path / "ra-2024")
    y2024 = appendix(decision(tmp_path / "ra-2024", 2024))
    known = int(y2024["Sở Y tế"]["rank"])
    typed = known - 2
    book = year_2025(tmp_path, typed={"Sở Y tế": typed})
    sheet = openpyxl.load_workbook(book)["Điểm"]
    (row_no,) = [r[0].row for r in sheet.iter_rows(min_row=2) if r[1].value == "Sở Y tế"]
    done = run(book, rules, history, tmp_path / "ra-2025")
    at_cell = [line for line in done.stderr.splitlines() if f"Điểm!D{row_no}" in line]
    (line,) = at_cell  # the history's word only: not also a guess at last year's group size
    assert "lịch sử" in line
    assert line.strip().startswith(f"Cảnh báo Điểm!D{row_no} (Sở Y tế): ")
    assert f"ghi trong bảng điểm là {typed}" in line
    assert f"năm 2024 trong lịch sử là {known}" in line
    assert f"Điểm!D{row_no}" not in done.stdout
    assert appendix(decision(tmp_path / "ra-2025", 2025))["Sở Y tế"]["prior"] == str(typed)


# --------------------------------------------------------------------------- next year's workbook


def init_2021(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    history = tmp_path / "lich-su.sqlite"
    run(SAMPLE, "lao-cai-2020", history, tmp_path / "ra-2020")
    made = tmp_path / "bang-diem-2021.xlsx"
    done = cli("init", "2021", "--history", history, "--out", made)
    assert done.returncode == 0, done.stdout + done.stderr
    return made, appendix(decision(tmp_path / "ra-2020", 2020))


def rows_of(sheet: Any) -> tuple[dict[str, int], dict[str, int]]:
    """The heading row's columns and each agency's row (rows whose `Nhóm` is filled)."""
    for header in range(1, 10):
        head = {c.value: c.column for c in sheet[header] if c.value}
        if "Tên đơn vị" in head:
            break
    agencies = {
        sheet.cell(r, head["Tên đơn vị"]).value: r
        for r in range(header + 1, sheet.max_row + 1)
        if sheet.cell(r, head["Nhóm"]).value
    }
    return head, agencies


def test_init_2021_lists_the_32_agencies_with_their_2020_ranks_and_validates_scores(tmp_path):
    made, y2020 = init_2021(tmp_path)
    sheet = openpyxl.load_workbook(made)["Điểm"]
    head, agencies = rows_of(sheet)
    assert len(agencies) == 32 and set(agencies) == set(y2020)
    prior = {n: sheet.cell(r, head["Xếp hạng năm trước"]).value for n, r in agencies.items()}
    assert prior == {n: int(r["rank"]) for n, r in y2020.items()}
    codes = [c.value for c in openpyxl.load_workbook(SAMPLE)["Điểm"][1]][4:-1]
    validations = sheet.data_validations.dataValidation
    for row_no in agencies.values():
        for code in codes:
            cell = sheet.cell(row_no, head[code]).coordinate
            assert any(cell in dv.sqref for dv in validations), cell


def test_init_2021_filled_with_the_2020_scores_passes_check_with_no_warning(tmp_path):
    made, _ = init_2021(tmp_path)
    source = openpyxl.load_workbook(SAMPLE)["Điểm"]
    source_head = {c.value: c.column for c in source[1]}
    scores = {
        source.cell(r, 2).value: {
            code: source.cell(r, column).value
            for code, column in source_head.items()
            if code not in ("TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước", "Tổng điểm")
        }
        for r in range(2, source.max_row + 1)
        if source.cell(r, 2).value
    }
    book = openpyxl.load_workbook(made)
    sheet = book["Điểm"]
    head, agencies = rows_of(sheet)
    for name, row_no in agencies.items():
        for code, value in scores[name].items():
            sheet.cell(row_no, head[code]).value = value
    facts = {
        "Số tờ trình": "04/TTr-STTTT",
        "Ngày tờ trình": dt.datetime(2022, 1, 8),
        "Người ký": "Trịnh Xuân Trường",
        "Chức vụ người ký": "CHỦ TỊCH",
    }
    for row in book["Thông tin"].iter_rows(min_row=2):
        if row[0].value in facts:
            row[1].value = facts[row[0].value]
    filled = tmp_path / "bang-diem-2021-da-nhap.xlsx"
    book.save(filled)

    text = cli("check", filled)
    as_json = cli("check", filled, "--format", "json")
    assert text.returncode == 0 and as_json.returncode == 0, text.stdout + text.stderr
    document = json.loads(as_json.stdout)
    assert document["year"] == 2021
    problems = [f"{p['place']}: {p['message']}" for p in document["problems"]]
    assert problems == [], f"{len(problems)} cảnh báo, ví dụ: {problems[:2]}"
    lines = text.stdout.splitlines()
    assert lines[0] == (
        f"Bảng tính {filled.name} dùng được: năm đánh giá 2021, 32 đơn vị; không có lỗi nào."
    )
    # No warning line: what follows is only the flags before signing, one per flag.
    assert lines[1].startswith("Cần xem trước khi ký")
    assert len(lines) == 2 + len(document["flags"])
