"""Build the Word templates of the bundled profiles (templates/<profile>/quyet-dinh.docx).

The templates are generated rather than edited by hand so that every layout choice (Decree
30/2020 page, fonts, header table, drawn lines, signature block, appendix section, results
tables) is readable and reviewable here, and so that a .docx never drifts from its source.
They hold layout and the fixed legal form only: every word that differs between provinces or
schemes comes from the context the program builds from the profile's quy-tac.toml.

- docx_kit.py: page, fonts, styles, tables, and the two ways of writing a docxtpl field;
- decision_front.py: the decision up to the signature, shared by the layouts;
- layout_lao_cai_2020.py: the 2020 Chairman's decision, portrait appendix (the default profile;
  it renders the 2020 Lào Cai decision byte for byte);
- layout_chuyen_doi_so_2026.py: the digital-transformation decision, landscape appendix with
  a column per main index and the table "Xếp hạng theo chỉ số chính".

Run ``python templates/build_template.py`` to rebuild both, or ``--profile NAME`` (with an
optional ``--out PATH``) for one. The output is deterministic: the same script always writes
the same bytes (fixed core properties, fixed zip timestamps), so a rebuild shows no spurious
diff.

Jinja tags (docxtpl) used in the templates: ``{{ … }}`` for values, ``{%p … %}`` for paragraph
loops and conditions (the tag's paragraph is dropped), ``{%tr … %}`` for table rows,
``{%tc … %}`` for table columns, ``{%r … %}`` for runs and ``{% colspan … %}`` for cell spans.
Each tag is written in a single run so that docxtpl sees it whole.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from docx.document import Document as DocxDocument

HERE = Path(__file__).resolve().parent
DEFAULT_PROFILE = "lao-cai-2020"
# Profile name -> the module (beside this script) whose build_document() makes its template.
LAYOUTS = {
    "lao-cai-2020": "layout_lao_cai_2020",
    "chuyen-doi-so-2026": "layout_chuyen_doi_so_2026",
}
DEFAULT_OUT = HERE / DEFAULT_PROFILE / "quyet-dinh.docx"


def _sibling(name: str) -> ModuleType:
    """Import a module that sits beside this script, whether it runs as a script (its folder
    is then on sys.path) or is loaded by path (as the tests do)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def template_path(profile: str) -> Path:
    """Where the profile's committed template lives."""
    return HERE / profile / "quyet-dinh.docx"


def build_document(profile: str = DEFAULT_PROFILE) -> DocxDocument:
    """The profile's template, in memory."""
    if profile not in LAYOUTS:
        known = ", ".join(sorted(LAYOUTS))
        raise ValueError(f"Không có bố cục cho bộ mẫu «{profile}» (có: {known}).")
    for shared in ("docx_kit", "decision_front"):
        _sibling(shared)
    layout: Callable[[], DocxDocument] = _sibling(LAYOUTS[profile]).build_document
    return layout()


def build(path: Path, profile: str = DEFAULT_PROFILE) -> None:
    """Build the profile's template and write it to ``path``."""
    document = build_document(profile)
    _sibling("docx_kit").save(document, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Tạo lại mẫu Word quyết định của các bộ mẫu có sẵn (templates/<bộ mẫu>/)."
    )
    parser.add_argument(
        "--profile",
        choices=sorted(LAYOUTS),
        help="chỉ tạo mẫu của bộ mẫu này (mặc định: tạo tất cả)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="tệp .docx đầu ra, chỉ dùng cùng --profile "
        "(mặc định: templates/<bộ mẫu>/quyet-dinh.docx)",
    )
    args = parser.parse_args(argv)
    if args.out is not None and args.profile is None:
        parser.error("--out cần đi cùng --profile")
    profiles = [args.profile] if args.profile else list(LAYOUTS)
    for profile in profiles:
        out = args.out if args.out is not None else template_path(profile)
        build(out, profile)
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
