"""The yearly January job: when it runs, which year it checks, and how to install it.

`schedule --print` writes ready-to-install text for this installation (this Python, this config
file): a systemd service and timer (`Persistent=true`: a run missed while the server was off
happens at the next boot), a cron line, or a Windows `schtasks` command. The job itself is
`inbox --yearly`; it is idempotent (the reminder is recorded per year), so a catch-up run and a
manual run never send anything twice. Everything here is pure text built from plain values.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time

from processor.config.settings import ScheduleSettings

UNIT = "xep-hang-cntt-thang-gieng"
WATCH_UNIT = "xep-hang-cntt-theo-doi"
WINDOWS_TASK = r"XepHangCNTT\ThangGieng"
WINDOWS_WATCH_TASK = r"XepHangCNTT\TheoDoi"
KINDS = ("systemd", "cron", "windows", "systemd-watch", "windows-watch")


def evaluation_year(today: date, schedule: ScheduleSettings) -> int:
    """The year whose decision January is about: the configured one, or last calendar year."""
    if schedule.evaluation_year is not None:
        return schedule.evaluation_year
    return today.year - 1


def january_due(now: datetime, schedule: ScheduleSettings) -> bool:
    """For `watch`: is it January, on or after the configured day and time?"""
    if now.month != 1:
        return False
    return (now.day, now.time()) >= (schedule.day, schedule.at)


@dataclass(frozen=True, slots=True)
class Installation:
    """The facts a unit needs: which Python runs the tool, with which config, from where."""

    python: str
    config: str
    workdir: str
    password_env: str | None = None


def _hhmm(at: clock_time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def _systemd_quote(text: str) -> str:
    """One argument of ExecStart: `%` (specifier) and `$` (variable) doubled, quoted if needed."""
    escaped = text.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c.isspace() or c in "\\\"';" for c in escaped):
        return escaped
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _systemd_path(text: str) -> str:
    return text.replace("%", "%%")


def yearly_job(install: Installation) -> list[str]:
    """The January job's command line: `inbox --yearly` with this Python and config."""
    return [install.python, "-m", "processor", "inbox", "--config", install.config, "--yearly"]


def systemd_units(install: Installation, schedule: ScheduleSettings) -> str:
    """The service and the timer for the January job, each under a header naming its file."""
    day = f"{schedule.day:02d}"
    exec_start = " ".join(_systemd_quote(part) for part in yearly_job(install))
    secret = _environment_file_lines(install)
    return "\n".join(
        [
            f"# ===== Tệp /etc/systemd/system/{UNIT}.service =====",
            "[Unit]",
            "Description=Xếp hạng CNTT: việc tháng Giêng (xử lý thư mục nhận, nhắc nếu chưa "
            "có quyết định)",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            f"WorkingDirectory={_systemd_path(install.workdir)}",
            f"ExecStart={exec_start}",
            *secret,
            "# Nên chạy bằng một tài khoản riêng có quyền ghi thư mục nhận và thư mục quyết định:",
            "# User=xephang",
            "",
            f"# ===== Tệp /etc/systemd/system/{UNIT}.timer =====",
            "[Unit]",
            "Description=Xếp hạng CNTT: chạy việc tháng Giêng hằng năm",
            "",
            "[Timer]",
            f"OnCalendar=*-01-{day} {_hhmm(schedule.at)}:00",
            "# Máy tắt đúng giờ hẹn thì chạy bù ngay khi khởi động lại:",
            "Persistent=true",
            f"Unit={UNIT}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
            "# ===== Cài đặt (quyền root) =====",
            f"#   systemctl daemon-reload && systemctl enable --now {UNIT}.timer",
            f"#   systemctl list-timers {UNIT}.timer      (xem lần chạy tới)",
            f"#   systemctl start {UNIT}.service          (chạy thử ngay)",
            "",
        ]
    )


def systemd_watch_unit(install: Installation) -> str:
    """The always-on service (`watch`); it does the January check itself, so no timer."""
    command = [install.python, "-m", "processor", "watch", "--config", install.config]
    return "\n".join(
        [
            f"# ===== Tệp /etc/systemd/system/{WATCH_UNIT}.service =====",
            "# Dịch vụ thường trực: theo dõi thư mục nhận và tự làm việc tháng Giêng.",
            "# Đã dùng dịch vụ này thì KHÔNG cài thêm timer tháng Giêng (hai tiến trình không",
            "# được cùng xử lý một thư mục nhận).",
            "[Unit]",
            "Description=Xếp hạng CNTT: theo dõi thư mục nhận bảng điểm",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=simple",
            f"WorkingDirectory={_systemd_path(install.workdir)}",
            f"ExecStart={' '.join(_systemd_quote(part) for part in command)}",
            *_environment_file_lines(install),
            "Restart=on-failure",
            "RestartSec=30",
            "# User=xephang",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
            "# ===== Cài đặt (quyền root) =====",
            f"#   systemctl daemon-reload && systemctl enable --now {WATCH_UNIT}.service",
            f"#   systemctl status {WATCH_UNIT}.service",
            "",
        ]
    )


def _environment_file_lines(install: Installation) -> list[str]:
    if install.password_env is None:
        return []
    return [
        "# Mật khẩu SMTP: tạo tệp /etc/xep-hang-cntt/smtp.env chỉ root đọc được (chmod 600),",
        f"# một dòng {install.password_env}=..., rồi bỏ dấu # ở dòng dưới:",
        "# EnvironmentFile=/etc/xep-hang-cntt/smtp.env",
    ]


