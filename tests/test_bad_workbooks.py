"""The corpus of bad workbooks through the real CLI: exit 2, the exact place, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from processor.core.model import Rules

from bad_workbooks import CASES, WARNING_CASES, Case, documented_phrases
from conftest import cli


def line_at(output: str, start: str) -> str | None:
    """The line that starts with `start` ("  Lỗi Điểm!C3: "), the row's agency allowed after
    the place ("  Lỗi Điểm!C3 (Sở Tư pháp): ")."""
    head = start.removesuffix(": ")
    return next(
        (
            line
            for line in output.splitlines()
            if line.startswith(start) or (line.startswith(head + " (") and "): " in line)
        ),
        None,
    )


def test_the_corpus_has_at_least_thirty_distinct_bad_workbooks():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_bad_workbook_is_refused_at_its_cell(case: Case, rules: Rules, tmp_path: Path):
    workbook = case.build(rules, tmp_path)
    before = workbook.read_bytes()
    out = tmp_path / "ket-qua"
    done = cli("run", str(workbook), "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    line = line_at(done.stderr, f"  Lỗi {case.place(rules)}: ")
    assert line is not None, f"no error at {case.place(rules)}:\n{done.stderr}"
    for words in case.words:
        assert words in line, (words, line)
    assert any(phrase in line for phrase in documented_phrases()), f"not in README: {line}"
    assert not out.exists()  # nothing written, not even the folder
    assert workbook.read_bytes() == before  # the input is never modified


@pytest.mark.parametrize("case", WARNING_CASES, ids=lambda case: case.name)
def test_a_doubtful_workbook_is_processed_with_a_warning_at_its_cell(
    case: Case, rules: Rules, tmp_path: Path
):
    workbook = case.build(rules, tmp_path)
    out = tmp_path / "ket-qua"
    done = cli("run", str(workbook), "--out", str(out))
    assert done.returncode == 0, done.stderr
    line = line_at(done.stderr, f"  Cảnh báo {case.place(rules)}: ")
    assert line is not None, f"no warning at {case.place(rules)}:\n{done.stderr}"
    for words in case.words:
        assert words in line, (words, line)
    assert any(phrase in line for phrase in documented_phrases()), f"not in README: {line}"
    assert (out / "quyet-dinh-xep-hang-cntt-2020.docx").is_file()


def test_the_base_workbook_of_the_corpus_is_clean(rules: Rules, tmp_path: Path):
    clean = Case("sach", lambda book, rules: None, lambda rules: "", ())
    done = cli("check", str(clean.build(rules, tmp_path)))
    assert done.returncode == 0, done.stdout
    assert "không có lỗi nào" in done.stdout
