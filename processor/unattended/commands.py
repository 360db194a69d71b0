"""The unattended commands (`inbox`, `watch`, `schedule`, `config check`), wired in one place.

Everything a pass needs is loaded and checked before any file is touched, so a bad config
stops with a Vietnamese message (exit 2) and changes nothing. `inbox` runs one pass of the
Station and exits (for schedulers); `watch` runs the same pass whenever the folder changes and
at least every few seconds; `schedule` prints what installs the January job; `config check`
tries the whole deployment, the mail server included, without processing anything: it fills
the Word template with a sample decision (in memory) and checks it as `run` does.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

from processor.config.settings import Recipients, Settings, load_settings, read_password
from processor.core.messages import os_error_message, os_reason
from processor.core.model import Rules
from processor.core.problems import InputError, Problem
from processor.unattended.dropfolder.layout import Layout
from processor.unattended.dropfolder.lock import DropFolderLock
from processor.unattended.dropfolder.readiness import NOT_A_WORKBOOK_FACTOR
from processor.unattended.events import Event, EventLog, Pauses
from processor.unattended.mail.letters import Letter, compose, message_id, render_letter
from processor.unattended.mail.smtp import describe_error, probe
from processor.unattended.notices import (
    sample_decision_context,
    sample_rejection_context,
    sample_reminder_context,
)
from processor.unattended.report_upkeep import check_report_libraries, config_lines
from processor.unattended.scheduling import Installation, january_due, render
from processor.unattended.scorecard_notices import sample_scorecard_context
from processor.unattended.station import Station

# `inbox` waits at most this many settle periods for files still being copied; what is still
# changing after that is left in the inbox for the next run.
INBOX_PATIENCE_FACTOR = 2 * NOT_A_WORKBOOK_FACTOR


def _station(config: Path) -> tuple[Station, DropFolderLock]:
    """Load and check everything a pass needs; InputError (exit 2) before touching any file."""
    from processor.config.rules_file import load_rules

    settings = load_settings(config)
    rules = load_rules(settings.rules)
    _check_templates(settings, rules)
    password = read_password(settings.smtp)
    layout = _create_folders(settings)
    events = EventLog(layout.log)
    station = Station(settings, rules, password, events, Pauses())
    return station, DropFolderLock(layout.lock)


def _create_folders(settings: Settings) -> Layout:
    """The drop folder's sub-folders and the answers folder: there before anyone drops a file."""
    layout = Layout(settings.root, settings.answers)
    for key, folder in (("folders.root", settings.root), ("folders.answers", settings.answers)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"Không tạo được thư mục {folder}.",
                [Problem(key, os_error_message(exc, folder, "ghi"))],
            ) from None
    try:
        layout.create()
    except OSError as exc:
        raise InputError(
            f"Không tạo được các thư mục trong {settings.root}.",
            [Problem("folders.root", os_error_message(exc, settings.root, "ghi"))],
        ) from None
    return layout


def _check_templates(settings: Settings, rules: Rules) -> Letter:
    """Try the email templates with sample values and the profile's words; the sample letter.

    Here the Word template must only be a .docx: `inbox` and `watch` start with a damaged one,
    and refuse each workbook with a report that blames the template (nothing is lost, and the
    workbook is processed when dropped again). `config check` fills it (_try_word_template).
    """
    sample = render_letter(settings.mail.decision_template, sample_decision_context(rules))
    inbox, answers = settings.shown(settings.root / "inbox"), settings.shown(settings.answers)
    render_letter(
        settings.mail.reminder_template, sample_reminder_context(rules, inbox, answers=answers)
    )
    for technical in (False, True):
        render_letter(settings.mail.rejection_template, sample_rejection_context(rules, technical))
    if settings.report.email_scorecards and settings.report.template is not None:
        render_letter(settings.report.template, sample_scorecard_context(rules))
    if not zipfile.is_zipfile(settings.template):
        raise InputError(
            f"Không dùng được mẫu Word {settings.template}.",
            [Problem("decision.template", "Tệp không phải tài liệu Word .docx hợp lệ.")],
        )
    return sample


