"""Build the sample workbook input_samples/chuyen-doi-so-2026.xlsx (profile chuyen-doi-so-2026).

ILLUSTRATIVE DATA. The merged Lào Cai province (Lào Cai + Yên Bái since 1/7/2025) will rank
the digital transformation (chuyển đổi số) of its departments and its communes and wards for
2026 in early 2027; that decision does not exist yet. The agencies' names are realistic (the
departments after the 2025 reorganisation, localities of the former Lào Cai and Yên Bái
provinces; some combinations are invented), but EVERY SCORE IS INVENTED: deterministic
pseudo-random points within each sub-index's maximum of templates/chuyen-doi-so-2026/quy-tac.toml
(itself an illustrative criteria set). Numbers that only the real file can give (the Tờ
trình number, the number of the province's criteria decision) are left blank, so the draft
prints the blanks a secretary fills in by hand; the signer is the placeholder "Nguyễn Văn A".

What the sample exercises:
- three groups (departments with TTHC, 1.000 điểm; special or without TTHC, 800 điểm;
  communes and wards, 1.000 điểm) and every level (Dẫn dắt, Nâng cao, Hình thành, Khởi động);
- sub-indices marked "Không đánh giá" / "KĐG" for some agencies (a smaller maximum);
- units assessed but not ranked (column "Không xếp hạng" holds the reason);
- merged or new units with a blank "Xếp hạng năm trước";
- deductions (negative points) and one tie on the total.

Usage:  python input_samples/build_chuyen_doi_so.py [--rules PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sample_kit import Criterion, from_hundredths, load_rules, save_reproducibly

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = ROOT / "templates" / "chuyen-doi-so-2026" / "quy-tac.toml"
DEFAULT_OUT = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"

# Fixed seed and timestamps: a rebuild must give the same workbook, so git sees no churn.
SEED = 2026
FIXED_TIMESTAMP = dt.datetime(2027, 1, 12, 8, 0, 0)
ZIP_TIMESTAMP = (2027, 1, 12, 8, 0, 0)
CREATOR = "Sở Khoa học và Công nghệ tỉnh Lào Cai"
TITLE = "Bảng điểm đánh giá, xếp hạng mức độ chuyển đổi số tỉnh Lào Cai năm 2026 (mẫu minh họa)"

SCORE_SHEET = "Điểm"
INFO_SHEET = "Thông tin"
NOTES_SHEET = "Ghi chú"
FIXED_HEADERS = ("TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước")
TOTAL_HEADER = "Tổng điểm"
UNRANKED_HEADER = "Không xếp hạng"
SCORE_FORMAT = "0.00"
NOT_SCORED = "Không đánh giá"
NOT_SCORED_SHORT = "KĐG"

GROUP_TTHC = "SBN-TTHC"
GROUP_SPECIAL = "SBN-DT"
GROUP_LOCAL = "XP"


@dataclass(frozen=True)
class Unit:
    """One row of the sample: who, in which group, and what makes it special."""

    group: str
    name: str
    has_prior: bool = True  # False: merged or new, no comparable rank for 2025
    unranked: str | None = None  # the reason it is assessed but not ranked
    not_scored: tuple[str, ...] = ()  # sub-indices "Không đánh giá" for this unit
    short_mark: bool = False  # write "KĐG" instead of "Không đánh giá"


DEPARTMENTS: tuple[Unit, ...] = (
    Unit(GROUP_TTHC, "Sở Tài chính"),
    Unit(GROUP_TTHC, "Sở Nội vụ"),
    Unit(GROUP_TTHC, "Sở Khoa học và Công nghệ"),
    Unit(GROUP_TTHC, "Sở Dân tộc và Tôn giáo", has_prior=False),
    Unit(GROUP_TTHC, "Sở Nông nghiệp và Môi trường"),
    Unit(GROUP_TTHC, "Sở Xây dựng"),
    Unit(GROUP_TTHC, "Sở Công Thương"),
    Unit(GROUP_TTHC, "Sở Y tế"),
    Unit(GROUP_TTHC, "Sở Giáo dục và Đào tạo"),
    Unit(GROUP_TTHC, "Sở Văn hóa, Thể thao và Du lịch"),
    Unit(GROUP_TTHC, "Sở Tư pháp"),
    Unit(GROUP_TTHC, "Sở Ngoại vụ", not_scored=("CS4.3",)),
    Unit(GROUP_TTHC, "Ban Quản lý Khu kinh tế tỉnh", not_scored=("CS5.3",), short_mark=True),
    Unit(GROUP_SPECIAL, "Văn phòng UBND tỉnh"),
    Unit(GROUP_SPECIAL, "Thanh tra tỉnh"),
    Unit(GROUP_SPECIAL, "Văn phòng Đoàn ĐBQH và HĐND tỉnh"),
    Unit(GROUP_SPECIAL, "Báo và Phát thanh, Truyền hình Lào Cai", has_prior=False),
    Unit(GROUP_SPECIAL, "Trường Cao đẳng Lào Cai", not_scored=("CS4.2",)),
    Unit(GROUP_SPECIAL, "Vườn Quốc gia Hoàng Liên"),
    Unit(GROUP_SPECIAL, "Ban Quản lý dự án đầu tư xây dựng tỉnh"),
    Unit(
        GROUP_SPECIAL,
        "Công an tỉnh",
        has_prior=False,
        unranked="Cơ quan đặc thù về an ninh, không công bố xếp hạng",
        not_scored=("CS5.4",),
    ),
    Unit(
        GROUP_SPECIAL,
        "Bộ Chỉ huy Quân sự tỉnh",
        has_prior=False,
        unranked="Cơ quan đặc thù về quốc phòng, không công bố xếp hạng",
    ),
)

WARDS: tuple[str, ...] = (
    "Lào Cai",
    "Cam Đường",
    "Sa Pa",
    "Yên Bái",
    "Văn Phú",
    "Nam Cường",
    "Âu Lâu",
    "Nghĩa Lộ",
    "Trung Tâm",
    "Cầu Thia",
)

COMMUNES: tuple[str, ...] = (
    # former Lào Cai province
    "Bát Xát",
    "Mường Hum",
    "Dền Sáng",
    "Y Tý",
    "A Mú Sung",
    "Trịnh Tường",
    "Bản Xèo",
    "Cốc San",
    "Hợp Thành",
    "Phong Hải",
    "Xuân Quang",
    "Bảo Thắng",
    "Tằng Loỏng",
    "Gia Phú",
    "Bảo Hà",
    "Bảo Yên",
    "Nghĩa Đô",
    "Thượng Hà",
    "Xuân Hòa",
    "Phúc Khánh",
    "Văn Bàn",
    "Khánh Yên",
    "Võ Lao",
    "Dương Quỳ",
    "Chiềng Ken",
    "Minh Lương",
    "Nậm Chày",
    "Tả Phìn",
    "Tả Van",
    "Ngũ Chỉ Sơn",
    "Mường Bo",
    "Bản Hồ",
    "Si Ma Cai",
    "Sín Chéng",
    "Bắc Hà",
    "Bảo Nhai",
    "Tả Củ Tỷ",
    "Lùng Phình",
    "Cốc Lầu",
    "Mường Khương",
    "Pha Long",
    "Cao Sơn",
    "Bản Lầu",
    "Bản Liền",
    "Xuân Giao",
    # former Yên Bái province
    "Lục Yên",
    "Yên Bình",
    "Văn Chấn",
    "Văn Yên",
    "Trấn Yên",
    "Mù Cang Chải",
    "Trạm Tấu",
    "Khao Mang",
    "Lao Chải",
    "Chế Tạo",
    "Púng Luông",
    "Tú Lệ",
    "Sơn Lương",
    "Gia Hội",
    "Thượng Bằng La",
    "Chấn Thịnh",
    "Nghĩa Tâm",
    "Cát Thịnh",
    "Đông Cuông",
    "Mậu A",
    "Châu Quế",
    "Phong Dụ Hạ",
    "Phong Dụ Thượng",
    "Xuân Ái",
    "Mỏ Vàng",
    "Lâm Giang",
    "Quy Mông",
    "Lương Thịnh",
    "Việt Hồng",
    "Hưng Khánh",
    "Thác Bà",
    "Cảm Nhân",
    "Phúc Lợi",
    "Bảo Ái",
    "Yên Thành",
    "Khánh Hòa",
    "Mường Lai",
    "Tân Lĩnh",
    "Lâm Thượng",
    "Hạnh Phúc",
    "Phình Hồ",
    "Tà Xi Láng",
    "Liên Sơn",
    "Sơn Thịnh",
    "Tân Hợp",
)

# Communes whose area changed in 2026 or that were not assessed for 2025: no prior rank.
LOCAL_WITHOUT_PRIOR = frozenset(
    {"Xã Xuân Giao", "Xã Bản Liền", "Xã Tân Hợp", "Xã Phong Dụ Thượng", "Xã Hạnh Phúc"}
)
LOCAL_UNRANKED = {
    "Xã Tà Xi Láng": "Hồ sơ tự đánh giá nộp sau thời hạn, kết quả chỉ để tham khảo",
}
LOCAL_NOT_SCORED = {"Xã Y Tý": ("CS4.3",), "Xã Mù Cang Chải": ("CS4.3",)}


def local_units() -> tuple[Unit, ...]:
    names = [f"Phường {w}" for w in WARDS] + [f"Xã {c}" for c in COMMUNES]
    return tuple(
        Unit(
            GROUP_LOCAL,
            name,
            has_prior=name not in LOCAL_WITHOUT_PRIOR and name not in LOCAL_UNRANKED,
            unranked=LOCAL_UNRANKED.get(name),
            not_scored=LOCAL_NOT_SCORED.get(name, ()),
        )
        for name in names
    )


UNITS: tuple[Unit, ...] = DEPARTMENTS + local_units()

# Each unit's overall fraction of its maximum is drawn from this range (by group), then every
# sub-index strays from it by up to SPREAD. Some units are pinned so every level occurs.
FRACTION_RANGE = {GROUP_TTHC: (0.50, 0.80), GROUP_SPECIAL: (0.42, 0.78), GROUP_LOCAL: (0.28, 0.74)}
PINNED_FRACTION = {
    "Sở Giáo dục và Đào tạo": 0.83,
    "Văn phòng UBND tỉnh": 0.81,
    "Phường Lào Cai": 0.84,
    "Phường Yên Bái": 0.80,
    "Xã Trạm Tấu": 0.21,
    "Xã A Mú Sung": 0.23,
}
SPREAD = 0.18
DEDUCTION_UNITS = (
    ("Sở Xây dựng", 1000),
    ("Thanh tra tỉnh", 500),
    ("Xã Bản Xèo", 1500),
    ("Xã Lâm Giang", 1000),
    ("Xã Khao Mang", 2000),
    ("Phường Âu Lâu", 500),
)
# Two communes end with the same total, to show how a tie is ranked ("1224").
TIED = ("Xã Bảo Hà", "Xã Văn Yên")
# No unit ends within this many percentage points of a level's threshold.
THRESHOLDS = (Decimal(25), Decimal(50), Decimal(75))
MARGIN = Decimal("0.2")

INFO_ROWS: tuple[tuple[str, Any], ...] = (
    ("Năm đánh giá", 2026),
    ("Số tờ trình", None),
    ("Ngày tờ trình", dt.date(2027, 1, 12)),
    ("Người ký", "Nguyễn Văn A"),
    ("Chức vụ người ký", "Chủ tịch"),
    ("Số quyết định", None),
    ("Ngày quyết định", None),
    ("Quyết định ban hành Bộ chỉ số", None),
)

NOTES: tuple[str, ...] = (
    "GHI CHÚ VỀ BẢNG ĐIỂM MẪU (MINH HỌA)",
    "Bảng điểm này chỉ có tính MINH HỌA cho hồ sơ chuyen-doi-so-2026: mọi điểm số đều do "
    "chương trình tạo ra, không phải kết quả đánh giá thật của cơ quan, đơn vị nào.",
    "Tên các sở, ban, ngành và xã, phường dựa theo tỉnh Lào Cai sau hợp nhất (Lào Cai và "
    "Yên Bái từ ngày 01/7/2025); một số tên và cách ghép là giả định.",
    "Bộ chỉ số (chỉ số chính, chỉ số thành phần, điểm tối đa) là BẢN DỰNG LẠI theo "
    "templates/chuyen-doi-so-2026/quy-tac.toml; bộ chỉ số thật của tỉnh chưa được biết.",
    "Ô ghi «Không đánh giá» hoặc «KĐG»: chỉ số thành phần không đánh giá đối với đơn vị đó, "
    "điểm tối đa của đơn vị giảm tương ứng. Ô để trống: chỉ số không áp dụng cho nhóm. "
    "Cột CS6.3 là điểm trừ (số âm hoặc 0).",
    "Cột «Không xếp hạng» ghi lý do đơn vị tham gia đánh giá nhưng không xếp hạng. Ô «Xếp hạng "
    "năm trước» để trống: đơn vị mới, hợp nhất hoặc chưa có thứ hạng năm 2025 so sánh được.",
    "Sheet «Thông tin»: số tờ trình và số quyết định ban hành Bộ chỉ số để trống, nên dự thảo in "
    "chỗ trống để điền tay; người ký «Nguyễn Văn A» là tên giả định.",
    "Tạo lại tệp này: python input_samples/build_chuyen_doi_so.py",
)


Row = dict[str, int | str]  # criterion code -> hundredths, or the "not scored" mark


@dataclass
class Scored:
    """A unit with its generated scores."""

    unit: Unit
    scores: Row
    maximum: int  # hundredths: the group maximum less the sub-indices not scored

    @property
    def total(self) -> int:
        return sum(v for v in self.scores.values() if isinstance(v, int))

    def percent(self) -> Decimal:
        return Decimal(self.total) * 100 / Decimal(self.maximum)


def positive(criteria: list[Criterion], unit: Unit) -> list[Criterion]:
    """The sub-indices the unit is scored on (applicable, not a deduction, not excluded)."""
    return [
        c
        for c in criteria
        if unit.group in c.max_by_group and not c.deduction and c.code not in unit.not_scored
    ]


def nudge(scored: Scored, criteria: list[Criterion], amount: int) -> None:
    """Move the total by `amount` hundredths through sub-indices that still have room."""
    for crit in positive(criteria, scored.unit):
        if amount == 0:
            return
        value = scored.scores[crit.code]
        assert isinstance(value, int)
        cap = crit.max_by_group[scored.unit.group]
        step = max(-value, min(cap - value, amount))
        scored.scores[crit.code] = value + step
        amount -= step
    if amount:
        raise ValueError(f"{scored.unit.name}: no room to move the total")


def clear_of_thresholds(scored: Scored, criteria: list[Criterion]) -> None:
    """Keep every unit away from a level's threshold, so rounding never decides its level."""
    for _ in range(100):
        pct = scored.percent()
        near = [t for t in THRESHOLDS if abs(pct - t) < MARGIN]
        if not near:
            return
        nudge(scored, criteria, 100 if pct >= near[0] else -100)
    raise ValueError(f"{scored.unit.name}: cannot move clear of the thresholds")


