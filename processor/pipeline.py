"""The one place where the stages are wired together: read, check, compute, render, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processor.decision import build_context
from processor.model import Evaluation, GroupResult, Rules
from processor.output import write_atomic
from processor.problems import InputError, Problem, errors
from processor.rendering import render_decision
from processor.rules import load_rules
from processor.scoring import evaluate
from processor.validation import check_workbook
from processor.workbook import read_workbook


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision written, with what it was made from."""

    path: Path
    rules: Rules
    evaluation: Evaluation
    groups: tuple[GroupResult, ...]
    warnings: tuple[Problem, ...]


def process(workbook: Path, rules_file: Path, template: Path, out_dir: Path) -> Outcome:
    """Make the decision for one workbook; InputError (nothing written) for any bad input."""
    rules = load_rules(rules_file)
    raw = read_workbook(workbook)
    evaluation, problems = check_workbook(raw, rules)
    if evaluation is None:
        count = len(errors(problems))
        raise InputError(
            f"Bảng tính {workbook.name} có {count} lỗi cần sửa; chưa lập quyết định.", problems
        )
    groups = evaluate(rules, evaluation.agencies)
    document = render_decision(template, build_context(rules, evaluation.info, groups))
    target = out_dir / rules.document.output_file.format(nam=evaluation.info.year)
    try:
        write_atomic(target, document)
    except OSError as exc:
        raise InputError(
            f"Không ghi được quyết định vào {out_dir}.",
            [Problem(str(target), f"{exc.strerror or exc}: kiểm tra thư mục và quyền ghi.")],
        ) from None
    return Outcome(
        path=target,
        rules=rules,
        evaluation=evaluation,
        groups=groups,
        warnings=tuple(problems),
    )
