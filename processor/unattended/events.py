"""What happened, one line per event: a log file in the drop folder, and the console.

The log is for people and for grep: `thời điểm | việc | tệp hoặc thư | chi tiết`, UTF-8, one
event per line, appended and flushed as it happens so a killed process loses at most the line
it was writing. Event names are Vietnamese words an operator can search for.

The same line goes to standard output when that is not a terminal: under systemd the journal
shows it (`journalctl -u xep-hang-cntt-theo-doi`), under cron it is mailed with the summary.
In a terminal the lines are shown on standard error, as a person watching expects, and
standard output keeps only the command's own answer.

The test-only pause hook lives here too: named points of a run where a test can freeze the
process (environment variable XEP_HANG_CNTT_TEST_PAUSE) and kill it, to prove that no moment
of a run can lose a workbook or half-write a file. It must never be set on a server.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TextIO

LOG_NAME = "nhat-ky.log"
PAUSE_ENV = "XEP_HANG_CNTT_TEST_PAUSE"

# Every point where a test may freeze a run, in the order a run passes them.
PAUSE_POINTS = {
    "received": "a workbook was moved into processing/",
    "rendered": "the decision is written to the output folder; no email queued yet",
    "queued": "the email is in the outbox; the ledger does not know the workbook yet",
    "recorded": "the ledger knows the workbook; it is still in processing/",
    "reported": "a refused workbook's report is written; the workbook is still in processing/",
    "answered": "the answer (and a refusal's email) is written; the ledger does not know it yet",
    "filed": "a workbook was moved to done/ or failed/",
    "reminded": "the January reminder is in the outbox",
    "connected": "the mail server connection is open; nothing sent yet",
    "accepted": "the server accepted a message; delivery state not yet recorded (resend window)",
    "noted": "the delivery state is recorded; the entry is still in outbox/",
}


class Event(Enum):
    """The kinds of line in the log; the value is the word written."""

    STARTED = "bắt đầu"
    RESUMED = "tiếp tục"
    RECEIVED = "nhận"
    VALIDATED = "kiểm tra"
    RENDERED = "lập quyết định"
    FILED = "xong"
    QUEUED = "xếp thư"
    EMAILED = "gửi thư"
    RETRY = "gửi lại sau"
    FAILED = "lỗi"
    DUPLICATE = "trùng"
    ANSWERED = "trả lời"
    REMINDER = "nhắc việc"
    STOPPED = "dừng"


def clean(text: str) -> str:
    """One line, no field separator inside a field: the log stays one event per line."""
    return " ".join(str(text).replace("|", "/").split())


def format_line(when: datetime, event: Event, subject: str, details: str = "") -> str:
    """`2026-01-05 08:00:01 | nhận | bang-diem.xlsx | sha256=ab12…`."""
    fields = [when.strftime("%Y-%m-%d %H:%M:%S"), event.value, clean(subject) or "-"]
    if details:
        fields.append(clean(details))
    return " | ".join(fields)


class EventLog:
    """Appends event lines to the log file, and echoes them to the console (see the top).

    `terminal` is where a person watches (standard error by default; echoed only if it is a
    terminal); `output` is standard output, echoed to when it is not a terminal (a service's
    journal). `echo=False` writes the log file only (a command whose standard output is data).
    """

    def __init__(
        self,
        path: Path,
        terminal: TextIO | None = None,
        clock: Callable[[], datetime] = datetime.now,
        *,
        output: TextIO | None = None,
        echo: bool = True,
    ):
        self.path = path
        self.clock = clock
        self.terminal = _echo_stream(terminal, output) if echo else None
        self.counts: Counter[Event] = Counter()

    def record(self, event: Event, subject: str, details: str = "") -> str:
        line = format_line(self.clock(), event, subject, details)
        self.counts[event] += 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8", newline="\n") as stream:
            stream.write(line + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        if self.terminal is not None:
            print(line, file=self.terminal, flush=True)
        return line


def _echo_stream(terminal: TextIO | None, output: TextIO | None) -> TextIO | None:
    """Standard output when it is not a terminal (a journal, a pipe); else the terminal if any."""
    output = sys.stdout if output is None else output
    if output is not None and not _is_terminal(output):
        return output
    terminal = sys.stderr if terminal is None else terminal
    return terminal if terminal is not None and _is_terminal(terminal) else None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Pauses:
    """Test-only: freeze at the n-th pass through a named point (`rendered`, `accepted#2`)."""

    def __init__(self, spec: str | None = None, seconds: float = 3600.0):
        spec = os.environ.get(PAUSE_ENV, "") if spec is None else spec
        name, _, nth = spec.partition("#")
        self.name = name.strip()
        self.nth = int(nth) if nth.strip().isdigit() else 1
        self.seconds = seconds
        self.hits: Counter[str] = Counter()

    def point(self, name: str) -> None:
        assert name in PAUSE_POINTS, name
        if not self.name:
            return
        self.hits[name] += 1
        if name == self.name and self.hits[name] == self.nth:
            print(f"PAUSE {name}#{self.nth}", file=sys.stderr, flush=True)
            time.sleep(self.seconds)
