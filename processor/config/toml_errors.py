"""tomllib's refusals, said in Vietnamese: the line and column, what is wrong, what to type.

tomllib says `Illegal character '\\n' (at line 54, column 19)`; the secretary who edited the file
reads "dòng 54, cột 19: chuỗi chữ chưa được đóng: thiếu dấu nháy kép ở cuối …", the line itself,
and the original on a `Chi tiết kỹ thuật` line for the IT officer.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

from processor.core.messages import with_detail

_WHERE = re.compile(
    r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)\s*$",
    re.DOTALL,
)
_KEY = re.compile(r"""^\s*(?P<key>[^=\[#]+?)\s*=""")
_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]")
_SHOWN = 70  # characters of the offending line quoted in the message


@dataclass(frozen=True, slots=True)
class SyntaxPlace:
    line: int
    column: int
    text: str  # the whole line
    at_end: bool  # tomllib reached the end of the file


def locate(exc: tomllib.TOMLDecodeError, source: str) -> tuple[str, SyntaxPlace]:
    """tomllib's own words without the position, and the position in the file."""
    lines = source.split("\n")
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    message = str(getattr(exc, "msg", "") or exc)
    match = _WHERE.match(str(exc))
    if match:
        message = match["msg"]
        if match["line"]:
            line, column = int(match["line"]), int(match["col"])
    at_end = line is None or (match is not None and not match["line"])
    if line is None or column is None or at_end:
        line = len(lines)
        column = len(lines[-1]) + 1
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return message, SyntaxPlace(line, column, text.rstrip("\r"), at_end)


def explain(message: str, place: SyntaxPlace, source: str) -> str:
    """What is wrong at `place` and how to fix it, in Vietnamese."""
    for prefix, reader in _EXPLANATIONS:
        if message.startswith(prefix):
            return reader(message[len(prefix) :].strip(), place, source)
    return (
        "Tệp không đúng cú pháp TOML ở chỗ này: kiểm tra dấu nháy kép, dấu ngoặc [ ] { } và "
        "dấu phẩy."
    )


def syntax_message(exc: tomllib.TOMLDecodeError, source: str) -> tuple[SyntaxPlace, str]:
    """The place and the whole message: explanation, the line as written, tomllib's words."""
    message, place = locate(exc, source)
    quoted = _quote(place)
    shown = f" Dòng {place.line} đang ghi: «{quoted}»." if quoted else ""
    return place, with_detail(explain(message, place, source) + shown, exc)


def _quote(place: SyntaxPlace) -> str:
    text = place.text.strip()
    if len(text) <= _SHOWN:
        return text
    start = max(0, min(place.column - 1 - _SHOWN // 2, len(place.text) - _SHOWN))
    piece = place.text[start : start + _SHOWN].strip()
    return ("…" if start > 0 else "") + piece + ("…" if start + _SHOWN < len(place.text) else "")


def _char_at(place: SyntaxPlace, offset: int = 0) -> str:
    index = place.column - 1 + offset
    return place.text[index] if 0 <= index < len(place.text) else ""


def _literal(text: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple):
        return ".".join(str(part) for part in value)
    return str(value)


# -- one reader per tomllib message ------------------------------------------------------


def _illegal(rest: str, place: SyntaxPlace, source: str) -> str:
    char = _literal(rest)
    if char in ("\n", "\r", ""):
        opening = place.text.rfind('"', 0, max(place.column - 1, 0))
        where = f" (mở ở cột {opening + 1})" if opening >= 0 else ""
        return (
            f'Chuỗi chữ{where} chưa được đóng: thiếu dấu nháy kép " ở cuối. Một chuỗi "…" '
            'phải mở và đóng trên cùng một dòng; câu dài nhiều dòng thì viết trong """ … """.'
        )
    return (
        f"Chuỗi chữ có một ký tự điều khiển không được phép (mã U+{ord(char[0]):04X}), "
        "thường do dán từ Word hay PDF: xóa ký tự đó rồi gõ lại."
    )


def _unterminated(rest: str, place: SyntaxPlace, source: str) -> str:
    for quotes in ('"""', "'''"):
        if source.count(quotes) % 2:
            line = source[: source.rfind(quotes)].count("\n") + 1
            return (
                f"Chuỗi chữ nhiều dòng mở bằng {quotes} ở dòng {line} chưa được đóng đến hết "
                f"tệp: thêm {quotes} ở cuối câu."
            )
    return 'Chuỗi chữ chưa được đóng đến hết tệp: thêm dấu nháy kép " ở cuối câu.'


def _line_start(place: SyntaxPlace) -> bool:
    """The position is the first thing written on its line."""
    return not place.text[: max(place.column - 1, 0)].strip() and place.line > 1


def _unclosed_array(rest: str, place: SyntaxPlace, source: str) -> str:
    where = f" (có lẽ ở cuối dòng {place.line - 1})" if _line_start(place) else ""
    return (
        f"Danh sách [ … ] chưa đóng đúng: thiếu dấu phẩy giữa hai phần tử{where}, hoặc thiếu "
        'dấu ] ở cuối danh sách. Viết dạng ["dòng thứ nhất", "dòng thứ hai"].'
    )


def _unclosed_table(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Bảng { … } chưa đóng đúng: thiếu dấu phẩy giữa hai cặp khóa = giá trị, hoặc thiếu dấu } "
        "ở cuối; bảng { … } phải viết trọn trên một dòng, ví dụ { I = 85, II = 65 }."
    )


def _earlier_key(key: str, place: SyntaxPlace, source: str) -> int | None:
    """The line above, in the same table, where `key` was already given."""
    lines = source.split("\n")[: place.line - 1]
    for number in range(len(lines), 0, -1):
        text = lines[number - 1]
        if _HEADER.match(text):
            return None
        match = _KEY.match(text)
        if match and match["key"].strip() == key:
            return number
    return None


def _overwrite(rest: str, place: SyntaxPlace, source: str) -> str:
    header = _HEADER.match(place.text)
    if header:
        return (
            f"Tên bảng «{header['name']}» đã được dùng cho một giá trị ở phía trên: xóa giá trị "
            "đó, hoặc đổi tên bảng."
        )
    match = _KEY.match(place.text)
    if match is None:
        return "Một khóa được ghi hai lần: xóa một trong hai lần ghi."
    key = match["key"].strip()
    earlier = _earlier_key(key, place, source)
    before = f" (lần trước ở dòng {earlier})" if earlier else ""
    return (
        f"Khóa «{key}» được ghi hai lần trong cùng một bảng{before}: xóa một trong hai dòng. "
        "(Mỗi nhóm, mức hay tiêu chí là một bảng riêng, mở bằng tiêu đề [[…]].)"
    )


def _declared_twice(rest: str, place: SyntaxPlace, source: str) -> str:
    name = _literal(rest.removesuffix("twice").strip())
    earlier = next(
        (
            number
            for number, text in enumerate(source.split("\n")[: place.line - 1], start=1)
            if (header := _HEADER.match(text)) and header["name"].strip() == name
        ),
        None,
    )
    before = f" (lần trước ở dòng {earlier})" if earlier else ""
    return (
        f"Bảng [{name}] được khai báo hai lần{before}: gộp các khóa vào một bảng [{name}] rồi "
        "xóa tiêu đề thừa. (Bảng lặp lại nhiều lần, như mỗi nhóm hay mỗi tiêu chí, thì tiêu đề "
        "viết hai dấu ngoặc: [[…]].)"
    )


def _duplicate_inline(rest: str, place: SyntaxPlace, source: str) -> str:
    return f"Khóa «{_literal(rest)}» được ghi hai lần trong cùng bảng {{ … }}: xóa một lần."


def _immutable(rest: str, place: SyntaxPlace, source: str) -> str:
    name = _literal(rest)
    return (
        f"«{name}» đã được viết trọn ở phía trên (dạng {{ … }} hoặc [ … ]) nên không thêm khóa "
        "vào được ở đây: thêm khóa vào trong dấu ngoặc đó, hoặc xóa một trong hai chỗ."
    )


def _table_bracket(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Tiêu đề bảng thiếu dấu ] đóng, hoặc tên bảng có ký tự không hợp lệ: viết ví dụ "
        "[document] (chữ không dấu, không có dấu cách)."
    )


def _array_bracket(rest: str, place: SyntaxPlace, source: str) -> str:
    return "Tiêu đề bảng lặp thiếu hai dấu ]] đóng: viết ví dụ [[groups]], [[criteria]]."


def _bad_key(place: SyntaxPlace) -> str | None:
    """The message for a key typed with Vietnamese letters (`tỉnh = …`), if it is one."""
    first = re.match(r"\s*([^\s=]+)", place.text)
    key = first[1] if first else ""
    if key and not key.isascii() and not key.startswith(('"', "'")):
        return (
            f"Tên khóa «{key}» có chữ có dấu: tên khóa chỉ dùng chữ không dấu, chữ số, _ và - "
            "(xem các tên khóa trong README, mục «Tệp quy tắc»)."
        )
    return None


def _expected_equals(rest: str, place: SyntaxPlace, source: str) -> str:
    return _bad_key(place) or (
        "Thiếu dấu = giữa tên khóa và giá trị (viết dạng khoa = giá trị); tên khóa không có dấu "
        "cách. Chữ đứng riêng một dòng thì phải là chú thích, bắt đầu bằng #."
    )


def _expected_newline(rest: str, place: SyntaxPlace, source: str) -> str:
    if _char_at(place) == "," and _char_at(place, -1).isdigit():
        return (
            "Số thập phân trong tệp TOML viết bằng dấu chấm (62.5), không phải dấu phẩy; hoặc "
            'ghi cả số trong dấu nháy kép: "62,5".'
        )
    before = place.text[: max(place.column - 1, 0)]
    if before.count('"') >= 2:
        return (
            "Sau chuỗi chữ còn chữ thừa trên cùng dòng: dấu nháy kép bên trong chuỗi chữ phải "
            'viết là \\" (hoặc dùng « »); mỗi dòng chỉ ghi một khóa = giá trị.'
        )
    return (
        "Sau giá trị còn chữ thừa trên cùng dòng: mỗi dòng chỉ ghi một khóa = giá trị; chữ phải "
        "đặt trong dấu nháy kép; chú thích bắt đầu bằng #."
    )


def _invalid_value(rest: str, place: SyntaxPlace, source: str) -> str:
    char = _char_at(place)
    if char in "“”„‘’«»" and char:
        return (
            f'Dấu {char} không mở được chuỗi chữ: dùng dấu nháy kép thẳng " … " (trình soạn '
            "thảo như Word tự đổi dấu nháy thành “ ”, nên sửa tệp bằng Notepad hay một trình "
            "soạn thảo văn bản thường)."
        )
    if not char.strip():
        return "Thiếu giá trị sau dấu =: ghi giá trị, hoặc xóa cả dòng."
    return (
        'Giá trị không hợp lệ: chữ phải đặt trong dấu nháy kép "…"; số viết bằng chữ số và dấu '
        "chấm thập phân (62.5); đúng/sai viết true/false; danh sách viết [ … ]."
    )


def _invalid_statement(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Dòng này không phải khóa = giá trị, tiêu đề [bảng] hay chú thích: chú thích phải bắt "
        "đầu bằng #, chữ phải là giá trị của một khóa."
    )


def _key_start(rest: str, place: SyntaxPlace, source: str) -> str:
    before = place.text[: max(place.column - 1, 0)].rstrip()
    if before.endswith(",") and _char_at(place) in "}":
        return "Thừa dấu phẩy ngay trước dấu }: xóa dấu phẩy cuối trong bảng { … }."
    char = _char_at(place)
    if char and not char.isascii():
        return f"Tên khóa bắt đầu bằng «{char}»: tên khóa chỉ dùng chữ không dấu, chữ số, _ và -."
    return (
        "Thiếu tên khóa ở đây (hoặc tên khóa có ký tự không hợp lệ): tên khóa chỉ dùng chữ "
        "không dấu, chữ số, _ và -; thừa dấu phẩy thì xóa đi."
    )


def _comment_char(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Chú thích có một ký tự điều khiển không được phép (thường do dán từ Word hay PDF): "
        "xóa ký tự đó."
    )


def _backslash(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Dấu \\ trong chuỗi chữ phải viết hai lần (\\\\), hoặc đặt cả chuỗi trong dấu nháy đơn '…'."
    )


def _escape(rest: str, place: SyntaxPlace, source: str) -> str:
    return (
        "Mã \\u… trong chuỗi chữ không hợp lệ: viết \\u và đúng 4 chữ số hệ 16 (hoặc gõ thẳng "
        "ký tự); muốn in dấu \\ thì viết \\\\."
    )


def _date(rest: str, place: SyntaxPlace, source: str) -> str:
    return 'Ngày giờ không hợp lệ: nếu đây là chữ thì đặt trong dấu nháy kép "…".'


_Reader = Callable[[str, SyntaxPlace, str], str]
_EXPLANATIONS: tuple[tuple[str, _Reader], ...] = (
    ("Illegal character", _illegal),
    ("Unterminated string", _unterminated),
    ("Unclosed array", _unclosed_array),
    ("Unclosed inline table", _unclosed_table),
    ("Cannot overwrite a value", _overwrite),
    ("Cannot declare", _declared_twice),
    ("Duplicate inline table key", _duplicate_inline),
    ("Cannot mutate immutable namespace", _immutable),
    ("Cannot redefine namespace", _immutable),
    ("Expected ']' at the end of a table declaration", _table_bracket),
    ("Expected ']]' at the end of an array declaration", _array_bracket),
    ("Expected '=' after a key", _expected_equals),
    ("Expected newline or end of document", _expected_newline),
    ("Invalid value", _invalid_value),
    ("Invalid statement", _invalid_statement),
    ("Invalid initial character for a key part", _key_start),
    ("Found invalid character", _comment_char),
    ("Unescaped '\\' in a string", _backslash),
    ("Invalid hex value", _escape),
    ("Escaped character is not a Unicode scalar value", _escape),
    ("Invalid date or datetime", _date),
)
