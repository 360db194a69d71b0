"""Problems as people read them (Vietnamese lines) and as programs read them (JSON).

The CLI, the drop folder's failure reports and the tests all use these, so a secretary sees the
same sentence whichever way the workbook reached the tool.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from processor.core.formatting import format_number, round_score
from processor.core.model import GroupResult, Rules
from processor.core.problems import Problem, Severity, errors

_CELL_PLACE = re.compile(r"^(?P<sheet>.+)!(?P<cell>\$?[A-Z]{1,3}\$?[0-9]+)$")


def label(problem: Problem) -> str:
    return "Lỗi" if problem.severity is Severity.ERROR else "Cảnh báo"


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """One indented line per problem: `  Lỗi Điểm!G2: …`."""
    return [f"  {label(p)} {p.where}: {p.message}" for p in problems]


def counts_sentence(problems: Sequence[Problem]) -> str:
    """`2 lỗi, 1 cảnh báo` (or `không có lỗi nào`)."""
    n_errors = len(errors(problems))
    n_warnings = len(problems) - n_errors
    parts = [f"{n_errors} lỗi"] if n_errors else []
    if n_warnings:
        parts.append(f"{n_warnings} cảnh báo")
    return ", ".join(parts) or "không có lỗi nào"


def problem_record(problem: Problem) -> dict[str, Any]:
    """A problem for programs; `sheet` and `cell` are set when the place is a single cell."""
    match = _CELL_PLACE.match(problem.place)
    return {
        "severity": "error" if problem.severity is Severity.ERROR else "warning",
        "place": problem.place,
        "agency": problem.agency,
        "sheet": match["sheet"] if match else None,
        "cell": match["cell"] if match else None,
        "message": problem.message,
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def json_result(
    command: str,
    workbook: object | None,
    problems: Sequence[Problem],
    *,
    ok: bool,
    summary: str = "",
) -> dict[str, Any]:
    """The head every command's JSON starts with: what was read, and what was wrong with it."""
    n_errors = len(errors(problems))
    return {
        "command": command,
        "file": None if workbook is None else str(workbook),
        "ok": ok,
        "summary": summary,
        "errors": n_errors,
        "warnings": len(problems) - n_errors,
        "problems": [problem_record(p) for p in problems],
    }


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One group's result in a line: what the console, JSON and the email all report."""

    code: str
    title: str
    agencies: int  # ranked
    grades: dict[str, int]  # grade name -> agencies, in the rules' order, only those present
    first: str | None  # the agency ranked first, if any
    first_total: str | None  # its total as printed in the decision (`89,34`)
    unranked: int = 0  # assessed but not ranked

    @property
    def grades_text(self) -> str:
        """`Tốt 12, Khá 4`."""
        return ", ".join(f"{name} {count}" for name, count in self.grades.items())


def group_summaries(rules: Rules, groups: Sequence[GroupResult]) -> list[GroupSummary]:
    order = [grade.name for grade in rules.grades]
    summaries = []
    for group in groups:
        counts = Counter(result.grade for result in group.results)
        best = group.results[0] if group.results else None
        summaries.append(
            GroupSummary(
                code=group.group.code,
                title=group.group.title,
                agencies=len(group.results),
                grades={name: counts[name] for name in order if counts[name]},
                first=best.agency.name if best else None,
                first_total=format_number(best.rounded_total, rules.precision) if best else None,
                unranked=len(group.unranked),
            )
        )
    return summaries


def _plain(value: Decimal, places: int) -> str:
    """`885.58`: a plain decimal with a dot, at the printed precision, for programs."""
    return f"{round_score(value, places):f}"


def agency_records(rules: Rules, groups: Sequence[GroupResult]) -> list[dict[str, Any]]:
    """Every agency's result for other programs, group by group, ranked ones first."""
    records = []
    for group in groups:
        for result in (*group.results, *group.unranked):
            agency = result.agency
            records.append(
                {
                    "group": group.group.code,
                    "name": agency.name,
                    "ranked": result.rank is not None,
                    "rank": result.rank,
                    "total": _plain(result.rounded_total, rules.precision),
                    "max_points": f"{result.max_points.normalize():f}",
                    "percent": None
                    if result.percent is None
                    else _plain(result.percent, rules.percent_precision),
                    "grade": result.grade,
                    "prior_rank": agency.prior_rank,
                    "rank_change": result.rank_change,
                    "pillars": {
                        code: _plain(value, rules.precision)
                        for code, value in result.pillar_totals.items()
                    },
                    "unranked_reason": agency.unranked_reason,
                }
            )
    return records
