"""The Vietnamese notes people read: why a workbook was refused, what was made, or a duplicate.

They are what the secretary reads in the answers folder (and the technical staff in failed/
and done/), so each says what happened, what was made or sent, and whose move it is next: the
secretary's (fix the workbook), the office's (register the decision) or the technical staff's
(the Word template, the rules, the server). Folders are named as people know them (the share
name), never by the internal processing/ path. Pure text built from plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from processor.unattended.dropfolder.ledger import LedgerEntry

REPORT_SUFFIX = ".bao-cao.txt"
DUPLICATE_SUFFIX = ".trung.txt"


class Blame(Enum):
    """Whose move it is after a refusal."""

    WORKBOOK = "workbook"  # the secretary: fix the workbook, drop it again
    TEMPLATE = "template"  # the technical staff: the Word template is damaged
    TECHNICAL = "technical"  # the technical staff: rules, server, disk, or the program itself


def failure_report(
    original: str,
    sha256: str,
    received: datetime,
    filed_as: str,
    summary: str,
    lines: Iterable[str],
    *,
    template: str | None = None,
    blame: Blame | None = None,
    inbox: str = "inbox/",
    marked: str | None = None,
    mailed: str = "",
) -> str:
    """The Vietnamese report of a refusal: in failed/ beside the workbook, and as its answer.

    `template` names the Word template when it, not the workbook, is at fault (the blame is
    then TEMPLATE). `inbox` is the drop folder as people know it; `marked` the marked copy of
    the workbook (None: none could be made); `mailed` says who was emailed the report.
    """
    blame = blame or (Blame.TEMPLATE if template is not None else Blame.WORKBOOK)
    body = [
        f"Bảng tính: {original}",
        f"Nhận lúc: {received:%d/%m/%Y %H:%M:%S}",
        f"SHA-256: {sha256}",
        f"Tệp gốc (giữ nguyên, không bị sửa): {filed_as}",
        "",
        summary,
        *lines,
        "",
        "Chưa lập quyết định và chưa gửi thư quyết định nào.",
    ]
    if blame is Blame.WORKBOOK:
        if marked is not None:
            body.append(
                f"Bản sao bảng tính có tô màu và ghi chú ở từng ô cần sửa (sheet đầu liệt kê mọi "
                f"lỗi, bấm vào để đến ô): {marked}"
            )
        else:
            body.append(
                "Không lập được bản sao đánh dấu lỗi: tệp không mở được như một bảng tính "
                "(xem lỗi trên)."
            )
    if mailed:
        body.append(mailed)
    body += ["", *_next_move(blame, template, inbox, unreadable=marked is None)]
    return "\n".join(body) + "\n"


def _next_move(
    blame: Blame, template: str | None, inbox: str, *, unreadable: bool = False
) -> list[str]:
    if blame is Blame.WORKBOOK and unreadable:  # not a workbook at all: nothing to fix in it
        return [
            "VIỆC TIẾP THEO, của thư ký Hội đồng: mở đúng tệp bảng điểm bằng Excel, lưu thành "
            "«Sổ làm việc Excel (.xlsx)», rồi thả tệp .xlsx đó vào thư mục "
            f"{inbox}."
        ]
    if blame is Blame.WORKBOOK:
        return [
            "VIỆC TIẾP THEO, của thư ký Hội đồng: sửa các lỗi trên trong bảng tính gốc của bạn "
            "(bản sao đánh dấu lỗi chỉ để xem chỗ cần sửa), lưu lại, rồi thả lại tệp đã sửa vào "
            f"thư mục {inbox}."
        ]
    if blame is Blame.TEMPLATE:
        return [
            f"ĐÂY LÀ LỖI CỦA MẪU WORD ({template}), KHÔNG PHẢI LỖI CỦA BẢNG TÍNH: bảng tính "
            "không cần sửa.",
            "VIỆC TIẾP THEO, của bộ phận kỹ thuật (người quản lý máy chủ): sửa mẫu Word ở các chỗ "
            "nêu trên (README.md, mục «Sửa mẫu Word»); kiểm tra mẫu đã sửa bằng lệnh config check.",
            f"Sửa xong, thả lại chính tệp bảng tính này vào thư mục {inbox} (không cần đổi tên): "
            "chương trình sẽ lập quyết định và gửi thư.",
        ]
    return [
        "ĐÂY LÀ LỖI KỸ THUẬT (máy chủ, tệp quy tắc hoặc chính chương trình), KHÔNG PHẢI LỖI CỦA "
        "BẢNG TÍNH: bảng tính không cần sửa.",
        "VIỆC TIẾP THEO, của bộ phận kỹ thuật (người quản lý máy chủ): xem các dòng trên và tệp "
        "nhật ký nhat-ky.log; sửa xong, thả lại chính tệp bảng tính này vào thư mục "
        f"{inbox} (không cần đổi tên).",
    ]


@dataclass(frozen=True, slots=True)
class Made:
    """What a workbook was made into, as the success answer tells it (all plain text)."""

    original: str
    sha256: str
    received: datetime
    year: int
    agencies: int
    files: Sequence[tuple[str, str]]  # (name in the answers folder, what it is)
    output: str  # the decisions folder, as shown
    inbox: str
    mailed: str  # who the decision email goes to, with what attached
    replaces: str = ""  # the sentence saying which earlier email it replaces ("" if none)
    warnings: Sequence[str] = ()
    notes: Sequence[str] = field(default_factory=tuple)  # about the outputs, e.g. no PDF
    report: Sequence[str] = ()  # the report beside the decision, the scorecards mailed
    flagged: int = 0  # agencies whose results to look at before signing (report)


def success_answer(made: Made) -> str:
    """The answer to a workbook made into a decision: what was made, sent to whom, what next."""
    lines = [
        f"Bảng tính: {made.original}",
        f"Nhận lúc: {made.received:%d/%m/%Y %H:%M:%S}",
        f"SHA-256: {made.sha256}",
        "",
        f"ĐÃ LẬP DỰ THẢO QUYẾT ĐỊNH năm đánh giá {made.year}: {made.agencies} đơn vị"
        + (f", {len(made.warnings)} cảnh báo." if made.warnings else ", không có cảnh báo."),
        "",
        "Trong thư mục này:",
        *(f"  {name}: {what}" for name, what in made.files),
        *(f"  {note}" for note in made.notes),
        f"Bản chính ở thư mục quyết định trên máy chủ: {made.output}",
        "",
        made.mailed,
    ]
    if made.replaces:
        lines.append(made.replaces)
    if made.report:
        lines += ["", *made.report]
    if made.warnings:
        lines += [
            "",
            "Cảnh báo (không ngăn việc lập quyết định; nên xem lại các ô được nêu):",
            *(f"  {line}" for line in made.warnings),
        ]
    again = (
        f"nếu phải sửa điểm, thả bảng tính đã sửa vào thư mục {made.inbox}: quyết định được lập "
        "lại và thư mới ghi rõ nó thay thế thư này."
    )
    if made.flagged:
        lines += [
            "",
            f"VIỆC TIẾP THEO, của thư ký Hội đồng: xem lại kết quả của {made.flagged} đơn vị nêu "
            f"trên trước khi dự thảo được trình ký; {again}",
            "VIỆC TIẾP THEO, của Văn thư: ghi số, ngày ban hành và trình ký dự thảo gửi kèm thư, "
            "sau khi thư ký Hội đồng đã xem lại các kết quả trên.",
        ]
    else:
        lines += [
            "",
            "VIỆC TIẾP THEO, của Văn thư: ghi số, ngày ban hành và trình ký dự thảo gửi kèm "
            f"thư. Thư ký Hội đồng không cần làm gì thêm; {again}",
        ]
    return "\n".join(lines) + "\n"


def duplicate_note(
    original: str,
    sha256: str,
    received: datetime,
    earlier: LedgerEntry,
    inbox: str = "inbox/",
    replaced_by: str | None = None,
) -> str:
    """The note beside a workbook identical to one already made into a decision (and its answer).

    `replaced_by`: the decision made from these bytes was replaced since by a corrected
    workbook's (its letter's id): going back to these scores needs a new file, not this one.
    """
    if replaced_by is not None:
        move = [
            f"LƯU Ý: dự thảo lập từ bảng tính này ĐÃ BỊ THAY THẾ bởi dự thảo lập từ một bảng "
            f"điểm đã sửa (thư {replaced_by}); dự thảo hiện hành của năm này là dự thảo mới.",
            "VIỆC TIẾP THEO, của thư ký Hội đồng: nếu muốn dùng lại điểm của bảng tính này thay "
            "cho bản đã sửa, mở nó bằng Excel, sửa một ô bất kỳ rồi sửa lại như cũ, lưu lại (để "
            f"thành một tệp mới), rồi thả vào thư mục {inbox}; nếu không, không cần làm gì.",
        ]
    else:
        move = [
            "VIỆC TIẾP THEO: không ai cần làm gì thêm. Nếu định sửa điểm thì bảng tính này "
            f"chưa được sửa: sửa, lưu lại, rồi thả lại vào thư mục {inbox}.",
        ]
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
                "",
                *move,
            ]
        )
        + "\n"
    )
