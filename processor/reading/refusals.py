"""Why a file is refused, in the Vietnamese sentences the secretary reads, and what to do.

Every module of the reader raises `Refused`; only `read_workbook` turns it into an InputError
naming the file. The sentences are built here so each kind of refusal is worded once.
"""

from __future__ import annotations

from processor.reading import limits


class Refused(Exception):
    """The file cannot be read; `message` is the Vietnamese sentence shown to the secretary."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


SAVE_AS_XLSX = "chọn Tệp > Lưu thành (Save As), kiểu «Sổ làm việc Excel (*.xlsx)»"


def count(number: int) -> str:
    """1.000.000: thousands separated by dots, as Vietnamese text writes them."""
    return f"{number:,}".replace(",", ".")


def megabytes(size: int) -> str:
    return count(-(-size // (1024 * 1024)))


def corrupt(detail: str) -> Refused:
    return Refused(
        f"Tệp hỏng: {detail}. Hãy mở bằng Excel và lưu lại (Excel thường tự sửa được tệp hỏng "
        "nhẹ), hoặc xin lại tệp gốc từ người gửi."
    )


def duplicate_part(first: str, second: str) -> Refused:
    """Two members an .xlsx cannot tell apart: which one is the workbook's is anybody's guess."""
    if first == second:
        names = f"hai phần cùng tên «{first}»"
    else:
        names = (
            f"hai phần trùng tên «{first}» và «{second}» (tên phần trong tệp .xlsx không phân "
            "biệt chữ hoa với chữ thường, dấu «\\» với «/»)"
        )
    return corrupt(
        f"tệp nén chứa {names}, mỗi chương trình có thể lấy một phần khác nhau nên không biết "
        "nội dung nào là thật"
    )


def hostile_xml(part: str) -> Refused:
    return Refused(
        f"Tệp có khai báo DTD/thực thể XML (trong phần «{part}»), không bao giờ có trong tệp "
        "Excel thật — có thể là tệp độc hại; không mở tệp này bằng chương trình khác, báo cho "
        "bộ phận kỹ thuật và xin lại tệp gốc từ người gửi."
    )


def odd_archive(found: str, limit: str, real: str = "bảng điểm thật chỉ vài MB") -> Refused:
    return Refused(
        f"Tệp nén bất thường: {found}, vượt giới hạn {limit} ({real}) — có thể là tệp hỏng "
        "hoặc tệp độc hại («bom nén»); chương trình không giải nén tệp này. Kiểm tra lại tệp "
        "và xin lại tệp gốc từ người gửi."
    )


def too_many_members(found: str) -> Refused:
    return odd_archive(
        found, f"{count(limits.MAX_ZIP_MEMBERS)} phần", "bảng tính thật chỉ có vài chục phần"
    )


def too_large(found: str, limit: str) -> Refused:
    return Refused(
        f"Bảng tính quá lớn: {found}, vượt giới hạn {limit}. Bảng điểm thật, kể cả cấp toàn "
        "quốc, nhỏ hơn nhiều: xóa các hàng, cột, sheet thừa (ví dụ dữ liệu hoặc công thức bị "
        "kéo xuống quá xa) rồi lưu lại."
    )


def too_long(part: str) -> Refused:
    return corrupt(
        f"phần «{part}» có một ô chứa hơn {count(limits.MAX_TEXT_CHARS)} ký tự, Excel chỉ cho "
        "phép 32.767 ký tự mỗi ô"
    )


def too_deep(part: str) -> Refused:
    return corrupt(
        f"phần «{part}» có các thẻ XML lồng nhau quá {limits.MAX_XML_DEPTH} tầng, tệp Excel "
        "thật không bao giờ như vậy"
    )
