"""Hostile and broken files through the real CLI: exit 2, the file named, words that say what
to do, never a traceback, nothing written. The files are built by tests/hostile_files.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from processor.reading.limits import MAX_PART_BYTES
from processor.reading.workbook import read_workbook

import hostile_files as hf
from bad_workbooks import documented_phrases
from conftest import cli


def missing(folder: Path) -> Path:
    return folder / "khong-co.xlsx"


def directory(folder: Path) -> Path:
    path = folder / "bang-diem.xlsx"
    path.mkdir()
    return path


def bomb(folder: Path) -> Path:
    """Just over the per-part limit, so building it stays quick; the benchmark builds 1 GiB."""
    return hf.zip_bomb(folder, size=MAX_PART_BYTES + hf.MiB)


def duplicate_by_case(folder: Path) -> Path:
    return hf.duplicate_part(folder, "xl/worksheets/Sheet1.xml")


def duplicate_by_backslash(folder: Path) -> Path:
    return hf.duplicate_part(folder, "xl\\worksheets\\sheet1.xml")


CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "missing": (missing, ["Tệp không tồn tại"]),
    "directory": (directory, ["Đây là một thư mục, không phải tệp"]),
    "lock file": (
        hf.lock_file,
        [
            "tệp khóa tạm do Excel tạo khi đang mở bảng tính",
            "đóng Excel và dùng tệp «bang-diem.xlsx»",
        ],
    ),
    "zero bytes": (hf.empty_file, ["Tệp rỗng (0 byte)", "sao chép hoặc tải về chưa xong"]),
    "text": (hf.text_file, ["không phải bảng tính Excel .xlsx hợp lệ", "Lưu thành (Save As)"]),
    "csv": (hf.csv_file, ["tệp văn bản .csv", "Lưu thành (Save As)", "(*.xlsx)"]),
    "html": (hf.html_file, ["trang web (HTML)", "Lưu thành (Save As)"]),
    "garbage": (hf.garbage_file, ["không phải tệp nén zip"]),
    "legacy xls": (hf.legacy_xls, ["Excel 97-2003 (.xls)", "Lưu thành (Save As)"]),
    "password": (
        hf.encrypted_xlsx,
        ["được đặt mật khẩu", "Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu", "lưu lại"],
    ),
    "ods": (hf.ods_file, ["OpenDocument (.ods", "Lưu thành (Save As)"]),
    "xlsb": (hf.xlsb_file, ["nhị phân Excel (.xlsb)", "Lưu thành (Save As)"]),
    "docx renamed": (hf.docx_renamed, ["không phải bảng tính Excel", "tài liệu Word (.docx)"]),
    "entity bomb": (
        hf.entity_bomb,
        ["khai báo DTD/thực thể XML", "không bao giờ có trong tệp Excel thật", "độc hại"],
    ),
    "external entity": (hf.external_entity, ["khai báo DTD/thực thể XML", "độc hại"]),
    "deep nesting": (hf.deep_nesting, ["Tệp hỏng", "lồng nhau quá 100 tầng"]),
    "malformed xml": (hf.malformed_xml, ["Tệp hỏng", "mở bằng Excel và lưu lại"]),
    "zip bomb": (bomb, ["Tệp nén bất thường", "vượt giới hạn 256 MB cho mỗi phần", "độc hại"]),
    "lying sizes": (hf.lying_sizes, ["Tệp hỏng", "sai mã kiểm tra CRC"]),
    "crc error": (hf.crc_corrupted, ["Tệp hỏng", "sai mã kiểm tra CRC", "lưu lại"]),
    "truncated zip": (hf.truncated_zip, ["Tệp hỏng", "bị cắt cụt"]),
    "too many members": (hf.too_many_members, ["Tệp nén bất thường", "giới hạn 5.000 phần"]),
    "duplicate part": (
        hf.duplicate_part,
        ["Tệp hỏng", "hai phần cùng tên «xl/worksheets/sheet1.xml»", "mở bằng Excel và lưu lại"],
    ),
    "duplicate part by case": (
        duplicate_by_case,
        ["Tệp hỏng", "«xl/worksheets/sheet1.xml» và «xl/worksheets/Sheet1.xml»", "chữ hoa"],
    ),
    "duplicate part by backslash": (
        duplicate_by_backslash,
        ["Tệp hỏng", "«xl/worksheets/sheet1.xml» và «xl\\worksheets\\sheet1.xml»", "dấu «\\»"],
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Each case's file, built once for the module (the zip bomb takes a moment)."""
    paths: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in paths:
            folder = tmp_path_factory.mktemp(case.replace(" ", "-"))
            paths[case] = CASES[case][0](folder)
        return paths[case]

    return get


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_or_broken_file_is_refused_in_vietnamese(
    case: str, command: str, built: Callable[[str], Path], tmp_path: Path
):
    path = built(case)
    out = tmp_path / "kq"
    before = path.read_bytes() if path.is_file() else None
    args = ["--out", str(out)] if command == "run" else []
    done = cli(command, str(path), *args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert f"Lỗi {path.name}: " in done.stderr
    for words in CASES[case][1]:
        assert words in done.stderr, done.stderr
    line = next(line for line in done.stderr.splitlines() if f"Lỗi {path.name}: " in line)
    assert any(phrase in line for phrase in documented_phrases()), f"not in README: {line}"
    assert not out.exists()
    if before is not None:
        assert path.read_bytes() == before  # never modified


def test_a_refusal_in_json_names_the_file(built: Callable[[str], Path]):
    path = built("entity bomb")
    done = cli("check", str(path), "--format", "json")
    assert done.returncode == 2
    answer = json.loads(done.stdout)
    assert answer["ok"] is False
    assert answer["summary"].startswith("Không mở được bảng tính")
    assert answer["problems"][0]["place"] == "bang-diem.xlsx"
    assert "DTD" in answer["problems"][0]["message"]


def test_a_macro_enabled_workbook_is_read(tmp_path):
    path = hf.xlsm_workbook(tmp_path)
    book = read_workbook(path)
    assert book.has_macros
    assert book.sheets["Điểm"].rows[2][:3] == (1, "Sở Tư pháp", "I")
    done = cli("check", str(path))
    assert "Không mở được" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_complete_xlsm_makes_the_decision_and_says_macros_never_run(tmp_path, rules):
    from bad_workbooks import base_book

    base = tmp_path / "co-so.xlsx"
    base_book(rules).save(base)
    path = hf.xlsm_workbook(tmp_path, base)
    done = cli("run", str(path), "--out", str(tmp_path / "kq"))
    assert done.returncode == 0, done.stderr
    assert (
        "  Cảnh báo bang-diem.xlsm: Bảng tính có macro (.xlsm). Macro không bao giờ được chạy"
        in done.stderr
    )
    assert (tmp_path / "kq" / "quyet-dinh-xep-hang-cntt-2020.docx").is_file()


def test_a_sheet_claiming_every_cell_of_excel_is_read_at_once(tmp_path):
    path = hf.huge_dimension(tmp_path)
    book = read_workbook(path)
    assert book.sheets["Điểm"].rows == {
        1: ("TT", "Tên đơn vị"),
        2: (1,),
        3: (None, None, 3),
    }
    done = cli("check", str(path))
    assert "Không mở được" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_real_password_protected_workbook_is_recognised(tmp_path):
    """With msoffcrypto-tool (optional), encrypt a workbook as Office does and read it."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = hf.valid_workbook(tmp_path, "goc.xlsx")
    locked = tmp_path / "bang-diem.xlsx"
    with open(plain, "rb") as source, open(locked, "wb") as target:
        ooxml.OOXMLFile(source).encrypt("mat-khau", target)
    done = cli("check", str(locked))
    assert done.returncode == 2
    assert "được đặt mật khẩu" in done.stderr
