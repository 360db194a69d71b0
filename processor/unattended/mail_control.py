"""The mail commands: `mail list`, `mail resend ID [--to ADDR ...]`, `mail send-now`.

They work on the same outbox/, sent/ and mail-failed/ as the drop folder's passes, and send
only while holding the drop folder's lock, as `inbox` does, so a message is never sent by two
processes at once. When a `watch` service (or an `inbox` run) holds the lock, they leave the
work to it: a resend is queued in outbox/ (due at once, so the next pass sends it), and
send-now leaves a request file (outbox/.gui-ngay) the next pass honours once. Nothing here
needs the mail password unless it sends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from processor.config.settings import Settings, address_of, load_settings, read_password
from processor.config.settings.values import ValueReader
from processor.core.near_miss import closest
from processor.core.problems import InputError, Problem
from processor.core.report import to_json
from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.lock import DropFolderLock
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mail.delivery import MailTally, deliver_due
from processor.unattended.mail.listing import local_time, records, summary_line, text_listing
from processor.unattended.mail.outbox import (
    MAIL_FAILED,
    OUTBOX,
    REPORT_FILE,
    SEND_NOW_FILE,
    Mailbox,
    MailEntry,
)
from processor.unattended.mail.resending import prepare_resend
from processor.unattended.mail.state import Status, remaining, status
from processor.unattended.replacement import superseded
from processor.unattended.scorecard_notices import SCORECARD_KIND

# The log lines these commands write (the event words are the log's; see events.py).
RESEND_EVENT = Event.QUEUED
SEND_NOW_EVENT = Event.STARTED


def _mailbox(settings: Settings) -> tuple[Layout, Mailbox]:
    layout = Layout(settings.root)
    return layout, Mailbox(layout.outbox, layout.sent, layout.mail_failed)


def _command(settings: Settings, action: str) -> str:
    return f"python -m processor mail {action} --config {settings.source}"


# -- mail list -----------------------------------------------------------------------------


def mail_list_command(config: Path, fmt: str) -> int:
    """Every message, oldest first: where it is, who has it, what went wrong. Changes nothing."""
    settings = load_settings(config)
    layout, mailbox = _mailbox(settings)
    entries = mailbox.entries()
    now = time.time()
    if fmt == "json":
        result = {
            "command": "mail list",
            "ok": True,
            "root": str(layout.root),
            "send_now_requested": mailbox.send_now_requested(),
            "messages": records(entries, now, superseded(entries)),
        }
        print(to_json(result))
        return 0
    lines = text_listing(
        entries, now, str(layout.root), mailbox.send_now_requested(), superseded(entries)
    )
    print("\n".join(lines))
    return 0


# -- mail resend ---------------------------------------------------------------------------


def mail_resend_command(config: Path, entry_id: str, to: Sequence[str]) -> int:
    """Queue the message again as a new entry, to everyone or to `to`; send it if we may."""
    settings = load_settings(config)
    layout, mailbox = _mailbox(settings)
    entries = mailbox.entries()
    source = _resendable(entries, entry_id.strip(), settings, layout)
    targets = _addresses(to) if to else list(source.delivery.recipients)
    lock = DropFolderLock(layout.lock)
    held = lock.acquire()
    try:
        password = read_password(settings.smtp) if held else None
        raw = source.message_file.read_bytes()
        while True:  # a concurrent resend may take the number first: take the next one
            delivery, resent = prepare_resend(
                source.delivery,
                raw,
                mailbox.names(),
                sender=settings.smtp.sender,
                to=targets,
                moment=datetime.now().astimezone(),
            )
            if mailbox.enqueue(delivery, resent):
                break
        events = EventLog(layout.log, echo=False)  # our own summary is printed
        events.record(
            RESEND_EVENT,
            delivery.id,
            f"gửi lại thư {source.delivery.id} (lệnh mail resend): {delivery.subject}; "
            f"đến: {', '.join(delivery.recipients)}",
        )
        print(
            f"Đã xếp thư gửi lại {delivery.id} (thư {source.delivery.id}: "
            f"«{delivery.subject}») vào {layout.outbox.name}/, đến: "
            f"{', '.join(delivery.recipients)}."
        )
        new = [a for a in delivery.recipients if a not in source.delivery.recipients]
        if new:
            print(f"  Ghi chú: {', '.join(new)} không có trong người nhận ban đầu của thư này.")
        if not held:
            print(_busy(lock, settings, "gửi thư này"))
            return 0
        _deliver(settings, mailbox, password, events, force=False)
    finally:
        lock.release()
    after = mailbox.find(delivery.id)
    print(_resend_outcome(after, layout, settings))
    return 0


def _resendable(
    entries: Sequence[MailEntry], entry_id: str, settings: Settings, layout: Layout
) -> MailEntry:
    found = {e.delivery.id: e for e in entries}
    entry = found.get(entry_id)
    if entry is None:
        guess = closest(entry_id, found)
        hint = f"Có phải «{guess}»? " if guess else ""
        raise InputError(
            f"Không có thư mã «{entry_id}» trong {layout.outbox.name}/, {layout.sent.name}/ "
            f"hay {layout.mail_failed.name}/ của thư mục nhận {layout.root}.",
            [Problem(entry_id, f"{hint}Xem mã các thư bằng: {_command(settings, 'list')}")],
        )
    if entry.place == OUTBOX:
        raise InputError(
            f"Thư {entry_id} vẫn đang chờ gửi trong {layout.outbox.name}/: chưa gửi xong thì "
            "không gửi lại.",
            [
                Problem(
                    entry_id,
                    "Chương trình sẽ tự gửi lại thư này theo [retry]; muốn gửi ngay, không đợi "
                    f"hết thời gian chờ: {_command(settings, 'send-now')}",
                )
            ],
        )
    later = superseded(entries).get(entry_id)
    if later is not None and entry.delivery.kind == SCORECARD_KIND:
        raise InputError(
            f"Thư {entry_id} mang một phiếu kết quả đã bị thay thế: bảng điểm đã sửa của cùng "
            f"năm đã lập phiếu mới cho đơn vị này, thư {later}. Không gửi lại phiếu cũ.",
            [
                Problem(
                    entry_id,
                    f"Gửi lại phiếu mới thì dùng mã {later}: "
                    f"{_command(settings, 'resend')} {later}",
                )
            ],
        )
    if later is not None:
        raise InputError(
            f"Thư {entry_id} mang một dự thảo quyết định đã bị thay thế: bảng điểm đã sửa của "
            f"cùng năm đã lập dự thảo mới, thư {later}. Không gửi lại dự thảo cũ.",
            [
                Problem(
                    entry_id,
                    f"Gửi lại dự thảo mới thì dùng mã {later}: "
                    f"{_command(settings, 'resend')} {later}",
                )
            ],
        )
    if not entry.message_file.is_file():
        raise InputError(
            f"Thư {entry_id} không còn tệp {entry.message_file.name}; không gửi lại được.",
            [Problem(str(entry.folder), "Tệp thư đã bị xóa hoặc chuyển đi khỏi thư mục này.")],
        )
    return entry


def _addresses(texts: Sequence[str]) -> list[str]:
    """The --to addresses, checked as the config's are; every bad one is reported."""
    reader = ValueReader("mail resend", Path("."))
    for text in texts:
        reader.check_address("--to", text)
    if reader.problems:
        summary = "Địa chỉ người nhận không dùng được; chưa gửi lại thư nào."
        raise InputError(summary, reader.problems)
    seen: dict[str, str] = {}
    for text in texts:
        seen.setdefault(address_of(text), text.strip())
    return list(seen.values())


