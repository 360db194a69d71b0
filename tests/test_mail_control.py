"""Mail control: `mail list`, `mail resend`, `mail send-now`, against real folders and aiosmtpd.

The commands run as people run them (`python -m processor mail ...` in a subprocess, with the
deployment's config); the outbox pieces they rely on (entries, the send-now request, the
Resent-* block) are also tested directly.
"""

from __future__ import annotations

import email
import email.policy
import json
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from processor.config.settings import Recipients, RetrySettings, Security, SmtpSettings
from processor.unattended.dropfolder.lock import DropFolderLock
from processor.unattended.events import EventLog, Pauses
from processor.unattended.mail.delivery import deliver_due
from processor.unattended.mail.letters import Attachment, Letter, compose, message_id
from processor.unattended.mail.listing import state_of, text_listing
from processor.unattended.mail.outbox import SEND_NOW_FILE, Mailbox, MailEntry
from processor.unattended.mail.resending import original_id, prepare_resend, resend_id
from processor.unattended.mail.state import Delivery

from deployment import SAMPLE, Deployment, deployment, kill, wait_until
from smtp_server import Recorder, free_port, smtp_server

VANTHU, THUKY = "vanthu@tinh.gov.vn", "thuky@tinh.gov.vn"
SENDER = "Sở Thông tin và Truyền thông <stttt@tinh.gov.vn>"
MOMENT = datetime(2026, 1, 5, 8, 0, 1, tzinfo=timezone(timedelta(hours=7)))
DOCX_NAME = "Quyết định xếp hạng 2026.docx"
RETRY = RetrySettings(first_seconds=3600, max_seconds=3600, give_up_hours=24)


def mailbox_at(root: Path) -> Mailbox:
    return Mailbox(root / "outbox", root / "sent", root / "mail-failed")


def queue(
    box: Mailbox,
    entry_id: str,
    *,
    recipients: tuple[str, ...] = (VANTHU, THUKY),
    created: float | None = None,
    **state: object,
) -> Delivery:
    """A decision-like message (with a Vietnamese .docx name) put straight into the outbox."""
    raw = compose(
        sender=SENDER,
        recipients=Recipients(recipients),
        letter=Letter("Dự thảo Quyết định năm 2026", "Kính gửi: Văn thư.\n"),
        message_id=message_id(entry_id, SENDER),
        moment=MOMENT,
        attachments=[Attachment.of(DOCX_NAME, b"PK\x03\x04 docx")],
    )
    delivery = Delivery(
        id=entry_id,
        kind="quyet-dinh",
        subject="Dự thảo Quyết định năm 2026",
        sender="stttt@tinh.gov.vn",
        recipients=recipients,
        created=time.time() if created is None else created,
    )
    delivery = replace(delivery, **state)  # type: ignore[arg-type]
    assert box.enqueue(delivery, raw)
    return delivery


def smtp_settings(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, Security.NONE, "stttt@tinh.gov.vn", timeout_seconds=5)


def one_pass(box: Mailbox, port: int, log: Path, now: float, force: bool = False):
    events = EventLog(log)
    return deliver_due(
        box, smtp_settings(port), None, RETRY, events, Pauses(""), lambda: now, force=force
    )


# -- the outbox pieces ------------------------------------------------------------------------


def test_entries_lists_every_message_in_every_place_oldest_first(tmp_path):
    box = mailbox_at(tmp_path)
    queue(box, "b-sent", created=2000.0)
    queue(box, "a-failed", created=3000.0)
    queue(box, "c-waiting", created=1000.0)
    (box.outbox / ".tmp-half").mkdir()  # a killed run's staging folder is no entry
    (box.outbox / "no-state").mkdir()
    box.sent.mkdir()
    box.failed.mkdir()
    (box.outbox / "b-sent").rename(box.sent / "b-sent")
    (box.outbox / "a-failed").rename(box.failed / "a-failed")
    entries = box.entries()
    assert [(e.place, e.delivery.id) for e in entries] == [
        ("outbox", "c-waiting"),
        ("sent", "b-sent"),
        ("mail-failed", "a-failed"),
    ]
    assert entries[1].folder == box.sent / "b-sent"
    assert entries[1].message_file.read_bytes().startswith(b"From: ")
    assert box.find("a-failed") == entries[2] and box.find("nothing") is None
    assert mailbox_at(tmp_path / "missing").entries() == []


