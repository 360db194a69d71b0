"""Sentences for people: one full stop, Vietnamese first, the library's English after it.

Errors from the operating system and from parsers arrive in English ("Permission denied",
"Illegal character"); a secretary reads the Vietnamese sentence, and the IT officer finds the
original on its own `Chi tiết kỹ thuật: …` line below it. Pure: an OSError is only read here.
"""

from __future__ import annotations

import errno

DETAIL = "Chi tiết kỹ thuật"
_ENDS = (".", "!", "?", "…", ":", ";")


def sentence(text: str) -> str:
    """`text` ending in exactly one full stop (or the `?`/`…` it already has)."""
    text = text.strip()
    while text.endswith(".."):
        text = text[:-1]
    return text if text.endswith(_ENDS) else text + "."


def with_detail(message: str, detail: object) -> str:
    """The Vietnamese sentence, then the original on a line of its own for the IT officer.

    The same shape as the Word template's messages (writing/template_problems.technical): the
    line is indented, so under `  Lỗi <chỗ>: …` it reads as part of the same problem.
    """
    original = " ".join(str(detail).split())
    return f"{sentence(message)}\n    {DETAIL}: {original}" if original else sentence(message)


# errno -> (what happened, what to do); {verb} is "đọc" or "ghi".
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("không có tệp hay thư mục này", "Kiểm tra lại đường dẫn."),
    errno.EACCES: (
        "tài khoản chạy chương trình không có quyền {verb}",
        "Cấp quyền {verb} cho tài khoản này (hoặc chọn thư mục khác) rồi chạy lại.",
    ),
    errno.ENOSPC: ("ổ đĩa đã đầy", "Giải phóng chỗ trống trên ổ đĩa rồi chạy lại."),
    errno.EROFS: (
        "ổ đĩa hoặc thư mục chỉ cho đọc",
        "Chọn thư mục trên một ổ đĩa ghi được (không phải đĩa CD, thẻ nhớ khóa ghi hay thư mục "
        "chia sẻ chỉ đọc).",
    ),
    errno.EEXIST: (
        "đã có một tệp hoặc thư mục cùng tên",
        "Đổi tên hoặc chuyển tệp cũ sang chỗ khác rồi chạy lại.",
    ),
    errno.EISDIR: (
        "đây là một thư mục, không phải tệp",
        "Ghi đường dẫn đến tệp, không phải thư mục chứa nó.",
    ),
    errno.ENOTDIR: (
        "một phần của đường dẫn là tệp chứ không phải thư mục",
        "Kiểm tra lại đường dẫn.",
    ),
    errno.ENAMETOOLONG: ("đường dẫn quá dài", "Chọn thư mục có đường dẫn ngắn hơn."),
    errno.EBUSY: (
        "tệp đang được một chương trình khác dùng",
        "Đóng chương trình đó (ví dụ Word hay Excel đang mở tệp) rồi chạy lại.",
    ),
    errno.EIO: (
        "ổ đĩa báo lỗi khi {verb}",
        "Kiểm tra ổ đĩa hoặc kết nối mạng đến thư mục chia sẻ, rồi chạy lại.",
    ),
    errno.EMFILE: ("hệ thống đang mở quá nhiều tệp", "Chạy lại sau ít phút."),
    errno.EXDEV: (
        "không chuyển được tệp sang một ổ đĩa khác",
        "Để các thư mục của chương trình trên cùng một ổ đĩa.",
    ),
    errno.ENOTEMPTY: ("thư mục không rỗng", "Chuyển các tệp trong thư mục đi rồi chạy lại."),
    errno.ELOOP: ("đường dẫn có liên kết vòng", "Kiểm tra lại đường dẫn."),
}
_SAME = {
    errno.EPERM: errno.EACCES,
    errno.ETXTBSY: errno.EBUSY,
    errno.ENFILE: errno.EMFILE,
    getattr(errno, "EDQUOT", errno.ENOSPC): errno.ENOSPC,
    getattr(errno, "EFBIG", errno.ENOSPC): errno.ENOSPC,
}
_NETWORK = {
    getattr(errno, name)
    for name in ("ESTALE", "ETIMEDOUT", "EHOSTDOWN", "EHOSTUNREACH", "ENETDOWN", "ENETUNREACH")
    if hasattr(errno, name)
}
# What a subclass means when it was raised without an errno (`FileExistsError("… đã có")`).
_BY_TYPE: tuple[tuple[type[OSError], int], ...] = (
    (FileExistsError, errno.EEXIST),
    (FileNotFoundError, errno.ENOENT),
    (IsADirectoryError, errno.EISDIR),
    (NotADirectoryError, errno.ENOTDIR),
    (PermissionError, errno.EACCES),
)
_SHARING_VIOLATION = {32, 33}  # Windows: the file is open in another program


def os_reason(exc: OSError, verb: str = "ghi") -> tuple[str, str]:
    """(what happened, what to do), in Vietnamese; `verb` is "đọc" or "ghi"."""
    if getattr(exc, "winerror", None) in _SHARING_VIOLATION:
        code: int | None = errno.EBUSY
    else:
        code = _SAME.get(exc.errno or -1, exc.errno)
    if code is None:
        code = next((c for kind, c in _BY_TYPE if isinstance(exc, kind)), None)
    if code in _NETWORK:
        return (
            "mất kết nối đến ổ đĩa mạng",
            "Kiểm tra kết nối đến thư mục chia sẻ rồi chạy lại.",
        )
    reason, hint = _REASONS.get(
        code or -1,
        (f"hệ điều hành báo lỗi khi {verb}", "Kiểm tra đường dẫn và quyền {verb}, rồi chạy lại."),
    )
    return reason.format(verb=verb), hint.format(verb=verb)


def os_error_message(exc: OSError, path: object, verb: str = "ghi") -> str:
    """`Không ghi được /a/b: ổ đĩa đã đầy. Giải phóng chỗ trống … \\nChi tiết kỹ thuật: …`."""
    reason, hint = os_reason(exc, verb)
    return with_detail(f"Không {verb} được {path}: {reason}. {hint}", _original(exc))


def _original(exc: OSError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
