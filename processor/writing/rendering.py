"""Rendering the Word template with docxtpl: Jinja2 inside Word, autoescaped and strict.

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

from processor.core.problems import InputError, Problem
from processor.writing.files import canonical_entry, canonical_zip

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
    document.render(context, jinja_environment(), autoescape=True)
    # docxtpl renders tags in the author but not in "last modified by": a template copied from
    # another province would keep that province's drafting body there, so it follows the author.
    properties = document.docx.core_properties
    properties.last_modified_by = properties.author
    return document


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


def render_decision(template: Path, context: dict[str, Any]) -> bytes:
    """The finished .docx as bytes: nothing touches the output folder until it is whole."""
    import jinja2

    label = template.name
    if not template.is_file():
        raise InputError(
            f"Không tìm thấy mẫu Word {template}.", [Problem(label, "Tệp không tồn tại.")]
        )
    try:
        document = fill(template_class(), template, context)
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
        # docxtpl attaches the template's text around the error when it knows the line.
        around: Any = getattr(exc, "docx_context", ())
        nearby = " ".join(" ".join(str(line) for line in around).split())
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
    return package_bytes(document)
