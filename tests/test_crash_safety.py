"""Kill `inbox` (SIGKILL) at every named point of a run, run it again, and check nothing is lost.

Each case starts a fresh drop folder holding a good and a bad workbook, with the January
reminder due and refusals emailed to the council's secretary, so one run passes every point of
processor.unattended.events.PAUSE_POINTS; the process is frozen at one of them
(XEP_HANG_CNTT_TEST_PAUSE, test only), killed, and `inbox` is run again. Afterwards: every
workbook is in done/ or failed/ with its original bytes, each has its answer in the answers
folder, no partial or temporary file exists anywhere, and every message (the decision, the
refusal, the reminder) reached each of its recipients exactly once, except in the documented
window (killed after the server accepted, before the record): then the message arrives twice
with the same Message-ID and the same bytes.

Locally a representative subset of the points runs (REPRESENTATIVE); `--all-kill-points`, or CI
set in the environment (as .ci/run does), runs every one.
"""

from __future__ import annotations

import re
import sys
import zipfile

import docx
import pytest

from processor.pipeline import process
from processor.unattended.events import PAUSE_POINTS

from conftest import RULES_FILE, TEMPLATE_FILE, full_row
from deployment import LOG_LINE, RECIPIENTS, SAMPLE, SECRETARY, SHORT_NAME, deployment, kill
from smtp_server import smtp_server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

# (point, how many times it is passed before the one to stop at): the order of one run.
STOPS = [
    "received#1",  # the good workbook, just taken
    "rendered",
    "queued",
    "answered#1",  # its answer written, the ledger not yet
    "recorded",
    "filed#1",
    "received#2",  # the bad workbook, just taken
    "reported",
    "answered#2",  # its refusal emailed (queued) and answered, the ledger not yet
    "filed#2",
    "reminded",
    "connected",
    "accepted#1",  # the decision accepted by the server, not recorded: the resend window
    "noted#1",
    "accepted#2",  # the refusal, likewise
    "noted#2",
    "accepted#3",  # the reminder, likewise
    "noted#3",
]
KINDS = ("quyet-dinh", "tu-choi", "nhac-viec")
RESEND_WINDOW = {"accepted#1": "quyet-dinh", "accepted#2": "tu-choi", "accepted#3": "nhac-viec"}
# Killed at by default (each kill is a few seconds): a workbook being received, the decision
# queued but unknown to the ledger, a refusal reported but not emailed, a refusal emailed and
# answered but not filed, the resend window, and a delivery recorded but not moved. The rest
# run with --all-kill-points, and always in CI.
REPRESENTATIVE = ("received#1", "queued", "reported", "answered#2", "accepted#1", "noted#1")


def test_every_pause_point_is_killed_at():
    assert {stop.partition("#")[0] for stop in STOPS} == set(PAUSE_POINTS)


def test_the_representative_stops_are_stops():
    assert set(REPRESENTATIVE) <= set(STOPS)


def _stop_params() -> list:
    return [
        stop if stop in REPRESENTATIVE else pytest.param(stop, marks=pytest.mark.all_kill_points)
        for stop in STOPS
    ]


