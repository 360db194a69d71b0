"""Checks on the bundled sample workbook input_samples/xep-hang-cntt-2020.xlsx.

The workbook is read with openpyxl directly (not with the project's reader) so that these
tests pin down the file itself: the layout contract, the rules-file maxima, and that every
agency's scores add up EXACTLY to the total published in the 2020 Lào Cai decision.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from conftest import assert_rebuild_matches

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"
SCRIPT = ROOT / "input_samples" / "build_sample.py"
RULES = ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml"

FIXED_HEADERS = ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước"]
TOTAL_HEADER = "Tổng điểm"

# Copied independently from the decision's appendix: (group, TT, agency, 2019 rank, total).
PUBLISHED: list[tuple[str, int, str, int, str]] = [
    ("I", 1, "Sở Thông tin và Truyền thông", 3, "96.34"),
    ("I", 2, "Sở Kế hoạch và Đầu tư", 1, "96.03"),
    ("I", 3, "Ban Quản lý khu kinh tế Lào Cai", 2, "89.27"),
    ("I", 4, "Sở Lao động - Thương binh và Xã hội", 4, "88.51"),
    ("I", 5, "Ban Dân tộc", 6, "88.39"),
    ("I", 6, "Sở Nội vụ", 14, "87.43"),
    ("I", 7, "Sở Nông nghiệp và Phát triển nông thôn", 5, "87.32"),
    ("I", 8, "Sở Văn hóa - Thể thao và Du lịch", 11, "86.71"),
    ("I", 9, "Sở Tài chính", 16, "86.60"),
    ("I", 10, "Sở Giao thông Vận tải - Xây dựng", 9, "85.16"),
    ("I", 11, "Sở Giáo dục và Đào tạo", 7, "85.05"),
    ("I", 12, "Sở Tư pháp", 13, "85.02"),
    ("I", 13, "Sở Khoa học và Công nghệ", 8, "80.07"),
    ("I", 14, "Sở Công thương", 12, "79.08"),
    ("I", 15, "Sở Y tế", 10, "77.91"),
    ("I", 16, "Sở Tài nguyên và Môi trường", 15, "71.20"),
    ("II", 1, "Văn phòng UBND tỉnh", 3, "65.60"),
    ("II", 2, "Sở Ngoại vụ", 2, "65.15"),
    ("II", 3, "Thanh Tra tỉnh", 4, "65.00"),
    ("II", 4, "Văn phòng HĐND tỉnh", 1, "58.53"),
    ("II", 5, "Đài Phát thanh - Truyền hình", 7, "53.30"),
    ("II", 6, "Cao đẳng Lào Cai", 6, "52.89"),
    ("II", 7, "Vườn Quốc gia Hoàng Liên", 5, "48.18"),
    ("III", 1, "UBND huyện Bảo Yên", 1, "89.34"),
    ("III", 2, "UBND huyện Si Ma Cai", 4, "87.74"),
    ("III", 3, "UBND huyện Mường Khương", 6, "87.60"),
    ("III", 4, "UBND thành phố Lào Cai", 5, "86.98"),
    ("III", 5, "UBND huyện Văn Bàn", 3, "86.30"),
    ("III", 6, "UBND huyện Bảo Thắng", 8, "86.00"),
    ("III", 7, "UBND huyện Bát Xát", 2, "85.05"),
    ("III", 8, "UBND huyện Bắc Hà", 7, "84.55"),
    ("III", 9, "UBND huyện Sa Pa", 9, "81.18"),
]


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    with RULES.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def criteria(rules: dict[str, Any]) -> list[dict[str, Any]]:
    return rules["criteria"]


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return openpyxl.load_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def score_rows(workbook: Workbook) -> list[tuple[Any, ...]]:
    return list(workbook["Điểm"].iter_rows(min_row=2, values_only=True))


def exact(value: Any) -> Decimal:
    """The value as the council wrote it: Decimal(str(float)) undoes binary noise."""
    return Decimal(str(value))


def test_sheets_in_order(workbook: Workbook) -> None:
    assert workbook.sheetnames[:2] == ["Điểm", "Thông tin"]
    assert "Ghi chú" in workbook.sheetnames


def test_score_headers_follow_rules(workbook: Workbook, criteria: list[dict[str, Any]]) -> None:
    header = [c.value for c in workbook["Điểm"][1]]
    assert header == [*FIXED_HEADERS, *(c["code"] for c in criteria), TOTAL_HEADER]


def test_agencies_in_reference_order(score_rows: list[tuple[Any, ...]]) -> None:
    assert len(score_rows) == 32
    for row, (group, tt, name, rank, total) in zip(score_rows, PUBLISHED, strict=True):
        assert row[:4] == (tt, name, group, rank)
        assert isinstance(row[0], int) and isinstance(row[3], int)
        assert isinstance(row[-1], int | float)
        assert exact(row[-1]) == Decimal(total)


def test_scores_within_rules(
    score_rows: list[tuple[Any, ...]], criteria: list[dict[str, Any]]
) -> None:
    first = len(FIXED_HEADERS)
    for row in score_rows:
        name, group = row[1], row[2]
        for crit, value in zip(criteria, row[first : first + len(criteria)], strict=True):
            where = f"{name} / {crit['code']}"
            if group not in crit.get("max", {}):
                assert value is None, f"{where}: criterion does not apply, cell must be blank"
                continue
            assert isinstance(value, int | float) and not isinstance(value, bool), where
            score = exact(value)
            assert score == score.quantize(Decimal("0.01")), f"{where}: more than 2 decimals"
            maximum = Decimal(str(crit["max"][group]))
            if crit.get("deduction", False):
                assert -maximum <= score <= 0, f"{where}: deduction {score} out of range"
            else:
                assert 0 <= score <= maximum, f"{where}: {score} outside [0, {maximum}]"


def test_scores_sum_exactly_to_published_total(score_rows: list[tuple[Any, ...]]) -> None:
    first = len(FIXED_HEADERS)
    for row, (*_, total) in zip(score_rows, PUBLISHED, strict=True):
        scores = [exact(v) for v in row[first:-1] if v is not None]
        assert sum(scores, Decimal(0)) == Decimal(total), row[1]
        assert sum(scores, Decimal(0)) == exact(row[-1]), row[1]


def test_breakdown_is_varied_and_uses_deductions(
    score_rows: list[tuple[Any, ...]], criteria: list[dict[str, Any]]
) -> None:
    """Guard against a degenerate sample (every criterion at one fraction, no deductions)."""
    first = len(FIXED_HEADERS)
    deducted = 0
    for row in score_rows:
        fractions = set()
        for crit, value in zip(criteria, row[first:-1], strict=True):
            if value is None:
                continue
            if crit.get("deduction", False):
                deducted += value < 0
            else:
                fractions.add(exact(value) / Decimal(str(crit["max"][row[2]])))
        assert len(fractions) > 2, row[1]
    assert 5 <= deducted <= 8


def test_score_sheet_format(workbook: Workbook) -> None:
    ws = workbook["Điểm"]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert not ws.merged_cells.ranges
    assert not any(dim.hidden for dim in ws.row_dimensions.values())
    for row in ws.iter_rows(min_row=2, min_col=len(FIXED_HEADERS) + 1):
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.startswith("="))
            if cell.value is not None:
                assert cell.number_format == "0.00", cell.coordinate


def test_info_sheet(workbook: Workbook) -> None:
    ws = workbook["Thông tin"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Thông tin", "Giá trị")
    info = dict(rows[1:])
    assert list(info) == [
        "Năm đánh giá",
        "Số tờ trình",
        "Ngày tờ trình",
        "Người ký",
        "Chức vụ người ký",
        "Số quyết định",
        "Ngày quyết định",
    ]
    assert info["Năm đánh giá"] == 2020 and isinstance(info["Năm đánh giá"], int)
    assert info["Số tờ trình"] == "04/TTr-STTTT"
    submitted = info["Ngày tờ trình"]
    assert isinstance(submitted, dt.date)
    assert (submitted.year, submitted.month, submitted.day) == (2021, 1, 8)
    date_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Ngày tờ trình")
    date_cell = date_row[1]
    assert date_cell.number_format == "dd/mm/yyyy"
    assert info["Người ký"] == "Trịnh Xuân Trường"
    assert info["Chức vụ người ký"] == "CHỦ TỊCH"
    assert info["Số quyết định"] is None
    assert info["Ngày quyết định"] is None


def test_notes_say_breakdown_is_illustrative(workbook: Workbook) -> None:
    text = " ".join(str(v) for row in workbook["Ghi chú"].iter_rows(values_only=True) for v in row)
    assert "MINH HỌA" in text
    assert "1462/QĐ-UBND" in text
    assert "python input_samples/build_sample.py" in text


def test_rebuild_matches_committed_file(tmp_path: Path, workbook: Workbook) -> None:
    assert_rebuild_matches(SCRIPT, RULES, workbook, tmp_path / "rebuilt.xlsx")
