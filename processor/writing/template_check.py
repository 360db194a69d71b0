"""Before filling: the template's tags are whole, known, paired and where docxtpl needs them.

Jinja reads the template as one long text of XML, so a slip that Word shows as one wrong
character (`{{ nam }`, `{% endfor %}` typed where a table row needs `{%tr endfor %}`) can make
Jinja swallow pages, or docxtpl's repair of the broken XML drop rows, without any error. So,
on the text a person sees (template_text.py), before anything is filled:

- every `{{`/`}}`, `{%`/`%}`, `{#`/`#}` closes within its paragraph, and no brace is left alone;
- every `{% %}` statement is one Jinja or docxtpl knows (with a "có phải …?" for a near miss);
- `{%p %}` stands alone in its paragraph, `{%tr %}` alone in a table row, `{%tc %}` alone in a
  cell, `{% colspan %}` and the like are in a cell;
- every loop and condition is closed, by a tag of the same kind in the same place: `{%p %}`
  tags in the same run of paragraphs (the body or one cell), `{%tr %}` in the same table,
  `{%tc %}` in the same row, plain `{% %}` and `{%r %}` in the same paragraph.

template_names.py then checks every variable against the documented context. The map built
here (which paragraphs docxtpl removes, which are always printed) serves the check after
filling (decision_check.py) and the translation of Jinja's own errors (jinja_errors.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from processor.core.problems import Problem
from processor.writing.template_problems import suggestion
from processor.writing.template_regions import joined_paragraphs, table_edges
from processor.writing.template_text import Block, Tag, Unit, scan, units_of

OPENERS = {
    "for": "endfor",
    "if": "endif",
    "with": "endwith",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "block": "endblock",
    "autoescape": "endautoescape",
    "raw": "endraw",
    "set": "endset",  # only `{% set x %}…{% endset %}`; `{% set x = … %}` stands alone
}
ENDS = {end: start for start, end in OPENERS.items()}
MIDDLES = {"else": ("for", "if"), "elif": ("if",)}
CELL_TAGS = frozenset({"colspan", "cellbg", "vm", "hm"})  # docxtpl's, inside a table cell
NEEDS_FILES = frozenset({"include", "import", "from", "extends"})  # other template files
KNOWN = frozenset({*OPENERS, *ENDS, *MIDDLES, "print", *CELL_TAGS, *NEEDS_FILES})
ROW_PREFIXES = frozenset({"p", "tr", "tc"})  # tags that take their paragraph, row or cell

_WHAT = {"for": "vòng lặp", "if": "điều kiện"}


@dataclass(slots=True)
class TemplateMap:
    """The template's tags, unit by unit, and what docxtpl will do with each paragraph."""

    units: list[Unit]
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    removed: set[tuple[str, int]] = field(default_factory=set)  # (unit, block) docxtpl drops
    joined: set[tuple[str, int]] = field(default_factory=set)  # joined to the one before
    fixed: list[tuple[Block, list[Tag]]] = field(default_factory=list)  # always printed
    escapes: bool = False  # docxtpl's {_{ … }_}: the decision may show braces on purpose
    # The most rows any table of the body has before its first looped or conditional row, and
    # after its last: where the fixed text of a filled table can be (decision_check.py).
    table_head: int = 0
    table_tail: int = 0
    # Whether a table cell of the body has only paragraphs of `{%p %}` tags or inside their
    # loops and conditions: filled, it may be left without a paragraph, which Word refuses.
    bare_cells: bool = False
    problems: list[Problem] = field(default_factory=list)

    def unit(self, name: str) -> Unit | None:
        return next((unit for unit in self.units if unit.name == name), None)

    def in_order(self, problems: list[Problem]) -> list[Problem]:
        """`problems` in the order of the places they name in the document (stable)."""
        order: dict[str, int] = {}
        for unit in self.units:
            for block in unit.blocks:
                order.setdefault(block.place, len(order))
                if block.row_id is not None:  # a row's place sorts with its first cell
                    order.setdefault(unit.row_places[block.row_id], order[block.place])
        return sorted(problems, key=lambda problem: order.get(problem.place, len(order)))


def is_opener(tag: Tag) -> bool:
    keyword = tag.keyword
    return keyword in OPENERS and not (keyword == "set" and "=" in tag.rest)


