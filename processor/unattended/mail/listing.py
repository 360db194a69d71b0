"""What `mail list` says about each message: where it is, who has it, what went wrong.

Plain values in, Vietnamese lines or JSON-ready records out; the command (mail_control.py)
reads the folders and prints. Times are local, as in the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from processor.unattended.mail.outbox import MAIL_FAILED, OUTBOX, MailEntry
from processor.unattended.mail.state import Status, remaining, status

KIND_NAMES = {
    "quyet-dinh": "quyết định",
    "nhac-viec": "nhắc việc",
    "tu-choi": "báo từ chối",
    "phieu-ket-qua": "phiếu kết quả",
    "loi-bao-cao": "báo lỗi báo cáo",
}
REPLACED_BY = {  # what the later letter carries, by kind
    "quyet-dinh": "dự thảo lập từ bảng điểm đã sửa",
    "phieu-ket-qua": "phiếu kết quả mới của cùng đơn vị, lập từ bảng điểm đã sửa",
}


def local_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def state_of(entry: MailEntry, now: float) -> tuple[str, str]:
    """(key, Vietnamese words): waiting / retry / sent / failed."""
    delivery = entry.delivery
    state = status(delivery)
    if entry.place == MAIL_FAILED or state is Status.FAILED:
        return "failed", "không gửi được"
    if state is Status.SENT:
        return "sent", "đã gửi"
    if delivery.next_attempt > now:
        return "retry", f"chờ gửi lại lúc {local_time(delivery.next_attempt)}"
    return "waiting", "chờ gửi"


def resends_of(entries: Sequence[MailEntry]) -> dict[str, list[str]]:
    """Entry id -> the ids of the entries that sent its message again."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        if entry.delivery.resend_of:
            found.setdefault(entry.delivery.resend_of, []).append(entry.delivery.id)
    return found


def records(
    entries: Sequence[MailEntry], now: float, replaced: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One JSON-ready record per message (`mail list --format json`).

    `replaced`: message id -> the id of the later letter that replaced it (a corrected draft).
    """
    replaced = replaced or {}
    again = resends_of(entries)
    result = []
    for entry in entries:
        delivery = entry.delivery
        key, words = state_of(entry, now)
        result.append(
            {
                "id": delivery.id,
                "kind": delivery.kind,
                "subject": delivery.subject,
                "place": entry.place,
                "status": key,
                "status_text": words,
                "created": iso_time(delivery.created),
                "attempts": delivery.attempts,
                "next_attempt": (
                    iso_time(delivery.next_attempt) if key in ("waiting", "retry") else None
                ),
                "recipients": list(delivery.recipients),
                "accepted": list(delivery.accepted),
                "rejected": dict(delivery.rejected),
                "remaining": list(remaining(delivery)),
                "last_error": delivery.last_error or None,
                "folder": str(entry.folder),
                "resend_of": delivery.resend_of or None,
                "resent_as": again.get(delivery.id, []),
                "replaced_by": replaced.get(delivery.id),
            }
        )
    return result


def counts(entries: Sequence[MailEntry], now: float) -> dict[str, int]:
    tally = {"waiting": 0, "retry": 0, "sent": 0, "failed": 0}
    for entry in entries:
        tally[state_of(entry, now)[0]] += 1
    return tally


def summary_line(entries: Sequence[MailEntry], now: float) -> str:
    tally = counts(entries, now)
    later = f" (trong đó {tally['retry']} chờ gửi lại)" if tally["retry"] else ""
    return (
        f"{tally['waiting'] + tally['retry']} chờ gửi{later}, "
        f"{tally['sent']} đã gửi, {tally['failed']} không gửi được"
    )


def entry_lines(
    entry: MailEntry, now: float, resent_as: Sequence[str], replaced_by: str | None = None
) -> list[str]:
    """The lines of one message in the text listing; folders relative to the drop folder."""
    delivery = entry.delivery
    where = f"{entry.folder.parent.name}/{entry.folder.name}/"
    _, words = state_of(entry, now)
    kind = KIND_NAMES.get(delivery.kind, delivery.kind)
    lines = [
        f"[{words}] {delivery.id} (thư {kind})",
        f"  Tiêu đề: {delivery.subject}",
        f"  Xếp lúc {local_time(delivery.created)}; số lần gửi: {delivery.attempts}; "
        f"thư mục {where}",
    ]
    if delivery.resend_of:
        lines.append(f"  Gửi lại thư {delivery.resend_of}.")
    if replaced_by:
        what = REPLACED_BY.get(delivery.kind, "lập từ bảng điểm đã sửa")
        lines.append(f"  ĐÃ BỊ THAY THẾ bởi thư {replaced_by} ({what}): không gửi lại thư này.")
    lines.append(f"  Đã nhận: {', '.join(delivery.accepted) or '(chưa ai)'}")
    lines += [
        f"  Không nhận được: {a} (máy chủ trả lời «{e}»)" for a, e in delivery.rejected.items()
    ]
    left = remaining(delivery)
    if left:
        lines.append(f"  Còn chờ gửi đến: {', '.join(left)}")
    if delivery.last_error and entry.place == OUTBOX:
        lines.append(f"  Lỗi lần gửi gần nhất: {delivery.last_error}")
    if entry.report_file is not None:
        lines.append(f"  Báo cáo: {where}{entry.report_file.name}")
    if resent_as:
        lines.append(f"  Đã gửi lại bằng: {', '.join(resent_as)}")
    return lines


def text_listing(
    entries: Sequence[MailEntry],
    now: float,
    root: str,
    send_now_requested: bool,
    replaced: Mapping[str, str] | None = None,
) -> list[str]:
    """The whole text of `mail list`."""
    replaced = replaced or {}
    if not entries:
        return [f"Thư mục nhận {root}: chưa có thư nào (outbox/, sent/, mail-failed/ trống)."]
    lines = [f"Thư mục nhận {root}: {len(entries)} thư: {summary_line(entries, now)}."]
    if send_now_requested:
        lines.append(
            "Có yêu cầu gửi ngay (mail send-now) đang chờ tiến trình đang xử lý thư mục nhận."
        )
    again = resends_of(entries)
    for entry in entries:
        lines += [
            "",
            *entry_lines(
                entry, now, again.get(entry.delivery.id, []), replaced.get(entry.delivery.id)
            ),
        ]
    tally = counts(entries, now)
    hints = []
    if tally["failed"] or tally["sent"]:
        hints.append("gửi lại một thư: mail resend MÃ_THƯ [--to ĐỊA_CHỈ]")
    if tally["retry"]:
        hints.append("gửi ngay các thư chờ gửi lại: mail send-now")
    if hints:
        lines += ["", "Tiếp theo: " + "; ".join(hints) + " (cùng --config)."]
    return lines
