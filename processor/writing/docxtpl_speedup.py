"""A faster docxtpl 0.20 that writes exactly the bytes docxtpl writes; delete it when docxtpl can.

This module stands alone on purpose: processor/writing/rendering.py uses it when it is there
and docxtpl's own DocxTemplate when it is not, so it can be deleted whole once docxtpl ships the
upstream fixes, python-docx-template PRs #630 and #637 (merged after 0.20.2: the body mutated
in place instead of moved, compiled regular expressions, resolve_listing's early exit). Their
descriptions do not cover the patch_xml, table, header and footnote shortcuts below: measure
with tests/benchmarks/run_benchmark.py before and after deleting (on the 3-page sample this
module saves 8 ms of the tool's 150; at 50,000 agencies it saved 30 s of docxtpl's 35).

docxtpl 0.20 does work whose cost grows with the document and whose result is known in
advance for most templates: at 10,000 agencies rendering took 1.8 s, of which the template's
own Jinja rendering was 0.2 s, and at 50,000 it took 35 s, 21 s of them in one lxml move.
`FastTemplate` skips that work only where the bytes written stay exactly those docxtpl
writes, and hands everything else back to docxtpl (the golden tests and
tests/test_rendering_equivalence.py compare the bytes; tests/benchmarks/ measures the time):

- docxtpl parses the rendered body alone, then moves it into the template's document with
  `root.replace(body, tree)`, and lxml walks every node of it to re-point its namespaces (0.5 s
  at 10,000 agencies); we parse the rendered body inside the document's own root element, so
  nothing has to move;
- it checks every table row of the result for `{%tc %}` column changes with Python calls per
  cell; we walk the tree once in libxml2 with one XPath per table, and call docxtpl's own code
  when a table would change;
- patch_xml runs 19 regular expressions over each part, most of them for tags a template
  rarely has (colspan, cellbg, vm, hm, {%tc %}, {%r %}, {# #}, {%- -%}); when none of those is
  there after its first two passes, we run only the four others that can match (the sample's
  patch_xml went from 6 ms to 2), and none at all on a part without a brace;
- it scans every paragraph and run with regular expressions, with a Python call back per
  paragraph, for tabs, line and page breaks (`resolve_listing`) even when there are none, and
  removes the line breaks it put before each paragraph with one more such `re.sub`;
- it compiles a Jinja template for each header and each core property, even with no tag in
  it, and walks the package's parts once per section looking for footnotes there are none of.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import docxtpl
from docx.oxml.ns import nsmap
from docx.oxml.parser import element_class_lookup
from jinja2 import TemplateError
from lxml import etree

if TYPE_CHECKING:

    class _DocxTemplate:
        """What this module uses of docxtpl 0.20's DocxTemplate (docxtpl has no types)."""

        docx: Any
        docx_ids_index: int
        current_rendering_part: Any

        def __init__(self, template_file: Any) -> None: ...
        def patch_xml(self, src_xml: str) -> str: ...
        def resolve_listing(self, xml: str) -> str: ...
        def render_xml_part(
            self, src_xml: str, part: Any, context: Any, jinja_env: Any = None
        ) -> str: ...
        def render_properties(self, context: Any, jinja_env: Any = None) -> None: ...
        def render_footnotes(self, context: Any, jinja_env: Any = None) -> None: ...
        def fix_tables(self, xml: str) -> Any: ...
        def map_tree(self, tree: Any) -> None: ...
else:
    from docxtpl import DocxTemplate as _DocxTemplate

# The characters docxtpl's resolve_listing turns into tabs, paragraphs, line and page breaks.
_LISTING = re.compile("[\t\a\n\f]")
# A paragraph's start tag, before which docxtpl puts a line break while Jinja runs.
_PARAGRAPH = re.compile(r"<w:p([ >])")
# A namespace declaration in a start tag: xmlns="…" or xmlns:prefix="…".
_XMLNS = re.compile(r'\s+xmlns(?::([\w.-]+))?="([^"]*)"')
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_FIND_DOCPR = etree.XPath("//wp:docPr", namespaces=nsmap)

