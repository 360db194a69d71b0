"""Writing outputs so that a reader never sees half a file."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TypeAlias

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


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    An interrupted run leaves the previous file or none, never a broken one: the rename is
    atomic within one filesystem, and the data is flushed to disk before it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
        raise FileExistsError(f"{target} đã có")
    os.rename(source, target)
    sync_folder(target.parent)
