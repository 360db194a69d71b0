"""The report's fixed sentences as data: a province rewords them in [report] of its rules file.

The summary and the scorecards say nothing but these templates filled with figures from the
computed table (processor/reporting/), so no sentence can state a figure the table does not
hold. Each template names only the placeholders listed for it; the rules loader refuses a
template naming another, so a misspelt name is found when the profile is loaded, not while the
report is written.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

# key -> (default template, the placeholders it may use)
REPORT_TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # The summary (báo cáo tổng hợp)
    "summary_title": (
        "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ {chu_de_hoa} NĂM {nam}",
        ("chu_de_hoa", "chu_de", "chu_de_ngan", "tinh", "nam"),
    ),
    "summary_intro": (
        "Báo cáo tổng hợp từ bảng điểm của Hội đồng thẩm định năm {nam}: {so_don_vi} đơn vị "
        "được đánh giá, {so_nhom} nhóm xếp hạng. Mọi số liệu dưới đây lấy từ bảng kết quả đã "
        "tính.",
        ("nam", "so_don_vi", "so_nhom", "tinh", "chu_de", "chu_de_ngan"),
    ),
    "group_count": (
        "Nhóm {nhom} ({ten_nhom}) có {so_don_vi} đơn vị được xếp hạng.",
        ("nhom", "ten_nhom", "so_don_vi"),
    ),
    "group_totals": (
        "Tổng điểm (tối đa {toi_da} điểm): trung bình {trung_binh} điểm, trung vị {trung_vi} "
        "điểm; cao nhất {cao_nhat} điểm ({dan_dau}), thấp nhất {thap_nhat} điểm ({cuoi_bang}); "
        "chênh lệch giữa cao nhất và thấp nhất {chenh_lech} điểm.",
        (
            "trung_binh",
            "trung_vi",
            "cao_nhat",
            "dan_dau",
            "thap_nhat",
            "cuoi_bang",
            "chenh_lech",
            "toi_da",
        ),
    ),
    "group_unranked": (
        "Ngoài ra, {so_don_vi} đơn vị được đánh giá nhưng không xếp hạng.",
        ("so_don_vi",),
    ),
    "group_percents": (
        "Tỷ lệ điểm đạt được so với điểm tối đa: trung bình {trung_binh}%, trung vị "
        "{trung_vi}%; cao nhất {cao_nhat}% ({dan_dau}), thấp nhất {thap_nhat}% ({cuoi_bang}).",
        ("trung_binh", "trung_vi", "cao_nhat", "dan_dau", "thap_nhat", "cuoi_bang", "chenh_lech"),
    ),
    "group_levels": ("Về mức độ: {muc_do}.", ("muc_do",)),
    "group_levels_change": ("So với năm {nam_truoc}: {thay_doi}.", ("nam_truoc", "thay_doi")),
    "group_up": ("Tăng hạng nhiều nhất: {danh_sach}.", ("danh_sach",)),
    "group_down": ("Giảm hạng nhiều nhất: {danh_sach}.", ("danh_sach",)),
    "group_leaders": ("Dẫn đầu từng {loai}: {danh_sach}.", ("danh_sach", "loai")),
    "summary_flags": (
        "Các kết quả dưới đây đúng theo bảng điểm nhưng phụ thuộc vào chênh lệch rất nhỏ: "
        "cách ngưỡng một mức không quá {bien} {don_vi}, bằng hoặc khác nhau chỉ do làm tròn, "
        "hoặc đổi thứ hạng nếu một ô điểm thay đổi một bước chấm. Đề nghị Hội đồng rà soát "
        "lại trước khi trình ký.",
        ("bien", "don_vi"),
    ),
    "summary_no_flags": (
        "Không có kết quả nào cách ngưỡng một mức không quá {bien} {don_vi}, bằng hoặc khác "
        "nhau chỉ do làm tròn, hoặc đổi thứ hạng khi một ô điểm thay đổi một bước chấm.",
        ("bien", "don_vi"),
    ),
    # The scorecard (phiếu kết quả), one page per agency
    "card_title": (
        "PHIẾU KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ {chu_de_hoa} NĂM {nam}",
        ("chu_de_hoa", "chu_de", "chu_de_ngan", "tinh", "nam"),
    ),
    "card_result": (
        "{don_vi} đạt {tong_diem}/{toi_da} điểm ({ty_le}), xếp hạng {hang}/{so_don_vi} trong "
        "nhóm {nhom}.",
        ("don_vi", "tong_diem", "toi_da", "ty_le", "hang", "so_don_vi", "nhom", "ten_nhom"),
    ),
    "card_level": ("Mức độ: {muc}.", ("muc",)),
    "card_next": (
        "Cần thêm {thieu} để đạt mức {muc_tiep}.",
        ("thieu", "muc_tiep", "muc"),
    ),
    "card_top": ("Đơn vị đã ở mức cao nhất ({muc}).", ("muc",)),
    "card_room": (
        "Các {loai} còn nhiều điểm có thể cải thiện nhất: {danh_sach}.",
        ("danh_sach", "loai"),
    ),
    "card_prior": (
        "Năm {nam_truoc} xếp hạng {hang_truoc}; năm {nam} xếp hạng {hang} ({thay_doi}).",
        ("nam_truoc", "hang_truoc", "nam", "hang", "thay_doi"),
    ),
    "card_new": (
        "Chưa có thứ hạng năm {nam_truoc} để so sánh.",
        ("nam_truoc", "nam"),
    ),
    "card_unranked": (
        "{don_vi} đạt {tong_diem}/{toi_da} điểm ({ty_le}); được đánh giá nhưng không xếp hạng: "
        "{ly_do}.",
        ("don_vi", "ly_do", "tong_diem", "toi_da", "ty_le", "nhom", "ten_nhom"),
    ),
}
REPORT_TEXT_KEYS = tuple(REPORT_TEXTS)


def text_problem(key: str, template: str) -> str | None:
    """Why a province's template for `key` cannot be used, in Vietnamese; None when it can."""
    if key not in REPORT_TEXTS:
        return f"không có câu mẫu «{key}»; các câu mẫu: {', '.join(REPORT_TEXT_KEYS)}."
    allowed = REPORT_TEXTS[key][1]
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError:
        return "dấu ngoặc nhọn { } không khớp; mỗi chỗ điền số liệu viết dạng {ten}."
    for name in names:
        if name not in allowed:
            return (
                f"câu mẫu «{key}» không dùng được {{{name}}}; "
                f"chỉ dùng: {', '.join('{' + a + '}' for a in allowed)}."
            )
    return None


def report_text(texts: Mapping[str, str], key: str, **values: object) -> str:
    """The sentence `key`, the province's wording when it has one, filled with `values`."""
    template = texts.get(key, REPORT_TEXTS[key][0])
    return template.format_map({name: values.get(name, "") for name in REPORT_TEXTS[key][1]})
