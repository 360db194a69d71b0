"""The bundled profile chuyen-doi-so-2026 end to end: its sample workbook and its decision.

The sample workbook (input_samples/chuyen-doi-so-2026.xlsx, illustrative scores) is read with
openpyxl and the rules with tomllib, independently of the tool; the decision comes from the real
command line (`python -m processor run … --profile chuyen-doi-so-2026`), read back with
python-docx and, for every word in the package, straight from its XML parts.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from lxml import etree
from openpyxl.workbook.workbook import Workbook

from conftest import ROOT, assert_rebuild_matches, cli
from docx_reading import lines, table_rows

PROFILE = "chuyen-doi-so-2026"
PROFILE_DIR = ROOT / "templates" / PROFILE
RULES = PROFILE_DIR / "quy-tac.toml"
WORKBOOK = ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx"
SCRIPT = ROOT / "input_samples" / "build_chuyen_doi_so.py"

FIXED_HEADERS = ["TT", "Tên đơn vị", "Nhóm", "Xếp hạng năm trước"]
TOTAL_HEADER = "Tổng điểm"
UNRANKED_HEADER = "Không xếp hạng"
# Words of the 2020 ICT scheme and of the district level, gone since 2025.
FORBIDDEN = (
    "ứng dụng CNTT",
    "ứng dụng công nghệ thông tin",
    "công nghệ thông tin",
    "Thông tin và Truyền thông",
    "huyện",
)


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


# -- the rules and the workbook, read independently ---------------------------------------------


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    with RULES.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return openpyxl.load_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def rows(workbook: Workbook) -> list[dict[str, Any]]:
    """The score sheet's rows as header -> value."""
    sheet = workbook["Điểm"]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def marks(rules: dict[str, Any]) -> set[str]:
    return set(rules["scoring"].get("not_scored", ["Không đánh giá", "KĐG"]))


def exact(value: Any) -> Decimal:
    return Decimal(str(value))


def maximum(rules: dict[str, Any], row: dict[str, Any]) -> Decimal:
    """The agency's maximum: its group's scale less the sub-indices it is not scored on."""
    group = row["Nhóm"]
    scale = exact(next(g["max_points"] for g in rules["groups"] if g["code"] == group))
    for crit in rules["criteria"]:
        if row[crit["code"]] in marks(rules):
            scale -= exact(crit.get("weight", 1)) * exact(crit["max"][group])
    return scale


def weighted_total(
    rules: dict[str, Any], row: dict[str, Any], pillar: str | None = None
) -> Decimal:
    return sum(
        (
            exact(c.get("weight", 1)) * exact(row[c["code"]])
            for c in rules["criteria"]
            if isinstance(row[c["code"]], int | float) and pillar in (None, c["pillar"])
        ),
        Decimal(0),
    )


def test_rules_file_is_commented_and_says_what_is_reconstructed() -> None:
    text = RULES.read_text(encoding="utf-8")
    assert "BẢN DỰNG LẠI" in text and "minh họa" in text
    assert "[profile]" in text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 40


def test_rules_scale_per_group_and_pillar(rules: dict[str, Any]) -> None:
    pillars = [p["code"] for p in rules["pillars"]]
    assert 6 <= len(pillars) <= 8
    for group in rules["groups"]:
        code = group["code"]
        positive = [c for c in rules["criteria"] if code in c["max"] and not c.get("deduction")]
        assert sum(exact(c["max"][code]) for c in positive) == exact(group["max_points"])
        for pillar in pillars:
            members = [c for c in positive if c["pillar"] == pillar]
            assert 2 <= len(members) <= 4 or code != "SBN-TTHC", (code, pillar)
    assert all(c["pillar"] in pillars for c in rules["criteria"])
    assert [g["label"] for g in rules["groups"]] == ["I", "II", "III"]
    assert [exact(g["max_points"]) for g in rules["groups"]] == [1000, 800, 1000]


