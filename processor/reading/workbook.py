"""Reading the council's workbook: cell values with their positions, nothing interpreted yet.

This is the edge where the file is touched; checking what the cells mean is validation's job
(processor/core/validation/). The workbook is opened read-only and never written.

The .xlsx is read by our own streaming reader, in one pass per part: a zip archive
(`zipfile`, decompressed as it is read) of XML parts parsed by expat as they stream past, with
the guards defusedxml installs (any DTD refused; see xml_parser.py). openpyxl's read-only mode,
which the tool used before, could not tell a formula without a cached value from an empty cell
in the same pass, gave no merged cells or hidden rows, and produced every empty row up to the
last one; at national scale (10,000 agencies x 30 criteria) it was also three times slower.
openpyxl is no longer imported at all: which number formats are dates, and which date a serial
number is, follow openpyxl 3.1's rules re-implemented in formats.py, so values compare equal
with what openpyxl reads (the tests check both against openpyxl).

Every file is distrusted: each kind of file people mistake for a workbook (a lock file, a
.xls, a password-protected workbook, an .ods, a CSV…) is named in Vietnamese with what to do
(package.py), and a hostile file (an XML entity bomb, a zip bomb, a sheet claiming millions of
cells) is refused quickly and in bounded memory by the limits in limits.py.

The modules, in the order a file meets them: package.py (what the file is, its zip archive),
xml_parser.py (the guarded expat parser), parts.py (relationships, workbook, styles, shared
strings), formats.py (number formats, date serials), worksheet.py (one sheet's cells);
refusals.py words every refusal.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from processor.core.formatting import normalise
from processor.core.problems import InputError, Problem
from processor.core.sheet import INFO_SHEET, SCORE_SHEET, RawWorkbook, Sheet
from processor.core.validation.crosswalk import CROSSWALK_SHEET, is_crosswalk_sheet
from processor.reading.formats import MAC_EPOCH, WINDOWS_EPOCH
from processor.reading.package import Package, open_archive, refuse_by_name
from processor.reading.parts import (
    has_macros,
    part_of_type,
    read_strings,
    read_styles,
    read_workbook_part,
    relationships,
    resolve,
)
from processor.reading.refusals import Refused, corrupt
from processor.reading.worksheet import read_sheet


def read_workbook(path: Path) -> RawWorkbook:
    """Read the `Điểm` and `Thông tin` sheets' values (cached values, never formulas), and the
    optional `Sáp nhập - đổi tên` sheet's when there is one."""
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
        refuse_by_name(path)
        with open(path, "rb") as stream, open_archive(path, stream) as archive:
            return _read_archive(path, archive)
    except Refused as refused:
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


def _read_archive(path: Path, archive: zipfile.ZipFile) -> RawWorkbook:
    """Find the workbook part and the sheets the tool reads, then read them."""
    package = Package(archive)
    package.refuse_doctypes()
    package.refuse_opendocument()
    main = "xl/workbook.xml"
    root_rels = package.get("_rels/.rels")
    if root_rels is not None:
        for rel in relationships(package, root_rels):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                main = resolve("", rel["Target"])
                break
    workbook = package.get(main)
    package.refuse_binary_workbook(main)
    if workbook is None:
        raise Refused(package.not_a_workbook_message())
    macros = has_macros(package)

    names, date1904 = read_workbook_part(package, workbook)
    base = posixpath.dirname(workbook.filename)
    rels_info = package.get(
        posixpath.join(base, "_rels", posixpath.basename(workbook.filename) + ".rels")
    )
    rels = relationships(package, rels_info) if rels_info is not None else []
    targets = {
        rel.get("Id"): resolve(base, rel.get("Target", ""))
        for rel in rels
        if rel.get("TargetMode") != "External"
    }

    wanted = {normalise(SCORE_SHEET): SCORE_SHEET, normalise(INFO_SHEET): INFO_SHEET}
    chosen: dict[str, tuple[str, zipfile.ZipInfo]] = {}
    for title, rid in names:
        canonical = wanted.get(normalise(title))
        if canonical is None and is_crosswalk_sheet(title):
            canonical = CROSSWALK_SHEET
        if canonical is None or canonical in chosen:
            continue
        member = package.get(targets.get(rid, "")) if rid else None
        if member is None:
            raise corrupt(f"không tìm thấy nội dung của sheet «{title}» trong tệp")
        chosen[canonical] = (title, member)

    sheets: dict[str, Sheet] = {}
    if chosen:
        styles = read_styles(package, part_of_type(package, rels, base, "styles"))
        strings = read_strings(package, part_of_type(package, rels, base, "sharedStrings"))
        epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        for canonical, (title, member) in chosen.items():
            sheets[canonical] = read_sheet(package, member, title, strings, styles, epoch)
    return RawWorkbook(
        file_name=path.name,
        sheet_names=tuple(title for title, _ in names),
        sheets=sheets,
        has_macros=macros,
        warnings=tuple(package.warnings),
    )
