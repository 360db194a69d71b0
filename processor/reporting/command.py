"""`python -m processor report WORKBOOK`: scorecards, the summary with its charts, the flags.

The workbook is read and checked exactly as `run` does (the same refusal for the same mistake);
nothing is written unless it is valid. pandas and matplotlib are loaded here, not by `run`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from processor.core.flags import flag_lines
from processor.core.problems import Problem
from processor.core.report import json_result, problem_lines, to_json


def report_command(
    workbook: Path,
    *,
    profile: str,
    rules_file: Path,
    out_dir: Path,
    history: Path | None = None,
    margin: Decimal | None = None,
    pdf: bool = True,
    output_format: str = "text",
) -> int:
    """0 when the report is written; InputError (exit 2 in the CLI) for a workbook to fix."""
    from processor.core.scoring import evaluate
    from processor.pipeline import inspect, previous_year, refusal, settle
    from processor.reporting.records import report_record
    from processor.reporting.writer import write_report

    found = inspect(workbook, rules_file)
    if found.evaluation is None:
        raise refusal(workbook, found.problems, "báo cáo")
    settled = settle(found, history, profile)
    rules, evaluation = found.rules, settled.evaluation
    groups = evaluate(rules, evaluation.agencies)
    past = previous_year(history, profile, evaluation.info.year)
    missing = history is not None and not history.exists()
    files = write_report(rules, evaluation.info, groups, out_dir, past=past, margin=margin, pdf=pdf)
    report = files.report
    if missing:  # a mistyped path must not pass for a first year
        year = evaluation.info.year
        files = replace(
            files,
            notes=(
                f"Không có tệp lịch sử {history}: báo cáo không so sánh được với năm {year - 1} "
                "(kiểm tra lại đường dẫn --history).",
                *files.notes,
            ),
        )
    if output_format == "json":
        document = json_result("report", workbook, settled.warnings, ok=True)
        document.update(
            profile=profile,
            files={
                "scorecards": str(files.scorecards),
                "scorecards_pdf": None
                if files.scorecards_pdf is None
                else str(files.scorecards_pdf),
                "summary": str(files.summary),
                "charts": [str(path) for path in files.charts],
            },
            notes=list(files.notes),
            **report_record(report),
        )
        print(to_json(document))
        return 0
    _print_warnings(settled.warnings)
    print(f"Phiếu kết quả của {len(report.cards)} đơn vị (Word): {files.scorecards}")
    if files.scorecards_pdf is not None:
        print(f"Phiếu kết quả (PDF): {files.scorecards_pdf}")
    print(f"Báo cáo tổng hợp (Word): {files.summary}")
    if files.charts:
        print(f"{len(files.charts)} biểu đồ (PNG) trong {files.charts[0].parent}")
    for note in files.notes:
        print(f"Lưu ý: {note}", file=sys.stderr)
    labels = {group.code: group.printed_label for group in rules.groups}
    for line in flag_lines(report.flags, labels):
        print(line)
    return 0


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _print_warnings(warnings: Sequence[Problem]) -> None:
    if warnings:
        print(f"Có {len(warnings)} cảnh báo về bảng tính:", file=sys.stderr)
        for line in problem_lines(warnings):
            print(line, file=sys.stderr)
