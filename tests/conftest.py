"""Shared fixtures: a fresh store, and a way to run the command line in-process."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A store path that does not exist yet."""
    return tmp_path / "cases.db"


@pytest.fixture
def book(db_path):
    """An open, empty store."""
    from casebook.book import Casebook

    with Casebook.open(db_path, user="tester", create=True) as opened:
        yield opened


@pytest.fixture
def run_cli(db_path):
    """Run ``casebook --db <db_path> ARGS…`` in-process; returns code, stdout, stderr."""
    from casebook.__main__ import main

    def run(*args: str, db: Path | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--db", str(db or db_path), "--user", "tester", *args]
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def reference_dir() -> Path:
    """The shared reference files (``CASEBOOK_REFERENCE`` overrides); fails in CI when missing."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
    folder = Path(os.environ.get("CASEBOOK_REFERENCE", default))
    if not folder.is_dir():
        message = f"reference files not found at {folder} (set CASEBOOK_REFERENCE)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder
