"""The summary .docx, read back with python-docx: its tables, its figures and its pictures.

On the digital-transformation sample the main-index figures of the summary are compared with
figures computed here from evaluate's AgencyResult.pillar_totals (statistics on Decimals) and
with the results workbook the tool writes beside the decision (read with openpyxl): the
issue's "the main-index figures in the summary agree with the results workbook".
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import statistics
import struct
import zlib
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

from processor.config.resources import find_profile
from processor.core.flags import NEAR_BOUNDARY, flags
from processor.core.formatting import format_number, format_points
from processor.core.model import GroupResult, Rules
from processor.core.past import PastAgency, PastYear
from processor.core.report_wording import report_text
from processor.core.scoring import evaluate
from processor.pipeline import inspect
from processor.reporting.charts import Chart, charts, rows_per_page
from processor.reporting.model import Report
from processor.reporting.sentences import group_paragraphs
from processor.reporting.summary import NBSP, charts_by_group, summary_document, title_lines
from processor.reporting.summary_docx import minus_signs
from processor.writing.results_workbook import results_workbook

from conftest import ROOT, SAMPLE

DX_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
TEXT_WIDTH_TWIPS = round(165 * 1440 / 25.4)
STAT_COLUMNS = [
    "Nội dung",
    "Tối đa",
    "Trung bình",
    "Trung vị",
    "Cao nhất",
    "Thấp nhất",
    "Chênh lệch",
    "Độ lệch chuẩn",
]


@dataclasses.dataclass(frozen=True)
class Built:
    rules: Rules
    info: Any
    groups: tuple[GroupResult, ...]
    report: Report
    charts: tuple[Chart, ...]
    data: bytes
    document: Any

    def blocks(self) -> list[Paragraph | Table]:
        body = self.document.element.body
        found: list[Paragraph | Table] = []
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                found.append(Paragraph(child, self.document))
            elif child.tag == qn("w:tbl"):
                found.append(Table(child, self.document))
        return found

    def tables(self) -> dict[str, Table]:
        """Each table by its caption without the number ("Số đơn vị theo mức độ – Nhóm I")."""
        found, caption = {}, None
        for block in self.blocks():
            if isinstance(block, Paragraph):
                if block.text.startswith("Bảng "):
                    caption = block.text.split(". ", 1)[1]
            elif caption is not None:
                found[caption] = block
                caption = None
        return found

    def texts(self) -> list[str]:
        return [block.text for block in self.blocks() if isinstance(block, Paragraph)]


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def build(
    profile: str,
    workbook: Path,
    *,
    past: PastYear | None = None,
    with_flags: bool = True,
    pictures: tuple[Chart, ...] | None = None,
) -> Built:
    found = inspect(workbook, find_profile(profile).rules)
    assert found.evaluation is not None
    groups = evaluate(found.rules, found.evaluation.agencies)
    found_flags = flags(found.rules, groups) if with_flags else ()
    report = build_report(found.rules, found.evaluation.info, groups, found_flags, past)
    drawn = charts(report) if pictures is None else pictures
    data = summary_document(report, drawn)
    document = docx.Document(io.BytesIO(data))
    return Built(found.rules, found.evaluation.info, groups, report, drawn, data, document)


def build_report(*args: Any) -> Report:
    from processor.reporting.tables import build_report as build

    return build(*args)


def png(width: int, height: int) -> bytes:
    """A grey PNG of the given size, without any imaging library."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + (chunk(b"IEND", b""))
    )


@pytest.fixture(scope="module")
def dx() -> Built:
    return build("chuyen-doi-so-2026", DX_SAMPLE)


@pytest.fixture(scope="module")
def cntt() -> Built:
    return build("lao-cai-2020", SAMPLE)


def expected_stats(values: list[Decimal], precision: int) -> list[str]:
    figures = [
        statistics.mean(values),
        statistics.median(values),
        max(values),
        min(values),
        max(values) - min(values),
        statistics.pstdev(values),
    ]
    return [format_number(value, precision) for value in figures]


