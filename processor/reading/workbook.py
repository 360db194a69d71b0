"""Reading the council's workbook: cell values with their positions, nothing interpreted yet.

This is the edge where the file is touched; checking what the cells mean is validation.py's job.
The workbook is opened read-only and never written.

The .xlsx is read by our own streaming reader, in one pass per part: a zip archive
(`zipfile`, decompressed as it is read) of XML parts parsed by expat as they stream past, with
the guards defusedxml installs (any DTD refused; see `_xml_parser`). openpyxl's read-only mode
could not tell a formula without a cached value from an empty cell in the same pass, gave no
merged cells or hidden rows, and produced every empty row up to the last one; at national scale
(10,000 agencies x 30 criteria) it was also three times slower. openpyxl's public helpers still
decide which number formats are dates and convert serial numbers, so values compare equal.

Every file is distrusted: each kind of file people mistake for a workbook (a lock file, a
.xls, a password-protected workbook, an .ods, a CSV…) is named in Vietnamese with what to do,
and a hostile file (an XML entity bomb, a zip bomb, a sheet claiming millions of cells) is
refused quickly and in bounded memory by the limits below.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote
from xml.parsers import expat

from processor.core.formatting import normalise
from processor.core.problems import InputError, Problem
from processor.core.sheet import (
    EXCEL_MAX_COLUMN,
    EXCEL_MAX_ROW,
    INFO_SHEET,
    SCORE_SHEET,
    ExcelError,
    Position,
    RawWorkbook,
    Sheet,
    column_letter,
    column_number,
)

# -- limits -------------------------------------------------------------------------------------
# A real scoring workbook is a few MB at most (50,000 agencies x 30 criteria: about 7 MB on disk,
# 55 MB of sheet XML). The limits are far above that and far below what would hurt the machine.

MAX_ZIP_MEMBERS = 5_000
"""Files inside the .xlsx archive; a real workbook has a few dozen. Checked from the archive's
end record, before Python builds its list of members."""

MAX_PART_BYTES = 256 * 1024 * 1024
"""Declared uncompressed size of any one member, checked before anything is decompressed."""

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Declared uncompressed size of all members together, checked before decompressing."""

MAX_ROWS = 200_000
"""Rows holding a value in one sheet the tool reads: four times a 50,000-agency national run, so
a sheet filled down to Excel's last row (1,048,576) is refused after a fifth of it."""

MAX_CELLS = 5_000_000
"""Cells in one sheet the tool reads: every cell written in the file, counting each row as at
least as wide as its last value (that is what memory holds), plus its merged ranges."""

MAX_SHARED_STRINGS = 2_000_000
"""Entries in the workbook's shared string table."""

MAX_TEXT_CHARS = 1_000_000
"""Characters in one cell's text or one shared string (Excel allows 32,767)."""

MAX_XML_DEPTH = 100
"""Nesting of XML elements in a part; real parts nest less than a dozen deep."""

MAX_XML_TOKEN_BYTES = 16 * 1024 * 1024
"""Bytes of one XML tag (with its attributes) or comment, which the parser must hold whole;
real tags are a few hundred bytes."""

_DIRECTORY_BYTES_PER_MEMBER = 1_024  # a central directory larger than this per member is forged
_CHUNK = 1 << 16  # bytes decompressed and parsed at a time
_SNIFF = 1 << 16  # bytes looked at to tell what a file that is not a zip is

