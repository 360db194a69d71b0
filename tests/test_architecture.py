"""The package's shape, checked: the core stays pure and no module grows past a readable size.

The core (processor/core) is the part tested without files; it stays that way only if nothing
under it can reach a file, the network, a process, the clock or the console. Every import
statement is read from the source with `ast`, wherever it sits (top level, inside a function,
under `if TYPE_CHECKING`, in a try block), and so are `importlib.import_module("…")` and
`__import__("…")` calls, so a lazy import cannot slip past.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "processor"
CORE = PACKAGE / "core"
CORE_PACKAGE = "processor.core"

# What the pure core must never import: anything that touches a file, the network, a process or
# thread, the clock, the console, a compressed or archived file, XML, Word or Excel. A name
# covers its submodules too ("xml" forbids "xml.etree.ElementTree"). Any processor.* module
# outside processor.core is forbidden as well (see `forbidden`): the core depends on nothing
# else in the package.
FORBIDDEN_IN_CORE = frozenset(
    {
        # files and the operating system
        "os",
        "io",
        "sys",
        "pathlib",
        "shutil",
        "tempfile",
        "glob",
        "fileinput",
        "linecache",
        "mmap",
        "ctypes",
        "platform",
        "posix",
        "nt",
        "winreg",
        "msvcrt",
        "fcntl",
        "pkgutil",
        "importlib.resources",
        "importlib.metadata",
        # stored data and configuration files
        "sqlite3",
        "shelve",
        "dbm",
        "tomllib",
        # compressed and archived files
        "zipfile",
        "zipimport",
        "zlib",
        "gzip",
        "bz2",
        "lzma",
        "tarfile",
        # XML (the inside of .xlsx and .docx files)
        "xml",
        "xmlrpc",
        "lxml",
        "defusedxml",
        "html.parser",
        # network and mail
        "smtplib",
        "smtpd",
        "aiosmtpd",
        "ftplib",
        "imaplib",
        "poplib",
        "socket",
        "ssl",
        "select",
        "selectors",
        "email",
        "http",
        "urllib",
        "webbrowser",
        # processes, threads, signals
        "subprocess",
        "threading",
        "multiprocessing",
        "concurrent",
        "asyncio",
        "signal",
        # the clock
        "time",
        "sched",
        # the console and logs
        "logging",
        "getpass",
        "readline",
        "curses",
        "termios",
        "tty",
        "pty",
        # Word, Excel, templates, folder watching
        "openpyxl",
        "msoffcrypto",
        "docx",
        "docxtpl",
        "jinja2",
        "watchdog",
    }
)

# Calls that import a module by name; their first argument is checked like an import statement.
DYNAMIC_IMPORTS = frozenset({"__import__", "import_module"})

MAX_LINES = 400


def module_name(path: Path) -> str:
    """processor/core/validation/values.py -> processor.core.validation.values."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of `from <dots><module> import …` written in `importer`."""
    if level == 0:
        return module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


