"""Which earlier decision letter a new one replaces: the latest one queued for the same year.

A corrected workbook for a year already sent makes a second decision; the office must know
which draft to register. Every decision entry of a year starts with `quyet-dinh-<year>-`
(notices.decision_entry_id) and stays in outbox/, sent/ or mail-failed/, so the outbox itself
says what went before; the ledger adds which workbook it came from. A `mail resend` copy is
the same letter again and replaces nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.ledger import ledger_by_prefix
from processor.unattended.mail.outbox import MAIL_FAILED, SENT, STATE_FILE, Mailbox, MailEntry
from processor.unattended.mail.resending import original_id
from processor.unattended.notices import DECISION_KIND, Replaced, decision_prefix


def replaced_decision(
    mailbox: Mailbox, layout: Layout, year: int, entry_id: str
) -> Replaced | None:
    """The decision letter of `year` queued last before `entry_id` (None: it is the first)."""
    prefix = decision_prefix(year)
    last = last_before(mailbox, DECISION_KIND, prefix, entry_id)
    if last is None:
        return None
    source = ledger_by_prefix(layout, last.delivery.id.removeprefix(prefix))
    received = None
    workbook = ""
    if source is not None:
        workbook = source.source.partition("/")[2]
        try:
            received = datetime.fromisoformat(source.received)
        except ValueError:
            received = None
    return Replaced(
        entry_id=last.delivery.id,
        subject=last.delivery.subject,
        moment=entry_moment(last),
        sent=last.place == SENT,
        failed=last.place == MAIL_FAILED,
        workbook=workbook,
        received=received,
    )


def last_before(mailbox: Mailbox, kind: str, prefix: str, entry_id: str) -> MailEntry | None:
    """The letter of `kind` whose id starts with `prefix` queued last before `entry_id`.

    A `mail resend` copy is the same letter again and does not count; when `entry_id` is not
    queued yet, every such letter is earlier.
    """
    entries = [
        entry
        for entry in mailbox.entries()
        if entry.delivery.kind == kind and entry.delivery.id.startswith(prefix)
    ]
    own = next((e for e in entries if e.delivery.id == entry_id), None)
    earlier = [
        entry
        for entry in entries
        if entry.delivery.id != entry_id
        and not entry.delivery.resend_of
        and (own is None or entry.delivery.created < own.delivery.created)
    ]
    if not earlier:
        return None
    return max(earlier, key=lambda entry: (entry.delivery.created, entry.delivery.id))


def entry_moment(entry: MailEntry) -> datetime:
    """When it was sent: its state was last written as the last recipient accepted it.

    Not sent yet (or not to everyone): when it was queued.
    """
    if entry.place == SENT:
        try:
            return datetime.fromtimestamp((entry.folder / STATE_FILE).stat().st_mtime)
        except OSError:
            pass
    return datetime.fromtimestamp(entry.delivery.created)


def superseded(entries: Sequence[MailEntry]) -> dict[str, str]:
    """Letter id -> the id of the latest letter that replaced it.

    Decision letters: the latest of each year replaces every earlier one. Scorecard letters
    (scorecard_notices): the latest to the same agency for the same year replaces the earlier
    ones. Resent copies (`mail resend`) count as their original: a copy of a replaced letter
    is replaced too.
    """
    from processor.unattended.scorecard_notices import SCORECARD_KIND

    series: dict[str, list[MailEntry]] = {}
    for entry in entries:
        kind, ident = entry.delivery.kind, original_id(entry.delivery.id)
        if kind == DECISION_KIND:
            year = ident.removeprefix(f"{DECISION_KIND}-").partition("-")[0]
            key = f"{DECISION_KIND}-{year}"
        elif kind == SCORECARD_KIND:
            key = ident.rpartition("-")[0]  # phieu-ket-qua-<year>-<agency digest>
        else:
            continue
        series.setdefault(key, []).append(entry)
    replaced: dict[str, str] = {}
    for same in series.values():
        originals = [e for e in same if not e.delivery.resend_of]
        if len(originals) < 2:
            continue
        latest = max(originals, key=lambda e: (e.delivery.created, e.delivery.id))
        for entry in same:
            source = entry.delivery.resend_of or entry.delivery.id
            if source != latest.delivery.id:
                replaced[entry.delivery.id] = latest.delivery.id
    return replaced
