"""The January job: which year, when, and the units printed for this installation."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest

from processor.config.settings import ScheduleSettings
from processor.unattended.scheduling import (
    UNIT,
    WATCH_UNIT,
    Installation,
    cron_line,
    evaluation_year,
    january_due,
    systemd_units,
    systemd_watch_unit,
    windows_command,
    windows_watch_command,
)

from deployment import deployment
from smtp_server import free_port

SCHEDULE = ScheduleSettings(day=5, at=time(8, 0))
SPACED = Installation(
    python="/opt/xep hang/.venv/bin/python",
    config="/etc/xep-hang-cntt/cấu hình 100%.toml",
    workdir="/etc/xep-hang-cntt",
    password_env="XEP_HANG_SMTP_PASSWORD",
    folders=("/srv/xep-hang-cntt/thu-muc-nhan", "/srv/xep-hang-cntt/quyet-dinh"),
)


def test_the_evaluation_year_is_last_year_unless_configured():
    assert evaluation_year(date(2026, 1, 5), SCHEDULE) == 2025
    assert evaluation_year(date(2026, 1, 5), ScheduleSettings(evaluation_year=2020)) == 2020


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (datetime(2026, 1, 5, 7, 59), False),
        (datetime(2026, 1, 5, 8, 0), True),
        (datetime(2026, 1, 31, 23, 0), True),
        (datetime(2026, 1, 4, 12, 0), False),
        (datetime(2026, 2, 5, 8, 0), False),
        (datetime(2025, 12, 31, 9, 0), False),
    ],
)
def test_watch_does_the_january_check_from_the_configured_day_and_time(moment, due):
    assert january_due(moment, SCHEDULE) is due


def units(text: str) -> dict[str, str]:
    parts = re.split(r"^# ===== Tệp /etc/systemd/system/(\S+) =====\n", text, flags=re.M)
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return {name: body.split("# ===== ")[0] for name, body in pairs}


def test_systemd_service_and_timer_run_in_january_and_catch_up():
    files = units(systemd_units(SPACED, SCHEDULE))
    assert set(files) == {f"{UNIT}.service", f"{UNIT}.timer"}
    timer, service = files[f"{UNIT}.timer"], files[f"{UNIT}.service"]
    assert "OnCalendar=*-01-05 08:00:00" in timer.splitlines()
    assert "Persistent=true" in timer.splitlines()
    assert "WantedBy=timers.target" in timer
    exec_line = next(x for x in service.splitlines() if x.startswith("ExecStart="))
    assert exec_line == (
        'ExecStart="/opt/xep hang/.venv/bin/python" -m processor inbox --config '
        '"/etc/xep-hang-cntt/cấu hình 100%%.toml" --yearly'  # % is a specifier in units
    )
    assert "Type=oneshot" in service
    assert "EnvironmentFile=-/etc/xep-hang-cntt/smtp.env" in service.splitlines()
    # the January job is the add-on, for a machine without the service, and retries mail
    assert "KHÔNG chạy dịch vụ theo dõi" in service and "gửi các thư còn chờ" in service


def test_the_cron_line_runs_every_january_day_from_the_configured_one():
    line = cron_line(SPACED, SCHEDULE).splitlines()[-1]
    fields = line.split(" ", 5)
    assert fields[:5] == ["0", "8", "5-31", "1", "*"]
    command = fields[5]
    assert "\\%" in command  # cron turns a bare % into a newline
    words = shlex.split(command.replace("\\%", "%"))
    assert words[:3] == ["cd", "/etc/xep-hang-cntt", "&&"]
    assert words[3:] == [
        "/opt/xep hang/.venv/bin/python",
        "-m",
        "processor",
        "inbox",
        "--config",
        "/etc/xep-hang-cntt/cấu hình 100%.toml",
        "--yearly",
    ]


def test_the_windows_command_is_a_monthly_january_task_with_quoted_paths():
    install = Installation(
        python=r"C:\Program Files\Python311\python.exe",
        config=r"C:\XepHang\cau-hinh.toml",
        workdir=r"C:\XepHang",
    )
    lines = windows_command(install, SCHEDULE).splitlines()
    create = next(x for x in lines if x.startswith("schtasks /Create"))
    assert "/SC MONTHLY /M JAN /D 5 /ST 08:00" in create
    assert create.endswith(
        r'/TR "\"C:\Program Files\Python311\python.exe\" -m processor inbox '
        r'--config \"C:\XepHang\cau-hinh.toml\" --yearly"'
    )
    assert any("-StartWhenAvailable" in x for x in lines)  # run when a start was missed
    assert all(x.startswith(("REM", "schtasks")) for x in lines)
    long = Installation("C:\\" + "p" * 200 + "\\python.exe", "C:\\" + "c" * 80, "C:\\")
    assert any("quá 261 ký tự" in x for x in windows_command(long, SCHEDULE).splitlines())


def test_the_watch_service_is_complete_restarts_and_warns_against_a_second_process():
    text = systemd_watch_unit(SPACED)
    (unit,) = units(text).values()
    lines = unit.splitlines()
    assert "Restart=on-failure" in lines and "WantedBy=multi-user.target" in lines
    assert f"{WATCH_UNIT}.service" in text and "KHÔNG cài thêm timer" in text
    assert "WorkingDirectory=/etc/xep-hang-cntt" in lines
    assert (
        lines.count(
            'ExecStart="/opt/xep hang/.venv/bin/python" -m processor watch --config '
            '"/etc/xep-hang-cntt/cấu hình 100%%.toml"'
        )
        == 1
    )
    assert "EnvironmentFile=-/etc/xep-hang-cntt/smtp.env" in lines  # the password variable
    assert "Environment=PYTHONIOENCODING=utf-8" in lines
    assert "SyslogIdentifier=xep-hang-cntt" in lines
    assert (
        "RequiresMountsFor=/srv/xep-hang-cntt/thu-muc-nhan /srv/xep-hang-cntt/quyet-dinh" in lines
    )
    assert "XEP_HANG_SMTP_PASSWORD=mật-khẩu" in text  # where to put it, never its value
    assert f"journalctl -u {WATCH_UNIT} -f" in text
    assert "CHÚ Ý" not in text  # the Python of a virtual environment: no warning


def test_a_python_outside_a_virtual_environment_is_warned_about():
    system = Installation("/usr/bin/python3", "/etc/x.toml", "/etc", in_venv=False)
    for text in (
        systemd_watch_unit(system),
        systemd_units(system, SCHEDULE),
        cron_line(system, SCHEDULE),
        windows_command(system, SCHEDULE),
        windows_watch_command(system),
    ):
        assert "CHÚ Ý" in text and "môi trường ảo (.venv)" in text
    assert "EnvironmentFile" not in systemd_watch_unit(system)  # no password_env: no file


def test_the_windows_watch_task_starts_with_windows_and_is_never_timed_out():
    install = Installation(
        r"C:\XepHang\chuong trinh\.venv\Scripts\python.exe",
        r"C:\XepHang\cau-hinh.toml",
        r"C:\XepHang",
        password_env="XEP_HANG_SMTP_PASSWORD",
    )
    lines = windows_watch_command(install).splitlines()
    assert all(x.startswith(("#", "$", "Register-", "Start-")) for x in lines), lines
    action = next(x for x in lines if x.startswith("$action"))
    assert action == (
        "$action = New-ScheduledTaskAction "
        r"-Execute 'C:\XepHang\chuong trinh\.venv\Scripts\python.exe' "
        r"""-Argument '-m processor watch --config "C:\XepHang\cau-hinh.toml"' """
        r"-WorkingDirectory 'C:\XepHang'"
    )
    assert "$trigger = New-ScheduledTaskTrigger -AtStartup" in lines
    settings = next(x for x in lines if x.startswith("$settings"))
    assert "-ExecutionTimeLimit ([TimeSpan]::Zero)" in settings  # not 72 h
    assert "-RestartCount 999" in settings and "-MultipleInstances IgnoreNew" in settings
    assert any(
        x.startswith(r"Register-ScheduledTask -TaskPath '\XepHangCNTT\' -TaskName 'TheoDoi'")
        for x in lines
    )
    assert any("SetEnvironmentVariable('XEP_HANG_SMTP_PASSWORD'" in x for x in lines)
    quoted = Installation(r"C:\O'Brien\python.exe", r"C:\x.toml", "C:\\")
    assert r"-Execute 'C:\O''Brien\python.exe'" in windows_watch_command(quoted)


def test_schedule_prints_this_installations_python_and_config(tmp_path):
    site = deployment(tmp_path, free_port(), schedule={"day": 12, "time": "07:30"})
    done = site.run("schedule", "--print", "systemd")
    assert done.returncode == 0, done.stderr
    files = units(done.stdout)
    assert "OnCalendar=*-01-12 07:30:00" in files[f"{UNIT}.timer"]
    service = files[f"{UNIT}.service"]
    assert f"ExecStart={sys.executable} -m processor inbox --config {site.config}" in service
    assert f"WorkingDirectory={site.config.parent}" in service
    cron = site.run("schedule", "--print", "cron")
    assert cron.stdout.splitlines()[-1].startswith("30 7 12-31 1 * cd ")
    windows = site.run("schedule", "--print", "windows")
    assert "/D 12 /ST 07:30" in windows.stdout
    wrong = site.run("schedule", "--print", "launchd")
    assert wrong.returncode == 2 and "lựa chọn không hợp lệ" in wrong.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not found")
def test_systemd_accepts_the_printed_units(tmp_path):
    site = deployment(tmp_path / "may-chu", free_port())
    printed = site.run("schedule", "--print", "systemd").stdout
    printed += site.run("schedule", "--print", "systemd-watch").stdout
    paths = []
    for name, body in units(printed).items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        paths.append(str(path))
    assert len(paths) == 3
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", "*-01-05 08:00:00"], capture_output=True, text=True
    )
    assert calendar.returncode == 0 and "Next elapse" in calendar.stdout
    assert Path(sys.executable).is_file()  # ExecStart names a real interpreter
