"""Writing outputs so that a reader never sees half a file.

An OSError raised here says what happened in Vietnamese (its `strerror`: "Ổ đĩa đã đầy"), keeps
its class and errno (so `except FileExistsError` still works) and has the original as its
cause; `refusal_sentence` gives the whole sentence, with what to do and the original below.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

from processor.core.messages import os_reason, with_detail

DateTime: TypeAlias = tuple[int, int, int, int, int, int]  # what a zip entry's time holds
ZIP_EPOCH: DateTime = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def canonical_entry(name: str, date_time: DateTime = ZIP_EPOCH) -> zipfile.ZipInfo:
    """A zip entry that carries no clock and no umask: deflated, fixed time, mode 644."""
    entry = zipfile.ZipInfo(name, date_time=date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def canonical_zip(data: bytes, date_time: DateTime = ZIP_EPOCH) -> bytes:
    """The same package with fixed entry times and modes: same content, same bytes.

    Office files are zip packages whose entries carry the clock; without this, every run
    would write a different file for the same workbook.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(canonical_entry(info.filename, date_time), source.read(info.filename))
    return out.getvalue()


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks: what identifies an input workbook (the
    drop folder's ledger, the history). An OSError is left to the caller, who knows why it read."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    An interrupted run leaves the previous file or none, never a broken one: the rename is
    atomic within one filesystem, and the data is flushed to disk before it.
    """
    temporary = _staged(path, data)
    try:
        os.replace(temporary, path)
    except PermissionError as exc:  # Windows: the old file is open in Word
        Path(temporary).unlink(missing_ok=True)
        raise in_vietnamese(exc, path, held_open=path.exists()) from exc
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise in_vietnamese(exc, path) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_all_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Several files that belong together (a report): all are written, or none is replaced.

    Every file is first written in full beside its target; only then are they renamed into
    place, so a full disk or a folder in the way leaves the earlier set as it was.
    """
    for path, _ in files:
        if path.is_dir():
            raise in_vietnamese(IsADirectoryError(errno.EISDIR, "Is a directory"), path)
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_staged(path, data), path))
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    for position, (temporary, path) in enumerate(staged):
        try:
            os.replace(temporary, path)
        except OSError as exc:
            for rest, _ in staged[position:]:
                Path(rest).unlink(missing_ok=True)
            raise in_vietnamese(exc, path, held_open=path.exists()) from exc


def _staged(path: Path, data: bytes) -> str:
    """`data` flushed to disk in a temporary file beside `path`, with the usual file mode."""
    make_folder(path.parent)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise in_vietnamese(exc, path.parent) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            if hasattr(os, "fchmod"):  # mkstemp makes 0600; a shared folder needs the usual mode
                os.fchmod(stream.fileno(), 0o666 & ~_umask())
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise in_vietnamese(exc, path) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _umask() -> int:
    """The process's umask (read by setting it, then put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_folder(folder: Path) -> None:
    """The folder and its parents; a file where a folder should be is named as such."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocking = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder
        )
        raise type(exc)(
            exc.errno or errno.EEXIST,
            f"Đã có một tệp tên {blocking.name} ở chỗ cần một thư mục ({blocking})",
            str(folder),
        ) from exc
    except OSError as exc:
        raise in_vietnamese(exc, folder) from exc


def in_vietnamese(exc: OSError, path: Path, *, held_open: bool = False) -> OSError:
    """The same error (class, errno, path) saying what happened in Vietnamese."""
    reason, _ = os_reason(exc, "ghi")
    if held_open:
        reason = f"tệp cũ đang mở trong một chương trình khác (như Word), hoặc {reason}"
    code = exc.errno if exc.errno is not None else _code_of(exc)
    text = reason[:1].upper() + reason[1:]
    try:
        return type(exc)(code, text, str(path))
    except TypeError:  # a subclass with its own arguments
        return OSError(code, text, str(path))


def refusal_sentence(exc: OSError, path: Path | str) -> str:
    """`Không ghi được …: ổ đĩa đã đầy. Giải phóng chỗ trống …`, then the original below."""
    original = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    reason, hint = os_reason(original, "ghi")
    if original is not exc and exc.strerror:
        reason = exc.strerror[:1].lower() + exc.strerror[1:]
    return with_detail(
        f"Không ghi được {path}: {reason}. {hint}", f"{type(original).__name__}: {original}"
    )


def _code_of(exc: OSError) -> int:
    for kind, code in (
        (FileExistsError, errno.EEXIST),
        (FileNotFoundError, errno.ENOENT),
        (PermissionError, errno.EACCES),
        (IsADirectoryError, errno.EISDIR),
        (NotADirectoryError, errno.ENOTDIR),
    ):
        if isinstance(exc, kind):
            return code
    return errno.EIO


def sync_folder(folder: Path) -> None:
    """Make a rename durable across a power cut (POSIX; Windows cannot open a folder)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def rename_new(source: Path, target: Path) -> None:
    """Rename, refusing to replace anything (POSIX rename would silently overwrite)."""
    if target.exists():
        raise FileExistsError(errno.EEXIST, "Đã có một tệp hoặc thư mục cùng tên", str(target))
    try:
        os.rename(source, target)
    except OSError as exc:
        raise in_vietnamese(exc, target) from exc
    sync_folder(target.parent)
