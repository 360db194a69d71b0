"""The rules file's say on last year: [prior] merge_rule, [[crosswalk]] and the footnote wording.

A profile keeps the successions that hold for every workbook it reads (a department merged by
decree), and names the rule a merged agency's prior rank follows; the footnotes that say so in
the decision are wording like any other, in [wording]. Every mistake is kept with its key.
"""

from __future__ import annotations

from typing import Any

from processor.core.model import PriorNotes
from processor.core.past import MergeRule, Succession, agency_key
from processor.core.wording import PLACEHOLDERS, WordingReader

MERGE_RULES = {rule.value: rule for rule in MergeRule}
# [wording] key -> PriorNotes field, and the placeholders that text may use besides the usual.
NOTE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "note_merged_item": ("merged_item", ("moi", "cu")),
    "note_renamed_item": ("renamed_item", ("moi", "cu")),
    "note_merged_none": ("merged_none", ("don_vi",)),
    "note_merged_best": ("merged_best", ("don_vi",)),
    "note_merged_mean": ("merged_mean", ("don_vi",)),
    "note_merged_typed": ("merged_typed", ("don_vi",)),
    "note_renamed": ("renamed", ("don_vi",)),
}
PRIOR_KEYS = ("merge_rule",)
CROSSWALK_KEYS = ("old", "new", "year")
# The years a succession may take effect: anything else is a typing slip.
FIRST_YEAR, LAST_YEAR = 1990, 2200


class PriorReader(WordingReader):
    """[prior], [[crosswalk]] and the note_* texts of [wording] (whose placeholders are checked
    as the wording reader checks the others)."""

    def merge_rule(self, table: Any) -> MergeRule:
        if table is None:
            return MergeRule.NONE
        if not isinstance(table, dict):
            self.fail("[prior]", 'Phải là một bảng (merge_rule = "none", "best" hoặc "mean").')
            return MergeRule.NONE
        table = self.known(table, "prior", "prior.")
        value = table.get("merge_rule", MergeRule.NONE.value)
        rule = MERGE_RULES.get(value.strip().lower()) if isinstance(value, str) else None
        if rule is None:
            self.fail(
                "prior.merge_rule",
                f'Phải là "none" (đơn vị hợp nhất không có thứ hạng năm trước), "best" (thứ hạng '
                f'cao nhất của các đơn vị được hợp nhất) hoặc "mean" (điểm trung bình của các đơn '
                f"vị được hợp nhất, xếp lại trong nhóm năm trước), đang là {value!r}.",
            )
            return MergeRule.NONE
        return rule

    def crosswalk(self, items: Any) -> tuple[Succession, ...]:
        """The profile's successions; an old name may not go two ways in one year."""
        if items is None:
            return ()
        if not isinstance(items, list):
            self.fail("[[crosswalk]]", "Phải là các bảng [[crosswalk]] (old, new, year).")
            return ()
        found: list[Succession] = []
        taken: dict[tuple[int, str], str] = {}  # (year, old name) -> where it was written
        for where, item in self.tables(items, "crosswalk", "sáp nhập, đổi tên"):
            old = self._old_names(item, where)
            new = self.text(item, "new", where)
            year = self._year(item.get("year"), f"{where}year")
            if not old or not new or year is None:
                continue
            if [agency_key(n) for n in old] == [agency_key(new)]:
                self.fail(f"{where}new", f"Tên mới «{new}» trùng tên cũ: không có gì thay đổi.")
                continue
            for name in old:
                first = taken.setdefault((year, agency_key(name)), where)
                if first != where:
                    self.fail(
                        f"{where}old",
                        f"«{name}» đã ghi ở {first.rstrip('.')}: trong một năm một đơn vị chỉ "
                        "đổi tên hoặc hợp nhất thành một đơn vị.",
                    )
            place = f"{self.label}: {where.rstrip('.')}"
            found.append(Succession(old, new, year, place))
        return tuple(found)

    def _old_names(self, item: dict[str, Any], where: str) -> tuple[str, ...]:
        value = item.get("old")
        if isinstance(value, str) and value.strip():
            return (" ".join(value.split()),)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) and v.strip() for v in value)
        ):
            names: dict[str, str] = {}
            for v in value:
                names.setdefault(agency_key(v), " ".join(v.split()))
            return tuple(names.values())
        self.fail(
            f"{where}old",
            "Phải là tên cũ (đổi tên) hoặc danh sách các tên cũ (hợp nhất), ví dụ old = "
            '["Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"].',
        )
        return ()

    def _year(self, value: Any, key: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                key, f"Phải là năm đánh giá đầu tiên mang tên mới, ví dụ 2025; đang là {value!r}."
            )
            return None
        if not FIRST_YEAR <= value <= LAST_YEAR:
            self.fail(key, f"Năm {value} không hợp lệ (từ {FIRST_YEAR} đến {LAST_YEAR}).")
            return None
        return value

    def prior_notes(self, table: Any) -> PriorNotes:
        """The footnote texts of [wording]; a key left out keeps the default (PriorNotes)."""
        default = PriorNotes()
        if not isinstance(table, dict):
            return default  # reported by the wording reader
        texts: dict[str, str] = {}
        for key, (name, extra) in NOTE_KEYS.items():
            if key not in table:
                continue
            text = self.text(table, key, "wording.")
            if text:
                self.check_placeholders(f"wording.{key}", text, (*PLACEHOLDERS, *extra))
                texts[name] = text
        return PriorNotes(**texts) if texts else default
