"""Rendering the Word template with docxtpl: Jinja2 inside Word, autoescaped and strict.

render_decision checks the template before filling it (template_check.py: its tags as a person
sees them; template_names.py: every name against the context) and the filled decision after
(decision_check.py); any problem, and any error Jinja raises (jinja_errors.py), is a
TemplateDamaged in Vietnamese that names the paragraph or table row, and nothing is written.
Before that, template_mend.py undoes what Word or LibreOffice did to the Lào Cai template's
tags on save.

docxtpl fills the template. processor/writing/docxtpl_speedup.py, while it is there, makes
docxtpl 0.20 faster with the same bytes; it can be deleted whole once docxtpl ships the fixes
(its docstring says which), and then docxtpl's own DocxTemplate is used here as it is.

The package is written once, straight into its canonical form (files.canonical_entry: fixed
times and modes, deflated as zipfile deflates). python-docx's save deflated every part with
the clock in its entries, and canonical_zip inflated and deflated them all again to take the
clock out: 3.9 ms of the sample's 23 ms render, 155 ms at 10,000 agencies; one pass takes 2.4
and 109 ms, and gives the same bytes (tests/test_rendering_equivalence.py).
"""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processor.core.problems import Problem
from processor.writing.files import canonical_entry, canonical_zip
from processor.writing.template_problems import TemplateDamaged, damaged, technical

if TYPE_CHECKING:
    import jinja2

_SPEEDUP = "processor.writing.docxtpl_speedup"


def jinja_environment() -> jinja2.Environment:
    """The Environment every part of the template is rendered in."""
    import jinja2

    # autoescape: an agency named "A & B" must not corrupt the XML;
    # StrictUndefined: a misspelt variable in the template is an error, never a silent blank.
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def template_class() -> type[Any]:
    """The faster DocxTemplate of docxtpl_speedup, or docxtpl's own once that is deleted.

    Imported by name, so that neither Python nor mypy minds the module being gone.
    """
    try:
        speedup = importlib.import_module(_SPEEDUP)
    except ModuleNotFoundError as exc:
        if exc.name != _SPEEDUP:  # something the speed-up needs is missing: say so
            raise
        from docxtpl import DocxTemplate

        plain: type[Any] = DocxTemplate
        return plain
    fast: type[Any] = speedup.fast_template()
    return fast


def fill(cls: type[Any], template: Path, context: dict[str, Any]) -> Any:
    """The template rendered with `cls` (a DocxTemplate), not yet written anywhere."""
    document = cls(template)
    _render(document, context, jinja_environment())
    return document


def _render(document: Any, context: dict[str, Any], environment: jinja2.Environment) -> None:
    document.render(context, environment, autoescape=True)
    # docxtpl renders tags in the author but not in "last modified by": a template copied from
    # another province would keep that province's drafting body there, so it follows the author.
    properties = document.docx.core_properties
    properties.last_modified_by = properties.author