# -- namespaces and magic numbers ---------------------------------------------------------------

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML" save option
)
_RELATIONSHIP_ATTRIBUTES = tuple(
    f"{ns}}}id"
    for ns in (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
)
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TRUE = frozenset({"1", "true"})
_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
_DIGITS = "0123456789"
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _tags(*local_names: str) -> dict[str, str]:
    """Expat's 'namespace}name' for the main namespaces, mapped to the local name."""
    return {f"{ns}}}{name}": name for ns in _MAIN for name in local_names}


_STRING_TAGS = _tags("si", "t", "rPh")
_STYLE_TAGS = _tags("numFmt", "cellXfs", "xf")
_WORKBOOK_TAGS = _tags("workbook", "sheet", "workbookPr")


def _require_defusedxml() -> None:
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise InputError(
            "Chương trình từ chối đọc bảng tính vì thiếu lớp bảo vệ XML.",
            [
                Problem(
                    "cài đặt",
                    "openpyxl không dùng defusedxml (chưa cài, hoặc biến môi trường "
                    "OPENPYXL_DEFUSEDXML khác True): cài lại bằng  pip install defusedxml  "
                    "rồi chạy lại.",
                )
            ],
        )


# -- refusals -----------------------------------------------------------------------------------


class _Refused(Exception):
    """The file cannot be read; `message` is the Vietnamese sentence shown to the secretary."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SAVE_AS_XLSX = "chọn Tệp > Lưu thành (Save As), kiểu «Sổ làm việc Excel (*.xlsx)»"


def _count(number: int) -> str:
    """1.000.000: thousands separated by dots, as Vietnamese text writes them."""
    return f"{number:,}".replace(",", ".")


def _megabytes(size: int) -> str:
    return _count(-(-size // (1024 * 1024)))


def _corrupt(detail: str) -> _Refused:
    return _Refused(
        f"Tệp hỏng: {detail}. Hãy mở bằng Excel và lưu lại (Excel thường tự sửa được tệp hỏng "
        "nhẹ), hoặc xin lại tệp gốc từ người gửi."
    )


def _hostile_xml(part: str) -> _Refused:
    return _Refused(
        f"Tệp có khai báo DTD/thực thể XML (trong phần «{part}»), không bao giờ có trong tệp "
        "Excel thật — có thể là tệp độc hại; không mở tệp này bằng chương trình khác, báo cho "
        "bộ phận kỹ thuật và xin lại tệp gốc từ người gửi."
    )


def _odd_archive(found: str, limit: str, real: str = "bảng điểm thật chỉ vài MB") -> _Refused:
    return _Refused(
        f"Tệp nén bất thường: {found}, vượt giới hạn {limit} ({real}) — có thể là tệp hỏng "
        "hoặc tệp độc hại («bom nén»); chương trình không giải nén tệp này. Kiểm tra lại tệp "
        "và xin lại tệp gốc từ người gửi."
    )


def _too_many_members(found: str) -> _Refused:
    return _odd_archive(
        found, f"{_count(MAX_ZIP_MEMBERS)} phần", "bảng tính thật chỉ có vài chục phần"
    )


def _too_large(found: str, limit: str) -> _Refused:
    return _Refused(
        f"Bảng tính quá lớn: {found}, vượt giới hạn {limit}. Bảng điểm thật, kể cả cấp toàn "
        "quốc, nhỏ hơn nhiều: xóa các hàng, cột, sheet thừa (ví dụ dữ liệu hoặc công thức bị "
        "kéo xuống quá xa) rồi lưu lại."
    )


def _cell_name(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


# -- the entry point ----------------------------------------------------------------------------


def read_workbook(path: Path) -> RawWorkbook:
    """Read the `Điểm` and `Thông tin` sheets' values (cached values, never formulas)."""
    _require_defusedxml()
    label = path.name
    if not path.exists():
        raise InputError(
            f"Không tìm thấy bảng tính {path}.",
            [
                Problem(
                    label,
                    "Tệp không tồn tại: kiểm tra lại thư mục và tên tệp (kể cả phần đuôi .xlsx).",
                )
            ],
        )
    try:
        _refuse_by_name(path)
        with open(path, "rb") as stream:
            return _read(path, stream)
    except _Refused as refused:
        raise InputError(
            f"Không mở được bảng tính {path}.", [Problem(label, refused.message)]
        ) from None
    except OSError as exc:
        raise InputError(
            f"Không mở được bảng tính {path}.",
            [
                Problem(
                    label,
                    f"Không đọc được tệp ({exc.strerror or exc}): kiểm tra quyền truy cập tệp, "
                    "hoặc chép tệp về máy rồi chạy lại.",
                )
            ],
        ) from None


def _refuse_by_name(path: Path) -> None:
    """What the path alone tells: a folder, or the lock file Excel keeps beside an open workbook."""
    if path.is_dir():
        raise _Refused(
            "Đây là một thư mục, không phải tệp: ghi đường dẫn đến chính tệp bảng tính .xlsx "
            "(ví dụ thu-muc/bang-diem.xlsx)."
        )
    if path.name.startswith("~$"):
        original = path.name[2:]
        raise _Refused(
            f"Đây là tệp khóa tạm do Excel tạo khi đang mở bảng tính «{original}», không chứa "
            f"bảng điểm: đóng Excel và dùng tệp «{original}»."
        )
    if not path.is_file():
        raise _Refused(
            "Đây không phải một tệp thông thường: ghi đường dẫn đến tệp bảng tính .xlsx."
        )


def _read(path: Path, stream: IO[bytes]) -> RawWorkbook:
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        raise _Refused(
            "Tệp rỗng (0 byte), không có dữ liệu: có thể sao chép hoặc tải về chưa xong; chép "
            "lại tệp từ nơi gốc rồi chạy lại."
        )
    head = stream.read(_SNIFF)
    if head.startswith(_OLE_MAGIC):
        raise _Refused(_compound_file_message(stream))
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise _Refused(_not_a_zip_message(path, head))
    _check_directory(stream, size)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error):
        raise _corrupt(
            "tệp nén .xlsx bị cắt cụt hoặc hỏng phần mục lục (có thể sao chép chưa xong)"
        ) from None
    with archive:
        return _read_archive(path, archive)


