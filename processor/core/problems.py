"""Problems found in a user's input, each with the place to fix and a Vietnamese message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# A prior rank larger than the number of ranks typed in its group: only a guess at last year's
# group size, which the history, when there is one, knows for certain.
PRIOR_SIZE = "prior-size"


class Severity(Enum):
    ERROR = "lỗi"  # the run is refused
    WARNING = "cảnh báo"  # printed, the run goes on


@dataclass(frozen=True, slots=True)
class Problem:
    place: str  # "Điểm!F12", "Điểm (hàng tiêu đề)", "quy-tac.toml: grades[2]"
    message: str
    severity: Severity = Severity.ERROR
    agency: str | None = None  # the agency of the cell's row, so a long sheet needs no lookup
    kind: str | None = None  # which check, where a later stage may settle it (PRIOR_SIZE)

    @property
    def where(self) -> str:
        """`Điểm!G4 (Sở Kế hoạch và Đầu tư)`: the place, and the agency when there is one."""
        return f"{self.place} ({self.agency})" if self.agency else self.place

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def errors(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


class InputError(Exception):
    """A user's input cannot be used; carries every problem found, not just the first."""

    def __init__(self, summary: str, problems: list[Problem]):
        super().__init__(summary)
        self.summary = summary
        self.problems = problems
