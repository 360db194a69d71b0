"""The faster rendering (processor/rendering.py) writes exactly the bytes docxtpl itself writes.

Each case renders one template twice, with docxtpl's own DocxTemplate and with ours, and
compares the packages byte for byte; it also checks which way ours went, so that a case meant
for the fast path cannot silently pass through docxtpl's path (or the other way round).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docxtpl import DocxTemplate

from processor.config.resources import default_rules
from processor.config.rules_file import load_rules
from processor.core.decision import build_context
from processor.core.scoring import evaluate
from processor.core.validation import check_workbook
from processor.reading.workbook import read_workbook
from processor.writing.files import canonical_zip
from processor.writing.rendering import _environment, _fast_template

from conftest import SAMPLE, TEMPLATE_FILE


def render(cls: type, template: Path, context: dict[str, Any]) -> tuple[bytes, Any]:
    document = cls(template)
    document.render(context, _environment(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue()), document


def assert_same(template: Path, context: dict[str, Any], *, fast_path: bool) -> None:
    expected, _ = render(DocxTemplate, template, context)
    produced, document = render(_fast_template(), template, context)
    assert (document._new_root is not None) is fast_path
    assert produced == expected


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


def simple_template(path: Path, *, column_loop: bool = False, nested: bool = False) -> Path:
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
    ],
    ids=["rows", "columns", "nested"],
)
def test_small_templates(tmp_path: Path, options: dict[str, bool], fast_path: bool):
    template = simple_template(tmp_path / "mau.docx", **options)
    assert_same(template, CONTEXT, fast_path=fast_path)
