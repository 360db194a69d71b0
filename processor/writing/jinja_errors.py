"""Jinja's errors, said in Vietnamese at the paragraph that caused them.

The checks before filling (template_check.py, template_names.py) find nearly every slip; what
they miss surfaces while Jinja renders, as an English sentence ("'tỉnh' is undefined",
"Encountered unknown tag 'endfor'.") with a line number of the XML docxtpl hands Jinja.
docxtpl starts a new line at every `<w:p`, after it has removed the paragraphs, rows and cells
of its `{%p %}`, `{%tr %}` and `{%tc %}` tags, so line n is the (n-1)th paragraph docxtpl
keeps; the tags of the paragraphs it removed right after that one sit on the same line, and
the one the error names is chosen among them. docxtpl's own "context" of seven lines is not
used: it starts three lines before the error, so it quotes the wrong paragraph.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError

from processor.core.problems import Problem
from processor.writing.template_check import TemplateMap
from processor.writing.template_problems import quoted, suggestion, technical
from processor.writing.template_text import Block, Tag

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (r"^unexpected '\}'", "dư một dấu «}»"),
        (r"^unexpected '\)'", "dư một dấu «)»"),
        (r"^unexpected '\]'", "dư một dấu «]»"),
        (r"^unexpected char '(.+?)'", "có ký tự «{0}» không dùng được trong thẻ"),
        (
            r"^unexpected 'end of (?:print statement|statement block)'",
            "biểu thức viết dở (thiếu một tên biến hay một giá trị ở cuối?)",
        ),
        (r"^unexpected '(.+?)'", "có «{0}» không đúng chỗ"),
        (r"^expected token 'in', got '(.+?)'", "vòng lặp phải viết «for tên in danh_sách»"),
        (
            r"^expected token 'end of (?:print statement|statement block)', got '(.+?)'",
            "sau biểu thức còn «{0}» thừa (thiếu dấu chấm, dấu phẩy hay dấu ngoặc?)",
        ),
        (r"^expected token '(.+?)', got '(.+?)'", "chỗ «{1}» đáng lẽ phải là «{0}»"),
        (r"^expected an expression", "thẻ không có biểu thức nào (thiếu tên biến?)"),
        (r"^encountered unknown tag '(.+?)'", "lệnh «{0}» không có, hoặc thiếu thẻ mở của nó"),
        (
            r"jinja was looking for the following tags: .*innermost block .* is '(.+?)'",
            "khối «{0}» không có thẻ đóng",
        ),
        (r"^unexpected end of template", "thẻ chưa viết hết"),
        (r"^tag name expected", "thẻ «{% %}» thiếu lệnh (for, if, …)"),
        (r"^can't assign to", "không gán giá trị cho chỗ này được"),
        (r"^no filter named '(.+?)'", "không có bộ lọc «{0}»"),
        (r"^no test named '(.+?)'", "không có phép thử «{0}»"),
    )
)


def syntax_reason(exc: TemplateSyntaxError) -> str:
    """What Jinja's syntax error says, in Vietnamese (without a final full stop)."""
    message = (exc.message or "").strip()
    for pattern, reason in _REASONS:
        match = pattern.search(message)
        if match:
            return reason.format(*match.groups())
    return "không đúng cách viết một thẻ"


# -- where the error happened ---------------------------------------------------------------


def _frames(traceback: TracebackType | None) -> list[tuple[str, str, int]]:
    found = []
    while traceback is not None:
        code = traceback.tb_frame.f_code
        found.append((code.co_filename, code.co_name, traceback.tb_lineno))
        traceback = traceback.tb_next
    return found


def _template_line(exc: BaseException) -> int | None:
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    lines = [line for file, _, line in _frames(exc.__traceback__) if file == "<template>"]
    return lines[-1] if lines else None


def _unit_name(exc: BaseException, document: Any, found: TemplateMap) -> str:
    names = {name for _, name, _ in _frames(exc.__traceback__)}
    if "render_properties" in names:
        token = _token(exc)
        properties = [u for u in found.units if u.name.startswith("property:")]
        chosen = next((u for u in properties if token and token in u.blocks[0].text), None)
        return (chosen or properties[0]).name if properties else "body"
    part = getattr(document, "current_rendering_part", None)
    main = getattr(getattr(document, "docx", None), "part", None)
    if part is None or part is main:
        return "body"
    return str(getattr(part, "partname", "body"))


def _token(exc: BaseException) -> str:
    """The name, key or tag the error is about: what to look for in the paragraphs."""
    message = str(getattr(exc, "message", None) or exc)
    for pattern in (
        r"has no attribute '(.+?)'",
        r"^'(.+?)' is undefined",
        r"unknown tag '(.+?)'",
        r"no (?:filter|test) named '(.+?)'",
    ):
        match = re.search(pattern, message)
        if match:
            return match.group(1)
    return ""


