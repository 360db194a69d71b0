"""The summary (báo cáo tổng hợp) for the council and the press: one .docx with its charts.

The title and an introduction; then per group a short paragraph written by fixed templates
(sentences.py), the number of agencies per level (and the change since last year when the
history knows it), the statistics of the totals and of each index, the biggest movers up and
down, who leads each index, and the group's charts; the level chart over all groups; finally
the results to look at before signing (the flags), or a sentence saying there are none.

Every figure comes from the Report (tables.py); the bytes are deterministic (fixed document
properties and zip entry times).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from processor.core.formatting import format_points
from processor.core.report_wording import report_text
from processor.reporting import summary_tables as tables
from processor.reporting.model import GroupReport, Report
from processor.reporting.sentences import group_paragraphs, summary_intro, summary_title
from processor.reporting.summary_docx import (
    CAPTION,
    HEADING,
    SUBHEADING,
    Grid,
    add_grid,
    add_picture,
    created_on,
    document_bytes,
    drawn_line,
    minus_signs,
    new_document,
    paragraph,
)

if TYPE_CHECKING:
    from docx.document import Document

LEVEL_CHART = "muc-do"  # the stem of the level chart over all groups
NOTE_PT = 12
TITLE_PT = 14
NBSP = "\u00a0"
TITLE_LINE = 62  # characters of 14 pt bold capitals that fit on one line of the text width


class Chart(Protocol):
    """What the summary needs of a chart (charts.Chart): a file stem, a title, the PNG and
    the code of the group it belongs to (None for a chart over all groups)."""

    @property
    def stem(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def png(self) -> bytes: ...

    @property
    def group(self) -> str | None: ...


def summary_document(report: Report, charts: Sequence[Chart]) -> bytes:
    """The summary as .docx bytes, `charts` embedded beside the groups they belong to."""
    title = summary_title(report)
    document = new_document(title, report.province, created_on(report.year))
    document.core_properties.subject = f"{report.subject} năm {report.year}"
    _title(document, title)
    drawn_line(document, 60)
    paragraph(document, summary_intro(report))
    by_group, overall = charts_by_group(report, charts)
    numbers = _Numbers()
    section = 1
    _heading(document, f"{roman(section)}. KẾT QUẢ THEO TỪNG NHÓM")
    for number, group in enumerate(report.groups, 1):
        _group(document, report, group, number, by_group.get(group.code, ()), numbers)
    if overall:
        section += 1
        _heading(document, f"{roman(section)}. MỨC ĐỘ CỦA CÁC NHÓM")
        for chart in overall:
            add_picture(document, chart.png, figure_caption(numbers.figure(), chart.title))
    section += 1
    _flags(document, report, section, numbers)
    return document_bytes(document)


def _title(document: Document, title: str) -> None:
    from docx.shared import Pt

    heading = paragraph(document, style=CAPTION)
    heading.paragraph_format.space_before = Pt(0)
    lines = title_lines(title)
    for number, line in enumerate(lines, 1):
        run = heading.add_run(minus_signs(line))
        run.font.size = Pt(TITLE_PT)
        if number < len(lines):
            run.add_break()


class _Numbers:
    """Tables and figures are numbered through the document."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def _heading(document: Document, text: str, *, sub: bool = False, new_page: bool = False) -> None:
    made = paragraph(document, text, style=SUBHEADING if sub else HEADING)
    if new_page:
        made.paragraph_format.page_break_before = True


