"""`python -m processor report`: what it writes, what it prints, and what it refuses, run as
the office runs it (a real process, real files)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import SAMPLE, cli, full_row

NAMES = ("phieu-ket-qua-2020.docx", "bao-cao-tong-hop-2020.docx")
FOUR = (
    "Nhóm I – Sở Giáo dục và Đào tạo: 85,05 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,05 điểm.",
    "Nhóm I – Sở Tư pháp: 85,02 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,02 điểm.",
    "Nhóm II – Thanh Tra tỉnh: 65,00 điểm, đúng bằng ngưỡng mức Tốt (từ 65 điểm).",
    "Nhóm III – UBND huyện Bát Xát: 85,05 điểm, trên ngưỡng mức Tốt (từ 85 điểm) 0,05 điểm.",
)


def digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_sample_report_writes_every_part_and_lists_the_four_near_boundaries(tmp_path):
    out = tmp_path / "kq"
    done = cli("report", str(SAMPLE), "--out", str(out), "--no-pdf")
    assert done.returncode == 0, done.stderr
    assert all((out / name).is_file() for name in NAMES)
    charts = sorted(p.name for p in (out / "bieu-do-2020").iterdir())
    assert "muc-do.png" in charts and "xep-hang-nhom-I.png" in charts
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in (out / "bieu-do-2020").iterdir())
    assert f"Phiếu kết quả của 32 đơn vị (Word): {out / NAMES[0]}" in done.stdout
    assert "Cần xem trước khi ký (" in done.stdout
    lines = [line.strip() for line in done.stdout.splitlines()]
    for flag in FOUR:
        assert flag in lines, flag
    assert not (out / "quyet-dinh-xep-hang-cntt-2020.docx").exists()  # report makes no decision


def test_the_same_workbook_gives_the_same_report(tmp_path):
    for name in ("a", "b"):
        assert cli("report", str(SAMPLE), "--out", str(tmp_path / name), "--no-pdf").returncode == 0
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_json_holds_the_files_the_flags_and_the_figures(tmp_path):
    done = cli("report", str(SAMPLE), "--out", str(tmp_path), "--no-pdf", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["command"] == "report" and document["ok"] is True
    assert Path(document["files"]["summary"]).is_file()
    assert document["files"]["scorecards_pdf"] is None
    near = {f["name"] for f in document["flags"] if f["kind"] == "near_boundary"}
    assert near == {"Sở Tư pháp", "Sở Giáo dục và Đào tạo", "UBND huyện Bát Xát", "Thanh Tra tỉnh"}
    assert all(set(f) == {"group", "name", "kind", "detail"} for f in document["flags"])
    assert len(document["scorecards"]) == 32
    first = document["groups"][0]
    assert first["totals"]["best"] == "96.34" and first["levels"][0] == {
        "grade": "Tốt",
        "count": 12,
        "prior": None,
    }


def test_a_workbook_with_errors_is_refused_and_nothing_is_written(make_workbook, rules, tmp_path):
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15
    path = make_workbook([("Sở A", "I", 1, scores)])
    out = tmp_path / "kq"
    done = cli("report", str(path), "--out", str(out))
    assert done.returncode == 2
    assert "có 1 lỗi cần sửa; chưa lập báo cáo." in done.stderr
    assert "Điểm!" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_report_that_cannot_be_written_leaves_the_earlier_one_whole(tmp_path):
    out = tmp_path / "kq"
    assert cli("report", str(SAMPLE), "--out", str(out), "--no-pdf").returncode == 0
    before = digests(out)
    (out / NAMES[0]).unlink()
    (out / NAMES[0]).mkdir()  # a folder where the scorecards go
    before.pop(NAMES[0])
    done = cli("report", str(SAMPLE), "--out", str(out), "--no-pdf", "--margin", "0,3")
    assert done.returncode == 2
    assert "Không ghi được báo cáo" in done.stderr and "Traceback" not in done.stderr
    assert digests(out) == before  # not one file replaced, no temporary left
    assert not [p for p in out.rglob(".*.tmp")]


def test_only_our_own_stale_charts_are_removed(tmp_path):
    out = tmp_path / "kq"
    charts = out / "bieu-do-2020"
    charts.mkdir(parents=True)
    (charts / "xep-hang-nhom-IV.png").write_bytes(b"old chart")
    (charts / "anh-cua-toi.png").write_bytes(b"someone's picture")
    assert cli("report", str(SAMPLE), "--out", str(out), "--no-pdf").returncode == 0
    assert not (charts / "xep-hang-nhom-IV.png").exists()
    assert (charts / "anh-cua-toi.png").read_bytes() == b"someone's picture"


def test_a_history_file_that_is_not_there_is_said(tmp_path):
    missing = tmp_path / "khong-co.sqlite"
    done = cli(
        "report", str(SAMPLE), "--out", str(tmp_path / "kq"), "--no-pdf", "--history", str(missing)
    )
    assert done.returncode == 0, done.stderr
    assert f"Lưu ý: Không có tệp lịch sử {missing}" in done.stderr
    assert not missing.exists()  # report only reads the history
