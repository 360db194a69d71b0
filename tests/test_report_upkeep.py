"""What a decision without its report tidies and tells, and what stays honest in the outbox.

An old report removed when a new decision has none; a failed report mailed to the technical
staff once per drop; agencies whose earlier scorecard letter is left as their latest named in
the answer; `config check` trying the report's libraries; the answer's next step when results
need a look before signing. Real drop folders, real SMTP (aiosmtpd), the CLI as a subprocess.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from test_report_unattended import ANSWER, KHDT, MAILED, REPORT_FILES, STTTT, email_workbook

from processor.reporting.writer import remove_report
from processor.unattended.dropfolder.reports import Made, success_answer
from processor.unattended.report_upkeep import REPORT_FAILURE_KIND

from deployment import ROOT, SAMPLE, TECHNICAL, deployment, kill
from smtp_server import smtp_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
REMOVED = "Đã xóa báo cáo cũ của năm 2020 vì không còn khớp quyết định mới."


def fake_library(folder: Path, name: str, raising: str) -> Path:
    """A package `name` on a path of its own whose import raises `raising` (Python source)."""
    package = folder / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise {raising}\n", encoding="utf-8")
    return folder


def test_remove_report_deletes_only_our_files_and_says_what_it_could_not(tmp_path):
    out = tmp_path / "quyet-dinh"
    charts = out / "bieu-do-2020"
    charts.mkdir(parents=True)
    for name in ("phieu-ket-qua-2020.docx", "phieu-ket-qua-2020.pdf", "bao-cao-tong-hop-2020.docx"):
        (out / name).write_bytes(b"x")
    for name in ("xep-hang-nhom-I.png", "muc-do.png", "ban-do-nhiet-nhom-II.png"):
        (charts / name).write_bytes(b"png")
    (charts / "ghi-chu-cua-toi.png").write_bytes(b"theirs")
    (out / "phieu-ket-qua-2021.docx").write_bytes(b"another year")
    assert remove_report(out, 2020) == []
    assert sorted(p.name for p in out.iterdir()) == ["bieu-do-2020", "phieu-ket-qua-2021.docx"]
    assert [p.name for p in charts.iterdir()] == ["ghi-chu-cua-toi.png"]  # not ours: kept
    (charts / "ghi-chu-cua-toi.png").unlink()
    (charts / "muc-do.png").write_bytes(b"png")
    (out / "bao-cao-tong-hop-2020.docx").mkdir()  # cannot be unlinked
    notes = remove_report(out, 2020)
    assert not charts.exists()  # empty once our charts are gone
    (note,) = notes
    assert note.startswith("Không xóa được tệp báo cáo cũ ") and "xin xóa bằng tay" in note
    assert remove_report(tmp_path / "khong-co", 2020) == []


def test_a_decision_made_with_the_report_off_removes_that_years_earlier_report(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report={"enabled": True})
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        for name in REPORT_FILES:
            assert (site.output / name).exists(), name
        (site.output / "bieu-do-2020" / "anh-cua-toi.png").write_bytes(b"not ours")
        site = deployment(tmp_path / "may-chu", server.port, report={"enabled": False})
        site.drop(email_workbook(tmp_path, corrected=True), "Bảng điểm 2020.xlsx")
        site.inbox_pass()
    assert not (site.output / "phieu-ket-qua-2020.docx").exists()
    assert not (site.output / "bao-cao-tong-hop-2020.docx").exists()
    charts = site.output / "bieu-do-2020"
    assert [p.name for p in charts.iterdir()] == ["anh-cua-toi.png"]
    assert REMOVED in (site.answers / ANSWER).read_text(encoding="utf-8")
    assert any(REMOVED in line for line in site.log_lines())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_failed_report_removes_the_old_one_and_tells_the_technical_staff_once(
    tmp_path, monkeypatch
):
    rejection = {"to": ["hoidong@tinh.gov.vn"], "technical_to": [TECHNICAL]}
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu", server.port, report={"enabled": True}, rejection=rejection
        )
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        assert (site.output / "bao-cao-tong-hop-2020.docx").exists()
        # pandas gone from the server: the next report fails, the decision does not
        fake = fake_library(tmp_path / "gia", "pandas", "ModuleNotFoundError(name='pandas')")
        monkeypatch.setenv("PYTHONPATH", str(fake))
        site.drop(email_workbook(tmp_path, corrected=True), "Bảng điểm 2020 (sửa).xlsx")
        kill(site.paused("inbox", pause="queued"))  # the technical letter queued, then killed
        site.inbox_pass()  # resumes: the same letter is found queued
        site.inbox_pass()
        told = server.recorder.to(TECHNICAL)
        decisions = [m for m in server.messages if "vanthu@tinh.gov.vn" in m.recipients]
    assert len(decisions) == 2
    (letter,) = told
    subject = str(letter.message["Subject"])
    assert subject.startswith("Lỗi kỹ thuật: đã lập dự thảo quyết định năm 2020 nhưng chưa lập")
    body = letter.message.get_body(("plain",)).get_content()
    assert "máy chủ chưa cài thư viện pandas" in body
    assert "Dự thảo quyết định không bị ảnh hưởng." in body
    assert sum(p.name.startswith(REPORT_FAILURE_KIND) for p in site.files("sent")) == 1
    assert not any((site.output / name).exists() for name in REPORT_FILES)
    assert any(REMOVED in line for line in site.log_lines())
    answer = (site.answers / "Bảng điểm 2020 (sửa) - ĐÃ LẬP QUYẾT ĐỊNH.txt").read_text("utf-8")
    assert "Chưa lập được báo cáo" in answer and "máy chủ chưa cài thư viện pandas" in answer


def test_an_agency_left_with_an_earlier_workbooks_scorecard_is_named(tmp_path):
    corrected = email_workbook(tmp_path, corrected=True)
    book = openpyxl.load_workbook(corrected)
    sheet = book["Điểm"]
    email = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == "Email")
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 2).value == STTTT:
            sheet.cell(row, email).value = None  # its address gone
        if sheet.cell(row, 2).value == KHDT:
            sheet.cell(row, 2, "Sở Kế hoạch và Đầu tư tỉnh Lào Cai")  # renamed
    book.save(corrected)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report=MAILED)
        site.drop(email_workbook(tmp_path), "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        site.drop(corrected, "Bảng điểm 2020 (sửa).xlsx")
        site.inbox_pass()
        assert len(server.messages) == 3 + 2  # the new decision, KHDT under its new name
    answer = (site.answers / "Bảng điểm 2020 (sửa) - ĐÃ LẬP QUYẾT ĐỊNH.txt").read_text("utf-8")
    assert (
        f"{STTTT} đã nhận phiếu kết quả cũ nhưng bảng điểm mới không còn địa chỉ thư: phiếu "
        "mới không được gửi."
    ) in answer
    assert f"{KHDT} đã nhận phiếu kết quả cũ nhưng bảng điểm mới không còn đơn vị tên này" in (
        answer
    )
    assert "Sở Kế hoạch và Đầu tư tỉnh Lào Cai đã nhận" not in answer


@pytest.mark.parametrize(
    ("raising", "why"),
    [
        ("ImportError('libfreetype.so.6: cannot open shared object file')", "cài hỏng"),
        ("ModuleNotFoundError(name='matplotlib')", "chưa cài"),
    ],
)
def test_config_check_refuses_scorecards_without_the_report_libraries(tmp_path, raising, why):
    fake = fake_library(tmp_path / "gia", "matplotlib", raising)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(fake)])}
    with smtp_server() as server:
        mailed = deployment(tmp_path / "a", server.port, report=MAILED)
        warned = deployment(tmp_path / "b", server.port, report={"enabled": True})
        refused = mailed.run("config", "check", env=env)
        passed = warned.run("config", "check", env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "email_scorecards = true" in refused.stderr and "matplotlib" in refused.stderr
    assert "python -m pip install" in refused.stderr
    if why == "chưa cài":
        assert "python -m pip install matplotlib" in refused.stderr
    else:
        assert "--force-reinstall matplotlib" in refused.stderr
        assert "libfreetype" in refused.stderr
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "CHƯA DÙNG ĐƯỢC thư viện matplotlib" in passed.stdout
    assert "python -m pip install" in passed.stdout


def made(flagged: int) -> Made:
    return Made(
        original="a.xlsx",
        sha256="0" * 64,
        received=datetime(2021, 1, 5, 8, 0),
        year=2020,
        agencies=32,
        files=[],
        output="/srv/quyet-dinh",
        inbox="inbox/",
        mailed="Thư đã xếp.",
        flagged=flagged,
    )


def test_the_next_step_asks_the_secretary_to_review_flagged_results_before_signing():
    quiet = success_answer(made(0))
    assert "Thư ký Hội đồng không cần làm gì thêm" in quiet
    flagged = success_answer(made(16))
    assert "không cần làm gì thêm" not in flagged
    assert (
        "VIỆC TIẾP THEO, của thư ký Hội đồng: xem lại kết quả của 16 đơn vị nêu trên trước khi "
        "dự thảo được trình ký"
    ) in flagged
    assert "VIỆC TIẾP THEO, của Văn thư: ghi số, ngày ban hành và trình ký" in flagged


def test_the_answer_counts_flagged_agencies_not_flags(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, report={"enabled": True})
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        site.inbox_pass()
    answer = (site.answers / ANSWER).read_text(encoding="utf-8")
    assert "thư ký Hội đồng nên xem lại kết quả của 16 đơn vị (19 kết quả) sát ngưỡng" in answer
    assert "xem lại kết quả của 16 đơn vị nêu trên trước khi dự thảo được trình ký" in answer
    assert "không cần làm gì thêm" not in answer
