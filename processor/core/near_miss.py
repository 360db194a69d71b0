"""Unknown names in a hand-edited file: the name, the names allowed there, and a near miss.

The rules file and the deployment config both use these, so a misspelt key reads the same
wherever it is: `grades[2].above_percen: Khóa «above_percen» không có trong [[grades]]; có phải
«above_percent»? Các khóa dùng được: name, from_points, above_percent, text.`
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from processor.core.formatting import fold


def _folded(text: str) -> str:
    """Case and accents ignored, `-` and spaces read as `_`: how people mistype a key."""
    return fold(text).replace("-", "_").replace(" ", "_")


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` was most likely meant to be, or None when none is close."""
    folded = {_folded(choice): choice for choice in choices}
    typed = _folded(word)
    near = difflib.get_close_matches(typed, list(folded), n=1, cutoff=0.6)
    if near:
        return folded[near[0]]
    started = [name for name in folded if len(typed) >= 3 and name.startswith(typed)]
    return folded[started[0]] if len(started) == 1 else None  # "desc" for "description"


@dataclass(frozen=True, slots=True)
class UnknownKey:
    key: str
    guess: str | None  # the allowed key it is most likely meant to be
    elsewhere: str | None = None  # the one other section where this exact key belongs


def unknown_keys(
    table: Mapping[str, Any],
    allowed: Sequence[str],
    other_sections: Mapping[str, Iterable[str]] | None = None,
) -> list[UnknownKey]:
    """The keys of `table` not in `allowed`, each with its near miss (if any).

    A key that is no near miss here but belongs to exactly one other section was most likely
    written under the wrong heading; `elsewhere` names that section.
    """
    found = []
    for key in table:
        if key in allowed:
            continue
        guess = closest(key, allowed)
        homes = [name for name, keys in (other_sections or {}).items() if key in keys]
        elsewhere = homes[0] if guess is None and len(homes) == 1 else None
        found.append(UnknownKey(key, guess, elsewhere))
    return found


def corrected(table: Mapping[str, Any], unknown: Sequence[UnknownKey]) -> dict[str, Any]:
    """The table read as if each near miss were spelt right (when the right key is absent).

    A misspelt key is reported once, as a misspelling; reading its value under the name it was
    meant to have keeps it from also being reported as a missing key, a missing threshold and a
    sentence that no longer matches its numbers.
    """
    result = dict(table)
    for item in unknown:
        if item.guess is not None and item.guess not in result:
            result[item.guess] = result.pop(item.key)
    return result


def unknown_key_message(
    item: UnknownKey,
    section: str,
    allowed: Sequence[str],
    shown: Mapping[str, str] | None = None,
    opening: str | None = None,
) -> str:
    """The sentence for one unknown key; `section` as the file writes it (`[[grades]]`).

    `shown` gives how a key is written when it is not `key = …` (a table: `[document]`);
    `opening` replaces "Khóa «…» không có trong …" (for a whole table that is unknown).
    """
    names = shown or {}
    listed = ", ".join(names.get(key, key) for key in allowed) or "(không có)"
    if item.elsewhere is not None:
        return (
            f"Khóa «{item.key}» không thuộc {section} mà thuộc {item.elsewhere}: chuyển dòng này "
            f"xuống dưới tiêu đề {item.elsewhere} (trong tệp TOML, mọi dòng viết sau một tiêu "
            f"đề thuộc bảng đó cho đến tiêu đề kế tiếp). Các khóa của {section}: {listed}."
        )
    guess = "" if item.guess is None else f"; có phải «{names.get(item.guess, item.guess)}»?"
    end = "" if guess else "."
    opening = opening or f"Khóa «{item.key}» không có trong {section}"
    return f"{opening}{guess}{end} Các khóa dùng được: {listed}."
