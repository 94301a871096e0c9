"""``casebook`` alone or ``casebook gui [FILE]`` opens the GUI; anything else is the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from casebook.__main__ import gui_request, no_display


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
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # a display, for the start to go on
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert "STORE False" in out.stdout, out.stderr


@pytest.mark.parametrize("argv", [[], ["gui"], ["--db", "x.db", "gui"]])
def test_no_display_is_a_clear_message_not_a_qt_abort(argv, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    out = subprocess.run(
        [sys.executable, "-m", "casebook", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr == "error: no display: set DISPLAY or use the command line\n"
    assert out.stdout == ""


def test_a_display_or_a_headless_platform_is_enough():
    assert no_display({}, "linux")
    assert no_display({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not no_display({"DISPLAY": ":0"}, "linux")
    assert not no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not no_display({}, "win32")
