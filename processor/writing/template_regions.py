"""Which paragraphs docxtpl joins into one, and where a filled table's fixed rows are.

Two parts of the template map (template_check.TemplateMap) that follow from docxtpl's rules
rather than Jinja's: its `{%-` joins a paragraph to the one before when it stands in the
paragraph's first w:t, its `-%}` to the one after when it stands in the last; and a row loop
(`{%tr for %}`) repeats rows, so in the filled table only the rows before the first loop and
after the last come from fixed rows of the template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from processor.core.problems import Problem
from processor.writing.template_text import Block, Tag, Unit

if TYPE_CHECKING:
    from processor.writing.template_check import TemplateMap


def joins_previous(block: Block, tags: list[Tag]) -> bool:
    """docxtpl's `{%-` in the paragraph's first w:t: the paragraph is joined to the one before."""
    return any(
        t.kind == "{%" and t.source.startswith("{%-") and t.start < block.first_end for t in tags
    )


def joins_next(block: Block, tags: list[Tag]) -> bool:
    """docxtpl's `-%}` in the paragraph's last w:t with no tag after it: joined to the next."""
    for tag in tags:
        end = tag.start + len(tag.source)
        if tag.kind == "{%" and tag.source.endswith("-%}") and tag.prefix != "r":
            after = block.text[end:]
            if end > block.last_start and "{%" not in after and "{{" not in after:
                return True
    return False


def joined_paragraphs(
    found: TemplateMap, unit: Unit, by_block: dict[int, list[Tag]]
) -> dict[int, int]:
    """Which paragraphs docxtpl joins into one (block -> the first of its group), and a problem
    for each join that breaks a table or loses text."""
    groups: dict[int, int] = {}
    blocks = unit.blocks
    for block in blocks:
        own = by_block.get(block.number, [])
        before = blocks[block.number - 1] if block.number > 0 else None
        ahead = joins_previous(block, own) and before is not None
        behind = before is not None and joins_next(before, by_block.get(before.number, []))
        groups[block.number] = (
            groups[before.number] if (ahead or behind) and before else block.number
        )
        if not (ahead or behind) or before is None:
            continue
        found.joined.add((unit.name, block.number))
        first, second = (before, block)
        sign = "«{%-» ở đầu đoạn này" if ahead else "«-%}» ở cuối đoạn trước"
        if first.parent_id != second.parent_id:
            found.problems.append(
                Problem(
                    block.place,
                    f"Dấu {sign} làm docxtpl nối hai đoạn ({first.place} và {second.place}) nằm "
                    "ở hai ô hay hai vùng khác nhau, nên bảng sẽ hỏng: bỏ dấu «-» trong thẻ.",
                )
            )
        elif any(
            t.prefix == "p" for t in by_block.get(first.number, []) + by_block.get(block.number, [])
        ):
            found.problems.append(
                Problem(
                    block.place,
                    f"Dấu {sign} làm docxtpl nối đoạn này với đoạn của một thẻ «{{%p … %}}» "
                    f"({first.place}), rồi xóa cả đoạn đã nối: chữ và thẻ của đoạn này sẽ mất. "
                    "Bỏ dấu «-» trong thẻ.",
                )
            )
    return groups


def table_edges(found: TemplateMap, unit: Unit, looped: set[int | None]) -> None:
    rows: dict[int | None, list[int]] = {}
    for block in unit.blocks:
        if block.row_id is None:
            continue
        order = rows.setdefault(block.table, [])
        if not order or order[-1] != block.row_id:
            order.append(block.row_id)
    middle: set[int] = set()
    for order in rows.values():
        marks = [row in looped for row in order]
        head = marks.index(True) if True in marks else len(marks)
        tail = marks[::-1].index(True) if True in marks else 0
        found.table_head = max(found.table_head, head)
        found.table_tail = max(found.table_tail, tail)
        middle.update(order[head : len(order) - tail])
    # A fixed row between two row loops is not looked for in the filled table (only its
    # first and last rows are read): it is not checked.
    found.fixed = [(block, tags) for block, tags in found.fixed if block.row_id not in middle]
