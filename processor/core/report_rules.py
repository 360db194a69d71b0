"""The rules file's say on the report: [report] (the flags' margin, the report's sentences)
and each criterion's scoring step ([[criteria]] step), each mistake kept with its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from processor.core.formatting import format_points
from processor.core.model import ReportSettings
from processor.core.report_wording import REPORT_TEXT_KEYS, text_problem
from processor.core.rule_fields import FieldReader

REPORT_KEYS = ("margin", *REPORT_TEXT_KEYS)


def on_step(value: Decimal, step: Decimal) -> bool:
    """Is `value` a whole multiple of `step` (exactly, however many digits either has)?"""
    return (Fraction(value) / Fraction(step)).denominator == 1


class ReportReader(FieldReader):
    def step(
        self, item: dict[str, Any], where: str, max_points: Mapping[str, Decimal]
    ) -> Decimal | None:
        """The smallest difference the council scores in; None: read from the scores."""
        if "step" not in item:
            return None
        number = self.number(item["step"], f"{where}step")
        if number is None:
            return None
        if number <= 0:
            self.fail(f"{where}step", "Bước điểm phải lớn hơn 0.")
            return None
        code = item.get("code")
        whose = f"tiêu chí {code}" if isinstance(code, str) and code.strip() else "tiêu chí"
        if max_points and number > min(max_points.values()):
            group, smallest = min(max_points.items(), key=lambda kv: kv[1])
            self.fail(
                f"{where}step",
                f"Bước điểm {format_points(number)} lớn hơn điểm tối đa "
                f"{format_points(smallest)} của {whose} (nhóm {group}).",
            )
            return None
        uneven = [(g, m) for g, m in max_points.items() if not on_step(m, number)]
        if uneven:
            group, maximum = uneven[0]
            self.fail(
                f"{where}step",
                f"Điểm tối đa {format_points(maximum)} (nhóm {group}) của {whose} không chia "
                f"hết cho bước điểm {format_points(number)}: điểm tối đa phải là bội số của "
                "bước, ví dụ step = 0.25 với điểm tối đa 8.",
            )
            return None
        return number

    def report(self, table: Any) -> ReportSettings:
        """[report]: the flags' margin, and the report's sentences a province rewords."""
        if table is None:
            return ReportSettings()
        if not isinstance(table, dict):
            self.fail("[report]", "Phải là một bảng (margin = 0.1, các câu mẫu của báo cáo).")
            return ReportSettings()
        table = self.known(table, "report", "report.")
        margin = ReportSettings().margin
        if "margin" in table:
            number = self.number(table["margin"], "report.margin")
            if number is not None and number <= 0:
                self.fail(
                    "report.margin",
                    "Khoảng sát ngưỡng phải lớn hơn 0 (tính theo đơn vị của ngưỡng xếp loại: "
                    "điểm, hoặc điểm phần trăm), ví dụ margin = 0.1.",
                )
            elif number is not None:
                margin = number
        texts: dict[str, str] = {}
        for key in REPORT_TEXT_KEYS:
            if key not in table:
                continue
            template = self.text(table, key, "report.")
            problem = text_problem(key, template) if template else None
            if problem is not None:
                self.fail(f"report.{key}", problem[:1].upper() + problem[1:])
            elif template:
                texts[key] = template
        return ReportSettings(margin=margin, texts=texts)
