"""The `watch` service loop: wake on file-system events, and scan anyway on a timer.

watchdog's native observer (inotify, ReadDirectoryChangesW, FSEvents) wakes the loop as soon as
something changes in the inbox. Events are only a hint: they arrive before a copy ends, may
come twice, never come for changes made by another machine on a network share, and are lost
while the service is down. So every pass scans the folder itself: at start (nothing dropped
while the service was stopped is missed), after each event, and every `poll_seconds` at least.
With `polling = true` (or when the native observer cannot start) watchdog's PollingObserver
is used instead.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler


class _Wake(FileSystemEventHandler):
    """Any event in the folder just wakes the loop; the scan decides what is ready."""

    def __init__(self, wake: threading.Event):
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.wake.set()


def start_observer(
    folder: Path, wake: threading.Event, *, polling: bool, interval: float
) -> tuple[Any, str]:
    """A started observer of `folder` and its kind: "native" or "polling" (the fallback)."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    handler = _Wake(wake)
    if not polling:
        observer = Observer()
        try:
            observer.schedule(handler, str(folder), recursive=False)
            observer.start()
            return observer, "native"
        except OSError:  # e.g. the inotify watch limit is reached
            pass
    observer = PollingObserver(timeout=interval)
    observer.schedule(handler, str(folder), recursive=False)
    observer.start()
    return observer, "polling"


def stop_on_signals(stop: threading.Event, wake: threading.Event) -> None:
    """SIGTERM (systemd stop), SIGINT (Ctrl+C) and SIGBREAK (Windows) end the loop cleanly."""

    def handler(signum: int, frame: object) -> None:
        stop.set()
        wake.set()

    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, handler)


def run_loop(
    tick: Callable[[], float | None],
    stop: threading.Event,
    wake: threading.Event,
    poll_seconds: float,
) -> None:
    """Call `tick` until stopped; it returns how soon it wants to run again (None: no hurry)."""
    while not stop.is_set():
        wake.clear()  # before the pass: an event during the pass wakes the next one
        wanted = tick()
        if stop.is_set():
            break
        timeout = poll_seconds if wanted is None else min(poll_seconds, max(wanted, 0.05))
        wake.wait(timeout)
