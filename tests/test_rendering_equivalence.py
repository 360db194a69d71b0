"""The faster rendering writes exactly the bytes docxtpl itself writes.

processor/writing/docxtpl_speedup.py overrides docxtpl 0.20, and processor/writing/rendering.py
writes the package once instead of saving it and re-zipping it with canonical_zip. Each case
renders one template both ways, docxtpl's own DocxTemplate saved and re-zipped (the reference)
and the tool's path, and compares the packages byte for byte; it also checks which way the
speed-up went, so that a case meant for the fast path cannot silently pass through docxtpl's
path (or the other way round). Deleting the speed-up module must leave a working renderer.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path
from typing import Any

import jinja2
import pytest
from docx import Document
from docxtpl import DocxTemplate

from processor.config.resources import default_rules
from processor.config.rules_file import load_rules
from processor.core.decision import build_context
from processor.core.problems import InputError
from processor.core.scoring import evaluate
from processor.core.validation import check_workbook
from processor.reading.workbook import read_workbook
from processor.writing import rendering
from processor.writing.files import canonical_zip

from conftest import ROOT, SAMPLE, TEMPLATE_FILE

try:
    from processor.writing.docxtpl_speedup import FastTemplate
except ModuleNotFoundError as exc:  # deleted once docxtpl has the fixes: docxtpl's path only
    if exc.name != "processor.writing.docxtpl_speedup":
        raise
    FastTemplate = None
speedup = pytest.mark.skipif(FastTemplate is None, reason="docxtpl_speedup.py is deleted")


def reference(template: Path, context: dict[str, Any]) -> bytes:
    """docxtpl as it is, saved by python-docx and re-zipped: what the tool must write."""
    document = rendering.fill(DocxTemplate, template, context)
    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue())


def assert_same(template: Path, context: dict[str, Any], *, fast_path: bool) -> None:
    expected = reference(template, context)
    cls = rendering.template_class()
    document = rendering.fill(cls, template, context)
    if FastTemplate is not None:
        assert cls is FastTemplate
        assert document.took_fast_path is fast_path
    assert rendering.package_bytes(document) == expected
    # The one-pass writer alone, on docxtpl's own rendering, gives the same bytes too.
    assert rendering.package_bytes(rendering.fill(DocxTemplate, template, context)) == expected


def sample_context() -> dict[str, Any]:
    rules = load_rules(default_rules())
    evaluation, _ = check_workbook(read_workbook(SAMPLE), rules)
    assert evaluation is not None
    return build_context(rules, evaluation.info, evaluate(rules, evaluation.agencies))


def test_the_decision_template_with_awkward_names(tmp_path: Path):
    context = sample_context()
    rows = context["nhom"][0]["don_vi"]
    # XML escapes, a line break and a tab (docxtpl turns them into <w:br/> and <w:tab/>),
    # and docxtpl's own escape for literal braces.
    rows[0]["ten"] = "Sở A & B <thử>"
    rows[1]["ten"] = "Dòng một\nDòng hai\tcột"
    rows[2]["ten"] = "Ngoặc {_{ và }_}"
    assert_same(TEMPLATE_FILE, context, fast_path=True)


def test_without_the_speedup_module_docxtpl_renders_the_same_decision(monkeypatch):
    context = sample_context()
    fast = rendering.render_decision(TEMPLATE_FILE, context)
    # What `import` does once the module's file is deleted.
    monkeypatch.setitem(sys.modules, "processor.writing.docxtpl_speedup", None)
    assert rendering.template_class() is DocxTemplate
    assert rendering.render_decision(TEMPLATE_FILE, context) == fast
    assert fast == reference(TEMPLATE_FILE, context)
    with zipfile.ZipFile(io.BytesIO(fast)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def simple_template(
    path: Path, *, column_loop: bool = False, nested: bool = False, cell_colour: bool = False
) -> Path:
    document = Document()
    document.core_properties.title = "Quyết định {{ nam }}"
    document.core_properties.subject = "Không có thẻ"
    document.sections[0].header.paragraphs[0].text = "Năm {{ nam }}"
    document.add_paragraph("Tỉnh {{ tinh }}")
    table = document.add_table(rows=3, cols=3)
    table.rows[0].cells[0].text = "{%tr for r in rows %}"
    for cell, key in zip(table.rows[1].cells, "abc", strict=True):
        cell.text = f"{{{{ r.{key} }}}}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    if column_loop:
        columns = document.add_table(rows=1, cols=3)
        cells = columns.rows[0].cells
        cells[0].text = "{%tc for c in cols %}"
        cells[1].text = "{{ c }}"
        cells[2].text = "{%tc endfor %}"
    if nested:
        table.rows[1].cells[2].add_table(rows=1, cols=1).rows[0].cells[0].text = "trong"
    if cell_colour:  # a rarer tag: patch_xml runs all of docxtpl's passes
        table.rows[1].cells[0].text = "{% cellbg 'FF0000' %}{{ r.a }}"
    document.save(path)
    return path


CONTEXT = {
    "nam": "2020",
    "tinh": "Lào Cai",
    "rows": [{"a": str(i), "b": f"Đơn vị {i}", "c": "Tốt"} for i in range(30)],
    "cols": ["một", "hai", "ba", "bốn", "năm"],
}


@pytest.mark.parametrize(
    ("options", "fast_path"),
    [
        ({}, True),
        ({"column_loop": True}, False),  # {%tc %} widens the table: docxtpl fixes its grid
        ({"nested": True}, False),  # a table inside a cell: docxtpl counts its rows twice
        ({"cell_colour": True}, True),
    ],
    ids=["rows", "columns", "nested", "cellbg"],
)
def test_small_templates(tmp_path: Path, options: dict[str, bool], fast_path: bool):
    template = simple_template(tmp_path / "mau.docx", **options)
    assert_same(template, CONTEXT, fast_path=fast_path)


@speedup
def test_a_broken_tag_is_reported_as_docxtpl_reports_it(tmp_path: Path):
    document = Document()
    document.add_paragraph("Trước chỗ lỗi")
    document.add_paragraph("Năm {{ nam }")
    path = tmp_path / "hong.docx"
    document.save(path)
    contexts = []
    for cls in (DocxTemplate, FastTemplate):
        with pytest.raises(jinja2.TemplateSyntaxError) as caught:
            rendering.fill(cls, path, CONTEXT)
        contexts.append(list(vars(caught.value)["docx_context"]))
    assert contexts[0] == contexts[1]
    assert any("Năm" in line for line in contexts[0])
    with pytest.raises(InputError) as refused:
        rendering.render_decision(path, CONTEXT)
    assert "Năm {{ nam }" in str(refused.value.problems[0])


# Pieces of WordprocessingML around Jinja tags, with tags split by runs as Word splits them:
# the common tags, for which patch_xml runs only some of docxtpl's passes, and the rarer ones,
# for which it runs the passes they need (all of docxtpl's for colspan, cellbg, vm and hm). It
# must give docxtpl's result for any mix of them.
COMMON = (
    "<w:p><w:r><w:t>Tỉnh {{ tinh }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{{</w:t></w:r><w:r><w:t> nam }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{</w:t></w:r><w:r><w:t>{ nam }</w:t></w:r><w:r><w:t>}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{%p for d in dong %}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{%p endfor %}</w:t></w:r></w:p>",
    '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>{{p x }}</w:t></w:r></w:p>',
    "<w:tr><w:tc><w:p><w:r><w:t>{%tr for g in nhom %}</w:t></w:r></w:p></w:tc></w:tr>",
    "<w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr>",
    "<w:tc><w:tcPr/><w:p><w:r><w:t>{{ dv.ten }}</w:t></w:r></w:p></w:tc>",
    "<w:p><w:r><w:t>{{ “x” if a &gt; 1 else ‘y’ }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{{ rows|length }} {%if rows %}có{% endif %}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{_{ giữ nguyên }_}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>không có thẻ, vm, hm, r, tc</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>}</w:t></w:r></w:p>",
)
RARE = (
    "<w:tr><w:tc><w:p><w:r><w:t>{%tr vm %}</w:t></w:r></w:p></w:tc></w:tr>",
    "<w:tc><w:tcPr><w:tcW/></w:tcPr><w:p><w:r><w:t>{% vm %}{{ a }}</w:t></w:r></w:p></w:tc>",
    "<w:tc><w:tcPr><w:tcW/></w:tcPr><w:p><w:r><w:t>{% hm %}x</w:t></w:r></w:p></w:tc>",
    "<w:tc><w:tcPr/><w:p><w:r><w:t>{% colspan n %}x</w:t></w:r></w:p></w:tc>",
    "<w:tc><w:tcPr/><w:p><w:r><w:t>{% col</w:t></w:r><w:r><w:t>span n %}</w:t></w:r></w:p></w:tc>",
    "<w:tc><w:tcPr/><w:p><w:r><w:t>{% cellbg c %}x</w:t></w:r></w:p></w:tc>",
    "<w:tc><w:p><w:r><w:t>{%tc for c in cols %}</w:t></w:r></w:p></w:tc>",
    "<w:p><w:r><w:t>{{r rich }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{%r if a %}x{%r endif %}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{#p ghi chú #}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>a {%- if b %} c</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>a {% if b -%}</w:t></w:r></w:p><w:p><w:r><w:t>c</w:t></w:r></w:p>",
    "<w:tr><w:tc><w:p><w:r><w:t>{#tr ghi chú #}</w:t></w:r></w:p></w:tc></w:tr>",
    "<w:tc><w:p><w:r><w:t>{{tc x }}</w:t></w:r></w:p></w:tc>",
    "<w:p><w:r><w:t>{##}{%- if true %}{{ x }}{% endif %}</w:t></w:r></w:p>",
    '<w:p><w:r><w:rPr><w:vertAlign w:val="subscript"/></w:rPr>'
    "<w:t>{%r if p.duoi %}</w:t></w:r></w:p>",
)


@speedup
def test_patch_xml_gives_docxtpls_result():
    parts = []
    for template in sorted((ROOT / "templates").glob("*/quyet-dinh.docx")):
        plain = DocxTemplate(template)
        plain.render_init()
        parts.append(plain.get_xml())
        headers = plain.get_headers_footers(plain.HEADER_URI)
        parts += [plain.get_part_xml(part) for _, part in headers]
    plain, fast = DocxTemplate(TEMPLATE_FILE), FastTemplate(TEMPLATE_FILE)
    parts += [*COMMON, *RARE]
    generator = random.Random(2026)
    for pieces in (COMMON, COMMON + RARE):
        for _ in range(300):
            parts.append("".join(generator.choices(pieces, k=generator.randint(1, 8))))
    for xml in parts:
        assert fast.patch_xml(xml) == plain.patch_xml(xml), xml