def test_a_send_now_request_is_honoured_by_one_pass_and_removed(tmp_path):
    box = mailbox_at(tmp_path)
    queue(box, "cho-gui-lai", attempts=1, next_attempt=9000.0)  # backing off until 9000
    with smtp_server() as server:
        assert one_pass(box, server.port, tmp_path / "log", now=2000.0).waiting == 1
        assert server.messages == []
        box.request_send_now("mail send-now")
        assert box.send_now_requested()
        assert one_pass(box, server.port, tmp_path / "log", now=2000.0).sent == 1
        assert not box.send_now_requested()
    assert [m.recipients for m in server.messages] == [(VANTHU, THUKY)]
    log = (tmp_path / "log").read_text(encoding="utf-8")
    assert "yêu cầu gửi ngay của lệnh mail send-now: gửi 1 thư" in log


def test_force_ignores_the_back_off_and_a_later_pass_respects_it_again(tmp_path):
    box = mailbox_at(tmp_path)
    queue(box, "mot", recipients=(VANTHU,), attempts=1, next_attempt=9000.0)
    queue(box, "hai", recipients=(THUKY,), attempts=1, next_attempt=9000.0)
    with smtp_server(Recorder(refuse_times={THUKY: 2})) as server:
        first = one_pass(box, server.port, tmp_path / "log", now=2000.0, force=True)
        assert (first.sent, first.waiting) == (1, 1)
        again = one_pass(box, server.port, tmp_path / "log", now=2001.0)  # back-off again
        assert (again.sent, again.waiting) == (0, 1)
    assert [m.recipients for m in server.messages] == [(VANTHU,)]
    (left,) = box.pending()
    assert left.id == "hai" and left.attempts == 2 and left.next_attempt == 2000.0 + 3600


def test_a_resent_message_is_the_same_message_under_a_resent_block(tmp_path):
    box = mailbox_at(tmp_path)
    source = queue(box, "quyet-dinh-2026-ab12")
    raw = box.message(source.id)
    known = {"quyet-dinh-2026-ab12", "quyet-dinh-2026-ab12.gui-lai-1", "khac.gui-lai-7"}
    delivery, resent = prepare_resend(
        source, raw, known, sender=SENDER, to=[f"Thư ký <{THUKY}>"], moment=MOMENT
    )
    assert delivery.id == "quyet-dinh-2026-ab12.gui-lai-2"
    assert delivery.recipients == (THUKY,) and delivery.resend_of == source.id
    assert delivery.accepted == () and delivery.attempts == 0 and delivery.next_attempt == 0
    assert resent.isascii() and resent.endswith(raw)  # the stored message, byte for byte
    message = email.message_from_bytes(resent, policy=email.policy.default)
    names = [name for name, _ in message.items()]
    assert names[:4] == ["Resent-Date", "Resent-From", "Resent-To", "Resent-Message-ID"]
    assert message["Resent-Date"] == "Mon, 05 Jan 2026 08:00:01 +0700"
    assert message["Resent-From"].addresses[0].display_name == "Sở Thông tin và Truyền thông"
    assert message["Resent-To"].addresses[0].addr_spec == THUKY
    assert message["Resent-Message-ID"] == (
        "<quyet-dinh-2026-ab12.gui-lai-2.xep-hang-cntt@tinh.gov.vn>"
    )
    assert message["Message-ID"] == "<quyet-dinh-2026-ab12.xep-hang-cntt@tinh.gov.vn>"
    assert message["To"] == f"{VANTHU}, {THUKY}"  # the original header, unchanged
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == DOCX_NAME


def test_resends_of_a_resend_count_from_the_original():
    assert original_id("x.gui-lai-3") == "x"
    assert resend_id("x", []) == "x.gui-lai-1"
    assert resend_id("x.gui-lai-1", ["x", "x.gui-lai-1", "x.gui-lai-4", "xy.gui-lai-9"]) == (
        "x.gui-lai-5"
    )