def _patched_lines(document: Any, unit: str) -> list[str] | None:
    """The text docxtpl gave Jinja, one line per kept paragraph (None if it cannot be had)."""
    try:
        if unit == "body":
            xml = document.get_xml()
        else:
            part = next(
                rel.target_part
                for rel in document.docx.part.rels.values()
                if not rel.is_external and str(rel.target_part.partname) == unit
            )
            xml = document.get_part_xml(part)
        source = document.patch_xml(xml)
    except Exception:
        return None
    return str(re.sub(r"<w:p([ >])", r"\n<w:p\1", source)).split("\n")


def locate(
    exc: BaseException, document: Any, found: TemplateMap
) -> tuple[Block | None, Tag | None]:
    """The paragraph (and its tag) that raised `exc` while docxtpl rendered `document`."""
    name = _unit_name(exc, document, found)
    unit = found.unit(name)
    if unit is None or not unit.blocks:
        return None, None
    token = _token(exc)
    if not unit.blocks[0].is_paragraph:
        return unit.blocks[0], _tag_with(found, unit.blocks[0], token)
    line = _template_line(exc)
    gone = found.removed | found.joined
    kept = [b for b in unit.blocks if (name, b.number) not in gone]
    lines = _patched_lines(document, name)
    if line is None or lines is None or not 1 <= line <= len(lines):
        return _by_token(found, unit.blocks, token)
    if len(lines) != len(kept) + 1:
        # A broken tag made docxtpl join paragraphs: find them by their words instead.
        return _by_words(found, unit.blocks, lines[line - 1], token)
    after = kept[line - 2].number if line >= 2 else -1
    before = kept[line - 1].number if line - 1 < len(kept) else len(unit.blocks)
    candidates = [b for b in unit.blocks if after <= b.number < before]
    return _by_token(found, candidates, token)


_XML = re.compile(r"<[^>]+>")
_TAGS = re.compile(r"\{[{%#].*?[}%#]\}|\s+", re.DOTALL)


_UNCLOSED = re.compile(r"\{[{%#].*", re.DOTALL)


def _words(text: str) -> str:
    """The literal words of a text, without tags (whole or broken) and whitespace."""
    return _UNCLOSED.sub("", _TAGS.sub("", text)).replace("{", "").replace("}", "")


def _by_words(
    found: TemplateMap, blocks: list[Block], line: str, token: str
) -> tuple[Block | None, Tag | None]:
    """The paragraphs whose words are on `line` of docxtpl's text, the first of them first."""
    words = _words(_XML.sub("", line))
    placed = []
    for block in blocks:
        own = _words(block.text)
        if own and own in words:
            placed.append((words.index(own), block.number, block))
    candidates = [block for _, _, block in sorted(placed)]
    if not candidates:
        return _by_token(found, blocks, token)
    for block in candidates:
        tag = _tag_with(found, block, token)
        if tag is not None:
            return block, tag
    return candidates[0], None


def _by_token(
    found: TemplateMap, blocks: list[Block], token: str
) -> tuple[Block | None, Tag | None]:
    tagged = [b for b in blocks if _tags_of(found, b)]
    if token:
        for block in tagged:
            tag = _tag_with(found, block, token)
            if tag is not None:
                return block, tag
    if not tagged:
        return (blocks[0] if blocks else None), None
    return tagged[0], None


def _tags_of(found: TemplateMap, block: Block) -> list[Tag]:
    return [t for t in found.tags.get(block.unit, []) if t.block.number == block.number]


def _tag_with(found: TemplateMap, block: Block, token: str) -> Tag | None:
    tags = _tags_of(found, block)
    return next((t for t in tags if token and token in t.source), None)


# -- the message ----------------------------------------------------------------------------


def render_failure(
    exc: BaseException, document: Any, found: TemplateMap, known: list[str]
) -> Problem:
    """The problem to report for an error raised while docxtpl rendered `document`.

    `known` holds the context's names and keys, for the "có phải …?" of an unknown one.
    """
    block, tag = locate(exc, document, found)
    place = block.place if block is not None else "mẫu Word"
    shown = f"Thẻ «{quoted(tag.source)}»" if tag is not None else "Một thẻ trong đoạn này"
    detail = f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
    token = _token(exc)
    if isinstance(exc, UndefinedError):
        if re.search(r"is undefined", str(exc)):
            text = f"{shown} dùng biến «{token}», chương trình không có biến này."
        elif token:
            text = f"{shown} dùng «{token}», dữ liệu điền vào chỗ này không có «{token}»."
        else:
            text = f"{shown} dùng một giá trị chương trình không có."
        return Problem(place, technical(text + suggestion(token, known), detail))
    if isinstance(exc, TemplateSyntaxError):
        return Problem(place, technical(f"{shown} viết sai: {syntax_reason(exc)}.", detail))
    return Problem(
        place,
        technical(
            f"{shown} không điền được: một phép tính, bộ lọc hay lệnh trong thẻ không dùng được "
            "với dữ liệu này.",
            detail,
        ),
    )
