"""The results workbook beside the decision, read back as Excel would read it.

Real files: the two sample workbooks through the pipeline, the .xlsx opened with openpyxl (an
independent reader: the tool writes the file itself) and its sheet XML parsed, so that a number
is compared with the computed Decimal digit for digit and a text cell is seen to be text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from processor.config.resources import default_profile, find_profile
from processor.core.model import AgencyScores, DecisionInfo, GroupResult, Rules
from processor.core.scoring import evaluate
from processor.pipeline import inspect, process
from processor.writing.results_workbook import results_name, results_workbook

from conftest import ROOT, SAMPLE

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
CDS_SAMPLE = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
SAMPLES = [("lao-cai-2020", SAMPLE), ("chuyen-doi-so-2026", CDS_SAMPLE)]


def computed(profile: str, workbook: Path) -> tuple[Rules, DecisionInfo, tuple[GroupResult, ...]]:
    found = inspect(workbook, find_profile(profile).rules)
    assert found.evaluation is not None
    return found.rules, found.evaluation.info, evaluate(found.rules, found.evaluation.agencies)


def sheet_xml(data: bytes, number: int = 1) -> dict[str, tuple[str | None, str | None, bool]]:
    """Cell reference -> (type attribute, the text in the file, whether it has a formula)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = ET.fromstring(package.read(f"xl/worksheets/sheet{number}.xml"))
    cells = {}
    for cell in root.iter(f"{{{NS['m']}}}c"):
        value = cell.find("m:v", NS)
        inline = cell.find("m:is/m:t", NS)
        text = value.text if value is not None else inline.text if inline is not None else None
        cells[cell.get("r")] = (cell.get("t"), text, cell.find("m:f", NS) is not None)
    return cells


