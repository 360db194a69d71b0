"""Rendering the Word template with docxtpl: Jinja2 inside Word, autoescaped and strict."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from processor.output import canonical_zip
from processor.problems import InputError, Problem


def _environment() -> Any:
    import jinja2

    # autoescape: an agency named "A & B" must not corrupt the XML;
    # StrictUndefined: a misspelt variable in the template is an error, never a silent blank.
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def render_decision(template: Path, context: dict[str, Any]) -> bytes:
    """The finished .docx as bytes: nothing touches the output folder until it is whole."""
    import jinja2
    from docxtpl import DocxTemplate

    label = template.name
    if not template.is_file():
        raise InputError(
            f"Không tìm thấy mẫu Word {template}.", [Problem(label, "Tệp không tồn tại.")]
        )
    try:
        document = DocxTemplate(template)
        document.render(context, _environment(), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise InputError(
            f"Mẫu Word {template} dùng một biến chương trình không có.",
            [
                Problem(
                    label,
                    f"{exc.message}. Xem bảng các biến dùng được trong README.md, mục "
                    "'Sửa mẫu Word', và sửa lại tên biến trong mẫu.",
                )
            ],
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        nearby = " ".join(" ".join(getattr(exc, "docx_context", [])).split())
        raise InputError(
            f"Mẫu Word {template} có thẻ {{{{ }}}} hoặc {{% %}} viết sai.",
            [Problem(label, f"{exc.message}. Đoạn văn gần chỗ lỗi: «{nearby[:200]}».")],
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            f"Mẫu Word {template} có lỗi khi điền dữ liệu.",
            [Problem(label, f"{exc}. Kiểm tra các thẻ {{{{ }}}} và {{% %}} trong mẫu.")],
        ) from None
    except Exception as exc:  # a damaged .docx: python-docx and lxml raise many kinds
        raise InputError(
            f"Không dùng được mẫu Word {template}.",
            [
                Problem(
                    label,
                    "Tệp mẫu không phải tài liệu Word .docx hợp lệ (hoặc đã hỏng): mở bằng Word "
                    f"và lưu lại dưới dạng .docx. Chi tiết: {type(exc).__name__}: {exc}",
                )
            ],
        ) from None
    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue())
