"""The unattended tool end to end: real CLI subprocesses, a real drop folder, real SMTP server."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time

import docx
import pytest

from conftest import RULES_FILE, full_row
from deployment import (
    LOG_LINE,
    RECIPIENTS,
    SAMPLE,
    SHORT_NAME,
    deployment,
    kill,
    wait_until,
)
from smtp_server import Recorder, free_port, smtp_server

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bad_workbook(make_workbook, rules):
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15  # above its maximum of 12
    return make_workbook([("Sở A", "I", 1, scores)], name="bang-diem-loi.xlsx")


def test_a_dropped_workbook_becomes_a_decision_and_one_email_with_it(tmp_path):
    rules = tmp_path / "quy-tac.toml"  # a decision file name in Vietnamese, kept in the email
    rules.write_text(
        RULES_FILE.read_text(encoding="utf-8").replace(
            'output_file = "quyet-dinh-xep-hang-cntt-{nam}.docx"',
            'output_file = "Quyết định xếp hạng CNTT {nam}.docx"',
        ),
        encoding="utf-8",
    )
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, decision={"rules": str(rules)})
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        (site.inbox / "~$Bảng điểm 2020.xlsx").write_bytes(b"owner file of Excel")
        (site.inbox / ".~lock.Bảng điểm 2020.xlsx#").write_text("LibreOffice lock")
        done = site.inbox_pass()
        site.inbox_pass()  # a second pass finds nothing new and sends nothing again

    decision = site.output / "Quyết định xếp hạng CNTT 2020.docx"
    results = site.output / "Quyết định xếp hạng CNTT 2020-ket-qua.xlsx"
    assert docx.Document(str(decision)).tables  # a whole, readable decision
    assert "1 bảng tính đã lập quyết định" in done.stdout
    assert "Thư: 1 đã gửi" in done.stdout
    # the original, byte for byte, filed under its time and SHA-256; lock files untouched
    (filed,) = site.files("done")
    short = SHORT_NAME.match(filed.name)
    assert short is not None and short["original"] == "Bảng điểm 2020.xlsx", filed.name
    assert filed.read_bytes() == SAMPLE.read_bytes()
    ledger = json.loads(next((site.root / "ledger").iterdir()).read_text(encoding="utf-8"))
    assert f"_{ledger['sha256'][:8]}_" in filed.name and ledger["state"] == "done"
    assert ledger["filed_as"] == f"done/{filed.name}"
    assert sorted(p.name for p in site.inbox.iterdir()) == [
        ".~lock.Bảng điểm 2020.xlsx#",
        "~$Bảng điểm 2020.xlsx",
    ]
    assert site.files("processing") == [] and site.files("outbox") == []
    # exactly one message, to everyone, with the decision attached under its own name
    (received,) = server.messages
    assert set(received.recipients) == set(RECIPIENTS)
    message = received.message
    assert message["Subject"] == (
        "Dự thảo Quyết định phê duyệt kết quả xếp hạng mức độ ứng dụng CNTT năm 2020"
    )
    (attachment,) = list(message.iter_attachments())  # only the decision, by default
    assert attachment.get_content_type() == DOCX
    assert attachment.get_filename() == "Quyết định xếp hạng CNTT 2020.docx"
    assert attachment.get_content() == decision.read_bytes()
    assert results.is_file()  # beside it, and in the answers folder
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Kính gửi: Văn phòng UBND tỉnh Lào Cai.")  # from the rules
    assert "THAY THẾ" not in message["Subject"] + body  # the first decision of its year
    assert "dự thảo Quyết định phê duyệt kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT" in body
    assert "32 đơn vị" in body and "Sở Thông tin và Truyền thông, 96,34 điểm" in body
    # one line per event, greppable, in Vietnamese
    lines = site.log_lines()
    assert all(LOG_LINE.match(line) for line in lines), lines
    events = [line.split(" | ")[1] for line in lines]
    for event in ("nhận", "kiểm tra", "lập quyết định", "xếp thư", "trả lời", "gửi thư", "xong"):
        assert event in events
    assert any(f"sha256={ledger['sha256']}" in line for line in lines)
    # not a terminal: the same event lines on standard output too (a service's journal)
    printed = [line for line in done.stdout.splitlines() if LOG_LINE.match(line)]
    assert printed and all(line in lines for line in printed)


def test_a_bad_workbook_lands_in_failed_with_its_report_and_no_email(
    tmp_path, make_workbook, rules
):
    bad = bad_workbook(make_workbook, rules)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(bad, "bang-diem-loi.xlsx")
        done = site.inbox_pass()
        assert server.messages == []
    assert "1 bị từ chối" in done.stdout
    workbook, report = site.files("failed")
    assert workbook.read_bytes() == bad.read_bytes()
    assert report.name == workbook.name + ".bao-cao.txt"
    text = report.read_text(encoding="utf-8")
    assert "Bảng tính bang-diem-loi.xlsx có 1 lỗi cần sửa; chưa lập quyết định." in text
    assert "Lỗi Điểm!G2 (Sở A): Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 của nhóm I." in text
    assert not site.output.exists() or list(site.output.iterdir()) == []
    assert site.files("outbox") == [] and site.files("sent") == []
    assert any(" | lỗi | bang-diem-loi.xlsx | " in line for line in site.log_lines())
    # no [rejection] and no [reminder] people of its own: no email, but the answer is there
    assert "Không gửi thư báo" in text
    assert site.answer_names() == [
        "bang-diem-loi - CẦN SỬA.txt",
        "bang-diem-loi - đánh dấu lỗi.xlsx",
    ]


def test_a_file_that_is_not_a_workbook_is_refused_not_lost(tmp_path):
    text_file = tmp_path / "ghi-chu.txt"
    text_file.write_text("không phải bảng tính", encoding="utf-8")
    site = deployment(tmp_path / "may-chu", free_port())
    site.drop(text_file, "ghi-chu.xlsx")
    site.inbox_pass()
    workbook, report = site.files("failed")
    assert workbook.read_bytes() == text_file.read_bytes()
    text = report.read_text(encoding="utf-8")
    assert "không phải bảng tính Excel .xlsx hợp lệ" in text
    assert "processing" not in text  # the name people dropped, not the internal path
    assert "Không lập được bản sao đánh dấu lỗi" in text
    (answer,) = site.answer_names()  # no marked copy of a file that is no workbook
    assert answer == "ghi-chu - CẦN SỬA.txt"
    assert (site.answers / answer).read_text(encoding="utf-8") == text


def test_smtp_down_then_up_delivers_exactly_once_on_a_later_pass(tmp_path):
    port = free_port()
    site = deployment(tmp_path / "may-chu", port)
    site.drop(SAMPLE, "bang-diem.xlsx")
    down = site.inbox_pass()  # nobody listens on the port
    assert "Thư: 0 đã gửi, 1 chờ gửi lại" in down.stdout
    (entry,) = site.files("outbox")
    state = json.loads((entry / "state.json").read_text(encoding="utf-8"))
    assert state["attempts"] == 1 and state["accepted"] == []
    assert "từ chối kết nối" in state["last_error"]
    assert any(" | gửi lại sau | " in line for line in site.log_lines())
    with smtp_server(port=port) as server:
        up = site.inbox_pass()
        site.inbox_pass()
        assert len(server.messages) == 1
        assert set(server.messages[0].recipients) == set(RECIPIENTS)
    assert "Thư: 1 đã gửi" in up.stdout
    assert site.files("outbox") == [] and [p.name for p in site.files("sent")] == [entry.name]


def test_back_off_waits_before_trying_again(tmp_path):
    port = free_port()
    site = deployment(
        tmp_path / "may-chu", port, retry={"first_seconds": 3600, "max_seconds": 7200}
    )
    site.drop(SAMPLE, "bang-diem.xlsx")
    site.inbox_pass()  # server down: next try in an hour
    with smtp_server(port=port) as server:
        later = site.inbox_pass()
        assert server.messages == []  # not due yet: not even a connection
    assert "1 chờ gửi lại" in later.stdout
    (entry,) = site.files("outbox")
    state = json.loads((entry / "state.json").read_text(encoding="utf-8"))
    assert state["attempts"] == 1


def test_a_recipient_refused_with_550_is_reported_and_the_others_get_it_once(tmp_path):
    recorder = Recorder(refuse={"thuky@tinh.gov.vn": "550 5.1.1 No such user here"})
    with smtp_server(recorder) as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "bang-diem.xlsx")
        done = site.inbox_pass()
        site.inbox_pass()
        assert [m.recipients for m in server.messages] == [("vanthu@tinh.gov.vn",)]
    assert "1 không gửi được" in done.stdout
    (entry,) = site.files("mail-failed")
    report = (entry / "bao-cao.txt").read_text(encoding="utf-8")
    assert "thuky@tinh.gov.vn: máy chủ trả lời «550 5.1.1 No such user here»" in report
    delivered = report.split("Đã gửi được đến (không gửi lại):\n")[1].split("\n\n")[0]
    assert delivered.split() == ["vanthu@tinh.gov.vn"]
    state = json.loads((entry / "state.json").read_text(encoding="utf-8"))
    assert state["accepted"] == ["vanthu@tinh.gov.vn"]
    assert list(state["rejected"]) == ["thuky@tinh.gov.vn"]
    assert site.files("outbox") == [] and site.files("sent") == []
    assert any(
        " | lỗi | " in line and "550 5.1.1" in line and "thuky@tinh.gov.vn" in line
        for line in site.log_lines()
    )


def test_a_second_inbox_process_exits_on_the_lock(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "bang-diem.xlsx")
        first = site.paused("inbox", pause="received")
        try:
            second = site.run("inbox")
        finally:
            kill(first)
        assert second.returncode == 2
        assert "đang được một tiến trình khác xử lý" in second.stderr
        assert f"tiến trình số {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        site.inbox_pass()  # the killed holder left no stale lock; its work is resumed
        assert len(server.messages) == 1
    assert len(site.files("done")) == 1


def test_the_same_workbook_dropped_twice_is_handled_once(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "bang-diem.xlsx")
        site.drop(SAMPLE, "ban-sao.xlsx")  # same bytes, another name, same pass
        first = site.inbox_pass()
        site.drop(SAMPLE, "bang-diem.xlsx")  # and again later
        second = site.inbox_pass()
        assert len(server.messages) == 1
    assert "1 bảng tính đã lập quyết định" in first.stdout and "1 trùng" in first.stdout
    assert "0 bảng tính đã lập quyết định" in second.stdout and "1 trùng" in second.stdout
    workbooks = [p for p in site.files("done") if p.suffix == ".xlsx"]
    notes = [p for p in site.files("done") if p.name.endswith(".trung.txt")]
    assert len(workbooks) == 3 and len(notes) == 2  # every original kept, two marked duplicate
    assert all(p.read_bytes() == SAMPLE.read_bytes() for p in workbooks)
    assert sum(" | trùng | " in line for line in site.log_lines()) == 2


def test_a_refused_workbook_dropped_again_is_checked_again_and_never_emailed(
    tmp_path, make_workbook, rules
):
    bad = bad_workbook(make_workbook, rules)
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(bad, "bang-diem-loi.xlsx")
        site.inbox_pass()
        site.drop(bad, "bang-diem-loi.xlsx")
        again = site.inbox_pass()
        assert server.messages == []
    assert "1 bị từ chối" in again.stdout
    assert len([p for p in site.files("failed") if p.suffix == ".xlsx"]) == 2


def test_the_january_job_reminds_once_a_year_when_no_decision_exists(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, schedule={"evaluation_year": 2024})
        first = site.inbox_pass("--yearly")
        again = site.inbox_pass("--yearly")  # a catch-up run or a manual one: no second reminder
        (reminder,) = server.messages
    assert "đã gửi thư nhắc việc" in first.stdout
    assert "thư nhắc đã gửi trước đây" in again.stdout
    message = reminder.message
    assert message["Subject"] == (
        "Nhắc việc: chưa nhận được bảng điểm xếp hạng mức độ ứng dụng CNTT năm 2024"
    )
    assert str(site.inbox) in message.get_body(("plain",)).get_content()
    assert set(reminder.recipients) == set(RECIPIENTS)  # [reminder] not set: the same people
    assert any(" | nhắc việc | nhac-viec-2024 | " in line for line in site.log_lines())


def test_the_january_job_does_not_remind_when_the_decision_exists(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, schedule={"evaluation_year": 2020})
        site.drop(SAMPLE, "bang-diem.xlsx")
        done = site.inbox_pass("--yearly")  # the workbook arrives in the same run
        assert len(server.messages) == 1  # the decision, no reminder
    assert "đã có quyết định năm 2020" in done.stdout


def test_the_password_comes_from_the_environment_and_is_never_written(tmp_path):
    secret = "mật-khẩu-bí-mật-42"
    with smtp_server(login=("stttt", secret)) as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            smtp={"user": "stttt", "password_env": "XEP_HANG_TEST_PASSWORD"},
        )
        site.drop(SAMPLE, "bang-diem.xlsx")
        done = site.run("inbox", env={"XEP_HANG_TEST_PASSWORD": secret})
        assert done.returncode == 0, done.stderr
        assert len(server.messages) == 1
        assert server.recorder.logins == [("stttt", secret)]
        missing = site.run("inbox")  # no password in the environment: a clear refusal
    assert missing.returncode == 2
    assert "XEP_HANG_TEST_PASSWORD" in missing.stderr and "Traceback" not in missing.stderr
    written = [done.stdout, done.stderr, site.log.read_text(encoding="utf-8")]
    written += [p.read_text(encoding="utf-8", errors="replace") for p in site.root.rglob("*.json")]
    written += [p.read_text(encoding="utf-8", errors="replace") for p in site.root.rglob("*.eml")]
    assert not any(secret in text for text in written)


def test_watch_scans_at_start_processes_new_drops_and_stops_on_sigterm(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "truoc-khi-chay.xlsx")  # dropped while the service was down
        service = site.start("watch")
        try:
            wait_until(lambda: len(server.messages) == 1)
            (site.inbox / "~$dang-mo.xlsx").write_bytes(b"Excel owner file")
            # a copy that takes a while: written in pieces, slower than the settle time
            data = _changed_sample()
            target = site.inbox / "bang-diem-moi.xlsx"
            with open(target, "wb") as stream:
                for start in range(0, len(data), len(data) // 3 + 1):
                    stream.write(data[start : start + len(data) // 3 + 1])
                    stream.flush()
                    os.fsync(stream.fileno())
                    time.sleep(0.15)  # the settle time is 0.2 s: each piece resets it
            wait_until(lambda: len(server.messages) == 2)
        finally:
            service.send_signal(signal.SIGTERM)
            _, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert "Đang theo dõi" in err and "Đã dừng theo dõi." in err
    names = sorted(p.name.split("_", 3)[-1] for p in site.files("done"))
    assert names == ["bang-diem-moi.xlsx", "truoc-khi-chay.xlsx"]
    assert [p.name for p in site.inbox.iterdir()] == ["~$dang-mo.xlsx"]
    moi = next(p for p in site.files("done") if p.name.endswith("bang-diem-moi.xlsx"))
    assert moi.read_bytes() == data  # taken only once the copy was complete
    events = [line.split(" | ")[1] for line in site.log_lines()]
    assert events[0] == "bắt đầu" and events[-1] == "dừng"


def test_watch_with_polling_for_network_shares(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, watch={"polling": True})
        service = site.start("watch")
        try:
            wait_until(lambda: any(" | bắt đầu | watch | " in x for x in site.log_lines()))
            site.drop(SAMPLE, "bang-diem.xlsx")
            wait_until(lambda: len(server.messages) == 1)
        finally:
            service.send_signal(signal.SIGTERM)
            _, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert "quét định kỳ (polling)" in err


def test_a_second_service_on_the_same_folder_is_refused(tmp_path):
    site = deployment(tmp_path / "may-chu", free_port())
    service = site.start("watch")
    try:
        wait_until(lambda: any(" | bắt đầu | watch | " in x for x in site.log_lines()))
        second = site.run("watch")
    finally:
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=30)
    assert second.returncode == 2
    assert "đang được một tiến trình khác xử lý" in second.stderr


def _changed_sample() -> bytes:
    """The sample with one more note in its info sheet: a different workbook (another SHA)."""
    import openpyxl

    book = openpyxl.load_workbook(SAMPLE)
    book.create_sheet("Ghi chú").append(["Bản nộp lại"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
