"""The domain model: plain, typed, immutable data with no I/O.

Everything the scoring core needs is here; files, the clock and the console stay at the edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

# The score sheet's own columns (the workbook contract); every other column is a criterion code.
COL_NO = "TT"
COL_NAME = "Tên đơn vị"
COL_GROUP = "Nhóm"
COL_PRIOR = "Xếp hạng năm trước"
COL_TOTAL = "Tổng điểm"
SCORE_COLUMNS = (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR, COL_TOTAL)


class TiePolicy(Enum):
    """How tied totals share ranks."""

    COMPETITION = "1224"  # tied agencies share a rank, the next rank is skipped
    DENSE = "1223"  # tied agencies share a rank, no rank is skipped


@dataclass(frozen=True, slots=True)
class Bound:
    """A grade's lower bound for one group, already converted to points."""

    points: Decimal
    inclusive: bool  # "từ 85 điểm trở lên" is inclusive; "trên 75%" is not

    def admits(self, total: Decimal) -> bool:
        return total >= self.points if self.inclusive else total > self.points


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade (Tốt, Khá, ...) with its lower bound in every group; the last grade has none."""

    name: str
    bounds: Mapping[str, Bound] | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A group of agencies ranked among themselves, on its own scale."""

    code: str
    title: str
    max_points: Decimal
    scale_text: str | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    """One column of the score sheet.

    `max_points` holds the maximum for each group the criterion applies to; a group missing
    from it does not use the criterion. A deduction scores between -maximum and 0.
    """

    code: str
    name: str
    max_points: Mapping[str, Decimal]
    deduction: bool = False

    def applies_to(self, group_code: str) -> bool:
        return group_code in self.max_points


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """Names and wording of the issuing body, printed in the decision."""

    province: str
    place: str
    issuer: tuple[str, ...]
    issuer_short: str
    authority: str
    decision_symbol: str
    output_file: str


@dataclass(frozen=True, slots=True)
class Rules:
    """A province's criteria set, groups, grade bands and document wording."""

    document: DocumentSettings
    groups: tuple[Group, ...]
    grades: tuple[Grade, ...]
    criteria: tuple[Criterion, ...]
    precision: int
    ties: TiePolicy


@dataclass(frozen=True, slots=True)
class AgencyScores:
    """One agency's row of the score sheet, checked and typed."""

    row: int  # the workbook row, so later messages can still name the cell
    name: str
    group: str
    prior_rank: int | None  # None: the agency is new this year
    scores: Mapping[str, Decimal]  # criterion code -> score, applicable criteria only
    council_total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    """The `Thông tin` sheet: what the decision needs besides the scores."""

    year: int
    submission_number: str
    submission_date: date
    signer: str
    signer_title: tuple[str, ...]
    decision_number: str | None = None
    decision_date: date | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A whole, valid workbook."""

    info: DecisionInfo
    agencies: tuple[AgencyScores, ...]


@dataclass(frozen=True, slots=True)
class AgencyResult:
    """An agency's computed outcome."""

    agency: AgencyScores
    total: Decimal  # exact sum of the scores
    rounded_total: Decimal  # at the printed precision: what is graded, ranked and printed
    grade: str
    rank: int
    rank_change: int | None  # prior rank minus rank (positive: moved up); None if new


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A group's agencies in rank order (ties in workbook order)."""

    group: Group
    results: tuple[AgencyResult, ...]
