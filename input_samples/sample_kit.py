"""What both sample builders share: the rules file read as plain TOML, exact hundredths, and a
save that gives the same bytes every time (so a rebuilt sample shows no diff in git)."""

from __future__ import annotations

import io
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from processor.writing.files import canonical_zip


@dataclass(frozen=True)
class Criterion:
    """One scoring column; max_by_group holds the maximum in hundredths of a point."""

    code: str
    max_by_group: dict[str, int]
    deduction: bool


def to_hundredths(value: int | float | str) -> int:
    """Convert a point value to integer hundredths, refusing more than 2 decimals."""
    hundredths = Decimal(str(value)) * 100
    if hundredths != hundredths.to_integral_value():
        raise ValueError(f"{value!r} has more than 2 decimals")
    return int(hundredths)


def from_hundredths(hundredths: int) -> int | float:
    """Cell value for an amount in hundredths: int when whole, else a 2-decimal float."""
    if hundredths % 100 == 0:
        return hundredths // 100
    return hundredths / 100


def load_rules(path: Path, needed_groups: Iterable[str]) -> tuple[dict[str, int], list[Criterion]]:
    """Group maxima and criteria (in file order), so the sample follows the rules file."""
    with path.open("rb") as fh:
        rules = tomllib.load(fh)
    groups = {g["code"]: to_hundredths(g["max_points"]) for g in rules["groups"]}
    criteria = [
        Criterion(
            code=c["code"],
            max_by_group={k: to_hundredths(v) for k, v in c.get("max", {}).items()},
            deduction=bool(c.get("deduction", False)),
        )
        for c in rules["criteria"]
    ]
    missing = set(needed_groups) - groups.keys()
    if missing:
        raise ValueError(f"{path}: the rules file lacks the groups {sorted(missing)}")
    return groups, criteria


def save_reproducibly(
    wb: Workbook, out: Path, zip_time: tuple[int, int, int, int, int, int]
) -> None:
    """Save with fixed properties and zip timestamps so a rebuild is byte-identical.

    `Workbook.save` stamps `modified` with the current time and zip entries with the
    local clock, so the archive is written with ExcelWriter and then repacked.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(canonical_zip(buffer.getvalue(), zip_time))
