"""One pass of the drop folder: resume, take what is ready, decide, file, queue, remind, send.

Each workbook goes inbox/ -> processing/ -> done/ or failed/ by renames; the decision is written
atomically by the pipeline; its email is queued in the outbox before anything is sent; the
ledger entry is written before the workbook is filed, so a run killed at any moment is finished
by the next one (`processing/` is resumed at start) without losing a workbook, leaving a half
file, or sending an email twice (see processor/unattended/mail/ for the one window where that
can happen). The named pause points mark those moments for the crash-safety test.

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
from processor.core.problems import InputError
from processor.core.report import problem_lines
from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.ledger import (
    LedgerEntry,
    LedgerState,
    Verdict,
    classify,
    read_ledger,
    sha256_of,
    write_ledger,
)
from processor.unattended.dropfolder.moves import (
    file_away,
    filed_name,
    in_processing,
    receive,
    received_at,
    remove_temporaries,
)
from processor.unattended.dropfolder.readiness import Seen, next_ready_in, observe, ready, track
from processor.unattended.dropfolder.reports import (
    DUPLICATE_SUFFIX,
    REPORT_SUFFIX,
    duplicate_note,
    failure_report,
)
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mail.delivery import MailTally, deliver_due
from processor.unattended.mail.letters import Attachment, Letter, compose, message_id, render_letter
from processor.unattended.mail.outbox import Mailbox
from processor.unattended.mail.state import Delivery
from processor.unattended.notices import (
    DECISION_KIND,
    REMINDER_KIND,
    decision_context,
    decision_entry_id,
    reminder_context,
    reminder_entry_id,
)
from processor.unattended.scheduling import evaluation_year
from processor.writing.files import write_atomic
from processor.writing.template_problems import TemplateDamaged


@dataclass
class Tally:
    decisions: int = 0
    refused: int = 0
    template_faults: int = 0  # of the refused: the Word template's fault, not the workbook's
    duplicates: int = 0
    reminder: str = ""


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
        self.layout = Layout(settings.root)
        self.mailbox = Mailbox(self.layout.outbox, self.layout.sent, self.layout.mail_failed)
        self.tracked: dict[str, Seen] = {}
        self.tally = Tally()
        self.mail = MailTally()

    # -- start ---------------------------------------------------------------------------

    def recover(self) -> None:
        """Clear what a killed run left half-made, then finish every workbook it had taken."""
        remove_temporaries(
            [
                self.settings.output,
                self.layout.failed,
                self.layout.done,
                self.layout.ledger,
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
            done = entry.state == LedgerState.DONE.value
            target = file_away(
                self.layout, workbook, self.layout.done if done else self.layout.failed, sha
            )
            self.events.record(Event.FILED, workbook.name, self._relative(target))
            self.pauses.point("filed")
            return
        if verdict is Verdict.DUPLICATE and entry is not None:
            name = filed_name(stamp, sha, workbook.name)
            note = duplicate_note(workbook.name, sha, received, entry)
            write_atomic(self.layout.done / (name + DUPLICATE_SUFFIX), note.encode("utf-8"))
            target = file_away(self.layout, workbook, self.layout.done, sha)
            self.tally.duplicates += 1
            self.events.record(
                Event.DUPLICATE,
                workbook.name,
                f"sha256={sha}; giống {entry.filed_as}; không lập lại, không gửi lại; "
                f"lưu ở {self._relative(target)}",
            )
            self.pauses.point("filed")
            return
        self.make_decision(workbook, sha, received, source)

    def make_decision(self, workbook: Path, sha: str, received: datetime, source: str) -> None:
        from processor.pipeline import process

        settings = self.settings
        try:
            outcome = process(workbook, settings.rules, settings.template, settings.output)
            self.events.record(
                Event.VALIDATED,
                workbook.name,
                f"sha256={sha}; năm {outcome.evaluation.info.year}, "
                f"{len(outcome.evaluation.agencies)} đơn vị, {len(outcome.warnings)} cảnh báo",
            )
            self.events.record(Event.RENDERED, workbook.name, str(outcome.path))
            self.pauses.point("rendered")
            year = outcome.evaluation.info.year
            entry_id = decision_entry_id(year, sha)
            if not self.mailbox.has(entry_id):
                letter = render_letter(
                    settings.mail.decision_template,
                    decision_context(outcome, workbook.name, sha, received),
                )
                attachment = Attachment(outcome.path.name, outcome.path.read_bytes())
                self.queue(entry_id, DECISION_KIND, settings.mail.decision, letter, attachment)
        except TemplateDamaged as exc:  # the template's fault: for the technical staff
            self.refuse(
                workbook,
                sha,
                received,
                source,
                exc.summary,
                problem_lines(exc.problems),
                template=exc.template,
            )
            return
        except InputError as exc:
            self.refuse(workbook, sha, received, source, exc.summary, problem_lines(exc.problems))
            return
        except Exception as exc:  # a bug must neither stop the queue nor lose the workbook
            self.refuse(
                workbook,
                sha,
                received,
                source,
                "Lỗi ngoài dự kiến của chương trình khi xử lý bảng tính; chưa lập quyết định.",
                [
                    f"  {type(exc).__name__}: {exc}",
                    "  Xin báo cho bộ phận kỹ thuật kèm tệp này và tệp nhật ký.",
                ],
            )
            return
        self.pauses.point("queued")
        name = filed_name(workbook.parent.name, sha, workbook.name)
        write_ledger(
            self.layout,
            LedgerEntry(
                sha256=sha,
                state=LedgerState.DONE.value,
                source=source,
                filed_as=f"{self.layout.done.name}/{name}",
                received=received.isoformat(timespec="seconds"),
                year=year,
                decision=str(outcome.path),
                message=entry_id,
            ),
        )
        self.pauses.point("recorded")
        target = file_away(self.layout, workbook, self.layout.done, sha)
        self.tally.decisions += 1
        self.events.record(Event.FILED, workbook.name, self._relative(target))
        self.pauses.point("filed")

    def refuse(
        self,
        workbook: Path,
        sha: str,
        received: datetime,
        source: str,
        summary: str,
        lines: Sequence[str],
        template: Path | None = None,
    ) -> None:
        """File a workbook in failed/ with a report beside it (report first, then the move).

        `template`: the Word template is at fault, not the workbook; the report says so. The
        ledger records a refusal either way, and a refused workbook dropped again is processed
        again (ledger.classify), so the same file makes its decision once the template is fixed.
        """
        name = filed_name(workbook.parent.name, sha, workbook.name)
        filed_as = f"{self.layout.failed.name}/{name}"
        report = failure_report(
            workbook.name,
            sha,
            received,
            filed_as,
            summary,
            lines,
            template=None if template is None else str(template),
        )
        write_atomic(self.layout.failed / (name + REPORT_SUFFIX), report.encode("utf-8"))
        self.pauses.point("reported")
        write_ledger(
            self.layout,
            LedgerEntry(
                sha256=sha,
                state=LedgerState.FAILED.value,
                source=source,
                filed_as=filed_as,
                received=received.isoformat(timespec="seconds"),
            ),
        )
        file_away(self.layout, workbook, self.layout.failed, sha)
        self.tally.refused += 1
        blame = ""
        if template is not None:
            self.tally.template_faults += 1
            blame = "lỗi mẫu Word, không phải lỗi bảng tính: báo bộ phận kỹ thuật; "
        self.events.record(
            Event.FAILED,
            workbook.name,
            f"sha256={sha}; {blame}{summary} Báo cáo: {filed_as}{REPORT_SUFFIX}",
        )
        self.pauses.point("filed")

    # -- mail ----------------------------------------------------------------------------

    def queue(
        self,
        entry_id: str,
        kind: str,
        recipients: Recipients,
        letter: Letter,
        attachment: Attachment | None,
    ) -> None:
        smtp = self.settings.smtp
        raw = compose(
            sender=smtp.sender,
            recipients=recipients,
            letter=letter,
            message_id=message_id(entry_id, smtp.sender),
            moment=self.clock().astimezone(),
            attachment=attachment,
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
        letter = render_letter(
            self.settings.mail.reminder_template,
            reminder_context(year, self.rules, decision.name, self.layout.inbox, now.date()),
        )
        self.queue(entry_id, REMINDER_KIND, self.settings.mail.reminder, letter, None)
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

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.layout.root).as_posix()
        except ValueError:
            return str(path)
