"""The Word template's text as a person sees it, and the tags in it, each with its place.

Word splits a paragraph into runs wherever the formatting or the editing history changes, so
`{{ nam }}` may be stored as `{`, `{ na`, `m }}`; docxtpl joins them before Jinja sees them,
and so do we: each paragraph's text is its runs' text joined. Every paragraph is a Block with a
place a secretary can find ("đoạn «Điều 1. {{ dieu_1 }}»", "bảng 3, hàng 5, ô 2 «{{ dv.ten }}»");
a Unit is one piece of the package Jinja renders on its own (the body, each header and footer,
each document property). `scan` finds the tags of a block and every brace that is not one.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from processor.core.problems import Problem
from processor.writing.template_problems import quoted

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _T, _TBL, _TR, _TC = (f"{W}p", f"{W}t", f"{W}tbl", f"{W}tr", f"{W}tc")

# The document properties docxtpl fills, with the names Word shows for them.
PROPERTIES = (
    ("author", "Tác giả"),
    ("comments", "Ghi chú"),
    ("identifier", "Mã định danh"),
    ("language", "Ngôn ngữ"),
    ("subject", "Chủ đề"),
    ("title", "Tiêu đề"),
)


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph (or one document property) of the template."""

    number: int  # its position in its unit
    text: str
    place: str
    unit: str
    table: int | None = None  # 1-based, in its unit
    row_id: int | None = None  # unique per table row of the unit
    cell_id: int | None = None  # unique per table cell of the unit
    parent_id: int = 0  # what holds the paragraph: the body, a cell, a text box
    is_paragraph: bool = True  # False for a document property
    first_end: int = 0  # where the text of its first w:t ends
    last_start: int = 0  # where the text of its last w:t starts


@dataclass(frozen=True, slots=True)
class Tag:
    """`{{ … }}`, `{% … %}` or `{# … #}` as written, with docxtpl's prefix taken apart."""

    source: str  # as written: "{%tr for dv in g.don_vi %}"
    kind: str  # "{{", "{%" or "{#"
    prefix: str  # "", "p", "tr", "tc" or "r"
    body: str  # without the braces, the prefix and the whitespace control: "for dv in g.don_vi"
    block: Block
    start: int  # where it starts in the block's text
    spacing: str = " "  # what follows the prefix (docxtpl wants one plain space)

    @property
    def keyword(self) -> str:
        """The statement of a `{% %}` tag: "for", "endfor", "colspan"; "" for the others."""
        if self.kind != "{%":
            return ""
        match = _KEYWORD.match(self.body)
        return match.group(0) if match else ""

    @property
    def rest(self) -> str:
        """What follows the keyword: "dv in g.don_vi"."""
        return self.body[len(self.keyword) :].strip()


