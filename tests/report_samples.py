"""The bundled samples as the report sees them: checked, scored, and built into a Report."""

from __future__ import annotations

from processor.core.model import DecisionInfo, GroupResult, Rules
from processor.core.scoring import evaluate
from processor.pipeline import inspect
from processor.reporting.model import Report
from processor.reporting.tables import build_report

from conftest import ROOT

SAMPLES = {
    "lao-cai-2020": ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx",
    "chuyen-doi-so-2026": ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx",
}


def sample_results(profile: str) -> tuple[Rules, DecisionInfo, tuple[GroupResult, ...]]:
    found = inspect(SAMPLES[profile], ROOT / "templates" / profile / "quy-tac.toml")
    assert found.evaluation is not None, found.problems
    return found.rules, found.evaluation.info, evaluate(found.rules, found.evaluation.agencies)


def sample_report(profile: str) -> Report:
    return build_report(*sample_results(profile))
