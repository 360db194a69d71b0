"""Every outcome reaches the person who needs it: the answers folder, refusal emails, the
replacement notice, the share name, short names; real CLI subprocesses, real folders, a real
SMTP server, and the attachments read back (openpyxl, python-docx)."""

from __future__ import annotations

import io
import json
import shutil
import signal
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from processor.unattended.dropfolder.answers import (
    DECISION_COPY,
    DONE_NOTE,
    MARKED_COPY,
    REFUSED_NOTE,
    answer_name,
    write_answer,
)
from processor.unattended.dropfolder.ledger import LedgerEntry
from processor.unattended.dropfolder.moves import stamp_of
from processor.unattended.dropfolder.reports import (
    Blame,
    Made,
    duplicate_note,
    failure_report,
    success_answer,
)

from conftest import TEMPLATE_FILE, full_row
from deployment import (
    LOG_LINE,
    RECIPIENTS,
    SAMPLE,
    SECRETARY,
    SHORT_NAME,
    TECHNICAL,
    deployment,
    wait_until,
)
from smtp_server import smtp_server

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

SHARE = "\\\\maychu\\XepHang"
PEOPLE = {"rejection": {"to": [SECRETARY], "technical_to": [TECHNICAL]}}
SHA = "ab" * 32
DECISION = "quyet-dinh-xep-hang-cntt-2020.docx"
RESULTS = "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx"


def bad_workbook(make_workbook, rules) -> Path:
    scores = full_row(rules, "I")
    scores["TC2.1"] = 15  # above its maximum of 12: Điểm!G2
    return make_workbook([("Sở A", "I", 1, scores)], name="bang-diem-loi.xlsx")


