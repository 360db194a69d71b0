"""Rendering the Word template with docxtpl: Jinja2 inside Word, autoescaped and strict.

docxtpl 0.20 does work whose cost grows with the document and whose result is known in
advance for most templates: at 10,000 agencies rendering took 1.8 s, of which the template's
own Jinja rendering was 0.2 s, and at 50,000 it took 35 s, 21 s of them in one lxml move.
`_fast_template` skips that work only where the bytes written stay exactly those docxtpl
writes, and hands everything else back to docxtpl (the golden tests and
tests/test_rendering_equivalence.py compare the bytes; tests/benchmarks/ measures the time):

- docxtpl parses the rendered body alone, then moves it into the template's document with
  `root.replace(body, tree)`, and lxml walks every node of it to re-point its namespaces (0.5 s
  at 10,000 agencies); we parse the rendered body inside the document's own root element, so
  nothing has to move;
- it checks every table row of the result for `{%tc %}` column changes with Python calls per
  cell; we walk the tree once in libxml2 with one XPath per table, and call docxtpl's own code
  when a table would change;
- it scans every paragraph and run with regular expressions, with a Python call back per
  paragraph, for tabs, line and page breaks (`resolve_listing`) even when there are none, and
  removes the line breaks it put before each paragraph with one more such `re.sub`;
- it compiles a Jinja template for each header and each core property, even with no tag in it.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

from processor.core.problems import InputError, Problem
from processor.writing.files import canonical_zip

# The characters docxtpl's resolve_listing turns into tabs, paragraphs, line and page breaks.
_LISTING = re.compile("[\t\a\n\f]")
# A paragraph's start tag, before which docxtpl puts a line break while Jinja runs.
_PARAGRAPH = re.compile(r"<w:p([ >])")
# A namespace declaration in a start tag: xmlns="…" or xmlns:prefix="…".
_XMLNS = re.compile(r'\s+xmlns(?::([\w.-]+))?="([^"]*)"')


def _environment() -> Any:
    import jinja2

    # autoescape: an agency named "A & B" must not corrupt the XML;
    # StrictUndefined: a misspelt variable in the template is an error, never a silent blank.
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def _plain(text: str, environment: Any) -> bool:
    """Whether Jinja would give `text` back unchanged: no tag, no newline it would rewrite."""
    if (
        environment.line_statement_prefix is not None
        or environment.line_comment_prefix is not None
        or environment.newline_sequence != "\n"
        or environment.extensions  # an extension may preprocess the source
    ):
        return False
    starts = (
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
    )
    return (
        not any(start in text for start in starts) and "\r" not in text and not text.endswith("\n")
    )


@functools.cache
def _fast_template() -> type:
    """DocxTemplate, minus the work whose result is known (see the module docstring)."""
    import docxtpl
    from docx.oxml.ns import nsmap
    from docx.oxml.parser import element_class_lookup
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from lxml import etree

    if not docxtpl.__version__.startswith("0.20."):
        return DocxTemplate  # the overrides below follow docxtpl 0.20's internals

    find_docpr = etree.XPath("//wp:docPr", namespaces=nsmap)

    class FastTemplate(DocxTemplate):
        _new_root: Any = None  # the rendered document, when parsed whole (see fix_tables)
        _docpr = True  # whether the rendered body may hold a wp:docPr to renumber

        def resolve_listing(self, xml: str) -> str:
            return super().resolve_listing(xml) if _LISTING.search(xml) else xml

        def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None):
            if jinja_env is None:
                return super().render_xml_part(src_xml, part, context, jinja_env)
            self.current_rendering_part = part
            if _plain(src_xml, jinja_env) and "{" not in src_xml and "}" not in src_xml:
                # No tag, no brace: Jinja and docxtpl's `{_{` escapes give the text back as is.
                return self.resolve_listing(src_xml)
            # docxtpl 0.20's own steps, with plain replacements where it runs re.sub over
            # the whole rendered part (one call back per paragraph).
            src_xml = _PARAGRAPH.sub(r"\n<w:p\1", src_xml)
            try:
                dst_xml = jinja_env.from_string(src_xml).render(context)
            except TemplateError as exc:
                if getattr(exc, "lineno", None) is not None:
                    line_number = max(exc.lineno - 4, 0)
                    exc.docx_context = map(
                        lambda x: re.sub(r"<[^>]+>", "", x),
                        src_xml.splitlines()[line_number : line_number + 7],
                    )
                raise
            dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
            if "_" in dst_xml:  # one quick scan instead of four
                dst_xml = (
                    dst_xml.replace("{_{", "{{")
                    .replace("}_}", "}}")
                    .replace("{_%", "{%")
                    .replace("%_}", "%}")
                )
            return self.resolve_listing(dst_xml)

        def render_properties(self, context: Any, jinja_env: Any = None) -> None:
            if jinja_env is None:
                return super().render_properties(context, jinja_env)
            properties = self.docx.core_properties
            # The string properties docxtpl renders, in its order.
            for name in ("author", "comments", "identifier", "language", "subject", "title"):
                initial = getattr(properties, name)
                if not _plain(initial, jinja_env):
                    initial = jinja_env.from_string(initial).render(context)
                setattr(properties, name, initial)

        def fix_tables(self, xml: str) -> Any:
            self._new_root = None
            document = _document_around(self.docx._element, xml)
            if document is None:
                return super().fix_tables(xml)
            # Strict: docxtpl's recovering parser might mend broken XML differently inside the
            # whole document than alone, so broken XML takes docxtpl's path. python-docx's
            # element classes, without its parser's other options (docxtpl parses without).
            parser = etree.XMLParser()
            parser.set_element_class_lookup(element_class_lookup)
            try:
                root = etree.fromstring(document, parser)
            except etree.XMLSyntaxError:
                return super().fix_tables(xml)
            del document  # the largest string of the run; not needed once parsed
            self._docpr = "docPr" in xml
            body = root[0]
            if _tables_change(body):
                return super().fix_tables(xml)
            self._new_root = root
            return body

        def fix_docpr_ids(self, tree: Any) -> None:
            # docxtpl's own, through an XPath object: python-docx's element classes, which the
            # whole-document parse gives, take no `namespaces` argument in their xpath(). A
            # body whose text never names docPr (no picture) has none to number.
            if self._new_root is not None and not self._docpr:
                return
            for element in find_docpr(tree):
                self.docx_ids_index += 1
                element.attrib["id"] = str(self.docx_ids_index)

        def map_tree(self, tree: Any) -> None:
            if self._new_root is None:
                return super().map_tree(tree)
            # The new root replaces the template's: the document part serialises it on save.
            self.docx._part._element = self._new_root
            self.docx._element = self._new_root
            self.docx._Document__body = None

    return FastTemplate


def _document_around(root: Any, body_xml: str) -> str | None:
    """The whole document's XML with `body_xml` as its body, or None where parsing that would
    not give what docxtpl's move gives.

    lxml serialises the body alone with every namespace of the root declared on it; moving it
    back under the root strips exactly those declarations. So the body's start tag is written
    without them, and we decline whenever the move would do more: a declaration whose prefix
    the root binds elsewhere, a root binding one namespace twice, a declaration inside the
    body (the move strips redundant ones everywhere), or a root holding more than the body.
    """
    from lxml import etree

    body = root.body
    if len(root) != 1 or root[0] is not body:
        return None
    declared = {prefix or "": uri for prefix, uri in root.nsmap.items()}
    if len(set(declared.values())) != len(declared):
        return None
    end = body_xml.find(">")
    if not body_xml.startswith("<w:body") or end < 0 or body_xml.find("xmlns", end) >= 0:
        return None
    start_tag = body_xml[: end + 1]
    if any(declared.get(prefix) != uri for prefix, uri in _XMLNS.findall(start_tag)):
        return None
    if body.tail is not None:
        return None
    # The root's start tag as lxml writes it: the root serialised for a moment without its body.
    root.remove(body)
    try:
        empty = etree.tostring(root, encoding="unicode")
    finally:
        root.append(body)
    name = re.match(r"<([^\s/>]+)", empty)
    if name is None or not empty.endswith("/>"):
        return None
    own_tag = _XMLNS.sub("", start_tag)
    if "xmlns" in own_tag:  # a declaration written in a way the pattern does not know
        return None
    # One copy of the (large) body: its start tag swapped for the root's and its own.
    document = body_xml.replace(start_tag, f"{empty[:-2]}>{own_tag}", 1)
    document += f"</{name.group(1)}>"
    return document


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@functools.cache
def _crowded_row() -> Any:
    """An XPath test, run inside libxml2: a row of the table with more cells than `columns`."""
    from lxml import etree

    return etree.XPath("boolean(w:tr[count(w:tc) > $columns])", namespaces={"w": _W[1:-1]})


def _width(row: Any) -> int:
    """A row's width in grid columns, counted as docxtpl counts it (first tcPr, first span)."""
    width = 0
    for cell in row.iterchildren(f"{_W}tc"):
        properties = cell.find(f"{_W}tcPr")
        span = None if properties is None else properties.find(f"{_W}gridSpan")
        width += 1 if span is None else int(span.get(f"{_W}val"))
    return width


