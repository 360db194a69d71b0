"""The [[grades]] of a rules file: each band's threshold per group, and its sentence checked.

A band's `text` is printed in the decision as the rule itself, so it must state the band's
own thresholds and those of the band above it (its upper end), and say on which side of each
the band lies: `above_percent` excludes its threshold ("trên 50%"), `from_points` includes it
("từ 50 điểm trở lên"); the band below an `above_percent` band ends "đến 50%", the band below
a `from_points` band ends "dưới 50 điểm".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from processor.core.bound_words import (
    own_bound_problem,
    show,
    stated_numbers,
    upper_bound_problem,
)
from processor.core.formatting import format_points
from processor.core.model import Bound, Grade, Group
from processor.core.rule_fields import FieldReader

KINDS = ("from_points", "above_percent")
Numbers = set[tuple[str, Decimal]]  # (unit, value): ("điểm", 85), ("%", 75)


@dataclass(frozen=True, slots=True)
class Band:
    """What one [[grades]] table said about its threshold."""

    kind: str | None  # "from_points", "above_percent", or None (the last band, or a mistake)
    bounds: dict[str, Bound] | None
    stated: Numbers | None  # the numbers its sentence must give; None when the threshold is wrong


class GradeReader(FieldReader):
    # Groups whose max_points could not be read: their thresholds are not range-checked and
    # their criteria not added up, so one mistake is reported once.
    unscaled: set[str]

    def grades(self, items: Any, groups: list[Group]) -> list[Grade]:
        if items is None or items == []:
            return []  # no grades: the decision ranks only
        if not isinstance(items, list) or len(items) < 2:
            self.fail(
                "[[grades]]",
                "Phải có ít nhất hai mức xếp loại [[grades]], từ cao xuống thấp "
                "(hoặc bỏ hẳn [[grades]] nếu chỉ xếp hạng).",
            )
            return []
        grades: list[Grade] = []
        above: Band | None = None
        tables = self.tables(items, "grades", "mức")
        for n, (where, item) in enumerate(tables):
            name = self.text(item, "name", where)
            band = self.bounds(item, where, groups, last=n == len(tables) - 1)
            text = self.text(item, "text", where, required=False) or None
            readable = band.stated is not None and (above is None or above.stated is not None)
            if text is not None and readable:
                self.check_band_text(f"{where}text", text, band, above, grades)
            if grades and band.bounds is not None and grades[-1].bounds is not None:
                self.check_descending(grades[-1], band.bounds, where, groups)
            grades.append(Grade(name=name, bounds=band.bounds, text=text))
            above = band
        return grades

    def bounds(self, item: Mapping[str, Any], where: str, groups: list[Group], last: bool) -> Band:
        kinds = [k for k in KINDS if k in item]
        if last:
            if kinds:
                self.fail(
                    f"{where}{kinds[0]}",
                    "Mức cuối cùng không có ngưỡng: mọi tổng điểm thấp hơn mức trên "
                    "đều thuộc mức này.",
                )
            return Band(None, None, set())
        if len(kinds) != 1:
            self.fail(
                where.rstrip("."),
                "Mỗi mức (trừ mức cuối) cần đúng một trong hai cách ghi ngưỡng: "
                "from_points (điểm, tính cả ngưỡng) hoặc "
                "above_percent (% điểm tối đa, không tính ngưỡng).",
            )
            return Band(None, {}, None)
        kind = kinds[0]
        value = item[kind]
        codes = [g.code for g in groups]
        per_group = value if isinstance(value, dict) else {code: value for code in codes}
        broken = False
        for code in per_group:
            if code not in codes:
                self.fail(
                    f"{where}{kind}.{code}",
                    f"Không có nhóm mã {code!r} trong [[groups]]; các mã: {', '.join(codes)}.",
                )
                broken = True
        bounds: dict[str, Bound] = {}
        stated: Numbers = set()
        for group in groups:
            key = f"{where}{kind}.{group.code}"
            if group.code not in per_group:
                self.fail(key, f"Thiếu ngưỡng cho nhóm {group.code}.")
                broken = True
                continue
            number = self.number(per_group[group.code], key)
            if number is None:
                broken = True
                continue
            scaled = group.code not in self.unscaled
            if kind == "from_points":
                if scaled and not 0 <= number <= group.max_points:
                    self.fail(key, f"Ngưỡng phải từ 0 đến {format_points(group.max_points)} điểm.")
                bounds[group.code] = Bound(points=number, inclusive=True)
                stated.add(("điểm", number))
            else:
                if not 0 <= number <= 100:
                    self.fail(key, "Ngưỡng phần trăm phải từ 0 đến 100.")
                bounds[group.code] = Bound(
                    points=group.max_points * number / 100, inclusive=False, percent=number
                )
                stated.add(("%", number))
        return Band(kind, bounds, None if broken else stated)

    def check_descending(
        self, above: Grade, bounds: Mapping[str, Bound], where: str, groups: list[Group]
    ) -> None:
        assert above.bounds is not None
        for group in groups:
            upper, lower = above.bounds.get(group.code), bounds.get(group.code)
            if upper is not None and lower is not None and lower.points >= upper.points:
                self.fail(
                    where.rstrip("."),
                    f"Ngưỡng của nhóm {group.code} phải thấp hơn ngưỡng mức {above.name!r} ở trên.",
                )

    def check_band_text(
        self, key: str, text: str, band: Band, above: Band | None, grades: list[Grade]
    ) -> None:
        """The sentence gives this band's thresholds and the band above's, on the right side."""
        own = band.stated or set()
        upper = (above.stated or set()) if above is not None else set()
        if not self.check_wording(key, text, own | upper, "ngưỡng của mức này và mức trên"):
            return
        for stated in stated_numbers(text):
            number = (stated.unit, stated.value)
            found = []
            if number in own and band.kind is not None:
                found.append(own_bound_problem(stated, band.kind))
            if number in upper and above is not None and above.kind is not None:
                found.append(upper_bound_problem(stated, above.kind, grades[-1].name))
            if found and all(problem is not None for problem in found):
                self.fail(key, str(found[0]))
                return

    def check_wording(self, key: str, text: str, expected: Numbers, what: str) -> bool:
        """The numbers a sentence states must be the thresholds it sits beside."""
        found = {(s.unit, s.value) for s in stated_numbers(text)}
        if found == expected:
            return True

        def listed(items: Numbers) -> str:
            ordered = sorted(items, key=lambda x: (x[0], -x[1]))
            return ", ".join(show(unit, value) for unit, value in ordered) or "(không có)"

        self.fail(
            key,
            f"Câu chữ nêu {listed(found)} nhưng {what} là {listed(expected)}; "
            "sửa câu chữ hoặc ngưỡng cho khớp nhau.",
        )
        return False
