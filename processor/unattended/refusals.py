"""A refused drop: its report, its marked copy, its email and its answer, then failed/.

Whose move it is decides where the refusal goes. A workbook at fault (a bad cell, a file that
is no workbook) is the secretary's: the marked copy of the workbook is made, and the letter
goes to [rejection] to/cc. The Word template, the rules, the server or the program itself at
fault is the technical staff's: no marked copy (the workbook is fine), the letter goes to
[rejection] technical_to. Both are answered in the answers folder.

In order, for crash safety: the marked copy (answers folder, atomic), the report (failed/,
atomic; pause `reported`), the letter (outbox, once per drop: its id carries the drop's
stamp), the answer (pause `answered`), the ledger, the move. A run killed before the ledger
entry does it all again, and finds the letter queued; after it, only the move is left.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from processor.config.settings import Recipients
from processor.core.problems import InputError, Problem
from processor.core.report import problem_lines
from processor.unattended.dropfolder.answers import (
    MARKED_COPY,
    REFUSED_NOTE,
    TECHNICAL_NOTE,
    answer_name,
    answer_path,
)
from processor.unattended.dropfolder.ledger import LedgerEntry, LedgerState, write_ledger
from processor.unattended.dropfolder.moves import free_name
from processor.unattended.dropfolder.reports import REPORT_SUFFIX, Blame, failure_report
from processor.unattended.events import Event
from processor.unattended.mail.letters import Attachment, render_letter
from processor.unattended.notices import (
    REJECTION_KIND,
    Refused,
    rejection_context,
    rejection_entry_id,
)
from processor.writing.files import write_atomic
from processor.writing.template_problems import TemplateDamaged

if TYPE_CHECKING:
    from processor.unattended.station import Station

BUG_SUMMARY = "Lỗi ngoài dự kiến của chương trình khi xử lý bảng tính; chưa lập quyết định."


class Refusals:
    """The refusal half of a Station: what a refused drop leaves, and who is told."""

    def __init__(self, station: Station):
        self.station = station

    def refuse_error(
        self,
        workbook: Path,
        sha: str,
        received: datetime,
        error: InputError,
        technical: bool = False,
    ) -> None:
        """An InputError of the pipeline, blamed on whoever must act on it."""
        template = None
        if isinstance(error, TemplateDamaged):
            blame, template = Blame.TEMPLATE, str(error.template)
        elif technical or self.is_technical(error.problems):
            blame = Blame.TECHNICAL
        else:
            blame = Blame.WORKBOOK
        lines = problem_lines(error.problems)
        self.refuse(workbook, sha, received, error.summary, lines, error.problems, blame, template)

    def refuse_bug(self, workbook: Path, sha: str, received: datetime, error: Exception) -> None:
        lines = [
            f"  {type(error).__name__}: {error}",
            "  Xin báo cho bộ phận kỹ thuật kèm tệp này và tệp nhật ký.",
        ]
        self.refuse(workbook, sha, received, BUG_SUMMARY, lines, (), Blame.TECHNICAL)

    def is_technical(self, problems: Sequence[Problem]) -> bool:
        """A problem of the rules, the template or the decisions folder: not the workbook's."""
        settings = self.station.settings
        files = (settings.rules, settings.template)
        for problem in problems:
            place = problem.place
            for file in files:
                name = file.name
                if place in (name, str(file)) or place.startswith((f"{name}:", f"{name},")):
                    return True
            if os.path.isabs(place) and Path(place).is_relative_to(settings.output):
                return True
        return False

    def refuse(
        self,
        workbook: Path,
        sha: str,
        received: datetime,
        summary: str,
        lines: Sequence[str],
        problems: Sequence[Problem],
        blame: Blame,
        template: str | None = None,
    ) -> None:
        """File a workbook in failed/ with its report, its answer and (if set) its email."""
        station = self.station
        layout, settings, original = station.layout, station.settings, workbook.name
        summary, lines = _plain(workbook, summary), [_plain(workbook, line) for line in lines]
        name = free_name(layout.failed, received, sha, original)
        filed_as = f"{layout.failed.name}/{name}"
        marked = self.marked_copy(workbook, problems) if blame is Blame.WORKBOOK else None
        recipients = settings.rejection if blame is Blame.WORKBOOK else settings.technical
        inbox = settings.shown(layout.inbox)
        part = REFUSED_NOTE if blame is Blame.WORKBOOK else TECHNICAL_NOTE
        answer = settings.shown(answer_path(layout.answers, original, part))
        if recipients is not None:
            mailed = (
                f"Báo cáo này được xếp gửi thư đến: {', '.join(recipients.everyone)} (gửi ngay "
                "khi máy chủ thư nhận)."
            )
        else:
            mailed = "Không gửi thư báo (tệp cấu hình không có người nhận thư từ chối)."
        report = failure_report(
            original,
            sha,
            received,
            filed_as,
            summary,
            lines,
            template=template,
            blame=blame,
            inbox=inbox,
            marked=None if marked is None else settings.shown(marked),
            mailed=mailed,
        ).encode("utf-8")
        write_atomic(layout.failed / (name + REPORT_SUFFIX), report)
        station.pauses.point("reported")
        if recipients is not None:
            refused = Refused(
                workbook=original,
                received=received,
                sha256=sha,
                summary=summary,
                lines=lines,
                technical=blame is not Blame.WORKBOOK,
                template=template or "",
                marked="" if marked is None else _attachment_name(original),
                answer=answer,
                inbox=inbox,
                answers=settings.shown(layout.answers),
                filed_as=filed_as,
            )
            self.mail(workbook.parent.name, refused, marked, recipients)
        station.answer(original, {part: report}, (MARKED_COPY,) if marked is not None else ())
        station.pauses.point("answered")
        write_ledger(
            layout,
            LedgerEntry(
                sha256=sha,
                state=LedgerState.FAILED.value,
                source=f"{workbook.parent.name}/{original}",
                filed_as=filed_as,
                received=received.isoformat(timespec="seconds"),
            ),
        )
        station.tally.refused += 1
        if blame is not Blame.WORKBOOK:
            station.tally.technical += 1
        if blame is Blame.TEMPLATE:
            station.tally.template_faults += 1
        target = station.file(workbook, layout.failed / name)
        who = {
            Blame.WORKBOOK: "",
            Blame.TEMPLATE: "lỗi mẫu Word, không phải lỗi bảng tính: báo bộ phận kỹ thuật; ",
            Blame.TECHNICAL: "lỗi kỹ thuật, không phải lỗi bảng tính: báo bộ phận kỹ thuật; ",
        }[blame]
        station.events.record(
            Event.FAILED,
            original,
            f"sha256={sha}; {who}{summary} Báo cáo: {station.relative(target)}{REPORT_SUFFIX}",
        )

    def marked_copy(self, workbook: Path, problems: Sequence[Problem]) -> Path | None:
        """The workbook with its problem cells marked, in the answers folder; None if not made."""
        station = self.station
        target = answer_path(station.layout.answers, workbook.name, MARKED_COPY)
        try:
            from processor.writing.annotated_workbook import annotate

            made = annotate(workbook, problems, target)
        except Exception as exc:  # no marked copy is no reason to lose the refusal
            station.events.record(
                Event.FAILED,
                workbook.name,
                f"không lập được bản sao đánh dấu lỗi: {type(exc).__name__}: {exc}",
            )
            return None
        return target if made else None

    def mail(
        self, stamp: str, refused: Refused, marked: Path | None, recipients: Recipients
    ) -> None:
        """Queue the refusal letter once for this drop; a broken template only costs the letter."""
        station = self.station
        entry_id = rejection_entry_id(stamp, refused.sha256)
        if station.mailbox.has(entry_id):
            return
        try:
            letter = render_letter(
                station.settings.mail.rejection_template,
                rejection_context(refused, station.rules),
            )
        except InputError as exc:
            station.events.record(
                Event.FAILED, entry_id, f"không soạn được thư từ chối: {exc.summary}"
            )
            return
        files = []
        if marked is not None:
            files.append(Attachment.of(_attachment_name(refused.workbook), marked.read_bytes()))
        station.queue(entry_id, REJECTION_KIND, recipients, letter, files)


def _attachment_name(original: str) -> str:
    """The marked copy's name in the answers folder, so the email and the share say the same."""
    return answer_name(original, MARKED_COPY)


def _plain(workbook: Path, text: str) -> str:
    """A message without the internal processing/<stamp>/ path: the name people dropped."""
    return text.replace(str(workbook), workbook.name).replace(str(workbook.parent) + os.sep, "")