def test_workbook_layout(workbook: Workbook, rules: dict[str, Any]) -> None:
    assert workbook.sheetnames == ["Điểm", "Thông tin", "Ghi chú"]
    header = [c.value for c in workbook["Điểm"][1]]
    codes = [c["code"] for c in rules["criteria"]]
    assert header == [*FIXED_HEADERS, *codes, TOTAL_HEADER, UNRANKED_HEADER]
    info = dict(list(workbook["Thông tin"].iter_rows(values_only=True))[1:])
    assert info["Năm đánh giá"] == 2026
    assert info["Số tờ trình"] is None  # unknown: the draft prints the blank
    assert info["Ngày tờ trình"].year == 2027
    assert info["Chức vụ người ký"] == "Chủ tịch"
    for field in rules["info_fields"]:
        assert field["key"] in info and info[field["key"]] is None  # never an invented number
    notes = " ".join(str(v) for r in workbook["Ghi chú"].iter_rows(values_only=True) for v in r)
    assert "MINH HỌA" in notes and "python input_samples/build_chuyen_doi_so.py" in notes


def test_workbook_content(rows: list[dict[str, Any]], rules: dict[str, Any]) -> None:
    """What the sample is for: ~100 communes and wards, every special case present."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_group.setdefault(row["Nhóm"], []).append(row)
    assert set(by_group) == {g["code"] for g in rules["groups"]}
    assert 95 <= len(by_group["XP"]) <= 110
    assert 18 <= len(by_group["SBN-TTHC"]) + len(by_group["SBN-DT"]) <= 30
    assert all(r["Tên đơn vị"].startswith(("Xã ", "Phường ")) for r in by_group["XP"])
    unranked = [r for r in rows if r[UNRANKED_HEADER]]
    assert any(r["Tên đơn vị"] == "Công an tỉnh" for r in unranked)
    assert len({r["Nhóm"] for r in unranked}) >= 2
    assert sum(1 for r in rows if r["Xếp hạng năm trước"] is None and not r[UNRANKED_HEADER]) >= 3
    codes = [c["code"] for c in rules["criteria"]]
    excluded = [r for r in rows if any(r[c] in marks(rules) for c in codes)]
    assert len(excluded) >= 3
    for row in rows:
        where = row["Tên đơn vị"]
        assert exact(row[TOTAL_HEADER]) == weighted_total(rules, row), where
        for crit in rules["criteria"]:
            value = row[crit["code"]]
            if row["Nhóm"] not in crit["max"]:
                assert value is None, where
            elif value in marks(rules):
                assert not crit.get("deduction"), where
            else:
                cap = exact(crit["max"][row["Nhóm"]])
                score = exact(value)
                assert score == score.quantize(Decimal("0.01")), where
                assert (-cap <= score <= 0) if crit.get("deduction") else (0 <= score <= cap)
    words = " ".join(str(v) for r in rows for v in r.values() if isinstance(v, str))
    assert "huyện" not in fold(words)


def test_rebuild_matches_committed_file(tmp_path: Path, workbook: Workbook) -> None:
    assert_rebuild_matches(SCRIPT, RULES, workbook, tmp_path / "rebuilt.xlsx")


# -- the real command line -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_text(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("cds-text")
    done = cli("run", str(WORKBOOK), "--profile", PROFILE, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    written = list(out.glob("*.docx"))
    assert [p.name for p in written] == ["quyet-dinh-xep-hang-chuyen-doi-so-2026.docx"]
    return done.stdout, written[0]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("cds-json")
    done = cli("run", str(WORKBOOK), "--profile", PROFILE, "--out", str(out), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def decision(run_text: tuple[str, Path]) -> Path:
    return run_text[1]


# What package_texts yields: text a reader sees (paragraphs, document properties), and the rest.
PARAGRAPH, PROPERTY, XML_TEXT, ATTRIBUTE = "paragraph", "property", "xml text", "attribute"
READ = (PARAGRAPH, PROPERTY)


def package_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every word in the package, with its kind: every part's paragraphs, text and attributes,
    and the core properties."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(package.read(name))
            for paragraph in root.iter(f"{w}p"):
                yield PARAGRAPH, "".join(t.text or "" for t in paragraph.iter(f"{w}t"))
            yield XML_TEXT, " ".join(root.itertext())
            for element in root.iter():
                yield ATTRIBUTE, " ".join(str(v) for v in element.attrib.values())
    props = docx.Document(str(path)).core_properties
    for key in ("title", "subject", "author", "keywords", "comments", "category"):
        yield PROPERTY, str(getattr(props, key) or "")
    yield PROPERTY, str(props.last_modified_by or "")


def test_decision_speaks_of_digital_transformation(decision: Path) -> None:
    text = fold("\n".join(lines(decision)))
    assert "chuyển đổi số" in text
    assert "công bố kết quả đánh giá, xếp hạng mức độ chuyển đổi số" in text
    assert "tm. ủy ban nhân dân" in text
    assert "sở khoa học và công nghệ" in text
    assert "/ttr-skhcn" in text
    assert "405/qđ-bkhcn" in text and "148/2025/qh15" in text
    assert "16/6/2025" in text
    assert "19/6/2015" not in text  # the law of 2015 was replaced


@pytest.mark.parametrize("word", FORBIDDEN)
def test_decision_has_no_word_of_the_old_scheme(decision: Path, word: str) -> None:
    found = [t for _, t in package_texts(decision) if fold(word) in fold(t)]
    assert not found, f"{word!r} in: {found[0][:300]}"


def test_decision_prints_blanks_for_unknown_numbers(decision: Path) -> None:
    text = "\n".join(lines(decision))
    assert re.search(r"Tờ trình số\s+/TTr-SKHCN ngày 12/01/2027", text)
    assert re.search(
        r"Căn cứ Quyết định số\s+/QĐ-UBND ngày\s+/\s+/ của UBND tỉnh ban hành Bộ chỉ số", text
    )


def test_profile_is_listed(rules: dict[str, Any]) -> None:
    done = cli("profiles")
    assert done.returncode == 0, done.stdout + done.stderr
    assert PROFILE in done.stdout
    assert rules["profile"]["description"] in done.stdout


def test_json_lists_every_agency(report: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    assert report["agency_count"] == len(rows)
    listed = sorted((a["group"], a["name"]) for a in report["agencies"])
    assert listed == sorted((r["Nhóm"], r["Tên đơn vị"]) for r in rows)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in report["agencies"]}


def test_json_totals_maxima_and_pillars(
    report: dict[str, Any], rows: list[dict[str, Any]], rules: dict[str, Any]
) -> None:
    agencies = by_name(report)
    pillar_codes = [p["code"] for p in rules["pillars"]]
    for row in rows:
        agency = agencies[row["Tên đơn vị"]]
        total = Decimal(agency["total"])
        assert total == weighted_total(rules, row), row["Tên đơn vị"]
        assert Decimal(agency["max_points"]) == maximum(rules, row), row["Tên đơn vị"]
        assert list(agency["pillars"]) == pillar_codes
        subtotals = [Decimal(v) for v in agency["pillars"].values()]
        assert sum(subtotals, Decimal(0)) == total, row["Tên đơn vị"]
        for code, value in agency["pillars"].items():
            assert Decimal(value) == weighted_total(rules, row, code), (row["Tên đơn vị"], code)


def test_json_percent_and_level_agree_with_bands(
    report: dict[str, Any], rules: dict[str, Any]
) -> None:
    grades = rules["grades"]
    seen = set()
    for agency in report["agencies"]:
        total, top = Decimal(agency["total"]), Decimal(agency["max_points"])
        percent = (total / top * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(agency["percent"]) == percent, agency["name"]
        expected = next(
            (g["name"] for g in grades[:-1] if total * 100 / top > Decimal(g["above_percent"])),
            grades[-1]["name"],
        )
        if agency["ranked"]:
            assert agency["grade"] == expected, agency["name"]
            seen.add(expected)
    assert seen == {g["name"] for g in grades}  # the sample shows every level


def test_json_ranks(report: dict[str, Any], rules: dict[str, Any]) -> None:
    """Competition ranks ("1224") within each group, on the printed percent (rank_by)."""
    key = "percent" if rules["scoring"].get("rank_by") == "percent" else "total"
    assert rules["scoring"]["ties"] == "1224"
    ties = 0
    for group in rules["groups"]:
        ranked = [a for a in report["agencies"] if a["group"] == group["code"] and a["ranked"]]
        values = [Decimal(a[key]) for a in ranked]
        for agency, value in zip(ranked, values, strict=True):
            assert agency["rank"] == 1 + sum(v > value for v in values), agency["name"]
        ties += len(values) - len(set(values))
        for agency in ranked:
            prior = agency["prior_rank"]
            change = None if prior is None else prior - agency["rank"]
            assert agency["rank_change"] == change, agency["name"]
    assert ties >= 1  # the sample has a tie


def test_json_unranked(report: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    agencies = by_name(report)
    reasons = {r["Tên đơn vị"]: r[UNRANKED_HEADER] for r in rows if r[UNRANKED_HEADER]}
    assert reasons
    for name, agency in agencies.items():
        if name in reasons:
            assert agency["ranked"] is False and agency["rank"] is None, name
            assert agency["rank_change"] is None
        else:
            assert agency["ranked"] is True and isinstance(agency["rank"], int), name


# -- the appendix ---------------------------------------------------------------------------------


def cell_text(row: list[str]) -> str:
    return " | ".join(row)


def results_rows(decision: Path, names: list[str]) -> list[list[str]]:
    """The rows of section 2's table: the first table that lists every agency."""
    for table in docx.Document(str(decision)).tables:
        rows = table_rows(table)
        cells = {cell for row in rows for cell in row}
        if all(name in cells for name in names):
            return rows
    raise AssertionError("no table lists every agency")


