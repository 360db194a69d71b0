"""One pass over the outbox: send what is due over one connection, and record every answer.

Each answer is saved to the entry's state (state.json) as soon as it comes and before the next
message is sent, so a killed pass resends at most the one message the server had just accepted
(the `accepted` pause point), with the same bytes and Message-ID. The pass never raises for a
mail problem: whatever fails waits in the outbox for a later pass, or goes to mail-failed/.

The back-off is ignored once, for everything waiting, when the pass is told to (`force`, as
`mail send-now` does when it holds the drop folder) or when it finds the request file that
`mail send-now` leaves for a running service (outbox/.gui-ngay): the pass takes the request
(removes it) before it sends, so each request is honoured by exactly one pass.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from processor.config.settings import RetrySettings, SmtpSettings
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mail.outbox import REPORT_FILE, SEND_NOW_FILE, Mailbox
from processor.unattended.mail.smtp import connect, describe_error
from processor.unattended.mail.state import (
    Attempt,
    Delivery,
    Status,
    after_attempt,
    answer_text,
    attempt_for_all,
    attempt_from_answers,
    is_due,
    is_permanent,
    remaining,
    status,
)

# The log line of a send-now request taken by a pass.
SEND_NOW_EVENT = Event.STARTED


@dataclass
class MailTally:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def deliver_due(
    mailbox: Mailbox,
    smtp: SmtpSettings,
    password: str | None,
    retry: RetrySettings,
    events: EventLog,
    pauses: Pauses,
    clock: Callable[[], float],
    opener: Callable[[SmtpSettings, str | None], smtplib.SMTP] = connect,
    force: bool = False,
) -> MailTally:
    """One pass over the outbox: send what is due over one connection, record every answer.

    `force` (or a send-now request found in the outbox) sends every waiting entry now.
    """
    tally = MailTally()
    asked = mailbox.take_send_now()
    entries = mailbox.pending()
    for delivery in entries:  # finished before a crash moved it: only move it now
        if status(delivery) is not Status.PENDING:
            _conclude(mailbox, delivery, events, tally)
    now = clock()
    waiting = [d for d in entries if status(d) is Status.PENDING]
    due = waiting if force or asked else [d for d in waiting if is_due(d, now)]
    tally.waiting += len(waiting) - len(due)
    if asked:
        events.record(
            SEND_NOW_EVENT,
            SEND_NOW_FILE,
            f"yêu cầu gửi ngay của lệnh mail send-now: gửi {len(due)} thư đang chờ, "
            "bỏ qua thời gian chờ gửi lại một lần",
        )
    if not due:
        return tally
    try:
        connection = opener(smtp, password)
    except Exception as exc:  # whatever it is, the messages wait in the outbox for a later pass
        reason = describe_error(exc, smtp)
        for delivery in due:
            attempt = attempt_for_all(remaining(delivery), reason, permanent=False)
            _record(mailbox, delivery, attempt, retry, events, pauses, tally, clock())
        return tally
    pauses.point("connected")
    try:
        for index, delivery in enumerate(due):
            targets = remaining(delivery)
            broken = False
            try:
                refused = connection.sendmail(
                    delivery.sender, list(targets), mailbox.message(delivery.id)
                )
                attempt = attempt_from_answers(targets, refused)
            except smtplib.SMTPRecipientsRefused as exc:
                attempt = attempt_from_answers(targets, exc.recipients)
            except smtplib.SMTPResponseException as exc:
                answer = answer_text(exc.smtp_code, exc.smtp_error)
                attempt = attempt_for_all(targets, answer, permanent=is_permanent(exc.smtp_code))
                broken = exc.smtp_code == 421
            except (OSError, smtplib.SMTPException) as exc:
                attempt = attempt_for_all(targets, describe_error(exc, smtp), permanent=False)
                broken = True
            if attempt.accepted:
                pauses.point("accepted")  # the server has it; the record is not written yet
            _record(mailbox, delivery, attempt, retry, events, pauses, tally, clock())
            if broken:
                tally.waiting += len(due) - index - 1
                break
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return tally


def _record(
    mailbox: Mailbox,
    delivery: Delivery,
    attempt: Attempt,
    retry: RetrySettings,
    events: EventLog,
    pauses: Pauses,
    tally: MailTally,
    now: float,
) -> None:
    updated = after_attempt(delivery, attempt, now, retry)
    mailbox.save(updated)
    if attempt.accepted:
        pauses.point("noted")
        events.record(Event.EMAILED, delivery.id, f"đến: {', '.join(attempt.accepted)}")
    for address, answer in attempt.permanent.items():
        events.record(Event.FAILED, delivery.id, f"{address}: {answer}")
    if status(updated) is Status.PENDING:
        when = datetime.fromtimestamp(updated.next_attempt).strftime("%Y-%m-%d %H:%M:%S")
        events.record(
            Event.RETRY,
            delivery.id,
            f"lúc {when}; còn {len(remaining(updated))} người nhận; {updated.last_error}",
        )
    _conclude(mailbox, updated, events, tally)


def _conclude(mailbox: Mailbox, delivery: Delivery, events: EventLog, tally: MailTally) -> None:
    state = mailbox.conclude(delivery)
    if state is Status.SENT:
        tally.sent += 1
    elif state is Status.FAILED:
        tally.failed += 1
        gave_up = [a for a, e in delivery.rejected.items() if e.startswith("bỏ cuộc")]
        for address in gave_up:
            events.record(Event.FAILED, delivery.id, f"{address}: {delivery.rejected[address]}")
        events.record(
            Event.FAILED,
            delivery.id,
            f"thư không đến được {len(delivery.rejected)} người nhận; xem "
            f"{mailbox.failed.name}/{delivery.id}/{REPORT_FILE}",
        )
    else:
        tally.waiting += 1
