"""Hostile and broken files, each built here by a script (never a committed binary).

Every builder takes a folder and returns the path of the file it wrote there. They are used by
tests/test_hostile_files.py (through the real CLI) and by tests/benchmarks/bench_hostile.py
(at full scale, timing each refusal). Large files are written by streaming compression, so a
builder never holds more than a megabyte of its file in memory.
"""

from __future__ import annotations

import datetime as dt
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"  # the "Điểm" sheet in every workbook built here
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MiB = 1024 * 1024
GiB = 1024 * MiB

Content = bytes | Callable[[IO[bytes]], None]  # a member's bytes, or a writer that streams them


def valid_workbook(folder: Path, name: str = "bang-diem.xlsx") -> Path:
    """A small, valid scoring workbook (openpyxl), the base every hostile variant starts from."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    sheet.append(["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước", "TC1.1"])
    sheet.append([1, "Sở Tư pháp", "I", 1, 5])
    info = book.create_sheet("Thông tin")
    for row in [("Năm đánh giá", 2020), ("Ngày tờ trình", dt.date(2021, 1, 8))]:
        info.append(row)
    path = folder / name
    book.save(path)
    return path


def rewrite(
    source: Path,
    target: Path,
    replace: dict[str, Content] | None = None,
    add: dict[str, Content] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Copy a zip member by member, replacing or adding some (a real zip rewrite)."""
    replace = replace or {}
    add = add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        for info in old.infolist():
            content = replace.get(info.filename)
            _write(new, info.filename, content if content is not None else old.read(info))
        for name, content in add.items():
            _write(new, name, content)
    return target


def _write(archive: zipfile.ZipFile, name: str, content: Content) -> None:
    if isinstance(content, bytes):
        archive.writestr(name, content)
        return
    with archive.open(name, "w", force_zip64=True) as member:
        content(member)