def test_appendix_lists_unranked_apart(
    decision: Path, report: dict[str, Any], rules: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    table = results_rows(decision, [a["name"] for a in report["agencies"]])
    heading = rules["wording"]["unranked_heading"]
    reasons = {r["Tên đơn vị"]: r[UNRANKED_HEADER] for r in rows if r[UNRANKED_HEADER]}

    def where(name: str) -> int:
        found = [i for i, r in enumerate(table) if name in r]
        assert len(found) == 1, (name, found)
        return found[0]

    group_rows = {
        g["code"]: next(i for i, r in enumerate(table) if any(c.startswith(g["title"]) for c in r))
        for g in rules["groups"]
    }
    ends = [*sorted(group_rows.values())[1:], len(table)]
    spans = {
        code: (start, next(e for e in ends if e > start)) for code, start in group_rows.items()
    }
    for group in rules["groups"]:
        start, end = spans[group["code"]]
        members = [a for a in report["agencies"] if a["group"] == group["code"]]
        ranked = [a for a in members if a["ranked"]]
        unranked = [a for a in members if not a["ranked"]]
        titles = [i for i in range(start, end) if any(heading in c for c in table[i])]
        if not unranked:
            assert not titles, group["code"]
            continue
        assert len(titles) == 1, group["code"]
        for agency in ranked:
            assert start < where(agency["name"]) < titles[0], agency["name"]
        for agency in unranked:
            index = where(agency["name"])
            assert titles[0] < index < end, agency["name"]
            assert reasons[agency["name"]] in cell_text(table[index])


def test_appendix_rows_match_json(decision: Path, report: dict[str, Any]) -> None:
    table = results_rows(decision, [a["name"] for a in report["agencies"]])
    for agency in report["agencies"]:
        row = next(r for r in table if agency["name"] in r)
        text = cell_text(row)
        total = agency["total"].replace(".", ",")
        assert total in text, agency["name"]
        assert agency["percent"].replace(".", ",") + "%" in text, agency["name"]
        if agency["ranked"]:
            assert agency["grade"] in row, agency["name"]
            if agency["prior_rank"] is None:
                assert "—" in row, agency["name"]


def test_counts_in_text_equal_listed_rows(
    decision: Path, run_text: tuple[str, Path], report: dict[str, Any], rules: dict[str, Any]
) -> None:
    """Each group's count, in the appendix and on the console, is the number of rows listed
    (a published decision said "5 đơn vị" and then named six)."""
    text = "\n".join(lines(decision))
    console = run_text[0]
    table = results_rows(decision, [a["name"] for a in report["agencies"]])
    heading = rules["wording"]["unranked_heading"]
    counted = re.compile(re.escape(heading) + r" \((\d+) đơn vị\)")
    stated_unranked = [int(m.group(1)) for m in counted.finditer(text)]
    expected_unranked = []
    for group in rules["groups"]:
        members = [a for a in report["agencies"] if a["group"] == group["code"]]
        ranked = sum(a["ranked"] for a in members)
        if len(members) > ranked:
            expected_unranked.append(len(members) - ranked)
        title = re.escape(group["title"])
        in_document = re.findall(title + r" \((\d+) đơn vị\)", text)
        assert in_document and {int(n) for n in in_document} == {ranked}, group["code"]
        on_console = re.findall(title + r": (\d+) đơn vị", console)
        assert on_console == [str(ranked)], group["code"]
        rows = [r for r in table if r[0].isdigit() and r[1] in {a["name"] for a in members}]
        assert len(rows) == len(members), group["code"]
    # once per table that lists the groups (results, and main-index ranks)
    tables = len(stated_unranked) // len(expected_unranked)
    assert tables >= 1 and stated_unranked == expected_unranked * tables
