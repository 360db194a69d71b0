"""The domain model: plain, typed, immutable data with no I/O.

Everything the scoring core needs is here; files, the clock and the console stay at the edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from processor.core.past import MergeRule, Succession

# The score sheet's own columns (the workbook contract); every other column is a criterion code.
COL_NO = "TT"
COL_NAME = "Tên đơn vị"
COL_GROUP = "Nhóm"
COL_PRIOR = "Xếp hạng năm trước"
COL_TOTAL = "Tổng điểm"
COL_UNRANKED = "Không xếp hạng"  # optional: the reason an agency is assessed but not ranked
COL_EMAIL = "Email"  # optional: where the agency's own scorecard may be emailed
SCORE_COLUMNS = (COL_NO, COL_NAME, COL_GROUP, COL_PRIOR, COL_TOTAL, COL_UNRANKED, COL_EMAIL)


class TiePolicy(Enum):
    """How tied totals share ranks."""

    COMPETITION = "1224"  # tied agencies share a rank, the next rank is skipped
    DENSE = "1223"  # tied agencies share a rank, no rank is skipped


class RankBasis(Enum):
    """What orders a group: the total, or the percent of each agency's own maximum."""

    TOTAL = "total"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class Bound:
    """A grade's lower bound for one group.

    `points` is the bound in points on the group's scale; a bound stated as a percentage also
    keeps `percent`, and is then compared with the agency's printed percent, so that what the
    appendix shows ("75,00%") and the level it prints always agree.
    """

    points: Decimal
    inclusive: bool  # "từ 85 điểm trở lên" is inclusive; "trên 75%" is not
    percent: Decimal | None = None

    def admits(self, total: Decimal, percent: Decimal | None = None) -> bool:
        if self.percent is not None and percent is not None:
            value, bound = percent, self.percent
        else:
            value, bound = total, self.points
        return value >= bound if self.inclusive else value > bound


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade (Tốt, Khá, ...) with its lower bound in every group; the last grade has none."""

    name: str
    bounds: Mapping[str, Bound] | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A group of agencies ranked among themselves, on its own scale."""

    code: str  # as typed in the workbook's Nhóm column
    title: str
    max_points: Decimal
    scale_text: str | None = None
    label: str = ""  # printed in the appendix's TT column ("I", "II"); the code when empty

    @property
    def printed_label(self) -> str:
        return self.label or self.code


@dataclass(frozen=True, slots=True)
class Pillar:
    """A main index (chỉ số chính): the criteria that name it add up to its subtotal."""

    code: str
    name: str


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
    pillar: str | None = None
    weight: Decimal = Decimal(1)  # the total is the sum of weight x score
    # The smallest difference the council scores in ([[criteria]] step); None: read from the
    # scores themselves (processor/core/flags.py), for "would one step change a rank?".
    step: Decimal | None = None

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


class ChangeStyle(Enum):
    """How the change since last year is printed."""

    SIGNED = "signed"  # +2, -3, 0
    WORDS = "words"  # tăng 2, giảm 3, giữ nguyên


@dataclass(frozen=True, slots=True)
class Wording:
    """Every sentence of the decision that differs between provinces or schemes.

    Texts may hold placeholders such as {tinh} and {nam} (processor/core/wording.py fills them).
    """

    subject: str  # "ứng dụng công nghệ thông tin", "chuyển đổi số"
    subject_short: str
    title: tuple[str, str]  # the trích yếu's two lines
    legal_bases: tuple[str, ...]
    proposal: str
    proposing_body: str
    submission_symbol: str
    article_1: str
    article_1_note: str
    article_2: str
    article_3: str
    closing: str
    recipients: tuple[str, ...]
    appendix_title: str
    scale_heading: str
    grades_heading: str
    results_heading: str
    pillars_heading: str
    unranked_heading: str
    prior_blank: str
    change_style: ChangeStyle
    signature_above: tuple[str, ...]
    email_subject: str
    email_salutation: str


@dataclass(frozen=True, slots=True)
class PriorNotes:
    """The footnotes saying where a renamed or merged agency's prior rank comes from.

    A note is printed once for all the agencies it explains, listed in {don_vi} (each as an
    item, joined by "; "); an item names the new agency {moi} and its predecessors {cu}. The
    texts also take the wording's placeholders ({nam}, {nam_truoc}, ...). These defaults name
    no province: a profile may reword each in [wording].
    """

    merged_item: str = "{moi} được hợp nhất từ {cu}"
    renamed_item: str = "{moi} (trước đây là {cu})"
    merged_none: str = (
        "Đơn vị hợp nhất từ năm {nam} không có thứ hạng năm {nam_truoc} để so sánh: {don_vi}."
    )
    merged_best: str = (
        "Thứ hạng năm {nam_truoc} của đơn vị hợp nhất từ năm {nam} lấy theo thứ hạng cao nhất "
        "của các đơn vị được hợp nhất: {don_vi}."
    )
    merged_mean: str = (
        "Thứ hạng năm {nam_truoc} của đơn vị hợp nhất từ năm {nam} là thứ hạng mà điểm trung "
        "bình năm {nam_truoc} của các đơn vị được hợp nhất đạt được khi xếp cùng các đơn vị khác "
        "của nhóm năm {nam_truoc}: {don_vi}."
    )
    merged_typed: str = (
        "Thứ hạng năm {nam_truoc} của đơn vị hợp nhất từ năm {nam} do Hội đồng thẩm định xác "
        "định: {don_vi}."
    )
    renamed: str = (
        "Thứ hạng năm {nam_truoc} của đơn vị đổi tên từ năm {nam} là thứ hạng của đơn vị mang "
        "tên cũ: {don_vi}."
    )


