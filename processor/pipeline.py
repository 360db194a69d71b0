"""The one place where the stages are wired together: read, check, compute, render, write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from processor.core.model import Evaluation, GroupResult, Rules
from processor.core.problems import InputError, Problem, errors

# The stages, in order, as named in `--timings` and the benchmark.
STAGES = ("read", "check", "compute", "render", "write")


class Timings:
    """Wall time per stage; the clock is read here, at the edge, never in the core."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Inspection:
    """What a check found: every problem, and the evaluation when none is an error."""

    rules: Rules
    evaluation: Evaluation | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision written, with what it was made from."""

    path: Path
    rules: Rules
    evaluation: Evaluation
    groups: tuple[GroupResult, ...]
    warnings: tuple[Problem, ...]


def inspect(workbook: Path, rules_file: Path, timings: Timings | None = None) -> Inspection:
    """Read and check a workbook without rendering; InputError only for an unreadable file."""
    from processor.config.rules_file import load_rules
    from processor.core.validation import check_workbook
    from processor.reading.workbook import read_workbook

    timings = timings or Timings()
    with timings.stage("read"):
        rules = load_rules(rules_file)
        raw = read_workbook(workbook)
    with timings.stage("check"):
        evaluation, problems = check_workbook(raw, rules)
    return Inspection(rules=rules, evaluation=evaluation, problems=tuple(problems))


def refusal(workbook: Path, problems: tuple[Problem, ...] | list[Problem]) -> InputError:
    count = len(errors(problems))
    return InputError(
        f"Bảng tính {workbook.name} có {count} lỗi cần sửa; chưa lập quyết định.", list(problems)
    )


def process(
    workbook: Path,
    rules_file: Path,
    template: Path,
    out_dir: Path,
    timings: Timings | None = None,
) -> Outcome:
    """Make the decision for one workbook; InputError (nothing written) for any bad input.

    TemplateDamaged (an InputError) when the Word template, not the workbook, is at fault.
    """
    from processor.core.decision import build_context
    from processor.core.scoring import evaluate
    from processor.writing.files import refusal_sentence, write_atomic
    from processor.writing.rendering import render_decision
    from processor.writing.sample_context import sample_context

    timings = timings or Timings()
    found = inspect(workbook, rules_file, timings)
    rules, evaluation = found.rules, found.evaluation
    if evaluation is None:
        raise refusal(workbook, found.problems)
    with timings.stage("compute"):
        groups = evaluate(rules, evaluation.agencies)
        context = build_context(rules, evaluation.info, groups)
    with timings.stage("render"):
        # Checked before and after filling: a damaged template raises TemplateDamaged and no
        # decision is written. The sample context has every kind of row, so a misspelt name in
        # a part of the template this workbook leaves empty is found now, not next year.
        document = render_decision(template, context, reference=sample_context(rules))
    target = out_dir / rules.document.output_file.format(nam=evaluation.info.year)
    if target.parent != out_dir:  # the rules loader refuses this; never write outside anyway
        raise InputError(
            "Tên tệp quyết định không hợp lệ.",
            [Problem("document.output_file", f"{target.name!r} phải là một tên tệp.")],
        )
    with timings.stage("write"):
        try:
            write_atomic(target, document)
        except OSError as exc:
            raise InputError(
                f"Không ghi được quyết định vào {out_dir}.",
                [Problem(str(target), refusal_sentence(exc, target))],
            ) from None
    return Outcome(
        path=target,
        rules=rules,
        evaluation=evaluation,
        groups=groups,
        warnings=found.problems,
    )
