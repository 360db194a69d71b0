"""The README's map of the package is the package: its folders, and what each may import.

The map (README, "Phát triển") gives one entry per folder of processor/ with "| nạp: …", the
parts of the project and the third-party libraries that folder's modules may import. This test
reads every import statement of every module (lazy ones too) and fails on an arrow the map does
not allow, and on a folder that is in the tree but not on the map, or the other way round.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "processor"
# The words of a "nạp:" list, and the import names they stand for.
PROJECT_PARTS = (
    "core",
    "reading",
    "writing",
    "config",
    "history",
    "reporting",
    "unattended",
    "pipeline",
    "cli",
)
LIBRARIES = {
    "python-docx": "docx",
    "docxtpl": "docxtpl",
    "jinja2": "jinja2",
    "lxml": "lxml",
    "watchdog": "watchdog",
    "openpyxl": "openpyxl",
    "numpy": "numpy",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
}
EVERYTHING = "mọi thư mục"


def readme_map() -> dict[str, str]:
    """Folder ("processor/core/") -> the text of its "nạp:" list."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("Bản đồ gói `processor/`")
    block = re.search(r"```text\n(.*?)```", readme[start:], re.S)
    assert block, "the README's package map has no ```text block"
    entries: dict[str, list[str]] = {}
    current = None
    for line in block.group(1).splitlines():
        stripped = line.strip()
        if stripped.startswith("processor/"):
            current = stripped.split()[0]
            entries[current] = [stripped[len(current) :]]
        elif current and stripped:
            entries[current].append(stripped)
    found = {}
    for folder, lines in entries.items():
        text = " ".join(lines)
        assert "| nạp:" in text, f"{folder}: the map does not say what it may import"
        found[folder] = text.split("| nạp:", 1)[1]
    return found


def allowed(folder: str, imports: str) -> tuple[set[str], set[str]] | None:
    """The project parts and libraries a folder may import; None for "everything"."""
    if EVERYTHING in imports:
        return None
    words = set(re.findall(r"[\w-]+", imports))
    parts = {part for part in PROJECT_PARTS if part in words}
    parts.add(folder.split("/")[1])  # a folder may import its own part of the package
    libraries = {name for word, name in LIBRARIES.items() if word in words}
    return parts, libraries


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def folders_in_tree() -> set[str]:
    return {
        path.parent.relative_to(ROOT).as_posix() + "/"
        for path in PACKAGE.rglob("__init__.py")
        if "_bundled" not in path.parts
    }


def test_every_folder_is_on_the_map_and_every_entry_is_a_folder():
    on_map = set(readme_map())
    assert on_map == folders_in_tree(), (
        f"not on the map: {sorted(folders_in_tree() - on_map)}; "
        f"on the map, not in the tree: {sorted(on_map - folders_in_tree())}"
    )


@pytest.mark.parametrize("folder", sorted(folders_in_tree()))
def test_imports_follow_the_map(folder):
    rule = allowed(folder, readme_map()[folder])
    if rule is None:
        return
    parts, libraries = rule
    wrong = []
    for module in sorted((ROOT / folder).glob("*.py")):
        for line, name in imports_of(module):
            top, _, rest = name.partition(".")
            if top == "processor":
                part = rest.split(".")[0]
                if part not in parts:
                    wrong.append(f"{module.name}:{line} imports {name}")
            elif top in LIBRARIES.values() and top not in libraries:
                wrong.append(f"{module.name}:{line} imports {name}")
    assert not wrong, f"{folder} may import only {sorted(parts | libraries)}: {wrong}"


def test_the_map_check_sees_a_wrong_arrow():
    core = allowed("processor/core/", "chỉ core, không thư viện đọc ghi nào")
    assert core == ({"core"}, set())
    writing = allowed("processor/writing/", "core, python-docx, docxtpl")
    assert writing == ({"core", "writing"}, {"docx", "docxtpl"})
    assert allowed("processor/", "mọi thư mục dưới đây") is None