def test_the_listing_says_where_each_message_is_in_vietnamese(tmp_path):
    box = mailbox_at(tmp_path)
    retry = queue(box, "cho", attempts=1, next_attempt=5000.0, last_error=f"{VANTHU}: 421 bận")
    fresh = queue(box, "moi")
    folder = tmp_path / "mail-failed" / "hong"
    failed = replace(fresh, id="hong", accepted=(VANTHU,), rejected={THUKY: "550 5.1.1 no"})
    entries = [
        MailEntry("outbox", retry, box.outbox / "cho"),
        MailEntry("outbox", fresh, box.outbox / "moi"),
        MailEntry("mail-failed", failed, folder),
    ]
    assert state_of(entries[0], now=4000.0)[0] == "retry"
    assert state_of(entries[0], now=5000.0) == ("waiting", "chờ gửi")
    assert state_of(entries[2], now=4000.0) == ("failed", "không gửi được")
    text = "\n".join(text_listing(entries, 4000.0, str(tmp_path), send_now_requested=True))
    assert "3 thư: 2 chờ gửi (trong đó 1 chờ gửi lại), 0 đã gửi, 1 không gửi được" in text
    assert "[chờ gửi lại lúc " in text and "[chờ gửi] moi" in text
    assert f"Không nhận được: {THUKY} (máy chủ trả lời «550 5.1.1 no»)" in text
    assert f"Lỗi lần gửi gần nhất: {VANTHU}: 421 bận" in text
    assert "Có yêu cầu gửi ngay" in text and "mail send-now" in text


# -- the commands, as people run them ---------------------------------------------------------


def mail(site: Deployment, *args: str):
    return site.run("mail", *args)