@dataclass(slots=True)
class Unit:
    """A piece of the package Jinja renders on its own, its blocks in document order."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    row_texts: dict[int, str] = field(default_factory=dict)  # row_id -> the row's whole text
    cell_texts: dict[int, str] = field(default_factory=dict)
    row_places: dict[int, str] = field(default_factory=dict)  # row_id -> "bảng 3, hàng 5"


_KEYWORD = re.compile(r"[^\W\d]\w*")
_MARK = re.compile(r"\{_\{|\}_\}|\{_%|%_\}|\{\{|\{%|\{#|\}\}|%\}|#\}|\{|\}")
_ESCAPES = frozenset({"{_{", "}_}", "{_%", "%_}"})  # docxtpl's literal {{ }} {% %}
_CLOSER = {"{{": "}}", "{%": "%}", "{#": "#}"}
_PREFIX = re.compile(r"^([-+]?)(tr|tc|p|r)(\s)")
_COMMENT_PREFIX = re.compile(r"^(tr|tc|p)(\s)")
# `{ nam }}`: a single brace where two belong.
_HALF_OPEN = re.compile(r"\{(?![{%#])\s*([^{}%#]*?)\s*(\}\}|%\})")


def paragraph_text(paragraph: Any) -> tuple[str, int, int]:
    """The text of a paragraph's own runs (not of a text box inside it), joined; and where its
    first w:t ends and its last begins (docxtpl's `{%-` and `-%}` reach across those)."""
    parts: list[str] = []
    first_end, last_start, length = -1, 0, 0
    for text in paragraph.iter(_T):
        owner = text.getparent()
        while owner is not None and owner.tag != _P:
            owner = owner.getparent()
        if owner is not paragraph:
            continue
        piece = text.text or ""
        if first_end < 0:
            first_end = len(piece)
        last_start = length
        parts.append(piece)
        length += len(piece)
    return "".join(parts), max(first_end, 0), last_start


def read_unit(name: str, root: Any, label: str) -> Unit:
    """Every paragraph under `root` (a body, header or footer element), with its place.

    `label` opens each place outside the body ("đầu trang: "). One walk of the tree: tables,
    rows and cells are numbered as they come (table.rows, never Table.cell).
    """
    unit = Unit(name)
    tables: dict[Any, int] = {}
    rows: dict[Any, tuple[int, int, int]] = {}  # row -> (table, row number, row id)
    cells: dict[Any, tuple[int, int, int, int, int]] = {}
    openings: list[tuple[Block, str]] = []
    count_in: dict[Any, int] = {}
    for element in root.iter(_TBL, _TR, _TC, _P):
        tag = element.tag
        if tag == _TBL:
            tables[element] = len(tables) + 1
        elif tag == _TR:
            table = tables.get(element.getparent(), 0)
            number = count_in[element.getparent()] = count_in.get(element.getparent(), 0) + 1
            rows[element] = (table, number, len(rows) + 1)
        elif tag == _TC:
            table, row, row_id = rows.get(element.getparent(), (0, 0, 0))
            number = count_in[element.getparent()] = count_in.get(element.getparent(), 0) + 1
            cells[element] = (table, row, row_id, number, len(cells) + 1)
        else:
            text, first_end, last_start = paragraph_text(element)
            parent = element.getparent()
            while parent is not None and parent is not root and parent.tag != _TC:
                parent = parent.getparent()
            cell = cells.get(parent)
            if cell is None:
                block = Block(
                    len(unit.blocks),
                    text,
                    "",
                    name,
                    parent_id=id(parent),
                    first_end=first_end,
                    last_start=last_start,
                )
                openings.append((block, quoted(text, 60)))
            else:
                table, row, row_id, column, cell_id = cell
                where = f"{label}bảng {table}, hàng {row}, ô {column}"
                shown = f" «{quoted(text, 60)}»" if text.strip() else ""
                block = Block(
                    len(unit.blocks),
                    text,
                    where + shown,
                    name,
                    table=table,
                    row_id=row_id,
                    cell_id=cell_id,
                    parent_id=cell_id,
                    first_end=first_end,
                    last_start=last_start,
                )
                unit.row_texts[row_id] = unit.row_texts.get(row_id, "") + text
                unit.cell_texts[cell_id] = unit.cell_texts.get(cell_id, "") + text
                unit.row_places.setdefault(row_id, f"{label}bảng {table}, hàng {row}")
            unit.blocks.append(block)
    _name_paragraphs(unit, openings, label)
    return unit


def _name_paragraphs(unit: Unit, openings: list[tuple[Block, str]], label: str) -> None:
    """Places of the paragraphs outside tables: their opening words, and which one it is when
    several open alike (Ctrl+F in Word finds them in this order)."""
    totals = Counter(opening for _, opening in openings)
    seen: Counter[str] = Counter()
    for block, opening in openings:
        seen[opening] += 1
        if not opening:
            place = f"{label}đoạn trống thứ {seen[opening]}"
        elif totals[opening] > 1:
            place = f"{label}đoạn «{opening}» (thứ {seen[opening]} trong {totals[opening]} đoạn)"
        else:
            place = f"{label}đoạn «{opening}»"
        unit.blocks[block.number] = dataclasses.replace(block, place=place)


def property_unit(name: str, label: str, text: str) -> Unit:
    unit = Unit(name)
    unit.blocks.append(
        Block(0, text, f"thuộc tính «{label}» của tệp (File > Info)", name, is_paragraph=False)
    )
    return unit


def make_tag(source: str, kind: str, block: Block, start: int) -> Tag:
    inner = source[2:-2]
    if kind == "{#":
        match = _COMMENT_PREFIX.match(inner)
        prefix = match.group(1) if match else ""
        return Tag(source, kind, prefix, inner.strip(), block, start)
    # Jinja's whitespace control: a `-` or `+` right against the braces, `{%-`, `-%}`.
    if inner.endswith(("-", "+")):
        inner = inner[:-1]
    match = _PREFIX.match(inner)
    if match is None:
        prefix, spacing = "", " "
        body = inner[1:] if inner.startswith(("-", "+")) else inner
    else:
        prefix, spacing = match.group(2), match.group(3)
        body = inner[match.end() :]
    return Tag(source, kind, prefix, body.strip(), block, start, spacing)


def scan(block: Block) -> tuple[list[Tag], list[Problem], bool]:
    """The block's tags, a problem for every brace that opens or closes nothing, and whether it
    holds docxtpl's escapes ({_{ and the like)."""
    text = block.text
    tags: list[Tag] = []
    problems: list[Problem] = []
    escapes = False
    opened: tuple[str, int] | None = None
    skip_to = -1
    for match in _MARK.finditer(text):
        mark, at = match.group(0), match.start()
        if at < skip_to:
            continue
        if opened is None:
            if mark in _ESCAPES:
                escapes = True
            elif mark in _CLOSER:
                opened = (mark, at)
            elif mark == "{":
                half = _HALF_OPEN.match(text, at)
                if half:
                    problems.append(_half_open(block, half))
                    skip_to = half.end()
                else:
                    problems.append(_lone(block, text, at, "{"))
            else:
                problems.append(_stray(block, text, at, mark))
            continue
        kind, start = opened
        if mark == _CLOSER[kind]:
            tags.append(make_tag(text[start : match.end()], kind, block, start))
            opened = None
        elif kind == "{#":
            continue
        elif mark in ("{{", "{%"):
            problems.append(_unclosed(block, text[start:at], kind))
            opened = (mark, at)
        elif kind == "{{" and mark == "%}":
            problems.append(_mismatched(block, text[start : match.end()], kind, mark))
            opened = None
    if opened is not None:
        kind, start = opened
        problems.append(_unclosed(block, text[start:], kind))
    return tags, problems, escapes


def _problem(block: Block, message: str) -> Problem:
    return Problem(block.place, message)


def _unclosed(block: Block, piece: str, kind: str) -> Problem:
    closer = _CLOSER[kind]
    shown = quoted(piece.rstrip(), 60)
    if kind == "{{" and piece.rstrip().endswith("}"):
        fixed = piece.rstrip()[:-1].rstrip()
        return _problem(
            block,
            f"Thẻ «{shown}» thiếu một dấu «}}» ở cuối: viết «{quoted(fixed, 50)} }}}}».",
        )
    if kind == "{%" and "}}" in piece:
        shown = quoted(piece[: piece.index("}}") + 2], 60)
        return _problem(
            block, f"Thẻ «{shown}» mở bằng «{{%» nhưng đóng bằng «}}}}»: đóng bằng «%}}»."
        )
    if kind == "{%" and piece.rstrip().endswith("%"):
        return _problem(block, f"Thẻ «{shown}» thiếu dấu «}}» sau dấu «%» ở cuối.")
    return _problem(
        block,
        f"Thẻ «{shown}» mở bằng «{kind}» nhưng không có «{closer}» đóng lại trong cùng đoạn "
        "(một thẻ phải nằm trọn trong một đoạn).",
    )


def _mismatched(block: Block, piece: str, kind: str, mark: str) -> Problem:
    return _problem(
        block,
        f"Thẻ «{quoted(piece, 60)}» mở bằng «{kind}» nhưng đóng bằng «{mark}»: "
        f"hai dấu phải cùng loại, «{kind} … {_CLOSER[kind]}».",
    )


def _half_open(block: Block, half: re.Match[str]) -> Problem:
    inside, closer = half.group(1), half.group(2)
    opener = "{{" if closer == "}}" else "{%"
    return _problem(
        block,
        f"Thẻ «{quoted(half.group(0), 60)}» thiếu một dấu «{{» ở đầu: "
        f"viết «{opener} {quoted(inside, 50)} {closer}».",
    )


def _lone(block: Block, text: str, at: int, brace: str) -> Problem:
    around = quoted(text[max(0, at - 20) : at + 21], 60)
    return _problem(
        block,
        f"Có một dấu «{brace}» lẻ («{around}»): thẻ điền viết bằng hai dấu, «{{{{ … }}}}» hoặc "
        "«{% … %}»; nếu đây không phải thẻ thì xóa dấu này.",
    )


def _stray(block: Block, text: str, at: int, mark: str) -> Problem:
    if mark == "}":
        return _lone(block, text, at, "}")
    opener = {"}}": "{{", "%}": "{%", "#}": "{#"}.get(mark, "{")
    before = quoted(text[max(0, at - 30) : at + len(mark)], 60)
    return _problem(
        block,
        f"Dấu «{mark}» trong «{before}» không có dấu «{opener}» mở tương ứng: thẻ thiếu dấu mở "
        f"hoặc thừa dấu đóng.",
    )


def units_of(document: Any) -> Iterator[Unit]:
    """The body, headers, footers and filled properties of a python-docx Document, as Units.

    Headers and footers are found as docxtpl finds them: through the document part's
    relationships, so the unit's name is the part's name (`/word/header1.xml`).
    """
    yield read_unit("body", document.element.body, "")
    for relationship in list(document.part.rels.values()):
        kind = relationship.reltype.rsplit("/", 1)[-1]
        if kind not in ("header", "footer") or relationship.is_external:
            continue
        part = relationship.target_part
        element = getattr(part, "element", None)
        if element is None:
            continue
        label = "đầu trang" if kind == "header" else "chân trang"
        name = str(part.partname)
        yield read_unit(name, element, f"{label} ({name.rsplit('/', 1)[-1]}): ")
    properties = document.core_properties
    for name, label in PROPERTIES:
        text = getattr(properties, name) or ""
        if "{" in text or "}" in text:
            yield property_unit(f"property:{name}", label, text)