def _tables_change(body: Any) -> bool:
    """Whether docxtpl's fix_tables could change (or refuse) a table of the body.

    It reads every row under a table, nested tables' rows included, and every row's cell
    spans. So: a row not directly in a table, a table inside a table, or a span that is not
    plain digits sends the body to docxtpl's own code; so does a table whose grid has fewer
    columns than a row has cells, or more than the widest row spans. One walk of the tree in
    libxml2, one XPath per table, and the width of the first wide-enough row.
    """
    table_tag, row_tag, span_tag = f"{_W}tbl", f"{_W}tr", f"{_W}gridSpan"
    tables = []
    for element in body.iter(table_tag, row_tag, span_tag):
        if element.tag == row_tag:
            if element.getparent().tag != table_tag:
                return True
        elif element.tag == table_tag:
            if next(element.iterancestors(table_tag), None) is not None:
                return True
            tables.append(element)
        else:
            span = element.get(f"{_W}val")
            if span is None or not (span.isascii() and span.isdigit()):
                return True
    crowded = _crowded_row()
    for table in tables:
        grid = table.find(f"{_W}tblGrid")
        if grid is None:
            return True
        columns = len(grid.findall(f"{_W}gridCol"))
        if crowded(table, columns=columns):
            return True
        if not any(_width(row) >= columns for row in table.iterchildren(row_tag)):
            return True
    return False