def inbox_command(config: Path, yearly: bool = False) -> int:
    """One pass: resume, take what is ready, (January: remind), send the outbox, exit."""
    station, lock = _station(config)
    with lock:
        station.events.record(Event.STARTED, "inbox", f"tiến trình {os.getpid()}")
        station.recover()
        settle = station.settings.watch.settle_seconds
        deadline = time.monotonic() + settle * INBOX_PATIENCE_FACTOR
        while True:
            station.take(station.scan())
            wait = station.waiting_for()
            if wait is None or time.monotonic() >= deadline:
                break
            time.sleep(max(0.02, min(wait, deadline - time.monotonic())))
        if yearly:
            station.remind()
        station.deliver()
        left = len(station.tracked)
    print(_summary(station, left))
    return 0


def _summary(station: Station, left: int) -> str:
    tally, mail, layout = station.tally, station.mail, station.layout
    lines = [
        f"Thư mục nhận {layout.root}: {tally.decisions} bảng tính đã lập quyết định, "
        f"{tally.refused} bị từ chối (xem {layout.failed.name}/), {tally.duplicates} trùng.",
    ]
    if tally.decisions or tally.refused or tally.duplicates:
        shown = station.settings.shown(layout.answers)
        server = "" if shown == str(layout.answers) else f" (trên máy chủ: {layout.answers})"
        lines.append(f"Trả lời cho người thả bảng điểm: {shown}{server}.")
    if tally.template_faults:
        lines.append(
            f"{tally.template_faults} bảng tính bị từ chối vì mẫu Word {station.settings.template} "
            "bị hỏng, không phải vì bảng tính: báo bộ phận kỹ thuật sửa mẫu (kiểm tra bằng "
            "config check), rồi thả lại đúng các tệp đó vào inbox/."
        )
    if tally.technical > tally.template_faults:
        lines.append(
            f"{tally.technical - tally.template_faults} bảng tính bị từ chối vì lỗi kỹ thuật "
            "(tệp quy tắc, thư mục quyết định, chương trình), không phải vì bảng tính: xem báo "
            "cáo trong failed/ và nhật ký, sửa, rồi thả lại đúng các tệp đó vào inbox/."
        )
    if tally.report_failed:
        lines.append(
            f"{tally.report_failed} quyết định đã lập nhưng chưa lập được báo cáo (phiếu kết quả, "
            "báo cáo tổng hợp); quyết định vẫn được gửi như thường. Lý do: câu trả lời và nhật ký."
        )
    if tally.scorecards:
        lines.append(f"Phiếu kết quả: {tally.scorecards} thư gửi đơn vị đã vào hàng đợi.")
    if left:
        lines.append(f"{left} tệp trong inbox/ chưa chép xong; để lần chạy sau.")
    lines.append(
        f"Thư: {mail.sent} đã gửi, {mail.waiting} chờ gửi lại, {mail.failed} không gửi được"
        f" (xem {layout.mail_failed.name}/)."
    )
    if tally.reminder:
        lines.append(f"Nhắc việc: {tally.reminder}")
    return "\n".join(lines)


