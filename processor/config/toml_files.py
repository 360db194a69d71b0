"""Reading the TOML files people edit by hand (rules, deployment config) with clear refusals.

Whatever stops the file being read (missing, a folder, no permission, not UTF-8, a TOML syntax
error) is an InputError in Vietnamese that names the file, the line and column when there is
one, and what to do; the original English follows on a `Chi tiết kỹ thuật` line.
"""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path
from typing import Any

from processor.config.toml_errors import syntax_message
from processor.core.messages import os_reason, sentence, with_detail
from processor.core.problems import InputError, Problem

_ZIP = b"PK\x03\x04"


def read_toml(path: Path, noun: str, missing_hint: str = "Tệp không tồn tại.") -> dict[str, Any]:
    """The file's tables; InputError naming the file for anything that stops it being read.

    `noun` is how the message names the file ("tệp quy tắc", "tệp cấu hình").
    """
    text = read_text(path, noun, missing_hint)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        place, message = syntax_message(exc, text)
        where = (
            f"cuối tệp (dòng {place.line})"
            if place.at_end
            else (f"dòng {place.line}, cột {place.column}")
        )
        raise InputError(
            f"{_capital(noun)} {path.name} viết sai cú pháp TOML ở {where}; chưa đọc được tệp.",
            [Problem(f"{path.name}, {where}", message)],
        ) from None


def read_text(path: Path, noun: str, missing_hint: str = "Tệp không tồn tại.") -> str:
    """The file's text (UTF-8, with or without the mark Notepad puts first), or InputError."""
    label = path.name
    if path.is_dir():
        raise InputError(
            f"{path} là một thư mục, không phải {noun}.",
            [Problem(label, "Ghi đường dẫn đến tệp .toml trong thư mục, không phải thư mục.")],
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            sentence(f"Không tìm thấy {noun} {path}"), [Problem(label, sentence(missing_hint))]
        ) from None
    except OSError as exc:
        reason, hint = os_reason(exc, "đọc")
        raise InputError(
            sentence(f"Không đọc được {noun} {path}"),
            [Problem(label, with_detail(f"{_capital(reason)}. {hint}", exc))],
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            sentence(f"{_capital(noun)} {path} không đọc được: tệp không phải chữ UTF-8"),
            [Problem(_byte_place(label, data, exc.start), with_detail(_encoding_hint(data), exc))],
        ) from None


def _byte_place(label: str, data: bytes, start: int) -> str:
    """`quy-tac.toml, dòng 12, cột 8` for the first byte that is not UTF-8."""
    if data.startswith((_ZIP, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return label  # the whole file is of another kind
    line = data[:start].count(b"\n") + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return f"{label}, dòng {line}, cột {column}"


def _encoding_hint(data: bytes) -> str:
    if data.startswith(_ZIP):
        return (
            "Đây là một tệp nén (như tệp Word hay Excel), không phải tệp chữ: ghi đường dẫn đến "
            "tệp .toml."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (
            "Tệp được lưu với bảng mã UTF-16 («Unicode» trong Notepad): mở tệp, chọn Lưu thành "
            "(Save As) với bảng mã UTF-8 rồi chạy lại."
        )
    return (
        "Có chữ không đọc được theo bảng mã UTF-8 (tệp có lẽ được lưu bằng bảng mã cũ như "
        "Windows-1258, TCVN3 hay VNI): mở tệp, chọn Lưu thành (Save As) với bảng mã UTF-8, "
        "kiểm tra lại các chữ có dấu, rồi chạy lại."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
