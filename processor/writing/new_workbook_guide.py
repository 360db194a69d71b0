"""The words of next year's workbook: its `Hướng dẫn` sheet and the hints of `Thông tin`.

Plain text made from the rules (no openpyxl here), kept apart from the layout in
new_workbook.py so each reads on its own. Everything is Vietnamese, numbers with the decimal
comma, as the council reads them.
"""

from __future__ import annotations

from processor.core.formatting import format_points
from processor.core.model import (
    COL_EMAIL,
    COL_GROUP,
    COL_NAME,
    COL_NO,
    COL_PRIOR,
    COL_TOTAL,
    COL_UNRANKED,
    Rules,
)
from processor.core.sheet import INFO_SHEET, SCORE_SHEET
from processor.core.validation.info import (
    INFO_KEYS,
    KEY_DECISION_DATE,
    KEY_DECISION_NO,
    KEY_SIGNER,
    KEY_SIGNER_TITLE,
    KEY_SUBMISSION_DATE,
    KEY_SUBMISSION_NO,
    KEY_YEAR,
)

GUIDE_SHEET = "Hướng dẫn"
# The crosswalk sheet as processor/core/validation/crosswalk.py reads it.
CROSSWALK_SHEET = "Sáp nhập - đổi tên"
CROSSWALK_HEADINGS = ("Tên cũ", "Tên mới", "Từ năm")
Line = tuple[tuple[str, ...], str]  # the cells of a row, and its kind: title/heading/text/head/row


def info_rows(rules: Rules, year: int) -> list[tuple[str, int | None, str, bool]]:
    """(key, value, hint, is a date) for each row of `Thông tin`: the reader's keys in order,
    the year filled in, then the profile's own rows."""
    symbol = rules.wording.submission_symbol
    hints = {
        KEY_YEAR: "Năm được đánh giá (đã điền sẵn).",
        KEY_SUBMISSION_NO: f"Ví dụ 04/{symbol}, hoặc chỉ số 04; để trống nếu tờ trình chưa có số.",
        KEY_SUBMISSION_DATE: f"Ngày của tờ trình, ví dụ 08/01/{year + 1}.",
        KEY_SIGNER: "Họ và tên người ký quyết định.",
        KEY_SIGNER_TITLE: "Ví dụ CHỦ TỊCH; ký thay thì xuống dòng trong ô (Alt+Enter): "
        "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH.",
        KEY_DECISION_NO: "Để trống khi lập dự thảo (văn thư ghi số sau).",
        KEY_DECISION_DATE: "Để trống khi lập dự thảo.",
    }
    dates = {KEY_SUBMISSION_DATE, KEY_DECISION_DATE}
    rows = [(key, year if key == KEY_YEAR else None, hints[key], key in dates) for key in INFO_KEYS]
    for extra in rules.info_fields:
        hint = f"Mục riêng của bộ mẫu; để trống thì dự thảo in «{extra.blank.strip() or '…'}»."
        rows.append((extra.key, None, hint, False))
    return rows