def _shell_quote(text: str) -> str:
    """POSIX shell quoting where needed; `%` escaped because cron turns it into a newline."""
    return shlex.quote(text).replace("%", "\\%")


def cron_line(install: Installation, schedule: ScheduleSettings) -> str:
    """A crontab entry: every day of January from the configured day (cron does not catch up)."""
    command = " ".join(_shell_quote(part) for part in yearly_job(install))
    lines = [
        "# Việc tháng Giêng của Xếp hạng CNTT. Cài: crontab -e, rồi dán dòng cuối.",
        f"# cron không chạy bù khi máy tắt, nên dòng này chạy mỗi ngày từ {schedule.day}/1 đến "
        "31/1;",
        "# việc này chạy lại không sao: thư nhắc chỉ gửi một lần mỗi năm.",
    ]
    if install.password_env is not None:
        lines.append(
            "# cron không có biến môi trường của bạn: nên dùng smtp.password_file thay cho "
            f"{install.password_env}."
        )
    lines.append(
        f"{schedule.at.minute} {schedule.at.hour} {schedule.day}-31 1 * "
        f"cd {_shell_quote(install.workdir)} && {command}"
    )
    return "\n".join(lines) + "\n"


def _windows_quote(text: str) -> str:
    """An argument inside schtasks /TR: the inner quotes are written \\"."""
    return f'\\"{text}\\"'


def windows_command(install: Installation, schedule: ScheduleSettings) -> str:
    """A `schtasks /Create` line (cmd.exe, as Administrator) and the catch-up setting."""
    parts = yearly_job(install)
    quoted = {0, parts.index("--config") + 1}  # the two paths; the rest has no spaces
    task_run = " ".join(_windows_quote(p) if i in quoted else p for i, p in enumerate(parts))
    folder, _, name = WINDOWS_TASK.rpartition("\\")
    lines = [
        "REM Việc tháng Giêng của Xếp hạng CNTT. Chạy trong cmd.exe với quyền Administrator:",
        f'schtasks /Create /TN "{WINDOWS_TASK}" /SC MONTHLY /M JAN /D {schedule.day} '
        f'/ST {_hhmm(schedule.at)} /RU SYSTEM /RL HIGHEST /F /TR "{task_run}"',
        "REM Cho chạy bù khi máy tắt đúng giờ hẹn (PowerShell, quyền Administrator):",
        f"REM   Set-ScheduledTask -TaskPath '\\{folder}\\' -TaskName '{name}' "
        "-Settings (New-ScheduledTaskSettingsSet -StartWhenAvailable)",
        f'REM Chạy thử ngay:  schtasks /Run /TN "{WINDOWS_TASK}"',
        "REM Thư mục nhận nằm trên thư mục mạng: thay /RU SYSTEM bằng /RU <tài khoản dịch vụ> "
        "/RP (tài khoản SYSTEM không vào được thư mục chia sẻ).",
    ]
    lines += _too_long(task_run)
    if install.password_env is not None:
        lines.append(
            f"REM Mật khẩu SMTP: đặt biến môi trường hệ thống {install.password_env} "
            "(setx /M), hoặc dùng smtp.password_file."
        )
    return "\n".join(lines) + "\n"


def windows_watch_command(install: Installation) -> str:
    """A task started with Windows that runs `watch` (and so does the January check itself)."""
    task_run = (
        f"{_windows_quote(install.python)} -m processor watch --config "
        f"{_windows_quote(install.config)}"
    )
    folder, _, name = WINDOWS_WATCH_TASK.rpartition("\\")
    lines = [
        "REM Dịch vụ thường trực của Xếp hạng CNTT: chạy lệnh watch mỗi khi Windows khởi động.",
        "REM Đã dùng tác vụ này thì KHÔNG cài thêm tác vụ tháng Giêng (lệnh watch tự làm việc đó).",
        f'schtasks /Create /TN "{WINDOWS_WATCH_TASK}" /SC ONSTART /DELAY 0001:00 /RU SYSTEM '
        f'/RL HIGHEST /F /TR "{task_run}"',
        "REM BẮT BUỘC: Task Scheduler mặc định dừng tác vụ chạy quá 3 ngày. Bỏ giới hạn đó và cho",
        "REM tự chạy lại khi lỗi (PowerShell, quyền Administrator):",
        f"REM   Set-ScheduledTask -TaskPath '\\{folder}\\' -TaskName '{name}' -Settings "
        "(New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 3 "
        "-RestartInterval (New-TimeSpan -Minutes 1))",
        f'REM Chạy ngay, không cần khởi động lại:  schtasks /Run /TN "{WINDOWS_WATCH_TASK}"',
        f'REM Dừng:  schtasks /End /TN "{WINDOWS_WATCH_TASK}"',
    ]
    return "\n".join(lines + _too_long(task_run)) + "\n"


def _too_long(task_run: str) -> list[str]:
    length = len(task_run.replace('\\"', '"'))
    if length <= 261:
        return []
    return [
        f"REM Chú ý: lệnh /TR dài {length} ký tự, quá 261 ký tự schtasks nhận: đặt tệp cấu "
        "hình ở đường dẫn ngắn hơn."
    ]


def render(kind: str, install: Installation, schedule: ScheduleSettings) -> str:
    if kind == "systemd":
        return systemd_units(install, schedule)
    if kind == "systemd-watch":
        return systemd_watch_unit(install)
    if kind == "cron":
        return cron_line(install, schedule)
    if kind == "windows":
        return windows_command(install, schedule)
    if kind == "windows-watch":
        return windows_watch_command(install)
    raise ValueError(kind)
