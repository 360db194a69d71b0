"""Reading the values of a rules file: each mistake is kept with the key that holds it.

The rules parser and the wording parser share these, so every section of the file reports its
mistakes the same way, in Vietnamese, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from processor.core.problems import Problem


class FieldReader:
    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.label}: {key}", message))

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