def sheet_xml(rows: Iterable[str], prolog: str = "", head: str = "") -> Iterator[bytes]:
    """A worksheet's XML in pieces: declaration, optional DTD, optional head, rows."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'.encode()
    yield f'<worksheet xmlns="{MAIN_NS}">{head}<sheetData>'.encode()
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 10_000:
            yield "".join(batch).encode()
            batch.clear()
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def streamed(pieces: Iterable[bytes]) -> Callable[[IO[bytes]], None]:
    def write(member: IO[bytes]) -> None:
        for piece in pieces:
            member.write(piece)

    return write


def first_rows() -> list[str]:
    return [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>TT</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Tên đơn vị</t></is></c></row>',
        '<row r="2"><c r="A2"><v>1</v></c></row>',
    ]


# -- files people mistake for a workbook --------------------------------------------------------


def lock_file(folder: Path, owner: str = "Nguyen Van A") -> Path:
    """`~$bang-diem.xlsx`: the 165-byte owner file Excel keeps beside a workbook it has open."""
    name = owner.encode("ascii")[:53]
    data = bytes([len(name)]) + name.ljust(53, b" ")
    data += struct.pack("<H", len(owner)) + owner.encode("utf-16-le").ljust(108, b" ")
    path = folder / "~$bang-diem.xlsx"
    path.write_bytes(data.ljust(165, b" ")[:165])
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "bang-diem.xlsx"
    path.write_bytes(b"")
    return path


def text_file(folder: Path) -> Path:
    path = folder / "bang-diem.xlsx"
    path.write_text("Đây là ghi chú, không phải bảng tính.\n", encoding="utf-8")
    return path


def csv_file(folder: Path) -> Path:
    path = folder / "bang-diem.csv"
    path.write_text("TT,Tên đơn vị,Nhóm\n1,Sở Tư pháp,I\n", encoding="utf-8-sig")
    return path


def html_file(folder: Path) -> Path:
    """What many web systems export as "Excel": an HTML table named .xls."""
    path = folder / "bang-diem.xls"
    path.write_text(
        "<html><body><table><tr><td>TT</td><td>Tên đơn vị</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def garbage_file(folder: Path) -> Path:
    path = folder / "bang-diem.xlsx"
    path.write_bytes(bytes(range(256)) * 16)
    return path


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal valid Microsoft compound file (CFB v3), every stream in regular sectors.

    Layout: sector 0 holds the FAT, sector 1 the directory, then each stream in turn. Streams
    are padded to 4096 bytes, the mini-stream cut-off, so no mini FAT is needed.
    """
    sector = 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    assert len(names) <= 3
    bodies = [streams[n].ljust(max(4096, len(streams[n])), b"\0") for n in names]
    fat = [fat_sector, end]
    starts = []
    for body in bodies:
        count = -(-len(body) // sector)
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end)
    assert len(fat) <= sector // 4
    fat.extend([free] * (sector // 4 - len(fat)))

    def entry(
        name: str, kind: int, color: int, left: int, right: int, child: int, start: int, size: int
    ) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, color, left, right, child)
            + b"\0" * 16  # CLSID
            + b"\0" * 4  # state bits
            + b"\0" * 16  # creation and modification times
            + struct.pack("<IQ", start, size)
        )

    nostream = 0xFFFFFFFF
    # the children of the root form a tree ordered by name length, then by upper-case name
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    directory = [entry("Root Entry", 5, 1, nostream, nostream, order[0] + 1, end, 0)]
    for index, name in enumerate(names):
        position = order.index(index)
        right = order[position + 1] + 1 if position + 1 < len(order) else nostream
        color = 1 if position == 0 else 0
        directory.append(
            entry(name, 2, color, nostream, right, nostream, starts[index], len(streams[name]))
        )
    unused = b"\0" * 66 + struct.pack("<BBIII", 0, 0, nostream, nostream, nostream)
    directory.extend([unused.ljust(128, b"\0")] * (4 - len(directory)))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)  # the first (and only) FAT sector is sector 0
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    return (
        header
        + struct.pack(f"<{sector // 4}I", *fat)
        + b"".join(directory)
        + b"".join(body.ljust(-(-len(body) // sector) * sector, b"\0") for body in bodies)
    )


def legacy_xls(folder: Path) -> Path:
    """An Excel 97-2003 workbook: a compound file with a `Workbook` stream (BOF ... EOF)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    eof = struct.pack("<HH", 0x000A, 0)
    path = folder / "bang-diem.xls"
    path.write_bytes(_compound_file({"Workbook": bof + eof}))
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """A password-protected workbook as Office saves it: a compound file, not a zip, holding
    `EncryptionInfo` and the encrypted zip in `EncryptedPackage`."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"  # agile encryption header
    package = struct.pack("<Q", 9000) + bytes((i * 7) & 0xFF for i in range(9008))
    path = folder / "bang-diem.xlsx"
    path.write_bytes(_compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def ods_file(folder: Path, name: str = "bang-diem.ods") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return path


def xlsb_file(folder: Path) -> Path:
    """A binary workbook: the same zip and relationships, but `xl/workbook.bin`."""
    path = folder / "bang-diem.xlsb"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.bin" ContentType="application/'
            'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.bin" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00\x84\x01\x00")
    return path


def docx_renamed(folder: Path) -> Path:
    """A Word document saved under a workbook's name."""
    import docx

    document = docx.Document()
    document.add_paragraph("Bảng điểm (nhầm tệp)")
    path = folder / "bang-diem.xlsx"
    document.save(str(path))
    return path


# -- hostile XML --------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
)


def entity_bomb(folder: Path) -> Path:
    """A real workbook whose sheet XML carries a billion-laughs DTD and uses `&lol9;` (3 GB)."""
    base = valid_workbook(folder, "co-so.xlsx")
    rows = [*first_rows(), '<row r="3"><c r="B3" t="inlineStr"><is><t>&lol9;</t></is></c></row>']
    sheet = b"".join(sheet_xml(rows, prolog=BILLION_LAUGHS))
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: sheet})


def external_entity(folder: Path) -> Path:
    """XXE: a sheet that asks the parser to read /etc/passwd into a cell."""
    base = valid_workbook(folder, "co-so.xlsx")
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    rows = [*first_rows(), '<row r="3"><c r="B3" t="inlineStr"><is><t>&xxe;</t></is></c></row>']
    sheet = b"".join(sheet_xml(rows, prolog=prolog))
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: sheet})


def doctype_in(folder: Path, part: str) -> Path:
    """A harmless-looking DOCTYPE in one part (a real part never has one)."""
    base = valid_workbook(folder, "co-so.xlsx")
    with zipfile.ZipFile(base) as archive:
        xml = archive.read(part)
    if xml.startswith(b"<?xml"):
        declaration, rest = xml.split(b"?>", 1)
        xml = declaration + b'?>\n<!DOCTYPE x SYSTEM "x.dtd">' + rest
    else:
        xml = b'<!DOCTYPE x SYSTEM "x.dtd">' + xml
    return rewrite(base, folder / "bang-diem.xlsx", replace={part: xml})


def deep_nesting(folder: Path, depth: int = 1_000_000) -> Path:
    """A cell nesting a million elements: no DTD, but a parser keeping a tree would balloon."""
    base = valid_workbook(folder, "co-so.xlsx")
    opening, closing = b"<x>" * depth, b"</x>" * depth
    pieces = list(sheet_xml(first_rows()))
    pieces[-1] = (
        b'<row r="3"><c r="A3" t="inlineStr"><is>'
        + opening
        + closing
        + b"</is></c></row></sheetData></worksheet>"
    )
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: streamed(pieces)})


def malformed_xml(folder: Path) -> Path:
    base = valid_workbook(folder, "co-so.xlsx")
    sheet = b"".join(sheet_xml(first_rows())).replace(b"</sheetData>", b"</sheetDat>")
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: sheet})


# -- hostile and broken zips --------------------------------------------------------------------