def test_the_main_index_figures_agree_with_the_computed_results(dx: Built) -> None:
    tables = dx.tables()
    p = dx.rules.precision
    for result in dx.groups:
        label = result.group.printed_label
        table = rows(tables[f"Thống kê tổng điểm và từng chỉ số chính – Nhóm {label}"])
        assert table[0] == STAT_COLUMNS
        by_name = {row[0]: row for row in table[1:]}
        totals = [r.rounded_total for r in result.results]
        assert by_name["Tổng điểm"][1:] == [
            format_points(result.group.max_points),
            *expected_stats(totals, p),
        ]
        percents = [r.percent for r in result.results if r.percent is not None]
        assert by_name["Tỷ lệ (%)"][2:] == expected_stats(percents, dx.rules.percent_precision)
        for pillar in dx.rules.pillars:
            values = [r.pillar_totals[pillar.code] for r in result.results]
            maxima = {r.pillar_max[pillar.code] for r in result.results}
            row = by_name[f"{pillar.code} {pillar.name}"]
            assert row[1] == (format_points(maxima.pop()) if len(maxima) == 1 else "—")
            assert row[2:] == expected_stats(values, p), pillar.code
        assert len(by_name) == 2 + len(dx.rules.pillars)


def test_the_main_index_figures_agree_with_the_results_workbook(dx: Built) -> None:
    data = results_workbook(dx.rules, dx.info, dx.groups)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Kết quả"]
    lines = list(sheet.iter_rows(values_only=True))
    headers = list(lines[0])
    columns = {f"Chỉ số {pillar.code}": pillar for pillar in dx.rules.pillars}
    assert set(columns) <= set(headers)
    values: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for line in lines[1:]:
        row = dict(zip(headers, line, strict=True))
        if row["Xếp hạng"] is None:
            continue  # assessed, not ranked: not in the group's figures
        for header in [*columns, "Tổng điểm"]:
            values[(row["Nhóm"], header)].append(Decimal(str(row[header])))
    tables = dx.tables()
    p = dx.rules.precision
    compared = 0
    for group in dx.report.groups:
        table = rows(tables[f"Thống kê tổng điểm và từng chỉ số chính – Nhóm {group.label}"])
        by_name = {row[0]: row for row in table[1:]}
        for header in [*columns, "Tổng điểm"]:
            name = "Tổng điểm" if header == "Tổng điểm" else columns[header].code
            label = name if name == "Tổng điểm" else f"{name} {columns[header].name}"
            mine = values[(group.code, header)]
            assert len(mine) == group.ranked
            row = by_name[label]
            # Trung bình, Cao nhất, Thấp nhất as the workbook's columns give them
            assert row[2] == format_number(sum(mine) / len(mine), p), (group.code, header)
            assert row[4] == format_number(max(mine), p)
            assert row[5] == format_number(min(mine), p)
            compared += 1
    assert compared == 3 * (len(columns) + 1)


def test_every_chart_is_embedded_once_with_its_caption_in_its_group(dx: Built) -> None:
    assert len(dx.charts) == 9  # the 99 communes' bars and heat map in two parts each
    assert len(dx.document.inline_shapes) == len(dx.charts)
    blips = dx.document.element.body.findall(".//" + qn("a:blip"))
    assert len(blips) == len(dx.charts)
    embedded = [dx.document.part.related_parts[b.get(qn("r:embed"))].blob for b in blips]
    assert sorted(embedded) == sorted(chart.png for chart in dx.charts)
    texts = dx.texts()
    captions = [text.replace(NBSP, " ") for text in texts if text.startswith("Hình ")]
    assert [c.split(". ", 1)[1] for c in captions] == [
        chart.title for chart in _in_document_order(dx)
    ]
    headings = [texts.index(f"{n}. Nhóm {g.label}: {g.title}") for n, g in
                enumerate(dx.report.groups, 1)]  # fmt: skip
    headings.append(texts.index("II. MỨC ĐỘ CỦA CÁC NHÓM"))
    texts = [text.replace(NBSP, " ") for text in texts]
    for number, group in enumerate(dx.report.groups):
        mine = [c for c in dx.charts if c.group == group.code]
        assert len(mine) == (4 if group.code == "XP" else 2)
        for chart in mine:
            where = next(i for i, t in enumerate(texts) if t.endswith(". " + chart.title))
            assert headings[number] < where < headings[number + 1], chart.stem
    level = next(c for c in dx.charts if c.stem == "muc-do")
    assert texts.index(next(t for t in texts if t.endswith(level.title))) > headings[-1]