def table(data: bytes) -> tuple[Any, list[str], list[dict[str, tuple[Any, str | None, str]]]]:
    """The results sheet, its headers, and per row: header -> (value, exact text, format)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Kết quả"]
    headers = [cell.value for cell in sheet[1]]
    exact = sheet_xml(data)
    rows = []
    for cells in sheet.iter_rows(min_row=2):
        rows.append(
            {
                header: (cell.value, exact.get(cell.coordinate, (None, None, False))[1], cell)
                for header, cell in zip(headers, cells, strict=True)
            }
        )
    return book, headers, rows


def number(entry: tuple[Any, str | None, Any]) -> Decimal | None:
    """The exact decimal stored in a cell (its <v> text), None for an empty cell."""
    return None if entry[1] is None else Decimal(entry[1])


@pytest.mark.parametrize(("profile", "workbook"), SAMPLES)
def test_every_agency_once_with_exactly_the_computed_results(profile, workbook):
    rules, info, groups = computed(profile, workbook)
    data = results_workbook(rules, info, groups)
    _, headers, rows = table(data)
    results = [(g, r) for g in groups for r in (*g.results, *g.unranked)]
    assert len(rows) == len(results)
    assert len({row["Tên đơn vị"][0] for row in rows}) == len(rows)  # each agency once
    mark = min(rules.not_scored, key=len)
    for row, (group, result) in zip(rows, results, strict=True):  # the appendix's order
        agency = result.agency
        assert row["Tên đơn vị"][0] == agency.name
        assert (row["Nhóm"][0], row["Tên nhóm"][0]) == (group.group.code, group.group.title)
        assert row["TT"][0] == (*group.results, *group.unranked).index(result) + 1
        for criterion in rules.criteria:
            cell = row[criterion.code]
            if criterion.code in agency.not_scored:
                assert cell[0] == mark
            elif criterion.code in agency.scores:
                assert number(cell) == agency.scores[criterion.code]
            else:
                assert cell[0] is None  # the criterion does not apply to the group
        for pillar in rules.pillars:
            assert number(row[f"Chỉ số {pillar.code}"]) == result.pillar_totals[pillar.code]
        assert number(row["Tổng điểm"]) == result.rounded_total
        assert number(row["Điểm tối đa"]) == result.max_points
        assert number(row["Tỷ lệ (%)"]) == result.percent
        assert row["Xếp hạng"][0] == result.rank
        assert row["Xếp loại"][0] == result.grade
        assert row[f"Xếp hạng năm {info.year - 1}"][0] == agency.prior_rank
        assert row["Thay đổi"][0] == result.rank_change
        if "Không xếp hạng" in headers:
            assert row["Không xếp hạng"][0] == (None if result.ranked else agency.unranked_reason)
    assert len(headers) == len(set(headers))


@pytest.mark.parametrize(("profile", "workbook"), SAMPLES)
def test_formats_panes_filter_and_widths(profile, workbook):
    rules, info, groups = computed(profile, workbook)
    book, headers, rows = table(results_workbook(rules, info, groups))
    sheet = book["Kết quả"]
    assert book.sheetnames == ["Kết quả", "Thông tin", "Tiêu chí"]
    assert sheet.freeze_panes == "E2"  # the header row, group, TT and name stay in view
    last = openpyxl.utils.get_column_letter(len(headers))
    assert sheet.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    points = "#,##0." + "0" * rules.precision
    first = rows[0]
    assert first["Tổng điểm"][2].number_format == points
    assert first["Tỷ lệ (%)"][2].number_format == "#,##0." + "0" * rules.percent_precision
    assert first["TT"][2].number_format == "0"
    assert first["Xếp hạng"][2].number_format == "0"
    assert first["Thay đổi"][2].number_format == "+0;-0;0"
    assert first["Tên đơn vị"][2].number_format == "@"
    for pillar in rules.pillars:
        assert first[f"Chỉ số {pillar.code}"][2].number_format == points
    for criterion in rules.criteria:  # the sample scores have the printed places or fewer
        scored = next(row for row in rows if row[criterion.code][1] is not None)
        assert scored[criterion.code][2].number_format == points
        comment = sheet.cell(1, headers.index(criterion.code) + 1).comment
        assert comment is not None and criterion.name in comment.text
    widths = {
        h: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i, h in enumerate(headers)
    }
    longest = max(len(row["Tên đơn vị"][0]) for row in rows)
    assert widths["Tên đơn vị"] >= min(longest, 48)
    assert widths["TT"] < 10 and all(w >= 6 for w in widths.values())
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"


def test_the_unranked_units_are_marked_and_set_apart():
    rules, info, groups = computed("chuyen-doi-so-2026", CDS_SAMPLE)
    _, _, rows = table(results_workbook(rules, info, groups))
    unranked = [row for row in rows if row["Không xếp hạng"][0] is not None]
    expected = {r.agency.name: r.agency.unranked_reason for g in groups for r in g.unranked}
    assert {row["Tên đơn vị"][0]: row["Không xếp hạng"][0] for row in unranked} == expected
    assert len(expected) == 3
    for row in unranked:
        assert row["Xếp hạng"][0] is None and row["Thay đổi"][0] is None
        assert row["Tên đơn vị"][2].font.i  # grey italics
    assert not rows[0]["Tên đơn vị"][2].font.i


def test_without_unranked_units_or_grades_those_columns_are_left_out():
    rules, info, groups = computed("lao-cai-2020", SAMPLE)
    _, headers, _ = table(results_workbook(rules, info, groups))
    assert "Không xếp hạng" not in headers and "Xếp loại" in headers
    assert not any(h.startswith("Chỉ số ") for h in headers)  # no main indices in these rules
    plain = dataclasses.replace(rules, grades=())
    agencies = inspect(SAMPLE, default_profile().rules).evaluation.agencies
    _, headers, rows = table(results_workbook(plain, info, evaluate(plain, agencies)))
    assert "Xếp loại" not in headers and len(rows) == 32


def test_the_sheet_about_the_results_and_the_list_of_criteria():
    rules, info, groups = computed("chuyen-doi-so-2026", CDS_SAMPLE)
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(rules, info, groups)))
    facts = dict(book["Thông tin"].iter_rows(min_row=2, values_only=True))
    assert facts["Năm đánh giá"] == 2026
    assert facts["Số đơn vị"] == 122 and facts["Số đơn vị không xếp hạng"] == 3
    assert "chuyển đổi số" in facts["Nội dung"]
    assert facts["Xếp hạng theo"].startswith("tỷ lệ phần trăm")
    assert facts["Quyết định"].startswith("Dự thảo")
    assert book["Thông tin"].auto_filter.ref is None
    criteria = list(book["Tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in criteria] == [c.code for c in rules.criteria]
    assert [row[1] for row in criteria] == [c.name for c in rules.criteria]
    assert book.properties.created == dt.datetime(2027, 1, 12)  # the submission's date


def hostile(rules: Rules, names: list[str], scores: dict[str, Decimal]) -> bytes:
    agencies = tuple(
        AgencyScores(row=n + 2, name=name, group="I", prior_rank=None, scores=scores)
        for n, name in enumerate(names)
    )
    info = DecisionInfo(2020, None, dt.date(2021, 1, 8), "Người Ký", ("CHỦ TỊCH",))
    return results_workbook(rules, info, evaluate(rules, agencies))


NAMES = [
    "=1+1",
    "@SUM(A1)",
    "+84 912 345 678",
    "-x",
    '=HYPERLINK("http://x","Sở")',
    'A & B <c> "d"',
    "  lề hai bên  ",
    "_x0041_ vẫn là chữ",
    "chuông\x07 lạ",
]


def test_names_that_look_like_formulas_stay_text(rules):
    scores = {c.code: Decimal(0) for c in rules.criteria if c.applies_to("I")}
    data = hostile(rules, NAMES, scores)
    cells = sheet_xml(data)
    assert not any(has_formula for _, _, has_formula in cells.values())
    stored = [cells[f"D{row}"] for row in range(2, len(NAMES) + 2)]
    assert {kind for kind, _, _ in stored} == {"inlineStr"}
    # Excel reads _xHHHH_ in a string as the character HHHH: the underscore itself is escaped
    # (_x005F_), so Excel and LibreOffice show what was typed; the control character is dropped.
    expected = [*NAMES[:-2], "_x005F_x0041_ vẫn là chữ", "chuông lạ"]
    assert sorted(text for _, text, _ in stored) == sorted(expected)
    book = openpyxl.load_workbook(io.BytesIO(data))
    read = [book["Kết quả"].cell(row, 4).value for row in range(2, len(NAMES) + 2)]
    assert sorted(read) == sorted(expected)  # openpyxl does not decode _x005F_ in inline text


def test_numbers_are_the_exact_decimals_not_a_floats_neighbour(rules):
    codes = [c.code for c in rules.criteria if c.applies_to("I") and not c.deduction]
    scores = {code: Decimal(0) for code in codes}
    scores[codes[0]] = Decimal("7.2")  # openpyxl would write 7.199999999999999
    scores[codes[1]] = Decimal("0.1")
    scores[codes[2]] = Decimal("6.125")  # more places than printed: shown with three
    data = hostile(rules, ["Sở A"], scores)
    cells = sheet_xml(data)
    _, _, rows = table(data)
    (row,) = rows
    assert row[codes[0]][1] == "7.2" and row[codes[1]][1] == "0.1"
    assert number(row["Tổng điểm"]) == Decimal("13.43")  # 13.425 rounded half up, as printed
    assert row[codes[2]][1] == "6.125" and row[codes[2]][2].number_format == "#,##0.000"
    assert row[codes[0]][2].number_format == "#,##0.00"
    assert all(
        kind in (None, "n") for ref, (kind, text, _) in cells.items() if text and text[0].isdigit()
    )


@pytest.mark.parametrize(("profile", "workbook"), SAMPLES)
def test_the_same_results_give_the_same_bytes(profile, workbook):
    rules, info, groups = computed(profile, workbook)
    assert results_workbook(rules, info, groups) == results_workbook(rules, info, groups)


def test_the_name_follows_the_decision():
    rules = find_profile("lao-cai-2020").rules
    from processor.config.rules_file import load_rules

    loaded = load_rules(rules)
    assert results_name(loaded, 2020) == "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx"
    cds = load_rules(find_profile("chuyen-doi-so-2026").rules)
    assert results_name(cds, 2026) == "quyet-dinh-xep-hang-chuyen-doi-so-2026-ket-qua.xlsx"


def test_process_writes_the_results_beside_the_decision(tmp_path):
    profile = find_profile("chuyen-doi-so-2026")
    outcome = process(CDS_SAMPLE, profile.rules, profile.template, tmp_path, pdf=False)
    assert outcome.results == tmp_path / "quyet-dinh-xep-hang-chuyen-doi-so-2026-ket-qua.xlsx"
    assert outcome.pdf is None and outcome.notes == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [outcome.path.name, outcome.results.name]
    )  # no temporary file left
    rules, info, groups = computed("chuyen-doi-so-2026", CDS_SAMPLE)
    assert outcome.results.read_bytes() == results_workbook(rules, info, groups)


def test_the_same_bytes_from_two_processes(tmp_path):
    """No clock, no process-dependent order: a second process writes the same file."""
    script = (
        "import sys; from pathlib import Path; from processor.config.resources import "
        "default_profile as d; from processor.pipeline import process; p = d(); "
        "process(Path(sys.argv[1]), p.rules, p.template, Path(sys.argv[2]), pdf=False)"
    )
    for out in ("a", "b"):
        subprocess.run(
            [sys.executable, "-c", script, str(SAMPLE), str(tmp_path / out)],
            check=True,
            cwd=ROOT,
            timeout=120,
        )
    name = "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_making_the_results_loads_no_openpyxl(tmp_path):
    """Every `run` writes the results: the writer is the tool's own, openpyxl stays unloaded."""
    script = (
        "import sys; from pathlib import Path; from processor.config.resources import "
        "default_profile as d; from processor.pipeline import process; p = d(); "
        "process(Path(sys.argv[1]), p.rules, p.template, Path(sys.argv[2]), pdf=False); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(SAMPLE), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.stdout.strip() == "[]"


def test_a_row_explained_by_a_footnote_carries_its_sign_and_the_note_is_kept(tmp_path):
    """The portal's file must say why a merged agency's prior rank is what it is, as the
    appendix does: the same sign in a `Ghi chú` column, the sentence in `Thông tin`."""
    rules, info, groups = computed("lao-cai-2020", SAMPLE)
    first = groups[0].results[0]
    marked = dataclasses.replace(first, agency=dataclasses.replace(first.agency, prior_note=0))
    changed = (
        dataclasses.replace(groups[0], results=(marked, *groups[0].results[1:])),
        *groups[1:],
    )
    note = "Sở A được hợp nhất từ Sở B và Sở C; thứ hạng năm trước lấy theo thứ hạng cao nhất."
    data = results_workbook(rules, info, changed, [note])
    book, headers, rows = table(data)
    assert "Ghi chú" in headers
    signs = [row["Ghi chú"][0] for row in rows]
    assert signs[0] == "(*)" and set(signs[1:]) == {None}
    about = book["Thông tin"]
    assert ["Ghi chú (*)", note] in [[c.value for c in r] for r in about.iter_rows()]
    assert "Ghi chú" not in table(results_workbook(rules, info, groups))[1]  # none: no column