def watch_command(config: Path) -> int:
    """Run until stopped: the same pass as `inbox`, whenever the inbox changes."""
    from processor.unattended.watching import run_loop, start_observer, stop_on_signals

    station, lock = _station(config)
    settings = station.settings
    with lock:
        stop, wake = threading.Event(), threading.Event()
        stop_on_signals(stop, wake)
        # Events first, then the start-up scan: nothing dropped meanwhile can be missed.
        observer, kind = start_observer(
            station.layout.inbox,
            wake,
            polling=settings.watch.polling,
            interval=settings.watch.poll_seconds,
        )
        how = "sự kiện hệ thống tệp" if kind == "native" else "quét định kỳ (polling)"
        station.events.record(
            Event.STARTED, "watch", f"tiến trình {os.getpid()}; theo dõi inbox/ bằng {how}"
        )
        print(
            f"Đang theo dõi {station.layout.inbox} ({how}); nhật ký: {station.layout.log}."
            + (" Nhấn Ctrl+C để dừng." if sys.stderr.isatty() else ""),  # not in a journal
            file=sys.stderr,
            flush=True,
        )

        def tick() -> float | None:
            try:
                station.take(station.scan())
                if january_due(station.clock(), settings.schedule):
                    station.remind()
                station.deliver()
            except OSError as exc:  # a network share gone for a moment: try again later
                reason, _ = os_reason(exc, "đọc")
                station.events.record(
                    Event.FAILED, "watch", f"lỗi hệ thống tệp ({reason}); thử lại sau: {exc}"
                )
                return settings.watch.poll_seconds
            return station.waiting_for()

        try:
            station.recover()
            run_loop(tick, stop, wake, settings.watch.poll_seconds)
        finally:
            observer.stop()
            observer.join(timeout=5)
        station.events.record(Event.STOPPED, "watch", f"tiến trình {os.getpid()}")
    print("Đã dừng theo dõi.", file=sys.stderr)
    return 0


def schedule_command(config: Path, kind: str) -> int:
    settings = load_settings(config)
    install = Installation(
        python=sys.executable,
        config=str(settings.source),
        workdir=str(settings.source.parent),
        password_env=settings.smtp.password_env,
        folders=tuple(dict.fromkeys(str(f) for f in (settings.root, settings.output))),
        in_venv=sys.prefix != sys.base_prefix,
    )
    sys.stdout.write(render(kind, install, settings.schedule))
    return 0


def config_check_command(config: Path) -> int:
    """Check the whole deployment as far as possible without processing anything."""
    from processor.config.rules_file import load_rules

    settings = load_settings(config)
    rules = load_rules(settings.rules)
    sample = _check_templates(settings, rules)
    _try_word_template(settings, rules)
    check_report_libraries(settings)
    compose(  # the addresses and subject must make a valid message
        sender=settings.smtp.sender,
        recipients=settings.mail.decision,
        letter=sample,
        message_id=message_id("kiem-tra", settings.smtp.sender),
        moment=datetime.now().astimezone(),
    )
    folders = (
        ("folders.root", settings.root),
        ("folders.output", settings.output),
        ("folders.answers", settings.answers),
        ("history.file", settings.history.parent),
    )
    problems = [p for key, folder in folders if (p := _writable(key, folder)) is not None]
    if problems:
        raise InputError("Không ghi được vào thư mục đã cấu hình.", problems)
    password = read_password(settings.smtp)
    layout = _create_folders(settings)  # inbox/ exists before anyone is told to drop there
    try:  # and the decisions folder the report names (only here: at start a missing or broken
        settings.output.mkdir(parents=True, exist_ok=True)  # one refuses each workbook instead)
    except OSError as exc:
        raise InputError(
            f"Không tạo được thư mục {settings.output}.",
            [Problem("folders.output", os_error_message(exc, settings.output, "ghi"))],
        ) from None
    try:
        connection = probe(settings.smtp, password)
    except Exception as exc:
        raise InputError(
            f"Không kết nối được máy chủ thư {settings.smtp.host}:{settings.smtp.port}.",
            [Problem("smtp", describe_error(exc, settings.smtp))],
        ) from None
    for line in _report(settings, rules, layout, connection):
        print(line)
    return 0


