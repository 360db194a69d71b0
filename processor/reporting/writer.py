"""The report's files, written together: the scorecards (and their PDF), the summary, the charts.

Everything is built in memory first, so a failure while building leaves nothing half-written;
each file then goes into place by rename (writing/files.write_atomic). The PDF comes last and
never fails the report: without LibreOffice its reason is a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from processor.core.model import DecisionInfo, GroupResult, Rules
from processor.core.past import PastYear
from processor.core.problems import InputError, Problem
from processor.reporting.model import Report

SCORECARDS = "phieu-ket-qua-{nam}.docx"
SUMMARY = "bao-cao-tong-hop-{nam}.docx"
CHARTS = "bieu-do-{nam}"  # a folder: one PNG per chart


@dataclass(frozen=True, slots=True)
class ReportFiles:
    report: Report
    scorecards: Path
    scorecards_pdf: Path | None
    summary: Path
    charts: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def report_names(year: int) -> tuple[str, str, str]:
    """(scorecards, summary, charts folder) for a year."""
    return SCORECARDS.format(nam=year), SUMMARY.format(nam=year), CHARTS.format(nam=year)


def make_report(
    rules: Rules,
    info: DecisionInfo,
    groups: Sequence[GroupResult],
    *,
    past: PastYear | None = None,
    margin: Decimal | None = None,
) -> Report:
    """The report's figures and the flags before signing, from the computed results."""
    from processor.core.flags import flags
    from processor.reporting.tables import build_report

    found = flags(rules, tuple(groups), margin)
    return build_report(rules, info, groups, found, past, margin)


def write_report(
    rules: Rules,
    info: DecisionInfo,
    groups: Sequence[GroupResult],
    out_dir: Path,
    *,
    past: PastYear | None = None,
    margin: Decimal | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Build and write the whole report into `out_dir`; InputError when it cannot be written."""
    from processor.reporting.charts import charts
    from processor.reporting.scorecards import scorecards_document
    from processor.reporting.summary import summary_document

    report = make_report(rules, info, groups, past=past, margin=margin)
    pictures = charts(report)
    summary = summary_document(report, pictures)
    cards = scorecards_document(report, report.cards)
    cards_name, summary_name, folder_name = report_names(info.year)
    folder = out_dir / folder_name
    written: list[Path] = []
    for chart in pictures:
        written.append(_write(folder / f"{chart.stem}.png", chart.png, out_dir))
    notes = list(_remove_stale(folder, set(written)))
    summary_path = _write(out_dir / summary_name, summary, out_dir)
    cards_path = _write(out_dir / cards_name, cards, out_dir)
    made: Path | None = None
    if pdf:
        from processor.pipeline import pdf_beside

        made, pdf_notes = pdf_beside(cards_path)
        notes.extend(pdf_notes)
    return ReportFiles(
        report=report,
        scorecards=cards_path,
        scorecards_pdf=made,
        summary=summary_path,
        charts=tuple(written),
        notes=tuple(notes),
    )


def _write(target: Path, data: bytes, out_dir: Path) -> Path:
    from processor.writing.files import refusal_sentence, write_atomic

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    except OSError as exc:
        raise InputError(
            f"Không ghi được báo cáo vào {out_dir}.",
            [Problem(str(target), refusal_sentence(exc, target))],
        ) from None
    return target


def _remove_stale(folder: Path, kept: set[Path]) -> list[str]:
    """Charts an earlier report left in our folder (a group since renamed) would mislead."""
    notes = []
    for old in sorted(folder.glob("*.png")):
        if old in kept:
            continue
        try:
            old.unlink()
        except OSError:
            notes.append(
                f"Biểu đồ cũ {old.name} không còn đúng nhưng không xóa được; đừng dùng nó."
            )
    return notes
