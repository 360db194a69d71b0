"""Loading a province's rules file: the file is read here, the rules are checked in the core."""

from __future__ import annotations

from pathlib import Path

from processor.config.toml_files import read_toml
from processor.core.model import Rules
from processor.core.rules import parse_rules


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; raise InputError listing every problem in it."""
    return parse_rules(read_toml(path, "tệp quy tắc"), path.name)
