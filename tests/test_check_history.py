"""`check --history` shows before `run` what last year's results say of the prior ranks.

The 2020 sample is recorded; a 2021 workbook that still carries the 2019 ranks (typed last
year) gets, at `check`, a warning at each prior-rank cell the history contradicts, exactly as
`run --history` would print them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from conftest import ROOT, SAMPLE, cli


def year_2021(folder: Path) -> Path:
    book = openpyxl.load_workbook(SAMPLE)
    info = book["Thông tin"]
    for row in info.iter_rows():
        if row[0].value == "Năm đánh giá":
            row[1].value = 2021
    path = folder / "bang-diem-2021.xlsx"
    book.save(path)
    return path


def warnings_about_history(text: str) -> list[str]:
    return [line for line in text.splitlines() if "trong lịch sử" in line]


def test_check_with_history_warns_where_the_typed_prior_rank_disagrees(tmp_path):
    history = tmp_path / "lich-su.sqlite"
    made = cli(
        "run", str(SAMPLE), "--out", str(tmp_path / "kq"), "--no-pdf", "--history", str(history)
    )
    assert made.returncode == 0, made.stderr
    workbook = year_2021(tmp_path)
    plain = cli("check", str(workbook))
    assert plain.returncode == 0 and warnings_about_history(plain.stdout) == []
    checked = cli("check", str(workbook), "--history", str(history))
    assert checked.returncode == 0, checked.stdout
    lines = warnings_about_history(checked.stdout)
    assert lines and all(line.strip().startswith("Cảnh báo Điểm!D") for line in lines)
    ran = cli(
        "run", str(workbook), "--out", str(tmp_path / "kq"), "--no-pdf", "--history", str(history)
    )
    assert warnings_about_history(ran.stderr) == lines  # the same words, before the run
    assert history.stat().st_size > 0 and checked.stderr == ""


def test_check_never_creates_a_history_file(tmp_path):
    history = tmp_path / "chua-co.sqlite"
    checked = cli("check", str(SAMPLE), "--history", str(history))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not history.exists()


def test_a_profile_copied_under_another_name_is_told_why_history_gives_nothing(tmp_path):
    history = tmp_path / "lich-su.sqlite"
    made = cli(
        "run", str(SAMPLE), "--out", str(tmp_path / "kq"), "--no-pdf", "--history", str(history)
    )
    assert made.returncode == 0, made.stderr
    copied = tmp_path / "tinh-toi"
    shutil.copytree(ROOT / "templates" / "lao-cai-2020", copied)
    checked = cli(
        "check", str(year_2021(tmp_path)), "--profile", str(copied), "--history", str(history)
    )
    assert checked.returncode == 0, checked.stdout
    (line,) = [line for line in checked.stdout.splitlines() if "«lao-cai-2020»" in line]
    assert "không có của bộ mẫu «tinh-toi»" in line and line.strip().startswith("Cảnh báo")
