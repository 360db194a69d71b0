"""The rules file (TOML): a province's groups, grade bands, criteria and wording, checked.

Rules are data: a province edits its TOML file, never this module. Every mistake in the
file is reported at once, in Vietnamese, with the key that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from processor.core.formatting import format_points, normalise, parse_vietnamese_number
from processor.core.model import (
    SCORE_COLUMNS,
    Bound,
    Criterion,
    Grade,
    Group,
    Pillar,
    RankBasis,
    Rules,
    TiePolicy,
)
from processor.core.problems import InputError
from processor.core.wording import WordingReader

SCHEMA_VERSION = 1
TIE_NAMES = {
    "1224": TiePolicy.COMPETITION,
    "competition": TiePolicy.COMPETITION,
    "1223": TiePolicy.DENSE,
    "dense": TiePolicy.DENSE,
}
# A number the wording states as points or as a percentage: "85 điểm", "62,5 điểm", "75%".
_STATED = re.compile(r"(\d+(?:[.,]\d+)*)\s*(điểm|%)")


def parse_rules(raw: Mapping[str, Any], label: str = "quy tắc") -> Rules:
    """Turn the parsed TOML into Rules; pure, so it is tested without files."""
    parser = _Parser(label)
    rules = parser.rules(raw)
    if parser.problems or rules is None:
        raise InputError(f"Tệp quy tắc {label} có lỗi, cần sửa trước khi chạy.", parser.problems)
    return rules


class _Parser(WordingReader):
    # -- sections --------------------------------------------------------------------------

    def rules(self, raw: Mapping[str, Any]) -> Rules | None:
        version = raw.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            self.fail(
                "schema_version",
                f"Chương trình này đọc lược đồ phiên bản {SCHEMA_VERSION}, tệp ghi {version!r}.",
            )
        document = self.document(raw.get("document"))
        info_fields = self.info_fields(raw.get("info_fields"))
        wording = self.wording(
            raw.get("wording"),
            raw.get("signature"),
            raw.get("email"),
            tuple(f.name for f in info_fields),
        )
        description = self.profile(raw.get("profile"))
        scoring = raw.get("scoring", {})
        precision, ties = self.scoring(scoring)
        extra = self.scoring_extra(scoring)
        groups = self.groups(raw.get("groups"))
        codes = [g.code for g in groups]
        grades = self.grades(raw.get("grades"), groups)
        pillars = self.pillars(raw.get("pillars"))
        criteria = self.criteria(raw.get("criteria"), codes, [p.code for p in pillars])
        self.check_totals(groups, criteria)
        if self.problems or document is None or wording is None or extra is None:
            return None
        percent_precision, not_scored, rank_by = extra
        return Rules(
            document=document,
            groups=tuple(groups),
            grades=tuple(grades),
            criteria=tuple(criteria),
            precision=precision,
            ties=ties,
            wording=wording,
            pillars=tuple(pillars),
            info_fields=info_fields,
            percent_precision=percent_precision,
            not_scored=not_scored,
            rank_by=rank_by,
            description=description,
        )

    def profile(self, table: Any) -> str:
        if table is None:
            return ""
        if not isinstance(table, dict):
            self.fail("[profile]", 'Phải là một bảng (description = "...").')
            return ""
        return self.text(table, "description", "profile.", required=False)

    def scoring_extra(self, table: Any) -> tuple[int, tuple[str, ...], RankBasis] | None:
        if not isinstance(table, dict):
            return None  # reported by scoring()
        places = table.get("percent_precision", 2)
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4:
            self.fail(
                "scoring.percent_precision", f"Phải là số nguyên từ 0 đến 4, đang là {places!r}."
            )
            places = 2
        marks = self.lines(table, "not_scored", "scoring.", required=False)
        if "not_scored" not in table:
            marks = ("Không đánh giá", "KĐG")
        basis_name = str(table.get("rank_by", "total")).strip().lower()
        basis = {b.value: b for b in RankBasis}.get(basis_name)
        if basis is None:
            self.fail("scoring.rank_by", f'Phải là "total" hoặc "percent", đang là {basis_name!r}.')
            basis = RankBasis.TOTAL
        return places, marks, basis

    def pillars(self, items: Any) -> list[Pillar]:
        if items is None:
            return []
        if not isinstance(items, list):
            self.fail("[[pillars]]", "Phải là các bảng [[pillars]] (code, name).")
            return []
        pillars: list[Pillar] = []
        seen: set[str] = set()
        for where, item in self.tables(items, "pillars", "chỉ số chính"):
            code = self.text(item, "code", where)
            if normalise(code) in seen:
                self.fail(f"{where}code", f"Mã chỉ số chính {code!r} bị trùng.")
            seen.add(normalise(code))
            pillars.append(Pillar(code=code, name=self.text(item, "name", where)))
        return pillars

    def scoring(self, table: Any) -> tuple[int, TiePolicy]:
        if not isinstance(table, dict):
            self.fail("[scoring]", "Phải là một bảng (precision, ties).")
            return 2, TiePolicy.COMPETITION
        precision = table.get("precision", 2)
        if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 6:
            self.fail("scoring.precision", f"Phải là số nguyên từ 0 đến 6, đang là {precision!r}.")
            precision = 2
        ties_name = str(table.get("ties", "1224")).strip().lower()
        ties = TIE_NAMES.get(ties_name)
        if ties is None:
            self.fail("scoring.ties", f'Phải là "1224" hoặc "1223", đang là {ties_name!r}.')
            ties = TiePolicy.COMPETITION
        return precision, ties

    def groups(self, items: Any) -> list[Group]:
        if not isinstance(items, list) or not items:
            self.fail("[[groups]]", "Phải có ít nhất một nhóm [[groups]].")
            return []
        groups: list[Group] = []
        seen: set[str] = set()
        for where, item in self.tables(items, "groups", "nhóm"):
            code = self.text(item, "code", where)
            if normalise(code) in seen:
                self.fail(f"{where}code", f"Mã nhóm {code!r} bị trùng.")
            seen.add(normalise(code))
            max_points = self.number(item.get("max_points"), f"{where}max_points")
            if max_points is not None and max_points <= 0:
                self.fail(f"{where}max_points", "Điểm tối đa của nhóm phải lớn hơn 0.")
            scale_text = self.text(item, "scale_text", where, required=False) or None
            if max_points is not None and scale_text is not None:
                self.check_wording(
                    f"{where}scale_text", scale_text, {("điểm", max_points)}, "điểm tối đa"
                )
            groups.append(
                Group(
                    code=code,
                    title=self.text(item, "title", where),
                    max_points=max_points or Decimal(0),
                    scale_text=scale_text,
                    label=self.text(item, "label", where, required=False),
                )
            )
        return groups

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
        stated_above: set[tuple[str, Decimal]] = set()
        tables = self.tables(items, "grades", "mức")
        for n, (where, item) in enumerate(tables):
            name = self.text(item, "name", where)
            last = n == len(tables) - 1
            bounds, stated = self.bounds(item, where, groups, last)
            text = self.text(item, "text", where, required=False) or None
            if text is not None:
                self.check_wording(
                    f"{where}text", text, stated | stated_above, "ngưỡng của mức này và mức trên"
                )
            stated_above = stated
            if grades and bounds is not None and grades[-1].bounds is not None:
                self.check_descending(grades[-1], bounds, where, groups)
            grades.append(Grade(name=name, bounds=bounds, text=text))
        return grades

    def bounds(
        self, item: Mapping[str, Any], where: str, groups: list[Group], last: bool
    ) -> tuple[dict[str, Bound] | None, set[tuple[str, Decimal]]]:
        kinds = [k for k in ("from_points", "above_percent") if k in item]
        if last:
            if kinds:
                self.fail(
                    f"{where}{kinds[0]}",
                    "Mức cuối cùng không có ngưỡng: mọi tổng điểm thấp hơn mức trên "
                    "đều thuộc mức này.",
                )
            return None, set()
        if len(kinds) != 1:
            self.fail(
                where.rstrip("."),
                "Mỗi mức (trừ mức cuối) cần đúng một trong hai cách ghi ngưỡng: "
                "from_points (điểm, tính cả ngưỡng) hoặc "
                "above_percent (% điểm tối đa, không tính ngưỡng).",
            )
            return {}, set()
        kind = kinds[0]
        value = item[kind]
        per_group = value if isinstance(value, dict) else {g.code: value for g in groups}
        for code in per_group:
            if code not in {g.code for g in groups}:
                self.fail(f"{where}{kind}.{code}", f"Không có nhóm mã {code!r} trong [[groups]].")
        bounds: dict[str, Bound] = {}
        stated: set[tuple[str, Decimal]] = set()
        for group in groups:
            key = f"{where}{kind}.{group.code}"
            if group.code not in per_group:
                self.fail(key, f"Thiếu ngưỡng cho nhóm {group.code}.")
                continue
            number = self.number(per_group[group.code], key)
            if number is None:
                continue
            if kind == "from_points":
                if not 0 <= number <= group.max_points:
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
        return bounds, stated

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

    def check_wording(
        self, key: str, text: str, expected: set[tuple[str, Decimal]], what: str
    ) -> None:
        """The numbers a sentence states must be the thresholds it sits beside."""
        found = {(unit, parse_vietnamese_number(n)) for n, unit in _STATED.findall(text)}
        if found != expected:

            def show(items: set[tuple[str, Decimal]]) -> str:
                ordered = sorted(items, key=lambda x: (x[0], -x[1]))
                shown = [f"{format_points(n)}{'%' if u == '%' else ' điểm'}" for u, n in ordered]
                return ", ".join(shown) or "(không có)"

            self.fail(
                key,
                f"Câu chữ nêu {show(found)} nhưng {what} là {show(expected)}; "
                "sửa câu chữ hoặc ngưỡng cho khớp nhau.",
            )

    def criteria(
        self, items: Any, group_codes: list[str], pillar_codes: list[str]
    ) -> list[Criterion]:
        if not isinstance(items, list) or not items:
            self.fail("[[criteria]]", "Phải có ít nhất một tiêu chí [[criteria]].")
            return []
        criteria: list[Criterion] = []
        seen: set[str] = set()
        for where, item in self.tables(items, "criteria", "tiêu chí"):
            code = self.text(item, "code", where)
            if normalise(code) in seen:
                self.fail(f"{where}code", f"Mã tiêu chí {code!r} bị trùng.")
            if normalise(code) in {normalise(c) for c in SCORE_COLUMNS}:
                self.fail(
                    f"{where}code",
                    f"Mã tiêu chí {code!r} trùng tên một cột cố định của bảng điểm "
                    f"({', '.join(SCORE_COLUMNS)}); đặt mã khác.",
                )
            seen.add(normalise(code))
            deduction = item.get("deduction", False)
            if not isinstance(deduction, bool):
                self.fail(f"{where}deduction", "Phải là true hoặc false.")
                deduction = False
            maxima = item.get("max")
            if not isinstance(maxima, dict) or not maxima:
                self.fail(
                    f"{where}max",
                    "Phải là bảng điểm tối đa theo mã nhóm, ví dụ { I = 8, II = 8, III = 6 }.",
                )
                maxima = {}
            max_points: dict[str, Decimal] = {}
            for group_code, value in maxima.items():
                key = f"{where}max.{group_code}"
                if group_code not in group_codes:
                    self.fail(key, f"Không có nhóm mã {group_code!r} trong [[groups]].")
                    continue
                number = self.number(value, key)
                if number is not None and number <= 0:
                    self.fail(
                        key, "Điểm tối đa phải lớn hơn 0 (với tiêu chí trừ điểm: mức trừ tối đa)."
                    )
                elif number is not None:
                    max_points[group_code] = number
            criteria.append(
                Criterion(
                    code=code,
                    name=self.text(item, "name", where),
                    max_points=max_points,
                    deduction=deduction,
                    pillar=self.pillar_of(item, where, pillar_codes),
                    weight=self.weight(item, where),
                )
            )
        return criteria

    def pillar_of(self, item: dict[str, Any], where: str, pillar_codes: list[str]) -> str | None:
        """Every criterion belongs to a main index when there are any, so subtotals add up."""
        code = self.text(item, "pillar", where, required=False)
        if not pillar_codes:
            if code:
                self.fail(f"{where}pillar", "Chưa khai báo chỉ số chính nào trong [[pillars]].")
            return None
        if not code:
            self.fail(
                f"{where}pillar",
                "Tệp quy tắc có [[pillars]] nên mỗi tiêu chí (kể cả trừ điểm) phải thuộc một chỉ "
                f"số chính: ghi pillar = một trong {', '.join(pillar_codes)}.",
            )
            return None
        if code not in pillar_codes:
            self.fail(
                f"{where}pillar",
                f"Không có chỉ số chính mã {code!r}; các mã: {', '.join(pillar_codes)}.",
            )
            return None
        return code

    def weight(self, item: dict[str, Any], where: str) -> Decimal:
        if "weight" not in item:
            return Decimal(1)
        number = self.number(item["weight"], f"{where}weight")
        if number is None:
            return Decimal(1)
        if number <= 0:
            self.fail(f"{where}weight", "Trọng số phải lớn hơn 0.")
            return Decimal(1)
        return number

    def check_totals(self, groups: list[Group], criteria: list[Criterion]) -> None:
        """A group's criteria must add up to its scale, or the grade bands mean nothing."""
        for i, group in enumerate(groups):
            total = sum(
                (
                    c.weight * c.max_points[group.code]
                    for c in criteria
                    if not c.deduction and c.applies_to(group.code)
                ),
                Decimal(0),
            )
            if criteria and total != group.max_points:
                self.fail(
                    f"groups[{i + 1}].max_points",
                    f"Tổng điểm tối đa các tiêu chí của nhóm {group.code} "
                    f"là {format_points(total)}, "
                    f"khác thang điểm {format_points(group.max_points)} của nhóm.",
                )
