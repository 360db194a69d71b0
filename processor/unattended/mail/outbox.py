"""The outbox on disk: one folder per message, holding its bytes and its delivery state.

    outbox/<id>/message.eml, state.json     waiting (or being sent)
    sent/<id>/                              every recipient accepted it
    mail-failed/<id>/ ... bao-cao.txt       someone could not be reached; the report says who

An entry is written whole in a hidden staging folder and renamed into place, so a killed run
leaves either a complete entry or a staging folder that is never sent and is cleared next time.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from processor.unattended.mail.state import Delivery, Status, failure_report, status
from processor.writing.files import rename_new, sync_folder, write_atomic

MESSAGE_FILE = "message.eml"
STATE_FILE = "state.json"
REPORT_FILE = "bao-cao.txt"
_STAGING_PREFIX = ".tmp-"


@dataclass(frozen=True, slots=True)
class Mailbox:
    outbox: Path
    sent: Path
    failed: Path

    def folders(self) -> tuple[Path, Path, Path]:
        return (self.outbox, self.sent, self.failed)

    def has(self, entry_id: str) -> bool:
        """Known in any state: a message is queued once, however often its cause recurs."""
        return any((folder / entry_id).is_dir() for folder in self.folders())

    def enqueue(self, delivery: Delivery, raw: bytes) -> bool:
        """Write the entry whole (a folder renamed into place); False if it already exists."""
        if self.has(delivery.id):
            return False
        staging = self.outbox / f"{_STAGING_PREFIX}{delivery.id}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        write_atomic(staging / MESSAGE_FILE, raw)
        write_atomic(staging / STATE_FILE, delivery.to_json().encode("utf-8"))
        rename_new(staging, self.outbox / delivery.id)
        return True

    def discard_staging(self) -> None:
        """Half-made entries a killed run left (never sent: they were not in place yet)."""
        if not self.outbox.is_dir():
            return
        for path in self.outbox.iterdir():
            if path.is_dir() and path.name.startswith(_STAGING_PREFIX):
                shutil.rmtree(path)

    def pending(self) -> list[Delivery]:
        """Every entry in the outbox, oldest first."""
        found = []
        for folder in sorted(self.outbox.iterdir()) if self.outbox.is_dir() else []:
            if folder.name.startswith(".") or not (folder / STATE_FILE).is_file():
                continue
            found.append(Delivery.from_json((folder / STATE_FILE).read_text("utf-8")))
        return sorted(found, key=lambda d: (d.created, d.id))

    def message(self, entry_id: str) -> bytes:
        return (self.outbox / entry_id / MESSAGE_FILE).read_bytes()

    def save(self, delivery: Delivery) -> None:
        write_atomic(self.outbox / delivery.id / STATE_FILE, delivery.to_json().encode("utf-8"))

    def conclude(self, delivery: Delivery) -> Status:
        """Move a finished entry to sent/ or (with its report) to mail-failed/."""
        state = status(delivery)
        if state is Status.SENT:
            rename_new(self.outbox / delivery.id, self.sent / delivery.id)
        elif state is Status.FAILED:
            report = failure_report(delivery).encode("utf-8")
            write_atomic(self.outbox / delivery.id / REPORT_FILE, report)
            rename_new(self.outbox / delivery.id, self.failed / delivery.id)
        sync_folder(self.outbox)
        return state