def _dynamic_name(call: ast.Call) -> str | None:
    """The module an import call names; "" when it is not a literal (it cannot be checked)."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name not in DYNAMIC_IMPORTS:
        return None
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return ""


def imports_of(source: str, importer: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import anywhere in the source, relative ones made absolute.

    `from a import b` yields both `a` and `a.b`, since b may be a submodule; a dynamic import
    whose name is not a literal yields "<dynamic>".
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, importer, is_package)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and (name := _dynamic_name(node)) is not None:
            if name.startswith("."):
                name = _absolute(
                    name.lstrip("."), len(name) - len(name.lstrip(".")), importer, is_package
                )
            found.append((node.lineno, name or "<dynamic>"))
    return found


def forbidden(module: str) -> bool:
    """True for a module the core must not import."""
    if module == "<dynamic>":
        return True
    if module == "processor" or module.startswith("processor."):
        return not (module == CORE_PACKAGE or module.startswith(CORE_PACKAGE + "."))
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN_IN_CORE)


def violations(source: str, importer: str, label: str, is_package: bool = False) -> list[str]:
    """`label:line imports module` for each forbidden import, each place once."""
    seen: dict[str, None] = {}
    for line, module in imports_of(source, importer, is_package):
        if forbidden(module):
            seen.setdefault(f"{label}:{line} imports {module}", None)
    return list(seen)


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_the_core_imports_no_file_network_process_clock_or_console_library():
    found: list[str] = []
    for path in core_files():
        found += violations(
            path.read_text(encoding="utf-8"),
            module_name(path),
            str(path.relative_to(ROOT)),
            is_package=path.name == "__init__.py",
        )
    assert not found, "The pure core imports what it must not:\n" + "\n".join(found)


def test_the_purity_check_reads_enough_of_the_core():
    files = core_files()
    assert len(files) > 8, [str(p) for p in files]
    assert CORE / "validation" / "__init__.py" in files


LAZY = '''
"""Looks pure at the top."""
from decimal import Decimal


def later(name):
    import zipfile

    return zipfile.ZipFile(name)
'''


def test_the_purity_check_catches_a_lazy_import_inside_a_function():
    found = violations(LAZY, "processor.core.sneaky", "sneaky.py")
    assert found == ["sneaky.py:7 imports zipfile"]


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\n", "os"),
        ("try:\n    import lxml.etree\nexcept ImportError:\n    pass\n", "lxml.etree"),
        ("from os import path\n", "os"),
        ("import xml.etree.ElementTree as ET\n", "xml.etree.ElementTree"),
        ("from datetime import date\nimport time as clock\n", "time"),
        ("import importlib\nimportlib.import_module('openpyxl')\n", "openpyxl"),
        ("from importlib import import_module\nimport_module('docx')\n", "docx"),
        ("__import__('subprocess')\n", "subprocess"),
        ("import importlib\nimportlib.import_module(name)\n", "<dynamic>"),
        ("from importlib import resources\n", "importlib.resources"),
        ("from processor.reading import workbook\n", "processor.reading"),
        ("from processor import writing\n", "processor.writing"),
        ("from ...config.settings import Settings\n", "processor.config.settings"),
        ("from ... import pipeline\n", "processor.pipeline"),
        ("from html.parser import HTMLParser\n", "html.parser"),
    ],
)
def test_the_purity_check_catches_each_way_of_importing(source, module):
    found = violations(source, "processor.core.validation.values", "values.py")
    assert any(line.endswith(f" imports {module}") for line in found), found


@pytest.mark.parametrize(
    "source",
    [
        "from decimal import Decimal\nimport unicodedata, re, json\n",
        "from processor.core.model import Rules\nfrom processor.core import formatting\n",
        "from .values import blank\nfrom ..sheet import Sheet\n",
        "import timeline\nimport osmosis\nimport html\n",  # names that only start like one
        "from datetime import date, datetime\n",
    ],
)
def test_the_purity_check_lets_pure_imports_through(source):
    assert violations(source, "processor.core.validation.values", "values.py") == []


# Built-ins and methods that reach a file, the console or the clock without any import.
BUILTIN_IO = frozenset({"open", "print", "input", "breakpoint", "exec", "eval"})
CLOCK_METHODS = frozenset({"today", "now", "utcnow", "fromtimestamp", "utcfromtimestamp"})


def io_calls(source: str, label: str) -> list[str]:
    """`label:line calls name` for each built-in I/O call or clock reading in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in BUILTIN_IO:
            found.append(f"{label}:{node.lineno} calls {func.id}()")
        elif isinstance(func, ast.Attribute) and func.attr in CLOCK_METHODS:
            found.append(f"{label}:{node.lineno} calls .{func.attr}()")
    return found


def test_the_core_calls_no_builtin_io_and_reads_no_clock():
    found: list[str] = []
    for path in core_files():
        found += io_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "The pure core reaches a file, the console or the clock:\n" + "\n".join(found)


def test_the_io_call_check_catches_print_open_and_today():
    source = "def f(p):\n    print(open(p).read())\n    return date.today()\n"
    assert sorted(io_calls(source, "x.py")) == [
        "x.py:2 calls open()",
        "x.py:2 calls print()",
        "x.py:3 calls .today()",
    ]


def test_no_module_is_over_the_line_limit():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 8
    too_long = []
    for path in files:
        with path.open(encoding="utf-8") as text:
            lines = sum(1 for _ in text)
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not too_long, f"Modules over {MAX_LINES} lines; split them:\n" + "\n".join(too_long)
