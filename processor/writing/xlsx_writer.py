"""A small .xlsx writer for tables of text and exact numbers: what the results workbook needs.

Not openpyxl, which every `run` would then load, for what was measured on this tool: importing
it costs 0.13 s, more than the sample's whole rendering; it writes about 40,000 cells a second
(10,000 agencies x 40 columns took 11 s, against the 5 s the whole run may take; this writer
takes under 1 s); it prints a Decimal through a float ("%.16g": 9.2 became 9.199999999999999);
and it makes any text beginning with "=" a formula. Here a number is written with its own
digits, and text always as an inline string, never <f>, whatever it begins with.

Each sheet is one table, its elements in the order Excel writes them (ECMA-376 part 1): a header
row with a filter over the table, frozen panes, number formats, comments on header cells,
landscape A4 with the header on every printed page. xlsx_package.py puts the sheets into the
package, with fixed times, so the same tables give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

from processor.writing.xlsx_package import (
    HEAD,
    MAIN,
    R,
    clean_text,
    comment_parts,
    escape,
    letter,
    relationships,
    zipped,
)

Value: TypeAlias = Decimal | int | str | None

TEXT_FORMAT = "@"
WHOLE_FORMAT = "0"
_BUILT_IN = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
_FIRST_CUSTOM = 164
HEADER_FILL = "FFDDEBF7"
MUTED_COLOUR = "FF595959"  # rows set apart (units not ranked): grey italics
FILTER_BUTTON = 3  # characters of a header hidden under the filter's drop-down button
_NORMAL, _BOLD, _MUTED = 0, 1, 2  # font ids in styles.xml


@dataclass(frozen=True, slots=True)
class Column:
    """A column: header, one value per row, how Excel shows them."""

    header: str
    values: tuple[Value, ...]
    number_format: str = TEXT_FORMAT
    note: str | None = None  # a comment on the header cell
    widest: int = 60


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet holding one table, its header in row 1."""

    name: str
    columns: tuple[Column, ...]
    muted: frozenset[int] = frozenset()  # 0-based rows shown in grey italics
    frozen_columns: int = 0  # columns kept in view when scrolling right (the header always is)
    filtered: bool = True


def workbook_bytes(tables: Sequence[Table], title: str, author: str, moment: datetime) -> bytes:
    """The .xlsx holding `tables`, one sheet each, the first one open."""
    styles = _Styles()
    parts: list[tuple[str, str]] = []
    overrides = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml")]
    for number, table in enumerate(tables, start=1):
        noted = [(index, c.note) for index, c in enumerate(table.columns) if c.note]
        parts.append((f"xl/worksheets/sheet{number}.xml", _sheet(table, styles, number, noted)))
        overrides.append((f"/xl/worksheets/sheet{number}.xml", "spreadsheetml.worksheet+xml"))
        if noted:
            parts += comment_parts(number, noted, author)
            overrides.append((f"/xl/comments{number}.xml", "spreadsheetml.comments+xml"))
    count = len(tables)
    rels = [(f"rId{n}", "worksheet", f"worksheets/sheet{n}.xml") for n in range(1, count + 1)]
    rels.append((f"rId{count + 1}", "styles", "styles.xml"))
    parts += [
        ("xl/workbook.xml", _workbook(tables)),
        ("xl/_rels/workbook.xml.rels", relationships(rels)),
        ("xl/styles.xml", styles.xml()),
    ]
    overrides.append(("/xl/styles.xml", "spreadsheetml.styles+xml"))
    return zipped(parts, overrides, title, author, moment)


