"""The scorecards (phiếu kết quả): one page per agency, read back from the real .docx.

Built from the two sample workbooks through the real pipeline (inspect, evaluate, build_report)
and read with python-docx as a person would read them: split into pages at each page break,
every figure on a page checked against the agency's Scorecard. The PDF made by LibreOffice
must have exactly one page per agency.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from processor.core.formatting import format_number, format_points
from processor.reporting.model import Measure, Report, Scorecard
from processor.reporting.scorecard_fit import SIZES, card_height_mm, lines
from processor.reporting.scorecard_text import card_paragraphs, card_title, change_text
from processor.reporting.scorecards import scorecards_document

from report_samples import sample_report


@pytest.fixture(scope="module")
def report_2020() -> Report:
    return sample_report("lao-cai-2020")


@pytest.fixture(scope="module")
def report_dx() -> Report:
    return sample_report("chuyen-doi-so-2026")


@pytest.fixture(scope="module")
def docx_2020(report_2020: Report) -> bytes:
    return scorecards_document(report_2020, report_2020.cards)


@pytest.fixture(scope="module")
def docx_dx(report_dx: Report) -> bytes:
    return scorecards_document(report_dx, report_dx.cards)


# Reading the document back -------------------------------------------------------------------


class Page:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.tables: list[list[list[str]]] = []

    @property
    def text(self) -> str:
        cells = [" ".join(row) for table in self.tables for row in table]
        return "\n".join([*self.paragraphs, *cells])


def page_breaks(document: docx.document.Document) -> int:
    body = document.element.body
    before = len(body.findall(f".//{qn('w:pageBreakBefore')}"))
    hard = [br for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    return before + len(hard)


def pages(data: bytes) -> list[Page]:
    """The document split at each "page break before", tables read row by row."""
    document = docx.Document(io.BytesIO(data))
    found: list[Page] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            if not found or paragraph.paragraph_format.page_break_before:
                found.append(Page())
            if paragraph.text:
                found[-1].paragraphs.append(paragraph.text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            found[-1].tables.append([[cell.text for cell in row.cells] for row in table.rows])
    return found


def number(report: Report, value: Decimal | None) -> str:
    """As printed: a negative number with a minus sign (U+2212), never split at a line end."""
    return "–" if value is None else format_number(value, report.precision).replace("-", "\u2212")


def expected_row(report: Report, measure: Measure) -> list[str]:
    score = "KĐG" if measure.score is None else number(report, measure.score)
    maximum = "–" if measure.maximum is None else format_points(measure.maximum)
    best = number(report, measure.group_best)
    return [measure.code, measure.name, score, maximum, number(report, measure.group_mean), best]


def rank_cell(measure: Measure) -> str:
    return "–" if measure.rank is None else f"{measure.rank}/{measure.of}"


def check_page(report: Report, card: Scorecard, page: Page) -> None:
    """Everything on the page belongs to `card` and says what its Scorecard says."""
    assert page.paragraphs[0] == card_title(report)
    assert page.paragraphs[1] == card.name
    assert card.group_title in page.paragraphs[2]
    result = page.paragraphs[3]
    assert result.startswith(card.name)
    if card.rank is not None:
        assert format_number(card.total, report.precision) in result
        assert f"/{format_points(card.max_points)} điểm" in result
        assert f"xếp hạng {card.rank}/{card.ranked_in_group} " in result
    else:
        assert f"không xếp hạng: {card.unranked_reason}" in result
    if card.grade is not None:
        assert f"Mức độ: {card.grade}." in result
    assert list(page.paragraphs[3:])[: len(card_paragraphs(report, card))] == list(
        card_paragraphs(report, card)
    )
    tables = list(page.tables)
    if card.indices:
        indices = tables.pop(0)
        assert indices[0] == [
            "Mã",
            "Chỉ số",
            "Điểm",
            "Tối đa",
            "TB nhóm",
            "Cao nhất nhóm",
            "Hạng trong nhóm",
        ]
        assert indices[1:] == [[*expected_row(report, m), rank_cell(m)] for m in card.indices]
    criteria = tables.pop(0)
    assert not tables
    shown = [row[2] for table in page.tables for row in table[1:]]
    assert ("KĐG: không đánh giá." in page.paragraphs) == ("KĐG" in shown)
    heading = ["Mã", "Tiêu chí", "Điểm", "Tối đa", "TB nhóm", "Cao nhất nhóm"]
    ranked = not card.indices
    assert criteria[0] == heading + (["Hạng trong nhóm"] if ranked else [])
    assert [row[0] for row in criteria[1:]] == [m.code for m in card.criteria]
    assert criteria[1:] == [
        expected_row(report, m) + ([rank_cell(m)] if ranked else []) for m in card.criteria
    ]


# The whole document -------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["lao-cai-2020", "chuyen-doi-so-2026"])
def test_every_agency_has_its_own_page_and_every_figure_on_it_is_its_own(
    profile: str, report_2020: Report, report_dx: Report, docx_2020: bytes, docx_dx: bytes
) -> None:
    report, data = (report_2020, docx_2020) if profile == "lao-cai-2020" else (report_dx, docx_dx)
    cards = report.cards
    assert len(cards) == (32 if profile == "lao-cai-2020" else 122)
    document = docx.Document(io.BytesIO(data))
    assert page_breaks(document) == len(cards) - 1
    found = pages(data)
    assert len(found) == len(cards)
    for card, page in zip(cards, found, strict=True):
        check_page(report, card, page)


def test_the_2020_cards_say_what_a_reader_expects(docx_2020: bytes) -> None:
    first = pages(docx_2020)[0]
    assert first.paragraphs[:5] == [
        "PHIẾU KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2020",
        "Sở Thông tin và Truyền thông",
        "Nhóm I: Các cơ quan, đơn vị có TTHC",
        "Sở Thông tin và Truyền thông đạt 96,34/100 điểm (96,34%), xếp hạng 1/16 trong nhóm I. "
        "Mức độ: Tốt. Đơn vị đã ở mức cao nhất (Tốt).",
        "Năm 2019 xếp hạng 3; năm 2020 xếp hạng 1 (tăng 2 bậc).",
    ]
    assert first.paragraphs[5].startswith(
        "Các tiêu chí còn nhiều điểm có thể cải thiện nhất: TC2.1 Ứng dụng nội bộ: hệ thống quản "
        "lý văn bản và điều hành, gửi nhận văn bản điện tử (còn 1,23 điểm); "
    )
    # Without main indices the criteria stand in: they carry the rank in the group.
    assert first.tables[0][1][-1] == "1/16"


def test_a_dx_card_names_the_points_in_percent_and_the_indices_with_most_room(
    report_dx: Report, docx_dx: bytes
) -> None:
    cards = report_dx.cards
    position = next(
        i for i, c in enumerate(cards) if c.lacking_percent is not None and c.lacking is not None
    )
    card, page = cards[position], pages(docx_dx)[position]
    percent = format_number(card.lacking_percent or Decimal(0), report_dx.percent_precision)
    points = format_number(card.lacking or Decimal(0), report_dx.precision)
    assert (
        f"Cần thêm {percent} điểm phần trăm (khoảng {points} điểm) để đạt mức {card.next_grade}."
        in page.paragraphs[3]
    )
    room = page.paragraphs[-1]
    assert room.startswith("Các chỉ số còn nhiều điểm có thể cải thiện nhất: ")
    top = card.most_room[0]
    assert f"{top.code} {top.name} (còn {format_number(top.room, 2)} điểm)" in room
    assert len(page.tables) == 2 and len(page.tables[0]) == 1 + 7


def test_the_page_is_a4_with_decree_30_margins_and_times_new_roman(docx_2020: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_2020))
    section = document.sections[0]
    measured = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(length.mm, 1) for length in measured] == [210, 297, 20, 20, 30, 15]
    fonts = document.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:rFonts')}")
    assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert not any("Theme" in name or "theme" in name for name in fonts.attrib)
    assert document.styles["Normal"].font.size.pt == 13
    body = document.paragraphs[3]
    assert body.runs[0].font.size.pt == 13


def test_the_header_row_is_light_grey_and_repeats(docx_dx: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_dx))
    table = document.tables[0]
    header = table.rows[0]._tr
    assert header.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    fills = {shd.get(qn("w:fill")) for shd in header.iter(qn("w:shd"))}
    assert fills == {"D9D9D9"}
    assert not list(table.rows[1]._tr.iter(qn("w:shd")))  # the rows stay white


def test_one_agency_alone_has_no_page_break_and_looks_as_in_the_whole_set(
    report_dx: Report, docx_dx: bytes
) -> None:
    card = report_dx.cards[5]
    data = scorecards_document(report_dx, [card])
    document = docx.Document(io.BytesIO(data))
    assert page_breaks(document) == 0
    (page,) = pages(data)
    check_page(report_dx, card, page)
    assert page.text == pages(docx_dx)[5].text

    def table_sizes(document: docx.document.Document) -> set[str | None]:
        body = document.element.body
        return {
            sz.get(qn("w:val")) for tbl in body.iter(qn("w:tbl")) for sz in tbl.iter(qn("w:sz"))
        }

    assert table_sizes(document) == table_sizes(docx.Document(io.BytesIO(docx_dx)))


def test_the_same_report_gives_the_same_bytes(report_2020: Report, docx_2020: bytes) -> None:
    assert scorecards_document(report_2020, report_2020.cards) == docx_2020
    properties = docx.Document(io.BytesIO(docx_2020)).core_properties
    # as the summary's: 31/12 of the report's year, the province
    moments = {moment.replace(tzinfo=None) for moment in (properties.created, properties.modified)}
    assert moments == {datetime(2020, 12, 31)}
    assert properties.author == report_2020.province == "Lào Cai"
    assert properties.title == card_title(report_2020)


def test_a_name_with_markup_characters_is_printed_as_typed(report_2020: Report) -> None:
    card = report_2020.cards[0]
    odd = replace(
        card,
        name="Sở A & B <thử>",
        criteria=(replace(card.criteria[0], name='Tiêu chí "x" < y & z'), *card.criteria[1:]),
    )
    (page,) = pages(scorecards_document(report_2020, [odd]))
    assert page.paragraphs[1] == "Sở A & B <thử>"
    assert page.tables[0][1][1] == 'Tiêu chí "x" < y & z'


# The sentences ------------------------------------------------------------------------------


def test_the_sentences_of_each_case(report_2020: Report) -> None:
    card = report_2020.cards[3]
    report = replace(report_2020, prior_year=2019)
    lacking = replace(
        card, grade="Khá", next_grade="Tốt", lacking=Decimal("0.45"), lacking_percent=None
    )
    assert "Cần thêm 0,45 điểm để đạt mức Tốt." in card_paragraphs(report, lacking)[0]
    in_percent = replace(lacking, lacking=Decimal("9.6"), lacking_percent=Decimal("1.2"))
    assert (
        "Cần thêm 1,20 điểm phần trăm (khoảng 9,60 điểm) để đạt mức Tốt."
        in card_paragraphs(report, in_percent)[0]
    )
    top = replace(card, grade="Tốt", next_grade=None, lacking=None)
    assert "Đơn vị đã ở mức cao nhất (Tốt)." in card_paragraphs(report, top)[0]
    new = replace(card, prior_rank=None, rank_change=None)
    assert "Chưa có thứ hạng năm 2019 để so sánh." in card_paragraphs(report, new)
    down = replace(card, rank=5, prior_rank=4, rank_change=-1)
    assert "Năm 2019 xếp hạng 4; năm 2020 xếp hạng 5 (giảm 1 bậc)." in card_paragraphs(report, down)
    assert [change_text(n) for n in (2, -1, 0)] == ["tăng 2 bậc", "giảm 1 bậc", "giữ nguyên"]
    unranked = replace(
        card, rank=None, unranked_reason="Cơ quan đặc thù", next_grade=None, grade=None
    )
    texts = card_paragraphs(report, unranked)
    assert texts[0] == (
        f"{card.name} đạt 88,51/100 điểm (88,51%); được đánh giá nhưng không xếp hạng: "
        "Cơ quan đặc thù."
    )
    assert not any("xếp hạng" in text and "Năm" in text for text in texts)


def test_a_province_rewords_the_sentences(report_2020: Report) -> None:
    texts = {
        "card_title": "KẾT QUẢ {chu_de_hoa} CỦA ĐƠN VỊ, NĂM {nam}",
        "card_result": "{don_vi}: {tong_diem} trên {toi_da} điểm, hạng {hang} trên {so_don_vi}.",
    }
    texts["card_room"] = "Nên ưu tiên các {loai}: {danh_sach}."
    report = replace(report_2020, texts=texts)
    card = report.cards[0]
    (page,) = pages(scorecards_document(report, [card]))
    assert page.paragraphs[5].startswith("Nên ưu tiên các tiêu chí: TC2.1 ")
    assert page.paragraphs[0] == "KẾT QUẢ ỨNG DỤNG CNTT CỦA ĐƠN VỊ, NĂM 2020"
    assert page.paragraphs[3].startswith(
        "Sở Thông tin và Truyền thông: 96,34 trên 100 điểm, hạng 1"
    )


def test_without_a_percent_the_card_works_it_out_from_its_total(report_2020: Report) -> None:
    card = replace(
        report_2020.cards[0], total=Decimal("62.5"), max_points=Decimal(80), percent=None
    )
    assert "(78,13%)" in card_paragraphs(report_2020, card)[0]


# Fitting one page ---------------------------------------------------------------------------


def test_the_longer_profile_gets_the_smaller_tables(docx_2020: bytes, docx_dx: bytes) -> None:
    def size(data: bytes) -> float:
        table = docx.Document(io.BytesIO(data)).element.body.find(qn("w:tbl"))
        return int(table.find(f".//{qn('w:sz')}").get(qn("w:val"))) / 2

    assert size(docx_2020) == 11 and size(docx_dx) == 10
    assert set(SIZES) >= {size(docx_2020), size(docx_dx)}


def test_the_height_estimate_grows_with_the_rows(report_dx: Report) -> None:
    card = report_dx.cards[0]
    title = card_title(report_dx)
    texts = card_paragraphs(report_dx, card)
    longer = replace(card, criteria=card.criteria * 2)
    assert card_height_mm(title, longer, texts, 2, 10) > card_height_mm(title, card, texts, 2, 10)
    assert card_height_mm(title, card, texts, 2, 9) < card_height_mm(title, card, texts, 2, 10)
    assert lines("một hai ba", 1000, 10) == 1
    assert lines("một hai ba " * 40, 50, 10) > 5


def pdf_pages(pdf: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        return len(PdfReader(pdf).pages)
    if shutil.which("pdfinfo"):
        done = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
        )
        return int(re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) không có trên máy này: không đếm được số trang PDF",
)
def test_the_pdf_has_exactly_one_page_per_agency(
    tmp_path: Path, report_2020: Report, docx_2020: bytes
) -> None:
    from processor.writing.pdf import convert_to_pdf

    source = tmp_path / "phieu-ket-qua-2020.docx"
    source.write_bytes(docx_2020)
    target = tmp_path / "phieu-ket-qua-2020.pdf"
    assert convert_to_pdf(source, target) is None
    assert pdf_pages(target) == len(report_2020.cards) == 32
