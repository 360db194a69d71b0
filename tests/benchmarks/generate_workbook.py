"""Synthetic scoring workbooks of any size that follow the workbook contract (README, "Bảng điểm").

Deterministic: the same seed, size and rules give the same bytes. Agencies are spread over the
rules' groups (by `--group-weights`), each has an overall capability drawn from a beta
distribution and every criterion's score scatters around it, within the criterion's maximum for
the group, in steps of 0.05 points; a few agencies lose points on the deduction criteria. Prior
year ranks follow a noisy earlier capability within each group, and about one agency in twenty
is new (left blank). The `Tổng điểm` column holds the exact sum, so the tool's own check of the
council's totals runs at full size too.

Usage:
    python tests/benchmarks/generate_workbook.py --agencies 10000 \
        --criteria-rules tests/benchmarks/quy-tac-30-tieu-chi.toml --out output/benchmark/x.xlsx
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from processor.config.rules_file import load_rules
from processor.core.model import Rules
from processor.writing.files import canonical_zip

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK_RULES = Path(__file__).resolve().parent / "quy-tac-30-tieu-chi.toml"
DEFAULT_SEED = 2026
# A national body's mix: provincial departments with and without administrative procedures,
# and the communes' People's Committees, which are most of the units.
NATIONAL_WEIGHTS = {"I": 12.0, "II": 4.0, "III": 84.0}

FIXED_HEADERS = ("TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước")
TOTAL_HEADER = "Tổng điểm"
FIXED_TIMESTAMP = dt.datetime(2026, 1, 8, 8, 0, 0)
ZIP_TIMESTAMP = (2026, 1, 8, 8, 0, 0)
STEP = 5  # scores in hundredths of a point move in steps of 0.05
NEW_SHARE = 0.05  # agencies evaluated for the first time: prior rank left blank
DEDUCTED_SHARE = 0.08  # agencies that lose points on a deduction criterion
SPREAD = 0.12  # how far a criterion strays from the agency's overall capability

PROVINCES = (
    "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Tĩnh", "Hưng Yên", "Khánh Hòa", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi", "Quảng Ninh",
    "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang", "Vĩnh Long",
)  # fmt: skip
DEPARTMENTS = (
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương", "Sở Xây dựng", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Ngoại vụ", "Sở Dân tộc và Tôn giáo",
    "Ban Quản lý khu kinh tế", "Thanh tra",
)  # fmt: skip
OTHER_BODIES = (
    "Văn phòng UBND", "Văn phòng Đoàn ĐBQH và HĐND", "Đài Phát thanh và Truyền hình",
    "Trường Cao đẳng", "Vườn quốc gia", "Báo và Phát thanh", "Trung tâm Phục vụ hành chính công",
)  # fmt: skip
SYLLABLES = (
    "An", "Bình", "Cát", "Đông", "Hòa", "Hưng", "Khánh", "Lâm", "Long", "Minh", "Mỹ", "Nam",
    "Nghĩa", "Phong", "Phú", "Phước", "Quang", "Sơn", "Tân", "Tây", "Thạnh", "Thành", "Thuận",
    "Tiến", "Trung", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
COMMUNE_KINDS = ("xã", "xã", "xã", "xã", "phường", "đặc khu")


@dataclass(frozen=True, slots=True)
class Agency:
    """One generated row: scores in hundredths of a point, None where a criterion does not apply."""

    name: str
    group: str
    prior_rank: int | None
    scores: tuple[int | None, ...]

    @property
    def total(self) -> int:
        return sum(s for s in self.scores if s is not None)


def parse_weights(text: str) -> dict[str, float]:
    """`I=12,II=4,III=84` -> {"I": 12.0, ...}."""
    weights: dict[str, float] = {}
    for part in text.split(","):
        code, _, value = part.partition("=")
        weights[code.strip()] = float(value)
    return weights


def group_sizes(n: int, codes: Sequence[str], weights: Mapping[str, float]) -> dict[str, int]:
    """Split n agencies over the groups by weight (largest remainder); every group gets one
    agency when n allows it, so a small workbook still shows every group."""
    shares = [max(weights.get(code, 0.0), 0.0) for code in codes]
    if not any(shares):
        shares = [1.0] * len(codes)
    total = sum(shares)
    exact = [n * s / total for s in shares]
    sizes = [int(x) for x in exact]
    for i in sorted(range(len(codes)), key=lambda i: exact[i] - sizes[i], reverse=True):
        if sum(sizes) == n:
            break
        sizes[i] += 1
    for i in range(len(codes)):
        if sizes[i] == 0 and n >= len(codes):
            donor = max(range(len(codes)), key=lambda j: sizes[j])
            sizes[donor] -= 1
            sizes[i] += 1
    return dict(zip(codes, sizes, strict=True))


def _names(group_index: int, rng: random.Random) -> Iterator[str]:
    """An endless stream of plausible agency names for a group (unique within the stream)."""
    if group_index == 0:
        for k in range(1, sys.maxsize):
            for province in PROVINCES:
                for department in DEPARTMENTS:
                    yield f"{department} tỉnh {province}" + (f" ({k})" if k > 1 else "")
    elif group_index == 1:
        for k in range(1, sys.maxsize):
            for province in PROVINCES:
                for body in OTHER_BODIES:
                    yield f"{body} tỉnh {province}" + (f" ({k})" if k > 1 else "")
    else:
        seen: set[str] = set()
        while True:
            kind = rng.choice(COMMUNE_KINDS)
            place = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
            province = rng.choice(PROVINCES)
            name = f"UBND {kind} {place}, tỉnh {province}"
            number = 2
            while name in seen:
                name = f"UBND {kind} {place} {number}, tỉnh {province}"
                number += 1
            seen.add(name)
            yield name


def _hundredths(value: Decimal) -> int:
    return int(value * 100)


def _score(rng: random.Random, capability: float, cap: int) -> int:
    fraction = min(1.0, max(0.0, rng.gauss(capability, SPREAD)))
    return min(cap, round(cap * fraction / STEP) * STEP)


def generate(rules: Rules, n: int, seed: int, weights: Mapping[str, float]) -> list[Agency]:
    """n agencies, group by group in the rules' order, each within its criteria's maxima."""
    rng = random.Random(seed)
    codes = [g.code for g in rules.groups]
    sizes = group_sizes(n, codes, weights)
    agencies: list[Agency] = []
    for index, code in enumerate(codes):
        names = _names(min(index, 2), random.Random(f"{seed}-{code}"))
        members: list[tuple[str, float, float, tuple[int | None, ...]]] = []
        for _ in range(sizes[code]):
            capability = rng.betavariate(4.0, 2.5)
            earlier = capability + rng.gauss(0.0, 0.08)
            scores: list[int | None] = []
            for criterion in rules.criteria:
                if not criterion.applies_to(code):
                    scores.append(None)
                    continue
                cap = _hundredths(criterion.max_points[code])
                if criterion.deduction:
                    lost = rng.random() < DEDUCTED_SHARE
                    amount = min(cap, rng.choice((50, 100, 200, 500))) if lost else 0
                    scores.append(-amount)
                else:
                    scores.append(_score(rng, capability, cap))
            is_new = rng.random() < NEW_SHARE
            members.append((next(names), earlier, -1.0 if is_new else 0.0, tuple(scores)))
        # Last year's ranks: the returning agencies ordered by their earlier capability.
        returning = sorted(
            (i for i, m in enumerate(members) if m[2] == 0.0),
            key=lambda i: members[i][1],
            reverse=True,
        )
        prior = {i: rank for rank, i in enumerate(returning, start=1)}
        for i, (name, _earlier, _new, scores_) in enumerate(members):
            agencies.append(Agency(name, code, prior.get(i), scores_))
    return agencies


def _cell(hundredths: int | None) -> int | float | None:
    """A score as Excel holds it: a whole number, or the float of at most two decimals."""
    if hundredths is None:
        return None
    return hundredths // 100 if hundredths % 100 == 0 else hundredths / 100


def info_rows(year: int) -> list[tuple[str, Any]]:
    return [
        ("Thông tin", "Giá trị"),
        ("Năm đánh giá", year),
        ("Số tờ trình", "04/TTr-SKHCN"),
        ("Ngày tờ trình", dt.datetime(year + 1, 1, 8)),
        ("Người ký", "Nguyễn Văn An"),
        ("Chức vụ người ký", "CHỦ TỊCH"),
        ("Số quyết định", None),
        ("Ngày quyết định", None),
    ]


def workbook_bytes(
    rules: Rules,
    agencies: Sequence[Agency],
    year: int = 2025,
    with_total: bool = True,
) -> bytes:
    """The .xlsx package (write-only openpyxl, fixed properties and zip times)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    scores = book.create_sheet("Điểm")
    header = [*FIXED_HEADERS, *(c.code for c in rules.criteria)]
    scores.append([*header, TOTAL_HEADER] if with_total else header)
    running: dict[str, int] = {}
    for agency in agencies:
        running[agency.group] = running.get(agency.group, 0) + 1
        row = [
            running[agency.group],
            agency.name,
            agency.group,
            agency.prior_rank,
            *(_cell(s) for s in agency.scores),
        ]
        if with_total:
            row.append(_cell(agency.total))
        scores.append(row)
    info = book.create_sheet("Thông tin")
    for key, value in info_rows(year):
        info.append([key, value])
    book.properties.creator = "tests/benchmarks/generate_workbook.py"
    book.properties.lastModifiedBy = book.properties.creator
    book.properties.created = FIXED_TIMESTAMP
    book.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return canonical_zip(buffer.getvalue(), ZIP_TIMESTAMP)