def build_scores(groups: dict[str, int], criteria: list[Criterion]) -> list[Scored]:
    """Deterministic scores for every unit, with deductions, exclusions and one tie."""
    rng = random.Random(SEED)
    deductions = dict(DEDUCTION_UNITS)
    out: list[Scored] = []
    for unit in UNITS:
        low, high = FRACTION_RANGE[unit.group]
        fraction = PINNED_FRACTION.get(unit.name, rng.uniform(low, high))
        scores: Row = {}
        maximum = groups[unit.group]
        for crit in criteria:
            if unit.group not in crit.max_by_group:
                continue
            cap = crit.max_by_group[unit.group]
            if crit.code in unit.not_scored:
                if crit.deduction:
                    raise ValueError(f"{unit.name}: a deduction cannot be left unscored")
                scores[crit.code] = NOT_SCORED_SHORT if unit.short_mark else NOT_SCORED
                maximum -= cap
            elif crit.deduction:
                scores[crit.code] = -min(deductions.get(unit.name, 0), cap)
            else:
                share = min(1.0, max(0.0, fraction + rng.uniform(-SPREAD, SPREAD)))
                scores[crit.code] = round(cap * share)
        out.append(Scored(unit, scores, maximum))
    by_name = {s.unit.name: s for s in out}
    for scored in out:
        clear_of_thresholds(scored, criteria)
    first, second = (by_name[n] for n in TIED)
    nudge(second, criteria, first.total - second.total)
    for scored in (first, second):
        if any(abs(scored.percent() - t) < MARGIN for t in THRESHOLDS):
            raise ValueError(f"{scored.unit.name}: the tie sits on a threshold")
    return out


