"""Two processes writing one store: the second waits, then succeeds or exits 3 "store busy";
the store is never corrupted and the audit chain never forks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from casebook.book import Casebook

HOLDER = """
import sys
from casebook.book import Casebook
book = Casebook.open(sys.argv[1], user="holder")
with book._write() as session:
    book._audit(session, "test.hold", "case")
    print("locked", flush=True)
    sys.stdin.readline()  # hold the write lock until the test says so
book.close()
"""


def cli(db, *args, timeout_s: float = 10.0) -> subprocess.CompletedProcess:
    env = dict(os.environ, CASEBOOK_BUSY_TIMEOUT=str(timeout_s))
    return subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(db), "--user", "second", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def hold_lock(db) -> subprocess.Popen:
    """A child process that holds the write transaction until ``release(child)``."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "locked"
    return child


def release(child: subprocess.Popen) -> int:
    child.stdin.write("\n")
    child.stdin.flush()
    return child.wait(timeout=60)


@pytest.fixture
def store(tmp_path):
    db = tmp_path / "shared.db"
    with Casebook.open(db, user="tester", create=True) as book:
        book.create_case(title="First", ref="CB-1")
    return db


def check_store(db) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Casebook.open(db) as book:
        report = book.verify()
    assert report["ok"], report["problems"]


def test_second_writer_waits_then_succeeds(store):
    holder = hold_lock(store)
    env = dict(os.environ, CASEBOOK_BUSY_TIMEOUT="60")
    second = subprocess.Popen(
        [sys.executable, "-m", "casebook", "--db", str(store), "case", "new", "Second",
         "--ref", "CB-2", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    time.sleep(2.0)
    assert second.poll() is None  # still waiting for the lock
    assert release(holder) == 0
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert '"ref": "CB-2"' in out
    check_store(store)


def test_second_writer_gives_up_with_exit_3_store_busy(store):
    holder = hold_lock(store)
    result = cli(store, "case", "new", "Second", "--ref", "CB-2", "--json", timeout_s=1)
    assert release(holder) == 0
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert "store busy" in result.stderr
    check_store(store)
    with Casebook.open(store) as book:
        assert [c.ref for c in _cases(book)] == ["CB-1"]


@pytest.mark.slow
def test_many_writers_at_once_never_corrupt_or_fork_the_chain(store):
    env = dict(os.environ, CASEBOOK_BUSY_TIMEOUT="30")
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "casebook",
                "--db",
                str(store),
                "--user",
                f"w{i}",
                "case",
                "new",
                f"Parallel {i}",
                "--ref",
                f"CB-P{i}",
                "--json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for i in range(4)
    ]
    codes = [c.wait(timeout=120) for c in children]
    assert set(codes) <= {0, 3}, [c.stderr.read() for c in children]
    check_store(store)
    with Casebook.open(store) as book:
        refs = {c.ref for c in _cases(book)}
    assert refs == {"CB-1"} | {f"CB-P{i}" for i, code in enumerate(codes) if code == 0}


def _cases(book):
    from sqlmodel import select

    from casebook.store import models as m

    with book.store.read() as session:
        return list(session.exec(select(m.Case).order_by(m.Case.id)))
