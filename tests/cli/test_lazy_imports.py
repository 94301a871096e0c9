"""An instant command line: ``--version`` and ``--help`` import nothing heavy, and a command
imports only what it uses (issue #18). Checked in a fresh interpreter by what is in
``sys.modules`` afterwards, not by timing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from casebook import __version__

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


def _run(*argv: str) -> tuple[int, str, set[str]]:
    """Run ``python -m casebook ARGV`` in a fresh interpreter: exit code, stdout and the
    top-level packages imported by then."""
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(argv)], capture_output=True, text=True
    )
    marker = done.stderr.rpartition("MODULES ")[2]
    assert marker.strip(), done.stderr
    code, modules = json.loads(marker)
    return code, done.stdout, {name.partition(".")[0] for name in modules}


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
