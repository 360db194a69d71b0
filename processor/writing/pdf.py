"""The decision as PDF, made by LibreOffice when it is installed; its absence is no failure.

LibreOffice runs headless with a throw-away profile of its own (`-env:UserInstallation`) in a
private temporary folder, so it neither touches the profile of someone using LibreOffice on the
same machine nor waits for their open window, and two conversions never share a profile. It
gets a process group of its own and a time limit: `soffice` starts `soffice.bin`, and a hung
conversion is killed whole. The PDF is checked and then written with write_atomic, so a reader
never sees half of one. Every failure is one Vietnamese sentence; nothing is written then.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from processor.core.messages import with_detail
from processor.writing.files import refusal_sentence, write_atomic

PROGRAMS = ("soffice", "libreoffice")
# Where the Windows installer puts it; it does not add itself to PATH.
WINDOWS_FOLDERS = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
DEFAULT_TIMEOUT = 180.0
_SOURCE = "quyet-dinh.docx"  # the copy converted: a plain name whatever the decision is called
_TAIL = 400  # characters of LibreOffice's own output kept in a warning
_NOT_MADE = "Chưa lập được bản PDF của quyết định"
_DOCX_IS_FINE = "tệp .docx của quyết định vẫn đầy đủ, có thể mở bằng Word và tự lưu ra PDF"


def pdf_name(docx_name: str) -> str:
    """`quyet-dinh-2020.docx` -> `quyet-dinh-2020.pdf`."""
    stem = docx_name[:-5] if docx_name.lower().endswith(".docx") else docx_name
    return stem + ".pdf"


def find_libreoffice() -> str | None:
    """The LibreOffice program: on PATH, or where the Windows installer puts it."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    if os.name == "nt":
        for variable in WINDOWS_FOLDERS:
            base = os.environ.get(variable)
            candidate = Path(base, "LibreOffice", "program", "soffice.exe") if base else None
            if candidate is not None and candidate.is_file():
                return str(candidate)
    return None


def convert_to_pdf(docx: Path, target: Path, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Write `target`, the PDF of `docx`; None when done, else why not (nothing written)."""
    program = find_libreoffice()
    if program is None:
        return (
            f"{_NOT_MADE}: máy này chưa cài LibreOffice (không thấy lệnh soffice). Cài "
            f"LibreOffice (trên Debian/Ubuntu: gói libreoffice-writer-nogui) nếu cần bản PDF; "
            f"{_DOCX_IS_FINE}."
        )
    # A killed LibreOffice on Windows may still hold a file there a moment: never raise for that.
    with tempfile.TemporaryDirectory(prefix="xep-hang-pdf-", ignore_cleanup_errors=True) as work:
        folder = Path(work)
        source = folder / _SOURCE
        try:
            shutil.copyfile(docx, source)
        except OSError as exc:
            return with_detail(f"{_NOT_MADE}: không đọc được {docx}.", exc)
        made = folder / "pdf" / pdf_name(_SOURCE)
        made.parent.mkdir()
        problem = _run(program, source, made.parent, folder, timeout)
        if problem is not None:
            return problem
        try:
            data = made.read_bytes()
        except OSError:
            data = b""
        if not data.startswith(b"%PDF-"):
            return f"{_NOT_MADE}: LibreOffice chạy xong mà không có tệp PDF; {_DOCX_IS_FINE}."
        try:
            write_atomic(target, data)
        except OSError as exc:
            return f"{_NOT_MADE}. " + refusal_sentence(exc, target)
    return None


def _run(program: str, source: Path, outdir: Path, work: Path, timeout: float) -> str | None:
    """Run one headless conversion; None when it ended well, else the sentence to print."""
    profile = work / "ho-so-libreoffice"
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        str(source),
    ]
    log = work / "libreoffice.log"
    try:
        with log.open("wb") as output:  # a file, not a pipe: a stray child cannot block us
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=work,
                env={**os.environ, "HOME": str(work)},  # nothing of the user's home is touched
                start_new_session=os.name != "nt",  # POSIX: a process group of its own
                creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),  # Windows
            )
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                seconds = f"{timeout:g}".replace(".", ",")
                return (
                    f"{_NOT_MADE}: LibreOffice chưa chuyển xong sau {seconds} giây nên đã bị "
                    f"dừng (máy đang bận, hoặc LibreOffice bị treo); {_DOCX_IS_FINE}."
                )
    except OSError as exc:
        return with_detail(f"{_NOT_MADE}: không chạy được LibreOffice ({program}).", exc)
    if code != 0:
        return with_detail(
            f"{_NOT_MADE}: LibreOffice báo lỗi (mã thoát {code}); {_DOCX_IS_FINE}",
            _tail(log) or "(LibreOffice không in gì)",
        )
    return None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the program and everything it started, then reap it."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):  # already gone
        if os.name == "nt":
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                capture_output=True,
                timeout=30,
                check=False,
            )
        else:
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)


def _tail(log: Path) -> str:
    """The end of what LibreOffice printed, without its harmless Java notice."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line for line in text.splitlines() if line.strip() and "javaldx" not in line]
    return " ".join(lines)[-_TAIL:]
