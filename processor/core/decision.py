"""What the Word template sees: the decision's wording and the results table, as plain strings.

Pure: every number is formatted here (decimal comma, Decree 30 dates) so the template holds
only layout and wording. The variable names are Vietnamese because secretaries read them in Word;
README.md lists them all.
"""

from __future__ import annotations

from typing import Any

from processor.core.formatting import (
    document_number,
    format_number,
    format_points,
    long_date,
    short_date,
    signed,
)
from processor.core.model import AgencyResult, DecisionInfo, GroupResult, Rules


def _row(position: int, result: AgencyResult, precision: int) -> dict[str, Any]:
    agency = result.agency
    return {
        "tt": str(position),
        "ten": agency.name,
        "xep_hang_truoc": "" if agency.prior_rank is None else str(agency.prior_rank),
        "tong_diem": format_number(result.rounded_total, precision),
        "xep_hang": str(result.rank),
        "xep_loai": result.grade,
        "thay_doi": "" if result.rank_change is None else signed(result.rank_change),
        "moi": agency.prior_rank is None,
    }


def build_context(
    rules: Rules, info: DecisionInfo, groups: tuple[GroupResult, ...]
) -> dict[str, Any]:
    """The template's variables (exactly these; the template lists no others)."""
    document = rules.document
    # A draft's blanks still show the month and year it is due: those of the submission.
    due = info.decision_date or info.submission_date
    return {
        "co_quan_ban_hanh": list(document.issuer),
        "so_quyet_dinh": document_number(info.decision_number, document.decision_symbol),
        "dia_danh": document.place,
        "ngay_quyet_dinh": long_date(info.decision_date, fallback=due),
        "ngay_quyet_dinh_ngan": short_date(info.decision_date, fallback=due),
        "tinh": document.province,
        "nam": str(info.year),
        "nam_truoc": str(info.year - 1),
        "tham_quyen": document.authority,
        "so_to_trinh": info.submission_number,
        "ngay_to_trinh": short_date(info.submission_date, fallback=info.submission_date),
        "chuc_vu_nguoi_ky": [line.upper() for line in info.signer_title],
        "nguoi_ky": info.signer,
        "co_quan_viet_tat": document.issuer_short,
        "thang_diem": [g.scale_text for g in rules.groups if g.scale_text],
        "muc_xep_loai": [g.text for g in rules.grades if g.text],
        "nhom": [
            {
                "ma": group.group.code,
                "ten": group.group.title,
                "thang_diem": format_points(group.group.max_points),
                "don_vi": [
                    _row(position, result, rules.precision)
                    for position, result in enumerate(group.results, start=1)
                ],
            }
            for group in groups
            if group.results
        ],
    }
