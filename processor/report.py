"""Problems as people read them (Vietnamese lines) and as programs read them (JSON).

The CLI, the drop folder's failure reports and the tests all use these, so a secretary sees the
same sentence whichever way the workbook reached the tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from processor.problems import Problem, Severity, errors

_CELL_PLACE = re.compile(r"^(?P<sheet>.+)!(?P<cell>\$?[A-Z]{1,3}\$?[0-9]+)$")


def label(problem: Problem) -> str:
    return "Lỗi" if problem.severity is Severity.ERROR else "Cảnh báo"


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """One indented line per problem: `  Lỗi Điểm!G2: …`."""
    return [f"  {label(p)} {p.place}: {p.message}" for p in problems]


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
        "sheet": match["sheet"] if match else None,
        "cell": match["cell"] if match else None,
        "message": problem.message,
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
