"""SpreadsheetML's vocabulary, shared by the small parts and the sheet: names, flags, escapes."""

from __future__ import annotations

import re

MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML" save option
)
RELATIONSHIP_ATTRIBUTES = tuple(
    f"{ns}}}id"
    for ns in (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
)
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
TRUE = frozenset({"1", "true"})  # how an XML boolean attribute says yes, lower-cased

_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def tags(*local_names: str) -> dict[str, str]:
    """Expat's 'namespace}name' for the main namespaces, mapped to the local name."""
    return {f"{ns}}}{name}": name for ns in MAIN for name in local_names}


def unescape(text: str) -> str:
    """Excel writes characters XML cannot carry as _xHHHH_ (and a literal '_x' as _x005F_x)."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        allowed = code in (0x09, 0x0A, 0x0D) or 0x20 <= code < 0xD800 or 0xE000 <= code < 0xFFFE
        return chr(code) if allowed else match.group(0)  # never a character Word would refuse

    return _XML_ESCAPE.sub(character, text) if "_x" in text else text
