"""Issue 24, finding 10: closing the app at any moment, loading included, exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import casebook

SOURCE = str(Path(casebook.__file__).parents[1])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with a case, so the window builds a case's tabs as soon as the store opens."""
    from casebook.book import Casebook

    path = tmp_path_factory.mktemp("quit") / "cases.db"
    book = Casebook.open(path, create=True, user="tester")
    book.create_case(title="Quit early", ref="CB-Q")
    book.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize("after_ms", [0, 10, 50, 300])
def test_closing_the_window_early_exits_without_an_error(store, tmp_path, after_ms):
    env = os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        "CASEBOOK_QUIT_AFTER_MS": str(after_ms),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": SOURCE,
    }
    run = subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(store)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
