"""An instant command line: ``--version`` and ``--help`` import nothing heavy, and a command
imports only what it uses (issue #18). Checked in a fresh interpreter by what is in
``sys.modules`` afterwards, not by timing."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from casebook import __version__
from casebook.cli import COMMAND_MODULES, build_parser

#: Libraries that cost a noticeable share of a second to import.
HEAVY = {
    "pandas",
    "numpy",
    "matplotlib",
    "reportlab",
    "rapidfuzz",
    "networkx",
    "openpyxl",
    "pypdf",
    "followthemoney",
    "PySide6",
}
#: The store's libraries: needed by every command that opens it, not by --version or --help.
STORE = {"sqlalchemy", "sqlmodel", "pydantic"}

_DRIVER = """
import json, runpy, sys
sys.argv = ["casebook", *json.loads(sys.argv[1])]
try:
    runpy.run_module("casebook", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nMODULES " + json.dumps([code, sorted(sys.modules)]) + "\\n")
"""


def _run(*argv: str, modules: bool = False) -> tuple[int, str, set[str]]:
    """Run ``python -m casebook ARGV`` in a fresh interpreter: exit code, stdout and the
    top-level packages imported by then (every module's full name with ``modules``)."""
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(argv)], capture_output=True, text=True
    )
    marker = done.stderr.rpartition("MODULES ")[2]
    assert marker.strip(), done.stderr
    code, names = json.loads(marker)
    return code, done.stdout, {name if modules else name.partition(".")[0] for name in names}


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],  # answered before the parser is built
        ["--user", "ann", "--version"],  # the parser's --version action
    ],
)
def test_version_imports_neither_the_store_nor_heavy_libraries(argv):
    code, out, packages = _run(*argv)
    assert (code, out) == (0, f"casebook {__version__}\n")
    assert packages & (HEAVY | STORE) == set()


@pytest.mark.parametrize("argv", [["--help"], ["case", "--help"], ["import", "--help"]])
def test_help_imports_neither_the_store_nor_heavy_libraries(argv):
    code, out, packages = _run(*argv)
    assert code == 0 and out.startswith("usage: casebook")
    assert packages & (HEAVY | STORE) == set()


@pytest.mark.parametrize("argv", [["case", "list"], ["case", "show", "CB-2026-001"], ["verify"]])
def test_reading_the_store_imports_no_heavy_library(tmp_path, argv):
    db = str(tmp_path / "cases.db")
    assert _run("--db", db, "case", "new", "Drones via Almaty", "--ref", "CB-2026-001")[0] == 0
    code, out, packages = _run("--db", db, *argv)
    assert code == 0 and out
    assert "sqlmodel" in packages  # it did open the store
    assert packages & HEAVY == set()
    assert "alembic" not in packages  # the schema is current: one query says so


def test_listing_cases_imports_only_the_case_list_section(tmp_path):
    db = str(tmp_path / "cases.db")
    assert _run("--db", db, "case", "new", "Drones via Almaty", "--ref", "CB-2026-001")[0] == 0
    code, out, modules = _run("--db", db, "case", "list", modules=True)
    assert code == 0 and "CB-2026-001" in out
    sections = {name for name in modules if name.startswith("casebook.book.")}
    assert sections == {"casebook.book._index", "casebook.book.case_list"}
    assert "casebook.store.models" not in modules  # read through the table, no ORM models
    commands = {name for name in modules if name.startswith("casebook.cli.")}
    assert commands == {"casebook.cli.cases", "casebook.cli.context", "casebook.cli.findings"}
    packages = {name.partition(".")[0] for name in modules}
    assert packages & (HEAVY | {"alembic"}) == set()
    for layer in ("ingest", "briefing", "analysis", "exchange"):
        assert not any(name.startswith(f"casebook.{layer}") for name in modules), layer


def _groups(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _helps(parser: argparse.ArgumentParser) -> list[str]:
    """The help of a parser and of every parser beneath it."""
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return [
        parser.format_help(),
        *(h for a in nested for p in a.choices.values() for h in _helps(p)),
    ]


def test_a_command_parses_alike_when_only_its_group_is_built():
    full = _groups(build_parser())
    listed = [command for _, commands in COMMAND_MODULES for command in commands]
    assert sorted(full) == sorted(["gui", *listed])  # the table names every command once
    for _, commands in COMMAND_MODULES:
        for command in commands:
            alone = _groups(build_parser(command))
            assert sorted(alone) == sorted(["gui", *commands])
            assert _helps(alone[command]) == _helps(full[command])