def corrected_sample() -> bytes:
    """The sample with a note sheet added: another workbook (another SHA) for the same year."""
    book = openpyxl.load_workbook(SAMPLE)
    book.create_sheet("Ghi chú").append(["Bản đã sửa"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def body_of(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def test_a_refused_workbook_is_answered_and_emailed_with_its_marked_copy(
    tmp_path, make_workbook, rules
):
    bad = bad_workbook(make_workbook, rules)
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu", server.port, folders={"share_name": SHARE}, **PEOPLE
        )
        site.drop(bad, "bang-diem-loi.xlsx")
        done = site.inbox_pass()
        site.inbox_pass()  # nothing again: one letter per refused drop
        (letter,) = server.messages
    assert "1 bị từ chối" in done.stdout and f"{SHARE}\\tra-loi" in done.stdout
    # the answer, where the secretary looks: the report and the marked copy
    assert site.answer_names() == [
        "bang-diem-loi - CẦN SỬA.txt",
        "bang-diem-loi - đánh dấu lỗi.xlsx",
    ]
    answer = (site.answers / "bang-diem-loi - CẦN SỬA.txt").read_text(encoding="utf-8")
    workbook, report = site.files("failed")
    assert answer == report.read_text(encoding="utf-8")
    assert "Lỗi Điểm!G2 (Sở A): Điểm tiêu chí TC2.1 là 15" in answer
    assert "VIỆC TIẾP THEO, của thư ký Hội đồng" in answer
    assert f"thả lại tệp đã sửa vào thư mục {SHARE}\\inbox." in answer  # the share, not /srv
    assert f"{SHARE}\\tra-loi\\bang-diem-loi - đánh dấu lỗi.xlsx" in answer
    assert str(site.root) not in answer
    assert SHORT_NAME.match(workbook.name)["original"] == "bang-diem-loi.xlsx"  # type: ignore[index]
    assert workbook.read_bytes() == bad.read_bytes()  # the original, never changed
    # the letter: to the secretary only, the report in the body, the marked copy attached
    assert letter.recipients == (SECRETARY,)
    message = letter.message
    assert message["Subject"] == "Cần sửa «bang-diem-loi.xlsx»: chưa lập được quyết định"
    body = body_of(letter)
    assert "Lỗi Điểm!G2 (Sở A): Điểm tiêu chí TC2.1 là 15" in body
    assert "Việc tiếp theo, của Thư ký Hội đồng" in body and f"{SHARE}\\inbox" in body
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "bang-diem-loi - đánh dấu lỗi.xlsx"
    marked = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    cell = marked["Điểm"]["G2"]
    assert cell.comment is not None and "TC2.1" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFB3B3")  # error red
    assert (
        attachment.get_content()
        == (site.answers / "bang-diem-loi - đánh dấu lỗi.xlsx").read_bytes()
    )
    assert any(" | xếp thư | tu-choi-" in line for line in site.log_lines())


def test_a_damaged_template_goes_to_the_technical_staff_without_a_marked_copy(tmp_path):
    broken = tmp_path / "mau" / "quyet-dinh.docx"
    broken.parent.mkdir()
    with zipfile.ZipFile(TEMPLATE_FILE) as old, zipfile.ZipFile(broken, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"dieu_1 }}", b"dieu_1 }", 1)
            new.writestr(info, data)
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu", server.port, decision={"template": str(broken)}, **PEOPLE
        )
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        done = site.inbox_pass()
        (letter,) = server.messages
    assert "1 bảng tính bị từ chối vì mẫu Word" in done.stdout
    assert letter.recipients == (TECHNICAL,)
    assert letter.message["Subject"].startswith("Lỗi kỹ thuật: chưa lập được quyết định")
    assert "Việc tiếp theo, của bộ phận kỹ thuật" in body_of(letter)
    assert list(letter.message.iter_attachments()) == []  # the workbook is not at fault
    assert site.answer_names() == ["Bảng điểm 2020 - LỖI KỸ THUẬT.txt"]
    text = (site.answers / "Bảng điểm 2020 - LỖI KỸ THUẬT.txt").read_text(encoding="utf-8")
    assert "ĐÂY LÀ LỖI CỦA MẪU WORD" in text and "của bộ phận kỹ thuật" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_good_workbook_gives_decision_results_and_pdf_in_output_and_answers(tmp_path):
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            decision={"pdf": True},
            email={"attach_pdf": True, "attach_results": True},
            folders={"share_name": SHARE},
        )
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        (letter,) = server.messages
    pdf = "quyet-dinh-xep-hang-cntt-2020.pdf"
    assert sorted(p.name for p in site.output.iterdir()) == [RESULTS, DECISION, pdf]
    assert site.answer_names() == [
        "Bảng điểm 2020 - bảng kết quả.xlsx",
        "Bảng điểm 2020 - quyết định.docx",
        "Bảng điểm 2020 - quyết định.pdf",
        "Bảng điểm 2020 - ĐÃ LẬP QUYẾT ĐỊNH.txt",
    ]
    for copy, made in (("quyết định.docx", DECISION), ("bảng kết quả.xlsx", RESULTS)):
        assert (site.answers / f"Bảng điểm 2020 - {copy}").read_bytes() == (
            site.output / made
        ).read_bytes()
    assert docx.Document(str(site.answers / "Bảng điểm 2020 - quyết định.docx")).tables
    table = openpyxl.load_workbook(site.answers / "Bảng điểm 2020 - bảng kết quả.xlsx")
    texts = {str(c.value) for row in table.active.iter_rows() for c in row if c.value}
    assert "Sở Thông tin và Truyền thông" in texts
    assert (site.answers / "Bảng điểm 2020 - quyết định.pdf").read_bytes().startswith(b"%PDF")
    note = (site.answers / "Bảng điểm 2020 - ĐÃ LẬP QUYẾT ĐỊNH.txt").read_text(encoding="utf-8")
    assert "ĐÃ LẬP DỰ THẢO QUYẾT ĐỊNH năm đánh giá 2020: 32 đơn vị" in note
    assert "vanthu@tinh.gov.vn" in note and "VIỆC TIẾP THEO, của Văn thư" in note
    assert f"{SHARE}\\inbox" in note
    names = [part.get_filename() for part in letter.message.iter_attachments()]
    assert names == [DECISION, RESULTS, pdf]
    assert f"Bản sao các tệp này cũng ở thư mục trả lời {SHARE}\\tra-loi." in body_of(letter)


def test_a_corrected_workbook_says_it_replaces_the_decision_sent_before(tmp_path):
    corrected = tmp_path / "da-sua.xlsx"
    corrected.write_bytes(corrected_sample())
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "Bảng điểm 2020.xlsx")
        site.inbox_pass()
        first = server.messages[0]
        sent = json.loads(next(site.root.glob("sent/quyet-dinh-2020-*/state.json")).read_text())
        site.drop(corrected, "Bảng điểm 2020 đã sửa.xlsx")
        done = site.inbox_pass()
        second = server.messages[1]
    assert "1 bảng tính đã lập quyết định" in done.stdout and len(server.messages) == 2
    assert set(second.recipients) == set(RECIPIENTS)
    subject = second.message["Subject"]
    assert subject.startswith("THAY THẾ dự thảo gửi lúc ")
    assert subject.endswith(" – " + first.message["Subject"])
    (sent_at,) = [
        f"{datetime.fromtimestamp(p.stat().st_mtime):%H:%M ngày %d/%m/%Y}"
        for p in site.root.glob(f"sent/{sent['id']}/state.json")
    ]
    assert sent_at in subject
    body = body_of(second)
    assert f"THƯ NÀY THAY THẾ thư dự thảo quyết định năm 2020 đã gửi lúc {sent_at}" in body
    assert "(lập từ bảng điểm Bảng điểm 2020.xlsx)" in body
    note = site.answers / "Bảng điểm 2020 đã sửa - ĐÃ LẬP QUYẾT ĐỊNH.txt"
    assert f"THAY THẾ thư dự thảo quyết định cùng năm đã gửi lúc {sent_at}" in note.read_text(
        encoding="utf-8"
    )
    assert "THAY THẾ" not in first.message["Subject"]


