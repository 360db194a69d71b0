"""The Vietnamese notes left beside a workbook: why it was refused, or that it is a duplicate.

They are what the secretary reads in failed/ or done/, so they say what to do next, and that
no decision was made and no email sent. Pure text built from plain values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from processor.unattended.dropfolder.ledger import LedgerEntry

REPORT_SUFFIX = ".bao-cao.txt"
DUPLICATE_SUFFIX = ".trung.txt"


def failure_report(
    original: str,
    sha256: str,
    received: datetime,
    filed_as: str,
    summary: str,
    lines: Iterable[str],
    *,
    template: str | None = None,
) -> str:
    """The Vietnamese .txt put beside a refused workbook in failed/.

    `template` names the Word template when it, not the workbook, is at fault: the report then
    says so, is meant for the technical staff, and asks for the same workbook to be dropped
    again once the template is fixed.
    """
    if template is not None:
        closing = [
            f"ĐÂY LÀ LỖI CỦA MẪU WORD ({template}), KHÔNG PHẢI LỖI CỦA BẢNG TÍNH: bảng tính "
            "không cần sửa.",
            "Xin chuyển báo cáo này cho bộ phận kỹ thuật (người quản lý máy chủ) để sửa mẫu Word "
            "ở các chỗ nêu trên (README.md, mục «Sửa mẫu Word»); kiểm tra mẫu đã sửa bằng lệnh "
            "config check.",
            "Sửa xong, thả lại chính tệp bảng tính này vào thư mục inbox/ (không cần đổi tên; "
            f"bản gốc ở {filed_as}): chương trình sẽ lập quyết định và gửi thư.",
        ]
    else:
        closing = [
            "Chưa lập quyết định và không gửi thư nào. Sửa các lỗi trên trong bảng tính rồi thả "
            "lại tệp đã sửa vào thư mục inbox/."
        ]
    body = [
        f"Bảng tính: {original}",
        f"Nhận lúc: {received:%d/%m/%Y %H:%M:%S}",
        f"SHA-256: {sha256}",
        f"Tệp gốc (giữ nguyên, không bị sửa): {filed_as}",
        "",
        summary,
        *lines,
        "",
        *(["Chưa lập quyết định và không gửi thư nào."] if template is not None else []),
        *closing,
    ]
    return "\n".join(body) + "\n"


def duplicate_note(original: str, sha256: str, received: datetime, earlier: LedgerEntry) -> str:
    """The note beside a workbook identical to one already made into a decision."""
    return (
        "\n".join(
            [
                f"Bảng tính: {original}",
                f"Nhận lúc: {received:%d/%m/%Y %H:%M:%S}",
                f"SHA-256: {sha256}",
                "",
                "Bảng tính này giống hệt (từng byte) bảng tính đã xử lý trước đó: "
                f"{earlier.filed_as}.",
                "Không lập lại quyết định, không gửi thư lần nữa.",
            ]
        )
        + "\n"
    )
