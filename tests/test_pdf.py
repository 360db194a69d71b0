"""The decision as PDF: made by the real LibreOffice where it is installed, and a Vietnamese
warning (never a failure, never a file) where it is missing, hangs or fails.

The missing, hanging and failing LibreOffice are real programs on an otherwise empty PATH: small
Python scripts named `soffice` that sleep (and start a child that sleeps), exit 1 with a
message, or exit 0 without a PDF.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from csv import reader
from pathlib import Path

import pytest

from processor.config.resources import default_profile
from processor.pipeline import process
from processor.writing.pdf import convert_to_pdf, pdf_name

from conftest import ROOT, SAMPLE, cli

DECISION = "quyet-dinh-xep-hang-cntt-2020.docx"
HAS_SOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) không có")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) không có"
)
posix_only = pytest.mark.skipif(os.name == "nt", reason="chương trình giả là script có shebang")


def decision(folder: Path) -> Path:
    profile = default_profile()
    return process(SAMPLE, profile.rules, profile.template, folder, pdf=False).path


def pages(pdf: Path) -> int:
    done = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def fake_soffice(folder: Path, body: str) -> Path:
    """A program called soffice in `folder`, running `body` (Python) with the arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "soffice"
    program.write_text(f"#!{sys.executable}\nimport sys, os, time, subprocess\n{body}\n")
    program.chmod(0o755)
    return program


def test_the_pdf_name_follows_the_decision():
    assert pdf_name(DECISION) == "quyet-dinh-xep-hang-cntt-2020.pdf"
    assert pdf_name("Quyet-Dinh.DOCX") == "Quyet-Dinh.pdf"


@needs_soffice
@needs_poppler
def test_libreoffice_makes_the_pdf_of_the_decision(tmp_path):
    docx = decision(tmp_path / "Kết quả năm 2020")  # spaces and accents in the path
    target = docx.with_name(pdf_name(docx.name))
    assert convert_to_pdf(docx, target) is None
    assert target.read_bytes().startswith(b"%PDF-")
    assert pages(target) >= 2  # the decision and its appendix
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "QUYẾT ĐỊNH" in text and "Sở Thông tin và Truyền thông" in text
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        [docx.name, target.name, "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx"]
    )  # nothing else: no temporary file, no LibreOffice lock file


def test_without_libreoffice_a_warning_and_no_file(tmp_path, monkeypatch):
    docx = decision(tmp_path / "kq")
    empty = tmp_path / "khong-co-gi"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for variable in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        monkeypatch.setenv(variable, str(empty))
    target = tmp_path / "kq" / "qd.pdf"
    warning = convert_to_pdf(docx, target)
    assert warning is not None and "chưa cài LibreOffice" in warning
    assert "libreoffice-writer-nogui" in warning and ".docx" in warning
    assert not target.exists()


@posix_only
def test_a_hung_libreoffice_is_killed_with_what_it_started(tmp_path, monkeypatch):
    child = tmp_path / "con.pid"
    fake_soffice(
        tmp_path / "bin",
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(child)!r}, 'w').write(str(p.pid))\ntime.sleep(60)",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    docx = decision(tmp_path / "kq")
    target = tmp_path / "kq" / "qd.pdf"
    start = time.monotonic()
    warning = convert_to_pdf(docx, target, timeout=2)
    assert time.monotonic() - start < 30
    assert warning is not None and "sau 2 giây" in warning and "bị dừng" in warning
    assert not target.exists()
    pid = int(child.read_text())
    for _ in range(50):  # the child was killed with the group; give the kernel a moment
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail("the child of the hung LibreOffice was left running")


