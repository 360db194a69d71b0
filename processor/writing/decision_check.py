"""After filling: the decision holds what it must, or it is not written.

The check before filling catches the slips it knows; this one looks at the result, whatever
went wrong: Jinja swallowing pages after a broken tag, docxtpl's repair of broken XML dropping
rows, a brace printed as text. On the filled document, in one walk of its paragraphs and one
of its tables' rows (table.rows, never Table.cell):

- no template markup is left: no `{{`, `}}`, `{%`, `%}` and no brace at all, unless the data
  itself holds one;
- every paragraph the template always prints (outside its loops and conditions: the articles
  "Điều 1.", "Điều 2.", "Điều 3.", the signature block, the headings) is there, in order, with
  its simple `{{ … }}` filled in;
- every table that lists the ranked agencies lists each of them once, group after group, in
  rank order; and there is such a table;
- every table cell still has a paragraph (Word calls a file without one damaged).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from processor.core.problems import Problem
from processor.writing.template_check import TemplateMap
from processor.writing.template_problems import quoted
from processor.writing.template_text import PROPERTIES, Tag, W

_P, _T = f"{W}p", f"{W}t"
_TBL, _TR, _TC = (f"{W}tbl", f"{W}tr", f"{W}tc")
_SIMPLE = re.compile(r"^([^\W\d]\w*)((?:\.[^\W\d]\w*|\[\d+\])*)$")
_STEP = re.compile(r"\.([^\W\d]\w*)|\[(\d+)\]")
_MARKUP = re.compile(r"\{+\s*[^\s{}]*\s*\}*|\{*\s*[^\s{}]*\s*\}+")
_LIMIT = 10  # names listed in a message


def _normal(text: str) -> str:
    return " ".join(text.split())


def _bare(text: str) -> str:
    """Text without whitespace: how the filled text is compared with what it must hold. A
    line break in a name ("Dòng một⏎Dòng hai") is a w:br between two w:t in the decision,
    nothing in its runs' text; LibreOffice drops a run's leading space that Word keeps."""
    return "".join(text.split())


def _text(element: Any) -> str:
    """The text of the w:t under `element`, joined (lxml walks them in C)."""
    return "".join(element.itertext(_T, with_tail=False))


# A table cell without a paragraph, looked for in libxml2 (one call, not one a cell).
_EMPTY_CELL = etree.XPath("boolean(.//w:tc[not(w:p)])", namespaces={"w": W[1:-1]})


def check_decision(
    document: Any, found: TemplateMap, context: Mapping[str, Any], xml: str | None = None
) -> list[Problem]:
    """Every way the filled `document` falls short of the decision `context` describes.

    `xml`, the filled body as docxtpl made it, spares the walk of every paragraph when it
    holds no brace at all (nearly always): one search of the string instead.
    """
    body = document.docx.element.body
    problems: list[Problem] = []
    if xml is None or "{" in xml or "}" in xml:
        problems += _markup_left(found, context, "", (_text(p) for p in body.iter(_P)))
    for part in _headers_and_footers(document):
        problems += _markup_left(
            found, context, f"{part[0]}: ", (_text(p) for p in part[1].iter(_P))
        )
    properties = document.docx.core_properties
    for name, label in PROPERTIES:
        value = getattr(properties, name) or ""
        problems += _markup_left(found, context, f"thuộc tính «{label}» của tệp: ", [value])
    problems += _fixed_text(found, context, list(_fixed_places(body, found)))
    if found.bare_cells and _EMPTY_CELL(body):
        problems += _empty_cells(body)
    problems += _tables(body, context, xml)
    return problems


def _headers_and_footers(document: Any) -> Iterator[tuple[str, Any]]:
    for relationship in list(document.docx.part.rels.values()):
        kind = relationship.reltype.rsplit("/", 1)[-1]
        if kind in ("header", "footer") and not relationship.is_external:
            element = getattr(relationship.target_part, "element", None)
            if element is not None:
                yield ("đầu trang" if kind == "header" else "chân trang"), element


# -- markup left in the text ----------------------------------------------------------------


def _braced_values(value: Any) -> Iterator[str]:
    """The context's strings that hold a brace: printed as data, they are no leftover."""
    if isinstance(value, str):
        if "{" in value or "}" in value:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _braced_values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _braced_values(item)


def _markup_left(
    found: TemplateMap, context: Mapping[str, Any], where: str, texts: Any
) -> Iterator[Problem]:
    data: list[str] | None = None
    for text in texts:
        if "{" not in text and "}" not in text:
            continue
        if data is None:  # only when a brace is there: the walk is as long as the context
            data = sorted(_braced_values(dict(context)), key=len, reverse=True)
        rest = text
        for value in data:
            rest = rest.replace(value, " ")
        if found.escapes:
            for mark in ("{{", "}}", "{%", "%}"):
                rest = rest.replace(mark, " ")
        match = _MARKUP.search(rest)
        if match is None or not match.group(0).strip():
            continue
        piece = match.group(0).strip()
        origin = _template_place(found, piece)
        yield Problem(
            origin or f"{where}đoạn «{quoted(text, 60)}» của quyết định",
            f"Quyết định vừa điền còn dấu ngoặc nhọn của thẻ «{piece}» in ra như chữ: thẻ này "
            "trong mẫu viết sai (thiếu hay thừa một dấu «{» hoặc «}»). Thẻ điền viết "
            "«{{ ten_bien }}», thẻ lệnh viết «{% … %}».",
        )


