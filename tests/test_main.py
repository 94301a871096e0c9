"""``casebook`` alone or ``casebook gui [FILE]`` opens the GUI; anything else is the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from casebook.__main__ import gui_request


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"db": None, "user": None, "file": None}),
        (["--db", "x.db"], {"db": "x.db", "user": None, "file": None}),
        (["--db=x.db", "--user", "ann", "gui"], {"db": "x.db", "user": "ann", "file": None}),
        (["gui", "case.casebook"], {"db": None, "user": None, "file": "case.casebook"}),
    ],
)
def test_gui_is_recognised(argv, expected):
    assert gui_request(argv) == expected


@pytest.mark.parametrize(
    "argv", [["case", "list"], ["--version"], ["--help"], ["--db", "x.db", "verify"], ["--db"]]
)
def test_commands_go_to_the_cli(argv):
    assert gui_request(argv) is None


def test_gui_start_does_not_import_the_store_before_the_window():
    probe = (
        "import sys\n"
        "import casebook.ui.app as app\n"
        "app.run_gui = lambda **kw: print('STORE', 'sqlalchemy' in sys.modules) or 0\n"
        "from casebook.__main__ import main\n"
        "main([])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "STORE False" in out.stdout, out.stderr
