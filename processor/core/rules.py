"""The rules file (TOML): a province's groups, grade bands, criteria and wording, checked.

Rules are data: a province edits its TOML file, never this module. Every mistake in the
file is reported at once, in Vietnamese, with the key that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from processor.core.formatting import format_points, normalise
from processor.core.grade_rules import KINDS, GradeReader
from processor.core.model import (
    SCORE_COLUMNS,
    Criterion,
    Group,
    Pillar,
    RankBasis,
    Rules,
    TiePolicy,
)
from processor.core.prior_rules import CROSSWALK_KEYS, NOTE_KEYS, PRIOR_KEYS, PriorReader
from processor.core.problems import InputError
from processor.core.report_rules import REPORT_KEYS, ReportReader
from processor.core.rule_fields import TOP
from processor.core.wording import WORDING_KEYS

SCHEMA_VERSION = 1
TIE_NAMES = {
    "1224": TiePolicy.COMPETITION,
    "competition": TiePolicy.COMPETITION,
    "1223": TiePolicy.DENSE,
    "dense": TiePolicy.DENSE,
}
# Every key the file may have, section by section (README, "Tệp quy tắc"); any other key is
# reported with these listed and its near miss suggested.
SCHEMA: dict[str, tuple[str, ...]] = {
    TOP: (
        "schema_version",
        "profile",
        "document",
        "wording",
        "signature",
        "email",
        "scoring",
        "groups",
        "pillars",
        "grades",
        "criteria",
        "info_fields",
        "prior",
        "crosswalk",
        "report",
    ),
    "profile": ("description",),
    "document": (
        "province",
        "place",
        "issuer",
        "issuer_short",
        "authority",
        "decision_symbol",
        "output_file",
    ),
    "wording": (*WORDING_KEYS, *NOTE_KEYS),
    "signature": ("above",),
    "email": ("subject", "salutation"),
    "scoring": ("precision", "ties", "percent_precision", "not_scored", "rank_by"),
    "groups": ("code", "label", "title", "max_points", "scale_text"),
    "pillars": ("code", "name"),
    "grades": ("name", *KINDS, "text"),
    "criteria": ("code", "name", "max", "deduction", "pillar", "weight", "step"),
    "info_fields": ("key", "name", "blank"),
    "prior": PRIOR_KEYS,
    "crosswalk": CROSSWALK_KEYS,
    "report": REPORT_KEYS,
}


def parse_rules(raw: Mapping[str, Any], label: str = "quy tắc") -> Rules:
    """Turn the parsed TOML into Rules; pure, so it is tested without files."""
    parser = _Parser(label)
    rules = parser.rules(raw)
    if parser.problems or rules is None:
        raise InputError(f"Tệp quy tắc {label} có lỗi, cần sửa trước khi chạy.", parser.problems)
    return rules


class _Parser(PriorReader, GradeReader, ReportReader):
    schema = SCHEMA
    arrays = frozenset({"groups", "pillars", "grades", "criteria", "info_fields", "crosswalk"})

    def __init__(self, label: str):
        super().__init__(label)
        self.unscaled = set()

    # -- sections --------------------------------------------------------------------------

    def rules(self, raw: Mapping[str, Any]) -> Rules | None:
        raw = self.known(raw, TOP, "")
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
        if isinstance(scoring, dict):
            scoring = self.known(scoring, "scoring", "scoring.")
        precision, ties = self.scoring(scoring)
        extra = self.scoring_extra(scoring)
        groups = self.groups(raw.get("groups"))
        codes = [g.code for g in groups]
        grades = self.grades(raw.get("grades"), groups)
        pillars = self.pillars(raw.get("pillars"))
        criteria = self.criteria(raw.get("criteria"), codes, [p.code for p in pillars])
        self.check_totals(groups, criteria)
        merge_rule = self.merge_rule(raw.get("prior"))
        successions = self.crosswalk(raw.get("crosswalk"))
        prior_notes = self.prior_notes(raw.get("wording"))
        report = self.report(raw.get("report"))
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
            successions=successions,
            merge_rule=merge_rule,
            prior_notes=prior_notes,
            report=report,
        )

    def profile(self, table: Any) -> str:
        if table is None:
            return ""
        if not isinstance(table, dict):
            self.fail("[profile]", 'Phải là một bảng (description = "...").')
            return ""
        table = self.known(table, "profile", "profile.")
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
                max_points = None
            if max_points is None:
                self.unscaled.add(code)
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
                    self.fail(
                        key,
                        f"Không có nhóm mã {group_code!r} trong [[groups]]; các mã: "
                        f"{', '.join(group_codes)}.",
                    )
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
                    step=self.step(item, where, max_points),
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
            if group.code in self.unscaled:
                continue  # its max_points is reported already
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