def test_a_duplicate_is_answered_and_the_earlier_answer_kept(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        site.drop(SAMPLE, "bang-diem.xlsx")
        site.inbox_pass()
        site.drop(SAMPLE, "bang-diem.xlsx")  # the same bytes, the same name, in the same second
        site.inbox_pass()
        assert len(server.messages) == 1
    assert site.answer_names() == [
        "bang-diem - TRÙNG.txt",
        "bang-diem - bảng kết quả.xlsx",
        "bang-diem - quyết định.docx",
        "bang-diem - ĐÃ LẬP QUYẾT ĐỊNH.txt",
    ]
    workbooks = [p for p in site.files("done") if p.suffix == ".xlsx"]
    assert len(workbooks) == 2 and all(SHORT_NAME.match(p.name) for p in workbooks)
    assert len({p.name for p in workbooks}) == 2  # a same-second twin gets `~2`, never replaced


def test_the_reminder_names_the_share_people_know(tmp_path):
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            folders={"share_name": SHARE},
            schedule={"evaluation_year": 2024},
        )
        site.inbox_pass("--yearly")
        (reminder,) = server.messages
    body = body_of(reminder)
    assert f"{SHARE}\\inbox" in body and f"{SHARE}\\tra-loi" in body
    assert str(site.root) not in body and "failed/" not in body


def test_a_drop_folder_made_by_the_old_naming_is_finished_and_kept(tmp_path):
    """A processing/ entry and a ledger of the version before short names: resumed and filed
    under the name its ledger gave; the old done/ names stay and still make duplicates."""
    site = deployment(tmp_path / "may-chu", 1)  # no mail needed: nothing is queued
    sha = __import__("hashlib").sha256(SAMPLE.read_bytes()).hexdigest()
    moment = datetime(2026, 1, 5, 8, 0, 1, 123456)
    stamp = stamp_of(moment)
    old_name = f"{stamp}_{sha}_bang-diem.xlsx"
    entry = site.root / "processing" / stamp / "bang-diem.xlsx"
    entry.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLE, entry)
    ledger = {
        "sha256": sha,
        "state": "done",
        "source": f"{stamp}/bang-diem.xlsx",
        "filed_as": f"done/{old_name}",
        "received": moment.isoformat(timespec="seconds"),
        "year": 2020,
    }
    (site.root / "ledger").mkdir()
    (site.root / "ledger" / f"{sha}.json").write_text(json.dumps(ledger), encoding="utf-8")
    site.inbox_pass()  # killed after the ledger, before the move, by the old version
    assert [p.name for p in site.files("done")] == [old_name]
    assert any(" | tiếp tục | bang-diem.xlsx | " in line for line in site.log_lines())
    site.drop(SAMPLE, "ban-sao.xlsx")
    again = site.inbox_pass()
    assert "1 trùng" in again.stdout
    names = {p.name for p in site.files("done")}
    assert old_name in names and len(names) == 3  # the old name kept; the new drop short
    (new,) = [n for n in names if n != old_name and n.endswith(".xlsx")]
    assert SHORT_NAME.match(new)["original"] == "ban-sao.xlsx"  # type: ignore[index]
    assert new + ".trung.txt" in names


def test_watch_under_a_service_prints_its_events_to_standard_output(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port)
        service = site.start("watch")  # stdout is a pipe, as under systemd
        try:
            site.drop(SAMPLE, "bang-diem.xlsx")
            wait_until(lambda: len(server.messages) == 1)
            wait_until(lambda: any(" | gửi thư | " in x for x in site.log_lines()))
        finally:
            service.send_signal(signal.SIGTERM)
            out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    printed = out.splitlines()
    assert printed and all(LOG_LINE.match(line) for line in printed), printed
    events = [line.split(" | ")[1] for line in printed]
    for event in ("bắt đầu", "nhận", "lập quyết định", "trả lời", "gửi thư", "dừng"):
        assert event in events
    assert "Đang theo dõi" in err  # the person-facing lines stay on standard error


