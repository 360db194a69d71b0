"""How fast, and in how little memory, hostile workbooks are refused.

Builds an XML entity bomb, a 1 GiB zip bomb and a sheet one row over the row limit (at full
scale, with tests/hostile_files.py) in a temporary folder, then runs the real command
`python -m processor check FILE` on each, several times, as a separate process, and prints the
wall time (median, min, max) and the peak resident memory of the whole process (os.wait4's
ru_maxrss: interpreter, imports and all). The target for each bomb: under 1 second and under
200 MiB. The sample workbook is timed too, as a reference.

    python tests/benchmarks/bench_hostile.py [--runs 5]

Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(ROOT))

from processor.reading.limits import MAX_ROWS  # noqa: E402

import hostile_files as hf  # noqa: E402

SAMPLE = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"
TARGET_SECONDS = 1.0
TARGET_MIB = 200.0


def run_once(path: Path) -> tuple[float, float, int, str]:
    """Seconds, peak RSS in MiB, exit status and what the command printed."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "processor", "check", str(path)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        printed = output.read().decode("utf-8", "replace")
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return seconds, usage.ru_maxrss / scale, process.returncode, printed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per file (default 5)")
    args = parser.parse_args()

    cases: list[tuple[str, Callable[[Path], Path], str, bool]] = [
        ("XML entity bomb (billion laughs)", hf.entity_bomb, "DTD", True),
        ("zip bomb: sheet inflating to 1 GiB", hf.zip_bomb, "bom nén", True),
        (f"{MAX_ROWS + 1:,} rows (row limit + 1)", hf.too_many_rows, "quá lớn", False),
    ]
    print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}")
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"Each file: {args.runs} runs of `python -m processor check FILE` in a new process\n")
    rows = []
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for name, build, words, is_bomb in cases:
            target = Path(folder) / name.split()[0].replace(",", "")
            target.mkdir()
            start = time.perf_counter()
            path = build(target)
            built = time.perf_counter() - start
            size = path.stat().st_size / (1024 * 1024)
            print(f"built {name}: {size:.1f} MiB on disk in {built:.1f} s")
            files.append((name, path, words, is_bomb))
        files.append(("sample workbook (valid, reference)", SAMPLE, "dùng được", False))
        print()
        for name, path, words, is_bomb in files:
            times, peaks = [], []
            for _ in range(args.runs):
                seconds, peak, status, printed = run_once(path)
                expected = 0 if path == SAMPLE else 2
                if status != expected or words not in printed or "Traceback" in printed:
                    print(f"UNEXPECTED for {name}: exit {status}\n{printed}")
                    failed = True
                times.append(seconds)
                peaks.append(peak)
            verdict = ""
            if is_bomb:
                ok = max(times) < TARGET_SECONDS and max(peaks) < TARGET_MIB
                verdict = "yes" if ok else "NO"
                failed = failed or not ok
            rows.append((name, times, peaks, verdict))

    header = (
        f"{'file':<38} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13} "
        f"{'< 1 s and < 200 MiB':>20}"
    )
    print(header)
    print("-" * len(header))
    for name, times, peaks, verdict in rows:
        print(
            f"{name:<38} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f} "
            f"{max(peaks):>13.1f} {verdict:>20}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
