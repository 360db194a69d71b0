"""A letter, from its text template to the exact bytes stored in the outbox and sent.

The template is plain text (jinja2, no HTML escaping) whose first line is `Tiêu đề: …`; what it
may say comes in as a plain mapping, so this module knows templates and MIME, not decisions.
The bytes are built once and stored: a message sent again after a crash is the same message.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from processor.config.settings import Recipients, address_of
from processor.core.messages import os_error_message
from processor.core.problems import InputError, Problem

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
SUBJECT_PREFIX = "tiêu đề:"


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    body: str


def render_letter(template: Path, context: Mapping[str, Any]) -> Letter:
    """Fill a text template whose first line is `Tiêu đề: …`, then a blank line, then the body."""
    import jinja2

    label = template.name
    try:
        source = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"Không đọc được mẫu thư {template}.",
            [Problem(label, os_error_message(exc, template, "đọc"))],
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"Không đọc được mẫu thư {template}.",
            [Problem(label, "Mẫu thư phải là tệp chữ UTF-8: mở bằng Notepad, Lưu thành UTF-8.")],
        ) from None
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text: an agency named "A & B" stays "A & B"
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    try:
        text = environment.from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"Mẫu thư {template} có thẻ {{{{ }}}} hoặc {{% %}} viết sai.",
            [Problem(f"{label}, dòng {exc.lineno}", f"{exc.message}.")],
        ) from None
    except jinja2.UndefinedError as exc:
        names = ", ".join(sorted(context))
        raise InputError(
            f"Mẫu thư {template} dùng một biến chương trình không có.",
            [Problem(label, f"{exc.message}. Các biến dùng được: {names}.")],
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            f"Mẫu thư {template} có lỗi khi điền dữ liệu.", [Problem(label, f"{exc}.")]
        ) from None
    return split_letter(text, label)


def split_letter(text: str, label: str = "mẫu thư") -> Letter:
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0].strip() if lines else ""
    if not first.lower().startswith(SUBJECT_PREFIX) or not first[len(SUBJECT_PREFIX) :].strip():
        raise InputError(
            f"Mẫu thư {label} thiếu dòng tiêu đề.",
            [
                Problem(
                    label,
                    "Dòng đầu tiên (sau phần chú thích {# #}) phải là «Tiêu đề: …», tiếp theo là "
                    "một dòng trống rồi đến nội dung thư.",
                )
            ],
        )
    subject = " ".join(first[len(SUBJECT_PREFIX) :].split())
    body = "\n".join(lines[1:]).strip("\n") + "\n"
    return Letter(subject=subject, body=body)


# -- composing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str = DOCX_TYPE[0]
    subtype: str = DOCX_TYPE[1]


def message_id(entry_id: str, sender: str) -> str:
    """Deterministic, so a message sent again after a crash carries the same Message-ID."""
    domain = address_of(sender).rpartition("@")[2] or "xep-hang-cntt.invalid"
    return f"<{entry_id}.xep-hang-cntt@{domain}>"


def compose(
    *,
    sender: str,
    recipients: Recipients,
    letter: Letter,
    message_id: str,
    moment: datetime,
    attachment: Attachment | None = None,
) -> bytes:
    """The whole message as bytes (7-bit clean, CRLF), exactly what is stored and sent."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients.to)
    if recipients.cc:
        message["Cc"] = ", ".join(recipients.cc)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    message.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        message.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,  # non-ASCII names are encoded per RFC 2231
        )
    return message.as_bytes()
