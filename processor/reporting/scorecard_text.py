"""What a scorecard says, as sentences: every one a report_wording template filled with figures.

A province rewords any of them in [report] of its rules file (report_wording.REPORT_TEXTS lists
the keys and their placeholders). Every figure comes from the Scorecard, printed the Vietnamese
way: scores at the rules' precision ("814,88"), a maximum as the decision prints it ("1.000");
only the percent is worked out here, from the card's own total and maximum, when the rules do
not rank by percent and the card carries none.
"""

from __future__ import annotations

from collections.abc import Sequence

from processor.core.formatting import format_number, format_points, round_score
from processor.core.report_wording import report_text
from processor.reporting.model import Measure, Report, Scorecard


def card_paragraphs(report: Report, card: Scorecard) -> tuple[str, ...]:
    """The text under the agency's name, one paragraph each: the result, the level and the next
    level; the prior rank and the change; the indices with the most room."""
    level: list[str] = []
    if card.grade is not None:
        level.append(report_text(report.texts, "card_level", muc=card.grade))
    if card.rank is not None:
        lacks = card.lacking is not None or card.lacking_percent is not None
        if card.next_grade is not None and lacks:
            level.append(
                report_text(
                    report.texts,
                    "card_next",
                    thieu=lacking_text(report, card),
                    muc_tiep=card.next_grade,
                    muc=card.grade or "",
                )
            )
        elif card.grade is not None and card.next_grade is None:
            level.append(report_text(report.texts, "card_top", muc=card.grade))
    paragraphs = [" ".join((_result(report, card), *level))]
    if card.rank is not None:
        paragraphs.append(_prior(report, card))
    if card.most_room:
        room = room_list(report, card.most_room)
        kind = "tiêu chí" if report.index_kind == "criterion" else "chỉ số"
        paragraphs.append(report_text(report.texts, "card_room", danh_sach=room, loai=kind))
    return tuple(paragraph for paragraph in paragraphs if paragraph)


def percent_text(report: Report, card: Scorecard) -> str:
    """`96,34%`: the card's percent, or its total over its maximum when it carries none."""
    percent = card.percent
    if percent is None:
        if card.max_points <= 0:
            return ""
        percent = round_score(card.total * 100 / card.max_points, report.percent_precision)
    return format_number(percent, report.percent_precision) + "%"


def lacking_text(report: Report, card: Scorecard) -> str:
    """`0,45 điểm`; in percent: `1,20 điểm phần trăm (khoảng 9,60 điểm)`."""
    points = None if card.lacking is None else format_number(card.lacking, report.precision)
    if card.lacking_percent is None:
        return f"{points} điểm"
    percent = format_number(card.lacking_percent, report.percent_precision)
    about = "" if points is None else f" (khoảng {points} điểm)"
    return f"{percent} điểm phần trăm{about}"


def change_text(change: int) -> str:
    """`tăng 2 bậc`, `giảm 1 bậc`, `giữ nguyên`."""
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


def room_list(report: Report, measures: Sequence[Measure]) -> str:
    """`CS5 Hoạt động chính quyền số (còn 35,20 điểm); CS4 Dữ liệu số (còn 20,00 điểm)`."""
    return "; ".join(
        f"{m.code} {m.name} (còn {format_number(m.room, report.precision)} điểm)" for m in measures
    )


def card_title(report: Report) -> str:
    """`PHIẾU KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ CHUYỂN ĐỔI SỐ NĂM 2026`."""
    return report_text(
        report.texts,
        "card_title",
        chu_de_hoa=report.subject_short.upper(),
        chu_de=report.subject,
        chu_de_ngan=report.subject_short,
        tinh=report.province,
        nam=report.year,
    )


def _result(report: Report, card: Scorecard) -> str:
    figures = {
        "don_vi": card.name,
        "tong_diem": format_number(card.total, report.precision),
        "toi_da": format_points(card.max_points),  # as the decision prints it: "1.000"
        "ty_le": percent_text(report, card),
    }
    group = {"nhom": card.group_label or card.group, "ten_nhom": card.group_title}
    if card.rank is None:
        reason = (card.unranked_reason or "").rstrip(".")
        return report_text(report.texts, "card_unranked", ly_do=reason, **figures, **group)
    return report_text(
        report.texts,
        "card_result",
        **figures,
        **group,
        hang=card.rank,
        so_don_vi=card.ranked_in_group,
    )


def _prior(report: Report, card: Scorecard) -> str:
    prior_year = report.prior_year if report.prior_year is not None else report.year - 1
    if card.prior_rank is None or card.rank is None:
        return report_text(report.texts, "card_new", nam_truoc=prior_year, nam=report.year)
    change = card.rank_change if card.rank_change is not None else card.prior_rank - card.rank
    return report_text(
        report.texts,
        "card_prior",
        nam_truoc=prior_year,
        hang_truoc=card.prior_rank,
        nam=report.year,
        hang=card.rank,
        thay_doi=change_text(change),
    )