# docxtpl 0.20.2's patch_xml passes, verbatim, for templates with none of the rarer tags
# (another docxtpl, even 0.20.3, takes its own patch_xml: it may have changed them).
_PATCH_XML_OF = "0.20.2"
_D = re.DOTALL
_BRACE_TAGS = re.compile(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", _D)
_JINJA_TAG = re.compile(r"{%(?:(?!%}).)*|{#(?:(?!#}).)*|{{(?:(?!}}).)*", _D)
_RUN_BREAK = re.compile("</w:t>.*?(<w:t>|<w:t [^>]*>)", _D)
_SPACE = re.compile(r"<w:t>((?:(?!<w:t>).)*)({{.*?}}|{%.*?%})", _D)
_ROW = re.compile(r"<w:tr[ >](?:(?!<w:tr[ >]).)*({%|{{)tr ([^}%]*(?:%}|}})).*?</w:tr>", _D)
_PARA = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*({%|{{)p ([^}%]*(?:%}|}})).*?</w:p>", _D)
_INSIDE_TAG = re.compile(r"(?<=\{[\{%])(.*?)(?=[\}%]})")  # no DOTALL, as in docxtpl
# The rarer passes, each run only when the text holds what its pattern needs (a pass whose
# pattern cannot match leaves the text as it is): run tags, {%- -%}, {%tc %}, {#p #} comments.
_RUN_TAG = re.compile(r"\{[{%]r\s")
_RUN_SPLIT = re.compile(r"({{r\s.*?}}|{%r\s.*?%})", _D)
_RUN_SPLIT_TO = (
    r'</w:t></w:r><w:r><w:t xml:space="preserve">\1</w:t></w:r><w:r><w:t xml:space="preserve">'
)
_MERGE_BEFORE = re.compile(r"</w:t>(?:(?!</w:t>).)*?{%-", _D)
_MERGE_AFTER = re.compile(r"-%}(?:(?!<w:t[ >]|{%|{{).)*?<w:t[^>]*?>", _D)
_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*({%|{{)tc ([^}%]*(?:%}|}})).*?</w:tc>", _D)
_RUN = re.compile(r"<w:r[ >](?:(?!<w:r[ >]).)*({%|{{)r ([^}%]*(?:%}|}})).*?</w:r>", _D)
_COMMENTS = tuple(
    (
        f"{{#{y} ",
        re.compile(rf"<w:{y}[ >](?:(?!<w:{y}[ >]).)*({{#){y} ([^}}#]*(?:#}})).*?</w:{y}>", _D),
    )
    for y in ("tr", "tc", "p")
)
# What the passes left to docxtpl need (cell colours and spans, vertical and horizontal
# merges): none of the passes above can make them.
_RARE = re.compile(r"colspan|cellbg|(?:vm|hm)\s*%\}")


def fast_template() -> type[Any]:
    """FastTemplate, or docxtpl's own DocxTemplate for a docxtpl these overrides do not know."""
    return FastTemplate if docxtpl.__version__.startswith("0.20.") else _DocxTemplate


