"""What the Word template sees: the decision's wording and the results tables, as plain strings.

Pure: every number is formatted here (decimal comma, thousands dot, Decree 30 dates) and every
sentence comes from the rules file's wording, so the template holds only layout and fixed legal
form. The variable names are Vietnamese because secretaries read them in Word; README.md lists
them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from processor.core.formatting import (
    document_number,
    format_number,
    format_points,
    long_date,
    short_date,
    signed,
)
from processor.core.model import (
    AgencyResult,
    AgencyScores,
    ChangeStyle,
    DecisionInfo,
    GroupResult,
    Rules,
)
from processor.core.scoring import percent
from processor.core.wording import fill, recipient_pieces


def change_text(change: int | None, style: ChangeStyle) -> str:
    """`+2` / `tăng 2`; `-3` / `giảm 3`; `0` / `giữ nguyên`; "" when there is nothing to compare."""
    if change is None:
        return ""
    if style is ChangeStyle.SIGNED:
        return signed(change)
    if change == 0:
        return "giữ nguyên"
    return f"tăng {change}" if change > 0 else f"giảm {-change}"


def percent_text(value: Any, precision: int) -> str:
    return "" if value is None else f"{format_number(value, precision)}%"


def note_sign(index: int) -> str:
    """The sign of the decision's footnote number `index` (from 0): `(*)`, `(**)`, …"""
    return "(" + "*" * (index + 1) + ")"


def prior_text(agency: AgencyScores, rules: Rules) -> str:
    """`5`, the profile's blank, or either followed by the sign of the footnote explaining it."""
    shown = rules.wording.prior_blank if agency.prior_rank is None else str(agency.prior_rank)
    if agency.prior_note is None:
        return shown
    return f"{shown} {note_sign(agency.prior_note)}".strip()


def _row(position: int, result: AgencyResult, rules: Rules) -> dict[str, Any]:
    agency = result.agency
    wording = rules.wording
    ranked = result.rank is not None
    return {
        "tt": str(position),
        "ten": agency.name,
        "xep_hang_truoc": prior_text(agency, rules),
        "tong_diem": format_number(result.rounded_total, rules.precision),
        "diem_toi_da": format_points(result.max_points),
        "ty_le": percent_text(result.percent, rules.percent_precision),
        "xep_hang": str(result.rank) if ranked else "",
        "xep_loai": result.grade or "",
        "thay_doi": change_text(result.rank_change, wording.change_style),
        "moi": agency.prior_rank is None,
        "ly_do": agency.unranked_reason or "",
        "chi_so": [
            {
                "ma": pillar.code,
                "ten": pillar.name,
                "diem": format_number(result.pillar_totals[pillar.code], rules.precision),
                "toi_da": format_points(result.pillar_max[pillar.code]),
                "ty_le": percent_text(
                    percent(
                        result.pillar_totals[pillar.code],
                        result.pillar_max[pillar.code],
                        rules.percent_precision,
                    ),
                    rules.percent_precision,
                ),
                "xep_hang": str(result.pillar_ranks[pillar.code]) if ranked else "",
            }
            for pillar in rules.pillars
        ],
    }


def wording_values(rules: Rules, info: DecisionInfo) -> dict[str, str]:
    """What a wording placeholder stands for this year."""
    wording = rules.wording
    values = {
        "tinh": rules.document.province,
        "nam": str(info.year),
        "nam_truoc": str(info.year - 1),
        "chu_de": wording.subject,
        "chu_de_ngan": wording.subject_short,
        "co_quan_de_nghi": wording.proposing_body,
        "so_to_trinh": document_number(info.submission_number, wording.submission_symbol),
        "ngay_to_trinh": short_date(info.submission_date, fallback=info.submission_date),
    }
    for field in rules.info_fields:
        value = info.extra.get(field.name)
        values[field.name] = value if value else field.blank
    return values