def prior_ranks(scored: list[Scored]) -> dict[str, int]:
    """Last year's ranks: this year's order shuffled a little, 1..n among units that have one."""
    rng = random.Random(SEED - 1)
    ranks: dict[str, int] = {}
    for group in dict.fromkeys(s.unit.group for s in scored):
        members = [s for s in scored if s.unit.group == group and s.unit.has_prior]
        keyed = [(float(s.percent()) + rng.gauss(0, 6), s.unit.name) for s in members]
        for rank, (_, name) in enumerate(sorted(keyed, reverse=True), start=1):
            ranks[name] = rank
    return ranks


def write_score_sheet(ws: Worksheet, criteria: list[Criterion], scored: list[Scored]) -> None:
    """Fill the `Điểm` sheet: one unit per row, numbers (and marks) only, no formulas."""
    headers = [*FIXED_HEADERS, *(c.code for c in criteria), TOTAL_HEADER, UNRANKED_HEADER]
    ws.append(headers)
    priors = prior_ranks(scored)
    running: dict[str, int] = {}
    for item in scored:
        unit = item.unit
        running[unit.group] = running.get(unit.group, 0) + 1
        cells: list[Any] = []
        for crit in criteria:
            value = item.scores.get(crit.code)
            cells.append(from_hundredths(value) if isinstance(value, int) else value)
        ws.append(
            [
                running[unit.group],
                unit.name,
                unit.group,
                priors.get(unit.name),
                *cells,
                from_hundredths(item.total),
                unit.unranked,
            ]
        )

    header_font = Font(bold=True)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[1]:
        cell.font = header_font
        cell.alignment = header_align
    first_score_col = len(FIXED_HEADERS) + 1
    last_score_col = len(headers) - 1
    for row_cells in ws.iter_rows(min_row=2, min_col=first_score_col, max_col=last_score_col):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.alignment = Alignment(horizontal="center", wrap_text=True)
            else:
                cell.number_format = SCORE_FORMAT
    ws.freeze_panes = "C2"
    widths = {
        "TT": 5,
        "Tên đơn vị": 40,
        "Nhóm": 11,
        "Xếp hạng năm trước": 12,
        TOTAL_HEADER: 10,
        UNRANKED_HEADER: 36,
    }
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
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 30


def write_notes_sheet(ws: Worksheet) -> None:
    """Fill the `Ghi chú` sheet, which says that the scores are illustrative."""
    for line in NOTES:
        ws.append([line])
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110
    for row_cells in ws.iter_rows(min_row=2):
        row_cells[0].alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(rules_path: Path) -> Workbook:
    """Assemble the three sheets from the rules file and the units above."""
    groups, criteria = load_rules(rules_path, (u.group for u in UNITS))
    scored = build_scores(groups, criteria)
    wb = Workbook()
    ws = wb.active
    ws.title = SCORE_SHEET
    write_score_sheet(ws, criteria, scored)
    write_info_sheet(wb.create_sheet(INFO_SHEET))
    write_notes_sheet(wb.create_sheet(NOTES_SHEET))
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = TITLE
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
