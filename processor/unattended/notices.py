"""What the two letters say: the decision email and the January reminder, as template variables.

Mail (processor/unattended/mail/) only fills a template from a plain mapping; what a decision
letter may say (the year, the groups and who leads them, the warnings) comes from the pipeline's
Outcome and is built here, so mail knows nothing of decisions. Every word that differs between
provinces or schemes (the subject line, the salutation, the scheme's name, the decision's title)
comes from the profile's rules, never from the template. The variable names are the ones
documented for the templates in templates/email-*.txt.j2. Also here: which outbox entry carries
which letter, so the same cause never queues a second letter.
"""

from __future__ import annotations

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


def decision_entry_id(year: int, sha256: str) -> str:
    """One outbox entry per distinct workbook: the same drop resumed finds the same entry."""
    return f"{DECISION_KIND}-{year}-{sha256[:20]}"


def reminder_entry_id(year: int) -> str:
    """One reminder per evaluation year, however many times the January job runs."""
    return f"{REMINDER_KIND}-{year}"


def decision_context(
    outcome: Outcome, workbook_name: str, sha256: str, received: datetime
) -> dict[str, Any]:
    """What the decision email may say, from a pipeline Outcome."""
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
    return {
        **_wording(rules, info),
        "nam": info.year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": outcome.path.name,
        "bang_diem": workbook_name,
        "thoi_diem_nhan": f"{received:%H:%M ngày %d/%m/%Y}",
        "so_don_vi": len(outcome.evaluation.agencies),
        "nhom": groups,
        "canh_bao": [line.strip() for line in problem_lines(outcome.warnings)],
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
    year: int, rules: Rules, decision_file: str, inbox: Path, today: date
) -> dict[str, Any]:
    """What the January reminder may say: which decision is missing, and where to drop it."""
    return {
        "nam": year,
        "tinh": rules.document.province,
        "chu_de": rules.wording.subject,
        "chu_de_ngan": rules.wording.subject_short,
        "tep_quyet_dinh": decision_file,
        "thu_muc_nhan": str(inbox),
        "ngay": f"{today:%d/%m/%Y}",
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
    return {
        **_wording(rules, sample_info(rules, year)),
        "nam": year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": rules.document.output_file.format(nam=year),
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
        "sha256": "0" * 64,
    }


def sample_reminder_context(rules: Rules, inbox: Path, year: int = 2020) -> dict[str, Any]:
    decision_file = rules.document.output_file.format(nam=year)
    return reminder_context(year, rules, decision_file, inbox, date(year + 1, 1, 5))