def test_the_parts_of_a_long_group_print_at_the_text_width_in_legible_type(dx: Built) -> None:
    from processor.reporting import chart_common

    section = dx.document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert abs(text_width - Mm(165)) < Mm(0.02)  # the page is stored in twips
    xp = next(g for g in dx.report.groups if g.code == "XP")
    most = rows_per_page(dx.report, xp)
    parts = [c for c in dx.charts if "-phan-" in c.stem]
    assert len(parts) == 2 * math.ceil(xp.ranked / most) == 4
    by_png = {c.png: c for c in dx.charts}
    shapes = {by_png[blob(dx, shape)].stem: shape for shape in dx.document.inline_shapes}
    for chart in dx.charts:
        shape = shapes[chart.stem]
        # full width (none is too tall for a page), to the twip the section is stored in
        assert abs(shape.width - text_width) < Mm(0.02), chart.stem
        assert shape.height <= Mm(236), chart.stem
        px_width, _ = png_size(chart.png)
        drawn_inches = px_width / chart_common.DPI
        printed_inches = shape.width / 914400
        scale = printed_inches / drawn_inches
        # the labels (7 pt) and the smallest text drawn (the numbers, the key) as printed
        assert chart_common.PT * scale >= 6.5, chart.stem
        assert chart_common.SMALL * scale >= 6.5, chart.stem
    captions = [t for t in dx.texts() if t.startswith("Hình ") and "phần" in t]
    assert [c.split(". ", 1)[1].replace(NBSP, " ") for c in captions] == [c.title for c in parts]
    assert all(c.endswith(NBSP.join(["(phần", "1/2:", "hạng", "1–50)"])) for c in captions[::2])


def blob(built: Built, shape: Any) -> bytes:
    embed = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    return built.document.part.related_parts[embed].blob


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _in_document_order(built: Built) -> list[Chart]:
    by_group, others = charts_by_group(built.report, built.charts)
    ordered = [chart for group in built.report.groups for chart in by_group.get(group.code, ())]
    return ordered + list(others)


def test_the_page_fonts_and_tables_follow_decree_30(dx: Built) -> None:
    section = dx.document.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    sizes += [section.left_margin, section.right_margin]
    assert [round(size.mm) for size in sizes] == [210, 297, 20, 20, 30, 15]
    assert section.different_first_page_header_footer
    styles = dx.document.styles.element
    fonts = {
        rfonts.get(qn(f"w:{slot}"))
        for rfonts in styles.iter(qn("w:rFonts"))
        for slot in ("ascii", "hAnsi", "eastAsia", "cs")
    }
    assert fonts == {"Times New Roman"}
    assert not [a for r in styles.iter(qn("w:rFonts")) for a in r.attrib if "Theme" in a]
    assert dx.document.styles["Normal"].font.size.pt == 14
    tables = [block for block in dx.blocks() if isinstance(block, Table)]
    assert len(tables) > 12
    for table in tables:
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= TEXT_WIDTH_TWIPS + 1
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        first, *rest = table.rows
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in rest)
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    stats = dx.tables()["Thống kê tổng điểm và từng chỉ số chính – Nhóm I"]
    for row in list(stats.rows)[1:]:
        aligns = [cell.paragraphs[0].paragraph_format.alignment for cell in row.cells]
        assert aligns[0] == WD_ALIGN_PARAGRAPH.LEFT
        assert set(aligns[1:]) == {WD_ALIGN_PARAGRAPH.RIGHT}


def test_the_title_intro_and_group_paragraphs_are_the_sentences(dx: Built) -> None:
    texts = dx.texts()
    title = report_text({}, "summary_title", chu_de_hoa="CHUYỂN ĐỔI SỐ", nam="2026")
    assert texts[0] == "\n".join(title_lines(title))
    assert texts[0].replace("\n", " ") == title
    for group in dx.report.groups:
        for part in group_paragraphs(dx.report, group):
            assert " ".join(part) in texts
    assert dx.document.core_properties.title == title


