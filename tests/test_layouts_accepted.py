"""Score sheets laid out as councils lay them out give the same decision as the clean sample.

Each layout is built by script from the bundled sample (never a hand-edited binary) and run
through the real command line; the decision must be byte for byte the clean sample's:
- a title row merged across the columns and a blank row above the headings;
- a group heading row before each group (the TT cell holds the group's label, the name cell
  its title, no scores), with the `Nhóm` column and without it;
- the heading and title in one TT cell merged across the row («I. Các cơ quan …»);
- a two-row header (TT … merged down, the criterion codes under a merged caption);
- the sample, and a rearranged one, re-saved by LibreOffice Calc (skipped where it is missing).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import ROOT, SAMPLE, cli

SAMPLE_2026 = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
SAMPLE_SHA256 = "7d52f4bc487583f8ccdb9a5c24e4c7e61cb0a89ff71cecfdd3dd0c3517d1b64d"
TITLE = "BẢNG TỔNG HỢP ĐIỂM THẨM ĐỊNH MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2020"


def decision(workbook: Path, out: Path, *profile: str) -> tuple[bytes, str]:
    """The decision the real CLI writes for the workbook, and what it printed on stderr."""
    done = cli("run", str(workbook), "--out", str(out), *profile)
    assert done.returncode == 0, done.stdout + done.stderr
    (written,) = out.glob("*.docx")
    return written.read_bytes(), done.stderr


def groups_of(source: Path) -> list[tuple[str, str, str]]:
    """(code, label, title) of each group, in the rules' order, read from the profile."""
    import tomllib

    profile = "chuyen-doi-so-2026" if source == SAMPLE_2026 else "lao-cai-2020"
    raw = tomllib.loads((ROOT / "templates" / profile / "quy-tac.toml").read_text("utf-8"))
    return [(g["code"], g.get("label") or g["code"], g["title"]) for g in raw["groups"]]


Heading = Callable[[str, str], list[Any]]  # (label, title) -> the heading row's cells