class _CanonicalWriter:
    """python-docx's zip writer (write(pack_uri, blob) is all its save uses), with entries
    made as canonical_zip makes them."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self._archive.writestr(canonical_entry(pack_uri.membername), blob)


def package_bytes(document: Any) -> bytes:
    """The rendered .docx, byte for byte `canonical_zip` of what `document.save` writes.

    python-docx's save is OpcPackage.save: before_marshal() on every part, then three steps
    of PackageWriter into one zip; we take the same steps into a zip of canonical entries.
    docxtpl's save adds media and picture replacements, which this tool never asks for; were
    there any, or were python-docx's steps renamed, its own save and canonical_zip are used.
    """
    from docx.opc.pkgwriter import PackageWriter

    steps: Any = PackageWriter  # python-docx's private, untyped steps of its own save
    names = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")
    replacing = (
        document.crc_to_new_media
        or document.crc_to_new_embedded
        or document.zipname_to_replace
        or document.pics_to_replace
    )
    if replacing or not all(hasattr(steps, name) for name in names):
        buffer = io.BytesIO()
        document.save(buffer)
        return canonical_zip(buffer.getvalue())
    package = document.docx.part.package
    for part in package.parts:
        part.before_marshal()
    parts = package.parts
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        writer = _CanonicalWriter(archive)
        steps._write_content_types_stream(writer, parts)
        steps._write_pkg_rels(writer, package.rels)
        steps._write_parts(writer, parts)
    document.is_saved = True
    return out.getvalue()


def _open(template: Path) -> Any:
    """The template opened by docxtpl (python-docx underneath), not yet rendered."""
    if not template.is_file():
        raise TemplateDamaged(
            template,
            f"Không tìm thấy mẫu Word {template}.",
            [Problem(template.name, "Tệp không tồn tại.")],
        )
    document = template_class()(template)
    try:
        document.init_docx()
        _mend_core_properties(document.docx.part.package)
    except Exception as exc:  # a damaged .docx: python-docx and lxml raise many kinds
        raise TemplateDamaged(
            template,
            f"Không dùng được mẫu Word {template}.",
            [
                Problem(
                    template.name,
                    technical(
                        "Tệp mẫu không phải tài liệu Word .docx hợp lệ (hoặc đã hỏng): mở bằng "
                        "Word và lưu lại dưới dạng .docx.",
                        f"{type(exc).__name__}: {exc}",
                    ),
                )
            ],
        ) from None
    return document


def _keep_filled_body(document: Any) -> list[str]:
    """The body's XML as Jinja filled it, kept as docxtpl hands it to fix_tables (its one
    string of the whole body): the check after filling searches it once for braces."""
    kept: list[str] = []
    fix_tables = document.fix_tables

    def keeping(xml: str) -> Any:
        kept.append(xml)
        return fix_tables(xml)

    document.fix_tables = keeping
    return kept


def _mend_core_properties(package: Any) -> None:
    """Let python-docx find document properties that LibreOffice relates with its own spelling.

    LibreOffice writes the relationship type as `…/officedocument/2006/relationships/metadata/
    core-properties`; python-docx looks for `…/package/2006/…` only, finds none, and adds a
    second docProps/core.xml, which makes a package with two entries of that name.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE

    standard = RELATIONSHIP_TYPE.CORE_PROPERTIES
    for relationship in package.rels.values():
        kind = relationship.reltype
        if kind != standard and kind.endswith("/metadata/core-properties"):
            relationship._reltype = standard  # python-docx's own attribute behind `reltype`


def render_decision(
    template: Path, context: dict[str, Any], reference: dict[str, Any] | None = None
) -> bytes:
    """The finished .docx as bytes: nothing touches the output folder until it is whole.

    The template is checked before filling (its tags, and every name against `context` and
    `reference`, a context with every kind of row) and the result after filling; any problem
    raises TemplateDamaged, in Vietnamese, naming the paragraph or table row to fix.
    """
    from processor.writing.decision_check import check_decision
    from processor.writing.template_check import read_template
    from processor.writing.template_mend import mend
    from processor.writing.template_names import check_names, context_shape, known_names

    document = _open(template)
    environment = jinja_environment()
    mend(document.docx.element.body)
    found = read_template(document.docx)
    shape = context_shape(context, reference)
    problems = found.in_order(found.problems + check_names(found, shape, environment))
    if problems:
        raise damaged(template, problems)
    filled = _keep_filled_body(document)
    try:
        _render(document, context, environment)
    except Exception as exc:  # Jinja's errors, or Python's from an expression in a tag
        from processor.writing.jinja_errors import render_failure

        problem = render_failure(exc, document, found, known_names(shape))
        raise damaged(template, [problem]) from None
    problems = check_decision(document, found, context, filled.pop() if filled else None)
    if problems:
        raise damaged(template, problems, after_filling=True)
    return package_bytes(document)
