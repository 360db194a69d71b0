"""Build the bundled sample scoring workbook (input_samples/xep-hang-cntt-2020.xlsx).

The sample must reproduce the published 2020 Lào Cai ranking decision, so the agencies,
groups, 2019 ranks and 2020 totals below are copied verbatim from the decision's appendix.
The real per-criterion points table (Quyết định 1462/QĐ-UBND) is not public, so the
per-criterion breakdown is reconstructed: deterministic pseudo-random scores within each
criterion's maximum that add up EXACTLY to the published total.

Usage:  python input_samples/build_sample.py [--rules PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sample_kit import Criterion, from_hundredths, load_rules, save_reproducibly, to_hundredths

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml"
DEFAULT_OUT = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"

# Fixed seed and timestamps: a rebuild must give the same workbook, so git sees no churn.
SEED = 2020
FIXED_TIMESTAMP = dt.datetime(2021, 1, 8, 8, 0, 0)
ZIP_TIMESTAMP = (2021, 1, 8, 8, 0, 0)
CREATOR = "Sở Thông tin và Truyền thông tỉnh Lào Cai"

SCORE_SHEET = "Điểm"
INFO_SHEET = "Thông tin"
NOTES_SHEET = "Ghi chú"
FIXED_HEADERS = ("TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước")
TOTAL_HEADER = "Tổng điểm"
SCORE_FORMAT = "0.00"

# Published appendix of the 2020 decision: (group, agency, 2019 rank, 2020 total).
# Totals are kept as strings so they stay exact (the appendix prints "96,34").
PUBLISHED: tuple[tuple[str, str, int, str], ...] = (
    ("I", "Sở Thông tin và Truyền thông", 3, "96.34"),
    ("I", "Sở Kế hoạch và Đầu tư", 1, "96.03"),
    ("I", "Ban Quản lý khu kinh tế Lào Cai", 2, "89.27"),
    ("I", "Sở Lao động - Thương binh và Xã hội", 4, "88.51"),
    ("I", "Ban Dân tộc", 6, "88.39"),
    ("I", "Sở Nội vụ", 14, "87.43"),
    ("I", "Sở Nông nghiệp và Phát triển nông thôn", 5, "87.32"),
    ("I", "Sở Văn hóa - Thể thao và Du lịch", 11, "86.71"),
    ("I", "Sở Tài chính", 16, "86.60"),
    ("I", "Sở Giao thông Vận tải - Xây dựng", 9, "85.16"),
    ("I", "Sở Giáo dục và Đào tạo", 7, "85.05"),
    ("I", "Sở Tư pháp", 13, "85.02"),
    ("I", "Sở Khoa học và Công nghệ", 8, "80.07"),
    ("I", "Sở Công thương", 12, "79.08"),
    ("I", "Sở Y tế", 10, "77.91"),
    ("I", "Sở Tài nguyên và Môi trường", 15, "71.20"),
    ("II", "Văn phòng UBND tỉnh", 3, "65.60"),
    ("II", "Sở Ngoại vụ", 2, "65.15"),
    ("II", "Thanh Tra tỉnh", 4, "65.00"),
    ("II", "Văn phòng HĐND tỉnh", 1, "58.53"),
    ("II", "Đài Phát thanh - Truyền hình", 7, "53.30"),
    ("II", "Cao đẳng Lào Cai", 6, "52.89"),
    ("II", "Vườn Quốc gia Hoàng Liên", 5, "48.18"),
    ("III", "UBND huyện Bảo Yên", 1, "89.34"),
    ("III", "UBND huyện Si Ma Cai", 4, "87.74"),
    ("III", "UBND huyện Mường Khương", 6, "87.60"),
    ("III", "UBND thành phố Lào Cai", 5, "86.98"),
    ("III", "UBND huyện Văn Bàn", 3, "86.30"),
    ("III", "UBND huyện Bảo Thắng", 8, "86.00"),
    ("III", "UBND huyện Bát Xát", 2, "85.05"),
    ("III", "UBND huyện Bắc Hà", 7, "84.55"),
    ("III", "UBND huyện Sa Pa", 9, "81.18"),
)

# Metadata of the Department's submission (Tờ trình) and of the signer, from the decision.
INFO_ROWS: tuple[tuple[str, Any], ...] = (
    ("Năm đánh giá", 2020),
    ("Số tờ trình", "04/TTr-STTTT"),
    ("Ngày tờ trình", dt.date(2021, 1, 8)),
    ("Người ký", "Trịnh Xuân Trường"),
    ("Chức vụ người ký", "CHỦ TỊCH"),
    ("Số quyết định", None),
    ("Ngày quyết định", None),
)

NOTES: tuple[str, ...] = (
    "GHI CHÚ VỀ BẢNG ĐIỂM MẪU",
    "Tổng điểm, nhóm đơn vị và xếp hạng năm 2019 của 32 đơn vị lấy đúng theo phụ lục "
    "Quyết định phê duyệt kết quả xếp hạng mức độ ứng dụng CNTT tỉnh Lào Cai năm 2020.",
    "Điểm từng tiêu chí chỉ có tính MINH HỌA: bảng điểm thật theo Quyết định "
    "1462/QĐ-UBND không được công bố, nên điểm từng tiêu chí được dựng lại sao cho "
    "tổng điểm của mỗi đơn vị bằng đúng tổng điểm đã công bố năm 2020.",
    "Điểm từng tiêu chí không vượt quá điểm tối đa của tiêu chí theo nhóm đơn vị "
    "(templates/lao-cai-2020/quy-tac.toml); ô để trống là tiêu chí không áp dụng cho nhóm đó; "
    "cột TD là điểm trừ (số âm hoặc 0).",
    "Tạo lại tệp này: python input_samples/build_sample.py",
)

# Deductions (in hundredths) handed out to a few agencies so the TD column is exercised.
DEDUCTION_COUNT = 6
DEDUCTION_CHOICES = (50, 100, 150, 200)
# How far a criterion's fraction of its maximum may stray from the agency's overall
# fraction; keeps the breakdown varied without looking arbitrary.
SPREAD = 0.15


def distribute(rng: random.Random, total: int, caps: list[int]) -> list[int]:
    """Split `total` hundredths over criteria with the given caps, each score in [0, cap].

    Each criterion gets the agency's overall fraction plus some noise, then the rounding
    and clamping residue is spread over criteria that still have room, so the sum is exact.
    """
    capacity = sum(caps)
    if not 0 <= total <= capacity:
        raise ValueError(f"cannot split {total} hundredths over caps {caps}")
    ratio = total / capacity if capacity else 0.0
    scores = [min(cap, max(0, round(cap * (ratio + rng.uniform(-SPREAD, SPREAD))))) for cap in caps]
    order = list(range(len(caps)))
    while (residue := total - sum(scores)) != 0:
        step = 1 if residue > 0 else -1
        room = [i for i in order if (scores[i] < caps[i] if step > 0 else scores[i] > 0)]
        rng.shuffle(room)
        # Spread the residue evenly over the criteria that can still move.
        share = -(-abs(residue) // len(room))
        for i in room:
            left = abs(total - sum(scores))
            if left == 0:
                break
            slack = caps[i] - scores[i] if step > 0 else scores[i]
            scores[i] += step * min(share, slack, left)
    return scores


def build_scores(groups: dict[str, int], criteria: list[Criterion]) -> list[list[int | None]]:
    """Per agency, one score in hundredths per criterion (None where it does not apply)."""
    rng = random.Random(SEED)
    eligible = [
        i
        for i, (group, *_) in enumerate(PUBLISHED)
        if any(c.deduction and group in c.max_by_group for c in criteria)
    ]
    penalised = set(rng.sample(eligible, min(DEDUCTION_COUNT, len(eligible))))
    rows: list[list[int | None]] = []
    for index, (group, name, _rank, total_text) in enumerate(PUBLISHED):
        total = to_hundredths(total_text)
        if total > groups[group]:
            raise ValueError(f"{name}: total {total_text} exceeds group {group} maximum")
        row: list[int | None] = [None] * len(criteria)
        deduction = 0
        deducted = False
        for j, crit in enumerate(criteria):
            if crit.deduction and group in crit.max_by_group:
                amount = 0
                if index in penalised and not deducted:
                    amount = min(rng.choice(DEDUCTION_CHOICES), crit.max_by_group[group])
                    deducted = True
                row[j] = -amount
                deduction += amount
        positive = [
            j for j, c in enumerate(criteria) if not c.deduction and group in c.max_by_group
        ]
        caps = [criteria[j].max_by_group[group] for j in positive]
        for j, score in zip(positive, distribute(rng, total + deduction, caps), strict=True):
            row[j] = score
        rows.append(row)
    return rows


def write_score_sheet(
    ws: Worksheet, criteria: list[Criterion], scores: list[list[int | None]]
) -> None:
    """Fill the `Điểm` sheet: one agency per row, numbers only, no formulas."""
    headers = [*FIXED_HEADERS, *(c.code for c in criteria), TOTAL_HEADER]
    ws.append(headers)
    running: dict[str, int] = {}
    for (group, name, rank, total_text), row in zip(PUBLISHED, scores, strict=True):
        running[group] = running.get(group, 0) + 1
        values = [None if s is None else from_hundredths(s) for s in row]
        ws.append(
            [running[group], name, group, rank, *values, from_hundredths(to_hundredths(total_text))]
        )

    header_font = Font(bold=True)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[1]:
        cell.font = header_font
        cell.alignment = header_align
    first_score_col = len(FIXED_HEADERS) + 1
    for row_cells in ws.iter_rows(min_row=2, min_col=first_score_col, max_col=len(headers)):
        for cell in row_cells:
            cell.number_format = SCORE_FORMAT
    ws.freeze_panes = "A2"
    widths = {"TT": 5, "Tên đơn vị": 40, "Nhóm": 7, "Xếp hạng năm trước": 12, TOTAL_HEADER: 10}
    for col, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(header, 8)
    ws.row_dimensions[1].height = 30


def write_info_sheet(ws: Worksheet) -> None:
    """Fill the `Thông tin` sheet: key/value pairs describing the submission."""
    ws.append(["Thông tin", "Giá trị"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for key, value in INFO_ROWS:
        ws.append([key, value])
        if isinstance(value, dt.date):
            ws.cell(row=ws.max_row, column=2).number_format = "dd/mm/yyyy"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 24


def write_notes_sheet(ws: Worksheet) -> None:
    """Fill the `Ghi chú` sheet, which warns that the breakdown is illustrative."""
    for line in NOTES:
        ws.append([line])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110
    for row_cells in ws.iter_rows(min_row=2):
        row_cells[0].alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(rules_path: Path) -> Workbook:
    """Assemble the three sheets from the rules file and the published table."""
    groups, criteria = load_rules(rules_path, (group for group, *_ in PUBLISHED))
    scores = build_scores(groups, criteria)
    wb = Workbook()
    ws = wb.active
    ws.title = SCORE_SHEET
    write_score_sheet(ws, criteria, scores)
    write_info_sheet(wb.create_sheet(INFO_SHEET))
    write_notes_sheet(wb.create_sheet(NOTES_SHEET))
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = "Bảng điểm xếp hạng mức độ ứng dụng CNTT tỉnh Lào Cai năm 2020 (mẫu)"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="rules TOML file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="workbook to write")
    args = parser.parse_args(argv)
    save_reproducibly(build_workbook(args.rules), args.out, ZIP_TIMESTAMP)
    print(f"Đã ghi {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
