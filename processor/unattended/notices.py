"""What the two letters say: the decision email and the January reminder, as template variables.

Mail (processor/unattended/mail/) only fills a template from a plain mapping; what a decision
letter may say (the year, the groups and who leads them, the warnings) comes from the pipeline's
Outcome and is built here, so mail knows nothing of decisions. The variable names are the ones
documented for the templates in templates/email-*.txt.j2. Also here: which outbox entry carries
which letter, so the same cause never queues a second letter.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    groups = [
        {
            "ma": group.code,
            "ten": group.title,
            "so_don_vi": group.agencies,
            "xep_loai": group.grades_text,
            "dung_dau": group.first or "",
            "diem_dung_dau": group.first_total or "",
        }
        for group in group_summaries(rules, outcome.groups)
    ]
    return {
        "nam": outcome.evaluation.info.year,
        "tinh": rules.document.province,
        "tep_quyet_dinh": outcome.path.name,
        "bang_diem": workbook_name,
        "thoi_diem_nhan": f"{received:%H:%M ngày %d/%m/%Y}",
        "so_don_vi": len(outcome.evaluation.agencies),
        "nhom": groups,
        "canh_bao": [line.strip() for line in problem_lines(outcome.warnings)],
        "sha256": sha256,
    }


def reminder_context(
    year: int, province: str, decision_file: str, inbox: Path, today: date
) -> dict[str, Any]:
    """What the January reminder may say: which decision is missing, and where to drop it."""
    return {
        "nam": year,
        "tinh": province,
        "tep_quyet_dinh": decision_file,
        "thu_muc_nhan": str(inbox),
        "ngay": f"{today:%d/%m/%Y}",
    }


def sample_decision_context() -> dict[str, Any]:
    """Plausible values, so `config check` can try a template before January does."""
    return {
        "nam": 2020,
        "tinh": "Lào Cai",
        "tep_quyet_dinh": "quyet-dinh-xep-hang-cntt-2020.docx",
        "bang_diem": "bang-diem-2020.xlsx",
        "thoi_diem_nhan": "08:00 ngày 05/01/2021",
        "so_don_vi": 2,
        "nhom": [
            {
                "ma": "I",
                "ten": "Các cơ quan, đơn vị có TTHC",
                "so_don_vi": 2,
                "xep_loai": "Tốt 1, Khá 1",
                "dung_dau": "Sở Thông tin và Truyền thông",
                "diem_dung_dau": "96,34",
            }
        ],
        "canh_bao": ["Cảnh báo Điểm!T3: ví dụ một cảnh báo."],
        "sha256": "0" * 64,
    }


def sample_reminder_context(inbox: Path) -> dict[str, Any]:
    return reminder_context(
        2020, "Lào Cai", "quyet-dinh-xep-hang-cntt-2020.docx", inbox, date(2021, 1, 5)
    )
