"""Talking to the mail server: connect, secure, log in, probe, and say in Vietnamese what failed.

The edge where smtplib, ssl and the network are; what an answer means for a delivery is decided
in state.py. A password is used to log in and never appears in any message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl

from processor.config.settings import Security, SmtpSettings
from processor.core.messages import os_reason
from processor.unattended.mail.state import answer_text


def connect(smtp: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """An open, secured and logged-in connection; any failure raises (and closes it)."""
    context = ssl.create_default_context(
        cafile=str(smtp.ca_file) if smtp.ca_file is not None else None
    )
    if smtp.security is Security.TLS:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
        )
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        connection.ehlo()
        if smtp.security is Security.STARTTLS:
            connection.starttls(context=context)
            connection.ehlo()
        if smtp.user is not None:
            _login(connection, smtp.user, password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login() sends AUTH as ASCII only; a Vietnamese password goes as UTF-8.

    RFC 4616 (PLAIN) and the LOGIN mechanism carry UTF-8 in base64; servers that accept
    non-ASCII passwords expect exactly that.
    """
    if user.isascii() and password.isascii():
        connection.login(user, password)
        return
    import base64

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    connection.ehlo_or_helo_if_needed()
    offered = (connection.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" in offered:
        code, answer = connection.docmd(
            "AUTH", "PLAIN " + b64(b"\0" + user.encode() + b"\0" + password.encode())
        )
    elif "LOGIN" in offered:
        code, answer = connection.docmd("AUTH", "LOGIN " + b64(user.encode()))
        if code == 334:
            code, answer = connection.docmd(b64(password.encode()))
    else:
        raise smtplib.SMTPNotSupportedError(
            "máy chủ không nhận mật khẩu có dấu (chỉ hỗ trợ " + (" ".join(offered) or "không") + ")"
        )
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def describe_error(exc: BaseException, smtp: SmtpSettings) -> str:
    """A Vietnamese sentence for what went wrong talking to the server (never the password)."""
    where = f"{smtp.host}:{smtp.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"máy chủ thư {where} từ chối đăng nhập ({answer_text(exc.smtp_code, exc.smtp_error)})"
            ": kiểm tra smtp.user và mật khẩu"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"máy chủ thư {where} không hỗ trợ việc được yêu cầu ({exc}): kiểm tra smtp.security"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"máy chủ thư {where} trả lời «{answer_text(exc.smtp_code, exc.smtp_error)}»"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):  # smtplib hides a read timeout so
            return f"máy chủ thư {where} không trả lời sau {smtp.timeout_seconds:g} giây"
        return f"máy chủ thư {where} ngắt kết nối giữa chừng"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ thư {where} từ chối kết nối (máy chủ chưa chạy, hoặc sai host/port)"
    if isinstance(exc, socket.gaierror):
        return f"không tìm thấy máy chủ thư «{smtp.host}» (sai tên, hoặc mất mạng)"
    if isinstance(exc, TimeoutError):
        return f"máy chủ thư {where} không trả lời sau {smtp.timeout_seconds:g} giây"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"chứng chỉ TLS của máy chủ thư {where} không được tin cậy ({exc.verify_message}): "
            "kiểm tra smtp.host, hoặc ghi tệp chứng chỉ gốc của cơ quan ở smtp.ca_file"
        )
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS với máy chủ thư {where} ({exc.reason}): kiểm tra smtp.security và cổng"
    if isinstance(exc, OSError):
        reason, _ = os_reason(exc, "đọc")
        return (
            f"lỗi mạng khi nối đến máy chủ thư {where}: {reason}; kiểm tra smtp.host, smtp.port "
            f"và đường mạng (chi tiết kỹ thuật: {type(exc).__name__}: {exc})"
        )
    return f"lỗi khi gửi thư qua {where}: {type(exc).__name__}: {exc}"


def probe(smtp: SmtpSettings, password: str | None) -> str:
    """Connect, secure, log in and say goodbye: what `config check` reports."""
    connection = connect(smtp, password)
    try:
        connection.noop()
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
    how = {
        Security.STARTTLS: "STARTTLS",
        Security.TLS: "TLS",
        Security.NONE: "không mã hóa",
    }[smtp.security]
    login = f", đăng nhập được với tên {smtp.user}" if smtp.user else ""
    return f"kết nối được ({how}){login}"
