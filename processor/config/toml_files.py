"""Reading the TOML files people edit by hand (rules, deployment config) with clear refusals."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from processor.core.problems import InputError, Problem


def read_toml(path: Path, noun: str, missing_hint: str = "Tệp không tồn tại.") -> dict[str, Any]:
    """The file's tables; InputError naming the file for anything that stops it being read.

    `noun` is how the message names the file ("tệp quy tắc", "tệp cấu hình").
    """
    label = path.name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Không tìm thấy {noun} {path}.", [Problem(label, missing_hint)]) from None
    except IsADirectoryError:
        raise InputError(
            f"{path} là một thư mục, không phải {noun}.",
            [Problem(label, "Ghi đường dẫn đến tệp .toml.")],
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{noun[0].upper()}{noun[1:]} {path} không đọc được.",
            [Problem(label, "Tệp phải được lưu với bảng mã UTF-8.")],
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{noun[0].upper()}{noun[1:]} {path} sai cú pháp TOML.",
            [Problem(label, f"Sai cú pháp TOML: {exc}.")],
        ) from None
    except OSError as exc:
        raise InputError(
            f"Không đọc được {noun} {path}.",
            [Problem(label, f"{exc.strerror or exc}: kiểm tra đường dẫn và quyền đọc.")],
        ) from None
