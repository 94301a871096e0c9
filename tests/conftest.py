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


REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference"


@pytest.fixture
def reference_dir() -> Path:
    """The public reference files in ``tests/fixtures/reference`` (``CASEBOOK_REFERENCE``
    overrides); a missing folder fails, it never skips."""
    folder = Path(os.environ.get("CASEBOOK_REFERENCE", REFERENCE))
    if not folder.is_dir():
        pytest.fail(f"reference files not found at {folder} (set CASEBOOK_REFERENCE)")
    return folder