_WHOLE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _template_place(found: TemplateMap, piece: str) -> str | None:
    """The template's paragraph with `piece` in its text outside its whole tags, if one has."""
    for unit in found.units:
        for block in unit.blocks:
            if piece in block.text and piece in _WHOLE_TAG.sub(" ", block.text):
                return block.place
    return None


# -- the fixed text of the template ---------------------------------------------------------


def _value(context: Mapping[str, Any], body: str) -> str | None:
    """The string a simple `{{ name.key[0] }}` prints, or None for anything else."""
    match = _SIMPLE.match(body.strip())
    if match is None or match.group(1) not in context:
        return None
    value: Any = context[match.group(1)]
    for key, index in _STEP.findall(match.group(2)):
        try:
            value = value[key] if key else value[int(index)]
        except (KeyError, IndexError, TypeError):
            return None
    return value if isinstance(value, str) else None


def _expected(text: str, tags: list[Tag], context: Mapping[str, Any]) -> tuple[str, bool]:
    """What the filled paragraph reads (exact), or the words it starts with (not exact)."""
    pieces, at = [], 0
    for tag in tags:
        value = _value(context, tag.body) if tag.kind == "{{" and not tag.prefix else None
        if value is None:
            return _normal(text[: tags[0].start]), False
        pieces += [text[at : tag.start], value]
        at = tag.start + len(tag.source)
    pieces.append(text[at:])
    return _normal("".join(pieces)), True


def _fixed_places(body: Any, found: TemplateMap) -> Iterator[str]:
    """The texts of the filled paragraphs that can hold fixed text of the template: all but
    the rows of a table between its first `table_head` rows and its last `table_tail` rows,
    which come from the template's loops (thousands of agencies, nothing fixed)."""
    head, tail = found.table_head, found.table_tail
    for child in body.iterchildren():
        if child.tag != _TBL:
            yield from (_text(p) for p in child.iter(_P))
            continue
        rows = child.findall(_TR)
        kept = rows if len(rows) <= head + tail else rows[:head] + rows[len(rows) - tail :]
        for row in kept:
            yield from (_text(p) for p in row.iter(_P))


def _fixed_text(
    found: TemplateMap, context: Mapping[str, Any], texts: list[str]
) -> Iterator[Problem]:
    """A problem for each paragraph the template always prints that is not among the filled
    paragraphs' `texts` after the one before it (compared without whitespace)."""
    position = 0
    for block, tags in found.fixed:
        expected, exact = _expected(block.text, tags, context)
        bare = _bare(expected)
        if not bare or (not exact and len(bare) < 2):
            continue
        for index in range(position, len(texts)):
            line = _bare(texts[index])
            if line == bare if exact else line.startswith(bare):
                position = index + 1
                break
        else:
            yield Problem(
                block.place,
                f"Quyết định vừa điền thiếu đoạn «{quoted(expected, 60)}» mà mẫu luôn in: một "
                "thẻ viết sai ở trước chỗ này đã làm mất phần văn bản này (hoặc đảo thứ tự).",
            )


# -- the ranked agencies in the tables ------------------------------------------------------


