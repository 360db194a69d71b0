"""A message sent again (`mail resend`): the same message, with a Resent-* block on top.

RFC 5322 §3.6.6: a message reintroduced by its sender keeps every header it had (From, To,
Date, Subject and its Message-ID: it is the same message, and mail clients that already have
it may show it once) and gains, at the very top, one block saying who sent it again, when, to
whom, under which Resent-Message-ID. A message resent twice carries two blocks, newest first.

The resend is a new outbox entry, `<id>.gui-lai-<n>`, so the original stays where it is (sent/
or mail-failed/) as the record of what happened, and the new one goes through the same outbox
guarantees (written whole before sending, each recipient at most once).
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.utils import format_datetime

from processor.config.settings import address_of
from processor.unattended.mail.letters import message_id
from processor.unattended.mail.state import Delivery

RESEND_MARK = ".gui-lai-"
_POLICY = email.policy.SMTP


def original_id(entry_id: str) -> str:
    """The entry a chain of resends started from: `x.gui-lai-2` -> `x`."""
    return entry_id.partition(RESEND_MARK)[0]


def resend_id(entry_id: str, known: Iterable[str]) -> str:
    """The next free `<original>.gui-lai-<n>` (n counts every resend of that message)."""
    base = original_id(entry_id)
    numbers = [0]
    for other in known:
        head, mark, tail = other.partition(RESEND_MARK)
        if head == base and mark and tail.isdigit():
            numbers.append(int(tail))
    return f"{base}{RESEND_MARK}{max(numbers) + 1}"


def resent_block(
    *, sender: str, to: Sequence[str], resent_message_id: str, moment: datetime
) -> bytes:
    """The Resent-* header lines (7-bit, CRLF), in the order RFC 5322 shows them.

    Addresses are encoded and folded by the email package; the date and the id are ASCII and
    written on one line each (a folded msg-id reads back with a leading space in some parsers).
    """
    addresses = [("Resent-From", sender), ("Resent-To", ", ".join(to))]
    folded = b"".join(
        _POLICY.fold_binary(name, _POLICY.header_factory(name, value)) for name, value in addresses
    )
    date = f"Resent-Date: {format_datetime(moment)}\r\n".encode("ascii")
    ident = f"Resent-Message-ID: {resent_message_id}\r\n".encode("ascii")
    return date + folded + ident


def resent_message(
    raw: bytes, *, sender: str, to: Sequence[str], resent_message_id: str, moment: datetime
) -> bytes:
    """The stored message, unchanged below a new Resent-* block."""
    block = resent_block(sender=sender, to=to, resent_message_id=resent_message_id, moment=moment)
    return block + raw


def resend_delivery(
    source: Delivery, new_id: str, sender: str, recipients: Sequence[str], created: float
) -> Delivery:
    """The new entry's state: nobody has it yet, due at once, pointing back to its source."""
    return Delivery(
        id=new_id,
        kind=source.kind,
        subject=source.subject,
        sender=address_of(sender),
        recipients=tuple(dict.fromkeys(address_of(r) for r in recipients)),
        created=created,
        resend_of=source.id,
    )


def prepare_resend(
    source: Delivery,
    raw: bytes,
    known: Iterable[str],
    *,
    sender: str,
    to: Sequence[str],
    moment: datetime,
) -> tuple[Delivery, bytes]:
    """The new entry and its bytes, ready for Mailbox.enqueue."""
    new_id = resend_id(source.id, known)
    resent = resent_message(
        raw,
        sender=sender,
        to=to,
        resent_message_id=message_id(new_id, sender),
        moment=moment,
    )
    return resend_delivery(source, new_id, sender, to, moment.timestamp()), resent
