"""The summary's charts: PNGs of both sample profiles, drawn in grey, Vietnamese throughout.

The charts are rendered for real (matplotlib, Agg) from the Report that build_report makes of
each sample workbook; the figures' texts are read back before the PNG is written, so the
tests see what is printed on the chart, not just that an image came out.
"""

from __future__ import annotations

import dataclasses
import io
import math
import struct
import subprocess
import sys
import warnings
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from processor.reporting import chart_bars, chart_common, chart_heat, chart_labels, summary_docx
from processor.reporting.chart_heat import NOT_SCORED, cell
from processor.reporting.charts import Chart, charts, group_slugs, rows_per_page
from processor.reporting.model import GroupReport, Measure, Report, Scorecard, Threshold

from conftest import ROOT
from report_samples import sample_report

PNG = b"\x89PNG\r\n\x1a\n"
WIDTH_PX = round(chart_common.WIDTH * chart_common.DPI)  # 945: 16 cm at 150 dpi


@pytest.fixture(scope="module")
def report_2020() -> Report:
    return sample_report("lao-cai-2020")


@pytest.fixture(scope="module")
def report_2026() -> Report:
    return sample_report("chuyen-doi-so-2026")


@pytest.fixture(scope="module")
def charts_2020(report_2020: Report) -> tuple[Chart, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph … missing from font(s)" warning fails
        return charts(report_2020)


@pytest.fixture(scope="module")
def charts_2026(report_2026: Report) -> tuple[Chart, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return charts(report_2026)


def size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from the PNG's header."""
    assert png[:8] == PNG
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pixels(png: bytes):  # type: ignore[no-untyped-def]
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def drawn_texts(draw) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text on the figure `draw` makes (titles, ticks, labels, legend), as drawn."""
    from matplotlib.text import Text

    found: list[str] = []

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        draw(figure)
        figure.canvas.draw()  # ticks get their labels when drawn
        found.extend(t.get_text() for t in figure.findobj(Text) if t.get_text())

    chart_common.render(capture)
    return found


def drawn_layout(draw) -> dict:  # type: ignore[no-untyped-def]
    """The row labels, x range and box (in inches) of the figure's first axes, and the texts
    drawn outside the rows (title aside): what every part of a chart must share."""
    from matplotlib.text import Text

    found: dict = {}

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        draw(figure)
        figure.canvas.draw()
        axes = figure.axes[0]
        found["rows"] = [t.get_text() for t in axes.get_yticklabels()]
        found["xlim"] = axes.get_xlim()
        box = axes.get_position()
        found["left"] = round(box.x0 * figure.get_figwidth(), 6)
        found["width"] = round(box.width * figure.get_figwidth(), 6)
        rows = set(found["rows"])
        inside = {id(t) for t in axes.texts}  # the numbers on the bars, in the cells
        found["others"] = sorted(
            t.get_text()
            for t in figure.findobj(Text)
            if t.get_text()
            and id(t) not in inside
            and t.get_text() not in rows
            and t.get_fontsize() != chart_common.TITLE_PT
        )

    chart_common.render(capture)
    return found


def font_sizes(draw) -> list[float]:  # type: ignore[no-untyped-def]
    """The size in points of every visible text on the figure `draw` makes."""
    from matplotlib.text import Text

    found: list[float] = []

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        draw(figure)
        figure.canvas.draw()
        found.extend(
            t.get_fontsize() for t in figure.findobj(Text) if t.get_text() and t.get_visible()
        )

    chart_common.render(capture)
    return found


def outside(draw) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts of the figure `draw` makes that reach beyond its edges (none should)."""
    from matplotlib.text import Text

    found: list[str] = []

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        draw(figure)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        page = figure.bbox
        for t in figure.findobj(Text):
            if not t.get_text() or not t.get_visible():
                continue
            box = t.get_window_extent(renderer)
            inside = (
                box.x0 >= page.x0 - 1
                and box.x1 <= page.x1 + 1
                and box.y0 >= page.y0 - 1
                and box.y1 <= page.y1 + 1
            )
            if not inside:
                found.append(t.get_text())

    chart_common.render(capture)
    return found


def group(report: Report, code: str) -> GroupReport:
    return next(g for g in report.groups if g.code == code)


def test_importing_the_charts_loads_no_matplotlib():
    code = (
        "import sys, processor.reporting.charts; "
        "heavy = {'matplotlib', 'numpy', 'PIL', 'pandas'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_2020_sample_has_bars_levels_and_a_heat_map_per_group(charts_2020):
    assert [c.stem for c in charts_2020] == [
        "xep-hang-nhom-I",
        "xep-hang-nhom-II",
        "xep-hang-nhom-III",
        "muc-do",
        "ban-do-nhiet-nhom-I",
        "ban-do-nhiet-nhom-II",
        "ban-do-nhiet-nhom-III",
    ]
    assert charts_2020[0].title == "Nhóm I – Các cơ quan, đơn vị có TTHC: tổng điểm theo thứ hạng"
    assert charts_2020[3].title == "Số cơ quan, đơn vị theo mức xếp hạng, năm 2020"
    assert charts_2020[4].title == (
        "Nhóm I – Các cơ quan, đơn vị có TTHC: điểm từng tiêu chí so với điểm tối đa (%)"
    )
    assert [c.group for c in charts_2020] == ["I", "II", "III", None, "I", "II", "III"]
    for chart in charts_2020:
        assert chart.stem.isascii()
        width, height = size(chart.png)
        assert width == WIDTH_PX, chart.stem
        assert 300 < height < 2500, chart.stem
        assert pixels(chart.png).shape[:2] == (height, width)


def test_the_2026_sample_ranks_by_percent_and_splits_its_99_communes_into_pages(
    report_2026, charts_2026
):
    stems = [c.stem for c in charts_2026]
    most = rows_per_page(report_2026, group(report_2026, "XP"))
    # (9,01 in of page - 1,71 in of title, two rows of line labels, axis, legend) / 0,135 in
    assert most == 54
    n = math.ceil(99 / most)
    assert n == 2
    assert stems == [
        "xep-hang-nhom-SBN-TTHC",
        "xep-hang-nhom-SBN-DT",
        *[f"xep-hang-nhom-XP-phan-{k}" for k in range(1, n + 1)],
        "muc-do",
        "ban-do-nhiet-nhom-SBN-TTHC",
        "ban-do-nhiet-nhom-SBN-DT",
        *[f"ban-do-nhiet-nhom-XP-phan-{k}" for k in range(1, n + 1)],
    ]
    assert [c.group for c in charts_2026] == [
        "SBN-TTHC",
        "SBN-DT",
        *["XP"] * n,
        None,
        "SBN-TTHC",
        "SBN-DT",
        *["XP"] * n,
    ]
    by_stem = {c.stem: c for c in charts_2026}
    bars = "Nhóm III – UBND các xã, phường: tỷ lệ điểm đạt được (%) theo thứ hạng"
    assert by_stem["xep-hang-nhom-XP-phan-1"].title == f"{bars} (phần 1/2: hạng 1–50)"
    assert by_stem["xep-hang-nhom-XP-phan-2"].title == f"{bars} (phần 2/2: hạng 51–99)"
    heat = "Nhóm III – UBND các xã, phường: điểm từng chỉ số chính so với điểm tối đa (%)"
    assert by_stem["ban-do-nhiet-nhom-XP-phan-2"].title == f"{heat} (phần 2/2: hạng 51–99)"
    assert by_stem["xep-hang-nhom-SBN-DT"].title.endswith("theo thứ hạng")  # 13 rows: whole
    # every part prints on one page at full width: no taller than the summary allows
    for chart in charts_2026:
        assert size(chart.png)[1] <= chart_common.PAGE_TALL * chart_common.DPI, chart.stem
    # the rows keep their height: 50 bars of a part are as tall as 50 bars were before
    row_px = 0.13 * chart_common.DPI
    assert size(by_stem["xep-hang-nhom-XP-phan-1"].png)[1] > 50 * row_px


def test_the_parts_of_a_long_group_hold_each_agency_once_in_rank_order(report_2026):
    xp = group(report_2026, "XP")
    ranked = chart_common.ranked_cards(xp)
    most = rows_per_page(report_2026, xp)
    pieces = chart_common.parts(len(ranked), most)
    assert len(pieces) == math.ceil(len(ranked) / most) == 2
    assert all(p.stop - p.start <= most for p in pieces)
    expected = chart_common.agency_labels(ranked)
    for draw in (chart_bars._draw_ranked, chart_heat._draw_heat):
        drawn = [drawn_layout(lambda f, p=p, d=draw: d(f, report_2026, xp, p)) for p in pieces]
        rows = [label for layout in drawn for label in layout["rows"]]
        assert rows == expected, draw.__name__  # each once, in rank order
        assert [int(r.split(".")[0]) for r in rows] == [card.rank for card in ranked]
        first = drawn[0]
        for layout in drawn[1:]:  # the same scale, margins, lines and legend on every part
            assert layout["xlim"] == first["xlim"]
            assert layout["left"] == first["left"] and layout["width"] == first["width"]
            assert layout["others"] == first["others"]
    bars = drawn_texts(lambda f: chart_bars._draw_ranked(f, report_2026, xp, pieces[-1]))
    assert {"Mức Dẫn dắt > 75%", "Mức Nâng cao > 50%", "Mức Hình thành > 25%"} <= set(bars)
    assert any(t.startswith("Trung bình nhóm ") for t in bars)
    assert {"Mức Dẫn dắt", "Mức Khởi động"} <= set(bars)  # the whole group's legend


def test_a_group_that_fits_a_page_is_one_chart_a_longer_one_parts_of_equal_size():
    def spans(rows: int, most: int) -> list[tuple[int, int]]:
        return [(p.start, p.stop) for p in chart_common.parts(rows, most)]

    assert [(p.number, p.count) for p in chart_common.parts(50, 50)] == [(1, 1)]
    assert spans(50, 50) == [(0, 50)]
    assert spans(51, 50) == [(0, 26), (26, 51)]
    assert spans(99, 52) == [(0, 50), (50, 99)]
    assert [b - a for a, b in spans(101, 50)] == [34, 33, 34]


def test_every_text_prints_at_six_and_a_half_points_or_more(report_2020, report_2026):
    # the summary prints a chart WIDTH inches wide across PICTURE_W_MM of paper
    scale = summary_docx.PICTURE_W_MM / (chart_common.WIDTH * 25.4)
    assert scale >= 1  # never shrunk below the size it was drawn at
    for report in (report_2020, report_2026):
        draws = [partial(chart_bars._draw_levels, report=report)]
        for g in report.groups:
            rows = len(chart_common.ranked_cards(g))
            for p in chart_common.parts(rows, rows_per_page(report, g)):
                draws.append(partial(chart_bars._draw_ranked, report=report, group=g, part=p))
                draws.append(partial(chart_heat._draw_heat, report=report, group=g, part=p))
        for draw in draws:
            smallest = min(font_sizes(draw))
            assert smallest * scale >= 6.5, (report.year, smallest)


def test_every_chart_is_grey_only_for_black_and_white_print(charts_2020, charts_2026):
    for chart in (*charts_2020, *charts_2026):
        image = pixels(chart.png)
        red, green, blue = image[..., 0], image[..., 1], image[..., 2]
        assert (red == green).all() and (green == blue).all(), chart.stem
        assert image[..., :3].min() < 0.2  # there is dark ink, not a blank page


def test_the_ranked_bars_carry_vietnamese_numbers_thresholds_and_the_mean(report_2020):
    texts = drawn_texts(lambda f: chart_bars._draw_ranked(f, report_2020, group(report_2020, "I")))
    assert "1. Sở Thông tin và Truyền thông" in texts
    assert "16. Sở Tài nguyên và Môi trường" in texts
    assert "96,34" in texts and "85,02" in texts  # decimal comma
    assert {"Mức Tốt ≥ 85", "Mức Khá ≥ 70", "Mức Trung bình ≥ 50"} <= set(texts)
    assert "Trung bình nhóm 85,63" in texts  # the mean of the 16 rounded totals, 85,630625
    assert {"Mức Tốt", "Mức Khá", "Mức Trung bình", "Mức Yếu"} <= set(texts)  # the legend
    assert "Tổng điểm (tối đa 100 điểm)" in texts
    assert "100" in texts  # an axis tick


def test_the_percent_bars_mark_exclusive_bounds_and_leave_out_the_unranked(report_2026):
    texts = drawn_texts(
        lambda f: chart_bars._draw_ranked(f, report_2026, group(report_2026, "SBN-DT"))
    )
    assert "Mức Dẫn dắt > 75%" in texts and "Mức Hình thành > 25%" in texts
    assert "Trung bình nhóm 66,26%" in texts
    assert "86,52%" in texts
    assert not any("Công an tỉnh" in t for t in texts)  # assessed, not ranked
    assert any(t.startswith("Không vẽ trên biểu đồ: 2 cơ quan, đơn vị") for t in texts)
    assert "Tỷ lệ điểm đạt được so với điểm tối đa (%)" in texts


def test_the_heat_map_writes_each_percent_and_names_the_codes(report_2026, report_2020):
    texts = drawn_texts(
        lambda f: chart_heat._draw_heat(f, report_2026, group(report_2026, "SBN-TTHC"))
    )
    # Sở Giáo dục và Đào tạo, CS1: 74,20 of 100; CS3: 122,79 of 150 = 81,86 %
    assert "1. Sở Giáo dục và Đào tạo" in texts
    assert {"CS1", "CS7", "74", "82", "% điểm tối đa"} <= set(texts)
    assert "CS1: Chuyển đổi nhận thức" in texts
    criteria = drawn_texts(lambda f: chart_heat._draw_heat(f, report_2020, group(report_2020, "I")))
    assert {"TC1.1", "TC5.2", "TD", "-0,5"} <= set(criteria)  # TD: a deduction, in points
    assert any(t.startswith("TD: điểm trừ") for t in criteria)


def test_a_cell_is_the_percent_of_the_maximum_kdg_when_not_scored():
    def measure(score: str | None, maximum: str | None) -> Measure:
        return Measure(
            code="CS1",
            name="Chuyển đổi nhận thức",
            score=None if score is None else Decimal(score),
            maximum=None if maximum is None else Decimal(maximum),
            group_mean=None,
            group_best=None,
            rank=None,
            of=0,
            room=Decimal(0),
        )

    assert cell(measure("74.20", "100"))[1] == "74"
    assert cell(measure("122.79", "150")) == (pytest.approx(81.86), "82")
    assert cell(measure(None, "100"))[1] == NOT_SCORED
    assert cell(measure("-2.5", "0"))[1] == "-2,5"  # a deduction: points, not a percent
    assert cell(None)[1] == ""


def test_vietnamese_text_renders_without_a_missing_glyph(charts_2020, charts_2026):
    # the fixtures render with warnings as errors; every Vietnamese letter of both samples
    # (ạ, ể, ữ, Đ …) is in the agency names, titles and level names drawn
    assert (len(charts_2020), len(charts_2026)) == (7, 9)


def test_the_missing_glyph_check_would_catch_a_letter_the_font_lacks(report_2020):
    first = group(report_2020, "I")
    card = dataclasses.replace(first.cards[0], name="Sở 信息")
    odd = dataclasses.replace(first, cards=(card, *first.cards[1:]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart_bars.ranked_png(report_2020, odd)
    assert any("Glyph" in str(w.message) and "missing" in str(w.message) for w in caught)


def test_the_charts_are_the_same_bytes_every_time_and_leave_matplotlib_settings_alone(
    report_2020, charts_2020
):
    import matplotlib

    before = dict(matplotlib.rcParams)
    again = charts(report_2020)
    assert [c.png for c in again] == [c.png for c in charts_2020]
    assert dict(matplotlib.rcParams) == before


def test_last_years_level_counts_are_drawn_beside_this_years(report_2026):
    priors = {"Dẫn dắt": 1, "Nâng cao": 8, "Hình thành": 3, "Khởi động": 1}

    def with_prior(g: GroupReport) -> GroupReport:
        return dataclasses.replace(
            g, levels=tuple(dataclasses.replace(c, prior=priors[c.grade]) for c in g.levels)
        )

    report = dataclasses.replace(
        report_2026, prior_year=2025, groups=tuple(with_prior(g) for g in report_2026.groups)
    )
    title = chart_bars.levels_title(report, chart_bars.has_prior(report))
    assert title == "Số cơ quan, đơn vị theo mức xếp hạng, năm 2026 so với năm 2025"
    texts = drawn_texts(lambda f: chart_bars._draw_levels(f, report))
    assert {"năm 2025", "năm 2026", "53", "40", "8"} <= set(texts)
    assert "Nhóm III" in "\n".join(texts)
    assert size(chart_bars.levels_png(report))[0] == WIDTH_PX


def test_the_level_counts_are_written_on_the_bars(report_2020):
    texts = drawn_texts(lambda f: chart_bars._draw_levels(f, report_2020))
    assert {"12", "4", "7", "2", "Số cơ quan, đơn vị", "Tốt", "Khá"} <= set(texts)
    assert not {"năm 2019", "năm trước"} & set(texts)


def test_without_levels_there_is_no_level_chart_and_bars_are_one_grey(report_2020):
    plain = dataclasses.replace(
        report_2020,
        groups=tuple(dataclasses.replace(g, levels=(), thresholds=()) for g in report_2020.groups),
    )
    made = charts(plain)
    assert "muc-do" not in [c.stem for c in made]
    assert len(made) == 6
    texts = drawn_texts(lambda f: chart_bars._draw_ranked(f, plain, plain.groups[0]))
    assert not any(t.startswith("Mức ") for t in texts)
    assert "Trung bình nhóm 85,63" in texts


def test_a_group_without_ranked_agencies_has_no_bars_nor_heat_map(report_2020):
    first = report_2020.groups[0]
    unranked = tuple(dataclasses.replace(c, rank=None) for c in first.cards)
    empty = dataclasses.replace(first, cards=unranked, ranked=0, totals=None)
    report = dataclasses.replace(report_2020, groups=(empty, *report_2020.groups[1:]))
    stems = [c.stem for c in charts(report)]
    assert "xep-hang-nhom-I" not in stems and "ban-do-nhiet-nhom-I" not in stems
    assert "muc-do" in stems


def hundred_agencies(report: Report) -> Report:
    """A group of 100 agencies with long names that share their first 60 letters."""
    source = report.groups[0]
    card: Scorecard = source.cards[0]
    stem = "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh"
    cards = tuple(
        dataclasses.replace(
            card,
            name=f"{stem} số {n}",
            rank=n,
            total=Decimal(100) - Decimal(n) * Decimal("0.61"),
            grade=source.levels[min(n // 30, 3)].grade,
            criteria=tuple(
                dataclasses.replace(m, score=None) if n % 7 == 0 and i == 0 else m
                for i, m in enumerate(card.criteria)
            ),
        )
        for n in range(1, 101)
    )
    big = dataclasses.replace(source, cards=cards, ranked=100, levels=source.levels)
    return dataclasses.replace(report, groups=(big,))


def test_a_hundred_long_names_stay_distinct_and_render(report_2020):
    report = hundred_agencies(report_2020)
    labels = chart_common.agency_labels(report.groups[0].cards)
    assert len(set(labels)) == 100
    assert all(len(label) <= chart_common.NAME_CHARS + 6 for label in labels)
    assert labels[0].endswith("tỉnh số 1") and "…" in labels[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = charts(report)
    heights = {c.stem: size(c.png)[1] for c in made}
    # 100 rows, a key of 13 criteria under the heat map: 49 rows a page, so 3 parts
    assert rows_per_page(report, report.groups[0]) == 49
    assert "xep-hang-nhom-I" not in heights and "xep-hang-nhom-I-phan-4" not in heights
    assert heights["xep-hang-nhom-I-phan-1"] > 33 * 0.13 * chart_common.DPI
    for stem, height in heights.items():
        assert height <= chart_common.PAGE_TALL * chart_common.DPI, stem
    texts = drawn_texts(lambda f: chart_heat._draw_heat(f, report, report.groups[0]))
    assert NOT_SCORED in texts and "KĐG: không đánh giá." in " ".join(texts)


def clear_of_each_other(lines: list[float], places: list[chart_labels.Place]) -> None:
    """No two labels of a row overlap; no leader (nor line) passes through a lower label."""
    for i, (x, mine) in enumerate(zip(lines, places, strict=True)):
        for j, other in enumerate(places):
            if i == j:
                continue
            if mine.row == other.row:
                assert mine.stop < other.start or mine.start > other.stop, (i, j)
            if mine.row > other.row:  # i's leader rises past j's row
                low, high = min(x, mine.anchor), max(x, mine.anchor)
                assert high < other.start or low > other.stop, (i, j)


def test_line_labels_never_overlap_nor_lie_across_another_line():
    assert chart_labels.label_places([], [], 0.05, 6.25) == []
    apart = chart_labels.label_places([1.0, 3.0, 5.0], [0.8, 0.8, 0.8], 0.05, 6.25)
    assert [(p.row, p.align) for p in apart] == [(0, "center")] * 3  # room: on their lines
    # 2026, group III: threshold 25 %, the mean 48,53 %, threshold 50 %, threshold 75 %; the
    # 50 % line used to run up through «Trung bình nhóm 48,53%»
    lines, widths = [2.36, 3.55, 3.61, 4.86], [1.2, 1.35, 1.1, 1.05]
    places = chart_labels.label_places(lines, widths, 0.05, 6.25)
    clear_of_each_other(lines, places)
    assert max(p.row for p in places) == 1
    # 2020, group I: 85 and the mean 85,63 a few points apart, 70 and 50 further left
    lines, widths = [5.369, 4.829, 4.108, 5.392], [0.687, 0.72, 1.072, 1.206]
    places = chart_labels.label_places(lines, widths, 0.05, 6.25)
    clear_of_each_other(lines, places)
    assert all(p.start >= 0.05 and p.stop <= 6.25 for p in places)
    # many labels in one spot: stacked, none overlapping
    crowd = chart_labels.label_places([3.0] * 10, [0.5] * 10, 0.05, 6.25)
    assert sorted(p.row for p in crowd) == list(range(10))


def test_the_numbers_on_the_bars_sit_in_white_boxes_above_the_lines(report_2020):
    from matplotlib.lines import Line2D

    found: dict[str, list] = {}

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        chart_bars._draw_ranked(figure, report_2020, group(report_2020, "I"))
        axes = figure.axes[0]
        found["numbers"] = [t for t in axes.texts if t.get_text() in {"85,16", "85,05", "85,02"}]
        found["lines"] = [line for line in axes.get_lines() if isinstance(line, Line2D)]

    chart_common.render(capture)
    assert len(found["numbers"]) == 3 and found["lines"]
    for number in found["numbers"]:
        box = number.get_bbox_patch()
        assert box is not None and box.get_facecolor()[:3] == (1.0, 1.0, 1.0)
        assert box.get_alpha() in (None, 1.0)
        assert number.get_zorder() > max(line.get_zorder() for line in found["lines"])


def test_group_codes_become_distinct_ascii_file_names():
    assert group_slugs(["I", "SBN-TTHC", "Đ 1", "D-1", "d_1", "!!"]) == [
        "I",
        "SBN-TTHC",
        "D-1",
        "D-1-2",
        "d-1-3",
        "nhom",
    ]


def test_long_names_are_shortened_at_a_word():
    name = "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Lào Cai và các huyện"
    short = chart_common.shorten(name, 44)
    assert short.endswith("…") and len(short) <= 44 and name.startswith(short[:-1])
    assert chart_common.shorten("Sở Tư pháp", 44) == "Sở Tư pháp"


def test_a_chart_file_written_from_the_png_opens(tmp_path: Path, charts_2026):
    target = tmp_path / f"{charts_2026[0].stem}.png"
    target.write_bytes(charts_2026[0].png)
    assert pixels(target.read_bytes()).shape[1] == WIDTH_PX


@pytest.mark.parametrize("profile", ["lao-cai-2020", "chuyen-doi-so-2026"])
def test_no_text_falls_off_a_chart(profile, report_2020, report_2026):
    report = report_2020 if profile == "lao-cai-2020" else report_2026
    for g in report.groups:
        assert outside(lambda f, g=g: chart_bars._draw_ranked(f, report, g)) == [], g.code
        assert outside(lambda f, g=g: chart_heat._draw_heat(f, report, g)) == [], g.code
    assert outside(lambda f: chart_bars._draw_levels(f, report)) == []


def test_a_threshold_near_the_top_and_a_negative_total_stay_on_the_chart(report_2020):
    first = group(report_2020, "I")
    top = Threshold(grade="Xuất sắc vượt trội", value=Decimal("99"), inclusive=True)
    cards = (*first.cards[:-1], dataclasses.replace(first.cards[-1], total=Decimal("-3.5")))
    odd = dataclasses.replace(first, thresholds=(top, *first.thresholds), cards=cards)
    texts = drawn_texts(lambda f: chart_bars._draw_ranked(f, report_2020, odd))
    assert "Mức Xuất sắc vượt trội ≥ 99" in texts and "-3,50" in texts
    assert outside(lambda f: chart_bars._draw_ranked(f, report_2020, odd)) == []


def test_the_heat_map_shades_the_groups_own_range_and_its_best_cell_is_mid_dark(report_2020):
    from matplotlib.image import AxesImage

    found: dict = {}

    def capture(figure) -> None:  # type: ignore[no-untyped-def]
        chart_heat._draw_heat(figure, report_2020, group(report_2020, "I"))
        figure.canvas.draw()
        image = next(a for a in figure.axes[0].get_children() if isinstance(a, AxesImage))
        found["clim"] = image.get_clim()
        found["cmap"] = image.get_cmap()
        found["ticks"] = [round(t) for t in figure.axes[1].get_yticks()]
        found["cells"] = {
            (t.get_text(), t.get_color()) for t in figure.axes[0].texts if t.get_text()
        }

    chart_common.render(capture)
    # group I's lowest cell is 61 %: the scale runs 60-100, not 0-100
    assert found["clim"] == (60, 100)
    assert found["ticks"] == [60, 70, 80, 90, 100]
    best = found["cmap"](1.0)
    assert 0.2 < best[0] < 0.4  # mid-dark grey, not black: b/w print tells cells apart
    assert ("100", "white") in found["cells"] and ("61", "black") in found["cells"]
    assert ("100", "black") not in found["cells"]
    assert chart_heat.scale_floor([57.0, 100.0, math.nan]) == 50
    assert chart_heat.scale_floor([100.0]) == 90 and chart_heat.scale_floor([]) == 0
    assert chart_heat.scale_ticks(0) == [0, 20, 40, 60, 80, 100]
