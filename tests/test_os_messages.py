"""What the operating system says, said in Vietnamese: the path, what happened, what to do.

"File exists", "Permission denied", "No space left on device", "Read-only file system" reach
a secretary as a sentence she can act on; the original follows on a "Chi tiết kỹ thuật" line.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from processor.config.settings import load_settings
from processor.config.toml_files import read_toml
from processor.core.messages import DETAIL, os_error_message, os_reason, sentence, with_detail
from processor.core.problems import InputError
from processor.writing import files
from processor.writing.files import refusal_sentence, rename_new, write_atomic

from conftest import ROOT, SAMPLE

ENGLISH = ("File exists", "Permission denied", "No space", "Read-only", "Errno", "Is a directory")


def vietnamese_part(message: str) -> str:
    return "\n".join(line for line in message.splitlines() if DETAIL not in line)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "ổ đĩa đã đầy"),
        (OSError(errno.EROFS, "Read-only file system"), "chỉ cho đọc"),
        (PermissionError(errno.EACCES, "Permission denied"), "không có quyền ghi"),
        (FileExistsError(errno.EEXIST, "File exists"), "đã có một tệp hoặc thư mục cùng tên"),
        (FileExistsError("x đã có"), "đã có một tệp hoặc thư mục cùng tên"),  # no errno
        (OSError(errno.ESTALE, "Stale file handle"), "mất kết nối đến ổ đĩa mạng"),
        (OSError(9999, "Something odd"), "hệ điều hành báo lỗi khi ghi"),
    ],
)
def test_each_os_error_is_a_vietnamese_sentence_with_what_to_do(exc, words):
    message = os_error_message(exc, "/srv/quyet-dinh/qd.docx")
    first, detail = message.split("\n")
    assert first.startswith("Không ghi được /srv/quyet-dinh/qd.docx: ")
    assert words in first and first.endswith(".") and ".." not in first
    assert not [phrase for phrase in ENGLISH if phrase in first]
    assert detail == f"    {DETAIL}: {type(exc).__name__}: {exc}"


def test_reading_says_read():
    reason, hint = os_reason(PermissionError(errno.EACCES, "Permission denied"), "đọc")
    assert "quyền đọc" in reason and "quyền đọc" in hint


def test_a_sentence_has_one_full_stop():
    assert sentence("Không ghi được /a/b.") == "Không ghi được /a/b."
    assert sentence("Xong..") == "Xong."
    assert sentence("Có phải «tinh»?") == "Có phải «tinh»?"
    assert with_detail("Sai.", "") == "Sai."


def test_a_file_where_the_output_folder_should_be_is_named(tmp_path):
    blocking = tmp_path / "ket-qua"
    blocking.write_text("", encoding="utf-8")
    with pytest.raises(FileExistsError) as caught:
        write_atomic(blocking / "qd.docx", b"x")
    assert caught.value.errno == errno.EEXIST
    assert "Đã có một tệp tên ket-qua ở chỗ cần một thư mục" in caught.value.strerror
    message = refusal_sentence(caught.value, blocking / "qd.docx")
    assert "ở chỗ cần một thư mục" in message and "File exists" not in vietnamese_part(message)


def test_a_full_disk_keeps_its_class_and_errno_and_leaves_no_temporary(tmp_path, monkeypatch):
    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_atomic(tmp_path / "qd.docx", b"x")
    assert caught.value.errno == errno.ENOSPC and caught.value.strerror == "Ổ đĩa đã đầy"
    assert list(tmp_path.iterdir()) == []
    message = refusal_sentence(caught.value, tmp_path / "qd.docx")
    assert "Giải phóng chỗ trống" in message and "No space left on device" in message


def test_a_word_document_held_open_is_suggested(tmp_path, monkeypatch):
    target = tmp_path / "qd.docx"
    target.write_bytes(b"cu")

    def refused(_source: object, _target: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refused)
    with pytest.raises(PermissionError) as caught:
        write_atomic(target, b"moi")
    assert "đang mở trong một chương trình khác (như Word)" in caught.value.strerror
    assert target.read_bytes() == b"cu" and sorted(tmp_path.iterdir()) == [target]


def test_rename_new_refuses_to_replace_with_an_errno(tmp_path):
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_text("a", encoding="utf-8")
    target.write_text("b", encoding="utf-8")
    with pytest.raises(FileExistsError) as caught:
        rename_new(source, target)
    assert caught.value.errno == errno.EEXIST and caught.value.filename == str(target)


def test_run_into_a_file_says_so_in_vietnamese(tmp_path):
    blocking = tmp_path / "ket-qua"
    blocking.write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "processor", "run", str(SAMPLE), "--out", str(blocking)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ở chỗ cần một thư mục" in done.stderr
    # The English original may only follow on the "Chi tiết kỹ thuật" line, for the IT officer.
    said = [line for line in done.stderr.splitlines() if "Chi tiết kỹ thuật" not in line]
    assert "File exists" not in "\n".join(said) and ".." not in done.stderr


# -- the deployment config goes through the same reader -------------------------------------


def test_a_config_with_a_syntax_error_is_refused_at_its_line_in_vietnamese(tmp_path):
    config = tmp_path / "cau-hinh.toml"
    config.write_text('[folders]\nroot = "nhan\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(config)
    assert caught.value.summary.startswith("Tệp cấu hình cau-hinh.toml viết sai cú pháp TOML")
    (problem,) = caught.value.problems
    assert problem.place == "cau-hinh.toml, dòng 2, cột 13"
    assert "chưa được đóng" in vietnamese_part(problem.message)
    assert "Illegal character" not in vietnamese_part(problem.message)


def test_a_config_given_as_a_folder_or_missing_is_refused_in_vietnamese(tmp_path):
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path)
    assert "là một thư mục, không phải tệp cấu hình" in caught.value.summary
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path / "khong-co.toml")
    assert "Sao chép mẫu" in caught.value.problems[0].message


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads every file; needs POSIX modes"
)
def test_a_file_that_cannot_be_read_says_whose_permission(tmp_path):
    config = tmp_path / "cau-hinh.toml"
    config.write_text("", encoding="utf-8")
    config.chmod(0)
    try:
        with pytest.raises(InputError) as caught:
            read_toml(config, "tệp cấu hình")
    finally:
        config.chmod(0o644)
    message = caught.value.problems[0].message
    assert "không có quyền đọc" in message and "Permission denied" not in vietnamese_part(message)


def test_a_file_that_cannot_be_read_is_vietnamese_even_as_root(tmp_path, monkeypatch):
    config = tmp_path / "quy-tac.toml"
    config.write_text("", encoding="utf-8")

    def refused(_: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(config))

    monkeypatch.setattr(Path, "read_bytes", refused)
    with pytest.raises(InputError) as caught:
        read_toml(config, "tệp quy tắc")
    assert caught.value.summary == f"Không đọc được tệp quy tắc {config}."
    message = caught.value.problems[0].message
    assert message.startswith("Tài khoản chạy chương trình không có quyền đọc.")
    assert "Permission denied" not in vietnamese_part(message)


def test_every_shipped_toml_file_still_reads():
    for path in (ROOT / "templates").rglob("*.toml"):
        assert isinstance(read_toml(path, "tệp"), dict), path
