"""After a decision: the report beside it ([report] enabled), and each agency's scorecard mailed.

The report (scorecards, summary, charts; processor/reporting/writer.py) goes into the decisions
folder once the decision is written. Nothing here may fail or hold back the decision: a report
that cannot be made becomes a Vietnamese sentence in the answer and a line in the log, and the
decision is emailed and filed as always.

With [report] email_scorecards, every agency the workbook gives an address (the optional
`Email` column) gets its own scorecard through the outbox, with the decision's guarantees: one
entry per agency and workbook (scorecard_notices.scorecard_entry_id), queued before the ledger
learns of the drop, so a run killed at any moment queues each letter once. Only a workbook that
passed its checks gets here (a refusal never reaches the report).
"""

from __future__ import annotations

import traceback
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from processor.config.settings import Recipients
from processor.core.messages import os_error_message
from processor.core.past import PastYear
from processor.core.problems import InputError
from processor.core.validation.emails import email_addresses
from processor.unattended.events import Event
from processor.unattended.mail.letters import Attachment, render_letter
from processor.unattended.report_upkeep import (
    KEPT_CLAUSE,
    REPORT_FAILURE_KIND,
    orphaned_lines,
    report_failure_entry_id,
    report_failure_letter,
    stale_report_lines,
)
from processor.unattended.scorecard_notices import (
    SCORECARD_KIND,
    attachment_name,
    earlier_scorecard,
    scorecard_context,
    scorecard_entry_id,
    scorecard_prefix,
)

if TYPE_CHECKING:
    from processor.pipeline import Outcome
    from processor.reporting.model import Report, Scorecard
    from processor.reporting.writer import ReportFiles
    from processor.unattended.station import Station

REPORT_FAILED = "Chưa lập được báo cáo (phiếu kết quả từng đơn vị, báo cáo tổng hợp, biểu đồ)"
NOT_AFFECTED = "Dự thảo quyết định không bị ảnh hưởng."
MOST_FLAGS = 20  # flags listed in the answer; the rest are counted


@dataclass(frozen=True, slots=True)
class MadeReport:
    """What became of the report of one decision, for the answer (plain sentences)."""

    files: ReportFiles | None  # None: not asked for, or it failed
    lines: tuple[str, ...] = ()
    flagged: int = 0  # agencies whose results to look at before signing
    failure: str = ""  # why the report failed ("" if it did not)


