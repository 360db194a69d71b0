"""mypy --strict is part of the test suite, so the types are checked, not only written."""

import subprocess
import sys

from conftest import ROOT


def test_mypy_strict_over_the_package():
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"],  # files and strictness: pyproject
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