def _report(settings: Settings, rules: Rules, layout: Layout, connection: str) -> list[str]:
    """What `config check` found, line by line: what goes where, and to whom."""
    mail, shown = settings.mail, settings.shown
    share = (
        f"  Tên chia sẻ: {settings.share_name} (thư, báo cáo và câu trả lời ghi thư mục theo "
        "tên này)"
        if settings.share_name
        else "  Tên chia sẻ: chưa đặt [folders] share_name; thư và báo cáo ghi đường dẫn trên "
        "máy chủ"
    )
    if settings.rejection is not None:
        rejection = f"  Gửi thư từ chối (lỗi của bảng tính) đến: {_people(settings.rejection)}"
    else:
        rejection = (
            "  Không gửi thư khi bảng tính bị từ chối: [rejection] không có người nhận và "
            "[reminder] không ghi người nhận riêng; người thả bảng điểm chỉ thấy câu trả lời "
            "trong thư mục trả lời"
        )
    technical = (
        f"  Gửi lỗi kỹ thuật (mẫu Word, tệp quy tắc, máy chủ) đến: {_people(settings.technical)}"
        if settings.technical is not None
        else "  Không gửi thư khi có lỗi kỹ thuật (mẫu Word, tệp quy tắc, máy chủ)"
    )
    attached = ["tệp quyết định .docx"]
    if settings.attach.results:
        attached.append("bảng kết quả .xlsx")
    if settings.attach.pdf:
        attached.append("bản PDF (khi lập được)")
    return [
        f"Tệp cấu hình {settings.source} dùng được.",
        f"  Thư mục nhận: {settings.root} (thả bảng điểm vào {shown(layout.inbox)})",
        f"  Thư mục trả lời: {layout.answers} (người dùng xem ở {shown(layout.answers)})",
        share,
        f"  Thư mục quyết định: {settings.output}",
        f"  Bộ mẫu: {_profile_line(settings)}",
        f"  Tệp quy tắc: {settings.rules} (tỉnh {rules.document.province})",
        f"  Mẫu Word: {settings.template} (đã điền thử và kiểm tra: không có chỗ hỏng)",
        f"  Bản PDF: {_pdf_line(settings)}",
        *config_lines(settings),
        f"  Mẫu thư: {mail.decision_template}; thư nhắc việc: {mail.reminder_template}; "
        f"thư từ chối: {mail.rejection_template}",
        f"  Gửi quyết định đến: {_people(mail.decision)} (đính kèm: {', '.join(attached)})",
        f"  Gửi thư nhắc việc đến: {_people(mail.reminder)}",
        rejection,
        technical,
        f"  Tệp lịch sử: {settings.history}",
        f"  Máy chủ thư {settings.smtp.host}:{settings.smtp.port}: {connection}.",
    ]


def _pdf_line(settings: Settings) -> str:
    if not settings.pdf:
        return "tắt ([decision] pdf = false)"
    from processor.writing.pdf import find_libreoffice

    program = find_libreoffice()
    if program is None:
        return "máy này chưa cài LibreOffice: không lập bản PDF (quyết định .docx vẫn đủ)"
    return f"lập bằng LibreOffice ({program})"


def _try_word_template(settings: Settings, rules: Rules) -> None:
    """Fill the Word template with a sample decision of the rules and check it before and after
    filling, as `run` does: TemplateDamaged (exit 2) names every place to fix."""
    from processor.writing.sample_context import try_template

    try_template(settings.template, rules)


def _profile_line(settings: Settings) -> str:
    profile = settings.profile
    where = "đi kèm chương trình" if profile.bundled else f"thư mục {profile.folder}"
    overridden = [
        key
        for key, used, own in (
            ("rules", settings.rules, profile.rules),
            ("template", settings.template, profile.template),
        )
        if used != own
    ]
    text = f"{profile.name} ({where})"
    if overridden:
        text += f"; [decision] {' và '.join(overridden)} thay tệp của bộ mẫu"
    return text


def _people(recipients: Recipients) -> str:
    text = ", ".join(recipients.to)
    return f"{text}; đồng gửi: {', '.join(recipients.cc)}" if recipients.cc else text


def _writable(key: str, folder: Path) -> Problem | None:
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return Problem(key, f"{existing} không phải thư mục.")
    if not os.access(existing, os.W_OK | os.X_OK):
        return Problem(key, f"Không có quyền ghi vào {existing}.")
    return None
