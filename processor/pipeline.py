"""The one place where the stages are wired together: read, check, compute, render, write, pdf."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from processor.core.model import Evaluation, GroupResult, Rules
from processor.core.past import PastYear, Succession
from processor.core.problems import PRIOR_SIZE, InputError, Problem, Severity, errors

# The stages, in order, as named in `--timings` and the benchmark ("pdf" only when one is made).
STAGES = ("read", "check", "compute", "render", "write", "pdf")


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
    successions: tuple[Succession, ...] = ()  # sheet «Sáp nhập - đổi tên» + profile [[crosswalk]]
    prior_column: str | None = None  # "Điểm!D": names a prior-rank cell in warnings


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision written, with what it was made from and what was written beside it."""

    path: Path  # the decision (.docx)
    rules: Rules
    evaluation: Evaluation
    groups: tuple[GroupResult, ...]
    warnings: tuple[Problem, ...]
    results: Path  # the results workbook (.xlsx)
    pdf: Path | None = None  # the decision as PDF; None when not asked for or not made
    notes: tuple[str, ...] = ()  # Vietnamese sentences about the outputs (why there is no PDF)
    recorded: bool | None = None  # in the history: None not asked, False a new year, True replaced


def inspect(workbook: Path, rules_file: Path, timings: Timings | None = None) -> Inspection:
    """Read and check a workbook without rendering; InputError only for an unreadable file."""
    from processor.config.rules_file import load_rules
    from processor.core.validation import check_workbook
    from processor.core.validation.crosswalk import check_crosswalk, prior_column
    from processor.reading.workbook import read_workbook

    timings = timings or Timings()
    with timings.stage("read"):
        rules = load_rules(rules_file)
        raw = read_workbook(workbook)
    with timings.stage("check"):
        evaluation, problems = check_workbook(raw, rules)
        year = evaluation.info.year if evaluation is not None else None
        successions, crosswalk = check_crosswalk(raw, rules, year)
        problems += crosswalk
        if errors(crosswalk):
            evaluation = None
    return Inspection(
        rules=rules,
        evaluation=evaluation,
        problems=tuple(problems),
        successions=successions,
        prior_column=prior_column(raw, rules),
    )


def refusal(
    workbook: Path, problems: tuple[Problem, ...] | list[Problem], made: str = "quyết định"
) -> InputError:
    """The refusal of a workbook with errors; `made` is what was not made (the report)."""
    count = len(errors(problems))
    return InputError(
        f"Bảng tính {workbook.name} có {count} lỗi cần sửa; chưa lập {made}.", list(problems)
    )


def process(
    workbook: Path,
    rules_file: Path,
    template: Path,
    out_dir: Path,
    timings: Timings | None = None,
    pdf: bool = True,
    history: Path | None = None,
    profile: str = "",
) -> Outcome:
    """Make the decision and the results workbook; InputError (nothing written) for bad input.

    TemplateDamaged (an InputError) when the Word template, not the workbook, is at fault. Both
    files are built in memory before either is written. The PDF, when asked for, comes last and
    never fails the run: without LibreOffice the reason is in `notes`.

    `history`: prior ranks left blank come from last year's results of `profile` there, through
    the successions (renames, mergers); the year is recorded in it once the files are written.
    """
    from processor.core.decision import build_context
    from processor.core.scoring import evaluate
    from processor.writing.rendering import render_decision
    from processor.writing.results_workbook import results_name, results_workbook
    from processor.writing.sample_context import sample_context

    timings = timings or Timings()
    found = inspect(workbook, rules_file, timings)
    rules, evaluation = found.rules, found.evaluation
    if evaluation is None:
        raise refusal(workbook, found.problems)
    with timings.stage("compute"):
        settled = settle(found, history, profile)
        evaluation = settled.evaluation  # the prior ranks the decision prints and history keeps
        groups = evaluate(rules, evaluation.agencies)
        context = build_context(rules, evaluation.info, groups, notes=settled.notes)
    with timings.stage("render"):
        # Checked before and after filling: a damaged template raises TemplateDamaged and no
        # decision is written. The sample context has every kind of row, so a misspelt name in
        # a part of the template this workbook leaves empty is found now, not next year.
        document = render_decision(template, context, reference=sample_context(rules))
        table = results_workbook(rules, evaluation.info, groups, settled.notes)
    year = evaluation.info.year
    target = out_dir / rules.document.output_file.format(nam=year)
    results = out_dir / results_name(rules, year)
    if target.parent != out_dir:  # the rules loader refuses this; never write outside anyway
        raise InputError(
            "Tên tệp quyết định không hợp lệ.",
            [Problem("document.output_file", f"{target.name!r} phải là một tên tệp.")],
        )
    with timings.stage("write"):
        _write(target, document, f"Không ghi được quyết định vào {out_dir}.")
        _write(
            results,
            table,
            f"Đã ghi quyết định {target.name} nhưng không ghi được bảng kết quả vào {out_dir}.",
        )
    recorded: bool | None = None
    notes: tuple[str, ...] = ()
    if history is not None:
        with timings.stage("write"):
            recorded, notes = _record(
                history, profile, workbook, rules_file, rules, evaluation, groups, found.successions
            )
    made: Path | None = None
    if pdf:
        with timings.stage("pdf"):
            made, pdf_notes = pdf_beside(target)
            notes += pdf_notes
    return Outcome(
        path=target,
        rules=rules,
        evaluation=evaluation,
        groups=groups,
        warnings=settled.warnings,
        results=results,
        pdf=made,
        notes=notes,
        recorded=recorded,
    )