def _compound_file_message(stream: IO[bytes]) -> str:
    """A Microsoft compound file: a password-protected workbook, or an Excel 97-2003 .xls."""
    stream.seek(0)
    tail = b""
    while block := stream.read(1 << 20):
        if _ENCRYPTED_PACKAGE in tail + block:
            return (
                "Bảng tính được đặt mật khẩu (mã hóa) nên không đọc được: mở bằng Excel, gỡ mật "
                "khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật "
                "khẩu) rồi lưu lại, sau đó chạy lại với tệp đã lưu."
            )
        tail = block[-len(_ENCRYPTED_PACKAGE) :]
    return (
        "Tệp có định dạng Excel 97-2003 (.xls), chương trình chỉ đọc được .xlsx: mở bằng Excel, "
        f"{_SAVE_AS_XLSX}, rồi dùng tệp .xlsx mới."
    )


def _not_a_zip_message(path: Path, head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        found = f"đây là tệp văn bản {path.suffix.lower()} (chữ ngăn cách bằng dấu phẩy/tab)"
    elif start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        found = "nội dung là trang web (HTML) được đặt đuôi bảng tính, thường do phần mềm khác xuất"
    elif start.startswith(b"<?xml") or start.startswith(b"<"):
        found = "nội dung là văn bản XML, không phải tệp nén .xlsx"
    elif b"\x00" not in head[:4096]:
        found = "nội dung là chữ thường (văn bản), không phải tệp nén .xlsx"
    else:
        found = "nội dung không phải định dạng .xlsx (không phải tệp nén zip)"
    return (
        f"Tệp không phải bảng tính Excel .xlsx hợp lệ: {found}. Mở tệp bằng Excel, "
        f"{_SAVE_AS_XLSX}, rồi dùng tệp .xlsx đó."
    )


def _check_directory(stream: IO[bytes], size: int) -> None:
    """Refuse a central directory too large for MAX_ZIP_MEMBERS before zipfile loads it all."""
    tail_size = min(size, (1 << 16) + 22)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # zipfile will say the archive is broken
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    locator = tail[at - 20 : at] if at >= 20 else b""
    if (entries == 0xFFFF or directory_size == 0xFFFFFFFF) and locator[:4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", locator[8:16])
        stream.seek(offset)
        record = stream.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries, directory_size = struct.unpack("<QQ", record[32:48])
    if entries > MAX_ZIP_MEMBERS:
        raise _too_many_members(f"có {_count(entries)} phần bên trong")
    if directory_size > MAX_ZIP_MEMBERS * _DIRECTORY_BYTES_PER_MEMBER:
        raise _too_many_members(
            f"mục lục tệp nén dài {_count(directory_size // 1024)} KB, đủ cho hơn "
            f"{_count(MAX_ZIP_MEMBERS)} phần"
        )


# -- the archive --------------------------------------------------------------------------------


class _MemberGuard:
    """Turn what zipfile and zlib raise for a damaged member into a refusal naming it."""

    def __init__(self, part: str) -> None:
        self.part = part

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _: object
    ) -> bool:
        if kind is None or isinstance(exc, _Refused):
            return False
        if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
            raise _corrupt(
                f"phần «{self.part}» sai mã kiểm tra CRC (dữ liệu bên trong bị hỏng)"
            ) from None
        if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | struct.error | OSError) or (
            type(exc).__name__ == "LZMAError"
        ):
            raise _corrupt(
                f"không giải nén được phần «{self.part}» (tệp bị cắt cụt hoặc hỏng)"
            ) from None
        if isinstance(exc, NotImplementedError) or (
            isinstance(exc, RuntimeError) and "encrypted" in str(exc)
        ):
            raise _corrupt(
                f"phần «{self.part}» được nén theo cách Excel không dùng, hoặc có mật khẩu zip"
            ) from None
        return False


