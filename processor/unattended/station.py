"""One pass of the drop folder: resume, take what is ready, decide, answer, file, queue, send.

Each workbook goes inbox/ -> processing/ -> done/ or failed/ by renames; the decision (and the
results workbook, and the PDF) is written atomically by the pipeline; its email is queued in
the outbox and its answer written to the answers folder before the ledger learns of it, and the
ledger entry is written before the workbook is filed. So a run killed at any moment is finished
by the next one (`processing/` is resumed at start, and a drop the ledger does not know is done
again from the start: the same letter id is found queued, the same answer is written again)
without losing a workbook, leaving a half file, or sending an email twice (see
processor/unattended/mail/ for the one window where that can happen). The named pause points
mark those moments for the crash-safety test. A refusal is answered and emailed the same way
(refusals.py).

`inbox` and `watch` (commands.py) share every step of this pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from processor.config.settings import Recipients, Settings, address_of
from processor.core.model import Rules
from processor.unattended.decisions import Decisions
from processor.unattended.dropfolder.answers import (
    DECISION_COPY,
    DONE_NOTE,
    DUPLICATE_NOTE,
    PDF_COPY,
    RESULTS_COPY,
    answer_path,
    write_answer,
)
from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.ledger import (
    LedgerEntry,
    LedgerState,
    Verdict,
    classify,
    read_ledger,
)
from processor.unattended.dropfolder.moves import (
    file_away,
    free_name,
    in_processing,
    receive,
    received_at,
    remove_temporaries,
)
from processor.unattended.dropfolder.readiness import Seen, next_ready_in, observe, ready, track
from processor.unattended.dropfolder.reports import (
    DUPLICATE_SUFFIX,
    duplicate_note,
)
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mail.delivery import MailTally, deliver_due
from processor.unattended.mail.letters import Attachment, Letter, compose, message_id, render_letter
from processor.unattended.mail.outbox import Mailbox
from processor.unattended.mail.state import Delivery
from processor.unattended.notices import (
    REMINDER_KIND,
    reminder_context,
    reminder_entry_id,
)
from processor.unattended.refusals import Refusals
from processor.unattended.replacement import superseded
from processor.unattended.report_pass import Reports
from processor.unattended.scheduling import evaluation_year
from processor.writing.files import sha256_of, write_atomic


@dataclass
class Tally:
    decisions: int = 0
    refused: int = 0
    template_faults: int = 0  # of the refused: the Word template's fault, not the workbook's
    technical: int = 0  # of the refused: the technical staff's move (template included)
    duplicates: int = 0
    reminder: str = ""
    report_failed: int = 0  # decisions made whose report could not be (report_pass.py)
    scorecards: int = 0  # scorecard letters queued ([report] email_scorecards)


class Station:
    """One drop folder at work: the imperative shell around the pure decisions."""

    def __init__(
        self,
        settings: Settings,
        rules: Rules,
        password: str | None,
        events: EventLog,
        pauses: Pauses,
        clock: Callable[[], datetime] = datetime.now,
    ):
        self.settings = settings
        self.rules = rules
        self.password = password
        self.events = events
        self.pauses = pauses
        self.clock = clock
        self.layout = Layout(settings.root, settings.answers)
        self.mailbox = Mailbox(self.layout.outbox, self.layout.sent, self.layout.mail_failed)
        self.tracked: dict[str, Seen] = {}
        self.tally = Tally()
        self.mail = MailTally()
        self.decisions = Decisions(self)
        self.refusals = Refusals(self)
        self.reports = Reports(self)

    # -- start ---------------------------------------------------------------------------

    def recover(self) -> None:
        """Clear what a killed run left half-made, then finish every workbook it had taken."""
        remove_temporaries(
            [
                self.settings.output,
                self.layout.failed,
                self.layout.done,
                self.layout.ledger,
                self.layout.answers,
                *(p for p in self.layout.outbox.iterdir() if p.is_dir()),
            ]
        )
        self.mailbox.discard_staging()
        for workbook in in_processing(self.layout):
            self.events.record(Event.RESUMED, workbook.name, f"{workbook.parent.name}")
            self.handle(workbook)

    # -- the inbox -----------------------------------------------------------------------

    def scan(self) -> list[str]:
        """Look at the inbox; the names that are ready to take, oldest-named first."""
        now = time.monotonic()
        self.tracked = track(self.tracked, observe(self.layout.inbox), now)
        return ready(self.tracked, now, self.settings.watch.settle_seconds)

    def waiting_for(self) -> float | None:
        return next_ready_in(self.tracked, time.monotonic(), self.settings.watch.settle_seconds)

    def take(self, names: Sequence[str]) -> None:
        for name in names:
            self.tracked.pop(name, None)
            workbook = receive(self.layout, name, self.clock())
            if workbook is None:
                continue
            self.events.record(Event.RECEIVED, name, f"vào {self.layout.processing.name}/")
            self.pauses.point("received")
            self.handle(workbook)

    def handle(self, workbook: Path) -> None:
        """Take one workbook in processing/ to done/ or failed/, whatever happened before."""
        stamp = workbook.parent.name
        source = f"{stamp}/{workbook.name}"
        received = received_at(stamp)
        sha = sha256_of(workbook)
        entry = read_ledger(self.layout, sha)
        verdict = classify(entry, source)
        if verdict is Verdict.FINISH and entry is not None:
            self.file(workbook, self.finished_target(workbook, entry, received, sha))
            return
        if verdict is Verdict.DUPLICATE and entry is not None:
            self.duplicate(workbook, sha, received, entry)
            return
        self.decisions.make(workbook, sha, received, source)

    def finished_target(
        self, workbook: Path, entry: LedgerEntry, received: datetime, sha: str
    ) -> Path:
        """Where the ledger says this drop goes (a name of any version), or a free name."""
        folder = self.layout.done if entry.state == LedgerState.DONE.value else self.layout.failed
        recorded = Path(entry.filed_as)
        if recorded.parent.as_posix() == folder.name and not (folder / recorded.name).exists():
            return folder / recorded.name
        return folder / free_name(folder, received, sha, workbook.name)

    def file(self, workbook: Path, target: Path) -> Path:
        file_away(workbook, target)
        self.events.record(Event.FILED, workbook.name, self.relative(target))
        self.pauses.point("filed")
        return target

    def duplicate(self, workbook: Path, sha: str, received: datetime, earlier: LedgerEntry) -> None:
        """The same bytes made a decision before: a note beside it and an answer, nothing else."""
        name = free_name(self.layout.done, received, sha, workbook.name)
        inbox = self.settings.shown(self.layout.inbox)
        later = superseded(self.mailbox.entries()).get(earlier.message or "")
        note = duplicate_note(workbook.name, sha, received, earlier, inbox, later).encode("utf-8")
        write_atomic(self.layout.done / (name + DUPLICATE_SUFFIX), note)
        # The earlier answer to this name (its decision, if it was this workbook) stays.
        kept = (DONE_NOTE, DECISION_COPY, RESULTS_COPY, PDF_COPY)
        self.answer(workbook.name, {DUPLICATE_NOTE: note}, kept)
        self.tally.duplicates += 1
        target = self.file(workbook, self.layout.done / name)
        self.events.record(
            Event.DUPLICATE,
            workbook.name,
            f"sha256={sha}; giống {earlier.filed_as}; không lập lại, không gửi lại; "
            f"lưu ở {self.relative(target)}",
        )

    def answer(self, original: str, files: dict[str, bytes], kept: Sequence[str] = ()) -> None:
        """Write one answer to the answers folder (its note last) and say so in the log."""
        write_answer(self.layout.answers, original, files, kept)
        note = next(reversed(files))
        shown = self.settings.shown(answer_path(self.layout.answers, original, note))
        self.events.record(Event.ANSWERED, original, shown)

    # -- mail ----------------------------------------------------------------------------

    def queue(
        self,
        entry_id: str,
        kind: str,
        recipients: Recipients,
        letter: Letter,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        smtp = self.settings.smtp
        raw = compose(
            sender=smtp.sender,
            recipients=recipients,
            letter=letter,
            message_id=message_id(entry_id, smtp.sender),
            moment=self.clock().astimezone(),
            attachments=attachments,
        )
        delivery = Delivery(
            id=entry_id,
            kind=kind,
            subject=letter.subject,
            sender=address_of(smtp.sender),
            recipients=recipients.everyone,
            created=time.time(),
        )
        if self.mailbox.enqueue(delivery, raw):
            self.events.record(
                Event.QUEUED, entry_id, f"{letter.subject}; đến: {', '.join(delivery.recipients)}"
            )

    def remind(self) -> None:
        """The January check: no decision for the evaluation year yet -> one reminder a year."""
        now = self.clock()
        year = evaluation_year(now.date(), self.settings.schedule)
        decision = self.settings.output / self.rules.document.output_file.format(nam=year)
        entry_id = reminder_entry_id(year)
        if decision.is_file():
            self.tally.reminder = f"đã có quyết định năm {year} ({decision}); không cần nhắc."
            return
        if self.mailbox.has(entry_id):
            self.tally.reminder = f"chưa có quyết định năm {year}; thư nhắc đã gửi trước đây."
            return
        shown = self.settings.shown
        letter = render_letter(
            self.settings.mail.reminder_template,
            reminder_context(
                year,
                self.rules,
                decision.name,
                shown(self.layout.inbox),
                now.date(),
                shown(self.layout.answers),
            ),
        )
        self.queue(entry_id, REMINDER_KIND, self.settings.mail.reminder, letter)
        self.events.record(
            Event.REMINDER, entry_id, f"chưa có {decision.name}; đã xếp thư nhắc việc"
        )
        self.tally.reminder = f"chưa có quyết định năm {year}: đã gửi thư nhắc việc."
        self.pauses.point("reminded")

    def deliver(self) -> None:
        result = deliver_due(
            self.mailbox,
            self.settings.smtp,
            self.password,
            self.settings.retry,
            self.events,
            self.pauses,
            time.time,
        )
        self.mail = result

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.layout.root).as_posix()
        except ValueError:
            return str(path)
