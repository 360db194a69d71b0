"""What a scorecard letter says, and which outbox entry carries it ([report] email_scorecards).

Each agency with an address in the workbook's `Email` column gets one letter per workbook: its
own scorecard attached, a short summary in the body. The entry id is made of the year, the
agency's name and the workbook's SHA-256, so a drop resumed after a crash finds its letters
queued, and a corrected workbook's letter to the same agency is known to replace the earlier
one. The variables are those documented at the top of templates/email-phieu-ket-qua.txt.j2.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from processor.core.formatting import format_number, format_points
from processor.core.model import Rules
from processor.core.past import agency_key
from processor.unattended.mail.outbox import MAIL_FAILED, SENT, Mailbox
from processor.unattended.notices import Replaced, moment_text, replaced_context
from processor.unattended.replacement import entry_moment, last_before

if TYPE_CHECKING:
    from processor.reporting.model import Report, Scorecard

SCORECARD_KIND = "phieu-ket-qua"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_NAME_ROOM = 80  # characters of the agency's name kept in the attachment's name


def scorecard_prefix(year: int, agency: str) -> str:
    """What every scorecard entry of one agency and year begins with."""
    digest = hashlib.sha256(agency_key(agency).encode("utf-8")).hexdigest()[:8]
    return f"{SCORECARD_KIND}-{year}-{digest}-"


def scorecard_entry_id(year: int, sha256: str, agency: str) -> str:
    """One entry per agency and workbook: the same drop resumed finds the same entry."""
    return f"{scorecard_prefix(year, agency)}{sha256[:12]}"


def attachment_name(year: int, agency: str) -> str:
    """`Phiếu kết quả 2020 - Sở Tư pháp.docx`, with no character a file system refuses."""
    name = " ".join(_UNSAFE.sub("-", agency).split())[:_NAME_ROOM].strip(" .-") or "don-vi"
    return f"Phiếu kết quả {year} - {name}.docx"


def earlier_scorecard(mailbox: Mailbox, year: int, agency: str, entry_id: str) -> Replaced | None:
    """The letter queued last to the same agency for the same year, before `entry_id`."""
    last = last_before(mailbox, SCORECARD_KIND, scorecard_prefix(year, agency), entry_id)
    if last is None:
        return None
    return Replaced(
        entry_id=last.delivery.id,
        subject=last.delivery.subject,
        moment=entry_moment(last),
        sent=last.place == SENT,
        failed=last.place == MAIL_FAILED,
    )


def subject_of(rules: Rules, year: int, agency: str, replaced: Replaced | None) -> str:
    subject = f"Phiếu kết quả xếp hạng mức độ {rules.wording.subject_short} năm {year}: {agency}"
    if replaced is None:
        return subject
    done = "gửi" if replaced.sent else "lập"
    return f"THAY THẾ phiếu {done} lúc {moment_text(replaced.moment)} – {subject}"


def change_words(change: int | None) -> str:
    """`tăng 2 bậc`, `giảm 1 bậc`, `giữ nguyên`; "" when there is nothing to compare."""
    if change is None:
        return ""
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


def scorecard_context(
    rules: Rules,
    report: Report,
    card: Scorecard,
    attachment: str,
    replaced: Replaced | None = None,
) -> dict[str, Any]:
    """What one agency's letter may say, every figure from its scorecard."""
    digits, percent_digits = report.precision, report.percent_precision

    def points(value: Decimal | None) -> str:
        return "" if value is None else format_number(value, digits)

    words = rules.wording
    subject = subject_of(rules, report.year, card.name, None)
    return {
        "tieu_de": subject_of(rules, report.year, card.name, replaced),
        "tieu_de_goc": subject,
        "don_vi": card.name,
        "nam": report.year,
        "tinh": rules.document.province,
        "chu_de": words.subject,
        "chu_de_ngan": words.subject_short,
        "nhom": card.group_label,
        "ten_nhom": card.group_title,
        "tong_diem": points(card.total),
        "diem_toi_da": format_points(card.max_points),
        "ty_le": "" if card.percent is None else format_number(card.percent, percent_digits),
        "xep_loai": card.grade or "",
        "thu_hang": card.rank or "",
        "so_don_vi_nhom": card.ranked_in_group,
        "ly_do_khong_xep_hang": card.unranked_reason or "",
        "thu_hang_nam_truoc": card.prior_rank or "",
        "thay_doi": change_words(card.rank_change),
        "muc_tiep_theo": card.next_grade or "",
        "con_thieu": points(card.lacking),
        "con_thieu_phan_tram": (
            ""
            if card.lacking_percent is None
            else format_number(card.lacking_percent, percent_digits)
        ),
        "loai_chi_so": "chỉ số" if report.index_kind == "pillar" else "tiêu chí",
        "du_dia": [
            {"ma": m.code, "ten": m.name, "con_thieu": points(m.room)}
            for m in card.most_room
            if m.room > 0
        ],
        "tep_dinh_kem": attachment,
        "thay_the": replaced_context(replaced),
    }


def sample_scorecard_context(rules: Rules, year: int = 2020) -> dict[str, Any]:
    """Plausible values with the profile's words, so `config check` can try the template."""
    group = rules.groups[0]
    agency = "Sở Tư pháp"
    earlier = Replaced(
        scorecard_entry_id(year, "1" * 64, agency),
        "Phiếu kết quả (thư trước)",
        datetime(year + 1, 1, 4, 9, 30),
        sent=True,
        failed=False,
    )
    return {
        "tieu_de": subject_of(rules, year, agency, earlier),
        "tieu_de_goc": subject_of(rules, year, agency, None),
        "don_vi": agency,
        "nam": year,
        "tinh": rules.document.province,
        "chu_de": rules.wording.subject,
        "chu_de_ngan": rules.wording.subject_short,
        "nhom": group.printed_label,
        "ten_nhom": group.title,
        "tong_diem": "85,02",
        "diem_toi_da": format_points(group.max_points),
        "ty_le": "85,02",
        "xep_loai": rules.grades[-1].name if len(rules.grades) > 1 else "",
        "thu_hang": 3,
        "so_don_vi_nhom": 16,
        "ly_do_khong_xep_hang": "",
        "thu_hang_nam_truoc": 5,
        "thay_doi": change_words(2),
        "muc_tiep_theo": rules.grades[0].name if rules.grades else "",
        "con_thieu": "2,98",
        "con_thieu_phan_tram": "",
        "loai_chi_so": "chỉ số" if rules.pillars else "tiêu chí",
        "du_dia": [{"ma": c.code, "ten": c.name, "con_thieu": "3,25"} for c in rules.criteria[:2]],
        "tep_dinh_kem": attachment_name(year, agency),
        "thay_the": replaced_context(earlier),
    }