def render_decision(template: Path, context: dict[str, Any]) -> bytes:
    """The finished .docx as bytes: nothing touches the output folder until it is whole."""
    import jinja2

    label = template.name
    if not template.is_file():
        raise InputError(
            f"Không tìm thấy mẫu Word {template}.", [Problem(label, "Tệp không tồn tại.")]
        )
    try:
        document = _fast_template()(template)
        document.render(context, _environment(), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise InputError(
            f"Mẫu Word {template} dùng một biến chương trình không có.",
            [
                Problem(
                    label,
                    f"{exc.message}. Xem bảng các biến dùng được trong README.md, mục "
                    "'Sửa mẫu Word', và sửa lại tên biến trong mẫu.",
                )
            ],
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        nearby = " ".join(" ".join(getattr(exc, "docx_context", [])).split())
        raise InputError(
            f"Mẫu Word {template} có thẻ {{{{ }}}} hoặc {{% %}} viết sai.",
            [Problem(label, f"{exc.message}. Đoạn văn gần chỗ lỗi: «{nearby[:200]}».")],
        ) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            f"Mẫu Word {template} có lỗi khi điền dữ liệu.",
            [Problem(label, f"{exc}. Kiểm tra các thẻ {{{{ }}}} và {{% %}} trong mẫu.")],
        ) from None
    except Exception as exc:  # a damaged .docx: python-docx and lxml raise many kinds
        raise InputError(
            f"Không dùng được mẫu Word {template}.",
            [
                Problem(
                    label,
                    "Tệp mẫu không phải tài liệu Word .docx hợp lệ (hoặc đã hỏng): mở bằng Word "
                    f"và lưu lại dưới dạng .docx. Chi tiết: {type(exc).__name__}: {exc}",
                )
            ],
        ) from None
    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue())