def _resend_outcome(entry: MailEntry | None, layout: Layout, settings: Settings) -> str:
    if entry is None:  # moved while we looked: the listing will say where
        return f"Xem kết quả bằng: {_command(settings, 'list')}"
    delivery = entry.delivery
    state = status(delivery)
    if entry.place == MAIL_FAILED or state is Status.FAILED:
        refused = "; ".join(f"{a}: «{e}»" for a, e in delivery.rejected.items())
        got = f" Đã đến: {', '.join(delivery.accepted)}." if delivery.accepted else ""
        return (
            f"Gửi lại không được: {refused}.{got} Xem "
            f"{layout.mail_failed.name}/{delivery.id}/{REPORT_FILE}; sửa địa chỉ rồi gửi lại: "
            f"python -m processor mail resend {delivery.resend_of or delivery.id} --to ĐỊA_CHỈ "
            f"--config {settings.source}"
        )
    if state is Status.SENT:
        return f"Đã gửi lại: máy chủ thư đã nhận cho {', '.join(delivery.accepted)}."
    return (
        f"Chưa gửi được đến {', '.join(remaining(delivery))} (lỗi tạm thời: "
        f"{delivery.last_error}); sẽ thử lại lúc {local_time(delivery.next_attempt)} ở lần chạy "
        f"inbox/watch sau, hoặc chạy ngay: {_command(settings, 'send-now')}"
    )


