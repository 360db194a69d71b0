"""The SMTP password, fetched from its environment variable or file only when it is needed.

The config names where the password is, never the password, so the file can be shared and
kept in version control; a missing password is reported when a connection is about to be made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from processor.config.settings.model import SmtpSettings
from processor.core.messages import os_error_message, with_detail
from processor.core.problems import InputError, Problem


def read_password(smtp: SmtpSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from its environment variable or file; None when no login is set."""
    if smtp.user is None:
        return None
    environ = os.environ if environ is None else environ
    if smtp.password_env is not None:
        value = environ.get(smtp.password_env, "")
        if not value:
            raise InputError(
                "Chưa có mật khẩu máy chủ thư.",
                [
                    Problem(
                        "smtp.password_env",
                        f"Biến môi trường {smtp.password_env} chưa được đặt (hoặc rỗng) trong "
                        "môi trường chạy chương trình.",
                    )
                ],
            )
        return value
    assert smtp.password_file is not None  # guaranteed by the reader
    try:
        text = smtp.password_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            "Không đọc được mật khẩu máy chủ thư.",
            [Problem("smtp.password_file", os_error_message(exc, smtp.password_file, "đọc"))],
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            "Không đọc được mật khẩu máy chủ thư.",
            [
                Problem(
                    "smtp.password_file",
                    with_detail(
                        f"Tệp {smtp.password_file} không phải chữ UTF-8: lưu lại tệp với bảng mã "
                        "UTF-8",
                        exc,
                    ),
                )
            ],
        ) from None
    value = text.rstrip("\r\n")
    if not value:
        raise InputError(
            "Chưa có mật khẩu máy chủ thư.",
            [Problem("smtp.password_file", f"Tệp {smtp.password_file} rỗng.")],
        )
    return value