def email_wording(rules: Rules, info: DecisionInfo) -> dict[str, str]:
    """The decision email's subject, salutation and the phrases its body uses."""
    values = wording_values(rules, info)
    wording = rules.wording
    return {
        "tieu_de": fill(wording.email_subject, values),
        "kinh_gui": fill(wording.email_salutation, values),
        "chu_de": wording.subject,
        "chu_de_ngan": wording.subject_short,
        "trich_yeu": " ".join(fill(line, values) for line in wording.title),
        "nguoi_ky_chuc_vu": signer_title_in_prose(info.signer_title),
    }


def signer_title_in_prose(lines: tuple[str, ...]) -> str:
    """The signer's own title in a sentence: `KT. CHỦ TỊCH / PHÓ CHỦ TỊCH` -> `Phó Chủ tịch`."""
    title = lines[-1].lower() if lines else ""
    if title.startswith("phó "):
        return "Phó " + title[4:].capitalize()
    return title.capitalize()


def _signer_lines(rules: Rules, info: DecisionInfo) -> list[str]:
    return [line.upper() for line in (*rules.wording.signature_above, *info.signer_title)]


def build_context(
    rules: Rules,
    info: DecisionInfo,
    groups: tuple[GroupResult, ...],
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The template's variables (exactly these; the template lists no others).

    `notes` are the appendix's footnotes (prior_years.PastApplied.notes): `ghi_chu` holds each
    with its sign, and a row whose agency's `prior_note` points at one shows the sign after its
    prior rank.
    """
    document = rules.document
    wording = rules.wording
    values = wording_values(rules, info)

    def text(template: str) -> str:
        return fill(template, values)

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
        "so_to_trinh": values["so_to_trinh"],
        "ngay_to_trinh": values["ngay_to_trinh"],
        "chuc_vu_nguoi_ky": _signer_lines(rules, info),
        "nguoi_ky": info.signer,
        "co_quan_viet_tat": document.issuer_short,
        "thang_diem": [g.scale_text for g in rules.groups if g.scale_text],
        "muc_xep_loai": [g.text for g in rules.grades if g.text],
        "chu_de": wording.subject,
        "chu_de_ngan": wording.subject_short,
        "co_quan_de_nghi": wording.proposing_body,
        "trich_yeu": [text(line) for line in wording.title],
        "can_cu": [text(line) for line in (*wording.legal_bases, wording.proposal)],
        "dieu_1": text(wording.article_1),
        "ghi_chu_dieu_1": text(wording.article_1_note),
        "dieu_2": text(wording.article_2),
        "dieu_3": text(wording.article_3),
        "hieu_luc": text(wording.closing),
        "noi_nhan": [
            [{"chu": piece, "duoi": sub} for piece, sub in recipient_pieces(text(line))]
            for line in wording.recipients
        ],
        "tieu_de_phu_luc": text(wording.appendix_title).upper(),
        "tieu_de_muc_1": text(wording.scale_heading),
        "tieu_de_xep_loai": text(wording.grades_heading),
        "tieu_de_ket_qua": text(wording.results_heading),
        "tieu_de_chi_so": text(wording.pillars_heading),
        "tieu_de_khong_xep_hang": text(wording.unranked_heading),
        "ghi_chu": [f"{note_sign(i)} {note}" for i, note in enumerate(notes)],
        "co_xep_loai": bool(rules.grades),
        "co_chi_so": bool(rules.pillars),
        "chi_so_chinh": [{"ma": p.code, "ten": p.name} for p in rules.pillars],
        "nhom": [
            {
                "ma": group.group.code,
                "nhan": group.group.printed_label,
                "ten": group.group.title,
                "thang_diem": format_points(group.group.max_points),
                "so_don_vi": str(len(group.results)),
                "so_khong_xep_hang": str(len(group.unranked)),
                "don_vi": [
                    _row(position, result, rules)
                    for position, result in enumerate(group.results, start=1)
                ],
                "khong_xep_hang": [
                    _row(position, result, rules)
                    for position, result in enumerate(group.unranked, start=len(group.results) + 1)
                ],
            }
            for group in groups
            if group.results or group.unranked
        ],
    }
