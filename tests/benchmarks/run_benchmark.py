"""The benchmark: the real CLI, end to end, as a separate process, at national sizes.

For every size it runs `python -m processor run … --format json --timings` several times on a
generated workbook (tests/benchmarks/generate_workbook.py, 30 criteria by default) and reports
the median and min/max wall time, the peak memory (RSS) of the whole process, and the split by
stage from the tool's own timings. Side by side it runs

- the import floor: a process that only imports the rendering stack, python-docx (`docx`),
  docxtpl and jinja2, without which no decision can be made; so the sample's cost reads as a
  ratio to what Python needs to start the libraries the job cannot do without (reading the
  workbook, checking it and the tool's own modules are what the ratio measures);
- the bundled 32-agency sample with the Lào Cai rules, as the secretary runs it: `run`, and
  `check` (which must not need the rendering stack, so it can come in under the floor);
- the naive baseline (naive_baseline.py): openpyxl plus python-docx `add_row()`, cell by cell.

It prints a table and the targets of issue 5 with pass/fail (the sample's `run` within 1.3× of
the floor; 10,000 agencies within 5 s and 600 MiB), and writes results.csv, runs.csv and
benchmark.png (time and memory against N, log scales) under output/benchmark/.

`--root TREE` measures the tool of another checkout (say a `git worktree` of an older commit)
with this script, its floor and its workbooks: before and after of one change, on one machine.

Every command gets one warm-up run, not counted, and the children cache compiled bytecode
(in output/benchmark/pycache) even when the shell sets PYTHONDONTWRITEBYTECODE, as a normal
installation does; the floor and the sample's run and check take turns, so that a busy machine
slows them alike.

Peak RSS is `ru_maxrss` from `os.wait4` for each child. Linux carries a process's high-water
mark across exec, so a child can never report less than this parent's own RSS at the time it
was started: the parent therefore imports nothing heavy (matplotlib only at the end, after the
last child), and the table notes the parent's RSS.

Usage:
    python tests/benchmarks/run_benchmark.py [--sizes 32,1000,10000] [--runs 5] [--large]
        [--root TREE]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SAMPLE = ROOT / "input_samples" / "xep-hang-cntt-2020.xlsx"
SAMPLE_RULES = ROOT / "templates" / "lao-cai-2020" / "quy-tac.toml"
BENCHMARK_RULES = HERE / "quy-tac-30-tieu-chi.toml"
GENERATOR = HERE / "generate_workbook.py"
NAIVE = HERE / "naive_baseline.py"
DEFAULT_OUT = ROOT / "output" / "benchmark"
STAGES = ("read", "check", "compute", "render", "write")
DEFAULT_SIZES = (32, 1_000, 10_000)
LARGE_SIZE = 50_000
# Modules the run of a workbook must not load (they serve other commands).
NOT_ON_RUN_PATH = ("watchdog",)
# Modules `--help` and `check` must not load; what the import floor imports, in this order.
RENDERING_ONLY = ("docx", "docxtpl", "jinja2")

# Issue 5's targets.
TARGET_SAMPLE_RATIO = 1.3
TARGET_10K_SECONDS = 5.0
TARGET_10K_MIB = 600
TARGET_NAIVE_RATIO = 4.0
TARGET_GROWTH = 10.0

# Lists the third-party modules a `run` of the sample imports, in the order it imports them.
_PROBE = r"""
import json, runpy, sys, sysconfig, tempfile
before = set(sys.modules)
with tempfile.TemporaryDirectory() as out:
    sys.argv = ["processor", *sys.argv[1:], "--out", out]
    try:
        runpy.run_module("processor", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        assert not exit.code, f"the probe run failed with {exit.code}"
places = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
third_party = [
    name for name, module in list(sys.modules.items())
    if name not in before
    and any(str(getattr(module, "__file__", None) or "").startswith(p) for p in places)
]
print(json.dumps(third_party), file=sys.stderr)
"""

# Lists what a command loads, to check that imports stay lazy.
_LOADED = r"""
import json, runpy, sys
sys.argv = ["processor", *sys.argv[1:]]
try:
    runpy.run_module("processor", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@dataclass
class Run:
    """One child process: wall time, peak RSS and, for the tool, its own stage timings."""

    wall: float
    rss_kib: int
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class Series:
    """Several runs of one command at one size."""

    kind: str  # floor, sample (run), check (of the sample), tool, naive
    agencies: int
    criteria: int
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def low(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def high(self) -> float:
        return max(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.rss_kib for r in self.runs) / 1024

    def stage(self, name: str) -> float | None:
        values = [r.stages[name] for r in self.runs if name in r.stages]
        return statistics.median(values) if values else None


CHILD_ENV: dict[str, str] = {}
# The checkout whose tool is measured (--root); the children run there, with it first on the path.
TOOL_ROOT = ROOT


def child_environment(pycache: Path, root: Path) -> None:
    """Children run as Python usually does, with compiled bytecode cached (a warm-up run
    fills the cache), whatever this shell says; in a folder of its own, not in the tree."""
    global TOOL_ROOT
    TOOL_ROOT = root
    CHILD_ENV.clear()
    CHILD_ENV.update(os.environ)
    CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(pycache)
    CHILD_ENV["PYTHONPATH"] = os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    )


def measure(command: Sequence[str], timeout: float | None = None) -> tuple[Run, str, str]:
    """Run one child; its wall time and peak RSS (os.wait4), its stdout and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=TOOL_ROOT, stdout=out, stderr=err, env=CHILD_ENV or None
        )
        timer = threading.Timer(timeout, child.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited with {child.returncode}:\n{stderr[-2000:]}"
        )
    return Run(wall=wall, rss_kib=usage.ru_maxrss), stdout, stderr


def tool_command(workbook: Path, rules: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "processor",
        "run",
        str(workbook),
        "--rules",
        str(rules),
        "--out",
        str(out),
        "--format",
        "json",
        "--timings",
        "--no-pdf",  # LibreOffice's time is not the tool's (and 10 000 agencies exceed its limit)
    ]


def check_command(workbook: Path, rules: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "processor",
        "check",
        str(workbook),
        "--rules",
        str(rules),
        "--format",
        "json",
    ]


def run_check(series: Series, workbook: Path, rules: Path) -> None:
    """One measured `check`: it prints no timings, only whether the workbook is usable."""
    run, stdout, _ = measure(check_command(workbook, rules))
    result = json.loads(stdout)
    if not result.get("ok") or result.get("agency_count") != series.agencies:
        raise RuntimeError(f"unexpected check of {workbook}: {stdout[:2000]}")
    series.runs.append(run)


def run_tool(series: Series, workbook: Path, rules: Path, scratch: Path) -> None:
    """One measured run of the tool, with its own stage timings."""
    run, stdout, _ = measure(tool_command(workbook, rules, scratch))
    result = json.loads(stdout)
    if not result.get("ok") or result.get("agency_count") != series.agencies:
        raise RuntimeError(f"unexpected result for {workbook}: {stdout[:2000]}")
    run.stages = {k: float(v) for k, v in result["timings"].items()}
    series.runs.append(run)


def third_party_imports(sample: Path, rules: Path) -> list[str]:
    """The third-party modules a `run` of the sample imports, in import order."""
    _, _, stderr = measure(
        [sys.executable, "-c", _PROBE, "run", str(sample), "--rules", str(rules), "--no-pdf"]
    )
    return json.loads(stderr.strip().splitlines()[-1])


def loaded_by(*arguments: str) -> set[str]:
    _, _, stderr = measure([sys.executable, "-c", _LOADED, *arguments])
    return set(json.loads(stderr.strip().splitlines()[-1]))


def floor_command() -> list[str]:
    """Python starting and importing the rendering stack, and nothing else."""
    return [sys.executable, "-c", f"import {', '.join(RENDERING_ONLY)}"]


def commit_of(root: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "?"


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:10]


def workbook_for(agencies: int, rules: Path, seed: int, folder: Path) -> Path:
    """The generated workbook, made once per generator, rules, seed and size."""
    key = fingerprint(GENERATOR.read_bytes(), rules.read_bytes(), str(seed).encode())
    path = folder / f"bang-diem-{agencies}-{key}.xlsx"
    if not path.is_file():
        print(f"  tạo bảng điểm {agencies} đơn vị: {shown_path(path)}", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--agencies",
                str(agencies),
                "--seed",
                str(seed),
                "--criteria-rules",
                str(rules),
                "--out",
                str(path),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def run_naive(
    series: Series, workbook: Path, rules: Path, runs: int, cap: float, scratch: Path
) -> Series:
    command = [
        sys.executable,
        str(NAIVE),
        str(workbook),
        "--rules",
        str(rules),
        "--out",
        str(scratch / "naive.docx"),
    ]
    for _ in range(runs):
        try:
            run, _, _ = measure(command, timeout=cap)
        except RuntimeError:
            series.note = f"dừng sau {cap:.0f} s"
            break
        series.runs.append(run)
        if run.wall * 2 > cap:  # one more would likely pass the cap
            break
    return series


def criteria_count(rules: Path) -> int:
    import tomllib

    return len(tomllib.loads(rules.read_text(encoding="utf-8"))["criteria"])


def environment() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform(terse=True)
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    versions = []
    for name in ("openpyxl", "python-docx", "docxtpl", "jinja2", "lxml"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name} {metadata.version(name)}")
    return {
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "os": os_name,
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "packages": ", ".join(versions),
    }


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


LABELS = {
    "floor": "chỉ nạp thư viện dựng văn bản",
    "sample": "bảng mẫu: run",
    "check": "bảng mẫu: check",
    "tool": "chương trình",
    "naive": "thông thường",
}


def shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def print_table(all_series: Sequence[Series]) -> None:
    header = ["đo", "N", "tiêu chí", "lần", "trung vị s", "min–max s", "RSS đỉnh MiB", *STAGES]
    rows = []
    for s in all_series:
        if not s.runs:
            rows.append([LABELS[s.kind], f"{s.agencies:,}", str(s.criteria), "0", s.note])
            rows[-1] += [""] * (len(header) - len(rows[-1]))
            continue
        rows.append(
            [
                LABELS[s.kind],
                f"{s.agencies:,}" if s.agencies else "",
                str(s.criteria) if s.criteria else "",
                str(len(s.runs)),
                f"{s.median:.3f}",
                f"{s.low:.3f}–{s.high:.3f}",
                f"{s.rss_mib:.0f}",
                *(seconds(s.stage(stage)) for stage in STAGES),
            ]
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


def write_csv(all_series: Sequence[Series], env: dict[str, str], folder: Path) -> None:
    with (folder / "results.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "date",
                "kind",
                "agencies",
                "criteria",
                "runs",
                "median_s",
                "min_s",
                "max_s",
                "peak_rss_mib",
                *(f"{stage}_s" for stage in STAGES),
                "note",
                "python",
                "os",
                "cores",
            ]
        )
        for s in all_series:
            if not s.runs:
                writer.writerow([env["date"], s.kind, s.agencies, s.criteria, 0, *[""] * 9])
                continue
            writer.writerow(
                [
                    env["date"],
                    s.kind,
                    s.agencies,
                    s.criteria,
                    len(s.runs),
                    f"{s.median:.4f}",
                    f"{s.low:.4f}",
                    f"{s.high:.4f}",
                    f"{s.rss_mib:.1f}",
                    *(seconds(s.stage(stage)) for stage in STAGES),
                    s.note,
                    env["python"],
                    env["os"],
                    env["cores"],
                ]
            )
    with (folder / "runs.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["kind", "agencies", "run", "wall_s", "peak_rss_kib", *STAGES])
        for s in all_series:
            for i, run in enumerate(s.runs, start=1):
                stages = [seconds(run.stages.get(stage)) for stage in STAGES]
                writer.writerow([s.kind, s.agencies, i, f"{run.wall:.4f}", run.rss_kib, *stages])


def draw_chart(all_series: Sequence[Series], env: dict[str, str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tool = [s for s in all_series if s.kind == "tool" and s.runs]
    naive = [s for s in all_series if s.kind == "naive" and s.runs]
    floor = next((s for s in all_series if s.kind == "floor" and s.runs), None)
    sample = next((s for s in all_series if s.kind == "sample" and s.runs), None)
    check = next((s for s in all_series if s.kind == "check" and s.runs), None)
    figure, (times, memory, split) = plt.subplots(1, 3, figsize=(16, 5))

    def line(axis, series, value, label, style):
        xs = [s.agencies for s in series]
        axis.plot(xs, [value(s) for s in series], style, label=label)

    for axis, value, unit in (
        (times, lambda s: s.median, "giây (trung vị)"),
        (memory, lambda s: s.rss_mib, "RSS đỉnh (MiB)"),
    ):
        line(axis, tool, value, "chương trình (xep-hang-cntt)", "o-")
        line(axis, naive, value, "cách làm thông thường (python-docx add_row)", "s--")
        if floor:
            axis.axhline(value(floor), color="grey", linestyle=":", label=LABELS["floor"])
        if sample:
            axis.plot(
                [sample.agencies], [value(sample)], "k*", markersize=12, label=LABELS["sample"]
            )
        if check:
            axis.plot([check.agencies], [value(check)], "kv", markersize=8, label=LABELS["check"])
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("số đơn vị (N)")
        axis.set_ylabel(unit)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    if tool:
        for axis in (times,):
            lows = [s.median - s.low for s in tool]
            highs = [s.high - s.median for s in tool]
            axis.errorbar(
                [s.agencies for s in tool], [s.median for s in tool], yerr=[lows, highs], fmt="none"
            )
        bottom = [0.0] * len(tool)
        labels = [f"{s.agencies:,}" for s in tool]
        for stage in STAGES:
            values = [s.stage(stage) or 0.0 for s in tool]
            split.bar(labels, values, bottom=bottom, label=stage)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        split.set_xlabel("số đơn vị (N)")
        split.set_ylabel("giây (trung vị từng công đoạn)")
        split.legend(fontsize=8)
    figure.suptitle(
        f"Đo hiệu năng {env['date']}: {env['cores']} lõi, Python {env['python']}, {env['os']}",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def verdict(ok: bool) -> str:
    return "ĐẠT" if ok else "KHÔNG ĐẠT"


def report_targets(all_series: Sequence[Series]) -> None:
    def find(kind: str, agencies: int | None = None) -> Series | None:
        for s in all_series:
            if s.kind == kind and (agencies is None or s.agencies == agencies) and s.runs:
                return s
        return None

    print("\nMục tiêu (trung vị):")
    floor, sample, check = find("floor"), find("sample"), find("check")
    if floor and sample:
        ratio = sample.median / floor.median
        print(
            f"  run bảng mẫu 32 đơn vị / chỉ nạp thư viện dựng văn bản = {sample.median:.3f} / "
            f"{floor.median:.3f} = {ratio:.2f}× (≤ {TARGET_SAMPLE_RATIO}×): "
            f"{verdict(ratio <= TARGET_SAMPLE_RATIO)}"
        )
    if floor and check:
        print(
            f"  check bảng mẫu / chỉ nạp thư viện dựng văn bản = {check.median:.3f} / "
            f"{floor.median:.3f} = {check.median / floor.median:.2f}× (không có mục tiêu)"
        )
    for s in all_series:
        if s.kind != "tool" or not s.runs:
            continue
        naive = find("naive", s.agencies)
        if naive:
            print(
                f"  N={s.agencies:,}: cách làm thông thường / chương trình = "
                f"{naive.median:.3f} / {s.median:.3f} = {naive.median / s.median:.1f}×"
            )
    big, small = find("tool", 10_000), find("tool", 1_000)
    if big:
        print(
            f"  N=10,000: {big.median:.3f} s (≤ {TARGET_10K_SECONDS} s): "
            f"{verdict(big.median <= TARGET_10K_SECONDS)}; {big.rss_mib:.0f} MiB "
            f"(≤ {TARGET_10K_MIB} MiB): {verdict(big.rss_mib <= TARGET_10K_MIB)}"
        )
        naive = find("naive", 10_000)
        if naive:
            ratio = naive.median / big.median
            print(
                f"  N=10,000 nhanh hơn cách làm thông thường {ratio:.1f}× "
                f"(≥ {TARGET_NAIVE_RATIO}×): {verdict(ratio >= TARGET_NAIVE_RATIO)}"
            )
    if big and small:
        growth = big.median / small.median
        print(
            f"  tăng tuyến tính: thời gian N=10,000 / N=1,000 = {growth:.1f}× "
            f"(≤ {TARGET_GROWTH}×): {verdict(growth <= TARGET_GROWTH)}"
        )


def parse_sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="numbers of agencies, comma-separated (default: 32,1000,10000)",
    )
    parser.add_argument("--large", action="store_true", help=f"add N={LARGE_SIZE:,}")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (default 5)")
    parser.add_argument(
        "--naive-runs", type=int, default=3, help="runs of the naive baseline per size (max)"
    )
    parser.add_argument(
        "--naive-cap",
        type=float,
        default=600.0,
        help="seconds after which a naive run is stopped (default 600)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--rules", type=Path, default=BENCHMARK_RULES)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout whose tool is measured (default: this one), e.g. a git worktree",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sample, sample_rules = (root / path.relative_to(ROOT) for path in (SAMPLE, SAMPLE_RULES))
    sizes = sorted(set(args.sizes) | ({LARGE_SIZE} if args.large else set()))
    args.out.mkdir(parents=True, exist_ok=True)
    workbooks = args.out / "workbooks"
    workbooks.mkdir(exist_ok=True)
    env = environment()
    child_environment(args.out / "pycache", root)
    print(
        f"Đo hiệu năng {env['date']}: {env['cores']} lõi ({env['cpu']}), "
        f"Python {env['python']}, {env['os']}\n  {env['packages']}",
        flush=True,
    )
    if root != ROOT:
        print(f"  chương trình đo: {root} (commit {commit_of(root)})")

    modules = third_party_imports(sample, sample_rules)
    packages = sorted({m.split(".")[0] for m in modules})
    print(f"  `run` nạp các thư viện ngoài: {', '.join(packages)}")
    stray = [m for m in NOT_ON_RUN_PATH if m in packages]
    lazy = {
        "--help": loaded_by("--help") & set(RENDERING_ONLY),
        "check": loaded_by("check", str(sample)) & set(RENDERING_ONLY),
    }
    for command, loaded in lazy.items():
        print(
            f"  `{command}` nạp: {', '.join(sorted(loaded)) or 'không thư viện dựng văn bản nào'}"
        )
    if stray:
        print(f"  CẢNH BÁO: `run` nạp {', '.join(stray)}, thư viện chỉ lệnh khác cần.")

    all_series: list[Series] = []
    with tempfile.TemporaryDirectory(prefix="benchmark-") as scratch_name:
        scratch = Path(scratch_name)
        # The floor and the sample's run and check take turns, so that whatever else the
        # machine does weighs on them alike; the first round of each is a warm-up.
        print(
            f"chỉ nạp thư viện dựng văn bản, run và check bảng mẫu 32 đơn vị, {args.runs} lần "
            "xen kẽ…",
            flush=True,
        )
        floor = Series("floor", 0, 0)
        criteria_sample = criteria_count(sample_rules)
        sample_run = Series("sample", 32, criteria_sample)
        sample_check = Series("check", 32, criteria_sample)
        measure(floor_command())
        measure(tool_command(sample, sample_rules, scratch))
        measure(check_command(sample, sample_rules))
        for _ in range(args.runs):
            floor.runs.append(measure(floor_command())[0])
            run_tool(sample_run, sample, sample_rules, scratch)
            run_check(sample_check, sample, sample_rules)
        all_series += [floor, sample_run, sample_check]

        criteria = criteria_count(args.rules)
        for n in sizes:
            workbook = workbook_for(n, args.rules, args.seed, workbooks)
            runs = args.runs if n < LARGE_SIZE else min(args.runs, 3)
            print(f"chương trình, N={n:,}, {criteria} tiêu chí, {runs} lần…", flush=True)
            tool = Series("tool", n, criteria)
            measure(tool_command(workbook, args.rules, scratch))  # warm-up, not counted
            for _ in range(runs):
                run_tool(tool, workbook, args.rules, scratch)
            all_series.append(tool)
            if not args.no_naive:
                naive_runs = args.naive_runs if n < LARGE_SIZE else 1
                print(f"cách làm thông thường, N={n:,}, {naive_runs} lần…", flush=True)
                naive = Series("naive", n, criteria)
                all_series.append(
                    run_naive(naive, workbook, args.rules, naive_runs, args.naive_cap, scratch)
                )

    parent_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print_table(all_series)
    print(f"(RSS của chính tiến trình đo: {parent_mib:.0f} MiB; RSS của tiến trình con không thể")
    print(" nhỏ hơn số này, xem docstring.)")
    report_targets(all_series)
    write_csv(all_series, env, args.out)
    written = [args.out / "results.csv", args.out / "runs.csv"]
    if not args.no_chart:
        draw_chart(all_series, env, args.out / "benchmark.png")
        written.append(args.out / "benchmark.png")
    print("\nĐã ghi: " + ", ".join(shown_path(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
