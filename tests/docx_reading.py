"""Reading a rendered decision back with python-docx, as a person would read it.

Paragraphs and table cells in document order; a line break inside a paragraph starts a new
line; subscript digits read as Unicode subscripts (PCVP₂), as the reference's text has them.
A table row is read cell by cell and then once more as one line of its cells (the reference's
text shows the layout tables cell by cell and the results table row by row, tab-separated).
Tables are walked through `table.rows` (linear), never `table.cell(r, c)` (quadratic).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def paragraph_text(paragraph: Paragraph) -> str:
    parts = []
    for run in paragraph.runs:
        text = run.text
        parts.append(text.translate(SUBSCRIPT) if run.font.subscript else text)
    return "".join(parts)


def own_cells(table: Table, row) -> Iterator[_Cell]:
    """Each cell of the row once: no repeats for a horizontal span, none for a vertical one."""
    for tc in row._tr.tc_lst:
        if tc.vMerge == "continue":
            continue
        yield _Cell(tc, table)


def blocks(document) -> Iterator[str]:
    """Paragraph texts in reading order, table cells included."""
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield paragraph_text(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for row in table.rows:
                cells = [
                    "\n".join(paragraph_text(p) for p in c.paragraphs)
                    for c in own_cells(table, row)
                ]
                yield from cells
                if len(cells) > 1:
                    yield " ".join(cells)


def normalise(line: str) -> str:
    return " ".join(line.split())


def lines(path: Path) -> list[str]:
    """Every non-empty line of the document, whitespace-normalised."""
    out = []
    for block in blocks(docx.Document(str(path))):
        for line in block.split("\n"):
            if normalise(line):
                out.append(normalise(line))
    return out


def table_rows(table: Table) -> list[list[str]]:
    """A table as rows of cell texts, one entry per grid column (spans repeat, as Word shows)."""
    return [
        [normalise("\n".join(paragraph_text(p) for p in cell.paragraphs)) for cell in row.cells]
        for row in table.rows
    ]