def spelled(prefix: str, body: str) -> str:
    """A tag as it should be typed: `{%tr endfor %}`, `{% endfor %}`."""
    return "{%" + (prefix if prefix else "") + " " + body + " %}"


def read_template(document: Any) -> TemplateMap:
    """Scan every unit of a python-docx Document and check the tags' structure."""
    found = TemplateMap(list(units_of(document)))
    for unit in found.units:
        tags: list[Tag] = []
        for block in unit.blocks:
            block_tags, problems, escapes = scan(block)
            tags += block_tags
            found.problems += problems
            found.escapes = found.escapes or escapes
        found.tags[unit.name] = tags
        found.problems += [p for tag in tags if (p := _misplaced(tag, unit)) is not None]
        _pair(found, unit, tags)
    return found


def _misplaced(tag: Tag, unit: Unit) -> Problem | None:
    """A tag docxtpl cannot handle where it is, or a statement nobody knows."""
    block = tag.block
    shown = f"«{tag.source}»"
    if tag.prefix and not block.is_paragraph:
        return Problem(
            block.place,
            f"Thẻ {shown}: trong thuộc tính của tệp chỉ dùng thẻ thường, không có "
            f"«{tag.prefix}» sau «{tag.kind}».",
        )
    if tag.prefix and tag.spacing != " ":
        return Problem(
            block.place,
            f"Thẻ {shown}: sau «{tag.kind}{tag.prefix}» phải là một dấu cách thường (đang là "
            "dấu cách không ngắt hay dấu tab): gõ lại dấu cách đó.",
        )
    if tag.prefix in ROW_PREFIXES and any(mark in tag.body for mark in "%}"):
        return Problem(
            block.place,
            f"Thẻ {shown}: thẻ «{tag.kind}{tag.prefix} …» không được chứa dấu «%» hay «}}».",
        )
    placement = _placement(tag, unit)
    if placement is not None:
        return Problem(block.place, placement)
    if tag.kind != "{%":
        return None
    keyword = tag.keyword
    if not keyword:
        return Problem(block.place, f"Thẻ {shown} không có lệnh nào (for, if, endfor, …).")
    if keyword in NEEDS_FILES:
        return Problem(
            block.place,
            f"Thẻ {shown} nạp một tệp mẫu khác; mẫu Word không dùng được «{keyword}».",
        )
    if keyword in CELL_TAGS and (tag.prefix or block.cell_id is None):
        return Problem(
            block.place,
            f"Thẻ {shown} chỉ dùng trong một ô bảng, viết «{{% {keyword} … %}}».",
        )
    if keyword not in KNOWN:
        return Problem(
            block.place,
            f"Thẻ {shown} dùng lệnh «{keyword}», không có lệnh này.{suggestion(keyword, KNOWN)}",
        )
    if (keyword in ENDS or keyword in ("else", "vm", "hm")) and tag.rest:
        return Problem(
            block.place,
            f"Thẻ {shown} thừa chữ «{tag.rest}» sau «{keyword}»: viết "
            f"«{spelled(tag.prefix, keyword)}».",
        )
    return None


def _placement(tag: Tag, unit: Unit) -> str | None:
    """Why a `{%p %}`, `{%tr %}` or `{%tc %}` tag cannot be where it is (None: it can)."""
    block, shown = tag.block, f"«{tag.source}»"
    if tag.prefix == "p" and block.text.strip() != tag.source:
        return (
            f"Thẻ {shown} phải nằm riêng một đoạn: docxtpl thay cả đoạn bằng thẻ, nên các chữ "
            "khác trong đoạn sẽ mất. Tách thẻ ra một đoạn riêng (Enter trước và sau thẻ)."
        )
    if tag.prefix == "tr":
        if block.row_id is None:
            return f"Thẻ {shown} chỉ dùng trong một hàng bảng (ngoài bảng thì dùng «{{%p … %}}»)."
        if unit.row_texts.get(block.row_id, "").strip() != tag.source:
            return (
                f"Thẻ {shown} phải nằm riêng một hàng bảng: docxtpl thay cả hàng bằng thẻ, nên "
                "các chữ và thẻ khác trong hàng sẽ mất. Thêm một hàng chỉ chứa thẻ này."
            )
    if tag.prefix == "tc":
        if block.cell_id is None:
            return f"Thẻ {shown} chỉ dùng trong một ô bảng."
        if unit.cell_texts.get(block.cell_id, "").strip() != tag.source:
            return (
                f"Thẻ {shown} phải nằm riêng một ô: docxtpl thay cả ô bằng thẻ, nên các chữ "
                "khác trong ô sẽ mất."
            )
    return None


