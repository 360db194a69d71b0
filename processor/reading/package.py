"""The file as a package: what kind of file it is, and its zip archive, checked before reading.

People mistake many files for a workbook (Excel's lock file, a .xls, a password-protected
workbook, an .ods, a CSV or HTML export, a .docx…): each is told from its name or its first
bytes and named with what to do. A zip is opened only after its central directory and declared
sizes are within the limits, so a zip bomb is refused before anything is decompressed.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO
from xml.parsers import expat

from processor.reading import limits
from processor.reading.refusals import (
    SAVE_AS_XLSX,
    Refused,
    corrupt,
    count,
    duplicate_part,
    hostile_xml,
    megabytes,
    odd_archive,
    too_many_members,
)

_SNIFF = 1 << 16  # bytes looked at to tell what a file that is not a zip is
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


# -- what the file is ---------------------------------------------------------------------------


def refuse_by_name(path: Path) -> None:
    """What the path alone tells: a folder, or the lock file Excel keeps beside an open workbook."""
    if path.is_dir():
        raise Refused(
            "Đây là một thư mục, không phải tệp: ghi đường dẫn đến chính tệp bảng tính .xlsx "
            "(ví dụ thu-muc/bang-diem.xlsx)."
        )
    if path.name.startswith("~$"):
        original = path.name[2:]
        raise Refused(
            f"Đây là tệp khóa tạm do Excel tạo khi đang mở bảng tính «{original}», không chứa "
            f"bảng điểm: đóng Excel và dùng tệp «{original}»."
        )
    if not path.is_file():
        raise Refused("Đây không phải một tệp thông thường: ghi đường dẫn đến tệp bảng tính .xlsx.")


def open_archive(path: Path, stream: IO[bytes]) -> zipfile.ZipFile:
    """The zip inside an opened file, once its first bytes and its directory look like one."""
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        raise Refused(
            "Tệp rỗng (0 byte), không có dữ liệu: có thể sao chép hoặc tải về chưa xong; chép "
            "lại tệp từ nơi gốc rồi chạy lại."
        )
    head = stream.read(_SNIFF)
    if head.startswith(_OLE_MAGIC):
        raise Refused(_compound_file_message(stream))
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise Refused(_not_a_zip_message(path, head))
    _check_directory(stream, size)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error):
        raise corrupt(
            "tệp nén .xlsx bị cắt cụt hoặc hỏng phần mục lục (có thể sao chép chưa xong)"
        ) from None


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
        f"{SAVE_AS_XLSX}, rồi dùng tệp .xlsx mới."
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
        f"{SAVE_AS_XLSX}, rồi dùng tệp .xlsx đó."
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
    if entries > limits.MAX_ZIP_MEMBERS:
        raise too_many_members(f"có {count(entries)} phần bên trong")
    if directory_size > limits.MAX_ZIP_MEMBERS * limits.DIRECTORY_BYTES_PER_MEMBER:
        raise too_many_members(
            f"mục lục tệp nén dài {count(directory_size // 1024)} KB, đủ cho hơn "
            f"{count(limits.MAX_ZIP_MEMBERS)} phần"
        )


# -- the archive --------------------------------------------------------------------------------


class MemberGuard:
    """Turn what zipfile and zlib raise for a damaged member into a refusal naming it."""

    def __init__(self, part: str) -> None:
        self.part = part

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _: object
    ) -> None:
        """Raise the refusal for a damaged member; let anything else (or nothing) go through."""
        if kind is None or isinstance(exc, Refused):
            return
        if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
            raise corrupt(
                f"phần «{self.part}» sai mã kiểm tra CRC (dữ liệu bên trong bị hỏng)"
            ) from None
        if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | struct.error | OSError) or (
            type(exc).__name__ == "LZMAError"
        ):
            raise corrupt(
                f"không giải nén được phần «{self.part}» (tệp bị cắt cụt hoặc hỏng)"
            ) from None
        if isinstance(exc, NotImplementedError) or (
            isinstance(exc, RuntimeError) and "encrypted" in str(exc)
        ):
            raise corrupt(
                f"phần «{self.part}» được nén theo cách Excel không dùng, hoặc có mật khẩu zip"
            ) from None


BACKSLASHED_NAMES = (
    "Tên các phần bên trong tệp nén dùng dấu «\\» thay cho «/» (ví dụ «{part}»), kiểu do một "
    "số công cụ nén trên Windows tạo ra, không phải do Excel lưu: chương trình vẫn đọc được, "
    "nhưng Excel có thể báo tệp lỗi khi mở. Nên mở bằng Excel, đồng ý để Excel sửa, rồi lưu lại."
)


class Package:
    """The archive's members by name (part names are case-insensitive in OOXML).

    Names written with backslashes (`xl\\workbook.xml`, by some Windows zip tools) are read as
    the slashes they stand for, as zipfile itself does on Windows, with a warning in `warnings`;
    two members whose names then differ only in case, or not at all, are refused as ambiguous.
    """

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.warnings: list[str] = []  # Vietnamese sentences for the secretary; nothing refused
        infos = archive.infolist()
        if len(infos) > limits.MAX_ZIP_MEMBERS:
            raise too_many_members(f"có {count(len(infos))} phần bên trong")
        total = 0
        for info in infos:
            if info.file_size > limits.MAX_PART_BYTES:
                raise odd_archive(
                    f"phần «{info.filename}» khi giải nén chiếm {megabytes(info.file_size)} MB",
                    f"{megabytes(limits.MAX_PART_BYTES)} MB cho mỗi phần",
                )
            total += info.file_size
        if total > limits.MAX_TOTAL_BYTES:
            raise odd_archive(
                f"khi giải nén chiếm tổng cộng {megabytes(total)} MB",
                f"{megabytes(limits.MAX_TOTAL_BYTES)} MB",
            )
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        backslashed = ""
        for info in infos:
            if "\\" in info.orig_filename:
                backslashed = backslashed or info.orig_filename
                info.filename = info.filename.replace("\\", "/")  # open() checks orig_filename
            key = info.filename.lower()
            if key in self.by_name and not (key.endswith("/") and info.file_size == 0):
                raise duplicate_part(self.by_name[key].orig_filename, info.orig_filename)
            self.by_name[key] = info
        if backslashed:
            self.warnings.append(BACKSLASHED_NAMES.format(part=backslashed))

    def refuse_doctypes(self) -> None:
        """Look at the start of every XML part, read or not: a DTD anywhere means a forged file.

        The parts the tool reads are guarded while parsed; this names a bomb hidden in a part it
        skips, so the secretary is warned before opening the file in another program.
        """
        for info in self.by_name.values():
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                start = self.head(info, 4096)
                if any(mark in start for mark in _DOCTYPES):
                    raise hostile_xml(info.filename)

    def refuse_opendocument(self) -> None:
        """An .ods is a zip too, told by the `mimetype` member it starts with."""
        mimetype = self.get("mimetype")
        if mimetype is not None and self.head(mimetype, 100).startswith(_ODS_MIMETYPE):
            raise Refused(
                "Tệp là bảng tính OpenDocument (.ods, của LibreOffice/OpenOffice), không phải "
                "Excel (.xlsx): mở bằng LibreOffice Calc hoặc Excel, Lưu thành (Save As) kiểu "
                "«Excel 2007-365 (.xlsx)» / «Sổ làm việc Excel (*.xlsx)», rồi dùng tệp .xlsx đó."
            )

    def refuse_binary_workbook(self, main: str) -> None:
        """An .xlsb: a zip whose workbook part is binary, which this reader does not parse."""
        if main.lower().endswith(".bin") or self.get("xl/workbook.bin") is not None:
            raise Refused(
                "Tệp là sổ làm việc nhị phân Excel (.xlsb), chương trình chỉ đọc được .xlsx: mở "
                f"bằng Excel, {SAVE_AS_XLSX}, rồi dùng tệp .xlsx mới."
            )

    def not_a_workbook_message(self) -> str:
        """A zip with no workbook part: usually another Office document renamed."""
        names = set(self.names())
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
            f"bảng điểm chưa; nếu tệp do phần mềm khác xuất, mở bằng Excel rồi {SAVE_AS_XLSX}."
        )

    def get(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name.lower())

    def names(self) -> Iterable[str]:
        return self.by_name

    def head(self, info: zipfile.ZipInfo, size: int) -> bytes:
        with MemberGuard(info.filename), self.archive.open(info) as member:
            return member.read(size)

    def parse(self, info: zipfile.ZipInfo, parser: expat.XMLParserType) -> None:
        """Stream one XML part through a parser made by `xml_parser`, chunk by chunk."""
        part = info.filename
        with MemberGuard(part):
            try:
                fed = 0
                with self.archive.open(info) as member:
                    while chunk := member.read(limits.CHUNK):
                        parser.Parse(chunk, False)
                        fed += len(chunk)
                        if fed - max(parser.CurrentByteIndex, 0) > limits.MAX_XML_TOKEN_BYTES:
                            raise corrupt(
                                f"phần «{part}» có một thẻ XML dài hơn "
                                f"{megabytes(limits.MAX_XML_TOKEN_BYTES)} MB, tệp Excel thật "
                                "không bao giờ như vậy"
                            )
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                reason = expat.ErrorString(exc.code) if exc.code else str(exc)
                raise corrupt(
                    f"nội dung XML của phần «{part}» bị lỗi ở dòng {exc.lineno}, cột "
                    f"{exc.offset} ({reason})"
                ) from None
