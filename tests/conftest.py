"""Shared test helpers: the repository's paths, the default rules, real workbooks on disk."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from processor.config.rules_file import load_rules
from processor.core.model import Rules

ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml"
TEMPLATE_FILE = ROOT / "templates" / "lao-cai-2020" / "quyet-dinh.docx"
SAMPLE = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"

ALL_KILL_POINTS = "all_kill_points"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all-kill-points",
        action="store_true",
        default=False,
        help="run the crash-safety test at every kill point, not only the representative subset "
        "(the default when the environment variable CI is set)",
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect all_kill_points cases unless --all-kill-points, or CI set (not to 0/false)."""
    if config.getoption("--all-kill-points") or _in_ci():
        return
    deselected = [item for item in items if item.get_closest_marker(ALL_KILL_POINTS)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(ALL_KILL_POINTS)]


HEADER = ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước"]
INFO = [
    ("Thông tin", "Giá trị"),
    ("Năm đánh giá", 2020),
    ("Số tờ trình", "04/TTr-STTTT"),
    ("Ngày tờ trình", dt.date(2021, 1, 8)),
    ("Người ký", "Trịnh Xuân Trường"),
    ("Chức vụ người ký", "CHỦ TỊCH"),
    ("Số quyết định", None),
    ("Ngày quyết định", None),
]


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(RULES_FILE)


def full_row(rules: Rules, group: str, fraction: float = 0.9) -> dict[str, Any]:
    """Scores for every criterion that applies to the group, at about `fraction` of its max."""
    return {
        c.code: (0 if c.deduction else round(float(c.max_points[group]) * fraction, 2))
        for c in rules.criteria
        if c.applies_to(group)
    }


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, as a secretary or a scheduler runs it."""
    return subprocess.run(
        [sys.executable, "-m", "processor", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        check=False,
        timeout=300,
    )


WorkbookMaker = Callable[..., Path]


@pytest.fixture
def make_workbook(tmp_path: Path, rules: Rules) -> WorkbookMaker:
    """Write a real .xlsx with openpyxl: agencies as (name, group, prior rank, scores) rows."""

    def make(
        agencies: Sequence[tuple[Any, Any, Any, dict[str, Any]]],
        *,
        header: Sequence[Any] | None = None,
        info: Sequence[tuple[Any, Any]] = INFO,
        name: str = "bang-diem.xlsx",
    ) -> Path:
        codes = [c.code for c in rules.criteria]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Điểm"
        columns = list(header) if header is not None else [*HEADER, *codes]
        sheet.append(columns)
        for number, (agency, group, prior, scores) in enumerate(agencies, start=1):
            values = {"TT": number, "Tên đơn vị": agency, "Nhóm": group}
            values["Xếp hạng năm trước"] = prior
            values.update(scores)
            sheet.append([values.get(column) for column in columns])
        info_sheet = book.create_sheet("Thông tin")
        for key, value in info:
            info_sheet.append([key, value])
        path = tmp_path / name
        book.save(path)
        return path

    return make


def wording_tables() -> dict:
    """The [wording], [signature] and [email] tables of the default profile, for tests that
    build a rules file of their own and care only about its scoring."""
    import tomllib

    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {key: raw[key] for key in ("wording", "signature", "email")}


def assert_rebuild_matches(script: Path, rules: Path, committed: Any, out: Path) -> None:
    """A sample's generator, run again, gives the committed workbook: same sheets and values,
    same fixed properties (openpyxl reads both)."""
    subprocess.run(
        [sys.executable, str(script), "--rules", str(rules), "--out", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    rebuilt = openpyxl.load_workbook(out)

    def values(book: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    assert rebuilt.sheetnames == committed.sheetnames
    assert values(rebuilt) == values(committed)
    assert rebuilt.properties.creator == committed.properties.creator
    assert rebuilt.properties.created == committed.properties.created
    assert rebuilt.properties.modified == committed.properties.modified
