"""The report's files, written together: the scorecards (and their PDF), the summary, the charts.

Everything is built in memory first, so a failure while building leaves nothing half-written;
each file then goes into place by rename (writing/files.write_atomic). The PDF comes last and
never fails the report: without LibreOffice its reason is a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
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
    pieces = [(folder / f"{chart.stem}.png", chart.png) for chart in pictures]
    summary_path, cards_path = out_dir / summary_name, out_dir / cards_name
    _write_all([*pieces, (summary_path, summary), (cards_path, cards)], out_dir)
    written = [path for path, _ in pieces]
    notes = _remove_stale(folder, set(written))
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


def _write_all(pieces: list[tuple[Path, bytes]], out_dir: Path) -> None:
    """Every file of the report, or none: a half-replaced set would mix two reports."""
    from processor.writing.files import refusal_sentence, write_all_atomic

    try:
        write_all_atomic(pieces)
    except OSError as exc:
        place = exc.filename or out_dir
        raise InputError(
            f"Không ghi được báo cáo vào {out_dir}; các tệp báo cáo cũ (nếu có) vẫn giữ nguyên.",
            [Problem(str(place), refusal_sentence(exc, Path(str(place))))],
        ) from None


# The charts this report writes are named so (charts.py); nothing else in the folder is ours.
_OURS = ("xep-hang-nhom-*.png", "ban-do-nhiet-nhom-*.png", "muc-do.png")


def _our_charts(folder: Path) -> set[Path]:
    """The charts in `folder` a report of ours wrote (none when the folder is not there)."""
    return {old for pattern in _OURS for old in folder.glob(pattern)} if folder.is_dir() else set()


def _remove_stale(folder: Path, kept: set[Path]) -> list[str]:
    """Charts an earlier report left (a group since renamed or split) would mislead."""
    notes = []
    stale = _our_charts(folder) - kept
    for old in sorted(stale):
        try:
            old.unlink()
        except OSError:
            notes.append(f"Biểu đồ cũ {old.name} không còn đúng nhưng không xóa được; bỏ nó đi.")
    return notes


def remove_report(out_dir: Path, year: int) -> list[str]:
    """Delete this year's report files we wrote (a new decision made them wrong).

    The scorecards (.docx, .pdf), the summary, and in the charts folder only our charts (_OURS),
    then the folder if nothing else is left. Returns a Vietnamese note per file not deleted.
    """
    cards_name, summary_name, folder_name = report_names(year)
    cards = out_dir / cards_name
    folder = out_dir / folder_name
    ours = _our_charts(folder)
    notes = []
    for old in [cards, cards.with_suffix(".pdf"), out_dir / summary_name, *sorted(ours)]:
        try:
            old.unlink(missing_ok=True)
        except OSError as exc:
            from processor.core.messages import os_reason

            reason, _ = os_reason(exc, "xóa")
            notes.append(
                f"Không xóa được tệp báo cáo cũ {old} ({reason}): tệp này không còn khớp "
                "quyết định mới; xin xóa bằng tay."
            )
    if folder.is_dir():
        with suppress(OSError):  # something else is in it (or it is locked): the folder stays
            folder.rmdir()
    return notes