def _clean_tag(match: re.Match[str]) -> str:
    return (
        match.group(0)
        .replace(r"&#8216;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("“", '"')
        .replace("”", '"')
        .replace("‘", "'")
        .replace("’", "'")
    )


class FastTemplate(_DocxTemplate):
    """DocxTemplate, minus the work whose result is known (see the module docstring)."""

    _new_root: Any = None  # the rendered document, when parsed whole (see fix_tables)
    _docpr = True  # whether the rendered body may hold a wp:docPr to renumber

    @property
    def took_fast_path(self) -> bool:
        """Whether the body went our way (parsed in place) rather than docxtpl's."""
        return self._new_root is not None

    def patch_xml(self, src_xml: str) -> str:
        if docxtpl.__version__ != _PATCH_XML_OF:
            return super().patch_xml(src_xml)
        if "{" not in src_xml and "}" not in src_xml:
            return src_xml  # every pass needs a brace
        xml = _BRACE_TAGS.sub("", src_xml)
        xml = _JINJA_TAG.sub(lambda m: _RUN_BREAK.sub("", m.group(0)), xml)
        if _RARE.search(xml):
            return super().patch_xml(src_xml)
        # docxtpl's passes in docxtpl's order, each skipped when it cannot match.
        xml = _SPACE.sub(r'<w:t xml:space="preserve">\1\2', xml)
        if _RUN_TAG.search(xml):
            xml = _RUN_SPLIT.sub(_RUN_SPLIT_TO, xml)
        if "{%-" in xml:
            xml = _MERGE_BEFORE.sub("{%", xml)
        if "-%}" in xml:
            xml = _MERGE_AFTER.sub("%}", xml)
        xml = _ROW.sub(r"\1 \2", xml)
        if "{%tc " in xml or "{{tc " in xml:
            xml = _CELL.sub(r"\1 \2", xml)
        xml = _PARA.sub(r"\1 \2", xml)
        if "{%r " in xml or "{{r " in xml:
            xml = _RUN.sub(r"\1 \2", xml)
        for needed, pattern in _COMMENTS:
            if needed in xml:
                xml = pattern.sub(r"\1 \2", xml)
        return _INSIDE_TAG.sub(_clean_tag, xml)

    def resolve_listing(self, xml: str) -> str:
        return super().resolve_listing(xml) if _LISTING.search(xml) else xml

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        if jinja_env is None:
            return super().render_xml_part(src_xml, part, context, jinja_env)
        self.current_rendering_part = part
        if _plain(src_xml, jinja_env) and "{" not in src_xml and "}" not in src_xml:
            # No tag, no brace: Jinja and docxtpl's `{_{` escapes give the text back as is.
            return self.resolve_listing(src_xml)
        # docxtpl 0.20's own steps, with plain replacements where it runs re.sub over
        # the whole rendered part (one call back per paragraph).
        try:
            source = _PARAGRAPH.sub(r"\n<w:p\1", src_xml)
            dst_xml: str = jinja_env.from_string(source).render(context)
        except TemplateError:
            # docxtpl's own call raises the same error, with the lines around it attached.
            super().render_xml_part(src_xml, part, context, jinja_env)
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
            super().render_properties(context, jinja_env)
            return
        properties = self.docx.core_properties
        # The string properties docxtpl renders, in its order.
        for name in ("author", "comments", "identifier", "language", "subject", "title"):
            initial = getattr(properties, name)
            if not _plain(initial, jinja_env):
                initial = jinja_env.from_string(initial).render(context)
            setattr(properties, name, initial)

    def render_footnotes(self, context: Any, jinja_env: Any = None) -> None:
        parts = self.docx.part.package.iter_parts()
        if any(part.content_type == _FOOTNOTES for part in parts):
            super().render_footnotes(context, jinja_env)

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
        for element in _FIND_DOCPR(tree):
            self.docx_ids_index += 1
            element.attrib["id"] = str(self.docx_ids_index)

    def map_tree(self, tree: Any) -> None:
        if self._new_root is None:
            super().map_tree(tree)
            return
        # The new root replaces the template's: the document part serialises it on save.
        self.docx._part._element = self._new_root
        self.docx._element = self._new_root
        self.docx._Document__body = None


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


def _document_around(root: Any, body_xml: str) -> str | None:
    """The whole document's XML with `body_xml` as its body, or None where parsing that would
    not give what docxtpl's move gives.

    lxml serialises the body alone with every namespace of the root declared on it; moving it
    back under the root strips exactly those declarations. So the body's start tag is written
    without them, and we decline whenever the move would do more: a declaration whose prefix
    the root binds elsewhere, a root binding one namespace twice, a declaration inside the
    body (the move strips redundant ones everywhere), or a root holding more than the body.
    """
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
    if root.text is not None or body.tail is not None:
        return None
    # The root's start tag as lxml writes it: the first `>` of the root's XML ends it, since
    # lxml escapes `>` in attribute values (cheaper than taking the body out and back).
    whole = etree.tostring(root, encoding="unicode")
    name = re.match(r"<([^\s/>]+)", whole)
    root_tag = whole[: whole.find(">") + 1]
    if name is None or root_tag.endswith("/>") or not root_tag.endswith(">"):
        return None
    own_tag = _XMLNS.sub("", start_tag)
    if "xmlns" in own_tag:  # a declaration written in a way the pattern does not know
        return None
    # One copy of the (large) body: its start tag swapped for the root's and its own.
    document = body_xml.replace(start_tag, f"{root_tag}{own_tag}", 1)
    document += f"</{name.group(1)}>"
    return document


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@functools.cache
def _crowded_row() -> Any:
    """An XPath test, run inside libxml2: a row of the table with more cells than `columns`."""
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