@dataclass(frozen=True, slots=True)
class Settled:
    """A valid workbook with its prior ranks settled against last year and the successions."""

    evaluation: Evaluation
    warnings: tuple[Problem, ...]  # the workbook's, and what last year's results tell of it
    notes: tuple[str, ...]  # the decision's footnotes (renames, mergers)


def settle(found: Inspection, history: Path | None, profile: str) -> Settled:
    """Blank prior ranks from `profile`'s previous year in `history`, renames and mergers applied.

    `check` and `run` both settle, so the secretary sees at `check` every warning `run` gives.
    """
    from processor.core.prior_years import apply_past

    if found.evaluation is None:
        raise ValueError("settle needs a workbook without errors")
    year = found.evaluation.info.year
    past, unmatched = (None, []) if history is None else _past_year(history, profile, year)
    applied = apply_past(found.rules, found.evaluation, past, found.successions, found.prior_column)
    problems = found.problems
    if past is not None:  # the history knows last year's group sizes: no more guessing
        problems = tuple(problem for problem in problems if problem.kind != PRIOR_SIZE)
    return Settled(applied.evaluation, (*problems, *unmatched, *applied.warnings), applied.notes)


def previous_year(history: Path | None, profile: str, year: int) -> PastYear | None:
    """`profile`'s results of the year before `year` in the history, if recorded."""
    return None if history is None else _past_year(history, profile, year)[0]


def _past_year(history: Path, profile: str, year: int) -> tuple[PastYear | None, list[Problem]]:
    """Last year's results of the profile; none yet when the history file does not exist.

    The history keys a year by the profile's name (its folder's): a profile copied into a
    folder of another name finds no year, so a year recorded under another name is pointed out.
    """
    from processor.history.store import open_history

    if not history.exists():
        return None, []
    with open_history(history, create=False) as store:
        past = store.past_year(profile, year - 1)
        others = sorted({y.profile for y in store.years() if y.year == year - 1} - {profile})
    if past is not None or not others:
        return past, []
    names = ", ".join(f"«{name}»" for name in others)
    return None, [
        Problem(
            str(history),
            f"Tệp lịch sử có kết quả năm {year - 1} của bộ mẫu {names} nhưng không có của bộ mẫu "
            f"«{profile}» đang dùng (lịch sử ghi theo tên bộ mẫu, tức tên thư mục của bộ mẫu): "
            "thứ hạng năm trước không lấy từ lịch sử. Nếu là cùng một bảng xếp hạng, dùng bộ "
            "mẫu (thư mục) đúng tên đã dùng năm trước.",
            Severity.WARNING,
        )
    ]


def _record(
    history: Path,
    profile: str,
    workbook: Path,
    rules_file: Path,
    rules: Rules,
    evaluation: Evaluation,
    groups: tuple[GroupResult, ...],
    successions: tuple[Succession, ...] = (),
) -> tuple[bool | None, tuple[str, ...]]:
    """Record the year; a failure is a note, since the decision is already written and right."""
    from processor import __version__
    from processor.history.commands import record_outcome

    try:
        replaced = record_outcome(
            history,
            rules=rules,
            evaluation=evaluation,
            groups=groups,
            profile=profile,
            workbook=workbook,
            rules_file=rules_file,
            tool_version=__version__,
            successions=successions,
        )
    except InputError as exc:
        detail = "; ".join(problem.message for problem in exc.problems)
        return None, (f"{exc.summary} {detail} Năm này chưa được ghi vào lịch sử {history}.",)
    return replaced, ()


def _write(target: Path, data: bytes, summary: str) -> None:
    from processor.writing.files import refusal_sentence, write_atomic

    try:
        write_atomic(target, data)
    except OSError as exc:
        raise InputError(summary, [Problem(str(target), refusal_sentence(exc, target))]) from None


def pdf_beside(document: Path) -> tuple[Path | None, tuple[str, ...]]:
    """A Word document's PDF beside it (the decision, the scorecards), or why there is none.

    A PDF left by an earlier run would no longer match the new document: it is removed then.
    """
    from processor.writing.pdf import convert_to_pdf, pdf_name

    target = document.with_name(pdf_name(document.name))
    warning = convert_to_pdf(document, target)
    if warning is None:
        return target, ()
    notes = [warning]
    if target.is_file():
        try:
            target.unlink()
            notes.append(f"Đã xóa bản PDF cũ {target.name} vì nó không còn khớp tệp Word mới.")
        except OSError:
            notes.append(
                f"Bản PDF cũ {target.name} không còn khớp tệp Word mới nhưng không xóa được; "
                "đừng dùng nó."
            )
    return None, tuple(notes)