def _zero_rows(size: int) -> Iterator[bytes]:
    """`size` bytes of a sheet's XML: rows of zeros, the most compressible valid content."""
    row = b'<row><c t="n"><v>0</v></c></row>'
    block = row * (MiB // len(row))
    yield f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    written = 0
    while written + len(block) <= size:
        yield block
        written += len(block)
    yield row * ((size - written) // len(row))
    yield b"</sheetData></worksheet>"


def zip_bomb(folder: Path, size: int = GiB, members: int = 1) -> Path:
    """A real workbook whose sheet (and `members - 1` copies) inflate to `size` bytes each.

    Compressed at level 1 as it streams: about 6 MB on disk per GiB, about a second per GiB to
    build, never more than a megabyte in memory.
    """
    base = valid_workbook(folder, "co-so.xlsx")
    target = folder / "bang-diem.xlsx"
    with (
        zipfile.ZipFile(base) as old,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new,
    ):
        for info in old.infolist():
            if info.filename != SHEET:
                new.writestr(info.filename, old.read(info))
        for copy in range(members):
            name = SHEET if copy == 0 else f"xl/worksheets/copy{copy}.xml"
            with new.open(name, "w", force_zip64=True) as stream:
                for piece in _zero_rows(size):
                    stream.write(piece)
    return target


def lying_sizes(folder: Path) -> Path:
    """A zip whose directory declares the sheet far smaller than it inflates to.

    zipfile stops decompressing at the declared size, and the CRC of what it read does not
    match: memory stays bounded by the declared size even when the declaration lies.
    """
    base = valid_workbook(folder, "co-so.xlsx")
    rows = [f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20_000)]
    path = rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: b"".join(sheet_xml(rows))})
    _patch_declared_size(path, SHEET, 1000)
    return path


def _patch_declared_size(path: Path, name: str, size: int) -> None:
    """Overwrite a member's uncompressed size in its local header and the central directory."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, size)
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == encoded:
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def crc_corrupted(folder: Path) -> Path:
    """One byte of the stored (uncompressed) sheet changed: still valid XML, wrong CRC."""
    base = valid_workbook(folder, "co-so.xlsx")
    sheet = b"".join(sheet_xml(first_rows()))
    path = rewrite(
        base, folder / "bang-diem.xlsx", replace={SHEET: sheet}, compression=zipfile.ZIP_STORED
    )
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(SHEET).header_offset
    data = bytearray(path.read_bytes())
    at = data.index(b"<v>1</v>", offset)
    data[at + 3] = ord("7")
    path.write_bytes(bytes(data))
    return path


def truncated_zip(folder: Path) -> Path:
    """A copy that stopped half-way (the end of the zip, its directory, is missing)."""
    base = valid_workbook(folder, "co-so.xlsx")
    data = base.read_bytes()
    path = folder / "bang-diem.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def too_many_members(folder: Path, count: int = 5_001) -> Path:
    base = valid_workbook(folder, "co-so.xlsx")
    extra: dict[str, Content] = {f"xl/media/anh{n}.bin": b"" for n in range(count)}
    return rewrite(base, folder / "bang-diem.xlsx", add=extra)


def duplicate_part(folder: Path, name: str = SHEET) -> Path:
    """A second member called `name` (the sheet's own name, or it in another case or with
    backslashes) holding other scores, after the first: which one is the sheet is ambiguous."""
    base = valid_workbook(folder, "co-so.xlsx")
    other = b"".join(sheet_xml([first_rows()[0], '<row r="2"><c r="A2"><v>9</v></c></row>']))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name"
        return rewrite(base, folder / "bang-diem.xlsx", add={name: other})


# -- files that must be read ----------------------------------------------------------------------


def xlsm_workbook(folder: Path, base: Path | None = None) -> Path:
    """A macro-enabled workbook (.xlsm): a VBA project part and the macro-enabled content type,
    added to `base` (by default a small valid workbook).

    It must be read like any workbook (its macros are never run), with has_macros=True.
    """
    base = base or valid_workbook(folder, "co-so.xlsx")
    with zipfile.ZipFile(base) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdVba" Target="vbaProject.bin" Type="http://schemas.microsoft.com/'
        'office/2006/relationships/vbaProject"/></Relationships>',
    )
    vba = _compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    return rewrite(
        base,
        folder / "bang-diem.xlsm",
        replace={
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
        },
        add={"xl/vbaProject.bin": vba},
    )


def huge_dimension(folder: Path) -> Path:
    """A sheet claiming A1:XFD1048576 (17 billion cells) that holds three rows: read at once."""
    base = valid_workbook(folder, "co-so.xlsx")
    rows = [*first_rows(), '<row r="3"><c r="C3"><v>3</v></c></row>']
    sheet = b"".join(sheet_xml(rows, head='<dimension ref="A1:XFD1048576"/>'))
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: sheet})


def too_many_rows(folder: Path, rows: int = 1_000_001) -> Path:
    """A sheet with `rows` rows holding a value, streamed (about 40 bytes of XML per row)."""
    base = valid_workbook(folder, "co-so.xlsx")
    lines = (f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, rows + 1))
    return rewrite(base, folder / "bang-diem.xlsx", replace={SHEET: streamed(sheet_xml(lines))})
