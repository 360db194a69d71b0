"""A letter, from its text template to the exact bytes stored in the outbox and sent.

The template is plain text (jinja2, no HTML escaping) whose first line is `Tiêu đề: …`; what it
may say comes in as a plain mapping, so this module knows templates and MIME, not decisions.
The bytes are built once and stored: a message sent again after a crash is the same message.

An attachment's Vietnamese name is written twice, because mail clients read one or the other:
RFC 2231 `filename*=` on Content-Disposition (what Python's email package writes, and what
current clients read) and an RFC 2047 encoded word in `name=` on Content-Type (what Outlook and
older clients read; without it they show `ATT00001`). The message stays 7-bit ASCII.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from processor.config.settings import Recipients, address_of
from processor.core.messages import os_error_message
from processor.core.problems import InputError, Problem

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PDF_TYPE = ("application", "pdf")
OTHER_TYPE = ("application", "octet-stream")
TYPES_BY_SUFFIX = {".docx": DOCX_TYPE, ".xlsx": XLSX_TYPE, ".pdf": PDF_TYPE}
# Headers written by hand (the attachment's Content-Type) are kept as written: the email
# package would otherwise refold a long one and turn its RFC 2047 name into RFC 2231.
_POLICY = email.policy.SMTP.clone(refold_source="none")
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

    @classmethod
    def of(cls, filename: str, data: bytes) -> Attachment:
        """An attachment typed by its name's suffix: .docx, .xlsx, .pdf (else octet-stream)."""
        maintype, subtype = TYPES_BY_SUFFIX.get(Path(filename).suffix.lower(), OTHER_TYPE)
        return cls(filename, data, maintype, subtype)


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
    attachments: Sequence[Attachment] = (),
    attachment: Attachment | None = None,
) -> bytes:
    """The whole message as bytes (7-bit clean, CRLF), exactly what is stored and sent.

    `attachment` (one) is the older spelling of `attachments`; it comes after them.
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients.to)
    if recipients.cc:
        message["Cc"] = ", ".join(recipients.cc)
    message.set_raw("Subject", _subject(letter.subject))
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    message.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    for item in (*attachments, *(() if attachment is None else (attachment,))):
        message.add_attachment(
            item.data,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,  # non-ASCII names are encoded per RFC 2231
        )
        *_, part = message.iter_attachments()
        _name_content_type(part, item)
    return message.as_bytes(policy=_POLICY)


def _name_content_type(part: MIMEPart, item: Attachment) -> None:
    """Content-Type gains `name=` (RFC 2047 when not ASCII), keeping the headers' order."""
    headers = list(part.raw_items())
    for name, _ in headers:
        del part[name]
    for name, value in headers:
        if name.lower() == "content-type":
            part.set_raw(
                name, f"{item.maintype}/{item.subtype};\r\n name={name_value(item.filename)}"
            )
        else:
            part.set_raw(name, value)


def name_value(filename: str) -> str:
    """`name=`'s value: quoted, as RFC 2047 encoded words (folded) when not plain ASCII.

    Encoded words inside quotes break RFC 2047's letter, but they are what Outlook and
    Thunderbird write and read, and what Python's parser decodes.
    """
    if filename.isascii() and filename.isprintable():
        return '"' + filename.replace("\\", "\\\\").replace('"', '\\"') + '"'
    words = Header(filename, "utf-8", maxlinelen=70, header_name="name").encode("\r\n")
    return f'"{words}"'


def _subject(text: str) -> str:
    """The Subject as RFC 2047 words, folded by `Header`: Python 3.11's own folding of a long
    Vietnamese subject drops the space between words (CPython gh-144156)."""
    if text.isascii():
        return text
    return Header(text, "utf-8", header_name="Subject").encode("\r\n")
