"""The package around an .xlsx's sheets: content types, relationships, properties, comments.

Written as Excel writes them (ECMA-376 part 1 and 2), with fixed zip entry times
(files.canonical_entry), so the same sheets give the same bytes. Comments on header cells need
both the comments part and a VML drawing, or Excel does not show them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime

from processor.writing.files import canonical_entry

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument."
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # Excel would read _x0041_ as "A"
_MAX_TEXT = 32_767  # Excel's limit for one cell

Part = tuple[str, str]  # (name in the zip, XML text)


def zipped(
    parts: Sequence[Part],
    overrides: Sequence[tuple[str, str]],
    title: str,
    author: str,
    moment: datetime,
) -> bytes:
    """The whole package: `parts` (sheets, workbook, styles, comments) and what every file needs.

    `overrides` are (part name, content type after "application/vnd.openxmlformats-
    officedocument.") for the parts that are not plain XML.
    """
    everything = [
        *parts,
        ("docProps/core.xml", _core(title, author, moment)),
        ("docProps/app.xml", _APP),
        ("_rels/.rels", _ROOT_RELS),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(canonical_entry("[Content_Types].xml"), _content_types(overrides))
        for name, text in everything:
            # Level 1: a third of the time of the default for a fifth more bytes (10,000 units:
            # 0.13 s and 2.8 MB against 0.5 s and 2.1 MB).
            archive.writestr(canonical_entry(name), text.encode(), compresslevel=1)
    return buffer.getvalue()


def clean_text(text: str) -> str:
    """What a cell can hold of `text`: no control characters, `_xHHHH_` kept literal."""
    text = _ILLEGAL.sub("", text)
    return _ESCAPE_LIKE.sub(r"_x005F_\1", text)[:_MAX_TEXT]


def letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def comment_parts(number: int, noted: list[tuple[int, str]], author: str) -> list[tuple[str, str]]:
    """The comments of a sheet's header cells, and the VML shapes Excel shows them in."""
    comments = "".join(
        f'<comment ref="{letter(index)}1" authorId="0"><text><t xml:space="preserve">'
        f"{escape(clean_text(note))}</t></text></comment>"
        for index, note in noted
    )
    shapes = "".join(
        f'<v:shape id="_x0000_s{number * 1024 + 1 + n}" type="#_x0000_t202" '
        'style="position:absolute;'
        "margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:90pt;z-index:"
        f'{n + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
        f"<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{index + 1}, 15, 0, 2, {index + 5}, "
        f"15, 6, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>0</x:Row>"
        f"<x:Column>{index}</x:Column></x:ClientData></v:shape>"
        for n, (index, _) in enumerate(noted)
    )
    vml = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        f'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>{shapes}</xml>'
    )
    rels = [
        ("rId1", "comments", f"../comments{number}.xml"),
        ("rId2", "vmlDrawing", f"../drawings/vmlDrawing{number}.vml"),
    ]
    return [
        (
            f"xl/comments{number}.xml",
            f'{HEAD}<comments xmlns="{MAIN}"><authors><author>{escape(clean_text(author))}'
            f"</author></authors><commentList>{comments}</commentList></comments>",
        ),
        (f"xl/drawings/vmlDrawing{number}.vml", vml),
        (f"xl/worksheets/_rels/sheet{number}.xml.rels", relationships(rels)),
    ]


def relationships(items: Sequence[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"/>'
        for rid, kind, target in items
    )
    return f'{HEAD}<Relationships xmlns="{_PACKAGE_RELS}">{body}</Relationships>'


_ROOT_RELS = (
    f'{HEAD}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{R}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)


def _content_types(overrides: Sequence[tuple[str, str]]) -> bytes:
    parts = "".join(
        f'<Override PartName="{name}" ContentType="{_TYPE}{kind}"/>' for name, kind in overrides
    )
    return (
        f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Default Extension="vml" ContentType="{_TYPE}vmlDrawing"/>{parts}'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
        f'ContentType="{_TYPE}extended-properties+xml"/></Types>'
    ).encode()


def _core(title: str, author: str, moment: datetime) -> str:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    who = escape(clean_text(author))
    return (
        f"{HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(clean_text(title))}</dc:title><dc:creator>{who}</dc:creator>"
        f"<cp:lastModifiedBy>{who}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


_APP = (
    f'{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>xep-hang-cntt</Application></Properties>'
)


def escape(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text