def _container(tag: Tag, groups: dict[int, int]) -> tuple[str, int | None]:
    """Where the tags of one loop or condition must all be: plain and `{%r %}` tags in one
    paragraph (or in paragraphs docxtpl's `{%-`/`-%}` join into one)."""
    block = tag.block
    if tag.prefix == "p":
        return ("p", block.parent_id)
    if tag.prefix == "tr":
        return ("tr", block.table)
    if tag.prefix == "tc":
        return ("tc", block.row_id)
    return ("", groups.get(block.number, block.number))


_SAME_PLACE = {
    "p": "trong cùng một vùng (cùng phần thân văn bản, hoặc cùng một ô bảng)",
    "tr": "trong cùng một bảng",
    "tc": "trong cùng một hàng bảng",
    "": "trong cùng một đoạn",
}


def _joined(opener: Tag, later: Tag, role: str, groups: dict[int, int]) -> Problem | None:
    """The problem when `later` (an end or else) cannot close or continue `opener`."""
    what = _WHAT.get(opener.keyword, f"khối «{opener.keyword}»")
    if later.prefix != opener.prefix:
        expected = spelled(opener.prefix, later.body)
        kinds = {
            "tr": " Vòng lặp, điều kiện theo hàng bảng dùng «{%tr … %}» ở mọi thẻ, mỗi thẻ "
            "một hàng riêng.",
            "p": " Vòng lặp, điều kiện theo đoạn dùng «{%p … %}» ở mọi thẻ, mỗi thẻ một đoạn "
            "riêng.",
            "tc": " Vòng lặp, điều kiện theo cột dùng «{%tc … %}» ở mọi thẻ, mỗi thẻ một ô.",
        }
        return Problem(
            later.block.place,
            f"Thẻ «{later.source}» {role} {what} «{opener.source}» ({opener.block.place}) nên "
            f"phải cùng loại với thẻ mở: viết «{expected}».{kinds.get(opener.prefix, '')}",
        )
    if _container(later, groups) != _container(opener, groups):
        advice = (
            " Vòng lặp, điều kiện trải qua nhiều đoạn thì dùng «{%p … %}», qua nhiều hàng bảng "
            "thì «{%tr … %}», mỗi thẻ nằm riêng."
            if opener.prefix in ("", "r")
            else ""
        )
        return Problem(
            later.block.place,
            f"Thẻ «{later.source}» {role} {what} «{opener.source}» ({opener.block.place}) "
            f"nhưng hai thẻ phải nằm {_SAME_PLACE[opener.prefix]}.{advice}",
        )
    return None