def test_level_counts_with_thresholds_and_last_year(cntt: Built) -> None:
    table = rows(cntt.tables()["Số đơn vị theo mức độ – Nhóm I"])
    assert table == [
        ["Mức độ", "Ngưỡng", "Số đơn vị", "Tỷ lệ (%)"],
        ["Tốt", "Từ 85 điểm trở lên", "12", "75,00"],
        ["Khá", "Từ 70 đến dưới 85 điểm", "4", "25,00"],
        ["Trung bình", "Từ 50 đến dưới 70 điểm", "0", "0,00"],
        ["Yếu", "Dưới 50 điểm", "0", "0,00"],
        ["Cộng", "", "16", "100,00"],
    ]
    first = cntt.groups[0]
    past = PastYear(
        2019,
        "lao-cai-2020",
        tuple(
            PastAgency(r.agency.name, first.group.code, n, r.rounded_total, grade="Khá")
            for n, r in enumerate(first.results, 1)
        ),
    )
    later = build("lao-cai-2020", SAMPLE, past=past, pictures=())
    table = rows(later.tables()["Số đơn vị theo mức độ – Nhóm I"])
    assert table[0][4:] == ["Năm 2019", "Tăng (+), giảm (-)"]
    assert [row[4:] for row in table[1:]] == [
        ["0", "+12"],
        ["16", "\u221212"],  # a minus sign: the number cannot lose its sign at a line break
        ["0", "0"],
        ["0", "0"],
        ["16", "0"],
    ]
    assert len(rows(later.tables()["Số đơn vị theo mức độ – Nhóm II"])[0]) == 4


def test_levels_in_percent_read_as_the_rules_state_them(dx: Built) -> None:
    table = rows(dx.tables()["Số đơn vị theo mức độ – Nhóm III"])
    assert [row[1] for row in table[1:-1]] == [
        "Trên 75%",
        "Trên 50% đến 75%",
        "Trên 25% đến 50%",
        "Từ 25% trở xuống",
    ]
    assert table[-1][2] == "99"


def test_movers_and_leaders_tables_hold_the_reports_rows(dx: Built) -> None:
    tables = dx.tables()
    for group in dx.report.groups:
        for word, moved in (("tăng", group.movers_up), ("giảm", group.movers_down)):
            caption = f"Các đơn vị {word} hạng nhiều nhất – Nhóm {group.label}"
            if not moved:
                assert caption not in tables
                continue
            table = rows(tables[caption])
            assert table[0] == ["TT", "Đơn vị", "Hạng năm 2025", "Hạng năm 2026", "Thay đổi (bậc)"]
            assert len(table) - 1 == len(moved) <= 5
            for row, mover in zip(table[1:], moved, strict=True):
                assert row[1:] == [
                    mover.name,
                    str(mover.prior_rank),
                    str(mover.rank),
                    f"{mover.change:+d}".replace("-", "\u2212"),
                ]
        table = rows(tables[f"Đơn vị dẫn đầu từng chỉ số chính – Nhóm {group.label}"])
        assert len(table) - 1 == len(group.leaders) == 7
        for row, leader in zip(table[1:], group.leaders, strict=True):
            assert row[2].split("\n") == list(leader.agencies)
            assert row[3] == format_number(leader.score, dx.rules.precision)


def test_the_flags_are_listed_for_the_council(cntt: Built) -> None:
    texts = cntt.texts()
    assert "III. KẾT QUẢ CẦN XEM TRƯỚC KHI KÝ" in texts
    table = rows(cntt.tables()["Các đơn vị sát ngưỡng một mức"])
    near = [f for f in cntt.report.flags if f.kind == NEAR_BOUNDARY]
    assert [row[2] for row in table[1:]] == [f.name for f in near]
    assert {row[2] for row in table[1:]} == {
        "Sở Tư pháp",
        "Sở Giáo dục và Đào tạo",
        "UBND huyện Bát Xát",
        "Thanh Tra tỉnh",
    }
    assert [row[3] for row in table[1:]] == [f.detail for f in near]
    total = sum(len(t.rows) - 1 for c, t in cntt.tables().items() if c.startswith("Các "))
    assert total >= len(cntt.report.flags)


def every_run(document: Any) -> list[str]:
    return [t.text or "" for t in document.element.body.iter(qn("w:t"))]


def test_a_negative_number_keeps_its_sign_on_its_line(cntt: Built) -> None:
    # "(từ 0,00 xuống -0,50)" broke as "xuống -" / "0,50)": a minus sign (U+2212) cannot.
    steps = rows(cntt.tables()["Các thứ hạng đổi nếu một ô điểm thay đổi một bước chấm"])
    assert any("xuống \u22120,50" in row[3] for row in steps[1:])
    runs = every_run(cntt.document)
    assert not [t for t in runs if re.search(r"(^|[\s(])-\d", t)]
    assert minus_signs("(-1) a-1 xuống -0,5; -x") == "(\u22121) a-1 xuống \u22120,5; -x"


