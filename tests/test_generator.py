"""The benchmark's workbook generator: deterministic, and what it writes the tool accepts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, RULES_FILE, cli

GENERATOR_FILE = ROOT / "tests" / "benchmarks" / "generate_workbook.py"
BENCHMARK_RULES = ROOT / "tests" / "benchmarks" / "quy-tac-30-tieu-chi.toml"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_workbook", GENERATOR_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generator = load_generator()


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path):
    first = generator.write_workbook(tmp_path / "a.xlsx", 40, BENCHMARK_RULES, seed=7)
    second = generator.write_workbook(tmp_path / "b.xlsx", 40, BENCHMARK_RULES, seed=7)
    other = generator.write_workbook(tmp_path / "c.xlsx", 40, BENCHMARK_RULES, seed=8)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_agencies_are_spread_over_every_group_by_weight():
    sizes = generator.group_sizes(1000, ["I", "II", "III"], generator.NATIONAL_WEIGHTS)
    assert sizes == {"I": 120, "II": 40, "III": 840}
    assert generator.group_sizes(3, ["I", "II", "III"], generator.NATIONAL_WEIGHTS) == {
        "I": 1,
        "II": 1,
        "III": 1,
    }


@pytest.mark.parametrize("rules", [BENCHMARK_RULES, RULES_FILE], ids=["30-tieu-chi", "lao-cai"])
def test_a_generated_workbook_passes_the_check(tmp_path: Path, rules: Path):
    workbook = tmp_path / "bang-diem.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            str(GENERATOR_FILE),
            "--agencies",
            "60",
            "--seed",
            "3",
            "--criteria-rules",
            str(rules),
            "--out",
            str(workbook),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check = cli("check", str(workbook), "--rules", str(rules))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "60 đơn vị; không có lỗi nào" in check.stdout