def listing(site: Deployment) -> dict:
    done = mail(site, "list", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def failed_decision(tmp_path: Path, server) -> tuple[Deployment, str]:
    """A real inbox pass whose decision email is refused (550) for the secretary."""
    site = deployment(tmp_path / "site", server.port)
    site.drop(SAMPLE, "bang-diem.xlsx")
    site.inbox_pass()
    (failed,) = site.files("mail-failed")
    return site, failed.name


def test_a_message_refused_for_good_is_resent_once_when_the_address_works(tmp_path):
    recorder = Recorder(refuse={THUKY: "550 5.1.1 No such user"})
    with smtp_server(recorder) as server:
        site, entry_id = failed_decision(tmp_path, server)
        assert [m.recipients for m in server.messages] == [(VANTHU,)]
        (original,) = listing(site)["messages"]
        assert (original["place"], original["status"]) == ("mail-failed", "failed")
        assert original["rejected"] == {THUKY: "550 5.1.1 No such user"}
        report = (site.root / "mail-failed" / entry_id / "bao-cao.txt").read_text("utf-8")
        assert f"python -m processor mail resend {entry_id} --to ĐỊA_CHỈ" in report
        recorder.refuse.clear()  # the mailbox is fixed
        done = mail(site, "resend", entry_id, "--to", THUKY)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"Đã xếp thư gửi lại {entry_id}.gui-lai-1" in done.stdout
        assert f"Đã gửi lại: máy chủ thư đã nhận cho {THUKY}." in done.stdout
        site.inbox_pass()  # a later pass sends nothing again
        assert [m.recipients for m in server.messages] == [(VANTHU,), (THUKY,)]
    first, again = (m.message for m in server.messages)
    assert again["Message-ID"] == first["Message-ID"]  # the same message
    assert again["Resent-Message-ID"] == (f"<{entry_id}.gui-lai-1.xep-hang-cntt@tinh.gov.vn>")
    assert again["Resent-To"] == THUKY
    assert [a.get_content() for a in again.iter_attachments()] == [
        a.get_content() for a in first.iter_attachments()
    ]
    messages = listing(site)["messages"]
    assert [(m["id"], m["place"]) for m in messages] == [
        (entry_id, "mail-failed"),
        (f"{entry_id}.gui-lai-1", "sent"),
    ]
    assert messages[0]["resent_as"] == [f"{entry_id}.gui-lai-1"]
    assert messages[1]["resend_of"] == entry_id and messages[1]["accepted"] == [THUKY]
    log = site.log.read_text(encoding="utf-8")
    assert f"| xếp thư | {entry_id}.gui-lai-1 | gửi lại thư {entry_id}" in log
    assert f"| gửi thư | {entry_id}.gui-lai-1 | đến: {THUKY}" in log


def test_a_sent_message_is_resent_to_every_original_recipient(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "site", server.port)
        queue(mailbox_at(site.root), "nhac-viec-2025", recipients=(VANTHU, THUKY))
        site.run("mail", "send-now")
        assert [e["place"] for e in listing(site)["messages"]] == ["sent"]
        done = mail(site, "resend", "nhac-viec-2025")
        assert done.returncode == 0, done.stdout + done.stderr
        assert [m.recipients for m in server.messages] == [(VANTHU, THUKY)] * 2
        assert server.messages[1].message["Resent-To"] == f"{VANTHU}, {THUKY}"
        again = mail(site, "resend", "nhac-viec-2025", "--to", f"Văn thư <{VANTHU}>")
        assert "nhac-viec-2025.gui-lai-2" in again.stdout
        assert [m.recipients for m in server.messages][-1] == (VANTHU,)


def test_resend_refuses_unknown_ids_waiting_messages_and_bad_addresses(tmp_path):
    site = deployment(tmp_path / "site", free_port())
    box = mailbox_at(site.root)
    queue(box, "quyet-dinh-2026-40ed912d0412ed4684af")
    queue(box, "nhac-viec-2025")
    box.sent.mkdir()
    (box.outbox / "nhac-viec-2025").rename(box.sent / "nhac-viec-2025")

    unknown = mail(site, "resend", "quyet-dinh-2026")
    assert unknown.returncode == 2
    assert "Không có thư mã «quyet-dinh-2026»" in unknown.stderr
    assert "Có phải «quyet-dinh-2026-40ed912d0412ed4684af»?" in unknown.stdout + unknown.stderr

    waiting = mail(site, "resend", "quyet-dinh-2026-40ed912d0412ed4684af")
    assert waiting.returncode == 2
    assert (
        "vẫn đang chờ gửi" in waiting.stderr and "mail send-now" in waiting.stdout + waiting.stderr
    )

    (box.sent / "nhac-viec-2025" / "message.eml").rename(tmp_path / "moved.eml")
    gone = mail(site, "resend", "nhac-viec-2025")
    assert gone.returncode == 2 and "không còn tệp message.eml" in gone.stderr
    (tmp_path / "moved.eml").rename(box.sent / "nhac-viec-2025" / "message.eml")

    bad = mail(site, "resend", "nhac-viec-2025", "--to", "vanthu", "--to", "thư@tinh.gov.vn")
    assert bad.returncode == 2
    output = bad.stdout + bad.stderr
    assert "«vanthu» không phải địa chỉ thư" in output and "chữ không dấu" in output
    assert "Traceback" not in output
    assert sorted(p.name for p in box.outbox.iterdir()) == ["quyet-dinh-2026-40ed912d0412ed4684af"]


def test_while_the_drop_folder_is_busy_a_resend_waits_for_the_running_service(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "site", server.port)
        box = mailbox_at(site.root)
        queue(box, "quyet-dinh-2026-ab12")
        box.sent.mkdir()
        (box.outbox / "quyet-dinh-2026-ab12").rename(box.sent / "quyet-dinh-2026-ab12")
        lock = DropFolderLock(site.root / ".xep-hang-cntt.lock")
        assert lock.acquire()  # as a watch service holds it
        try:
            done = mail(site, "resend", "quyet-dinh-2026-ab12", "--to", THUKY)
        finally:
            lock.release()
        assert done.returncode == 0, done.stdout + done.stderr
        assert "đang được tiến trình số" in done.stdout
        assert "gửi thư này, chậm nhất sau 0,2 giây" in done.stdout
        assert server.messages == []
        (waiting,) = [e for e in listing(site)["messages"] if e["place"] == "outbox"]
        assert waiting["id"] == "quyet-dinh-2026-ab12.gui-lai-1"
        assert waiting["status"] == "waiting"
        site.inbox_pass()  # the service's next pass
        assert [m.recipients for m in server.messages] == [(THUKY,)]


def test_send_now_sends_what_is_backing_off_when_the_folder_is_free(tmp_path):
    with smtp_server() as server:
        site = deployment(tmp_path / "site", server.port)
        queue(mailbox_at(site.root), "cho", attempts=1, next_attempt=time.time() + 3600)
        site.inbox_pass()
        assert server.messages == []  # backing off
        assert listing(site)["messages"][0]["status"] == "retry"
        done = mail(site, "send-now")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Gửi ngay 1 thư đang chờ: 1 đã gửi, 0 chờ gửi lại, 0 không gửi được" in done.stdout
        assert len(server.messages) == 1
        nothing = mail(site, "send-now")
        assert "Không có thư nào đang chờ" in nothing.stdout
    assert "| bắt đầu | mail send-now |" in site.log.read_text(encoding="utf-8")


def test_send_now_asks_a_running_watch_which_sends_at_once_and_only_once(tmp_path):
    port = free_port()
    site = deployment(tmp_path / "site", port, retry={"first_seconds": 3600, "max_seconds": 3600})
    queue(mailbox_at(site.root), "cho", recipients=(VANTHU,))
    site.inbox_pass()  # no server yet: the message backs off for an hour
    (state,) = listing(site)["messages"]
    assert state["status"] == "retry" and state["attempts"] == 1
    with smtp_server(port=port) as server:
        watch = site.start("watch")
        try:
            wait_until(lambda: "| bắt đầu | watch |" in "\n".join(site.log_lines()))
            time.sleep(0.5)  # a few polls: nothing is due
            assert server.messages == []
            done = mail(site, "send-now")
            assert done.returncode == 0, done.stdout + done.stderr
            assert f"outbox/{SEND_NOW_FILE}" in done.stdout
            wait_until(lambda: len(server.messages) == 1)
            wait_until(lambda: not (site.root / "outbox" / SEND_NOW_FILE).exists())
            time.sleep(0.5)
            assert len(server.messages) == 1
            assert [e["place"] for e in listing(site)["messages"]] == ["sent"]
            resent = mail(site, "resend", "cho")  # and a resend, while watch runs
            assert resent.returncode == 0, resent.stdout + resent.stderr
            assert "(thường là dịch vụ watch)" in resent.stdout
            wait_until(lambda: len(server.messages) == 2)
            time.sleep(0.5)
            assert len(server.messages) == 2 and server.messages[1].message["Resent-To"] == VANTHU
        finally:
            kill(watch)


def test_mail_list_prints_every_message_in_vietnamese(tmp_path):
    site = deployment(tmp_path / "site", free_port())
    empty = mail(site, "list")
    assert empty.returncode == 0 and "chưa có thư nào" in empty.stdout
    queue(mailbox_at(site.root), "quyet-dinh-2026-ab12", created=0.0, attempts=2, last_error="421")
    done = mail(site, "list")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[chờ gửi] quyet-dinh-2026-ab12 (thư quyết định)" in done.stdout
    assert "Tiêu đề: Dự thảo Quyết định năm 2026" in done.stdout
    assert f"Còn chờ gửi đến: {VANTHU}, {THUKY}" in done.stdout
    record = listing(site)["messages"][0]
    assert record["remaining"] == [VANTHU, THUKY] and record["attempts"] == 2
    assert record["created"].startswith("1970-01-01") and record["last_error"] == "421"


@pytest.mark.parametrize("action", [("list",), ("send-now",), ("resend", "x")])
def test_a_bad_config_is_a_vietnamese_error_not_a_traceback(tmp_path, action):
    site = deployment(tmp_path / "site", free_port())
    site.config.write_text("[folders]\nroot = 1\n", encoding="utf-8")
    done = mail(site, *action)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cau-hinh.toml" in done.stdout + done.stderr
