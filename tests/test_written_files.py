"""Files the tool writes get the mode a normal save would give them, not mkstemp's 0600.

An answers folder shared over Samba, or an output folder read by the office's account, must be
able to read what the service account wrote.
"""

from __future__ import annotations

import os
import stat
import sys

import pytest

from processor.writing.files import write_atomic


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_an_atomic_write_has_the_mode_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.docx", b"data")
        os.umask(0o002)
        write_atomic(tmp_path / "b.docx", b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.docx").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.docx").stat().st_mode) == 0o664
    assert (tmp_path / "a.docx").read_bytes() == b"data"