def rearrange(
    source: Path,
    target: Path,
    *,
    title: bool = True,
    group_column: bool = True,
    heading: Heading | None = lambda label, title: [label, title],
    merge_headings: bool = False,
    two_row_header: bool = False,
) -> Path:
    """The source's score sheet, laid out again; agencies keep their order within a group."""
    book = openpyxl.load_workbook(source)
    old = book["Điểm"]
    rows = [list(r) for r in old.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    group_at = header.index("Nhóm")
    keep = [i for i in range(len(header)) if group_column or i != group_at]
    book.remove(old)
    sheet = book.create_sheet("Điểm", 0)
    width = len(keep)
    line = 0

    def put(cells: list[Any]) -> int:
        nonlocal line
        line += 1
        for column, value in enumerate(cells, start=1):
            sheet.cell(line, column, value)
        return line

    def merge(row: int, first: int, last_row: int, last: int) -> None:
        sheet.merge_cells(start_row=row, start_column=first, end_row=last_row, end_column=last)

    if title:
        merge(put([TITLE]), 1, 1, width)
        put([])
    if two_row_header:
        fixed = 4 if group_column else 3  # TT, Tên đơn vị, (Nhóm,) Xếp hạng năm trước
        top = put([header[i] for i in keep[:fixed]] + ["Điểm các tiêu chí"])
        merge(top, fixed + 1, top, width)
        put([None] * fixed + [header[i] for i in keep[fixed:]])
        for column in range(1, fixed + 1):
            merge(top, column, top + 1, column)
    else:
        put([header[i] for i in keep])
    for code, label, group_title in groups_of(source):
        if heading is not None:
            cells = heading(label, group_title)
            row = put(cells)
            if merge_headings:
                merge(row, len(cells), row, width)
        for values in body:
            if values[group_at] == code:
                put([values[i] for i in keep])
    book.save(target)
    return target


def libreoffice_resave(source: Path, folder: Path) -> Path:
    """The workbook opened and saved again by LibreOffice Calc, as many offices do."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) không có trên máy này: không thử được tệp nó lưu lại")
    folder.mkdir(parents=True, exist_ok=True)
    inbox = folder / "vao"
    inbox.mkdir(exist_ok=True)
    copy = inbox / source.name
    shutil.copyfile(source, copy)
    done = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--convert-to",
            "xlsx:Calc Office Open XML",
            "--outdir",
            str(folder),
            str(copy),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    saved = folder / source.name
    if not saved.is_file():
        pytest.skip(f"LibreOffice không lưu được bảng tính (thiếu Calc?): {done.stderr.strip()}")
    assert saved.read_bytes() != source.read_bytes()
    return saved


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("sach")
    written, printed = decision(SAMPLE, out)
    assert hashlib.sha256(written).hexdigest() == SAMPLE_SHA256
    assert printed == ""
    return written


@pytest.fixture(scope="module")
def clean_2026(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("sach-2026")
    return decision(SAMPLE_2026, out, "--profile", "chuyen-doi-so-2026")[0]


LAYOUTS: dict[str, dict[str, Any]] = {
    "tieu-de-gop-o-phia-tren": {"heading": None},
    "hang-tieu-de-nhom-co-cot-nhom": {},
    "hang-tieu-de-nhom-khong-cot-nhom": {"group_column": False},
    "hang-tieu-de-nhom-gop-o-khong-cot-nhom": {"group_column": False, "merge_headings": True},
    "nhom-va-ten-nhom-trong-o-tt": {
        "group_column": False,
        "heading": lambda label, title: [f"{label}. {title}"],
        "merge_headings": True,
    },
    "ten-nhom-o-cot-ten-tt-trong": {
        "group_column": False,
        "heading": lambda label, title: [None, title],
    },
    "tieu-de-hai-hang": {"two_row_header": True, "heading": None},
    "tieu-de-hai-hang-va-hang-tieu-de-nhom": {"two_row_header": True, "group_column": False},
    "khong-tieu-de-chi-hang-tieu-de-nhom": {"title": False, "group_column": False},
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_a_council_layout_gives_the_clean_samples_decision(layout, clean, tmp_path):
    workbook = rearrange(SAMPLE, tmp_path / f"{layout}.xlsx", **LAYOUTS[layout])
    written, printed = decision(workbook, tmp_path / "ket-qua")
    assert written == clean
    assert "Cảnh báo" not in printed and "Lỗi" not in printed, printed


def test_the_2026_sample_with_printed_labels_as_headings_and_no_group_column(clean_2026, tmp_path):
    """Its groups' codes (SBN-TTHC, …) are not what the headings show (I, II, III)."""
    workbook = rearrange(SAMPLE_2026, tmp_path / "cds.xlsx", group_column=False)
    written, printed = decision(workbook, tmp_path / "ket-qua", "--profile", "chuyen-doi-so-2026")
    assert written == clean_2026
    assert printed == ""


def test_the_sample_resaved_by_libreoffice_gives_the_same_decision(clean, tmp_path):
    saved = libreoffice_resave(SAMPLE, tmp_path / "lo")
    assert decision(saved, tmp_path / "ket-qua")[0] == clean


def test_a_rearranged_sample_resaved_by_libreoffice_gives_the_same_decision(clean, tmp_path):
    workbook = rearrange(SAMPLE, tmp_path / "xep-lai.xlsx", group_column=False, merge_headings=True)
    saved = libreoffice_resave(workbook, tmp_path / "lo")
    written, printed = decision(saved, tmp_path / "ket-qua")
    assert written == clean
    assert "Lỗi" not in printed, printed


def test_check_says_the_rearranged_sample_is_usable(tmp_path):
    workbook = rearrange(SAMPLE, tmp_path / "bang-diem.xlsx", group_column=False)
    done = cli("check", str(workbook))
    assert done.returncode == 0, done.stdout + done.stderr
    first, _, flags = done.stdout.partition("\n")
    assert first == (
        "Bảng tính bang-diem.xlsx dùng được: năm đánh giá 2020, 32 đơn vị; không có lỗi nào."
    )
    # The same scores in another layout: the same results, so the same flags before signing.
    original = cli("check", str(SAMPLE)).stdout.partition("\n")[2]
    assert flags == original and flags.startswith("Cần xem trước khi ký")