@posix_only
def test_a_failing_libreoffice_is_quoted_and_writes_nothing(tmp_path, monkeypatch):
    fake_soffice(
        tmp_path / "bin",
        "print('Error: source file could not be loaded', file=sys.stderr); sys.exit(1)",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    docx = decision(tmp_path / "kq")
    target = tmp_path / "kq" / "qd.pdf"
    warning = convert_to_pdf(docx, target)
    assert warning is not None and "mã thoát 1" in warning
    assert "Error: source file could not be loaded" in warning  # its own words, for IT
    assert not target.exists()


@posix_only
@pytest.mark.parametrize(
    "body",
    [
        "sys.exit(0)",  # says it worked, made nothing
        "out = sys.argv[sys.argv.index('--outdir') + 1]\n"
        "open(os.path.join(out, 'quyet-dinh.pdf'), 'w').write('not a pdf')",
    ],
)
def test_a_libreoffice_that_makes_no_pdf_writes_nothing(tmp_path, monkeypatch, body):
    fake_soffice(tmp_path / "bin", body)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    docx = decision(tmp_path / "kq")
    target = tmp_path / "kq" / "qd.pdf"
    warning = convert_to_pdf(docx, target)
    assert warning is not None and "không có tệp PDF" in warning
    assert not target.exists()


@posix_only
def test_every_conversion_has_a_private_profile_that_is_removed(tmp_path, monkeypatch):
    log = tmp_path / "goi.jsonl"
    fake_soffice(
        tmp_path / "bin",
        f"open({str(log)!r}, 'a').write(__import__('json').dumps(sys.argv) + '\\n')\n"
        "out = sys.argv[sys.argv.index('--outdir') + 1]\n"
        "open(os.path.join(out, 'quyet-dinh.pdf'), 'wb').write(b'%PDF-1.4 gia')",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    docx = decision(tmp_path / "kq")
    for name in ("a.pdf", "b.pdf"):
        assert convert_to_pdf(docx, tmp_path / "kq" / name) is None
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    profiles = [next(a for a in call if a.startswith("-env:UserInstallation=")) for call in calls]
    assert len(set(profiles)) == 2  # one each: never the user's, never shared
    for profile in profiles:
        folder = Path(profile.split("=", 1)[1].removeprefix("file://"))
        assert not folder.exists() and not folder.parent.exists()  # removed after the run
    for call in calls:
        assert "--headless" in call and "--norestore" in call
        assert call[-1].endswith("quyet-dinh.docx") and Path(call[-1]).name != docx.name
    assert (tmp_path / "kq" / "a.pdf").read_bytes() == b"%PDF-1.4 gia"


def test_process_notes_why_there_is_no_pdf_and_removes_a_stale_one(tmp_path, monkeypatch):
    empty = tmp_path / "khong-co-gi"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "kq"
    out.mkdir()
    stale = out / "quyet-dinh-xep-hang-cntt-2020.pdf"
    stale.write_bytes(b"%PDF- of last week's decision")
    profile = default_profile()
    outcome = process(SAMPLE, profile.rules, profile.template, out)
    assert outcome.pdf is None
    assert len(outcome.notes) == 2 and "chưa cài LibreOffice" in outcome.notes[0]
    assert "Đã xóa bản PDF cũ" in outcome.notes[1]
    assert not stale.exists()
    assert outcome.path.is_file() and outcome.results.is_file()


def test_no_pdf_asked_for_no_pdf_stage(tmp_path):
    from processor.pipeline import Timings

    profile = default_profile()
    timings = Timings()
    outcome = process(SAMPLE, profile.rules, profile.template, tmp_path, timings, pdf=False)
    assert outcome.pdf is None and outcome.notes == ()
    assert list(timings.seconds) == ["read", "check", "compute", "render", "write"]


@needs_soffice
@needs_poppler
def test_run_writes_the_decision_the_results_and_the_pdf(tmp_path):
    done = cli("run", str(SAMPLE), "--out", str(tmp_path / "kq"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "kq").iterdir())
    assert names == sorted(
        [
            DECISION,
            "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx",
            "quyet-dinh-xep-hang-cntt-2020.pdf",
        ]
    )
    assert pages(tmp_path / "kq" / "quyet-dinh-xep-hang-cntt-2020.pdf") >= 2
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "kq" / "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx")
    assert book["Kết quả"].max_row == 33  # the header and 32 agencies


@needs_soffice
def test_libreoffice_calc_reads_the_results_workbook_as_written(tmp_path):
    """LibreOffice opens the file the tool wrote itself; a formula-like name stays text."""
    from processor.config.rules_file import load_rules

    from bad_workbooks import base_book
    from conftest import RULES_FILE

    book = base_book(load_rules(RULES_FILE))
    names = ["=1+1", "@SUM(A1)", "+84 Sở", "-Sở Nội vụ"]
    for row, name in enumerate(names, start=2):
        cell = book["Điểm"].cell(row, 2)
        cell.value = name
        cell.data_type = "s"
    workbook = tmp_path / "cong-thuc.xlsx"
    book.save(workbook)
    profile = default_profile()
    outcome = process(workbook, profile.rules, profile.template, tmp_path / "kq", pdf=False)
    profile_dir = tmp_path / "lo-profile"
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            f"-env:UserInstallation={profile_dir.as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "csv"),
            str(outcome.results),
        ],
        capture_output=True,
        check=True,
        timeout=180,
        cwd=ROOT,
    )
    (csv,) = (tmp_path / "csv").glob("*.csv")
    rows = list(reader(csv.read_text(encoding="utf-8").splitlines()))
    assert rows[0][3] == "Tên đơn vị"
    shown = {row[3] for row in rows[1:]}
    assert set(names) <= shown and "2" not in shown