def _pair(found: TemplateMap, unit: Unit, tags: list[Tag]) -> None:
    """Pair every opener with its end (a stack, as Jinja does), and map the paragraphs."""
    stack: list[Tag] = []
    problems = found.problems
    by_block: dict[int, list[Tag]] = {}
    for tag in tags:
        by_block.setdefault(tag.block.number, []).append(tag)
    groups = joined_paragraphs(found, unit, by_block)
    sizes = Counter(groups.values())
    rows_gone = {t.block.row_id for t in tags if t.prefix == "tr"}
    cells_gone = {t.block.cell_id for t in tags if t.prefix == "tc"}
    looped: set[int | None] = set()
    sure: dict[int, bool] = {}  # cell -> whether a paragraph of it is always printed
    raw = False
    for block in unit.blocks:
        open_rows = sum(1 for t in stack if t.prefix in ROW_PREFIXES)
        if block.cell_id is not None:
            inside = any(t.prefix == "p" and t.block.parent_id == block.parent_id for t in stack)
            kept = not inside and not any(t.prefix == "p" for t in by_block.get(block.number, []))
            sure[block.cell_id] = sure.get(block.cell_id, False) or kept
        own = by_block.get(block.number, [])
        gone = (
            any(t.prefix == "p" for t in own)
            or (block.row_id is not None and block.row_id in rows_gone)
            or (block.cell_id is not None and block.cell_id in cells_gone)
        )
        if block.row_id in rows_gone or any(t.prefix == "tr" for t in stack):
            looped.add(block.row_id)  # a row docxtpl removes, or one of a row loop's rows
        if gone:
            found.removed.add((unit.name, block.number))
        elif (
            open_rows == 0
            and block.text.strip()
            and unit.name == "body"
            and sizes[groups[block.number]] == 1
        ):
            found.fixed.append((block, own))
        for tag in own:
            if tag.kind != "{%":
                continue
            keyword = tag.keyword
            if raw and keyword != "endraw":
                continue
            if is_opener(tag):
                shadowed = _shadowed(stack, tag)
                if shadowed is not None:
                    problems.append(_unclosed_before(shadowed, tag))
                    stack.remove(shadowed)
                stack.append(tag)
                raw = keyword == "raw"
            elif keyword in MIDDLES:
                if stack and stack[-1].keyword in MIDDLES[keyword]:
                    problem = _joined(stack[-1], tag, "thuộc", groups)
                    if problem is not None:
                        problems.append(problem)
                else:
                    problems.append(_stray_end(tag, "/".join(MIDDLES[keyword])))
            elif keyword in ENDS:
                raw = False
                start = ENDS[keyword]
                if not any(t.keyword == start for t in stack):
                    problems.append(_stray_end(tag, start))
                    continue
                while stack[-1].keyword != start:
                    problems.append(_unclosed(stack.pop()))
                problem = _joined(stack.pop(), tag, "đóng", groups)
                if problem is not None:
                    problems.append(problem)
    problems.extend(_unclosed(tag) for tag in reversed(stack))
    if unit.name == "body":
        table_edges(found, unit, looped)
        found.bare_cells = not all(sure.values())


def loop_names(tag: Tag) -> list[str]:
    """The variables a `{% for %}` binds: `dv` of `for dv in g.don_vi`."""
    head = tag.rest.split(" in ", 1)[0]
    return [n for n in head.replace("(", " ").replace(")", " ").replace(",", " ").split()]


def _shadowed(stack: list[Tag], tag: Tag) -> Tag | None:
    """An open loop of the same kind and variable as the loop `tag` opens: its end is missing.

    Jinja would take `{%tr for dv in g.khong_xep_hang %}` inside an unclosed
    `{%tr for dv in g.don_vi %}` as a nested loop and pair the ends wrongly; nobody writes a
    loop over `dv` inside a loop over `dv`, so the first one lost its end.
    """
    if tag.keyword != "for":
        return None
    names = set(loop_names(tag))
    for opener in reversed(stack):
        if (
            opener.keyword == "for"
            and opener.prefix == tag.prefix
            and names & set(loop_names(opener))
        ):
            return opener
    return None


def _unclosed_before(opener: Tag, later: Tag) -> Problem:
    end = spelled(opener.prefix, "endfor")
    return Problem(
        opener.block.place,
        f"Vòng lặp «{opener.source}» không có thẻ đóng «{end}»: thẻ đóng của nó phải ở trước "
        f"«{later.source}» ({later.block.place}), vòng lặp sau dùng lại biến của nó (thẻ đóng "
        "bị xóa, viết sai, hoặc không cùng loại với thẻ mở?).",
    )


def _unclosed(opener: Tag) -> Problem:
    what = _WHAT.get(opener.keyword, f"khối «{opener.keyword}»")
    end = spelled(opener.prefix, OPENERS[opener.keyword])
    return Problem(
        opener.block.place,
        f"Thẻ «{opener.source}» mở một {what} nhưng sau nó không có thẻ đóng «{end}» tương "
        "ứng (thẻ đóng bị xóa, viết sai, hoặc không cùng loại với thẻ mở).",
    )


def _stray_end(tag: Tag, start: str) -> Problem:
    what = _WHAT.get(start, f"khối «{start}»")
    opener = spelled(tag.prefix, f"{start} …")
    return Problem(
        tag.block.place,
        f"Thẻ «{tag.source}» đóng hay tiếp một {what} nhưng trước nó không có thẻ mở «{opener}» "
        "tương ứng (thẻ mở bị xóa, viết sai, hoặc không cùng loại với thẻ này).",
    )
