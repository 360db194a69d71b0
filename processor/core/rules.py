"""The rules file (TOML): a province's groups, grade bands, criteria and wording, checked.

Rules are data: a province edits its TOML file, never this module. Every mistake in the
file is reported at once, in Vietnamese, with the key that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from processor.core.formatting import format_points, normalise
from processor.core.model import (
    SCORE_COLUMNS,
    Bound,
    Criterion,
    DocumentSettings,
    Grade,
    Group,
    Rules,
    TiePolicy,
)
from processor.core.problems import InputError, Problem

SCHEMA_VERSION = 1
TIE_NAMES = {
    "1224": TiePolicy.COMPETITION,
    "competition": TiePolicy.COMPETITION,
    "1223": TiePolicy.DENSE,
    "dense": TiePolicy.DENSE,
}
# A number the wording states as points or as a percentage: "85 điểm", "62,5 điểm", "75%".
_STATED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(điểm|%)")


def parse_rules(raw: Mapping[str, Any], label: str = "quy tắc") -> Rules:
    """Turn the parsed TOML into Rules; pure, so it is tested without files."""
    parser = _Parser(label)
    rules = parser.rules(raw)
    if parser.problems or rules is None:
        raise InputError(f"Tệp quy tắc {label} có lỗi, cần sửa trước khi chạy.", parser.problems)
    return rules


class _Parser:
    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}: {key}", message))

    # -- helpers ---------------------------------------------------------------------------

    def tables(self, items: list[Any], section: str, noun: str) -> list[tuple[str, dict[str, Any]]]:
        """The [[section]] tables, each with its key prefix; anything else is reported."""
        found: list[tuple[str, dict[str, Any]]] = []
        for i, item in enumerate(items, start=1):
            if isinstance(item, dict):
                found.append((f"{section}[{i}].", item))
            else:
                self.fail(f"{section}[{i}]", f"Mỗi {noun} phải là một bảng [[{section}]].")
        return found

    def text(self, table: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(f"{where}{key}", "Thiếu giá trị (phải là một chuỗi chữ).")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}{key}", f"Phải là một chuỗi chữ không rỗng, đang là {value!r}.")
            return ""
        return value.strip()

    def number(self, value: Any, key: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(key, f"Phải là một số, đang là {value!r}.")
            return None
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.fail(key, f"Phải là một số, đang là {value!r}.")
            return None
        if not number.is_finite():
            self.fail(key, f"Phải là một số hữu hạn, đang là {value!r}.")
            return None
        return number

    # -- sections --------------------------------------------------------------------------

    def rules(self, raw: Mapping[str, Any]) -> Rules | None:
        version = raw.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            self.fail(
                "schema_version",
                f"Chương trình này đọc lược đồ phiên bản {SCHEMA_VERSION}, tệp ghi {version!r}.",
            )
        document = self.document(raw.get("document"))
        precision, ties = self.scoring(raw.get("scoring", {}))
        groups = self.groups(raw.get("groups"))
        codes = [g.code for g in groups]
        grades = self.grades(raw.get("grades"), groups)
        criteria = self.criteria(raw.get("criteria"), codes)
        self.check_totals(groups, criteria)
        if self.problems or document is None:
            return None
        return Rules(
            document=document,
            groups=tuple(groups),
            grades=tuple(grades),
            criteria=tuple(criteria),
            precision=precision,
            ties=ties,
        )

    def document(self, table: Any) -> DocumentSettings | None:
        if not isinstance(table, dict):
            self.fail("[document]", "Thiếu bảng [document] (tên tỉnh, cơ quan ban hành...).")
            return None
        where = "document."
        issuer = table.get("issuer")
        if (
            not isinstance(issuer, list)
            or not issuer
            or not all(isinstance(x, str) and x.strip() for x in issuer)
        ):
            self.fail(
                "document.issuer",
                "Phải là danh sách các dòng tên cơ quan, "
                'ví dụ ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"].',
            )
            issuer = []
        output_file = self.text(table, "output_file", where, required=False) or (
            "quyet-dinh-xep-hang-{nam}.docx"
        )
        self.check_output_file(output_file)
        return DocumentSettings(
            province=self.text(table, "province", where),
            place=self.text(table, "place", where),
            issuer=tuple(x.strip() for x in issuer),
            issuer_short=self.text(table, "issuer_short", where),
            authority=self.text(table, "authority", where),
            decision_symbol=self.text(table, "decision_symbol", where),
            output_file=output_file,
        )

    def check_output_file(self, pattern: str) -> None:
        key = "document.output_file"
        try:
            name = pattern.format(nam=2020)
        except (KeyError, IndexError, ValueError):
            self.fail(key, "Chỉ được dùng chỗ trống {nam} (năm đánh giá) trong tên tệp.")
            return
        if not name.lower().endswith(".docx"):
            self.fail(key, "Tên tệp quyết định phải có đuôi .docx.")
        if any(mark in name for mark in "/\\:") or name.startswith("."):
            self.fail(key, "Chỉ ghi tên tệp, không ghi thư mục (không có / \\ : hay dấu chấm đầu).")

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
                )
            )
        return groups

    def grades(self, items: Any, groups: list[Group]) -> list[Grade]:
        if not isinstance(items, list) or len(items) < 2:
            self.fail(
                "[[grades]]", "Phải có ít nhất hai mức xếp loại [[grades]], từ cao xuống thấp."
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
                bounds[group.code] = Bound(points=group.max_points * number / 100, inclusive=False)
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
        found = {(unit, Decimal(n.replace(",", "."))) for n, unit in _STATED.findall(text)}
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

    def criteria(self, items: Any, group_codes: list[str]) -> list[Criterion]:
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
                )
            )
        return criteria

    def check_totals(self, groups: list[Group], criteria: list[Criterion]) -> None:
        """A group's criteria must add up to its scale, or the grade bands mean nothing."""
        for i, group in enumerate(groups):
            total = sum(
                (
                    c.max_points[group.code]
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
