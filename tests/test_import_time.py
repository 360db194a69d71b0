"""`check` starts fast: reading and checking a workbook imports none of the heavy libraries.

The secretary runs `check` again after every correction; openpyxl, python-docx, docxtpl, lxml
and jinja2 are only for writing the decision (or, for openpyxl, for the tests), and importing
them costs more than reading the sample workbook does.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

HEAVY = frozenset({"openpyxl", "docx", "docxtpl", "lxml", "jinja2", "numpy"})
SAMPLE = "input_samples/xep-hang-cntt-2020.xlsx"


def imported_packages(stderr: str) -> set[str]:
    """Top-level package names from `python -X importtime` lines ('import time: … | a.b')."""
    found = set()
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        name = line.rpartition("|")[2].strip()
        if name and name != "imported package":  # the header line
            found.add(name.split(".")[0])
    return found


def test_check_imports_no_heavy_library():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "processor", "check", SAMPLE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    packages = imported_packages(done.stderr)
    assert "processor" in packages  # the lines were parsed
    assert not packages & HEAVY, sorted(packages & HEAVY)


# What only `report` needs: the table library and the charts.
REPORT_ONLY = frozenset({"pandas", "matplotlib", "numpy", "PIL"})


def _imports(*command: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "processor", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    packages = imported_packages(done.stderr)
    assert "processor" in packages
    return packages


def test_run_imports_neither_pandas_nor_matplotlib(tmp_path):
    packages = _imports("run", SAMPLE, "--no-pdf", "--out", str(tmp_path))
    assert "docxtpl" in packages  # run does load the rendering stack: the lines were read
    assert not packages & REPORT_ONLY, sorted(packages & REPORT_ONLY)


def test_check_imports_neither_pandas_nor_matplotlib():
    packages = _imports("check", SAMPLE)
    assert not packages & REPORT_ONLY, sorted(packages & REPORT_ONLY)
