"""The outbox on disk: one folder per message, holding its bytes and its delivery state.

    outbox/<id>/message.eml, state.json     waiting (or being sent)
    sent/<id>/                              every recipient accepted it
    mail-failed/<id>/ ... bao-cao.txt       someone could not be reached; the report says who

    outbox/.gui-ngay                        `mail send-now` asked the running service to
                                            send everything now, once (SEND_NOW_FILE)

An entry is written whole in a hidden staging folder and renamed into place, so a killed run
leaves either a complete entry or a staging folder that is never sent and is cleared next time.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from processor.unattended.mail.state import Delivery, Status, failure_report, status
from processor.writing.files import rename_new, sync_folder, write_atomic

MESSAGE_FILE = "message.eml"
STATE_FILE = "state.json"
REPORT_FILE = "bao-cao.txt"
SEND_NOW_FILE = ".gui-ngay"
_STAGING_PREFIX = ".tmp-"

OUTBOX, SENT, MAIL_FAILED = "outbox", "sent", "mail-failed"  # MailEntry.place


@dataclass(frozen=True, slots=True)
class MailEntry:
    """One message wherever it is: its place, its delivery state and its folder."""

    place: str  # OUTBOX, SENT or MAIL_FAILED
    delivery: Delivery
    folder: Path

    @property
    def message_file(self) -> Path:
        return self.folder / MESSAGE_FILE

    @property
    def report_file(self) -> Path | None:
        report = self.folder / REPORT_FILE
        return report if self.place == MAIL_FAILED and report.is_file() else None


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

    def entries(self) -> list[MailEntry]:
        """Every message in outbox/, sent/ and mail-failed/, oldest first.

        A folder without a readable state.json (a staging folder, a hand-made copy) is not an
        entry. Should an entry be moved while it is read, it is listed once, where it went.
        """
        found: dict[str, MailEntry] = {}
        for place, box in ((OUTBOX, self.outbox), (SENT, self.sent), (MAIL_FAILED, self.failed)):
            for folder in sorted(box.iterdir()) if box.is_dir() else []:
                delivery = _read_state(folder)
                if delivery is not None:
                    found[delivery.id] = MailEntry(place, delivery, folder)
        return sorted(found.values(), key=lambda e: (e.delivery.created, e.delivery.id))

    def names(self) -> set[str]:
        """Every folder name taken in the three folders: an id is new only if it is not here."""
        return {
            path.name
            for box in self.folders()
            if box.is_dir()
            for path in box.iterdir()
            if path.is_dir()
        }

    def find(self, entry_id: str) -> MailEntry | None:
        for entry in self.entries():
            if entry.delivery.id == entry_id:
                return entry
        return None

    def request_send_now(self, note: str) -> Path:
        """Ask whichever process holds the drop folder to send everything waiting, once."""
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / SEND_NOW_FILE
        write_atomic(target, (note.rstrip("\n") + "\n").encode("utf-8"))
        return target

    def send_now_requested(self) -> bool:
        return (self.outbox / SEND_NOW_FILE).is_file()

    def take_send_now(self) -> bool:
        """True once per request: the request is removed as it is taken."""
        try:
            (self.outbox / SEND_NOW_FILE).unlink()
        except FileNotFoundError:
            return False
        return True

    def message(self, entry_id: str) -> bytes:
        return (self.outbox / entry_id / MESSAGE_FILE).read_bytes()

    def save(self, delivery: Delivery) -> None:
        write_atomic(self.outbox / delivery.id / STATE_FILE, delivery.to_json().encode("utf-8"))

    def conclude(self, delivery: Delivery) -> Status:
        """Move a finished entry to sent/ or (with its report) to mail-failed/."""
        state = status(delivery)
        if state is Status.SENT:
            self.sent.mkdir(parents=True, exist_ok=True)
            rename_new(self.outbox / delivery.id, self.sent / delivery.id)
        elif state is Status.FAILED:
            report = failure_report(delivery).encode("utf-8")
            write_atomic(self.outbox / delivery.id / REPORT_FILE, report)
            self.failed.mkdir(parents=True, exist_ok=True)
            rename_new(self.outbox / delivery.id, self.failed / delivery.id)
        sync_folder(self.outbox)
        return state


def _read_state(folder: Path) -> Delivery | None:
    if folder.name.startswith(".") or not (folder / STATE_FILE).is_file():
        return None
    try:
        return Delivery.from_json((folder / STATE_FILE).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return None
