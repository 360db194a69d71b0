"""Email: composing (parsed back), the delivery state machine (pure), and a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processor.config.settings import (
    DECISION_EMAIL_TEMPLATE,
    REMINDER_EMAIL_TEMPLATE,
    Recipients,
    RetrySettings,
    Security,
    SmtpSettings,
    bundled_email_template,
)
from processor.core.problems import InputError
from processor.unattended.events import EventLog, Pauses
from processor.unattended.mail.delivery import deliver_due
from processor.unattended.mail.letters import (
    DOCX_TYPE,
    PDF_TYPE,
    XLSX_TYPE,
    Attachment,
    Letter,
    compose,
    message_id,
    render_letter,
    split_letter,
)
from processor.unattended.mail.outbox import Mailbox
from processor.unattended.mail.state import (
    Attempt,
    Delivery,
    Status,
    after_attempt,
    attempt_for_all,
    attempt_from_answers,
    is_due,
    remaining,
    retry_delay,
    status,
)
from processor.unattended.notices import sample_decision_context, sample_reminder_context

from smtp_server import Recorder, free_port, smtp_server

RETRY = RetrySettings(first_seconds=60, max_seconds=600, give_up_hours=1)
A, B, C = "a@tinh.gov.vn", "b@tinh.gov.vn", "c@tinh.gov.vn"
MOMENT = datetime(2026, 1, 5, 8, 0, 1, tzinfo=timezone(timedelta(hours=7)))


def delivery(**changes) -> Delivery:
    base = Delivery(
        id="quyet-dinh-2020-ab12",
        kind="quyet-dinh",
        subject="Dự thảo",
        sender="stttt@tinh.gov.vn",
        recipients=(A, B, C),
        created=1000.0,
    )
    return replace(base, **changes)


# -- composing -------------------------------------------------------------------------------


def test_a_composed_message_parses_back_with_its_vietnamese_attachment_name():
    raw = compose(
        sender="Sở Thông tin và Truyền thông <stttt@tinh.gov.vn>",
        recipients=Recipients(("Văn thư <vanthu@tinh.gov.vn>",), ("thuky@tinh.gov.vn",)),
        letter=Letter("Dự thảo Quyết định năm 2020", "Kính gửi: Văn phòng.\nXin gửi kèm.\n"),
        message_id=message_id("quyet-dinh-2020-ab12", "stttt@tinh.gov.vn"),
        moment=MOMENT,
        attachment=Attachment("Quyết định xếp hạng CNTT 2020.docx", b"PK\x03\x04 docx bytes"),
    )
    assert raw.isascii()  # 7-bit clean: any server takes it, no 8BITMIME needed
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Dự thảo Quyết định năm 2020"
    assert message["From"].addresses[0].display_name == "Sở Thông tin và Truyền thông"
    assert message["To"].addresses[0].addr_spec == "vanthu@tinh.gov.vn"
    assert message["Cc"] == "thuky@tinh.gov.vn"
    assert message["Message-ID"] == "<quyet-dinh-2020-ab12.xep-hang-cntt@tinh.gov.vn>"
    assert message["Date"] == "Mon, 05 Jan 2026 08:00:01 +0700"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body == "Kính gửi: Văn phòng.\nXin gửi kèm.\n"
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "/".join(DOCX_TYPE)
    assert attachment.get_filename() == "Quyết định xếp hạng CNTT 2020.docx"
    assert attachment.get_content() == b"PK\x03\x04 docx bytes"


def attachment_parts(raw: bytes) -> list[email.message.Message]:
    """The attachments as the old (compat32) parser sees them: raw parameter values."""
    message = email.message_from_bytes(raw)
    return [part for part in message.walk() if part.get_content_disposition() == "attachment"]


@pytest.mark.parametrize(
    "name",
    [
        "Quyết định xếp hạng 2026.docx",
        "Quyết định công bố kết quả xếp hạng mức độ chuyển đổi số năm 2026 của UBND tỉnh.docx",
    ],
)
def test_a_vietnamese_attachment_name_reads_back_from_both_headers(name):
    raw = compose(
        sender="stttt@tinh.gov.vn",
        recipients=Recipients(("vanthu@tinh.gov.vn",)),
        letter=Letter("Dự thảo", "Nội dung.\n"),
        message_id=message_id("quyet-dinh-2026-ab12", "stttt@tinh.gov.vn"),
        moment=MOMENT,
        attachments=[Attachment.of(name, b"PK\x03\x04")],
    )
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    (part,) = attachment_parts(raw)
    # Content-Disposition: RFC 2231 filename*=, as current clients read it
    assert "filename*" in part["Content-Disposition"]
    assert (
        email.utils.collapse_rfc2231_value(part.get_param("filename", header="content-disposition"))
        == name
    )
    # Content-Type: an RFC 2047 name=, as Outlook and older clients read it
    encoded = part.get_param("name")
    assert isinstance(encoded, str) and encoded.startswith("=?utf-8?b?")
    assert str(make_header(decode_header(encoded))) == name
    # and the modern parser decodes both on its own
    modern = email.message_from_bytes(raw, policy=email.policy.default)
    (attachment,) = modern.iter_attachments()
    assert attachment.get_filename() == name
    assert attachment["Content-Type"].params["name"] == name
    assert attachment["Content-Disposition"].params["filename"] == name
    assert attachment.get_content() == b"PK\x03\x04"


def test_an_ascii_attachment_name_is_quoted_as_it_is():
    raw = compose(
        sender="stttt@tinh.gov.vn",
        recipients=Recipients(("vanthu@tinh.gov.vn",)),
        letter=Letter("Dự thảo", "Nội dung.\n"),
        message_id="<x@tinh.gov.vn>",
        moment=MOMENT,
        attachment=Attachment.of('bang "diem".xlsx', b"PK"),  # the older keyword still works
    )
    (part,) = attachment_parts(raw)
    assert b'name="bang \\"diem\\".xlsx"' in raw
    assert part.get_filename() == 'bang "diem".xlsx'
    assert part.get_content_type() == "/".join(XLSX_TYPE)


def test_a_message_carries_several_attachments_each_with_its_type():
    files = [
        ("quyet-dinh-xep-hang-cntt-2026.docx", b"docx", DOCX_TYPE),
        ("quyet-dinh-xep-hang-cntt-2026-ket-qua.xlsx", b"xlsx", XLSX_TYPE),
        ("quyet-dinh-xep-hang-cntt-2026.pdf", b"%PDF-1.7", PDF_TYPE),
        ("bảng điểm.danh-dau-loi.xlsx", b"annotated", XLSX_TYPE),
        ("ghi-chu.bin", b"\x00\x01", ("application", "octet-stream")),
    ]
    raw = compose(
        sender="stttt@tinh.gov.vn",
        recipients=Recipients(("vanthu@tinh.gov.vn",)),
        letter=Letter("Dự thảo", "Nội dung.\n"),
        message_id="<x@tinh.gov.vn>",
        moment=MOMENT,
        attachments=[Attachment.of(name, data) for name, data, _ in files],
    )
    assert raw.isascii()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_body(("plain",)).get_content().strip() == "Nội dung."
    found = [
        (a.get_filename(), a.get_content(), a.get_content_type())
        for a in message.iter_attachments()
    ]
    assert found == [(name, data, "/".join(kind)) for name, data, kind in files]


def test_the_message_id_depends_only_on_the_entry_and_the_sender_domain():
    first = message_id("nhac-viec-2025", "Sở <stttt@tinh.gov.vn>")
    assert first == message_id("nhac-viec-2025", "stttt@tinh.gov.vn")
    assert first != message_id("nhac-viec-2026", "stttt@tinh.gov.vn")


@pytest.mark.parametrize("name", [DECISION_EMAIL_TEMPLATE, REMINDER_EMAIL_TEMPLATE])
def test_the_bundled_templates_render_a_vietnamese_subject_and_body(name, rules):
    context = (
        sample_decision_context(rules)
        if name == DECISION_EMAIL_TEMPLATE
        else sample_reminder_context(rules, Path("/srv/nhan/inbox"))
    )
    letter = render_letter(bundled_email_template(name), context)
    assert "2020" in letter.subject and "\n" not in letter.subject
    assert letter.body.startswith("Kính gửi:") and "{{" not in letter.body


def test_a_template_with_an_unknown_variable_names_it(tmp_path):
    template = tmp_path / "thu.txt.j2"
    template.write_text("Tiêu đề: Năm {{ nam }}\n\n{{ so_quyet_dinh }}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        render_letter(template, {"nam": 2020})
    assert "so_quyet_dinh" in caught.value.problems[0].message


def test_a_template_without_a_subject_line_is_refused():
    with pytest.raises(InputError) as caught:
        split_letter("Kính gửi: Văn phòng.\n")
    assert "Tiêu đề" in caught.value.problems[0].message
    letter = split_letter("\nTiêu đề:   Dự   thảo \n\nNội dung.\n")
    assert letter == Letter("Dự thảo", "Nội dung.\n")


# -- the delivery state machine (pure) -------------------------------------------------------


def test_partial_acceptance_leaves_only_the_refused_recipients():
    attempt = attempt_from_answers((A, B, C), {C: (450, b"4.2.1 busy")})
    assert attempt.accepted == (A, B) and attempt.temporary == {C: "450 4.2.1 busy"}
    after = after_attempt(delivery(), attempt, now=2000.0, retry=RETRY)
    assert after.accepted == (A, B) and remaining(after) == (C,)
    assert status(after) is Status.PENDING
    assert after.next_attempt == 2060.0 and not is_due(after, 2059.0) and is_due(after, 2060.0)
    done = after_attempt(after, Attempt(accepted=(C,)), now=2100.0, retry=RETRY)
    assert status(done) is Status.SENT and done.accepted == (A, B, C)


def test_a_permanent_refusal_ends_in_failed_once_everyone_else_is_done():
    attempt = attempt_from_answers((A, B, C), {B: (550, b"5.1.1 no such user")})
    after = after_attempt(delivery(), attempt, now=2000.0, retry=RETRY)
    assert after.rejected == {B: "550 5.1.1 no such user"}
    assert status(after) is Status.FAILED and remaining(after) == ()


def test_a_failure_for_everyone_keeps_everyone_and_counts_the_attempt():
    attempt = attempt_for_all((A, B, C), "máy chủ từ chối kết nối", permanent=False)
    after = after_attempt(delivery(), attempt, now=2000.0, retry=RETRY)
    assert remaining(after) == (A, B, C) and after.attempts == 1
    assert "từ chối kết nối" in after.last_error
    refused = after_attempt(
        after, attempt_for_all((A, B, C), "554 rejected", permanent=True), 2100.0, RETRY
    )
    assert status(refused) is Status.FAILED and refused.accepted == ()


def test_past_the_give_up_time_temporary_failures_become_permanent():
    attempt = attempt_for_all((A,), "421 busy", permanent=False)
    late = after_attempt(delivery(recipients=(A,)), attempt, now=1000.0 + 3600, retry=RETRY)
    assert status(late) is Status.FAILED
    assert late.rejected[A].startswith("bỏ cuộc sau 1 giờ") and "421 busy" in late.rejected[A]


def test_back_off_doubles_up_to_the_cap():
    assert [retry_delay(n, RETRY) for n in range(6)] == [0, 60, 120, 240, 480, 600]
    assert retry_delay(500, RETRY) == 600  # no overflow after many attempts


@given(
    st.lists(st.sampled_from([A, B, C]), unique=True),
    st.dictionaries(st.sampled_from([A, B, C]), st.sampled_from([250, 421, 450, 550, 554])),
)
def test_an_accepted_recipient_is_never_sent_to_again(already, answers):
    start = delivery(accepted=tuple(already))
    targets = remaining(start)
    refused = {a: (code, b"x") for a, code in answers.items() if a in targets and code != 250}
    after = after_attempt(start, attempt_from_answers(targets, refused), 2000.0, RETRY)
    assert set(already) <= set(after.accepted)
    assert not set(after.accepted) & set(remaining(after))
    assert set(after.accepted) | set(after.rejected) | set(remaining(after)) == {A, B, C}


def test_delivery_state_survives_a_round_trip_through_json():
    state = delivery(accepted=(A,), rejected={B: "550 x"}, attempts=2, next_attempt=5.5)
    assert Delivery.from_json(state.to_json()) == state


# -- the outbox with a real server -----------------------------------------------------------


def mailbox(tmp_path: Path) -> Mailbox:
    box = Mailbox(tmp_path / "outbox", tmp_path / "sent", tmp_path / "mail-failed")
    for folder in box.folders():
        folder.mkdir()
    return box


def smtp(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, Security.NONE, "stttt@tinh.gov.vn", timeout_seconds=5)


def queue(box: Mailbox, entry: Delivery) -> None:
    raw = compose(
        sender=entry.sender,
        recipients=Recipients(entry.recipients),
        letter=Letter(entry.subject, "Nội dung.\n"),
        message_id=message_id(entry.id, entry.sender),
        moment=MOMENT,
    )
    assert box.enqueue(entry, raw)


def send(box: Mailbox, port: int, tmp_path: Path, now: float = 1500.0, retry=RETRY):
    log = EventLog(tmp_path / "nhat-ky.log")
    return deliver_due(box, smtp(port), None, retry, log, Pauses(""), lambda: now)


def test_an_entry_is_queued_once_whatever_its_state(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery())
    assert not box.enqueue(delivery(), b"again")
    (box.outbox / ".tmp-half").mkdir()
    box.discard_staging()
    assert [p.name for p in box.outbox.iterdir()] == ["quyet-dinh-2020-ab12"]


def test_a_temporarily_refused_recipient_gets_it_later_and_the_others_only_once(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery())
    recorder = Recorder(refuse_times={C: 1})
    with smtp_server(recorder) as server:
        first = send(box, server.port, tmp_path, now=1500.0)
        assert (first.sent, first.waiting) == (0, 1)
        early = send(box, server.port, tmp_path, now=1501.0)  # back-off: not yet
        assert (early.sent, early.waiting) == (0, 1)
        second = send(box, server.port, tmp_path, now=1560.0)
        assert second.sent == 1
    assert [m.recipients for m in server.messages] == [(A, B), (C,)]
    assert [p.name for p in box.sent.iterdir()] == ["quyet-dinh-2020-ab12"]
    state = Delivery.from_json((box.sent / "quyet-dinh-2020-ab12" / "state.json").read_text())
    assert state.accepted == (A, B, C) and state.attempts == 2


def test_a_4xx_answer_to_data_keeps_the_message_for_the_next_pass(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery())
    with smtp_server(Recorder(data_failures=1)) as server:
        assert send(box, server.port, tmp_path, now=1500.0).waiting == 1
        assert send(box, server.port, tmp_path, now=1600.0).sent == 1
    assert len(server.messages) == 1


def test_a_permanent_refusal_moves_the_entry_to_failed_with_the_answer(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery())
    with smtp_server(Recorder(refuse={B: "553 5.7.1 Relaying denied"})) as server:
        tally = send(box, server.port, tmp_path)
        assert tally.failed == 1
        assert send(box, server.port, tmp_path, now=2000.0).sent == 0
    assert [m.recipients for m in server.messages] == [(A, C)]
    report = (box.failed / "quyet-dinh-2020-ab12" / "bao-cao.txt").read_text(encoding="utf-8")
    assert f"{B}: máy chủ trả lời «553 5.7.1 Relaying denied»" in report
    log = (tmp_path / "nhat-ky.log").read_text(encoding="utf-8")
    assert " | lỗi | quyet-dinh-2020-ab12 | b@tinh.gov.vn: 553 5.7.1 Relaying denied" in log


def test_every_recipient_refused_is_a_failure_not_a_crash(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery(recipients=(A,)))
    with smtp_server(Recorder(refuse={A: "550 5.1.1 unknown"})) as server:
        assert send(box, server.port, tmp_path).failed == 1
    assert server.messages == []


def test_nothing_due_means_no_connection_at_all(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery(next_attempt=9000.0))
    port = free_port()  # nobody listens: a connection attempt would be recorded as a failure
    tally = send(box, port, tmp_path, now=1500.0)
    assert (tally.sent, tally.waiting, tally.failed) == (0, 1, 0)
    state = Delivery.from_json((box.outbox / "quyet-dinh-2020-ab12" / "state.json").read_text())
    assert state.attempts == 0


def test_an_entry_finished_before_a_crash_is_only_moved(tmp_path):
    box = mailbox(tmp_path)
    entry = delivery()
    queue(box, entry)
    box.save(replace(entry, accepted=(A, B, C), attempts=1))  # recorded, then killed
    tally = send(box, free_port(), tmp_path)  # no server needed, and none contacted
    assert tally.sent == 1 and [p.name for p in box.sent.iterdir()] == [entry.id]


def test_a_server_that_never_answers_is_a_timeout_and_the_message_waits(tmp_path):
    box = mailbox(tmp_path)
    queue(box, delivery())
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = replace(smtp(silent.getsockname()[1]), timeout_seconds=1)
        log = EventLog(tmp_path / "nhat-ky.log")
        tally = deliver_due(box, settings, None, RETRY, log, Pauses(""), lambda: 1500.0)
    assert (tally.sent, tally.waiting, tally.failed) == (0, 1, 0)
    state = Delivery.from_json((box.outbox / "quyet-dinh-2020-ab12" / "state.json").read_text())
    assert state.attempts == 1 and "không trả lời sau 1 giây" in state.last_error
    assert state.next_attempt == 1560.0