def points_format(decimals: int) -> str:
    """`#,##0.00`: Vietnamese Excel shows 1.234,50, as the decision prints numbers."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def exact_text(value: Decimal) -> str:
    """`96.34`, `1000`, `-2.5`: plain digits that Excel reads back as the same decimal."""
    text = str(value)
    if "E" in text:  # 1E+3: written out
        text = f"{value:f}"
    return "0" if value == 0 else text


def width(column: Column) -> float:
    """Wide enough for the header (and its filter button) and the longest value as shown."""
    decimals = column.number_format.partition(".")[2].count("0")
    numbers = [v for v in column.values if isinstance(v, Decimal | int)]
    texts = [v for v in column.values if isinstance(v, str)]
    shown = [len(column.header) + FILTER_BUTTON]
    if numbers:  # the longest shown is that of the largest or the most negative
        for extreme in (max(numbers), min(numbers)):
            shown.append(len(f"{Decimal(extreme):,.{decimals}f}") + 1)  # a sign
    shown += [max((len(line) for line in text.splitlines()), default=0) for text in texts]
    return float(min(column.widest, max(6, max(shown) + 1)))


class _Styles:
    """The cell formats used, each once: number format x font (header, normal, muted)."""

    def __init__(self) -> None:
        self.formats: dict[str, int] = {}
        self.xfs: list[tuple[int, int]] = [(0, _NORMAL)]  # (numFmtId, fontId); 0 is default

    def of(self, number_format: str, font: int) -> int:
        code = _BUILT_IN.get(number_format)
        if code is None:
            code = self.formats.setdefault(number_format, _FIRST_CUSTOM + len(self.formats))
        key = (code, font)
        if key not in self.xfs:
            self.xfs.append(key)
        return self.xfs.index(key)

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{code}" formatCode="{escape(text, True)}"/>'
            for text, code in self.formats.items()
        )
        font = '<sz val="11"/>{}<name val="Calibri"/><family val="2"/>'
        fonts = "".join(
            f"<font>{font.format(extra)}</font>"
            for extra in ("", "<b/>", f'<i/><color rgb="{MUTED_COLOUR}"/>')
        )
        xfs = []
        for code, font_id in self.xfs:
            attributes = f'numFmtId="{code}" fontId="{font_id}" borderId="0" xfId="0"'
            applied = (' applyNumberFormat="1"' if code else "") + (
                ' applyFont="1"' if font_id else ""
            )
            if font_id == _BOLD:  # the header: filled, centred, wrapped
                xfs.append(
                    f'<xf {attributes} fillId="2"{applied} applyFill="1" applyAlignment="1">'
                    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
                )
            else:
                xfs.append(f'<xf {attributes} fillId="0"{applied}/>')
        return (
            f'{HEAD}<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if formats else "")
            + f'<fonts count="3">{fonts}</fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_FILL}"/>'
            '<bgColor indexed="64"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/><tableStyles count="0"/></styleSheet>'
        )


def _sheet(table: Table, styles: _Styles, number: int, noted: list[tuple[int, str]]) -> str:
    columns = table.columns
    letters = [letter(index) for index in range(len(columns))]
    rows = max((len(column.values) for column in columns), default=0)
    last = f"{letters[-1]}{rows + 1}" if columns else "A1"
    header = styles.of("General", _BOLD)
    cells = "".join(
        f'<c r="{letters[i]}1" s="{header}" t="inlineStr">{_inline(c.header)}</c>'
        for i, c in enumerate(columns)
    )
    lines = [f'<row r="1">{cells}</row>']
    plain = [styles.of(c.number_format, _NORMAL) for c in columns]
    muted = [styles.of(c.number_format, _MUTED) for c in columns]
    by_column = [
        _cells(letters[i], c.values, rows, plain[i], muted[i], table.muted)
        for i, c in enumerate(columns)
    ]
    for row, cells_of_row in enumerate(zip(*by_column, strict=True), start=2):
        lines.append(f'<row r="{row}">{"".join(cells_of_row)}</row>')
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{width(c):g}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    selected = ' tabSelected="1"' if number == 1 else ""
    tail = f'<autoFilter ref="A1:{last}"/>' if table.filtered and columns else ""
    tail += (
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><pageSetup paperSize="9" orientation="landscape"/>'
    )
    if noted:
        tail += '<legacyDrawing r:id="rId2"/>'
    return (
        f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{R}"><dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0">{_pane(table.frozen_columns)}'
        f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f"<sheetData>{''.join(lines)}</sheetData>{tail}</worksheet>"
    )


def _cells(
    column: str, values: Sequence[Value], rows: int, plain: int, muted: int, grey: frozenset[int]
) -> list[str]:
    """Every cell of one column, row by row ("" for an empty one); one loop, it is the bulk."""
    out: list[str] = []
    add = out.append
    for row, value in enumerate((*values, *[None] * (rows - len(values)))):
        if value is None:
            add("")
        elif isinstance(value, str):
            style = muted if row in grey else plain
            add(f'<c r="{column}{row + 2}" s="{style}" t="inlineStr">{_inline(value)}</c>')
        else:
            style = muted if row in grey else plain
            digits = exact_text(value) if isinstance(value, Decimal) else str(int(value))
            add(f'<c r="{column}{row + 2}" s="{style}"><v>{digits}</v></c>')
    return out


def _inline(text: str) -> str:
    text = clean_text(text)
    keep = text != text.strip() or "\n" in text
    space = ' xml:space="preserve"' if keep else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


def _pane(columns: int) -> str:
    """The header row frozen, and the first `columns` columns with it."""
    if columns <= 0:
        return (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
    first = letter(columns)
    return (
        f'<pane xSplit="{columns}" ySplit="1" topLeftCell="{first}2" activePane="bottomRight" '
        f'state="frozen"/><selection pane="topRight" activeCell="{first}1" sqref="{first}1"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        f'<selection pane="bottomRight" activeCell="{first}2" sqref="{first}2"/>'
    )


def _workbook(tables: Sequence[Table]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(t.name, True)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in enumerate(tables, start=1)
    )
    names = []
    for index, table in enumerate(tables):
        quoted = "'" + table.name.replace("'", "''") + "'"
        rows = max((len(column.values) for column in table.columns), default=0)
        if table.filtered and table.columns:
            span = f"{quoted}!$A$1:${letter(len(table.columns) - 1)}${rows + 1}"
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
                f'hidden="1">{escape(span)}</definedName>'
            )
        names.append(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
            f"{escape(quoted)}!$1:$1</definedName>"
        )
    return (
        f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{R}"><workbookPr/><bookViews>'
        f'<workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
        f"<definedNames>{''.join(names)}</definedNames></workbook>"
    )
