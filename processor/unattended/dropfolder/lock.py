"""The lock that keeps a drop folder to one process, on POSIX and on Windows.

flock on POSIX, msvcrt.locking (one byte) on Windows; the OS drops either when the process
ends. The branches test `sys.platform`, which mypy understands: each is type-checked for its
own platform, and the other is skipped rather than silenced.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from processor.core.problems import InputError, Problem

if sys.platform == "win32":  # pragma: no cover - exercised on Windows servers, not in this CI
    import msvcrt

    _OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_BINARY  # no CRLF translation of the pid

    def _lock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)

    def _unlock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    _OPEN_FLAGS = os.O_RDWR | os.O_CREAT

    def _lock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


class DropFolderLock:
    """One process per drop folder: an OS lock on a file in the root.

    The OS drops the lock when the process ends, however it ends (even SIGKILL), so there is
    never a stale lock to clean up. The file itself stays; only the lock matters.
    """

    def __init__(self, path: Path):
        self.path = path
        self._handle: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, _OPEN_FLAGS, 0o644)
        try:
            _lock(handle)
        except OSError:
            os.close(handle)
            return False
        os.lseek(handle, 0, os.SEEK_SET)
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        self._handle = handle
        return True

    def holder(self) -> str | None:
        """The holding process's id, if it can be read (Windows hides a locked byte)."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if text.isdigit() else None

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            os.close(self._handle)
            self._handle = None

    def __enter__(self) -> DropFolderLock:
        if not self.acquire():
            holder = self.holder()
            who = f" (tiến trình số {holder})" if holder else ""
            raise InputError(
                f"Thư mục nhận {self.path.parent} đang được một tiến trình khác xử lý{who}; "
                "lần chạy này dừng, không làm gì.",
                [
                    Problem(
                        str(self.path),
                        "Mỗi thư mục nhận chỉ có một tiến trình xử lý tại một lúc (lệnh watch "
                        "đang chạy như dịch vụ, hoặc một lệnh inbox khác chưa xong). Đợi tiến "
                        "trình kia kết thúc, hoặc dừng dịch vụ, rồi chạy lại.",
                    )
                ],
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
