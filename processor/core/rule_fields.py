"""Reading the values of a rules file: each mistake is kept with the key that holds it.

The rules parser and the wording parser share these, so every section of the file reports its
mistakes the same way, in Vietnamese, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from processor.core.formatting import parse_vietnamese_number
from processor.core.near_miss import corrected, unknown_key_message, unknown_keys
from processor.core.problems import Problem

TOP = ""  # the section name of the keys written before the first heading


class FieldReader:
    # The keys each section may have (set by the parser that knows the whole file), and the
    # sections that are arrays of tables.
    schema: ClassVar[Mapping[str, Sequence[str]]] = {}
    arrays: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}: {key}", message))

    def heading(self, section: str) -> str:
        """How the file writes a section: `[document]`, `[[grades]]`, or the top of the file."""
        if section == TOP:
            return "phần đầu tệp (trước tiêu đề [ ] đầu tiên)"
        return f"[[{section}]]" if section in self.arrays else f"[{section}]"

    def known(self, table: Mapping[str, Any], section: str, where: str) -> dict[str, Any]:
        """The table with every unknown key reported, and a near miss read as meant.

        `grades[2].above_percen` is one problem (naming the key, the keys allowed and «có
        phải above_percent?»), and the value is then read as above_percent, so the band does
        not also lack a threshold and its sentence does not also stop matching.
        """
        allowed = self.schema.get(section, ())
        if not allowed:
            return dict(table)
        others = {
            self.heading(name): keys
            for name, keys in self.schema.items()
            if name not in (section, TOP)
        }
        shown = {}
        if section == TOP:  # the top level's keys are mostly the sections' names
            shown = {name: self.heading(name) for name in allowed if name in self.schema}
        unknown = unknown_keys(table, allowed, others)
        for item in unknown:
            opening = None
            value = table[item.key]
            if section == TOP and isinstance(value, dict | list) and value:
                written = f"[{item.key}]" if isinstance(value, dict) else f"[[{item.key}]]"
                opening = f"Tệp quy tắc không có bảng {written}"
            message = unknown_key_message(item, self.heading(section), allowed, shown, opening)
            self.fail(f"{where}{item.key}", message)
        return corrected(table, unknown)

    def tables(self, items: list[Any], section: str, noun: str) -> list[tuple[str, dict[str, Any]]]:
        """The [[section]] tables, each with its key prefix and its keys checked."""
        found: list[tuple[str, dict[str, Any]]] = []
        for i, item in enumerate(items, start=1):
            where = f"{section}[{i}]."
            if isinstance(item, dict):
                found.append((where, self.known(item, section, where)))
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

    def optional_text(self, table: Mapping[str, Any], key: str, where: str, default: str) -> str:
        """A text that may be left out (the default) or set to "" (printed as nothing)."""
        value = table.get(key, default)
        if not isinstance(value, str):
            self.fail(f"{where}{key}", f"Phải là một chuỗi chữ, đang là {value!r}.")
            return default
        return value.strip()

    def lines(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> tuple[str, ...]:
        """A list of non-empty texts."""
        value = table.get(key)
        if value is None and not required:
            return ()
        if (
            not isinstance(value, list)
            or (required and not value)
            or not all(isinstance(x, str) and x.strip() for x in value)
        ):
            self.fail(
                f"{where}{key}",
                'Phải là danh sách các dòng chữ, ví dụ ["dòng thứ nhất", "dòng thứ hai"].',
            )
            return ()
        return tuple(x.strip() for x in value)

    def number(self, value: Any, key: str) -> Decimal | None:
        """A number; one written as text is read the Vietnamese way ("1.000", "62,5")."""
        if value is None:
            self.fail(key, "Thiếu giá trị (phải là một số).")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(key, f"Phải là một số, đang là {value!r}.")
            return None
        try:
            if isinstance(value, str):
                number = parse_vietnamese_number(value.strip())
            else:
                number = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"Phải là một số, đang là {value!r}.")
            return None
        if not number.is_finite():
            self.fail(key, f"Phải là một số hữu hạn, đang là {value!r}.")
            return None
        return number
