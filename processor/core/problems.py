"""Problems found in a user's input, each with the place to fix and a Vietnamese message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "lỗi"  # the run is refused
    WARNING = "cảnh báo"  # printed, the run goes on


@dataclass(frozen=True, slots=True)
class Problem:
    place: str  # "Điểm!F12", "Điểm (hàng tiêu đề)", "quy-tac.toml: grades[2]"
    message: str
    severity: Severity = Severity.ERROR
    agency: str | None = None  # the agency of the cell's row, so a long sheet needs no lookup

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
