"""A workbook made into a decision: the email (replacing an earlier one), the answer, done/.

In order, for crash safety: the decision, results workbook and PDF (the pipeline, atomic;
pause `rendered`), the report beside them ([report]; atomic, and never failing the decision:
report_pass.py), the letter (outbox, once per workbook), each agency's scorecard letter when
asked (once per agency and workbook; pause `queued`), the answer (copies and the note, atomic;
pause `answered`), the ledger (pause `recorded`), the move. A run killed before the ledger entry
does it all again and finds the letters queued; after it, only the move.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from processor.config.settings import Recipients
from processor.core.problems import InputError
from processor.core.report import problem_lines
from processor.unattended.dropfolder.answers import (
    DECISION_COPY,
    DONE_NOTE,
    PDF_COPY,
    REPLACED_NOTE,
    RESULTS_COPY,
    answer_name,
    stem_of,
)
from processor.unattended.dropfolder.ledger import LedgerEntry, LedgerState, write_ledger
from processor.unattended.dropfolder.moves import free_name
from processor.unattended.dropfolder.reports import Made, success_answer
from processor.unattended.events import Event
from processor.unattended.mail.letters import Attachment, render_letter
from processor.unattended.notices import (
    DECISION_KIND,
    Replaced,
    decision_context,
    decision_entry_id,
)
from processor.unattended.replacement import replaced_decision

if TYPE_CHECKING:
    from processor.pipeline import Outcome
    from processor.unattended.station import Station


class Decisions:
    """The decision half of a Station: what a workbook that passes leaves, and who is told."""

    def __init__(self, station: Station):
        self.station = station

    def make(self, workbook: Path, sha: str, received: datetime, source: str) -> None:
        """Process one workbook; made into a decision, emailed and answered, or refused."""
        from processor.pipeline import process

        station = self.station
        settings = station.settings
        try:
            outcome = process(
                workbook,
                settings.rules,
                settings.template,
                settings.output,
                pdf=settings.pdf,
                history=settings.history,
                profile=settings.profile.name,
            )
        except InputError as exc:
            station.refusals.refuse_error(workbook, sha, received, exc)
            return
        except Exception as exc:  # a bug must neither stop the queue nor lose the workbook
            station.refusals.refuse_bug(workbook, sha, received, exc)
            return
        year = outcome.evaluation.info.year
        station.events.record(
            Event.VALIDATED,
            workbook.name,
            f"sha256={sha}; năm {year}, {len(outcome.evaluation.agencies)} đơn vị, "
            f"{len(outcome.warnings)} cảnh báo",
        )
        made = [outcome.path, outcome.results, *([outcome.pdf] if outcome.pdf else [])]
        station.events.record(Event.RENDERED, workbook.name, "; ".join(str(p) for p in made))
        if outcome.recorded is not None:
            again = "thay cho lần ghi trước của năm này" if outcome.recorded else "năm mới"
            station.events.record(
                Event.RENDERED, workbook.name, f"đã ghi năm {year} vào lịch sử ({again})"
            )
        for note in outcome.notes:
            station.events.record(Event.RENDERED, workbook.name, note)
        station.pauses.point("rendered")
        report = station.reports.make(outcome, workbook.name, sha, workbook.parent.name)
        entry_id = decision_entry_id(year, sha)
        replaced = replaced_decision(station.mailbox, station.layout, year, entry_id)
        attached = self.attached(outcome)
        if not station.mailbox.has(entry_id):
            context = decision_context(
                outcome,
                workbook.name,
                sha,
                received,
                attachments=[path.name for path in attached],
                replaced=replaced,
                answers=settings.shown(station.layout.answers),
            )
            try:
                letter = render_letter(settings.mail.decision_template, context)
            except InputError as exc:  # the email template, edited since the start: technical
                station.refusals.refuse_error(workbook, sha, received, exc, technical=True)
                return
            files = [Attachment.of(path.name, path.read_bytes()) for path in attached]
            station.queue(entry_id, DECISION_KIND, settings.mail.decision, letter, files)
        mailed = station.reports.mail(outcome, report, sha, workbook.name)
        told = [*report.lines, *([""] if report.lines and mailed else []), *mailed]
        station.pauses.point("queued")
        self.answer_made(
            workbook.name, sha, received, outcome, attached, replaced, told, report.flagged
        )
        station.pauses.point("answered")
        name = free_name(station.layout.done, received, sha, workbook.name)
        write_ledger(
            station.layout,
            LedgerEntry(
                sha256=sha,
                state=LedgerState.DONE.value,
                source=source,
                filed_as=f"{station.layout.done.name}/{name}",
                received=received.isoformat(timespec="seconds"),
                year=year,
                decision=str(outcome.path),
                message=entry_id,
            ),
        )
        station.pauses.point("recorded")
        station.tally.decisions += 1
        station.file(workbook, station.layout.done / name)

    def attached(self, outcome: Outcome) -> list[Path]:
        """The files the decision email carries: the decision, then what [email] asks for."""
        attach = self.station.settings.attach
        files = [outcome.path]
        if attach.results:
            files.append(outcome.results)
        if attach.pdf and outcome.pdf is not None:
            files.append(outcome.pdf)
        return files

    def answer_made(
        self,
        original: str,
        sha: str,
        received: datetime,
        outcome: Outcome,
        attached: Sequence[Path],
        replaced: Replaced | None,
        report: Sequence[str] = (),
        flagged: int = 0,
    ) -> None:
        """Copies of what was made, and the note saying what, sent to whom, and what next.

        `report`: the sentences about the report and the scorecards mailed (report_pass.py);
        `flagged`: how many agencies' results the secretary should look at before signing.
        """
        station = self.station
        settings = station.settings
        copies = {DECISION_COPY: outcome.path, RESULTS_COPY: outcome.results}
        if outcome.pdf is not None:
            copies[PDF_COPY] = outcome.pdf
        what = {
            DECISION_COPY: "dự thảo quyết định (Word), để Văn thư ghi số và trình ký",
            RESULTS_COPY: "kết quả từng đơn vị (bảng tính), để đăng tải và báo cáo",
            PDF_COPY: "bản PDF của dự thảo, để đọc (chưa có số, chưa ký)",
        }
        people = _people(settings.mail.decision)
        text = success_answer(
            Made(
                original=original,
                sha256=sha,
                received=received,
                year=outcome.evaluation.info.year,
                agencies=len(outcome.evaluation.agencies),
                files=[(answer_name(original, part), what[part]) for part in copies],
                output=str(settings.output),
                inbox=settings.shown(station.layout.inbox),
                mailed=(
                    f"Thư gửi dự thảo (đính kèm: {', '.join(p.name for p in attached)}) đã được "
                    f"xếp vào hàng đợi gửi đến: {people} (chương trình gửi ngay khi máy chủ "
                    "thư nhận; xem lệnh mail list)."
                ),
                replaces="" if replaced is None else replaced.sentence(),
                warnings=[line.strip() for line in problem_lines(outcome.warnings)],
                notes=outcome.notes,
                report=tuple(report),
                flagged=flagged,
            )
        )
        files = {part: path.read_bytes() for part, path in copies.items()}
        station.answer(original, {**files, DONE_NOTE: text.encode("utf-8")})
        if replaced is not None and replaced.workbook:
            self.answer_replaced(replaced.workbook, original, outcome.evaluation.info.year)

    def answer_replaced(self, earlier: str, original: str, year: int) -> None:
        """The earlier draft's answer becomes a note that it was replaced; its copies go.

        A corrected workbook of another name would otherwise leave the old draft in the shared
        folder, looking as current as the new one.
        """
        if stem_of(earlier) == stem_of(original):
            return  # the same name: the new answer has already taken its place
        text = "\n".join(
            [
                f"Bảng tính: {earlier}",
                "",
                f"Dự thảo quyết định năm {year} lập từ bảng tính này ĐÃ BỊ THAY THẾ bởi dự thảo "
                f"lập từ bảng điểm đã sửa «{original}»: dự thảo hiện hành là "
                f"«{answer_name(original, DECISION_COPY)}» trong thư mục này. Các bản sao của "
                "dự thảo cũ đã được xóa khỏi thư mục này để không ai ghi số nhầm.",
                "",
                "VIỆC TIẾP THEO: không ai cần làm gì với bảng tính này.",
            ]
        )
        self.station.answer(earlier, {REPLACED_NOTE: (text + "\n").encode("utf-8")})


def _people(recipients: Recipients) -> str:
    text = ", ".join(recipients.to)
    return f"{text}; đồng gửi: {', '.join(recipients.cc)}" if recipients.cc else text
