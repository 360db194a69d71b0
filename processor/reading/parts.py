"""The small parts read before any sheet: relationships, the workbook, styles, shared strings.

Each is parsed in one streaming pass by a guarded parser (no DTD, bounded depth) and reduced to
what the sheet reader needs: where each sheet is, which styles show dates or percentages, and
the text of the shared strings.
"""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote

from processor.reading import limits
from processor.reading.formats import BUILTIN_FORMATS, format_kind
from processor.reading.ooxml import PACKAGE, RELATIONSHIP_ATTRIBUTES, TRUE, tags, unescape
from processor.reading.package import Package
from processor.reading.refusals import Refused, corrupt, count, too_large, too_long
from processor.reading.xml_parser import guarded_parser

_STRING_TAGS = tags("si", "t", "rPh")
_STYLE_TAGS = tags("numFmts", "numFmt", "cellXfs", "xf")
_WORKBOOK_TAGS = tags("workbook", "sheet", "workbookPr")


# -- where things are ---------------------------------------------------------------------------


def resolve(base: str, target: str) -> str:
    """A relationship target ('worksheets/sheet1.xml' or '/xl/…') as a member name."""
    target = unquote(target.replace("\\", "/"))
    joined = target if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath("/" + joined).lstrip("/")


def relationships(package: Package, info: zipfile.ZipInfo) -> list[dict[str, str]]:
    """The attributes of each <Relationship> of a .rels part (Id, Type, Target, TargetMode)."""
    found: list[dict[str, str]] = []
    tag = f"{PACKAGE}/relationships}}Relationship"

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == tag and len(found) <= limits.MAX_ZIP_MEMBERS:
            found.append(attrs)

    package.parse(info, guarded_parser(info.filename, start))
    return found


def part_of_type(
    package: Package, rels: list[dict[str, str]], base: str, kind: str
) -> zipfile.ZipInfo | None:
    """The workbook's part of a relationship type ('styles', 'sharedStrings'), if any."""
    for rel in rels:
        if rel.get("Type", "").endswith("/" + kind) and rel.get("Target"):
            found = package.get(resolve(base, rel["Target"]))
            if found is not None:
                return found
    return package.get(posixpath.join(base, f"{kind}.xml"))


def has_macros(package: Package) -> bool:
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

    package.parse(types, guarded_parser(types.filename, start))
    return found


def read_workbook_part(
    package: Package, info: zipfile.ZipInfo
) -> tuple[list[tuple[str, str]], bool]:
    """Sheet names with their relationship ids, in tab order, and the 1904 date system flag."""
    sheets: list[tuple[str, str]] = []
    date1904 = False
    root_seen = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal date1904, root_seen
        tag = _WORKBOOK_TAGS.get(name)
        if not root_seen and tag != "workbook":  # the main part of a Word or PowerPoint file
            raise Refused(package.not_a_workbook_message())
        root_seen = True
        if tag == "sheet" and len(sheets) <= limits.MAX_ZIP_MEMBERS:
            rid = next((attrs[a] for a in RELATIONSHIP_ATTRIBUTES if a in attrs), "")
            sheets.append((attrs.get("name", ""), rid))
        elif tag == "workbookPr":
            date1904 = attrs.get("date1904", "").lower() in TRUE

    package.parse(info, guarded_parser(info.filename, start))
    return sheets, date1904


# -- styles: which cells show dates, durations, percentages --------------------------------------


def read_styles(package: Package, info: zipfile.ZipInfo | None) -> dict[str, int]:
    """Cell style index (as written in `s="…"`) -> formats.DATE, DURATION or PERCENT.

    The ids `<cellXfs>` name are the built-in formats and those `<numFmts>` declares, nothing
    else: a `<numFmt>` inside a `<dxf>` (the differential format of a conditional format or a
    table style) belongs to that rule alone, and Excel reuses ids there with another meaning.
    """
    if info is None:
        return {}
    part = info.filename
    custom: dict[int, str] = {}
    cell_formats: list[int] = []
    in_cell_xfs = in_num_fmts = False

    def number(text: str | None) -> int:
        try:
            return int(text or 0)
        except ValueError:
            raise corrupt(f"phần «{part}» ghi mã định dạng số không hợp lệ") from None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_cell_xfs, in_num_fmts
        tag = _STYLE_TAGS.get(name)
        if tag == "xf" and in_cell_xfs:
            if len(cell_formats) > limits.MAX_CELLS:
                raise corrupt(f"phần «{part}» có quá nhiều kiểu định dạng ô")
            cell_formats.append(number(attrs.get("numFmtId")))
        elif tag == "numFmt" and in_num_fmts:
            if len(custom) > limits.MAX_CELLS:
                raise corrupt(f"phần «{part}» có quá nhiều định dạng số")
            custom[number(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_cell_xfs = True
        elif tag == "numFmts":
            in_num_fmts = True

    def end(name: str) -> None:
        nonlocal in_cell_xfs, in_num_fmts
        tag = _STYLE_TAGS.get(name)
        if tag == "cellXfs":
            in_cell_xfs = False
        elif tag == "numFmts":
            in_num_fmts = False

    package.parse(info, guarded_parser(part, start, end))
    kind_of: dict[int, int] = {}
    kinds: dict[str, int] = {}
    for index, format_id in enumerate(cell_formats):
        if format_id not in kind_of:
            code = custom[format_id] if format_id in custom else BUILTIN_FORMATS.get(format_id)
            kind_of[format_id] = format_kind(code)
        if kind_of[format_id]:
            kinds[str(index)] = kind_of[format_id]
    return kinds


# -- shared strings -----------------------------------------------------------------------------


def read_strings(package: Package, info: zipfile.ZipInfo | None) -> list[str]:
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
            if len(strings) >= limits.MAX_SHARED_STRINGS:
                raise too_large(
                    f"bảng tính có hơn {count(limits.MAX_SHARED_STRINGS)} chuỗi chữ khác nhau",
                    f"{count(limits.MAX_SHARED_STRINGS)} chuỗi",
                )
            strings.append(unescape("".join(pieces)))
        elif tag == "rPh":
            phonetic -= 1

    def text(data: str) -> None:
        nonlocal length
        if collecting:
            length += len(data)
            if length > limits.MAX_TEXT_CHARS:
                raise too_long(part)
            pieces.append(data)

    package.parse(info, guarded_parser(part, start, end, text))
    return strings