def test_a_decisions_folder_that_cannot_be_written_is_the_technical_staffs_move(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "may-chu", server.port, **PEOPLE)
        site.output.write_text("một tệp, không phải thư mục", encoding="utf-8")
        site.drop(SAMPLE, "bang-diem.xlsx")
        done = site.inbox_pass()
        (letter,) = server.messages
    assert "1 bị từ chối" in done.stdout and "vì lỗi kỹ thuật" in done.stdout
    assert letter.recipients == (TECHNICAL,)  # not the secretary: her workbook is fine
    assert site.answer_names() == ["bang-diem - LỖI KỸ THUẬT.txt"]
    text = (site.answers / "bang-diem - LỖI KỸ THUẬT.txt").read_text(encoding="utf-8")
    assert "ĐÂY LÀ LỖI KỸ THUẬT" in text and "bảng tính không cần sửa" in text


# -- the texts and the answers folder, without a run -----------------------------------------


def test_a_technical_refusal_is_the_technical_staffs_move():
    text = failure_report(
        "a.xlsx", SHA, datetime(2026, 1, 5), "failed/a", "Lỗi.", [], blame=Blame.TECHNICAL
    )
    assert "ĐÂY LÀ LỖI KỸ THUẬT" in text and "của bộ phận kỹ thuật" in text
    assert "đánh dấu lỗi" not in text and "thư ký Hội đồng" not in text


def test_the_success_answer_says_what_was_made_who_was_sent_it_and_what_next():
    made = Made(
        original="bang-diem.xlsx",
        sha256=SHA,
        received=datetime(2026, 1, 5, 8, 0, 1),
        year=2025,
        agencies=32,
        files=[("bang-diem - quyết định.docx", "dự thảo quyết định")],
        output="/srv/quyet-dinh",
        inbox="\\\\maychu\\XepHang\\inbox",
        mailed="Thư gửi dự thảo đã được xếp gửi đến: vanthu@tinh.gov.vn.",
        replaces="Thư này THAY THẾ thư dự thảo quyết định cùng năm đã gửi lúc …",
        warnings=["Cảnh báo Điểm!T3: …"],
        notes=["Chưa lập được bản PDF: …"],
    )
    text = success_answer(made)
    assert "ĐÃ LẬP DỰ THẢO QUYẾT ĐỊNH năm đánh giá 2025: 32 đơn vị, 1 cảnh báo." in text
    assert "  bang-diem - quyết định.docx: dự thảo quyết định" in text
    assert "  Chưa lập được bản PDF: …" in text and "vanthu@tinh.gov.vn" in text
    assert "THAY THẾ" in text and "VIỆC TIẾP THEO, của Văn thư" in text
    assert "\\\\maychu\\XepHang\\inbox" in text


def test_the_duplicate_note_says_nobody_need_do_anything():
    earlier = LedgerEntry(SHA, "done", "s/a.xlsx", "done/x.xlsx", "2026-01-05T08:00:01")
    text = duplicate_note("b.xlsx", SHA, datetime(2026, 1, 5), earlier, "X:\\inbox")
    assert "giống hệt" in text and "không ai cần làm gì thêm" in text and "X:\\inbox" in text


def test_an_answer_replaces_the_earlier_answer_to_the_same_name(tmp_path):
    assert answer_name("Bảng điểm 2020.xlsx", DONE_NOTE) == "Bảng điểm 2020 - ĐÃ LẬP QUYẾT ĐỊNH.txt"
    (tmp_path / answer_name("a.xlsx", MARKED_COPY)).write_bytes(b"marked by annotate")
    write_answer(tmp_path, "a.xlsx", {REFUSED_NOTE: b"report"}, kept=[MARKED_COPY])
    (tmp_path / "b - CẦN SỬA.txt").write_bytes(b"another drop's answer")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a - CẦN SỬA.txt",
        "a - đánh dấu lỗi.xlsx",
        "b - CẦN SỬA.txt",
    ]
    write_answer(tmp_path, "a.xlsx", {DECISION_COPY: b"docx", DONE_NOTE: b"made"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a - quyết định.docx",
        "a - ĐÃ LẬP QUYẾT ĐỊNH.txt",
        "b - CẦN SỬA.txt",  # another name's answer is never touched
    ]
