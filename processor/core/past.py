"""Last year as the core sees it: who was ranked where, and which agencies became which.

Plain data read from the history (processor/history/) or typed in a profile or a workbook
sheet; the core fills prior ranks and writes footnotes from it without touching a disk.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


def agency_key(name: str) -> str:
    """The identity of an agency's name across years: NFC, case and spacing do not count.

    Accents do count ("Sở Tư pháp" is not "Sở Tư Pháp"'s namesake only by case, and two
    communes may differ by one accent only).
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True, slots=True)
class PastAgency:
    """One agency's outcome in an earlier year, as recorded in the history."""

    name: str
    group: str  # the group code that year
    rank: int | None  # None: assessed but not ranked that year
    total: Decimal  # the rounded total, as printed that year
    percent: Decimal | None = None
    grade: str | None = None  # the level printed that year


@dataclass(frozen=True, slots=True)
class PastYear:
    """An earlier year's results of one profile, as recorded in the history."""

    year: int
    profile: str
    agencies: tuple[PastAgency, ...]
    # criterion code -> group code -> maximum that year (to warn when the set changed)
    maxima: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    group_max: Mapping[str, Decimal] = field(default_factory=dict)
    rank_by: str = "total"  # RankBasis value that year

    def find(self, name: str) -> PastAgency | None:
        key = agency_key(name)
        return next((a for a in self.agencies if agency_key(a.name) == key), None)


class MergeRule(Enum):
    """Where a merged agency's prior rank comes from (the profile names one)."""

    NONE = "none"  # no prior rank: printed as the profile's blank, not compared
    BEST = "best"  # the best prior rank among its predecessors
    MEAN = "mean"  # predecessors' mean total re-ranked against last year's group


@dataclass(frozen=True, slots=True)
class Succession:
    """Old name(s) -> new name, from an evaluation year on: a rename (one) or a merger (many)."""

    old_names: tuple[str, ...]
    new_name: str
    year: int  # the first evaluation year under the new name
    place: str  # where it was written: "Sáp nhập - đổi tên!A3", "quy-tac.toml: crosswalk[1]"

    @property
    def is_merger(self) -> bool:
        return len(self.old_names) > 1