class _Package:
    """The archive's members by name (part names are case-insensitive in OOXML)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _too_many_members(f"có {_count(len(infos))} phần bên trong")
        total = 0
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise _odd_archive(
                    f"phần «{info.filename}» khi giải nén chiếm {_megabytes(info.file_size)} MB",
                    f"{_megabytes(MAX_PART_BYTES)} MB cho mỗi phần",
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _odd_archive(
                f"khi giải nén chiếm tổng cộng {_megabytes(total)} MB",
                f"{_megabytes(MAX_TOTAL_BYTES)} MB",
            )
        self.by_name = {info.filename.lower(): info for info in infos}

    def refuse_doctypes(self) -> None:
        """Look at the start of every XML part, read or not: a DTD anywhere means a forged file.

        The parts the tool reads are guarded while parsed; this names a bomb hidden in a part it
        skips, so the secretary is warned before opening the file in another program.
        """
        for info in self.by_name.values():
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                start = self.head(info, 4096)
                if any(mark in start for mark in _DOCTYPES):
                    raise _hostile_xml(info.filename)

    def get(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name.lower())

    def names(self) -> Iterable[str]:
        return self.by_name

    def head(self, info: zipfile.ZipInfo, size: int) -> bytes:
        with _MemberGuard(info.filename), self.archive.open(info) as member:
            return member.read(size)

    def parse(self, info: zipfile.ZipInfo, parser: Any) -> None:
        """Stream one XML part through a parser made by `_xml_parser`, chunk by chunk."""
        part = info.filename
        with _MemberGuard(part):
            try:
                fed = 0
                with self.archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        parser.Parse(chunk, False)
                        fed += len(chunk)
                        if fed - max(parser.CurrentByteIndex, 0) > MAX_XML_TOKEN_BYTES:
                            raise _corrupt(
                                f"phần «{part}» có một thẻ XML dài hơn "
                                f"{_megabytes(MAX_XML_TOKEN_BYTES)} MB, tệp Excel thật không "
                                "bao giờ như vậy"
                            )
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                reason = expat.ErrorString(exc.code) if exc.code else str(exc)
                raise _corrupt(
                    f"nội dung XML của phần «{part}» bị lỗi ở dòng {exc.lineno}, cột "
                    f"{exc.offset} ({reason})"
                ) from None


def _xml_parser(
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> Any:
    """An expat parser that refuses any DTD, as defusedxml's parser does with forbid_dtd=True.

    These are the handlers defusedxml installs, on the same expat; we call expat directly
    because defusedxml's ElementTree layer runs a pure-Python parser and builds a tree, which
    doubled the time to read a 10,000-agency sheet. A DTD can only stand before the root
    element, so refusing DOCTYPE means no entity can ever be declared, let alone expanded.
    """

    def refuse(*_: object) -> None:
        raise _hostile_xml(part)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _too_deep(part: str) -> _Refused:
    return _corrupt(
        f"phần «{part}» có các thẻ XML lồng nhau quá {MAX_XML_DEPTH} tầng, tệp Excel thật "
        "không bao giờ như vậy"
    )


def _guarded_parser(
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> Any:
    """`_xml_parser` that also refuses nesting deeper than MAX_XML_DEPTH, for the small parts.

    The sheet, where a call per element counts, keeps its own count in its handlers.
    """
    depth = 0

    def started(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _too_deep(part)
        start(name, attrs)

    def ended(name: str) -> None:
        nonlocal depth
        depth -= 1
        if end is not None:
            end(name)

    return _xml_parser(part, started, ended, text)


def _resolve(base: str, target: str) -> str:
    """A relationship target ('worksheets/sheet1.xml' or '/xl/…') as a member name."""
    target = unquote(target.replace("\\", "/"))
    joined = target if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath("/" + joined).lstrip("/")


def _relationships(package: _Package, info: zipfile.ZipInfo) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    tag = f"{_PACKAGE}/relationships}}Relationship"

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == tag and len(found) <= MAX_ZIP_MEMBERS:
            found.append(attrs)

    package.parse(info, _guarded_parser(info.filename, start))
    return found


def _read_archive(path: Path, archive: zipfile.ZipFile) -> RawWorkbook:
    package = _Package(archive)
    package.refuse_doctypes()
    mimetype = package.get("mimetype")
    if mimetype is not None and package.head(mimetype, 100).startswith(_ODS_MIMETYPE):
        raise _Refused(
            "Tệp là bảng tính OpenDocument (.ods, của LibreOffice/OpenOffice), không phải Excel "
            "(.xlsx): mở bằng LibreOffice Calc hoặc Excel, Lưu thành (Save As) kiểu «Excel "
            "2007-365 (.xlsx)» / «Sổ làm việc Excel (*.xlsx)», rồi dùng tệp .xlsx đó."
        )
    main = "xl/workbook.xml"
    root_rels = package.get("_rels/.rels")
    if root_rels is not None:
        for rel in _relationships(package, root_rels):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                main = _resolve("", rel["Target"])
                break
    workbook = package.get(main)
    if main.lower().endswith(".bin") or package.get("xl/workbook.bin") is not None:
        raise _Refused(
            "Tệp là sổ làm việc nhị phân Excel (.xlsb), chương trình chỉ đọc được .xlsx: mở bằng "
            f"Excel, {_SAVE_AS_XLSX}, rồi dùng tệp .xlsx mới."
        )
    if workbook is None:
        raise _Refused(_not_a_workbook_message(package))
    has_macros = _has_macros(package)

    names, date1904 = _read_workbook_part(package, workbook)
    base = posixpath.dirname(workbook.filename)
    rels_info = package.get(
        posixpath.join(base, "_rels", posixpath.basename(workbook.filename) + ".rels")
    )
    rels = _relationships(package, rels_info) if rels_info is not None else []
    targets = {
        rel.get("Id"): _resolve(base, rel.get("Target", ""))
        for rel in rels
        if rel.get("TargetMode") != "External"
    }

    wanted = {normalise(SCORE_SHEET): SCORE_SHEET, normalise(INFO_SHEET): INFO_SHEET}
    chosen: dict[str, tuple[str, zipfile.ZipInfo]] = {}
    for title, rid in names:
        canonical = wanted.get(normalise(title))
        if canonical is None or canonical in chosen:
            continue
        member = package.get(targets.get(rid, "")) if rid else None
        if member is None:
            raise _corrupt(f"không tìm thấy nội dung của sheet «{title}» trong tệp")
        chosen[canonical] = (title, member)

    sheets: dict[str, Sheet] = {}
    if chosen:
        styles = _read_styles(package, _part_of_type(package, rels, base, "styles"))
        strings = _read_strings(package, _part_of_type(package, rels, base, "sharedStrings"))
        epoch = _epoch(date1904)
        for canonical, (title, member) in chosen.items():
            sheets[canonical] = _read_sheet(package, member, title, strings, styles, epoch)
    return RawWorkbook(
        file_name=path.name,
        sheet_names=tuple(title for title, _ in names),
        sheets=sheets,
        has_macros=has_macros,
    )


def _not_a_workbook_message(package: _Package) -> str:
    names = set(package.names())
    if "word/document.xml" in names:
        found = "bên trong là tài liệu Word (.docx) bị đặt tên như bảng tính"
    elif "ppt/presentation.xml" in names:
        found = "bên trong là bản trình chiếu PowerPoint (.pptx)"
    elif "mimetype" in names:
        found = "bên trong là tài liệu OpenDocument, không phải bảng tính"
    else:
        found = "tệp nén không có phần sổ làm việc Excel (xl/workbook.xml)"
    return (
        f"Tệp không phải bảng tính Excel .xlsx hợp lệ: {found}. Kiểm tra lại đã chọn đúng tệp "
        "bảng điểm chưa; nếu tệp do phần mềm khác xuất, mở bằng Excel rồi "
        f"{_SAVE_AS_XLSX}."
    )


def _has_macros(package: _Package) -> bool:
    """An .xlsm (macro-enabled content type, or a VBA project part); macros are never run."""
    if any(name.endswith("vbaproject.bin") for name in package.names()):
        return True
    types = package.get("[Content_Types].xml")
    if types is None:
        return False
    found = False

    def start(_: str, attrs: dict[str, str]) -> None:
        nonlocal found
        if "macroenabled" in attrs.get("ContentType", "").lower():
            found = True

    package.parse(types, _guarded_parser(types.filename, start))
    return found


def _read_workbook_part(
    package: _Package, info: zipfile.ZipInfo
) -> tuple[list[tuple[str, str]], bool]:
    """Sheet names with their relationship ids, in tab order, and the 1904 date system flag."""
    sheets: list[tuple[str, str]] = []
    date1904 = False
    root_seen = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal date1904, root_seen
        tag = _WORKBOOK_TAGS.get(name)
        if not root_seen and tag != "workbook":  # the main part of a Word or PowerPoint file
            raise _Refused(_not_a_workbook_message(package))
        root_seen = True
        if tag == "sheet" and len(sheets) <= MAX_ZIP_MEMBERS:
            rid = next((attrs[a] for a in _RELATIONSHIP_ATTRIBUTES if a in attrs), "")
            sheets.append((attrs.get("name", ""), rid))
        elif tag == "workbookPr":
            date1904 = attrs.get("date1904", "").lower() in _TRUE

    package.parse(info, _guarded_parser(info.filename, start))
    return sheets, date1904


def _part_of_type(
    package: _Package, rels: list[dict[str, str]], base: str, kind: str
) -> zipfile.ZipInfo | None:
    for rel in rels:
        if rel.get("Type", "").endswith("/" + kind) and rel.get("Target"):
            found = package.get(_resolve(base, rel["Target"]))
            if found is not None:
                return found
    return package.get(posixpath.join(base, f"{kind}.xml"))


def _epoch(date1904: bool) -> Any:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    return CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH


# -- styles: which cells show dates, durations, percentages --------------------------------------

_DATE, _DURATION, _PERCENT = 1, 2, 3
_NOT_SHOWN = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|[_*].')  # literal text, [colour], padding


def _is_percent_format(code: str) -> bool:
    """A % outside quotes, brackets and escapes multiplies the value by 100 when shown."""
    return "%" in _NOT_SHOWN.sub("", code)


def _read_styles(package: _Package, info: zipfile.ZipInfo | None) -> dict[str, int]:
    """Cell style index (as written in `s="…"`) -> _DATE, _DURATION or _PERCENT."""
    if info is None:
        return {}
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    cell_formats: list[int] = []
    in_cell_xfs = False

    def number(text: str | None) -> int:
        try:
            return int(text or 0)
        except ValueError:
            raise _corrupt(f"phần «{info.filename}» ghi mã định dạng số không hợp lệ") from None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_cell_xfs
        tag = _STYLE_TAGS.get(name)
        if tag == "xf" and in_cell_xfs:
            if len(cell_formats) > MAX_CELLS:
                raise _corrupt(f"phần «{info.filename}» có quá nhiều kiểu định dạng ô")
            cell_formats.append(number(attrs.get("numFmtId")))
        elif tag == "numFmt":
            if len(custom) > MAX_CELLS:
                raise _corrupt(f"phần «{info.filename}» có quá nhiều định dạng số")
            custom[number(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_cell_xfs = True

    def end(name: str) -> None:
        nonlocal in_cell_xfs
        if _STYLE_TAGS.get(name) == "cellXfs":
            in_cell_xfs = False

    package.parse(info, _guarded_parser(info.filename, start, end))
    kind_of: dict[int, int] = {}
    kinds: dict[str, int] = {}
    for index, format_id in enumerate(cell_formats):
        if format_id not in kind_of:
            code = custom[format_id] if format_id in custom else BUILTIN_FORMATS.get(format_id)
            kind_of[format_id] = 0
            if code is None:
                pass
            elif is_date_format(code):  # openpyxl's own test, so values compare equal
                kind_of[format_id] = _DURATION if is_timedelta_format(code) else _DATE
            elif _is_percent_format(code):
                kind_of[format_id] = _PERCENT
        if kind_of[format_id]:
            kinds[str(index)] = kind_of[format_id]
    return kinds


# -- text ---------------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot carry as _xHHHH_ (and a literal '_x' as _x005F_x)."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        allowed = code in (0x09, 0x0A, 0x0D) or 0x20 <= code < 0xD800 or 0xE000 <= code < 0xFFFE
        return chr(code) if allowed else match.group(0)  # never a character Word would refuse

    return _XML_ESCAPE.sub(character, text) if "_x" in text else text


def _too_long(part: str) -> _Refused:
    return _corrupt(
        f"phần «{part}» có một ô chứa hơn {_count(MAX_TEXT_CHARS)} ký tự, Excel chỉ cho phép "
        "32.767 ký tự mỗi ô"
    )


def _read_strings(package: _Package, info: zipfile.ZipInfo | None) -> list[str]:
    """The shared string table: plain and rich text, without phonetic (furigana) runs."""
    strings: list[str] = []
    if info is None:
        return strings
    part = info.filename
    pieces: list[str] = []
    length = 0
    collecting = False
    phonetic = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal collecting, phonetic, length
        tag = _STRING_TAGS.get(name)
        if tag == "t":
            collecting = not phonetic
        elif tag == "si":
            pieces.clear()
            length = 0
        elif tag == "rPh":
            phonetic += 1

    def end(name: str) -> None:
        nonlocal collecting, phonetic
        tag = _STRING_TAGS.get(name)
        if tag == "t":
            collecting = False
        elif tag == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise _too_large(
                    f"bảng tính có hơn {_count(MAX_SHARED_STRINGS)} chuỗi chữ khác nhau",
                    f"{_count(MAX_SHARED_STRINGS)} chuỗi",
                )
            strings.append(_unescape("".join(pieces)))
        elif tag == "rPh":
            phonetic -= 1

    def text(data: str) -> None:
        nonlocal length
        if collecting:
            length += len(data)
            if length > MAX_TEXT_CHARS:
                raise _too_long(part)
            pieces.append(data)

    package.parse(info, _guarded_parser(part, start, end, text))
    return strings


# -- a sheet ------------------------------------------------------------------------------------

_COLUMN_NUMBERS: dict[str, int] = {}


def _column_number(letters: str, part: str) -> int:
    """'A' -> 1, 'XFD' -> 16384; cached, since a sheet repeats the same few columns."""
    found = _COLUMN_NUMBERS.get(letters)
    if found is not None:
        return found
    number = column_number(letters)
    if number is None:
        raise _corrupt(f"phần «{part}» ghi vị trí ô không hợp lệ «{letters[:20]}»")
    _COLUMN_NUMBERS[letters] = number
    return number


def _row_number(text: str, part: str) -> int:
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = 0.5
        if not value.is_integer():
            raise _corrupt(f"phần «{part}» ghi số hàng không hợp lệ «{text[:20]}»") from None
        number = int(value)
    if not 1 <= number <= EXCEL_MAX_ROW:
        raise _corrupt(f"phần «{part}» ghi số hàng {text[:20]}, ngoài giới hạn của Excel")
    return number


def _read_sheet(
    package: _Package,
    info: zipfile.ZipInfo,
    title: str,
    strings: list[str],
    styles: dict[str, int],
    epoch: Any,
) -> Sheet:
    """One pass over a sheet's XML: values, cached formula results, formats, merges, hiding.

    The handlers below run once per XML element, of which a sheet may hold millions: they keep
    their state in local variables, compare element names with constants bound once the root
    element has told the namespace, and test the most frequent elements (`c`, `v`) first.
    """
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    part = info.filename
    digits = _DIGITS
    known_columns = _COLUMN_NUMBERS
    shown_as = styles.get
    n_strings = len(strings)
    rows: dict[int, tuple[Any, ...]] = {}
    percent: set[Position] = set()
    pending: set[Position] = set()
    merged: list[str] = []
    hidden_rows: set[int] = set()
    hidden_columns: set[int] = set()

    # element names, bound by `root` to the namespace the sheet uses
    C = V = F = ROW = IS = T = RPH = COL = MERGE = ""
    row = 0  # current row number
    values: list[Any] = []  # the current row's values from column A
    column = 0  # current cell's column
    cells_in_row = 0
    row_elements = 0
    rows_with_values = 0
    last_stored = 0
    ordered = True
    budget = 0  # cells counted against MAX_CELLS
    cell_type = "n"
    style: str | None = None
    has_formula = False
    has_value = False
    inline = False  # inside <is>
    saw_inline = False  # the current cell has an <is>
    phonetic = False
    collecting = False
    content = ""  # the text of the current cell's <v> or <is>
    depth = 0
    max_depth = MAX_XML_DEPTH
    max_column = EXCEL_MAX_COLUMN

    def refuse_cells() -> None:
        raise _too_large(
            f"sheet «{title}» có hơn {_count(MAX_CELLS)} ô", f"{_count(MAX_CELLS)} ô cho mỗi sheet"
        )

    def root(name: str, attrs: dict[str, str]) -> None:
        nonlocal C, V, F, ROW, IS, T, RPH, COL, MERGE, depth
        namespace = name.rpartition("}")[0]
        if namespace not in _MAIN:
            namespace = _MAIN[0]  # not a worksheet (a chart sheet…): no cells will match
        C, V, F, ROW, IS, T, RPH, COL, MERGE = (
            parser.intern.setdefault(f"{namespace}}}{local}", f"{namespace}}}{local}")
            for local in ("c", "v", "f", "row", "is", "t", "rPh", "col", "mergeCell")
        )
        parser.StartElementHandler = start
        depth = 1

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, values, column, cells_in_row, row_elements, cell_type, style
        nonlocal has_formula, has_value, inline, saw_inline, phonetic, collecting, content
        nonlocal depth, budget
        depth += 1
        if depth > max_depth:
            raise _too_deep(part)
        if name == C:
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(digits)
                column = known_columns.get(letters) or _column_number(letters, part)
            else:
                column += 1
                if column > max_column:
                    raise _corrupt(f"phần «{part}» có hàng {row} dài quá cột cuối của Excel")
            cells_in_row += 1
            if cells_in_row > max_column:
                raise _corrupt(f"phần «{part}» có hàng {row} chứa quá nhiều ô")
            cell_type = attrs.get("t", "n")
            style = attrs.get("s")
            has_formula = has_value = saw_inline = collecting = False
            content = ""
        elif name == V:
            has_value = collecting = True
        elif name == ROW:
            number = attrs.get("r")
            row = _row_number(number, part) if number else row + 1
            if row > EXCEL_MAX_ROW:
                raise _corrupt(f"phần «{part}» có nhiều hàng hơn giới hạn của Excel")
            row_elements += 1
            if row_elements > EXCEL_MAX_ROW:
                raise _too_large(
                    f"sheet «{title}» có hơn {_count(EXCEL_MAX_ROW)} hàng",
                    f"{_count(EXCEL_MAX_ROW)} hàng của Excel",
                )
            if attrs.get("hidden", "").lower() in _TRUE:
                hidden_rows.add(row)
            values = []
            column = cells_in_row = 0
        elif name == F:
            has_formula = True
        elif name == IS:
            inline = saw_inline = True
        elif name == T:
            collecting = inline and not phonetic
        elif name == RPH:
            phonetic = True
        elif name == COL:
            if attrs.get("hidden", "").lower() in _TRUE:
                try:
                    low = max(1, int(attrs.get("min", "")))
                    high = min(int(attrs.get("max", "")), EXCEL_MAX_COLUMN)
                except ValueError:
                    return
                hidden_columns.update(range(low, high + 1))
        elif name == MERGE:
            budget += 1
            if budget > MAX_CELLS:
                refuse_cells()
            merged.append(attrs.get("ref", ""))

    def end(name: str) -> None:
        nonlocal depth, collecting, inline, phonetic, rows_with_values, last_stored, ordered
        nonlocal budget
        depth -= 1
        if name == V:
            collecting = False
        elif name == C:
            if content:
                if cell_type == "n":
                    try:
                        if "." in content or "e" in content or "E" in content:
                            value: Any = float(content)
                        else:
                            value = int(content)
                    except ValueError:
                        raise _corrupt(
                            f"ô {title}!{_cell_name(row, column)} ghi số không hợp lệ "
                            f"«{content[:20]}»"
                        ) from None
                    shown = shown_as(style)  # type: ignore[arg-type]
                    if shown is not None:
                        value = shown_number(value, shown)
                else:
                    value = typed(content)
            elif saw_inline and cell_type == "inlineStr":
                value = ""  # an <is> without text is an empty string, as openpyxl reads it
            else:
                value = None
            if value is None:
                if has_formula and not (has_value and cell_type == "str"):
                    pending.add((row, column))  # an empty <v/> of a "str" is a cached ""
                return
            size = len(values)
            if column > size:
                if column > size + 1:
                    values.extend([None] * (column - size - 1))
                values.append(value)
            else:
                values[column - 1] = value
        elif name == ROW:
            budget += max(cells_in_row, len(values))
            if budget > MAX_CELLS:
                refuse_cells()
            if not values:
                return
            rows_with_values += 1
            if rows_with_values > MAX_ROWS:
                raise _too_large(
                    f"sheet «{title}» có hơn {_count(MAX_ROWS)} hàng có dữ liệu",
                    f"{_count(MAX_ROWS)} hàng cho mỗi sheet",
                )
            if row <= last_stored:
                ordered = False
                if row in rows:
                    rows[row] = _overlay(rows[row], values)
                    return
            else:
                last_stored = row
            rows[row] = tuple(values)
        elif name == T:
            collecting = False
        elif name == IS:
            inline = False
        elif name == RPH:
            phonetic = False

    def text(data: str) -> None:
        nonlocal content
        if collecting:
            if content:  # a long text arrives in pieces of at most _CHUNK characters
                if len(content) + len(data) > MAX_TEXT_CHARS:
                    raise _too_long(part)
                content += data
            else:
                content = data

    def shown_number(number: float, shown: int) -> Any:
        """A number under a date, duration or percent format."""
        if shown == _PERCENT:
            percent.add((row, column))
            return number
        try:
            return from_excel(number, epoch, timedelta=shown == _DURATION)
        except (OverflowError, ValueError):
            return number  # too large for a date: the number typed stays visible

    def typed(content: str) -> Any:
        """A cell's non-empty text under its type `t`, other than a number."""
        kind = cell_type
        if kind == "s":
            try:
                index = int(content)
            except ValueError:
                index = -1
            if not 0 <= index < n_strings:
                raise _corrupt(
                    f"ô {title}!{_cell_name(row, column)} trỏ tới chuỗi dùng chung số "
                    f"«{content[:20]}» không có trong tệp"
                )
            return strings[index]
        if kind == "str" or kind == "inlineStr":
            return _unescape(content)
        if kind == "b":
            flag = content.strip().lower()
            if flag in ("1", "true"):
                return True
            if flag in ("0", "false"):
                return False
            raise _corrupt(
                f"ô {title}!{_cell_name(row, column)} ghi giá trị đúng/sai «{flag[:20]}»"
            )
        if kind == "e":
            return ExcelError(content)
        if kind == "d":
            try:
                return from_ISO8601(content)
            except ValueError:
                return content
        return content

    parser = _xml_parser(part, root, end, text)
    package.parse(info, parser)
    if not ordered:
        rows = dict(sorted(rows.items()))
    return Sheet(
        name=title,
        rows=rows,
        percent_cells=frozenset(percent),
        formulas_without_value=frozenset(pending),
        merged=tuple(merged),
        hidden_rows=frozenset(hidden_rows),
        hidden_columns=frozenset(hidden_columns),
    )


def _overlay(old: tuple[Any, ...], new: list[Any]) -> tuple[Any, ...]:
    """A row written twice in the file: later cells win, as Excel keeps the last one."""
    merged = list(old) + [None] * (len(new) - len(old))
    for index, value in enumerate(new):
        if value is not None:
            merged[index] = value
    return tuple(merged)