@pytest.fixture(scope="module")
def reference_decision(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("tham-chieu")
    return process(SAMPLE, RULES_FILE, TEMPLATE_FILE, out).path.read_bytes()


@pytest.fixture(scope="module")
def bad_bytes(tmp_path_factory, rules) -> bytes:
    import openpyxl

    from conftest import HEADER, INFO

    scores = full_row(rules, "I")
    scores["TC2.1"] = 15
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm"
    codes = [c.code for c in rules.criteria]
    sheet.append([*HEADER, *codes])
    sheet.append([1, "Sở A", "I", 1, *(scores.get(code) for code in codes)])
    info = book.create_sheet("Thông tin")
    for row in INFO:
        info.append(list(row))
    path = tmp_path_factory.mktemp("loi") / "loi.xlsx"
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("stop", _stop_params())
def test_a_run_killed_at_any_point_is_finished_by_the_next_with_nothing_lost(
    stop, tmp_path, reference_decision, bad_bytes
):
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(bad_bytes)
    with smtp_server() as server:
        site = deployment(
            tmp_path / "may-chu",
            server.port,
            schedule={"evaluation_year": 2019},
            rejection={"to": [SECRETARY]},
        )
        site.drop(SAMPLE, "a-bang-diem.xlsx")
        site.drop(bad, "b-bang-diem-loi.xlsx")
        kill(site.paused("inbox", "--yearly", pause=stop))
        site.inbox_pass("--yearly")
        site.inbox_pass("--yearly")  # and once more: nothing left to do, nothing sent again
        messages = server.messages

    # every workbook is filed, whole; nothing waits or is half-way
    assert [p.name for p in site.inbox.iterdir()] == []
    assert site.files("processing") == [] and site.files("outbox") == []
    (good,) = [p for p in site.files("done") if p.suffix == ".xlsx"]
    assert good.read_bytes() == SAMPLE.read_bytes()
    assert SHORT_NAME.match(good.name)["original"] == "a-bang-diem.xlsx"  # type: ignore[index]
    refused, report = site.files("failed")
    assert SHORT_NAME.match(refused.name)["original"] == "b-bang-diem-loi.xlsx"  # type: ignore[index]
    assert refused.read_bytes() == bad_bytes
    assert report.name == refused.name + ".bao-cao.txt"
    assert "Lỗi Điểm!G2" in report.read_text(encoding="utf-8")
    # the one decision and its results, complete; no temporary or partial file anywhere
    assert sorted(p.name for p in site.output.iterdir()) == [
        "quyet-dinh-xep-hang-cntt-2020-ket-qua.xlsx",
        "quyet-dinh-xep-hang-cntt-2020.docx",
    ]
    decision = site.output / "quyet-dinh-xep-hang-cntt-2020.docx"
    assert decision.read_bytes() == reference_decision
    # one answer for each drop, whole
    assert site.answer_names() == [
        "a-bang-diem - bảng kết quả.xlsx",
        "a-bang-diem - quyết định.docx",
        "a-bang-diem - ĐÃ LẬP QUYẾT ĐỊNH.txt",
        "b-bang-diem-loi - CẦN SỬA.txt",
        "b-bang-diem-loi - đánh dấu lỗi.xlsx",
    ]
    assert (site.answers / "a-bang-diem - quyết định.docx").read_bytes() == reference_decision
    assert (site.answers / "b-bang-diem-loi - CẦN SỬA.txt").read_bytes() == report.read_bytes()
    for path in site.folder.rglob("*"):
        assert not path.name.endswith(".tmp") and not path.name.startswith(".tmp-"), path
        if path.suffix == ".docx":
            assert zipfile.ZipFile(path).testzip() is None
            docx.Document(str(path))
    # each message reached each recipient once; twice only in the documented window
    kinds: dict[str, list] = {kind: [] for kind in KINDS}
    for message in messages:
        identifier = message.message["Message-ID"].strip()
        kind = re.match(r"<(quyet-dinh|tu-choi|nhac-viec)-\d{4}", identifier)
        assert kind is not None, identifier
        kinds[kind[1]].append(message)
    for kind, copies in kinds.items():
        expected = 2 if RESEND_WINDOW.get(stop) == kind else 1
        assert len(copies) == expected, (kind, len(copies))
        for recipient in (SECRETARY,) if kind == "tu-choi" else RECIPIENTS:
            assert sum(recipient in m.recipients for m in copies) == expected
        assert len({m.message["Message-ID"] for m in copies}) == 1
        assert len({m.content for m in copies}) == 1  # a resend is the very same message
    (decision_mail,) = {m.content: m for m in kinds["quyet-dinh"]}.values()
    (attachment,) = decision_mail.message.iter_attachments()
    assert attachment.get_content() == reference_decision
    (refusal_mail,) = {m.content: m for m in kinds["tu-choi"]}.values()
    (marked,) = refusal_mail.message.iter_attachments()
    assert marked.get_filename() == "b-bang-diem-loi - đánh dấu lỗi.xlsx"
    assert sorted(p.name.split("-")[0] for p in site.files("sent")) == ["nhac", "quyet", "tu"]
    assert all(LOG_LINE.match(line) for line in site.log_lines())
    assert any(" | tiếp tục | " in line for line in site.log_lines()) == _resumes(stop)


def _resumes(stop: str) -> bool:
    """Killed while a workbook was in processing/: the next run says it resumed it."""
    return stop in {
        "received#1",
        "rendered",
        "queued",
        "answered#1",
        "recorded",
        "received#2",
        "reported",
        "answered#2",
    }