@dataclass(frozen=True, slots=True)
class InfoField:
    """A row of the `Thông tin` sheet a profile adds, used in its wording as {name}."""

    key: str  # the label in column A
    name: str  # the placeholder
    blank: str  # printed while the cell is empty


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """[report] of the rules file: the flags' margin and the report's reworded sentences."""

    # How close to a level boundary (in the unit the levels are stated in: points, or
    # percentage points) a result is flagged before signing.
    margin: Decimal = Decimal("0.1")
    texts: Mapping[str, str] = field(default_factory=dict)  # key -> template (report_wording)


@dataclass(frozen=True, slots=True)
class Rules:
    """A province's criteria set, groups, grade bands and document wording."""

    document: DocumentSettings
    groups: tuple[Group, ...]
    grades: tuple[Grade, ...]  # empty: the decision ranks only
    criteria: tuple[Criterion, ...]
    precision: int
    ties: TiePolicy
    wording: Wording
    pillars: tuple[Pillar, ...] = ()
    info_fields: tuple[InfoField, ...] = ()
    percent_precision: int = 2
    not_scored: tuple[str, ...] = ("Không đánh giá", "KĐG")
    rank_by: RankBasis = RankBasis.TOTAL
    description: str = ""
    # Old name(s) -> new name, from a year on ([[crosswalk]]); the workbook may add its own.
    successions: tuple[Succession, ...] = ()
    merge_rule: MergeRule = MergeRule.NONE  # [prior] merge_rule: a merged agency's prior rank
    prior_notes: PriorNotes = field(default_factory=PriorNotes)
    report: ReportSettings = field(default_factory=ReportSettings)

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)


@dataclass(frozen=True, slots=True)
class AgencyScores:
    """One agency's row of the score sheet, checked and typed."""

    row: int  # the workbook row, so later messages can still name the cell
    name: str
    group: str
    prior_rank: int | None  # None: the agency is new this year
    scores: Mapping[str, Decimal]  # criterion code -> score, applicable criteria only
    council_total: Decimal | None = None
    unranked_reason: str | None = None  # assessed, but not ranked (and why)
    not_scored: frozenset[str] = frozenset()  # applicable criteria this agency is not scored on
    # The decision's footnote (index into prior_years.PastApplied.notes) saying where the prior
    # rank of a renamed or merged agency comes from; None: no footnote.
    prior_note: int | None = None
    email: str | None = None  # the optional Email column: the agency's scorecard goes there


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    """The `Thông tin` sheet: what the decision needs besides the scores."""

    year: int
    submission_number: str | None  # None: printed as a draft's blank
    submission_date: date
    signer: str
    signer_title: tuple[str, ...]
    decision_number: str | None = None
    decision_date: date | None = None
    extra: Mapping[str, str | None] = field(default_factory=dict)  # profile fields by name


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A whole, valid workbook."""

    info: DecisionInfo
    agencies: tuple[AgencyScores, ...]


@dataclass(frozen=True, slots=True)
class AgencyResult:
    """An agency's computed outcome."""

    agency: AgencyScores
    total: Decimal  # exact weighted sum of the scores
    rounded_total: Decimal  # at the printed precision: what is graded, ranked and printed
    grade: str | None  # None when the rules have no grades
    rank: int | None  # None for an agency assessed but not ranked
    rank_change: int | None  # prior rank minus rank (positive: moved up); None if new
    max_points: Decimal = Decimal(0)  # this agency's maximum (the group's, less what it is not
    # scored on)
    percent: Decimal | None = None  # of max_points, at the rules' percent precision
    pillar_totals: Mapping[str, Decimal] = field(default_factory=dict)  # rounded subtotals
    pillar_max: Mapping[str, Decimal] = field(default_factory=dict)
    pillar_ranks: Mapping[str, int] = field(default_factory=dict)  # within the group

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A group's agencies in rank order (ties in workbook order)."""

    group: Group
    results: tuple[AgencyResult, ...]  # the ranked agencies
    unranked: tuple[AgencyResult, ...] = ()  # assessed but not ranked, in workbook order
