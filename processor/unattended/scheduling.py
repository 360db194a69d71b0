"""How the tool is installed to run by itself, and the January check's dates.

`schedule --print` writes ready-to-install text for this installation (this Python, this config
file, this folder). The first deployment is the always-on service, `watch`: a systemd unit
(`systemd-watch`, restarted on failure, its event lines in the journal) or a Windows task
started with Windows (`windows-watch`, a PowerShell block). It processes each workbook as it is
dropped, retries mail as it falls due, and does the January check itself.

The January job (`inbox --yearly`) is the add-on for a machine that does not run `watch` all
the time: one pass that processes the inbox, sends the mail still waiting (retries included)
and, if there is no decision for the evaluation year yet, sends the reminder once. As a
systemd timer (`systemd`, `Persistent=true`: a run missed while the server was off happens at
the next boot), a cron line (`cron`) or a Windows `schtasks` command (`windows`). It is
idempotent (the reminder is recorded per year), so a catch-up run and a manual run never send
anything twice; it must not run beside `watch` (one process per drop folder: it would stop on
the lock). Everything here is pure text built from plain values.
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


ENV_FILE = "/etc/xep-hang-cntt/smtp.env"
SYSLOG_ID = "xep-hang-cntt"


@dataclass(frozen=True, slots=True)
class Installation:
    """The facts a unit needs: which Python runs the tool, with which config, from where."""

    python: str
    config: str
    workdir: str
    password_env: str | None = None
    folders: tuple[str, ...] = ()  # the drop folder and the decisions folder (to wait for mounts)
    in_venv: bool = True  # `python` is a virtual environment's, where the tool is installed


def _venv_warning(install: Installation, comment: str) -> list[str]:
    if install.in_venv:
        return []
    return [
        f"{comment} CHÚ Ý: lệnh schedule vừa chạy bằng Python {install.python},",
        f"{comment} không phải Python của môi trường ảo (.venv) đã cài chương trình. Chạy lại",
        f"{comment} lệnh schedule bằng .venv/bin/python (Windows: .venv\\Scripts\\python)",
        f"{comment} để lịch chạy dùng đúng Python đó.",
    ]


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
    return "\n".join(
        [
            *_venv_warning(install, "#"),
            f"# ===== Tệp /etc/systemd/system/{UNIT}.service =====",
            "# Phần thêm, cho máy KHÔNG chạy dịch vụ theo dõi (watch): mỗi lần chạy xử lý thư mục",
            "# nhận, gửi các thư còn chờ (kể cả thư phải gửi lại), và nhắc nếu chưa có quyết định.",
            "# Đã chạy dịch vụ theo dõi (schedule --print systemd-watch) thì KHÔNG cài timer này.",
            "[Unit]",
            "Description=Xếp hạng CNTT: việc tháng Giêng (xử lý thư mục nhận, gửi thư còn chờ, "
            "nhắc nếu chưa có quyết định)",
            "Wants=network-online.target",
            "After=network-online.target",
            *_mount_lines(install),
            "",
            "[Service]",
            "Type=oneshot",
            *_service_lines(install, exec_start),
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
            *_password_steps(install),
            f"#   systemctl daemon-reload && systemctl enable --now {UNIT}.timer",
            f"#   systemctl list-timers {UNIT}.timer      (xem lần chạy tới)",
            f"#   systemctl start {UNIT}.service          (chạy thử ngay)",
            "",
        ]
    )


def systemd_watch_unit(install: Installation) -> str:
    """The always-on service (`watch`), the first deployment; it does the January check too."""
    command = [install.python, "-m", "processor", "watch", "--config", install.config]
    exec_start = " ".join(_systemd_quote(part) for part in command)
    return "\n".join(
        [
            *_venv_warning(install, "#"),
            f"# ===== Tệp /etc/systemd/system/{WATCH_UNIT}.service =====",
            "# Dịch vụ thường trực (triển khai chính): theo dõi thư mục nhận, lập quyết định ngay",
            "# khi bảng điểm được thả, gửi thư và gửi lại thư lỗi tạm thời, tự làm việc tháng",
            "# Giêng.",
            "# Đã dùng dịch vụ này thì KHÔNG cài thêm timer tháng Giêng (hai tiến trình không",
            "# được cùng xử lý một thư mục nhận).",
            "[Unit]",
            "Description=Xếp hạng CNTT: theo dõi thư mục nhận bảng điểm",
            "Wants=network-online.target",
            "After=network-online.target",
            *_mount_lines(install),
            "",
            "[Service]",
            "Type=simple",
            *_service_lines(install, exec_start),
            "# Dừng ngang (mất điện, lỗi) không mất gì: lần chạy sau làm tiếp việc dở.",
            "Restart=on-failure",
            "RestartSec=30",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
            "# ===== Cài đặt (quyền root) =====",
            *_password_steps(install),
            f"#   systemctl daemon-reload && systemctl enable --now {WATCH_UNIT}.service",
            f"#   systemctl status {WATCH_UNIT}.service      (đang chạy chưa)",
            f"#   journalctl -u {WATCH_UNIT} -f      (xem từng việc, như tệp nhat-ky.log)",
            "",
        ]
    )


def _mount_lines(install: Installation) -> list[str]:
    """Start only once the folders are there (a network share is mounted late at boot)."""
    if not install.folders:
        return []
    return [f"RequiresMountsFor={' '.join(_systemd_quote(f) for f in install.folders)}"]


def _service_lines(install: Installation, exec_start: str) -> list[str]:
    """The [Service] lines both units share: where, what, the password, the journal."""
    lines = [
        f"WorkingDirectory={_systemd_path(install.workdir)}",
        f"ExecStart={exec_start}",
        "# Mỗi việc một dòng vào nhật ký hệ thống (journalctl), tiếng Việt UTF-8:",
        f"SyslogIdentifier={SYSLOG_ID}",
        "Environment=PYTHONIOENCODING=utf-8",
    ]
    if install.password_env is not None:
        lines += [
            f"# Mật khẩu SMTP: biến {install.password_env} đọc từ tệp {ENV_FILE}, chỉ root đọc",
            "# được (xem phần Cài đặt); dấu - : tệp chưa có thì chương trình tự báo thiếu mật",
            "# khẩu.",
            f"EnvironmentFile=-{ENV_FILE}",
        ]
    lines += [
        "# Nên chạy bằng một tài khoản riêng có quyền ghi thư mục nhận và thư mục quyết định:",
        "# User=xephang",
        "# Group=xephang",
    ]
    return lines


def _password_steps(install: Installation) -> list[str]:
    """Make the root-only file systemd reads the password from (root reads it, then the
    service starts as its own user)."""
    if install.password_env is None:
        return []
    return [
        f"#   mkdir -p {ENV_FILE.rpartition('/')[0]} && touch {ENV_FILE} && chmod 600 {ENV_FILE}",
        f"#   nano {ENV_FILE}      (ghi đúng một dòng: {install.password_env}=mật-khẩu)",
    ]


def _shell_quote(text: str) -> str:
    """POSIX shell quoting where needed; `%` escaped because cron turns it into a newline."""
    return shlex.quote(text).replace("%", "\\%")


def cron_line(install: Installation, schedule: ScheduleSettings) -> str:
    """A crontab entry: every day of January from the configured day (cron does not catch up)."""
    command = " ".join(_shell_quote(part) for part in yearly_job(install))
    lines = [
        *_venv_warning(install, "#"),
        "# Việc tháng Giêng của Xếp hạng CNTT (phần thêm, cho máy không chạy dịch vụ theo dõi):",
        "# xử lý thư mục nhận, gửi thư còn chờ, nhắc nếu chưa có quyết định.",
        "# Cài: crontab -e, rồi dán dòng cuối.",
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
        *_venv_warning(install, "REM"),
        "REM Việc tháng Giêng của Xếp hạng CNTT: phần thêm, cho máy KHÔNG chạy tác vụ theo dõi",
        "REM (windows-watch). Mỗi lần chạy: xử lý thư mục nhận, gửi thư còn chờ (kể cả thư phải",
        "REM gửi lại), nhắc nếu chưa có quyết định. Chạy trong cmd.exe với quyền Administrator:",
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


def _powershell_quote(text: str) -> str:
    """A PowerShell single-quoted string: nothing inside is expanded; `'` is written twice."""
    return "'" + text.replace("'", "''") + "'"


def windows_watch_command(install: Installation) -> str:
    """A PowerShell block registering the task that runs `watch` from Windows start-up.

    PowerShell rather than schtasks: one paste sets everything the service needs (the working
    folder, no 72-hour limit, restart after a failure, one instance) and schtasks can set
    neither the working folder nor the limit.
    """
    folder, _, name = WINDOWS_WATCH_TASK.rpartition("\\")
    path, task = _powershell_quote(f"\\{folder}\\"), _powershell_quote(name)
    arguments = f'-m processor watch --config "{install.config}"'
    lines = [
        *_venv_warning(install, "#"),
        "# Dịch vụ thường trực của Xếp hạng CNTT (triển khai chính): chạy lệnh watch từ khi",
        "# Windows khởi động; tự làm việc tháng Giêng, gửi và gửi lại thư. Đã dùng tác vụ này thì",
        "# KHÔNG cài thêm tác vụ tháng Giêng (hai tiến trình không được cùng xử lý một thư mục).",
        "# Cài: mở PowerShell bằng quyền Administrator (chuột phải > Run as administrator), dán",
        "# cả khối dưới đây.",
        f"$action = New-ScheduledTaskAction -Execute {_powershell_quote(install.python)} "
        f"-Argument {_powershell_quote(arguments)} "
        f"-WorkingDirectory {_powershell_quote(install.workdir)}",
        "$trigger = New-ScheduledTaskTrigger -AtStartup",
        "# Không giới hạn thời gian chạy (mặc định Windows dừng tác vụ sau 3 ngày), tự chạy lại",
        "# sau một phút nếu dừng vì lỗi, chỉ một tiến trình:",
        "$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) "
        "-RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -StartWhenAvailable "
        "-MultipleInstances IgnoreNew -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries",
        "$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount "
        "-RunLevel Highest",
        f"Register-ScheduledTask -TaskPath {path} -TaskName {task} -Action $action "
        "-Trigger $trigger -Settings $settings -Principal $principal -Force",
        f"Start-ScheduledTask -TaskPath {path} -TaskName {task}",
        "# Xem tình trạng:  Get-ScheduledTask -TaskPath "
        f"{path} -TaskName {task} | Get-ScheduledTaskInfo",
        f"# Dừng:  Stop-ScheduledTask -TaskPath {path} -TaskName {task}",
        "# Thư mục nhận nằm trên thư mục mạng: tài khoản SYSTEM không vào được thư mục chia sẻ;",
        "# bỏ -Principal $principal ở dòng Register-ScheduledTask, thêm vào đó",
        "# -User 'TEN-MIEN\\tai-khoan-dich-vu' -Password '...' (tài khoản có quyền ghi thư mục).",
    ]
    if install.password_env is not None:
        lines += [
            f"# Mật khẩu SMTP: đặt biến môi trường hệ thống {install.password_env} một lần:",
            f"#   [Environment]::SetEnvironmentVariable({_powershell_quote(install.password_env)},"
            " 'mật-khẩu', 'Machine')",
            "# rồi khởi động lại Windows (Task Scheduler chỉ đọc lại biến khi khởi động); hoặc",
            "# dùng smtp.password_file.",
        ]
    return "\n".join(lines) + "\n"


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