class Reports:
    """The report half of a Station's decision: make it, and mail the scorecards."""

    def __init__(self, station: Station):
        self.station = station

    def make(self, outcome: Outcome, original: str, sha: str = "", stamp: str = "") -> MadeReport:
        """The report in the decisions folder; never raises for anything the report does.

        Not made (off, or failed): this year's earlier report goes, since it no longer matches
        the decision; a failure is also mailed to the technical staff (once per drop `stamp`).
        """
        settings = self.station.settings
        year = outcome.evaluation.info.year
        if not settings.report.enabled:
            return MadeReport(None, tuple(self._stale(original, year)))
        made = self._write(outcome, original)
        if made.files is not None:
            return made
        stale = self._stale(original, year)
        lines = list(made.lines)
        if stale and lines:  # the writer's "old files kept" is no longer true
            lines[0] = lines[0].replace(KEPT_CLAUSE, "")
        self._tell_technical(outcome, original, sha, stamp, made.failure.replace(KEPT_CLAUSE, ""))
        return MadeReport(None, (*lines, *stale), failure=made.failure)

    def _stale(self, original: str, year: int) -> list[str]:
        """Remove this year's earlier report (it contradicts the new decision); say so."""
        try:
            lines = stale_report_lines(self.station.settings.output, year)
        except Exception as exc:  # tidying never holds back the decision
            lines = [
                f"Báo cáo cũ của năm {year} (nếu có) không còn khớp quyết định mới nhưng chưa "
                f"xóa được ({type(exc).__name__}: {exc}); xin xóa bằng tay."
            ]
        for line in lines:
            self.station.events.record(Event.RENDERED, original, f"báo cáo: {line}")
        return lines

    def _tell_technical(
        self, outcome: Outcome, original: str, sha: str, stamp: str, failure: str
    ) -> None:
        """One letter to [rejection] technical_to: the decision is made, its report is not."""
        station = self.station
        recipients = station.settings.technical
        if recipients is None or not sha or not stamp:
            return
        entry_id = report_failure_entry_id(stamp, sha)
        if station.mailbox.has(entry_id):
            return
        letter = report_failure_letter(
            outcome.rules,
            original,
            sha,
            outcome.evaluation.info.year,
            failure,
            str(station.settings.output),
        )
        try:
            station.queue(entry_id, REPORT_FAILURE_KIND, recipients, letter)
        except Exception as exc:  # the letter lost is no reason to lose the decision
            station.events.record(
                Event.FAILED, entry_id, f"không xếp được thư báo lỗi báo cáo: {exc}"
            )

    def _write(self, outcome: Outcome, original: str) -> MadeReport:
        settings = self.station.settings
        past, notes = self._past(outcome)
        try:
            from processor.reporting.writer import write_report

            files = write_report(
                outcome.rules,
                outcome.evaluation.info,
                outcome.groups,
                settings.output,
                past=past,
                pdf=settings.pdf,
            )
        except InputError as exc:
            detail = " ".join(p.message for p in exc.problems)
            return self._failed(original, f"{REPORT_FAILED}: {exc.summary} {detail}".rstrip())
        except OSError as exc:
            message = os_error_message(exc, settings.output)
            return self._failed(original, f"{REPORT_FAILED}: {message}")
        except ModuleNotFoundError as exc:  # pandas, matplotlib: the report's own libraries
            library = exc.name or ""
            if not library or library.partition(".")[0] == "processor":
                return self._bug(original, exc)
            return self._failed(
                original,
                f"{REPORT_FAILED}: máy chủ chưa cài thư viện {library}; bộ phận kỹ thuật cài "
                f"bằng lệnh python -m pip install {library.partition('.')[0]}.",
            )
        except Exception as exc:  # a bug in the report must not lose the decision
            return self._bug(original, exc)
        made = [files.scorecards, *([files.scorecards_pdf] if files.scorecards_pdf else [])]
        made += [files.summary, *files.charts]
        self.station.events.record(
            Event.RENDERED, original, "báo cáo: " + "; ".join(str(p) for p in made)
        )
        for note in (*notes, *files.notes):
            self.station.events.record(Event.RENDERED, original, f"báo cáo: {note}")
        return MadeReport(
            files, (*self._made_lines(files), *notes, *files.notes), flagged=flagged(files.report)
        )

    def _past(self, outcome: Outcome) -> tuple[PastYear | None, tuple[str, ...]]:
        """Last year's results from the history, for the level counts' change; none is fine."""
        from processor.pipeline import previous_year

        settings = self.station.settings
        year = outcome.evaluation.info.year
        try:
            return previous_year(settings.history, settings.profile.name, year), ()
        except Exception as exc:  # an unreadable history only loses the comparison
            reason = exc.summary if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            return None, (
                f"Báo cáo không so sánh với năm {year - 1}: không đọc được lịch sử "
                f"{settings.history} ({reason}).",
            )

    def _bug(self, original: str, exc: Exception) -> MadeReport:
        """The program's own fault: the technical detail in the log, a plain note in the answer."""
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        place = f" ({where[0].filename}:{where[0].lineno})" if where else ""
        self.station.events.record(
            Event.FAILED, original, f"báo cáo: {type(exc).__name__}: {exc}{place}"
        )
        return self._failed(
            original,
            f"{REPORT_FAILED} vì lỗi của chương trình ({type(exc).__name__}; chi tiết kỹ "
            "thuật trong nhật ký nhat-ky.log): xin báo bộ phận kỹ thuật.",
            logged=True,
        )

    def _failed(self, original: str, sentence: str, logged: bool = False) -> MadeReport:
        station = self.station
        station.tally.report_failed += 1
        if not logged:
            station.events.record(Event.FAILED, original, sentence)
        return MadeReport(None, (f"{sentence} {NOT_AFFECTED}",), failure=sentence)

    def _made_lines(self, files: ReportFiles) -> list[str]:
        station = self.station
        shown = station.settings.shown
        pdf = f" (và bản PDF {files.scorecards_pdf.name})" if files.scorecards_pdf else ""
        folder = files.charts[0].parent.name + "/" if files.charts else ""
        lines = [
            f"Báo cáo ở thư mục quyết định {shown(station.settings.output)}: phiếu kết quả từng "
            f"đơn vị {files.scorecards.name}{pdf}, báo cáo tổng hợp {files.summary.name}"
            + (f", biểu đồ trong {folder}." if folder else ".")
        ]
        return lines + flag_lines(files.report)

    # -- scorecards by email ---------------------------------------------------------------

    def mail(self, outcome: Outcome, made: MadeReport, sha: str, original: str) -> list[str]:
        """Queue each agency's scorecard (when asked); the sentences for the answer."""
        settings = self.station.settings
        files = made.files
        addressed = [a for a in outcome.evaluation.agencies if a.email]
        year = outcome.evaluation.info.year
        present = {scorecard_prefix(year, a.name) for a in outcome.evaluation.agencies}
        if not settings.report.email_scorecards:
            off = self._orphaned(year, sha, (), present, "[report] email_scorecards = false")
            if not addressed:
                return off
            return [
                f"Bảng điểm có địa chỉ thư của {len(addressed)} đơn vị (cột Email) nhưng phiếu "
                "kết quả không được gửi qua thư ([report] email_scorecards = false).",
                *off,
            ]
        if files is None:
            return [
                "Chưa gửi phiếu kết quả qua thư cho đơn vị nào: báo cáo chưa lập được.",
                *self._orphaned(year, sha, (), present, "báo cáo chưa lập được"),
            ]
        emails = {a.row: a.email for a in outcome.evaluation.agencies}
        queued: list[str] = []
        failed: dict[str, list[str]] = {}  # reason -> the agencies it stopped (said once)
        for card in files.report.cards:
            to = email_addresses(card.email or emails.get(card.row))
            if not to:
                continue
            try:
                if self._queue(outcome, files.report, card, to, sha):
                    queued.append(card.name)
                continue
            except InputError as exc:  # the letter's template, edited since the start
                detail = " ".join(p.message for p in exc.problems)
                reason = f"{exc.summary} {detail}".rstrip()
            except OSError as exc:
                reason = os_error_message(exc, self.station.layout.outbox)
            except Exception as exc:  # one card's fault never stops the others or the decision
                reason = (
                    f"lỗi của chương trình ({type(exc).__name__}: {exc}); xin báo bộ phận kỹ thuật."
                )
            failed.setdefault(reason, []).append(card.name)
        lines = []
        for reason, names in failed.items():
            lines.append(f"Chưa gửi được phiếu kết quả cho {', '.join(names)}: {reason}")
            self.station.events.record(Event.FAILED, original, lines[-1])
        without = len(files.report.cards) - len(queued) - sum(len(n) for n in failed.values())
        self.station.tally.scorecards += len(queued)
        head = (
            f"Phiếu kết quả của {len(queued)} đơn vị đã được xếp vào hàng đợi gửi đến địa chỉ "
            "ở cột Email của bảng điểm (mỗi đơn vị một thư, kèm phiếu của riêng đơn vị; xem "
            "lệnh mail list)."
            if queued
            else "Không gửi phiếu kết quả qua thư cho đơn vị nào."
        )
        if without > 0:
            head += f" {without} đơn vị không có địa chỉ thư hợp lệ ở cột Email: không gửi."
        tried = [*queued, *(name for names in failed.values() for name in names)]
        covered = {scorecard_prefix(year, name) for name in tried}
        return [head, *lines, *self._orphaned(year, sha, covered, present)]

    def _orphaned(
        self,
        year: int,
        sha: str,
        covered: Collection[str],
        present: Collection[str],
        why: str | None = None,
    ) -> list[str]:
        """Agencies left with an earlier workbook's scorecard letter as their latest."""
        try:
            return orphaned_lines(self.station.mailbox, year, sha, covered, present, why)
        except Exception as exc:  # an unreadable outbox entry only loses this sentence
            self.station.events.record(
                Event.FAILED, "phiếu kết quả", f"không đọc được thư phiếu kết quả cũ: {exc}"
            )
            return []

    def _queue(
        self, outcome: Outcome, report: Report, card: Scorecard, to: Sequence[str], sha: str
    ) -> bool:
        """One agency's letter in the outbox, once; True when it is (or already was) queued."""
        station = self.station
        year = report.year
        entry_id = scorecard_entry_id(year, sha, card.name)
        if station.mailbox.has(entry_id):
            return True
        from processor.reporting.scorecards import scorecards_document

        name = attachment_name(year, card.name)
        replaced = earlier_scorecard(station.mailbox, year, card.name, entry_id)
        context = scorecard_context(outcome.rules, report, card, name, replaced)
        template = station.settings.report.template
        if template is None:  # the reader always sets it when email_scorecards is on
            return False
        letter = render_letter(template, context)
        data = scorecards_document(report, [card])
        recipients = Recipients(tuple(to))
        station.queue(entry_id, SCORECARD_KIND, recipients, letter, [Attachment.of(name, data)])
        return True


def flagged(report: Report) -> int:
    """How many agencies have a result to look at before signing (one may have several)."""
    return len({(flag.group, flag.name) for flag in report.flags})


def flag_lines(report: Report) -> list[str]:
    """The results to look at before signing, as the answer lists them."""
    found = report.flags
    if not found:
        return []
    agencies = flagged(report)
    counted = f"{agencies} đơn vị" + (f" ({len(found)} kết quả)" if len(found) != agencies else "")
    lines = [
        f"Trước khi trình ký, thư ký Hội đồng nên xem lại kết quả của {counted} sát ngưỡng mức "
        "xếp loại hoặc phụ thuộc vào làm tròn hoặc vào một bước điểm:"
    ]
    lines += [f"  {flag.name} (nhóm {flag.group}): {flag.detail}" for flag in found[:MOST_FLAGS]]
    if len(found) > MOST_FLAGS:
        lines.append(f"  và {len(found) - MOST_FLAGS} kết quả khác.")
    return lines
