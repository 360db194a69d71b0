"""The history store with real SQLite files: the two sample workbooks recorded and read back.

Every value is compared exactly (Decimal text included), a re-run replaces its year in one
transaction with an audit row, the file is in WAL mode, foreign files are refused untouched,
the export is read back with openpyxl, and the `history` command is run both as a function and
as the real command line.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from processor.config.resources import find_profile
from processor.config.rules_file import load_rules
from processor.core.past import PastYear
from processor.core.problems import InputError
from processor.core.scoring import evaluate
from processor.history import codec
from processor.history.commands import file_sha256, history_command, record_outcome
from processor.history.export import NOT_SCORED, export_history
from processor.history.records import RunRecord, run_record
from processor.history.schema import APPLICATION_ID, SCHEMA_VERSION
from processor.history.store import open_history
from processor.pipeline import inspect

from conftest import ROOT, cli

SAMPLES = {
    "lao-cai-2020": ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx",
    "chuyen-doi-so-2026": ROOT / "input_samples" / "chuyen-doi-so-2026.xlsx",
}
WHEN = "2026-01-08T08:00:00+07:00"


def sample_run(profile: str, recorded_at: str = WHEN) -> RunRecord:
    found = find_profile(profile)
    inspection = inspect(SAMPLES[profile], found.rules)
    assert inspection.evaluation is not None
    groups = evaluate(inspection.rules, inspection.evaluation.agencies)
    return run_record(
        inspection.rules,
        inspection.evaluation,
        groups,
        profile=profile,
        input_sha256=file_sha256(SAMPLES[profile]),
        rules_sha256=file_sha256(found.rules),
        tool_version="0.1.0",
        recorded_at=recorded_at,
        input_name=SAMPLES[profile].name,
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, RunRecord]:
    return {profile: sample_run(profile) for profile in SAMPLES}


@pytest.fixture
def recorded(tmp_path: Path, runs: dict[str, RunRecord]) -> Path:
    path = tmp_path / "lich-su.sqlite"
    with open_history(path) as history:
        for run in runs.values():
            assert history.record(run) is False
    return path


def test_both_samples_read_back_exactly(recorded, runs):
    with open_history(recorded, create=False) as history:
        for run in runs.values():
            back = history.run(run.profile, run.year)
            assert back == run
            # the same text too: 7.00 stays 7.00, 67.5 stays 67.5 (not just equal in value)
            assert codec.run_document(back) == codec.run_document(run)


def test_the_record_carries_what_the_issue_lists(runs):
    run = runs["chuyen-doi-so-2026"]
    assert (run.year, run.profile, run.rank_by) == (2026, "chuyen-doi-so-2026", "percent")
    first = run.agencies[0]
    assert first.name == "Sở Giáo dục và Đào tạo" and first.rank == 1 and first.ranked
    assert first.total == Decimal("814.88") and first.percent == Decimal("81.49")
    assert first.grade == "Dẫn dắt" and first.pillars["CS5"] == Decimal("230.62")
    assert first.scores["CS5.2"] == Decimal("67.5")
    unranked = [a for a in run.agencies if not a.ranked]
    assert {a.name for a in unranked} >= {"Công an tỉnh", "Xã Tà Xi Láng"}
    assert all(a.rank is None and a.unranked_reason for a in unranked)
    assert sum(len(a.not_scored) for a in run.agencies) == 6  # the sample's «KĐG» cells
    assert run.maxima["CS1.1"] and run.group_max
    assert len(run.input_sha256) == 64 and run.input_name == "chuyen-doi-so-2026.xlsx"


def test_not_scored_criteria_come_back_as_not_scored(recorded, runs):
    run = runs["chuyen-doi-so-2026"]
    with open_history(recorded, create=False) as history:
        back = history.run(run.profile, run.year)
    assert back is not None
    marked = [(a.name, a.not_scored) for a in back.agencies if a.not_scored]
    assert marked == [(a.name, a.not_scored) for a in run.agencies if a.not_scored]
    for a in back.agencies:
        assert not set(a.not_scored) & set(a.scores)


def test_the_file_is_wal_with_its_schema_version_and_foreign_keys(recorded):
    plain = sqlite3.connect(recorded)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert plain.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert plain.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert plain.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        plain.close()
    with open_history(recorded) as history:
        assert history.journal_mode() == "wal"
        assert history.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _counts(path: Path) -> dict[str, int]:
    plain = sqlite3.connect(path)
    try:
        tables = ("runs", "agencies", "scores", "pillar_totals", "criteria", "audit")
        return {t: plain.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        plain.close()


def test_a_rerun_replaces_the_year_and_keeps_an_audit_row(recorded, runs):
    old = runs["lao-cai-2020"]
    before = _counts(recorded)
    first, *rest = old.agencies
    changed = dataclasses.replace(first, total=Decimal("97.00"), rounded_total=Decimal("97.00"))
    new = dataclasses.replace(
        old,
        agencies=(changed, *rest),
        input_sha256="f" * 64,
        tool_version="0.2.0",
        recorded_at="2026-01-09T10:30:00+07:00",
    )
    with open_history(recorded) as history:
        assert history.record(new) is True
        assert history.run(old.profile, old.year) == new  # the old data is gone
        other = runs["chuyen-doi-so-2026"]
        assert history.run(other.profile, other.year) == other  # the other year untouched
        (entry,) = history.audit()
        assert (entry.profile, entry.year, entry.replaced_at) == (
            old.profile,
            2020,
            new.recorded_at,
        )
        assert entry.old_input_sha256 == old.input_sha256 and entry.new_input_sha256 == "f" * 64
        assert (entry.old_recorded_at, entry.old_tool_version) == (WHEN, "0.1.0")
        assert entry.old_input_name == "xep-hang-cntt-2020.xlsx"
        assert entry.changes["changed_names"] == [first.name]
        assert entry.changes["input_changed"] and not entry.changes["rules_changed"]
        assert "đổi kết quả 1 đơn vị (Sở Thông tin và Truyền thông)" in entry.summary
        assert history.replaced_run(entry.id) == old  # the replaced run is kept whole
        (listed,) = [y for y in history.years() if y.profile == old.profile]
        assert listed.replaced == 1 and listed.input_sha256 == "f" * 64
    after = _counts(recorded)
    assert after == {**before, "audit": 1}  # replaced, not added: no rows left behind


def test_the_same_year_of_another_profile_is_another_year(tmp_path, runs):
    path = tmp_path / "h.sqlite"
    run = runs["lao-cai-2020"]
    with open_history(path) as history:
        assert history.record(run) is False
        assert history.record(dataclasses.replace(run, profile="tinh-khac")) is False
        assert [(y.profile, y.year) for y in history.years()] == [
            ("lao-cai-2020", 2020),
            ("tinh-khac", 2020),
        ]
        assert history.audit() == []


def test_past_year_is_the_core_type_with_ranks_totals_and_maxima(recorded, runs):
    with open_history(recorded, create=False) as history:
        past = history.past_year("lao-cai-2020", 2020)
        assert history.past_year("lao-cai-2020", 2019) is None
        assert history.past_year("khong-co", 2020) is None
        later = history.past_year("chuyen-doi-so-2026", 2026)
    assert isinstance(past, PastYear) and past == runs["lao-cai-2020"].past_year()
    assert len(past.agencies) == 32 and past.rank_by == "total"
    top = past.find("  sở thông tin và  truyền thông ")
    assert top is not None and (top.group, top.rank, top.total) == ("I", 1, Decimal("96.34"))
    assert past.maxima["TC1.1"] == {"I": Decimal(8), "II": Decimal(8), "III": Decimal(6)}
    rules = load_rules(find_profile("lao-cai-2020").rules)
    assert list(past.maxima) == [c.code for c in rules.criteria]
    assert past.group_max == {"I": Decimal(100), "II": Decimal(70), "III": Decimal(100)}
    assert later is not None and later.rank_by == "percent"
    police = later.find("Công an tỉnh")
    assert police is not None and police.rank is None and police.percent is not None


def test_latest_is_the_most_recent_year_before_a_year(tmp_path, runs):
    path = tmp_path / "h.sqlite"
    base = runs["lao-cai-2020"]
    with open_history(path) as history:
        for year in (2019, 2021, 2020):
            history.record(dataclasses.replace(base, year=year))
        latest = history.latest("lao-cai-2020")
        before = history.latest("lao-cai-2020", before=2021)
        assert history.latest("lao-cai-2020", before=2019) is None
        assert history.latest("chuyen-doi-so-2026") is None
    assert latest is not None and latest.year == 2021
    assert before is not None and before.year == 2020


def test_an_agency_trend_is_matched_by_its_key_across_profiles(recorded):
    with open_history(recorded, create=False) as history:
        trend = history.agency_trend("  SỞ TƯ   PHÁP ")
        only = history.agency_trend("Sở Tư pháp", profile="lao-cai-2020")
        assert history.agency_trend("So Tu phap") == []  # accents count (agency_key)
    assert [(p.year, p.profile, p.rank) for p in trend] == [
        (2020, "lao-cai-2020", 12),
        (2026, "chuyen-doi-so-2026", 3),
    ]
    assert trend[0].rounded_total == Decimal("85.02") and trend[0].grade == "Tốt"
    assert [p.year for p in only] == [2020]


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "bang-diem.xlsx"
    path.write_bytes(SAMPLES["lao-cai-2020"].read_bytes())
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(InputError) as caught:
            open_history(path, create=create)
        assert "không phải cơ sở dữ liệu SQLite" in caught.value.summary
    assert path.read_bytes() == before
    assert history_command(path, None, None, "text") == 2


def test_a_newer_schema_is_refused_in_vietnamese(tmp_path, capsys):
    path = tmp_path / "moi.sqlite"
    with open_history(path):
        pass
    plain = sqlite3.connect(path)
    plain.execute("PRAGMA user_version = 7")
    plain.close()
    with pytest.raises(InputError) as caught:
        open_history(path)
    assert "phiên bản mới hơn" in caught.value.summary
    assert "lược đồ 7" in caught.value.problems[0].message
    assert history_command(path, None, None, "json") == 2
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and "phiên bản mới hơn" in document["summary"]


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "khac.sqlite"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        open_history(path)
    assert "chương trình khác" in caught.value.summary
    assert path.read_bytes() == before


def test_reading_a_missing_file_creates_nothing(tmp_path, capsys):
    path = tmp_path / "chua-co" / "lich-su.sqlite"
    assert history_command(path, None, None, "text") == 2
    err = capsys.readouterr().err
    assert "Chưa có tệp lịch sử" in err and "Traceback" not in err
    assert not path.exists() and not path.parent.exists()


def test_an_empty_file_reads_as_an_empty_history_and_stays_empty(tmp_path, capsys):
    path = tmp_path / "trong.sqlite"
    path.touch()
    assert history_command(path, None, None, "text") == 0
    assert "chưa ghi năm nào" in capsys.readouterr().out
    assert path.read_bytes() == b""


def test_the_listing_in_text_and_json(recorded, capsys):
    assert history_command(recorded, None, None, "text") == 0
    out = capsys.readouterr().out
    assert "2 năm đã ghi" in out
    assert "lao-cai-2020" in out and "chuyen-doi-so-2026" in out
    assert file_sha256(SAMPLES["lao-cai-2020"])[:12] in out
    assert "08/01/2026 08:00" in out
    assert history_command(recorded, None, None, "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] and document["command"] == "history"
    years = {(y["profile"], y["year"]): y for y in document["years"]}
    assert years[("lao-cai-2020", 2020)]["agencies"] == 32
    assert years[("chuyen-doi-so-2026", 2026)]["ranked"] == 119
    assert document["replacements"] == []


def test_an_agency_trend_in_text_and_json(recorded, capsys):
    assert history_command(recorded, "Xã Tà Xi Láng", None, "text") == 0
    out = capsys.readouterr().out
    assert "không xếp hạng" in out and "nộp sau thời hạn" in out and "(48,07%)" in out
    assert history_command(recorded, "sở tư pháp", None, "json") == 0
    trend = json.loads(capsys.readouterr().out)["trend"]
    assert [(p["year"], p["rank"], p["total"]) for p in trend] == [
        (2020, 12, "85.02"),
        (2026, 3, "780.71"),
    ]


def test_an_unknown_agency_gets_a_near_miss(recorded, capsys):
    assert history_command(recorded, "Xa Ta Xi Lang", None, "text") == 2
    err = capsys.readouterr().err
    assert "có phải «Xã Tà Xi Láng»?" in err
    assert history_command(recorded, "Sở Tư phap", None, "json") == 2
    document = json.loads(capsys.readouterr().out)
    assert document["problems"][0]["place"] == "--agency"
    assert "có phải «Sở Tư pháp»?" in document["problems"][0]["message"]


def test_the_export_reads_back_with_openpyxl(tmp_path, runs, capsys):
    path = tmp_path / "h.sqlite"
    hostile = dataclasses.replace(runs["lao-cai-2020"].agencies[0], name='=HYPERLINK("x",1)')
    lao_cai = dataclasses.replace(
        runs["lao-cai-2020"], agencies=(hostile, *runs["lao-cai-2020"].agencies[1:])
    )
    with open_history(path) as history:
        history.record(lao_cai)
        history.record(runs["chuyen-doi-so-2026"])
        history.record(runs["chuyen-doi-so-2026"])  # one replacement for the audit sheet
    target = tmp_path / "xuat" / "lich-su.xlsx"
    assert history_command(path, None, target, "text") == 0
    assert "Đã xuất 2 năm" in capsys.readouterr().out
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Các năm", "Kết quả", "Thứ hạng theo năm", "Ghi lại"]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
    results = book["Kết quả"]
    header = [c.value for c in results[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in results.iter_rows(2)]
    assert len(rows) == 32 + 122
    first = next(r for r in rows if r["Năm đánh giá"] == 2020 and r["Xếp hạng"] == 1)
    assert first["Tên đơn vị"] == '=HYPERLINK("x",1)'  # text, not a formula
    cell = next(c for c in results["E"] if c.value == '=HYPERLINK("x",1)')
    assert cell.data_type == "s"
    assert Decimal(str(first["Tổng điểm"])) == Decimal("96.34")
    total_column = header.index("Tổng điểm")
    assert results.cell(row=2, column=total_column + 1).number_format == "0.00"
    assert sum(list(r.values()).count(NOT_SCORED) for r in rows) == 6  # the sample's «KĐG»
    school = next(
        r for r in rows if r["Tên đơn vị"] == "Sở Giáo dục và Đào tạo" and r["Năm đánh giá"] == 2026
    )
    assert Decimal(str(school["CS5.2"])) == Decimal("67.5") and school["CS5"] == 230.62
    ranks = book["Thứ hạng theo năm"]
    rank_header = [c.value for c in ranks[1]]
    assert rank_header[3:] == ["2020", "2026", "Tên trước đây", "Hợp nhất vào"]
    police = next(row for row in ranks.iter_rows(2, values_only=True) if row[1] == "Công an tỉnh")
    assert police[4] == "không xếp hạng"
    assert book["Ghi lại"].max_row == 2
    years = book["Các năm"]
    assert [c.value for c in years["B"]][1:] == [2020, 2026]


def test_the_export_must_be_xlsx(recorded):
    with open_history(recorded, create=False) as history, pytest.raises(InputError):
        export_history(history, recorded.with_suffix(".csv"))


def test_record_outcome_hashes_the_files_and_stamps_the_time(tmp_path):
    import datetime as dt

    found = find_profile("lao-cai-2020")
    inspection = inspect(SAMPLES["lao-cai-2020"], found.rules)
    assert inspection.evaluation is not None
    groups = evaluate(inspection.rules, inspection.evaluation.agencies)
    path = tmp_path / "thu-muc" / "lich-su.sqlite"
    moment = dt.datetime(2026, 1, 8, 8, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    arguments = dict(
        rules=inspection.rules,
        evaluation=inspection.evaluation,
        groups=groups,
        profile="lao-cai-2020",
        workbook=SAMPLES["lao-cai-2020"],
        rules_file=found.rules,
        tool_version="0.1.0",
        clock=lambda: moment,
    )
    assert record_outcome(path, **arguments) is False
    assert record_outcome(path, **arguments) is True
    with open_history(path, create=False) as history:
        (entry,) = history.years()
        assert entry.recorded_at == "2026-01-08T08:00:01+07:00"
        assert entry.input_sha256 == file_sha256(SAMPLES["lao-cai-2020"])
        assert entry.rules_sha256 == file_sha256(found.rules) and entry.replaced == 1


def test_the_history_command_line(recorded):
    shown = cli("history", "--help")
    assert shown.returncode == 0 and "--agency" in shown.stdout
    listed = cli("history", "--history", str(recorded), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["years"]) == 2
    trend = cli("history", "--history", str(recorded), "--agency", "Sở Tư pháp")
    assert trend.returncode == 0 and "Sở Tư pháp qua các năm" in trend.stdout
    missing = cli("history", "--history", str(recorded.with_name("khong-co.sqlite")))
    assert missing.returncode == 2 and "Chưa có tệp lịch sử" in missing.stderr
    assert "Traceback" not in missing.stderr
