"""What one accepted run leaves in the history: plain data, built from the pipeline's values.

No file, no clock: the caller gives the time (`recorded_at`, an ISO string) and the hashes, so
the same run always makes the same record and the store only has to keep it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from processor.core.model import Evaluation, GroupResult, Rules
from processor.core.past import PastAgency, PastYear, Succession, agency_key


@dataclass(frozen=True, slots=True)
class AgencyYear:
    """One agency's outcome in one year, as the decision printed it (and the exact total)."""

    name: str
    group: str
    ranked: bool
    rank: int | None
    unranked_reason: str | None
    total: Decimal  # exact weighted sum
    rounded_total: Decimal  # at the printed precision: what was graded, ranked and printed
    percent: Decimal | None
    grade: str | None
    max_points: Decimal = Decimal(0)
    prior_rank: int | None = None  # as used in that year's decision
    rank_change: int | None = None  # as printed that year (positive: moved up)
    scores: Mapping[str, Decimal] = field(default_factory=dict)  # criterion code -> score
    not_scored: tuple[str, ...] = ()  # applicable criteria this agency was not scored on
    pillars: Mapping[str, Decimal] = field(default_factory=dict)  # main index -> subtotal

    @property
    def key(self) -> str:
        return agency_key(self.name)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One accepted run of one profile for one evaluation year."""

    year: int
    profile: str
    input_sha256: str
    rules_sha256: str
    tool_version: str
    recorded_at: str  # ISO 8601, given by the caller
    agencies: tuple[AgencyYear, ...]  # in the decision's order: group by group, ranked first
    maxima: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # code -> group
    group_max: Mapping[str, Decimal] = field(default_factory=dict)
    rank_by: str = "total"
    input_name: str = ""  # the workbook's file name, for people reading the audit
    group_titles: Mapping[str, str] = field(default_factory=dict)  # in the rules' order
    criterion_names: Mapping[str, str] = field(default_factory=dict)  # in the rules' order
    pillar_names: Mapping[str, str] = field(default_factory=dict)  # in the rules' order
    precision: int = 2
    percent_precision: int = 2
    # The renames and mergers taking effect this year (Succession.year == year), as applied.
    successions: tuple[Succession, ...] = ()

    def past_year(self) -> PastYear:
        """The year as the core reads it back (prior ranks, changed criteria)."""
        return PastYear(
            year=self.year,
            profile=self.profile,
            agencies=tuple(
                PastAgency(a.name, a.group, a.rank, a.rounded_total, a.percent, a.grade)
                for a in self.agencies
            ),
            maxima={code: dict(groups) for code, groups in self.maxima.items()},
            group_max=dict(self.group_max),
            rank_by=self.rank_by,
        )


def run_record(
    rules: Rules,
    evaluation: Evaluation,
    groups: Sequence[GroupResult],
    *,
    profile: str,
    input_sha256: str,
    rules_sha256: str,
    tool_version: str,
    recorded_at: str,
    input_name: str = "",
    successions: Sequence[Succession] = (),
) -> RunRecord:
    """The record of a run from what the pipeline computed (Outcome.rules/evaluation/groups).

    `successions`: those in force for the year (Inspection.successions); only the ones taking
    effect this year are kept, so each rename or merger is recorded once, in its own year.
    """
    agencies = []
    for group in groups:
        for result in (*group.results, *group.unranked):
            scored = result.agency
            agencies.append(
                AgencyYear(
                    name=scored.name,
                    group=group.group.code,
                    ranked=result.rank is not None,
                    rank=result.rank,
                    unranked_reason=scored.unranked_reason,
                    total=result.total,
                    rounded_total=result.rounded_total,
                    percent=result.percent,
                    grade=result.grade,
                    max_points=result.max_points,
                    prior_rank=scored.prior_rank,
                    rank_change=result.rank_change,
                    scores=dict(scored.scores),
                    not_scored=tuple(sorted(scored.not_scored)),
                    pillars=dict(result.pillar_totals),
                )
            )
    return RunRecord(
        year=evaluation.info.year,
        profile=profile,
        input_sha256=input_sha256,
        rules_sha256=rules_sha256,
        tool_version=tool_version,
        recorded_at=recorded_at,
        agencies=tuple(agencies),
        maxima={c.code: dict(c.max_points) for c in rules.criteria},
        group_max={g.code: g.max_points for g in rules.groups},
        rank_by=rules.rank_by.value,
        input_name=input_name,
        group_titles={g.code: g.title for g in rules.groups},
        criterion_names={c.code: c.name for c in rules.criteria},
        pillar_names={p.code: p.name for p in rules.pillars},
        precision=rules.precision,
        percent_precision=rules.percent_precision,
        successions=tuple(s for s in successions if s.year == evaluation.info.year),
    )


# At most this many names are listed in an audit row's summary of what changed.
LISTED = 20


def changes(old: RunRecord, new: RunRecord) -> dict[str, Any]:
    """What a replacement changed, for the audit row: hashes, agencies in and out, results.

    Names are listed (at most LISTED of each kind) with counts, so a row stays readable even
    when ten thousand agencies changed.
    """
    before = {a.key: a for a in old.agencies}
    after = {a.key: a for a in new.agencies}
    added = [a.name for k, a in after.items() if k not in before]
    removed = [a.name for k, a in before.items() if k not in after]
    changed = [
        a.name for k, a in after.items() if k in before and _outcome(before[k]) != _outcome(a)
    ]
    return {
        "input_changed": old.input_sha256 != new.input_sha256,
        "rules_changed": old.rules_sha256 != new.rules_sha256,
        "agencies_before": len(old.agencies),
        "agencies_after": len(new.agencies),
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "added_names": added[:LISTED],
        "removed_names": removed[:LISTED],
        "changed_names": changed[:LISTED],
    }


def _outcome(agency: AgencyYear) -> tuple[object, ...]:
    return (
        agency.group,
        agency.rank,
        agency.ranked,
        agency.total,
        agency.grade,
        dict(agency.scores),
        agency.not_scored,
    )


def change_summary(summary: Mapping[str, Any]) -> str:
    """The audit summary in one Vietnamese sentence (the listing and the export print it)."""
    if not summary:
        return ""
    parts = []
    if summary.get("input_changed"):
        parts.append("bảng điểm khác")
    if summary.get("rules_changed"):
        parts.append("tệp quy tắc khác")
    before, after = summary.get("agencies_before"), summary.get("agencies_after")
    if before != after:
        parts.append(f"{before} → {after} đơn vị")
    for key, words in (("added", "thêm"), ("removed", "bớt"), ("changed", "đổi kết quả")):
        count = summary.get(key) or 0
        if count:
            names = summary.get(f"{key}_names") or []
            shown = ", ".join(names[:3]) + (", …" if count > 3 else "")
            parts.append(f"{words} {count} đơn vị ({shown})")
    return "; ".join(parts) if parts else "kết quả không đổi"


@dataclass(frozen=True, slots=True)
class YearEntry:
    """One recorded year in the listing."""

    profile: str
    year: int
    agencies: int
    ranked: int
    recorded_at: str
    input_sha256: str
    input_name: str
    rules_sha256: str
    tool_version: str
    replaced: int  # how many times this year was recorded again


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One agency in one recorded year (`history --agency`)."""

    profile: str
    year: int
    name: str  # as written that year
    group: str
    rounded_total: Decimal
    max_points: Decimal
    percent: Decimal | None
    rank: int | None
    grade: str | None
    rank_change: int | None  # as printed that year
    unranked_reason: str | None
    precision: int = 2
    percent_precision: int = 2

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A year recorded again: what the old run was, and what the new one changed."""

    id: int
    profile: str
    year: int
    replaced_at: str  # the new run's recorded_at
    old_input_sha256: str
    old_input_name: str
    old_rules_sha256: str
    old_tool_version: str
    old_recorded_at: str
    new_input_sha256: str
    new_tool_version: str
    changes: Mapping[str, Any]  # records.changes(old, new)

    @property
    def summary(self) -> str:
        return change_summary(self.changes)
