"""The drop folder: which files are ready (pure), names, the ledger, moves, and the OS lock."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from processor.core.problems import InputError
from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.ledger import (
    LedgerEntry,
    Verdict,
    classify,
    read_ledger,
    write_ledger,
)
from processor.unattended.dropfolder.lock import DropFolderLock
from processor.unattended.dropfolder.moves import (
    NAME_LIMIT,
    file_away,
    filed_name,
    fit_name,
    free_name,
    in_processing,
    is_stamp,
    receive,
    received_at,
    remove_temporaries,
    stamp_of,
)
from processor.unattended.dropfolder.readiness import (
    NOT_A_WORKBOOK_FACTOR,
    Observation,
    Seen,
    is_candidate,
    is_ready,
    next_ready_in,
    observe,
    opens_as_workbook,
    ready,
    track,
)
from processor.unattended.dropfolder.reports import (
    failure_report,
)
from processor.unattended.events import Event, EventLog, Pauses, format_line
from processor.writing.files import sha256_of

from deployment import ROOT, SAMPLE

SHA = "ab" * 32


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("bang-diem.xlsx", True),
        ("Bảng điểm 2020.xlsx", True),
        ("bang-diem.xls", True),  # taken, and refused with a report: never silently ignored
        ("~$bang-diem.xlsx", False),  # Excel's owner file while the workbook is open
        (".~lock.bang-diem.xlsx#", False),  # LibreOffice's lock file
        (".bang-diem.xlsx", False),  # hidden
        ("bang-diem.xlsx.tmp", False),
        ("~WRL0001.tmp", False),
        ("bang-diem.xlsx.part", False),
        ("bang-diem.xlsx.crdownload", False),
        ("A1B2C3D4", False),  # Excel saves through such a name, then renames it
        ("Thumbs.db", False),
        ("desktop.ini", False),
    ],
)
def test_lock_files_and_temporary_names_are_left_alone(name, taken):
    assert is_candidate(name) is taken


def test_a_file_is_ready_once_unchanged_for_the_settle_time():
    copying = {"a.xlsx": Observation(100, 1, opens=False)}
    tracked = track({}, copying, now=10.0)
    assert ready(tracked, 10.0, settle=2) == []
    grown = track(tracked, {"a.xlsx": Observation(200, 2, opens=True)}, now=11.0)
    assert grown["a.xlsx"].since == 11.0  # it changed: the settle time starts again
    assert ready(grown, 12.9, settle=2) == []
    steady = track(grown, {"a.xlsx": Observation(200, 2, opens=True)}, now=13.0)
    assert ready(steady, 13.0, settle=2) == ["a.xlsx"]
    assert track(steady, {}, now=14.0) == {}  # gone from the inbox: forgotten


def test_a_stable_file_that_does_not_open_as_a_workbook_waits_longer_then_goes():
    seen = Seen(size=10, mtime_ns=1, since=0.0, opens=False)
    assert not is_ready(seen, now=2.0, settle=2)
    assert not is_ready(seen, now=2.0 * NOT_A_WORKBOOK_FACTOR - 0.1, settle=2)
    assert is_ready(seen, now=2.0 * NOT_A_WORKBOOK_FACTOR, settle=2)


def test_the_next_check_is_when_the_first_waiting_file_could_be_ready():
    tracked = {
        "a.xlsx": Seen(1, 1, since=10.0, opens=True),
        "b.xlsx": Seen(1, 1, since=9.0, opens=False),
    }
    assert next_ready_in(tracked, now=10.5, settle=1.0) == pytest.approx(0.5)
    assert next_ready_in({}, now=10.5, settle=1.0) is None


def test_names_carry_the_time_the_sha_and_the_original_name():
    moment = datetime(2026, 1, 5, 8, 0, 1, 123456)
    stamp = stamp_of(moment)  # processing/: unique per drop, to the microsecond
    assert stamp == "2026-01-05_08-00-01_123456" and is_stamp(stamp)
    assert received_at(stamp) == moment
    # done/ and failed/: short, for people; the second, 8 hex of the SHA-256, the name
    assert filed_name(moment, SHA, "Bảng điểm.xlsx") == "2026-01-05_080001_abababab_Bảng điểm.xlsx"
    assert filed_name(moment, SHA, "a.xlsx", 2) == "2026-01-05_080001_abababab~2_a.xlsx"
    assert not is_stamp("bang-diem")


def test_a_filed_name_taken_gets_the_next_number_and_stays_the_same_until_used(tmp_path):
    moment = datetime(2026, 1, 5, 8, 0, 1, 5)
    first = free_name(tmp_path, moment, SHA, "a.xlsx")
    assert first == free_name(tmp_path, moment, SHA, "a.xlsx")  # a resumed drop: the same
    (tmp_path / first).write_bytes(b"filed")
    (tmp_path / (first + ".bao-cao.txt")).write_bytes(b"its report")
    assert free_name(tmp_path, moment, SHA, "a.xlsx") == "2026-01-05_080001_abababab~2_a.xlsx"
    assert sorted([free_name(tmp_path, moment, SHA, "a.xlsx"), first])[0] == first  # in order


def test_a_very_long_name_is_shortened_and_keeps_its_suffix():
    original = "Bảng điểm " * 40 + ".xlsx"
    name = filed_name(datetime(2026, 1, 5), SHA, original)
    assert len(name.encode("utf-8")) <= NAME_LIMIT - 16 and name.endswith(".xlsx")
    assert name.startswith("2026-01-05_000000_abababab_Bảng điểm")
    assert len(fit_name("", "x" * 300, " - CẦN SỬA.txt").encode()) <= NAME_LIMIT


def ledger(source: str, state: str = "done") -> LedgerEntry:
    return LedgerEntry(SHA, state, source, f"{state}/x.xlsx", "2026-01-05T08:00:01")


def test_what_the_ledger_says_decides_what_happens():
    assert classify(None, "s/a.xlsx") is Verdict.NEW
    assert classify(ledger("s/a.xlsx"), "s/a.xlsx") is Verdict.FINISH  # resumed after a crash
    assert classify(ledger("s/a.xlsx", "failed"), "s/a.xlsx") is Verdict.FINISH
    assert classify(ledger("s/a.xlsx"), "t/b.xlsx") is Verdict.DUPLICATE
    assert classify(ledger("s/a.xlsx", "failed"), "t/a.xlsx") is Verdict.NEW  # checked again


def test_the_ledger_round_trips_on_disk(tmp_path):
    layout = Layout(tmp_path)
    layout.create()
    assert read_ledger(layout, SHA) is None
    entry = ledger("s/a.xlsx")
    write_ledger(layout, entry)
    assert read_ledger(layout, SHA) == entry
    (layout.ledger / f"{'cd' * 32}.json").write_text("{ hỏng", encoding="utf-8")
    assert read_ledger(layout, "cd" * 32) is None  # unreadable: new, never lost


def test_a_workbook_moves_by_rename_and_keeps_its_bytes(tmp_path):
    layout = Layout(tmp_path)
    layout.create()
    original = SAMPLE.read_bytes()
    (layout.inbox / "bang-diem.xlsx").write_bytes(original)
    moment = datetime(2026, 1, 5, 8, 0, 1, 5)
    taken = receive(layout, "bang-diem.xlsx", moment)
    assert taken == layout.processing / "2026-01-05_08-00-01_000005" / "bang-diem.xlsx"
    (layout.inbox / "bang-diem.xlsx").write_bytes(b"another drop, same name, same moment")
    second = receive(layout, "bang-diem.xlsx", moment)
    assert second is not None and second.parent != taken.parent  # never overwritten
    assert receive(layout, "khong-co.xlsx", moment) is None  # vanished meanwhile
    assert in_processing(layout) == [taken, second]
    sha = sha256_of(taken)
    target = layout.done / free_name(layout.done, moment, sha, taken.name)
    filed = file_away(taken, target)
    assert filed.name == f"2026-01-05_080001_{sha[:8]}_bang-diem.xlsx"
    assert filed.read_bytes() == original
    assert not taken.parent.exists()
    (layout.processing / "2026-01-05_08-00-02_000000").mkdir()  # killed before the move
    assert in_processing(layout) == [second]
    assert [p.name for p in layout.processing.iterdir()] == [second.parent.name]


def test_the_inbox_is_observed_without_sub_folders_or_lock_files(tmp_path):
    (tmp_path / "bang-diem.xlsx").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "dang-chep.xlsx").write_bytes(SAMPLE.read_bytes()[:5000])  # a copy cut short
    (tmp_path / "~$bang-diem.xlsx").write_bytes(b"x")
    (tmp_path / "thu-muc-con.xlsx").mkdir()
    seen = observe(tmp_path)
    assert sorted(seen) == ["bang-diem.xlsx", "dang-chep.xlsx"]
    assert seen["bang-diem.xlsx"].opens and not seen["dang-chep.xlsx"].opens
    assert seen["bang-diem.xlsx"].size == SAMPLE.stat().st_size
    assert opens_as_workbook(SAMPLE) and not opens_as_workbook(ROOT / "README.md")


def test_temporaries_of_killed_writes_are_removed_and_nothing_else(tmp_path):
    (tmp_path / ".quyet-dinh.docx.k2j4.tmp").write_bytes(b"half")
    (tmp_path / "quyet-dinh.docx").write_bytes(b"whole")
    (tmp_path / "ghi-chu.tmp").write_bytes(b"not ours: no leading dot")
    assert [p.name for p in remove_temporaries([tmp_path, tmp_path / "khong-co"])] == [
        ".quyet-dinh.docx.k2j4.tmp"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ghi-chu.tmp", "quyet-dinh.docx"]


def test_the_failure_report_says_what_to_fix_and_where_the_original_is():
    text = failure_report(
        "bang-diem.xlsx",
        SHA,
        datetime(2026, 1, 5, 8, 0, 1),
        "failed/x_bang-diem.xlsx",
        "Bảng tính bang-diem.xlsx có 1 lỗi cần sửa; chưa lập quyết định.",
        ["  Lỗi Điểm!G2: Điểm tiêu chí TC2.1 là 15, vượt điểm tối đa 12 của nhóm I."],
        inbox="\\\\maychu\\XepHang\\inbox",
        marked="\\\\maychu\\XepHang\\tra-loi\\bang-diem - đánh dấu lỗi.xlsx",
        mailed="Báo cáo này đã được gửi thư đến: hoidong@tinh.gov.vn.",
    )
    assert "Nhận lúc: 05/01/2026 08:00:01" in text and f"SHA-256: {SHA}" in text
    assert "failed/x_bang-diem.xlsx" in text and "  Lỗi Điểm!G2:" in text
    assert "VIỆC TIẾP THEO, của thư ký Hội đồng" in text  # whose move it is
    assert "thả lại tệp đã sửa vào thư mục \\\\maychu\\XepHang\\inbox." in text
    assert "\\\\maychu\\XepHang\\tra-loi\\bang-diem - đánh dấu lỗi.xlsx" in text
    assert "hoidong@tinh.gov.vn" in text
    unmarked = failure_report("a.xlsx", SHA, datetime(2026, 1, 5), "failed/a", "Tóm tắt.", [])
    assert "Không lập được bản sao đánh dấu lỗi" in unmarked
    # not a workbook at all: the next move is to send the right file, not to fix cells
    assert "lưu thành «Sổ làm việc Excel (.xlsx)»" in unmarked
    assert "bản sao đánh dấu lỗi chỉ để xem" not in unmarked


def test_the_report_for_a_damaged_template_blames_the_template_not_the_workbook():
    text = failure_report(
        "bang-diem.xlsx",
        SHA,
        datetime(2026, 1, 5, 8, 0, 1),
        "failed/x_bang-diem.xlsx",
        "Mẫu Word /srv/mau/quyet-dinh.docx bị hỏng (1 chỗ, tìm thấy khi kiểm tra mẫu); …",
        ["  Lỗi đoạn «Điều 1. {{ dieu_1 }»: Thẻ «{{ dieu_1 }» thiếu một dấu «}» ở cuối."],
        template="/srv/mau/quyet-dinh.docx",
    )
    assert (
        "ĐÂY LÀ LỖI CỦA MẪU WORD (/srv/mau/quyet-dinh.docx), KHÔNG PHẢI LỖI CỦA BẢNG TÍNH" in text
    )
    assert "của bộ phận kỹ thuật" in text and "config check" in text
    assert "thả lại chính tệp bảng tính này vào thư mục inbox/ (không cần đổi tên" in text
    assert "failed/x_bang-diem.xlsx" in text and "  Lỗi đoạn «Điều 1." in text
    assert "thư ký Hội đồng" not in text and "đánh dấu lỗi" not in text


def test_one_process_per_drop_folder(tmp_path):
    first, second = DropFolderLock(tmp_path / ".lock"), DropFolderLock(tmp_path / ".lock")
    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(InputError) as caught, second:
        pass
    assert str(os.getpid()) in caught.value.summary
    first.release()
    with second:
        assert not first.acquire()
    assert first.acquire()
    first.release()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    lock = tmp_path / ".lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                sys.path.insert(0, {str(ROOT)!r})
                from pathlib import Path
                from processor.unattended.dropfolder.lock import DropFolderLock
                assert DropFolderLock(Path({str(lock)!r})).acquire()
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert not DropFolderLock(lock).acquire()
        assert DropFolderLock(lock).holder() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
    again = DropFolderLock(lock)
    assert again.acquire()  # the OS dropped the lock with the process
    again.release()


def test_log_lines_stay_one_line_per_event():
    line = format_line(
        datetime(2026, 1, 5, 8, 0, 1), Event.FAILED, "bang|diem.xlsx", "dòng 1\ndòng 2 | x"
    )
    assert line == "2026-01-05 08:00:01 | lỗi | bang/diem.xlsx | dòng 1 dòng 2 / x"
    started = format_line(datetime(2026, 1, 5), Event.STARTED, "")
    assert started == "2026-01-05 00:00:00 | bắt đầu | -"


def test_the_pause_hook_stops_only_at_the_chosen_pass(capsys):
    pauses = Pauses("filed#2", seconds=0)
    pauses.point("filed")
    assert capsys.readouterr().err == ""
    pauses.point("filed")
    assert capsys.readouterr().err == "PAUSE filed#2\n"
    with pytest.raises(AssertionError):
        pauses.point("khong-co")  # a misspelt point would never be reached by the crash test
    Pauses("").point("filed")  # unset: nothing happens


class _Console(io.StringIO):
    """A stream that says whether it is a terminal, as a real console or a pipe would."""

    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(
    ("stdout_is_terminal", "stderr_is_terminal", "shown_on"),
    [
        (False, False, "stdout"),  # systemd, cron, a pipe: the journal reads standard output
        (False, True, "stdout"),  # `inbox > out.txt` in a terminal: the file gets them too
        (True, True, "stderr"),  # a person at a terminal: as before, on standard error
        (True, False, None),  # `inbox 2> err.txt` at a terminal: standard output stays clean
    ],
)
def test_event_lines_go_to_standard_output_when_it_is_not_a_terminal(
    tmp_path, stdout_is_terminal, stderr_is_terminal, shown_on
):
    out, err = _Console(stdout_is_terminal), _Console(stderr_is_terminal)
    log = EventLog(tmp_path / "nhat-ky.log", terminal=err, output=out)
    line = log.record(Event.RECEIVED, "bang-diem.xlsx", "vào processing/")
    assert (tmp_path / "nhat-ky.log").read_text(encoding="utf-8") == line + "\n"
    shown = {"stdout": out.getvalue(), "stderr": err.getvalue()}
    for name, text in shown.items():
        assert text == (line + "\n" if name == shown_on else "")
    quiet = EventLog(tmp_path / "nhat-ky.log", terminal=err, output=_Console(False), echo=False)
    assert quiet.terminal is None  # a command whose standard output is data (JSON)
