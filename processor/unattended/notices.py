"""What the letters say: the decision email, the refusal email and the January reminder.

Mail (processor/unattended/mail/) only fills a template from a plain mapping; what a decision
letter may say (the year, the groups and who leads them, the warnings, which earlier letter it
replaces) comes from the pipeline's Outcome and the outbox, and is built here, so mail knows
nothing of decisions. Every word that differs between provinces or schemes (the subject line,
the salutation, the scheme's name, the decision's title) comes from the profile's rules, never
from the template. The variable names are the ones documented in the header comment of each
templates/email-*.txt.j2. Also here: which outbox entry carries which letter, so the same cause
never queues a second letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processor.core.decision import email_wording
from processor.core.model import DecisionInfo, Rules
from processor.core.report import group_summaries, problem_lines

if TYPE_CHECKING:
    from processor.pipeline import Outcome

DECISION_KIND = "quyet-dinh"
REMINDER_KIND = "nhac-viec"
REJECTION_KIND = "tu-choi"


def decision_entry_id(year: int, sha256: str) -> str:
    """One outbox entry per distinct workbook: the same drop resumed finds the same entry."""
    return f"{decision_prefix(year)}{sha256[:20]}"


def decision_prefix(year: int) -> str:
    """What every decision entry of a year begins with (an earlier one is found by it)."""
    return f"{DECISION_KIND}-{year}-"


def rejection_entry_id(stamp: str, sha256: str) -> str:
    """One refusal letter per refused drop: a resumed drop finds its letter already queued.

    `tu-choi-20260105-080001-123456-ab12cd34` for the drop of processing/2026-01-05_08-00-01_123456
    (the drop's stamp, kept short so the Message-ID stays on one line).
    """
    digits = "".join(c for c in stamp if c.isdigit())
    compact = f"{digits[:8]}-{digits[8:14]}-{digits[14:]}" if len(digits) == 20 else stamp
    return f"{REJECTION_KIND}-{compact}-{sha256[:8]}"


def moment_text(moment: datetime) -> str:
    """`08:00 ngày 05/01/2021`, as the letters and answers say a time."""
    return f"{moment:%H:%M ngày %d/%m/%Y}"


@dataclass(frozen=True, slots=True)
class Replaced:
    """An earlier decision letter for the same year, which a new one replaces."""

    entry_id: str
    subject: str
    moment: datetime  # when it was sent (or queued, while it is not)
    sent: bool  # every recipient has it
    failed: bool  # someone could not be reached (mail-failed/)
    workbook: str = ""  # the workbook it came from, when the ledger still knows
    received: datetime | None = None

    @property
    def state(self) -> str:
        """`đã gửi lúc …`, `lập lúc …, chưa gửi xong`: what became of it, in words."""
        when = moment_text(self.moment)
        if self.sent:
            return f"đã gửi lúc {when}"
        if self.failed:
            return f"lập lúc {when}, chưa đến được một số người nhận"
        return f"lập lúc {when}, chưa gửi xong"

    def sentence(self) -> str:
        """The sentence of the answers and reports: this letter replaces that one."""
        source = f", lập từ bảng điểm {self.workbook}" if self.workbook else ""
        return (
            f"Thư này THAY THẾ thư dự thảo quyết định cùng năm {self.state}{source} (mã thư "
            f"{self.entry_id}): Văn thư chỉ ghi số dự thảo gửi kèm thư mới, bỏ dự thảo cũ."
        )


def replaced_subject(subject: str, replaced: Replaced | None) -> str:
    """The subject says it replaces an earlier letter, so the office sees it before opening it.

    In the subject itself (the template's `tieu_de`), so a province's own template written
    before this notice existed still carries it.
    """
    if replaced is None:
        return subject
    done = "gửi" if replaced.sent else "lập"
    return f"THAY THẾ dự thảo {done} lúc {moment_text(replaced.moment)} – {subject}"


def replaced_context(replaced: Replaced | None) -> dict[str, Any] | None:
    """The template's `thay_the`: None when the letter replaces nothing."""
    if replaced is None:
        return None
    return {
        "ma_thu": replaced.entry_id,
        "tieu_de": replaced.subject,
        "thoi_diem": moment_text(replaced.moment),
        "da_gui": replaced.sent,
        "tinh_trang": replaced.state,
        "bang_diem": replaced.workbook,
        "nhan_luc": "" if replaced.received is None else moment_text(replaced.received),
    }


def reminder_entry_id(year: int) -> str:
    """One reminder per evaluation year, however many times the January job runs."""
    return f"{REMINDER_KIND}-{year}"


def decision_context(
    outcome: Outcome,
    workbook_name: str,
    sha256: str,
    received: datetime,
    *,
    attachments: Sequence[str] = (),
    replaced: Replaced | None = None,
    answers: str = "",
) -> dict[str, Any]:
    """What the decision email may say, from a pipeline Outcome.

    `attachments` are the names of the files attached, the decision first; `answers` the
    answers folder as people know it.
    """
    rules = outcome.rules
    info = outcome.evaluation.info
    groups = [
        {
            "ma": group.code,
            "ten": group.title,
            "so_don_vi": group.agencies,
            "so_khong_xep_hang": group.unranked,
            "xep_loai": group.grades_text,
            "dung_dau": group.first or "",
            "diem_dung_dau": group.first_total or "",
        }
        for group in group_summaries(rules, outcome.groups)
    ]
    words = _wording(rules, info)
    return {
        **words,
        "tieu_de": replaced_subject(words["tieu_de"], replaced),
        "tieu_de_goc": words["tieu_de"],
        "nam": info.year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": outcome.path.name,
        "tep_dinh_kem": list(attachments or [outcome.path.name]),
        "bang_diem": workbook_name,
        "thoi_diem_nhan": moment_text(received),
        "so_don_vi": len(outcome.evaluation.agencies),
        "nhom": groups,
        "canh_bao": [line.strip() for line in problem_lines(outcome.warnings)],
        "ghi_chu": list(outcome.notes),
        "thay_the": replaced_context(replaced),
        "thu_muc_tra_loi": answers,
        "sha256": sha256,
    }


def _wording(rules: Rules, info: DecisionInfo) -> dict[str, str]:
    """The rules' words for the letter, and the decision's title as it reads inside a sentence."""
    words = email_wording(rules, info)
    title = words.get("trich_yeu", "")
    return {
        **words,
        "trich_yeu_trong_cau": title[:1].lower() + title[1:],
        "nguoi_ky": info.signer,
    }


def reminder_context(
    year: int,
    rules: Rules,
    decision_file: str,
    inbox: Path | str,
    today: date,
    answers: Path | str = "",
) -> dict[str, Any]:
    """What the January reminder may say: which decision is missing, and where to drop it.

    `inbox` and `answers` are the folders as people know them (under the share name).
    """
    return {
        "nam": year,
        "tinh": rules.document.province,
        "chu_de": rules.wording.subject,
        "chu_de_ngan": rules.wording.subject_short,
        "tep_quyet_dinh": decision_file,
        "thu_muc_nhan": str(inbox),
        "thu_muc_tra_loi": str(answers),
        "ngay": f"{today:%d/%m/%Y}",
    }


@dataclass(frozen=True, slots=True)
class Refused:
    """A refused drop, as its letter tells it (all plain text but the flags)."""

    workbook: str
    received: datetime
    sha256: str
    summary: str
    lines: Sequence[str]
    technical: bool  # the technical staff's move (template, rules, server), not the secretary's
    template: str = ""  # the Word template at fault, if it is
    marked: str = ""  # the attached marked copy's name ("" when none could be made)
    answer: str = ""  # the answer in the answers folder, as people know it
    inbox: str = ""
    answers: str = ""
    filed_as: str = ""  # where the original is kept, under the drop folder


def rejection_context(refused: Refused, rules: Rules) -> dict[str, Any]:
    """What the refusal email may say: the report, whose move it is, what is attached."""
    return {
        "tinh": rules.document.province,
        "chu_de": rules.wording.subject,
        "chu_de_ngan": rules.wording.subject_short,
        "bang_diem": refused.workbook,
        "thoi_diem_nhan": moment_text(refused.received),
        "sha256": refused.sha256,
        "tom_tat": refused.summary,
        "loi": [line.strip() for line in refused.lines],
        "ky_thuat": refused.technical,
        "mau_word": refused.template,
        "tep_danh_dau": refused.marked,
        "tra_loi": refused.answer,
        "thu_muc_nhan": refused.inbox,
        "thu_muc_tra_loi": refused.answers,
        "tep_goc": refused.filed_as,
    }


def sample_info(rules: Rules, year: int = 2020) -> DecisionInfo:
    """A `Thông tin` sheet as a draft has it: no numbers yet, the profile's own rows empty."""
    return DecisionInfo(
        year=year,
        submission_number=None,
        submission_date=date(year + 1, 1, 8),
        signer="Nguyễn Văn A",
        signer_title=("CHỦ TỊCH",),
        extra={field.name: None for field in rules.info_fields},
    )


def sample_decision_context(rules: Rules, year: int = 2020) -> dict[str, Any]:
    """Plausible values with the profile's own words, so `config check` can try a template."""
    group = rules.groups[0]
    words = _wording(rules, sample_info(rules, year))
    return {
        **words,
        "tieu_de_goc": words["tieu_de"],
        "nam": year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": rules.document.output_file.format(nam=year),
        "tep_dinh_kem": [rules.document.output_file.format(nam=year)],
        "bang_diem": f"bang-diem-{year}.xlsx",
        "thoi_diem_nhan": f"08:00 ngày 05/01/{year + 1}",
        "so_don_vi": 3,
        "nhom": [
            {
                "ma": group.code,
                "ten": group.title,
                "so_don_vi": 2,
                "so_khong_xep_hang": 1,
                "xep_loai": f"{rules.grades[0].name} 2" if rules.grades else "",
                "dung_dau": "Sở Khoa học và Công nghệ",
                "diem_dung_dau": "96,34",
            }
        ],
        "canh_bao": ["Cảnh báo Điểm!T3: ví dụ một cảnh báo."],
        "ghi_chu": ["Không lập được bản PDF: ví dụ một ghi chú."],
        "thay_the": replaced_context(
            Replaced(
                decision_entry_id(year, "1" * 64),
                "Dự thảo Quyết định (thư trước)",
                datetime(year + 1, 1, 4, 9, 30),
                sent=True,
                failed=False,
                workbook=f"bang-diem-{year}-cu.xlsx",
                received=datetime(year + 1, 1, 4, 9, 29),
            )
        ),
        "thu_muc_tra_loi": "\\\\may-chu\\XepHang\\tra-loi",
        "sha256": "0" * 64,
    }


def sample_reminder_context(
    rules: Rules, inbox: Path | str, year: int = 2020, answers: Path | str = ""
) -> dict[str, Any]:
    decision_file = rules.document.output_file.format(nam=year)
    return reminder_context(year, rules, decision_file, inbox, date(year + 1, 1, 5), answers)


def sample_rejection_context(rules: Rules, technical: bool = False) -> dict[str, Any]:
    """A refusal with one error, so `config check` can try the refusal template."""
    refused = Refused(
        workbook="bang-diem-2020.xlsx",
        received=datetime(2021, 1, 5, 8, 0),
        sha256="0" * 64,
        summary="Bảng tính bang-diem-2020.xlsx có 1 lỗi cần sửa; chưa lập quyết định.",
        lines=["  Lỗi Điểm!G2 (Sở A): Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 của nhóm I."],
        technical=technical,
        template="/srv/mau/quyet-dinh.docx" if technical else "",
        marked="" if technical else "bang-diem-2020.danh-dau-loi.xlsx",
        answer="\\\\may-chu\\XepHang\\tra-loi\\bang-diem-2020 - CẦN SỬA.txt",
        inbox="\\\\may-chu\\XepHang\\inbox",
        answers="\\\\may-chu\\XepHang\\tra-loi",
        filed_as="failed/2021-01-05_080000_00000000_bang-diem-2020.xlsx",
    )
    return rejection_context(refused, rules)