def write_workbook(
    out: Path,
    agencies: int,
    rules_file: Path = BENCHMARK_RULES,
    seed: int = DEFAULT_SEED,
    weights: Mapping[str, float] | None = None,
    with_total: bool = True,
) -> Path:
    rules = load_rules(rules_file)
    rows = generate(rules, agencies, seed, NATIONAL_WEIGHTS if weights is None else weights)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(workbook_bytes(rules, rows, with_total=with_total))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=1000, help="number of agencies (rows)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--criteria-rules",
        type=Path,
        default=BENCHMARK_RULES,
        help="rules TOML whose groups and criteria the workbook follows",
    )
    parser.add_argument(
        "--group-weights",
        type=parse_weights,
        default=None,
        help="share of agencies per group code, e.g. I=12,II=4,III=84 (the default; "
        "groups not named get none unless no weight matches, then all are equal)",
    )
    parser.add_argument("--no-total", action="store_true", help="omit the Tổng điểm column")
    parser.add_argument("--out", type=Path, default=None, help="workbook to write")
    args = parser.parse_args(argv)
    if args.agencies < 1:
        parser.error("--agencies must be at least 1")
    out = args.out or ROOT / "output" / "benchmark" / f"bang-diem-{args.agencies}.xlsx"
    write_workbook(
        out,
        args.agencies,
        args.criteria_rules,
        args.seed,
        args.group_weights,
        with_total=not args.no_total,
    )
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
