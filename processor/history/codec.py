"""A RunRecord as JSON and back, exactly: every Decimal travels as its own text.

The audit table keeps a replaced run whole in this form, so what a re-run overwrote can still
be read (and compared) after the tables hold only the new run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from processor.core.past import Succession
from processor.history.records import AgencyYear, RunRecord


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _decimals(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


def _read_decimals(values: Mapping[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(value) for key, value in values.items()}


def run_document(run: RunRecord) -> dict[str, Any]:
    """The run as plain JSON values (Decimals as text, so nothing is rounded on the way)."""
    return {
        "year": run.year,
        "profile": run.profile,
        "input_sha256": run.input_sha256,
        "input_name": run.input_name,
        "rules_sha256": run.rules_sha256,
        "tool_version": run.tool_version,
        "recorded_at": run.recorded_at,
        "rank_by": run.rank_by,
        "precision": run.precision,
        "percent_precision": run.percent_precision,
        "group_titles": dict(run.group_titles),
        "group_max": _decimals(run.group_max),
        "criterion_names": dict(run.criterion_names),
        "maxima": {code: _decimals(groups) for code, groups in run.maxima.items()},
        "pillar_names": dict(run.pillar_names),
        "agencies": [
            {
                "name": a.name,
                "group": a.group,
                "ranked": a.ranked,
                "rank": a.rank,
                "unranked_reason": a.unranked_reason,
                "total": str(a.total),
                "rounded_total": str(a.rounded_total),
                "percent": _text(a.percent),
                "grade": a.grade,
                "max_points": str(a.max_points),
                "prior_rank": a.prior_rank,
                "rank_change": a.rank_change,
                "scores": _decimals(a.scores),
                "not_scored": list(a.not_scored),
                "pillars": _decimals(a.pillars),
            }
            for a in run.agencies
        ],
        "successions": [
            {
                "old_names": list(s.old_names),
                "new_name": s.new_name,
                "year": s.year,
                "place": s.place,
            }
            for s in run.successions
        ],
    }


def run_from_document(document: Mapping[str, Any]) -> RunRecord:
    """The inverse of run_document."""
    return RunRecord(
        year=int(document["year"]),
        profile=document["profile"],
        input_sha256=document["input_sha256"],
        input_name=document.get("input_name", ""),
        rules_sha256=document["rules_sha256"],
        tool_version=document["tool_version"],
        recorded_at=document["recorded_at"],
        rank_by=document["rank_by"],
        precision=int(document["precision"]),
        percent_precision=int(document["percent_precision"]),
        group_titles=dict(document["group_titles"]),
        group_max=_read_decimals(document["group_max"]),
        criterion_names=dict(document["criterion_names"]),
        maxima={code: _read_decimals(groups) for code, groups in document["maxima"].items()},
        pillar_names=dict(document["pillar_names"]),
        agencies=tuple(
            AgencyYear(
                name=a["name"],
                group=a["group"],
                ranked=bool(a["ranked"]),
                rank=a["rank"],
                unranked_reason=a["unranked_reason"],
                total=Decimal(a["total"]),
                rounded_total=Decimal(a["rounded_total"]),
                percent=_number(a["percent"]),
                grade=a["grade"],
                max_points=Decimal(a["max_points"]),
                prior_rank=a["prior_rank"],
                rank_change=a["rank_change"],
                scores=_read_decimals(a["scores"]),
                not_scored=tuple(a["not_scored"]),
                pillars=_read_decimals(a["pillars"]),
            )
            for a in document["agencies"]
        ),
        successions=tuple(  # absent from documents written before successions were kept
            Succession(tuple(s["old_names"]), s["new_name"], int(s["year"]), s["place"])
            for s in document.get("successions", ())
        ),
    )


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
