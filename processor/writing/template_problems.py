"""A damaged Word template: the error that blames the template, never the workbook.

Light on purpose (no docx, docxtpl, jinja2 or lxml): the drop folder's station imports it to tell
a template problem, which the technical staff fix, from a workbook problem, which the secretary
fixes. Also here: the "có phải «tinh»?" suggestion (accent-insensitive) and the way a message
carries the English original for the IT officer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from processor.core.formatting import fold
from processor.core.messages import with_detail
from processor.core.problems import InputError, Problem

README_SECTION = "README.md, mục «Sửa mẫu Word»"


class TemplateDamaged(InputError):
    """The Word template cannot make a whole decision: for the technical staff to fix.

    The workbook was read and checked before the template was filled, so it is not at fault;
    the same workbook makes its decision once the template is fixed.
    """

    def __init__(self, template: Path, summary: str, problems: list[Problem]):
        super().__init__(summary, problems)
        self.template = template


def damaged(
    template: Path, problems: list[Problem], *, after_filling: bool = False
) -> TemplateDamaged:
    """The error for these problems of `template`, with the one summary every command prints."""
    count = len(problems)
    where = "bản điền thử từ mẫu" if after_filling else "mẫu"
    summary = (
        f"Mẫu Word {template} bị hỏng ({count} chỗ, tìm thấy khi kiểm tra {where}); chưa lập "
        "quyết định. Đây là lỗi của mẫu Word, không phải của bảng tính: sửa mẫu theo các dòng "
        f"dưới đây ({README_SECTION}) rồi chạy lại với chính bảng tính này."
    )
    return TemplateDamaged(template, summary, problems)


# A Vietnamese message, then the English original on its own line for the IT officer: the
# same shape as every other message of the tool (processor/core/messages.py).
technical = with_detail


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` was probably meant to be: same letters without accents, or close."""
    names = sorted(set(known))
    plain = {fold(candidate): candidate for candidate in names}
    if fold(name) in plain and plain[fold(name)] != name:
        return plain[fold(name)]
    close = difflib.get_close_matches(fold(name), list(plain), n=1, cutoff=0.75)
    return plain[close[0]] if close and plain[close[0]] != name else None


def suggestion(name: str, known: Iterable[str]) -> str:
    """` Có phải «tinh»?` (with its leading space), or "" when nothing is close."""
    near = near_miss(name, known)
    return f" Có phải «{near}»?" if near else ""


def quoted(text: str, limit: int = 70) -> str:
    """A piece of the template as the message shows it: whitespace collapsed, long ones cut."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0] or words[:limit]
    return cut + "…"
