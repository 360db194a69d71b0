"""The one way the reader parses XML: expat, with every DTD refused and nesting bounded.

An entity bomb needs a DTD to declare its entities, and a DTD can only stand before the root
element: refusing any DOCTYPE means no entity is ever declared, let alone expanded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn
from xml.parsers import expat

from processor.reading import limits
from processor.reading.refusals import hostile_xml, too_deep

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def xml_parser(
    part: str,
    start: StartHandler,
    end: EndHandler | None = None,
    text: TextHandler | None = None,
) -> expat.XMLParserType:
    """An expat parser that refuses any DTD, as defusedxml's parser does with forbid_dtd=True.

    These are the handlers defusedxml installs, on the same expat; we call expat directly
    because defusedxml's ElementTree layer runs a pure-Python parser and builds a tree, which
    doubled the time to read a 10,000-agency sheet. Element names come as 'namespace}name'.
    """

    def refuse(*_: object) -> NoReturn:
        raise hostile_xml(part)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = limits.CHUNK
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def guarded_parser(
    part: str,
    start: StartHandler,
    end: EndHandler | None = None,
    text: TextHandler | None = None,
) -> expat.XMLParserType:
    """`xml_parser` that also refuses nesting deeper than MAX_XML_DEPTH, for the small parts.

    The sheet, where a call per element counts, keeps its own count in its handlers.
    """
    depth = 0

    def started(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > limits.MAX_XML_DEPTH:
            raise too_deep(part)
        start(name, attrs)

    def ended(name: str) -> None:
        nonlocal depth
        depth -= 1
        if end is not None:
            end(name)

    return xml_parser(part, started, ended, text)
