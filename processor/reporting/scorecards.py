"""The scorecards (phiếu kết quả): one A4 page per agency, all in one .docx.

Each page: the title; the agency and its group; its result, level, what it lacks for the next
level, its prior rank and the change, the indices with the most room (scorecard_text.py: every
sentence a report_wording template); then its main indices and its criteria beside the group's
mean and best (scorecard_tables.py), at the largest type size at which the report's longest
card still fits one page (scorecard_fit.py).

Pages are separated by "page break before" on each later page's title, so no page can end in
an empty paragraph that spills onto a blank page, and a single card (an agency's email
attachment) has no break at all. The bytes are deterministic: fixed document properties and
zip entries without the clock.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from processor.reporting.model import Report, Scorecard
from processor.reporting.scorecard_fit import table_size
from processor.reporting.scorecard_tables import (
    BODY_PT,
    CRITERION_HEADING,
    INDEX_HEADING,
    NAME_PT,
    NOT_SCORED,
    SENTENCE_GAP_PT,
    TABLE_GAP_PT,
    TITLE_GAP_PT,
    TITLE_PT,
    add_measure_table,
    criteria_ranked,
    group_line,
    new_document,
    not_scored_anywhere,
)
from processor.reporting.scorecard_text import card_paragraphs, card_title
from processor.reporting.summary_docx import created_on, minus_signs

NOT_SCORED_NOTE = f"{NOT_SCORED}: không đánh giá."
INDENT_PT = 28  # the sentences' first-line indent (1 cm)


def scorecards_document(report: Report, cards: Sequence[Scorecard]) -> bytes:
    """The .docx of `cards` (all of the report's, or one agency's), one page each.

    The tables' type size is chosen over all of the report's cards (and `cards`), so an
    agency's emailed card looks like its page in the whole set.
    """
    from docx.shared import Pt

    from processor.writing.files import canonical_zip

    title = card_title(report)
    pages = [(card, card_paragraphs(report, card)) for card in cards]
    others = [(card, card_paragraphs(report, card)) for card in report.cards if card not in cards]
    size = table_size(title, [*pages, *others], report.precision)
    document = new_document()
    _properties(document, title, report)
    for number, (card, paragraphs) in enumerate(pages):
        _page(document, report, card, paragraphs, title, size, first=number == 0)
    # Word wants a paragraph after a table at the end of the body; an explicit one, tiny, so it
    # cannot push anything onto a page of its own.
    ending = document.add_paragraph()
    ending.paragraph_format.line_spacing = Pt(1)
    ending.add_run().font.size = Pt(1)
    buffer = io.BytesIO()
    document.save(buffer)
    return canonical_zip(buffer.getvalue())


def _page(
    document: Any,
    report: Report,
    card: Scorecard,
    paragraphs: Sequence[str],
    title: str,
    size: float,
    *,
    first: bool,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not first:
        heading.paragraph_format.page_break_before = True
    heading.paragraph_format.space_after = Pt(TITLE_GAP_PT)
    heading.paragraph_format.keep_with_next = True
    _run(heading, title, TITLE_PT, bold=True)
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.paragraph_format.keep_with_next = True
    _run(name, card.name, NAME_PT, bold=True)
    group = document.add_paragraph()
    group.alignment = WD_ALIGN_PARAGRAPH.CENTER
    group.paragraph_format.space_after = Pt(TITLE_GAP_PT)
    _run(group, group_line(card), BODY_PT, italic=True)
    paragraph = group
    for text in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(INDENT_PT)
        paragraph.paragraph_format.space_after = Pt(SENTENCE_GAP_PT)
        _run(paragraph, text, BODY_PT)
    paragraph.paragraph_format.space_after = Pt(TABLE_GAP_PT)  # the space above the tables
    if card.indices:
        add_measure_table(document, INDEX_HEADING, card.indices, report.precision, True, size)
    if card.indices and card.criteria:
        _gap(document)
    if card.criteria:
        ranked = criteria_ranked(card)
        add_measure_table(
            document, CRITERION_HEADING, card.criteria, report.precision, ranked, size
        )
    if not_scored_anywhere(card):
        note = document.add_paragraph()
        note.paragraph_format.space_before = Pt(2)
        _run(note, NOT_SCORED_NOTE, size, italic=True)


def _gap(document: Any) -> None:
    """The paragraph between the two tables, which keeps Word from merging them: a thin one."""
    from docx.shared import Pt

    gap = document.add_paragraph()
    gap.paragraph_format.line_spacing = Pt(TABLE_GAP_PT)
    gap.add_run().font.size = Pt(TABLE_GAP_PT)


def _run(
    paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False
) -> None:
    from docx.shared import Pt

    run = paragraph.add_run(minus_signs(text))
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None


def _properties(document: Any, title: str, report: Report) -> None:
    """Fixed, as the summary's (summary_docx.new_document): the same report gives the same
    bytes whenever it is written; the author is the province."""
    moment = created_on(report.year)
    properties = document.core_properties
    properties.title = title
    properties.subject = f"{report.subject} năm {report.year}"
    properties.author = report.province
    properties.last_modified_by = report.province
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.language = "vi-VN"
    properties.revision = 1
    properties.created = moment
    properties.modified = moment
    properties.last_printed = moment
