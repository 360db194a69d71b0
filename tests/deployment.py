"""A real deployment in a temporary folder: its config file, drop folder, and the CLI to run.

The unattended tests run `python -m processor ...` in a subprocess against a real aiosmtpd
server, exactly as systemd or Task Scheduler would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from processor.unattended.events import PAUSE_ENV

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"
LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \| [^|]+ \| [^|]+( \| [^|]+)?$")

TO = "Văn thư UBND tỉnh <vanthu@tinh.gov.vn>"
CC = "thuky@tinh.gov.vn"
RECIPIENTS = ("vanthu@tinh.gov.vn", "thuky@tinh.gov.vn")
SECRETARY = "hoidong@tinh.gov.vn"  # [rejection] to, when a test sets it
TECHNICAL = "cntt@tinh.gov.vn"  # [rejection] technical_to, when a test sets it
# A short name as people see it: `2026-01-05_080001_ab12cd34_bang-diem.xlsx` (or `…cd34~2_…`).
SHORT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}_[0-9a-f]{8}(~\d+)?_(?P<original>.+)$")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def toml_text(sections: Mapping[str, Mapping[str, Any]]) -> str:
    lines = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    return "\n".join(lines)


def settings_sections(port: int, **overrides: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A config for tests: relative folders, plain SMTP on 127.0.0.1, short settle, no back-off.

    No PDF unless a test asks (`decision={"pdf": True}`): LibreOffice takes seconds a decision.
    """
    sections: dict[str, dict[str, Any]] = {
        "folders": {"root": "thu-muc-nhan", "output": "quyet-dinh"},
        "decision": {"pdf": False},
        "report": {"enabled": False},  # tests that want the report turn it on
        "smtp": {
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "sender": "Sở Thông tin và Truyền thông <stttt@tinh.gov.vn>",
            "timeout_seconds": 5,
        },
        "email": {"to": [TO], "cc": [CC]},
        "retry": {"first_seconds": 0, "max_seconds": 0, "give_up_hours": 24},
        "watch": {"settle_seconds": 0.2, "poll_seconds": 0.2},
        "schedule": {"evaluation_year": 2020},
    }
    for name, table in overrides.items():
        sections.setdefault(name, {}).update(table)
    return sections


@dataclass
class Deployment:
    folder: Path
    config: Path

    @property
    def root(self) -> Path:
        return self.folder / "thu-muc-nhan"

    @property
    def output(self) -> Path:
        return self.folder / "quyet-dinh"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def log(self) -> Path:
        return self.root / "nhat-ky.log"

    @property
    def answers(self) -> Path:
        return self.root / "tra-loi"

    def answer_names(self) -> list[str]:
        return sorted(p.name for p in self.answers.iterdir()) if self.answers.is_dir() else []

    def drop(self, source: Path, name: str) -> Path:
        """Copy a file in the way people and programs do: under a temporary name, then rename."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        temporary = self.inbox / f"~{name}.tmp"
        shutil.copyfile(source, temporary)
        target = self.inbox / name
        os.replace(temporary, target)
        return target

    def environment(self, pause: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        if pause:
            env[PAUSE_ENV] = pause
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "processor", *args, "--config", str(self.config)]

    def run(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.folder,
            env={**self.environment(), **(env or {})},
            timeout=120,
            check=False,
        )

    def inbox_pass(self, *extra: str) -> subprocess.CompletedProcess[str]:
        done = self.run("inbox", *extra)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start(self, *args: str, pause: str | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=self.folder,
            env=self.environment(pause),
        )

    def paused(self, *args: str, pause: str) -> subprocess.Popen[str]:
        """Start a command and return once it has frozen at the pause point."""
        process = self.start(*args, pause=pause)
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.startswith("PAUSE "):
                return process
        process.wait(timeout=30)
        raise AssertionError(f"never reached {pause}: {''.join(seen)}")

    def log_lines(self) -> list[str]:
        if not self.log.exists():
            return []
        return self.log.read_text(encoding="utf-8").splitlines()

    def files(self, name: str) -> list[Path]:
        folder = self.root / name
        return sorted(p for p in folder.iterdir()) if folder.is_dir() else []


def deployment(folder: Path, port: int, **overrides: Mapping[str, Any]) -> Deployment:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "cau-hinh.toml"
    config.write_text(toml_text(settings_sections(port, **overrides)), encoding="utf-8")
    return Deployment(folder, config)


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL: no handler, no clean-up, as when the power goes or the OOM killer strikes."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def wait_until(condition: Any, timeout: float = 30.0, step: float = 0.05) -> None:
    """Poll a condition (for the watch service); fail with its last value after the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {condition}")