def _ranked(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(group label, agency name) of every ranked agency, in the order the decision lists them."""
    groups = context.get("nhom")
    found: list[tuple[str, str]] = []
    if not isinstance(groups, list):
        return found
    for group in groups:
        if not isinstance(group, dict):
            continue
        label = str(group.get("nhan") or group.get("ma") or "")
        for row in group.get("don_vi") or []:
            name = row.get("ten") if isinstance(row, dict) else None
            if isinstance(name, str):
                found.append((label, name))
    return found


def _name_in(cell: str, names: set[str]) -> str | None:
    """The agency a cell names (both without whitespace): the cell is the name, or starts with
    it and then a sign that is no letter or digit ("Sở A (mới)"); the longest such name."""
    if cell in names:
        return cell
    for end in range(len(cell) - 1, 0, -1):
        if not cell[end].isalnum() and cell[:end] in names:
            return cell[:end]
    return None


def _empty_cells(body: Any) -> Iterator[Problem]:
    for number, table in enumerate(body.iter(_TBL), start=1):
        for row_number, row in enumerate(table.iterchildren(_TR), start=1):
            if any(cell.find(_P) is None for cell in row.iterchildren(_TC)):
                yield Problem(
                    f"bảng {number}, hàng {row_number} của quyết định",
                    "Có ô không còn đoạn văn nào, Word sẽ báo tệp hỏng: trong mẫu, ô đó chỉ "
                    "có các thẻ «{%p … %}»; thêm một đoạn trống vào cuối ô.",
                )


def _row_name(cells: list[Any], column: int, names: set[str]) -> tuple[str | None, int]:
    """The agency a table row names, and in which cell; the cell the last row named it in is
    read first (one cell a row, not every cell)."""
    if 0 <= column < len(cells):
        name = _name_in(_bare(_text(cells[column])), names)
        if name is not None:
            return name, column
    for index, cell in enumerate(cells):
        if index != column:
            name = _name_in(_bare(_text(cell)), names)
            if name is not None:
                return name, index
    return None, column


def _listed(table: Any, names: set[str]) -> list[str]:
    """The agencies a table lists, row by row: the names (without whitespace) of its rows."""
    seen: list[str] = []
    column = -1
    for row in table.iterchildren(_TR):
        name, column = _row_name(row.findall(_TC), column, names)
        if name is not None:
            seen.append(name)
    return seen


_TABLE_EDGE = re.compile(r"<w:tbl[ >]|</w:tbl>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def _escaped(text: str) -> str:
    """A name as Jinja's autoescape writes it into the XML."""
    for plain, escape in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;")):
        text = text.replace(plain, escape)
    return text.replace("'", "&#39;")


def _quick_listing(xml: str, printed: list[str]) -> bool:
    """Whether each table of the filled XML that holds a w:t that is exactly an agency's name
    holds all of them, once each, in order (and one table does). Regular expressions over the
    string, in C: a third of the time the tree takes."""
    wanted = [_escaped(name) for name in printed]
    exact = set(wanted)
    listed = 0
    depth, start = 0, 0
    for edge in _TABLE_EDGE.finditer(xml):
        if edge.group(0) != "</w:tbl>":
            start = edge.start() if depth == 0 else start
            depth += 1
            continue
        depth -= 1
        if depth:
            continue
        texts = _TEXT.findall(xml, start, edge.end())
        seen = [text for text in texts if text in exact]
        if seen and seen != wanted:
            return False
        listed += bool(seen)
    return listed > 0


def _tables(body: Any, context: Mapping[str, Any], xml: str | None) -> Iterator[Problem]:
    """The tables that list the ranked agencies list each once, in order; there is one.

    First the quick way, on the filled XML (_quick_listing). When it cannot tell, every table
    is read row by row, cell by cell: a name with a line break in it, a cell "Sở A (mới)", a
    name missing or printed twice.
    """
    ranked = _ranked(context)
    if not ranked:
        return
    printed = [name for _, name in ranked]
    if xml is not None and _quick_listing(xml, printed):
        return
    names = {_bare(name) for name in printed}
    found_any = False
    for number, table in enumerate(body.iter(_TBL), start=1):
        seen = _listed(table, names)
        if seen:
            found_any = True
            problem = _listing_problem(number, seen, ranked)
            if problem is not None:
                yield problem
    if not found_any:
        yield Problem(
            "bảng kết quả",
            "Quyết định vừa điền không có bảng nào liệt kê các đơn vị được xếp hạng "
            f"({len(ranked)} đơn vị)"
            ": hàng đơn vị của bảng kết quả trong mẫu («{{ dv.ten }}» giữa "
            "«{%tr for dv in g.don_vi %}» và «{%tr endfor %}») bị xóa hay hỏng.",
        )


def _listing_problem(number: int, seen: list[str], ranked: list[tuple[str, str]]) -> Problem | None:
    place = f"bảng {number} của quyết định"
    counts = Counter(seen)
    expected = [_bare(name) for _, name in ranked]
    shown = {_bare(name): _normal(name) for _, name in ranked}
    missing = [(group, name) for group, name in ranked if _bare(name) not in counts]
    if missing:
        by_group = Counter(group for group, _ in missing)
        groups = ", ".join(f"nhóm {group}: {count}" for group, count in by_group.items())
        listed = ", ".join(f"«{_normal(name)}»" for _, name in missing[:_LIMIT])
        more = f" và {len(missing) - _LIMIT} đơn vị khác" if len(missing) > _LIMIT else ""
        return Problem(
            place,
            f"Bảng chỉ có {len(counts)} trong {len(expected)} đơn vị được xếp hạng; thiếu "
            f"{len(missing)} ({groups}): {listed}{more}. Vòng lặp hàng của bảng trong mẫu bị "
            "hỏng (thẻ «{%tr … %}» bị xóa, viết sai hay thiếu «tr»).",
        )
    twice = [name for name, count in counts.items() if count > 1]
    if twice:
        listed = ", ".join(f"«{shown[name]}»" for name in twice[:_LIMIT])
        return Problem(
            place,
            f"Bảng in {len(twice)} đơn vị hơn một lần: {listed}. Vòng lặp hàng của bảng trong "
            "mẫu bị hỏng.",
        )
    if seen != expected:
        at = next(i for i, (a, b) in enumerate(zip(seen, expected, strict=True)) if a != b)
        return Problem(
            place,
            f"Bảng không theo thứ hạng: ở vị trí {at + 1} là «{shown[seen[at]]}», đáng lẽ là "
            f"«{shown[expected[at]]}». Vòng lặp hàng của bảng trong mẫu bị sửa sai.",
        )
    return None
