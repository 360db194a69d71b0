"""An outbox entry's delivery state, and every decision about it, as pure functions.

Who is still to be sent to, whether the entry is due, how long to wait before the next try,
what the server's answers mean and when to give up are decided here over plain values, so they
are tested without a server, a disk or a clock. The state is replaced after each try, never
mutated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from enum import Enum

from processor.config.settings import RetrySettings


class Status(Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox entry's delivery state; replaced, never mutated, after each attempt."""

    id: str
    kind: str  # "quyet-dinh", "nhac-viec", ... (processor/unattended/notices.py)
    subject: str
    sender: str  # envelope sender (bare address)
    recipients: tuple[str, ...]
    created: float  # epoch seconds
    accepted: tuple[str, ...] = ()
    rejected: Mapping[str, str] = field(default_factory=dict)  # permanent: address -> answer
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""
    resend_of: str = ""  # `mail resend`: the entry whose message this one sends again

    def to_json(self) -> str:
        data = asdict(self)
        data["rejected"] = dict(self.rejected)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Delivery:
        data = json.loads(text)
        data["recipients"] = tuple(data["recipients"])
        data["accepted"] = tuple(data.get("accepted", ()))
        data["rejected"] = dict(data.get("rejected", {}))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try did: who accepted, who was refused for good, who may be tried again."""

    accepted: tuple[str, ...] = ()
    permanent: Mapping[str, str] = field(default_factory=dict)
    temporary: Mapping[str, str] = field(default_factory=dict)


def remaining(delivery: Delivery) -> tuple[str, ...]:
    """Recipients still to be sent to: neither accepted nor refused for good."""
    done = set(delivery.accepted) | set(delivery.rejected)
    return tuple(r for r in delivery.recipients if r not in done)


def status(delivery: Delivery) -> Status:
    if remaining(delivery):
        return Status.PENDING
    return Status.FAILED if delivery.rejected else Status.SENT


def is_due(delivery: Delivery, now: float) -> bool:
    return status(delivery) is Status.PENDING and delivery.next_attempt <= now


def retry_delay(attempts: int, retry: RetrySettings) -> float:
    """Wait before try number attempts+1: first, doubling each time, never above the cap."""
    if attempts <= 0:
        return 0.0
    doublings = min(attempts - 1, 30)  # at least 0 here, so the factor is a whole number
    return min(retry.first_seconds * (1 << doublings), retry.max_seconds)


def is_permanent(code: int) -> bool:
    return code >= 500


def answer_text(code: int, text: bytes | str) -> str:
    """A server's answer on one line: `550 5.1.1 no such user`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def attempt_from_answers(
    targets: Sequence[str], refused: Mapping[str, tuple[int, bytes | str]]
) -> Attempt:
    """smtplib's refused-recipients dict (from a normal return or SMTPRecipientsRefused)."""
    permanent: dict[str, str] = {}
    temporary: dict[str, str] = {}
    for address, (code, text) in refused.items():
        answer = answer_text(code, text)
        (permanent if is_permanent(code) else temporary)[address] = answer
    accepted = tuple(t for t in targets if t not in refused)
    return Attempt(accepted=accepted, permanent=permanent, temporary=temporary)


def attempt_for_all(targets: Sequence[str], answer: str, *, permanent: bool) -> Attempt:
    """The same answer for every target: a refused sender, refused data, or no connection."""
    answers = dict.fromkeys(targets, answer)
    return Attempt(permanent=answers) if permanent else Attempt(temporary=answers)


def after_attempt(
    delivery: Delivery, attempt: Attempt, now: float, retry: RetrySettings
) -> Delivery:
    """The state after one try; past the give-up time, temporary failures become permanent."""
    accepted = tuple(dict.fromkeys((*delivery.accepted, *attempt.accepted)))
    rejected = {**delivery.rejected, **attempt.permanent}
    errors = {**attempt.temporary, **attempt.permanent}
    last_error = "; ".join(f"{a}: {e}" for a, e in errors.items())
    updated = replace(
        delivery,
        accepted=accepted,
        rejected=rejected,
        attempts=delivery.attempts + 1,
        last_error=last_error,
    )
    left = remaining(updated)
    if not left:
        return updated
    if now - delivery.created >= retry.give_up_hours * 3600:
        hours = format_number_hours(retry.give_up_hours)
        gave_up = {
            r: f"bỏ cuộc sau {hours} giờ thử lại; lỗi cuối: {attempt.temporary.get(r, last_error)}"
            for r in left
        }
        return replace(updated, rejected={**rejected, **gave_up})
    return replace(updated, next_attempt=now + retry_delay(updated.attempts, retry))


def format_number_hours(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def failure_report(delivery: Delivery) -> str:
    """The Vietnamese report put beside a message that could not reach everyone."""
    lines = [
        f"Thư: {delivery.subject}",
        f"Mã thư trong hàng đợi: {delivery.id}",
        f"Số lần gửi: {delivery.attempts}",
        "",
        "Không gửi được đến:",
        *(
            f"  {address}: máy chủ trả lời «{answer}»"
            for address, answer in delivery.rejected.items()
        ),
    ]
    if delivery.accepted:
        lines += ["", "Đã gửi được đến (không gửi lại):", *(f"  {a}" for a in delivery.accepted)]
    lines += [
        "",
        "Kiểm tra địa chỉ người nhận trong tệp cấu hình, rồi gửi lại thư này cho người chưa "
        "nhận được:",
        f"  python -m processor mail resend {delivery.id} --to ĐỊA_CHỈ --config TỆP_CẤU_HÌNH",
        "(bỏ --to: gửi lại cho mọi người nhận, kể cả người đã nhận). Hoặc gửi tay tệp "
        "message.eml trong thư mục này.",
    ]
    return "\n".join(lines) + "\n"
