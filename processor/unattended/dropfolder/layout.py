"""The names of the folders and files under one drop-folder root, in one place.

The answers folder is the one that may live elsewhere ([folders] answers); by default it is
root/tra-loi, beside inbox/, so both can be shared under one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processor.unattended.events import LOG_NAME

INBOX = "inbox"
PROCESSING = "processing"
DONE = "done"
FAILED = "failed"
LEDGER = "ledger"
OUTBOX = "outbox"
SENT = "sent"
MAIL_FAILED = "mail-failed"
ANSWERS = "tra-loi"
LOCK_NAME = ".xep-hang-cntt.lock"


@dataclass(frozen=True, slots=True)
class Layout:
    """The folders under one drop-folder root, and the answers folder."""

    root: Path
    answers_folder: Path | None = None  # None: root/tra-loi

    @property
    def answers(self) -> Path:
        return self.answers_folder or self.root / ANSWERS

    @property
    def inbox(self) -> Path:
        return self.root / INBOX

    @property
    def processing(self) -> Path:
        return self.root / PROCESSING

    @property
    def done(self) -> Path:
        return self.root / DONE

    @property
    def failed(self) -> Path:
        return self.root / FAILED

    @property
    def ledger(self) -> Path:
        return self.root / LEDGER

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    @property
    def sent(self) -> Path:
        return self.root / SENT

    @property
    def mail_failed(self) -> Path:
        return self.root / MAIL_FAILED

    @property
    def log(self) -> Path:
        return self.root / LOG_NAME

    @property
    def lock(self) -> Path:
        return self.root / LOCK_NAME

    def folders(self) -> tuple[Path, ...]:
        return (
            self.inbox,
            self.processing,
            self.done,
            self.failed,
            self.ledger,
            self.outbox,
            self.sent,
            self.mail_failed,
            self.answers,
        )

    def create(self) -> None:
        for folder in self.folders():
            folder.mkdir(parents=True, exist_ok=True)