def test_the_standard_deviation_is_said_to_be_the_populations(cntt: Built) -> None:
    group = cntt.report.groups[0]
    table = rows(cntt.tables()[f"Thống kê tổng điểm và từng tiêu chí – Nhóm {group.label}"])
    totals = [card.total for card in group.cards if card.rank is not None]
    assert table[1][-1] == format_number(statistics.pstdev(totals), 2)
    texts = cntt.texts()
    caption = next(i for i, t in enumerate(texts) if t.endswith(f"tiêu chí – Nhóm {group.label}"))
    assert texts[caption + 1 + 1].startswith("Độ lệch chuẩn: độ lệch chuẩn tổng thể")


def test_no_flags_is_said_in_a_sentence() -> None:
    built = build("lao-cai-2020", SAMPLE, with_flags=False, pictures=())
    texts = built.texts()
    heading = texts.index("II. KẾT QUẢ CẦN XEM TRƯỚC KHI KÝ")  # no level chart: II, not III
    sentence = texts[heading + 1]
    assert sentence.startswith("Không có kết quả nào cách ngưỡng một mức không quá 0,1 điểm")
    assert "Các đơn vị sát ngưỡng một mức" not in built.tables()
    assert len(built.document.inline_shapes) == 0


def test_the_same_report_gives_the_same_bytes(cntt: Built) -> None:
    again = summary_document(cntt.report, cntt.charts)
    assert again == cntt.data
    properties = cntt.document.core_properties
    # as the scorecards: the province, 31/12 of the report's year
    moments = {moment.replace(tzinfo=None) for moment in (properties.created, properties.modified)}
    assert moments == {datetime(cntt.report.year, 12, 31)}
    assert properties.author == properties.last_modified_by == cntt.report.province == "Lào Cai"


def test_a_group_nobody_is_ranked_in_still_has_its_heading() -> None:
    built = build("lao-cai-2020", SAMPLE, with_flags=False, pictures=())
    empty = dataclasses.replace(
        built.report.groups[1],
        ranked=0,
        unranked=0,
        totals=None,
        percents=None,
        indices=(),
        movers_up=(),
        movers_down=(),
        leaders=(),
        cards=(),
    )
    report = dataclasses.replace(
        built.report, groups=(built.report.groups[0], empty, built.report.groups[2])
    )
    document = docx.Document(io.BytesIO(summary_document(report, ())))
    texts = [p.text for p in document.paragraphs]
    heading = texts.index(f"2. Nhóm II: {empty.title}")
    assert texts[heading + 1] == f"Nhóm II ({empty.title}) có 0 đơn vị được xếp hạng."
    captions = [t for t in texts if t.startswith("Bảng ") and t.endswith("Nhóm II")]
    assert captions == [next(t for t in captions if "mức độ" in t)]  # only the level counts


def test_charts_find_their_group_by_the_code_they_carry_not_their_stem() -> None:
    built = build("chuyen-doi-so-2026", DX_SAMPLE, with_flags=False, pictures=())
    made = [
        Chart("xep-hang-nhom-SBN-TTHC", "a", png(40, 20), "SBN-TTHC"),
        Chart("muc-do-khac", "b", png(20, 20), None),
        Chart("muc-do", "c", png(20, 40), None),
        Chart("ban-do-nhiet-nhom-XP-2", "d", png(20, 20), "XP"),  # a collision suffix
        Chart("xep-hang-nhom-XP-phan-2", "f", png(20, 20), "XP"),
        Chart("ban-do-nhiet-nhom-II", "e", png(20, 20), "SBN-DT"),  # the label in the stem
        Chart("xep-hang-nhom-SBN-DT", "g", png(20, 20), "sbn-dt"),  # not the exact code
    ]
    by_group, others = charts_by_group(built.report, made)
    assert {code: [c.title for c in found] for code, found in by_group.items()} == {
        "SBN-TTHC": ["a"],
        "XP": ["d", "f"],
        "SBN-DT": ["e"],
    }
    assert [c.title for c in others] == ["c", "b", "g"]
    document = docx.Document(io.BytesIO(summary_document(built.report, made)))
    assert len(document.inline_shapes) == 7
    order = [c.title for c in _order(built, made)]
    tall = document.inline_shapes[order.index("c")]  # twice as tall as wide: fits the height
    assert tall.height <= Mm(236.01) and tall.width < Mm(165)
    wide = document.inline_shapes[order.index("a")]
    assert wide.width == Mm(165)


def _order(built: Built, made: list[Chart]) -> list[Chart]:
    by_group, others = charts_by_group(built.report, made)
    return [c for g in built.report.groups for c in by_group.get(g.code, ())] + list(others)