def _group(
    document: Document,
    report: Report,
    group: GroupReport,
    number: int,
    pictures: Sequence[Chart],
    numbers: _Numbers,
) -> None:
    label = group.label or group.code
    _heading(document, f"{number}. Nhóm {label}: {group.title}", sub=True, new_page=number > 1)
    for part in group_paragraphs(report, group):
        paragraph(document, " ".join(part))
    where = f" – Nhóm {label}"
    levels = tables.level_grid(report, group)
    if levels is not None:
        _table(document, f"Số đơn vị theo mức độ{where}", levels, numbers)
    stats = tables.stats_grid(report, group)
    if stats is not None:
        unit = "Đơn vị tính: điểm" + ("; tỷ lệ: %" if group.percents is not None else "")
        _table(document, f"Thống kê tổng điểm và từng {_word(report)}{where}", stats, numbers,
               unit=unit, note=tables.stats_note(group))  # fmt: skip
    if group.movers_up:
        grid = tables.mover_grid(report, group.movers_up)
        _table(document, f"Các đơn vị tăng hạng nhiều nhất{where}", grid, numbers)
    if group.movers_down:
        grid = tables.mover_grid(report, group.movers_down)
        _table(document, f"Các đơn vị giảm hạng nhiều nhất{where}", grid, numbers)
    leaders = tables.leader_grid(report, group)
    if leaders is not None:
        _table(document, f"Đơn vị dẫn đầu từng {_word(report)}{where}", leaders, numbers)
    for chart in pictures:
        add_picture(document, chart.png, figure_caption(numbers.figure(), chart.title))


def _word(report: Report) -> str:
    return "chỉ số chính" if report.index_kind == "pillar" else "tiêu chí"


def _table(
    document: Document,
    caption: str,
    grid: Grid,
    numbers: _Numbers,
    *,
    unit: str | None = None,
    note: str | None = None,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph(document, f"Bảng {numbers.table()}. {caption}", style=CAPTION)
    if unit is not None:
        line = paragraph(document, unit, style=CAPTION, italic=True, size=NOTE_PT)
        line.runs[0].bold = False
        line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.space_before = Pt(0)
    add_grid(document, grid)
    after = paragraph(document, note or "", style=CAPTION, italic=True, size=NOTE_PT)
    after.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    after.paragraph_format.keep_with_next = False
    after.paragraph_format.space_before = Pt(3 if note else 0)
    after.paragraph_format.space_after = Pt(6)
    if after.runs:
        after.runs[0].bold = False


def _flags(document: Document, report: Report, section: int, numbers: _Numbers) -> None:
    _heading(document, f"{roman(section)}. KẾT QUẢ CẦN XEM TRƯỚC KHI KÝ")
    unit = "điểm phần trăm" if any(group.by_percent for group in report.groups) else "điểm"
    values = {"bien": format_points(report.margin), "don_vi": unit}
    if not report.flags:
        paragraph(document, report_text(report.texts, "summary_no_flags", **values))
        return
    paragraph(document, report_text(report.texts, "summary_flags", **values))
    for heading, flags in tables.flags_by_kind(report):
        _table(document, heading, tables.flag_grid(report, flags), numbers)


def figure_caption(number: int, title: str) -> str:
    """«Hình 5. …», a short bracket at the end kept on one line: «(phần 1/2: hạng 1–50)»."""
    head, bracket, tail = title.rpartition(" (")
    if bracket and tail.endswith(")") and len(tail) <= 30:
        title = head + " (" + tail.replace(" ", NBSP)
    return f"Hình {number}. {title}"


def title_lines(title: str) -> tuple[str, ...]:
    """A title too long for one line, cut in two near its middle (after a comma if one is
    close), so no line ends with half a phrase: Decree 30 titles sit on balanced lines."""
    if len(title) <= TITLE_LINE:
        return (title,)
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    middle = len(title) / 2

    def cost(i: int) -> float:
        return abs(i - middle) - (8 if title[i - 1] == "," else 0)

    cut = min(spaces, key=cost)
    return title[:cut], title[cut + 1 :]


def charts_by_group(
    report: Report, charts: Sequence[Chart]
) -> tuple[dict[str, tuple[Chart, ...]], tuple[Chart, ...]]:
    """The charts of each group (by the exact group code each chart carries), in the order
    given (a chart in parts keeps its parts in order), and the others: the level chart first,
    then any chart of all groups or of a group the report does not have.
    """
    codes = {group.code for group in report.groups}
    found: dict[str, list[Chart]] = {}
    others: list[Chart] = []
    for chart in charts:
        if chart.group is not None and chart.group in codes:
            found.setdefault(chart.group, []).append(chart)
        else:
            others.append(chart)
    others.sort(key=lambda chart: chart.stem != LEVEL_CHART)  # the level chart first
    return {code: tuple(group) for code, group in found.items()}, tuple(others)


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out
