"""The unattended commands (`inbox`, `watch`, `schedule`, `config check`), wired in one place.

Each workbook goes inbox/ -> processing/ -> done/ or failed/ by renames; the decision is written
atomically by the pipeline; its email is queued in the outbox before anything is sent; the
ledger entry is written before the workbook is filed, so a run killed at any moment is finished
by the next one (`processing/` is resumed at start) without losing a workbook, leaving a half
file, or sending an email twice (see mailing.py for the one window where that can happen).

`inbox` and `watch` share every step; `inbox` runs one pass and exits (for schedulers), `watch`
runs the same pass whenever the folder changes and at least every few seconds.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from processor.config.settings import Recipients, Settings, address_of, load_settings, read_password
from processor.core.model import Rules
from processor.core.problems import InputError, Problem
from processor.core.report import problem_lines
from processor.unattended.dropfolder import (
    DUPLICATE_SUFFIX,
    NOT_A_WORKBOOK_FACTOR,
    REPORT_SUFFIX,
    DropFolderLock,
    Layout,
    LedgerEntry,
    LedgerState,
    Seen,
    Verdict,
    classify,
    duplicate_note,
    failure_report,
    file_away,
    filed_name,
    in_processing,
    next_ready_in,
    observe,
    read_ledger,
    ready,
    receive,
    received_at,
    remove_temporaries,
    sha256_of,
    track,
    write_ledger,
)
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mailing import (
    Attachment,
    Delivery,
    Letter,
    Mailbox,
    MailTally,
    compose,
    decision_context,
    decision_entry_id,
    deliver_due,
    describe_error,
    message_id,
    probe,
    reminder_context,
    reminder_entry_id,
    render_letter,
    sample_decision_context,
    sample_reminder_context,
)
from processor.unattended.scheduling import Installation, evaluation_year, january_due, render
from processor.writing.files import write_atomic

# `inbox` waits at most this many settle periods for files still being copied; what is still
# changing after that is left in the inbox for the next run.
INBOX_PATIENCE_FACTOR = 2 * NOT_A_WORKBOOK_FACTOR


@dataclass
class Tally:
    decisions: int = 0
    refused: int = 0
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
                self.queue(entry_id, "quyet-dinh", settings.mail.decision, letter, attachment)
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
    ) -> None:
        """File a workbook in failed/ with a report beside it (report first, then the move)."""
        name = filed_name(workbook.parent.name, sha, workbook.name)
        filed_as = f"{self.layout.failed.name}/{name}"
        report = failure_report(workbook.name, sha, received, filed_as, summary, lines)
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
        self.events.record(
            Event.FAILED,
            workbook.name,
            f"sha256={sha}; {summary} Báo cáo: {filed_as}{REPORT_SUFFIX}",
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
            reminder_context(
                year, self.rules.document.province, decision.name, self.layout.inbox, now.date()
            ),
        )
        self.queue(entry_id, "nhac-viec", self.settings.mail.reminder, letter, None)
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


# -- commands ----------------------------------------------------------------------------------


def _station(config: Path) -> tuple[Station, DropFolderLock]:
    """Load and check everything a pass needs; InputError (exit 2) before touching any file."""
    from processor.config.rules_file import load_rules

    settings = load_settings(config)
    rules = load_rules(settings.rules)
    _check_templates(settings)
    password = read_password(settings.smtp)
    layout = Layout(settings.root)
    try:
        layout.create()
    except OSError as exc:
        raise InputError(
            f"Không tạo được các thư mục trong {settings.root}.",
            [Problem("folders.root", f"{exc.strerror or exc}: kiểm tra đường dẫn và quyền ghi.")],
        ) from None
    events = EventLog(layout.log)
    station = Station(settings, rules, password, events, Pauses())
    return station, DropFolderLock(layout.lock)


def _check_templates(settings: Settings) -> None:
    render_letter(settings.mail.decision_template, sample_decision_context())
    render_letter(settings.mail.reminder_template, sample_reminder_context(settings.root))
    if not zipfile.is_zipfile(settings.template):
        raise InputError(
            f"Không dùng được mẫu Word {settings.template}.",
            [Problem("decision.template", "Tệp không phải tài liệu Word .docx hợp lệ.")],
        )


def inbox_command(config: Path, yearly: bool = False) -> int:
    """One pass: resume, take what is ready, (January: remind), send the outbox, exit."""
    station, lock = _station(config)
    with lock:
        station.events.record(Event.STARTED, "inbox", f"tiến trình {os.getpid()}")
        station.recover()
        settle = station.settings.watch.settle_seconds
        deadline = time.monotonic() + settle * INBOX_PATIENCE_FACTOR
        while True:
            station.take(station.scan())
            wait = station.waiting_for()
            if wait is None or time.monotonic() >= deadline:
                break
            time.sleep(max(0.02, min(wait, deadline - time.monotonic())))
        if yearly:
            station.remind()
        station.deliver()
        left = len(station.tracked)
    print(_summary(station, left))
    return 0


def _summary(station: Station, left: int) -> str:
    tally, mail, layout = station.tally, station.mail, station.layout
    lines = [
        f"Thư mục nhận {layout.root}: {tally.decisions} bảng tính đã lập quyết định, "
        f"{tally.refused} bị từ chối (xem {layout.failed.name}/), {tally.duplicates} trùng.",
    ]
    if left:
        lines.append(f"{left} tệp trong inbox/ chưa chép xong; để lần chạy sau.")
    lines.append(
        f"Thư: {mail.sent} đã gửi, {mail.waiting} chờ gửi lại, {mail.failed} không gửi được"
        f" (xem {layout.mail_failed.name}/)."
    )
    if tally.reminder:
        lines.append(f"Nhắc việc: {tally.reminder}")
    return "\n".join(lines)


def watch_command(config: Path) -> int:
    """Run until stopped: the same pass as `inbox`, whenever the inbox changes."""
    from processor.unattended.watching import run_loop, start_observer, stop_on_signals

    station, lock = _station(config)
    settings = station.settings
    with lock:
        stop, wake = threading.Event(), threading.Event()
        stop_on_signals(stop, wake)
        # Events first, then the start-up scan: nothing dropped meanwhile can be missed.
        observer, kind = start_observer(
            station.layout.inbox,
            wake,
            polling=settings.watch.polling,
            interval=settings.watch.poll_seconds,
        )
        how = "sự kiện hệ thống tệp" if kind == "native" else "quét định kỳ (polling)"
        station.events.record(
            Event.STARTED, "watch", f"tiến trình {os.getpid()}; theo dõi inbox/ bằng {how}"
        )
        print(
            f"Đang theo dõi {station.layout.inbox} ({how}); nhật ký: {station.layout.log}. "
            "Nhấn Ctrl+C để dừng.",
            file=sys.stderr,
            flush=True,
        )

        def tick() -> float | None:
            try:
                station.take(station.scan())
                if january_due(station.clock(), settings.schedule):
                    station.remind()
                station.deliver()
            except OSError as exc:  # a network share gone for a moment: try again later
                station.events.record(Event.FAILED, "watch", f"lỗi hệ thống tệp: {exc}")
                return settings.watch.poll_seconds
            return station.waiting_for()

        try:
            station.recover()
            run_loop(tick, stop, wake, settings.watch.poll_seconds)
        finally:
            observer.stop()
            observer.join(timeout=5)
        station.events.record(Event.STOPPED, "watch", f"tiến trình {os.getpid()}")
    print("Đã dừng theo dõi.", file=sys.stderr)
    return 0


def schedule_command(config: Path, kind: str) -> int:
    settings = load_settings(config)
    install = Installation(
        python=sys.executable,
        config=str(settings.source),
        workdir=str(settings.source.parent),
        password_env=settings.smtp.password_env,
    )
    sys.stdout.write(render(kind, install, settings.schedule))
    return 0


def config_check_command(config: Path) -> int:
    """Check the whole deployment as far as possible without processing anything."""
    from processor.config.rules_file import load_rules

    settings = load_settings(config)
    rules = load_rules(settings.rules)
    _check_templates(settings)
    sample = render_letter(settings.mail.decision_template, sample_decision_context())
    compose(  # the addresses and subject must make a valid message
        sender=settings.smtp.sender,
        recipients=settings.mail.decision,
        letter=sample,
        message_id=message_id("kiem-tra", settings.smtp.sender),
        moment=datetime.now().astimezone(),
    )
    problems = [
        problem
        for key, folder in (("folders.root", settings.root), ("folders.output", settings.output))
        if (problem := _writable(key, folder)) is not None
    ]
    if problems:
        raise InputError("Không ghi được vào thư mục đã cấu hình.", problems)
    password = read_password(settings.smtp)
    try:
        connection = probe(settings.smtp, password)
    except Exception as exc:
        raise InputError(
            f"Không kết nối được máy chủ thư {settings.smtp.host}:{settings.smtp.port}.",
            [Problem("smtp", describe_error(exc, settings.smtp))],
        ) from None
    mail = settings.mail
    print(f"Tệp cấu hình {settings.source} dùng được.")
    print(f"  Thư mục nhận: {settings.root} (thả bảng điểm vào {settings.root / 'inbox'})")
    print(f"  Thư mục quyết định: {settings.output}")
    print(f"  Tệp quy tắc: {settings.rules} (tỉnh {rules.document.province})")
    print(f"  Mẫu Word: {settings.template}")
    print(f"  Mẫu thư: {mail.decision_template}; thư nhắc việc: {mail.reminder_template}")
    print(f"  Gửi quyết định đến: {_people(mail.decision)}")
    print(f"  Gửi thư nhắc việc đến: {_people(mail.reminder)}")
    print(f"  Máy chủ thư {settings.smtp.host}:{settings.smtp.port}: {connection}.")
    return 0


def _people(recipients: Recipients) -> str:
    text = ", ".join(recipients.to)
    return f"{text}; đồng gửi: {', '.join(recipients.cc)}" if recipients.cc else text


def _writable(key: str, folder: Path) -> Problem | None:
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return Problem(key, f"{existing} không phải thư mục.")
    if not os.access(existing, os.W_OK | os.X_OK):
        return Problem(key, f"Không có quyền ghi vào {existing}.")
    return None