def guide_rows(
    rules: Rules, year: int, source: str, previous: int, email: bool = False
) -> list[Line]:
    """The rows of the `Hướng dẫn` sheet, top to bottom; `previous` is the prior ranks' year;
    `email`: the score sheet has the optional `Email` column."""
    groups = rules.groups
    codes = ", ".join(g.code for g in groups)
    digits = rules.precision
    places = "số nguyên" if digits == 0 else f"tối đa {digits} chữ số thập phân"
    deductions = [c.code for c in rules.criteria if c.deduction]
    criteria = f"{rules.criteria[0].code} … {rules.criteria[-1].code}"
    lines: list[Line] = [
        ((f"HƯỚNG DẪN NHẬP BẢNG ĐIỂM NĂM {year}",), "title"),
        _text(
            f"Bảng tính do chương trình lập (lệnh init) cho năm đánh giá {year}"
            + (f", bộ mẫu: {rules.description}" if rules.description else "")
            + "."
        ),
    ]
    if source:
        lines.append(_text(f"Danh sách đơn vị lấy từ {source}."))
    lines += [
        _heading("1. Các sheet"),
        _text(
            f"«{SCORE_SHEET}»: mỗi hàng một đơn vị, xếp theo nhóm (hàng tô xám nhạt là hàng tiêu "
            f"đề nhóm, không ghi điểm) và theo thứ hạng năm {previous}. «{INFO_SHEET}»: năm "
            "đánh giá (đã điền), số và ngày tờ trình, người ký. "
            f"«{CROSSWALK_SHEET}»: đơn vị đổi tên, hợp nhất (xem mục 4). Sheet «{GUIDE_SHEET}» "
            "này chương trình không đọc. Không đổi tên sheet, tiêu đề cột hay mã tiêu chí."
        ),
        _heading(f"2. Các cột của sheet «{SCORE_SHEET}»"),
        _text(f"{COL_NO}: số thứ tự trong nhóm, chỉ để dễ theo dõi."),
        _text(f"{COL_NAME}: tên cơ quan, đơn vị, in nguyên văn vào phụ lục; không được trùng."),
        _text(
            f"{COL_GROUP}: mã nhóm ({codes}), chọn trong danh sách của ô. Đơn vị phải nằm dưới "
            "hàng tiêu đề của đúng nhóm đó."
        ),
        _text(
            f"{COL_PRIOR}: thứ hạng năm {previous} trong nhóm, đã điền sẵn. Để trống với đơn vị "
            f"mới, đơn vị không được xếp hạng năm {previous} và đơn vị mới hợp nhất. Khi lập "
            "quyết định với lịch sử các năm (--history), ô trống được điền từ lịch sử; đơn vị "
            "hợp nhất lấy thứ hạng theo quy tắc của bộ mẫu và quyết định có chú thích. Số đã ghi "
            "trong ô luôn được dùng."
        ),
        _text(
            f"{criteria}: điểm của từng tiêu chí. Tên và điểm tối đa theo nhóm ở bảng cuối "
            "sheet này và trong ghi chú (comment) của ô tiêu đề."
        ),
        _text(
            f"{COL_TOTAL}: tự cộng bằng công thức, không cần nhập; chương trình tự cộng lại "
            "bằng số thập phân chính xác và đối chiếu."
        ),
        _text(
            f"{COL_UNRANKED}: để trống nếu đơn vị được xếp hạng; ghi lý do (ví dụ «Cơ quan đặc "
            "thù về an ninh») nếu đơn vị được chấm điểm nhưng không xếp hạng."
        ),
        *(
            [
                _text(
                    f"{COL_EMAIL} (không bắt buộc): địa chỉ thư của đơn vị, ví dụ "
                    "vanphong@so.gov.vn; nhiều địa chỉ cách nhau dấu chấm phẩy (;). Nếu nơi "
                    "vận hành bật gửi phiếu kết quả, mỗi đơn vị có địa chỉ nhận phiếu kết quả "
                    "của mình qua thư. Không ảnh hưởng đến điểm và thứ hạng; địa chỉ viết sai "
                    "chỉ bị cảnh báo."
                )
            ]
            if email
            else []
        ),
        _heading("3. Cách ghi điểm"),
        _text(
            "Gõ số, không gõ chữ: máy đặt kiểu số Việt Nam dùng dấu phẩy thập phân (7,5), máy "
            f"đặt kiểu số tiếng Anh dùng dấu chấm (7.5); {places}. Không gõ dấu nháy ' trước số."
        ),
        _text(
            "Mỗi ô điểm chỉ nhận số từ 0 đến điểm tối đa của tiêu chí đối với nhóm của đơn vị; "
            "Excel báo lỗi và không nhận nếu vượt. Không để trống ô điểm của tiêu chí áp dụng "
            "cho nhóm."
        ),
        _text("Ô tô xám: tiêu chí không áp dụng cho nhóm của đơn vị; để trống."),
    ]
    if deductions:
        lines.append(
            _text(
                f"Tiêu chí trừ điểm ({', '.join(deductions)}): ghi số âm, từ trừ điểm tối đa "
                "đến 0; ghi 0 nếu không bị trừ điểm."
            )
        )
    if rules.not_scored:
        marks = " hoặc ".join(f"«{m}»" for m in rules.not_scored)
        lines.append(
            _text(
                f"Đơn vị không được chấm một tiêu chí: ghi {marks} vào ô đó. Điểm tối đa của đơn "
                "vị giảm đi điểm tối đa của tiêu chí; tỷ lệ phần trăm tính trên điểm tối đa của "
                "riêng đơn vị. Không dùng cho tiêu chí trừ điểm."
            )
        )
    lines += [
        _heading("4. Thêm, bớt, chuyển đơn vị"),
        _text(
            "Thêm đơn vị: chọn một hàng của nhóm, bấm chuột phải, Insert (Chèn) để chèn hàng "
            "trong nhóm (hàng mới nhận kiểm tra nhập liệu của nhóm), rồi chép công thức "
            f"{COL_TOTAL} từ hàng trên. Bớt đơn vị: xóa cả hàng. Chuyển nhóm: chuyển hàng xuống "
            "dưới hàng tiêu đề của nhóm mới và sửa ô Nhóm."
        ),
        _text(
            f"Đổi tên, hợp nhất: sheet «{CROSSWALK_SHEET}» ghi mỗi tên cũ một hàng ("
            f"{', '.join(CROSSWALK_HEADINGS)}: năm đánh giá đầu tiên mang tên mới); nhiều tên cũ "
            "cùng một tên mới là hợp nhất. Các hàng đã có được áp dụng sẵn vào sheet "
            f"«{SCORE_SHEET}» (đơn vị đổi tên giữ thứ hạng năm trước; đơn vị hợp nhất để trống). "
            f"Đơn vị đổi tên, hợp nhất sau khi lập bảng này: thêm hàng vào sheet đó và sửa tên "
            f"trong sheet «{SCORE_SHEET}» (một hàng cho đơn vị hợp nhất)."
        ),
        _text(
            "Hàng tên bảng, hàng tiêu đề và hàng tiêu đề nhóm được khóa, không mật khẩu, để "
            "tránh sửa nhầm. Muốn sửa: Review > Unprotect Sheet (Xem lại > Bỏ bảo vệ trang tính)."
        ),
        _heading("5. Kiểm tra và gửi"),
        _text(f"Điền sheet «{INFO_SHEET}». Lưu tệp dạng Excel Workbook (.xlsx)."),
        _text(
            "Gửi: thả tệp vào thư mục inbox của thư mục nhận dùng chung (bộ phận công nghệ "
            "thông tin cho biết đường dẫn), hoặc gửi thư kèm tệp cho thư ký Hội đồng. Chương "
            "trình kiểm tra từng ô; nếu có lỗi, tệp bị trả lại kèm danh sách ô cần sửa."
        ),
        _text("Kiểm tra trước trên máy có chương trình: python -m processor check TỆP.xlsx"),
        _heading("6. Điểm tối đa của từng tiêu chí theo nhóm"),
        (("Mã", "Tiêu chí", *(f"Nhóm {g.code}" for g in groups)), "head"),
    ]
    for criterion in rules.criteria:
        name = criterion.name + (" (trừ điểm)" if criterion.deduction else "")
        if criterion.weight != 1:
            name += f" (trọng số {format_points(criterion.weight)})"
        maxima = (criterion.max_points.get(g.code) for g in groups)
        shown = tuple("—" if m is None else format_points(m) for m in maxima)
        lines.append(((criterion.code, name, *shown), "row"))
    totals = tuple(format_points(g.max_points) for g in groups)
    lines.append((("", "Tổng điểm tối đa của nhóm", *totals), "head"))
    lines += [(("", f"Nhóm {g.code}: {g.title}"), "row") for g in groups]
    return lines


def _heading(text: str) -> Line:
    return ((text,), "heading")


def _text(text: str) -> Line:
    return (("", text), "text")
