"""A renamed or merged agency keeps its history (issue 14), with real SQLite files.

Three years through the real command line: 2024 the sample; 2025 «Ban Dân tộc» renamed «Sở Dân
tộc và Tôn giáo»; 2026 that agency and «Sở Thông tin và Truyền thông» merged into one. Each run
records the successions taking effect in its year; `history --agency` follows the latest name
back, the export links the rows, and a file written before the successions table still opens.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from test_history import sample_run
from test_yearly_loop import BAN_DT, SO_DTTG, TTTT, cli, profile, run, workbook

from processor.core.past import Succession
from processor.history import codec
from processor.history.schema import SCHEMA_VERSION
from processor.history.store import open_history

JOINED = "Sở Dân tộc, Tôn giáo và Truyền thông"  # 2026: SO_DTTG and TTTT merged


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chain")
    rules = profile(folder, "none")
    history = folder / "lich-su.sqlite"
    books = [
        workbook(folder / "bang-diem-2024.xlsx", 2024),
        workbook(
            folder / "bang-diem-2025.xlsx",
            2025,
            names={BAN_DT: SO_DTTG},
            crosswalk=[(BAN_DT, SO_DTTG, 2025)],
        ),
        workbook(
            folder / "bang-diem-2026.xlsx",
            2026,
            names={BAN_DT: JOINED},
            drop=(TTTT,),
            # last year's rename is still in the sheet: recorded once, with 2025
            crosswalk=[(BAN_DT, SO_DTTG, 2025), (SO_DTTG, JOINED, 2026), (TTTT, JOINED, 2026)],
        ),
    ]
    for year, book in zip((2024, 2025, 2026), books, strict=True):
        run(book, rules, history, folder / f"kq-{year}")
    return history


def history_json(history: Path, name: str) -> dict:
    done = cli("history", "--history", history, "--agency", name, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_each_run_records_the_successions_of_its_own_year(chain):
    with open_history(chain, create=False) as history:
        assert history.run("tinh-thu", 2024).successions == ()
        (rename,) = history.run("tinh-thu", 2025).successions
        (merger,) = history.run("tinh-thu", 2026).successions
    assert (rename.old_names, rename.new_name, rename.year) == ((BAN_DT,), SO_DTTG, 2025)
    assert (set(merger.old_names), merger.new_name, merger.year) == ({SO_DTTG, TTTT}, JOINED, 2026)
    assert merger.is_merger and not rename.is_merger


def test_the_trend_follows_the_latest_name_back_through_the_merger_and_the_rename(chain):
    document = history_json(chain, JOINED.upper())  # matched by key, as before
    names = [(p["year"], p["name"]) for p in document["trend"]]
    assert sorted(names) == [
        (2024, BAN_DT),
        (2024, TTTT),
        (2025, SO_DTTG),
        (2025, TTTT),
        (2026, JOINED),
    ]
    assert [p["year"] for p in document["trend"]] == [2024, 2024, 2025, 2025, 2026]
    assert all(p["rank"] is not None and p["total"] for p in document["trend"])
    links = document["successions"]
    assert [(s["new_name"], s["year"], s["merger"]) for s in links] == [
        (JOINED, 2026, True),
        (SO_DTTG, 2025, False),
    ]
    assert links[1]["old_names"] == [BAN_DT]


def test_the_renamed_agency_has_its_years_before_the_rename(chain):
    trend = history_json(chain, SO_DTTG)["trend"]
    assert [(p["year"], p["name"]) for p in trend] == [(2024, BAN_DT), (2025, SO_DTTG)]
    # the old name alone is its own years only: nothing follows a name forward
    old = history_json(chain, BAN_DT)
    assert [(p["year"], p["name"]) for p in old["trend"]] == [(2024, BAN_DT)]
    assert old["successions"] == []


def test_the_text_output_shows_the_link_and_the_name_each_year(chain):
    done = cli("history", "--history", chain, "--agency", SO_DTTG)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{SO_DTTG} / {BAN_DT} qua các năm")
    assert f"Tên trước đây: {BAN_DT} (đến năm 2024; từ năm 2025 là «{SO_DTTG}»)." in done.stdout
    assert "Tên đơn vị năm đó" in lines[2]
    assert any(line.lstrip().startswith("2024") and BAN_DT in line for line in lines)
    merged = cli("history", "--history", chain, "--agency", JOINED).stdout
    assert (
        f"Hợp nhất từ: {SO_DTTG}, {TTTT} (đến năm 2025; từ năm 2026 là «{JOINED}»)." in (merged)
        or f"Hợp nhất từ: {TTTT}, {SO_DTTG} (đến năm 2025" in merged
    )


def test_the_export_links_the_rows_of_a_renamed_and_a_merged_agency(chain, tmp_path):
    target = tmp_path / "lich-su.xlsx"
    done = cli("history", "--history", chain, "--export", target)
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(target)["Thứ hạng theo năm"]
    header = [c.value for c in sheet[1]]
    assert header[3:] == ["2024", "2025", "2026", "Tên trước đây", "Hợp nhất vào"]
    rows = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    assert BAN_DT not in rows  # one row under the latest name
    renamed = rows[SO_DTTG]
    assert isinstance(renamed["2024"], int) and isinstance(renamed["2025"], int)
    assert renamed["2026"] is None
    assert renamed["Tên trước đây"] == f"{BAN_DT} (đến năm 2024)"
    assert renamed["Hợp nhất vào"] == f"{JOINED} (từ năm 2026)"
    telecom = rows[TTTT]  # a predecessor keeps its own row
    assert telecom["2026"] is None and telecom["Hợp nhất vào"] == f"{JOINED} (từ năm 2026)"
    assert telecom["Tên trước đây"] is None
    joined = rows[JOINED]
    assert (joined["2024"], joined["2025"]) == (None, None) and joined["2026"] is not None
    assert joined["Tên trước đây"] is None and joined["Hợp nhất vào"] is None
    assert len(rows) == len({r for r in rows})  # no duplicate rows
    # the other agencies are untouched: one row each, all three years
    assert rows["Sở Tư pháp"]["Tên trước đây"] is None and rows["Sở Tư pháp"]["2026"]


def test_a_rename_chain_goes_under_the_last_name_in_the_export(tmp_path):
    base = sample_run("lao-cai-2020")
    first = base.agencies[0]

    def year(y: int, name: str, successions: tuple[Succession, ...] = ()):
        agencies = (dataclasses.replace(first, name=name), *base.agencies[1:])
        return dataclasses.replace(base, year=y, agencies=agencies, successions=successions)

    path = tmp_path / "h.sqlite"
    with open_history(path) as history:
        history.record(year(2020, "Ban A"))
        history.record(year(2021, "Ban B", (Succession(("Ban A",), "Ban B", 2021, "x"),)))
        history.record(year(2022, "Sở C", (Succession(("Ban B",), "Sở C", 2022, "y"),)))
        trend = history.agency_trend("sở c")
        assert [(p.year, p.name) for p in trend] == [
            (2020, "Ban A"),
            (2021, "Ban B"),
            (2022, "Sở C"),
        ]
        assert [p.rank for p in trend] == [first.rank] * 3
        assert [s.new_name for s in history.agency_successions("Sở C")] == ["Sở C", "Ban B"]
        # a profile filter keeps only that profile's successions and years
        assert history.agency_trend("Sở C", profile="khac") == []
    target = tmp_path / "x.xlsx"
    assert cli("history", "--history", path, "--export", target).returncode == 0
    sheet = openpyxl.load_workbook(target)["Thứ hạng theo năm"]
    (row,) = [r for r in sheet.iter_rows(2, values_only=True) if r[1] in ("Ban A", "Ban B", "Sở C")]
    assert row[1] == "Sở C" and row[3:6] == (first.rank,) * 3
    assert row[6] == "Ban A (đến năm 2020); Ban B (đến năm 2021)"


def test_successions_come_back_exactly_and_a_replaced_year_keeps_them_in_the_audit(tmp_path):
    base = sample_run("lao-cai-2020")
    merger = Succession(("Sở X", "Sở Y"), base.agencies[0].name, 2020, "Sáp nhập - đổi tên!A2")
    with_links = dataclasses.replace(base, successions=(merger,))
    assert codec.run_from_document(codec.run_document(with_links)) == with_links
    path = tmp_path / "h.sqlite"
    with open_history(path) as history:
        history.record(with_links)
        assert history.run(base.profile, 2020) == with_links
        assert history.record(base) is True  # re-run without them
        assert history.run(base.profile, 2020).successions == ()
        (entry,) = history.audit()
        assert history.replaced_run(entry.id) == with_links
        assert history.successions() == []  # the replaced year's rows went with it


def _old_file(tmp_path: Path) -> Path:
    """A history as the code before the successions table wrote it."""
    path = tmp_path / "cu.sqlite"
    with open_history(path) as history:
        history.record(sample_run("lao-cai-2020"))
    plain = sqlite3.connect(path)
    try:
        plain.execute("DROP TABLE successions")
        plain.commit()
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        plain.close()
    return path


def _tables(path: Path) -> set[str]:
    plain = sqlite3.connect(path)
    try:
        return {row[0] for row in plain.execute("SELECT name FROM sqlite_schema")}
    finally:
        plain.close()


def test_a_file_from_before_the_successions_table_reads_and_is_not_changed(tmp_path):
    path = _old_file(tmp_path)
    assert "successions" not in _tables(path)
    before = path.read_bytes()
    trend = history_json(path, "Sở Tư pháp")
    assert [p["year"] for p in trend["trend"]] == [2020] and trend["successions"] == []
    target = tmp_path / "x.xlsx"
    done = cli("history", "--history", path, "--export", target)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(target)["Thứ hạng theo năm"].max_row == 33
    with open_history(path, create=False) as history:
        assert history.run("lao-cai-2020", 2020).successions == ()
        assert history.successions() == []
    assert "successions" not in _tables(path) and path.read_bytes() == before


def test_a_file_from_before_the_successions_table_gets_it_when_written(tmp_path):
    path = _old_file(tmp_path)
    base = sample_run("lao-cai-2020")
    rename = Succession(("Ban Cũ",), base.agencies[0].name, 2021, "quy-tac.toml: crosswalk[1]")
    with open_history(path) as history:
        assert history.record(dataclasses.replace(base, year=2021, successions=(rename,))) is False
        assert [s for _, s in history.successions()] == [rename]
    assert {"successions", "successions_by_new_name", "successions_by_old_name"} <= _tables(path)
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
        assert plain.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        plain.close()
