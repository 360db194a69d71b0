"""A history write killed midway (SIGKILL) leaves a database that opens, with every year whole.

A child process records a large run (10 000 agencies, 30 criteria: about 300 000 score rows, so
the write takes a noticeable time) into a history that already holds 2019 and 2020, and is
killed: at each named point inside the transaction (the test-only pause hook of
processor/history/tables.py), and at random moments. Afterwards the file passes
`PRAGMA integrity_check`, the earlier years read back exactly, and the year being written is
either absent (or still the old run, for a replacement) or complete, never a mix.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from processor.history.records import AgencyYear, RunRecord
from processor.history.store import open_history
from processor.history.tables import PAUSE_ENV, PAUSE_POINTS

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is a POSIX signal")

ROOT = Path(__file__).resolve().parent.parent
BIG = 10_000
CRITERIA = tuple(f"TC{i // 5 + 1}.{i % 5 + 1}" for i in range(30))
GROUPS = ("I", "II", "III")
PROFILE = "tinh-thu"

CHILD = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_history_crash import big_run
from processor.history.store import open_history

run = big_run(int(sys.argv[2]), BIG, variant=int(sys.argv[3]))
with open_history(Path(sys.argv[1])) as history:
    print("RECORDING", file=sys.stderr, flush=True)
    replaced = history.record(run)
print("DONE", replaced, flush=True)
"""


@functools.lru_cache(maxsize=8)
def big_run(year: int, agencies: int, variant: int = 0) -> RunRecord:
    """A deterministic run of `agencies` agencies; `variant` changes every score."""
    rows = []
    for i in range(agencies):
        group = GROUPS[i % 3]
        scores = {
            code: Decimal(((i * 7 + j * 13 + variant * 5) % 300) + 1).scaleb(-2)
            for j, code in enumerate(CRITERIA)
        }
        total = sum(scores.values(), Decimal(0))
        rows.append(
            AgencyYear(
                name=f"Đơn vị số {i + 1}",
                group=group,
                ranked=i % 97 != 0,
                rank=None if i % 97 == 0 else i // 3 + 1,
                unranked_reason="Đặc thù" if i % 97 == 0 else None,
                total=total,
                rounded_total=total,
                percent=(total / 90 * 100).quantize(Decimal("0.01")),
                grade=("Tốt", "Khá", "Trung bình")[i % 3],
                max_points=Decimal(90),
                prior_rank=i // 3 + 2 if i % 20 else None,
                rank_change=1 if i % 20 else None,
                scores=scores,
                pillars={"CS1": total},
            )
        )
    return RunRecord(
        year=year,
        profile=PROFILE,
        input_sha256=f"{year:04d}{variant:02d}".ljust(64, "0"),
        rules_sha256="b" * 64,
        tool_version="0.1.0",
        recorded_at=f"{year + 1}-01-08T08:00:{variant:02d}+07:00",
        agencies=tuple(rows),
        maxima={code: dict.fromkeys(GROUPS, Decimal(3)) for code in CRITERIA},
        group_max=dict.fromkeys(GROUPS, Decimal(90)),
        group_titles={code: f"Nhóm {code}" for code in GROUPS},
        criterion_names={code: f"Tiêu chí {code}" for code in CRITERIA},
        pillar_names={"CS1": "Chỉ số chính 1"},
    )


# The years already in the file before each kill: small, so setting them up is quick.
EARLIER = {2019: big_run(2019, 300), 2020: big_run(2020, 300)}


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "lich-su.sqlite"
    with open_history(path) as store:
        for run in EARLIER.values():
            store.record(run)
    return path


def start(path: Path, year: int, variant: int, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_ENV: pause or ""}
    script = CHILD.replace("BIG", str(BIG)).format(tests=str(ROOT / "tests"))
    return subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(year), str(variant)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def wait_for(child: subprocess.Popen[str], word: str, timeout: float = 120.0) -> None:
    assert child.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = child.stderr.readline()
        if word in line:
            return
        if not line and child.poll() is not None:
            raise AssertionError(f"the child ended before {word!r}: {child.stderr.read()}")
    raise AssertionError(f"no {word!r} within {timeout} s")


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def assert_whole(path: Path, year: int, new: RunRecord, old: RunRecord | None) -> str:
    """The file opens and checks; earlier years intact; `year` absent/old or complete."""
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        plain.close()
    with open_history(path, create=False) as store:
        for earlier, run in EARLIER.items():
            if earlier != year:
                assert store.run(PROFILE, earlier) == run
        found = store.run(PROFILE, year)
        audit = store.audit()
    if found is None:
        assert old is None and not [a for a in audit if a.year == year]
        return "absent"
    if found == new:
        return "complete"
    assert found == old, "the year holds neither the old nor the new run"
    return "old"


@pytest.mark.parametrize("point", sorted(PAUSE_POINTS))
@pytest.mark.parametrize("year", [2021, 2020], ids=["new-year", "replacing"])
def test_a_write_killed_at_each_point_leaves_the_years_whole(history, point, year):
    child = start(history, year, variant=1, pause=point)
    wait_for(child, f"PAUSE {point}")
    kill(child)
    with open_history(history, create=False) as store:
        assert store.audit() == []  # the audit row of a replacement went with it
    old = EARLIER.get(year)
    assert assert_whole(history, year, big_run(year, BIG, 1), old) == (
        "absent" if old is None else "old"
    )
    with open_history(history) as store:  # and the file takes the write afterwards
        assert store.record(big_run(year, 50, 2)) is (old is not None)


def test_writes_killed_at_random_moments_leave_the_years_whole(history):
    started = time.monotonic()
    first = start(history, 2021, 1)
    assert first.wait(timeout=300) == 0
    kill(first)  # already ended: only closes its pipes
    took = time.monotonic() - started  # start-up and the whole write
    assert assert_whole(history, 2021, big_run(2021, BIG, 1), None) == "complete"
    committed = [1]
    chance = random.Random(14)
    for variant in range(2, 7):  # replace 2021 again and again, killed at random moments
        child = start(history, 2021, variant)
        wait_for(child, "RECORDING")
        time.sleep(chance.uniform(0.0, took))
        kill(child)
        outcome = assert_whole(
            history, 2021, big_run(2021, BIG, variant), big_run(2021, BIG, committed[-1])
        )
        if outcome == "complete":
            committed.append(variant)
        with open_history(history, create=False) as store:
            assert len(store.audit()) == len(committed) - 1