# -- mail send-now -------------------------------------------------------------------------


def mail_send_now_command(config: Path) -> int:
    """Send everything waiting in outbox/ now, ignoring the back-off once."""
    settings = load_settings(config)
    layout, mailbox = _mailbox(settings)
    waiting = [
        e for e in mailbox.entries() if e.place == OUTBOX and status(e.delivery) is Status.PENDING
    ]
    if not waiting:
        print(f"Không có thư nào đang chờ trong {layout.outbox.name}/ ({layout.outbox}).")
        return 0
    lock = DropFolderLock(layout.lock)
    held = lock.acquire()
    try:
        events = EventLog(layout.log, echo=False)  # our own summary is printed
        if not held:
            mailbox.request_send_now(
                f"mail send-now lúc {local_time(time.time())}, tiến trình {os.getpid()}: "
                f"gửi ngay {len(waiting)} thư đang chờ"
            )
            events.record(
                SEND_NOW_EVENT,
                "mail send-now",
                f"thư mục nhận đang bận; đã ghi yêu cầu gửi ngay {layout.outbox.name}/"
                f"{SEND_NOW_FILE} cho {len(waiting)} thư",
            )
            print(
                f"{len(waiting)} thư đang chờ trong {layout.outbox.name}/. "
                f"Đã ghi yêu cầu gửi ngay ({layout.outbox.name}/{SEND_NOW_FILE})."
            )
            print(_busy(lock, settings, "gửi các thư này, bỏ qua thời gian chờ gửi lại"))
            return 0
        password = read_password(settings.smtp)
        events.record(
            SEND_NOW_EVENT,
            "mail send-now",
            f"tiến trình {os.getpid()}: gửi ngay {len(waiting)} thư đang chờ, bỏ qua thời gian "
            "chờ gửi lại một lần",
        )
        tally = _deliver(settings, mailbox, password, events, force=True)
    finally:
        lock.release()
    print(f"Gửi ngay {len(waiting)} thư đang chờ: {_tally_text(tally, layout)}")
    left = [e for e in mailbox.entries() if e.place == OUTBOX]
    if left:
        print(f"Trong {layout.outbox.name}/ còn: {summary_line(left, time.time())}.")
        for entry in left:
            print(f"  {entry.delivery.id}: {entry.delivery.last_error}")
    return 0


def _deliver(
    settings: Settings, mailbox: Mailbox, password: str | None, events: EventLog, *, force: bool
) -> MailTally:
    return deliver_due(
        mailbox,
        settings.smtp,
        password,
        settings.retry,
        events,
        Pauses(),
        time.time,
        force=force,
    )


def _tally_text(tally: MailTally, layout: Layout) -> str:
    return (
        f"{tally.sent} đã gửi, {tally.waiting} chờ gửi lại, {tally.failed} không gửi được "
        f"(xem {layout.mail_failed.name}/)."
    )


def _busy(lock: DropFolderLock, settings: Settings, what: str) -> str:
    holder = lock.holder()
    who = f"tiến trình số {holder}" if holder else "một tiến trình khác"
    return (
        f"Thư mục nhận {settings.root} đang được {who} xử lý (thường là dịch vụ watch), nên "
        f"lệnh này không tự gửi: tiến trình đó sẽ {what}, chậm nhất sau "
        f"{_seconds(settings.watch.poll_seconds)} giây ([watch] poll_seconds). Nếu đó là một lệnh "
        "inbox đang chạy, chạy lại lệnh này khi nó xong. Xem kết quả: "
        f"{_command(settings, 'list')}"
    )


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")
