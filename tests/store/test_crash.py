"""Crash harness: a large import in a child process is SIGKILLed at random moments, 20 times.

After every kill the store must pass SQLite's integrity_check, hold no partial dataset (every
dataset has exactly the rows it recorded), and keep the earlier data intact (the first
dataset's content hash, the evidence blob, the audit chain: ``verify`` is clean).
Bounded: a 100k-row file; kills spread over one measured import time (about a minute here).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from casebook.book import Casebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]

RUNS = 20
ROWS = 100_000
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
INNS = ["7707083893", "7736050003", "7702070139", "7728168971", "7710140679"]


def write_rows(path, rows: int, *, seed: int, prefix: str) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for i in range(rows):
            d = 1 + i % 28
            f.write(
                f"{prefix}/{d:02d}0122/{i:07d};{d:02d}.01.2022;1;SHANDONG CO {i % 40} LTD;"
                f"ООО Фирма {i % 5};{INNS[i % 5]};КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК {i};"
                f"{rnd.randint(100, 999999)},{i % 100:02d}\n"
            )


def store_state(db) -> dict:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        datasets = conn.execute(
            "SELECT d.uid, d.row_count, d.content_hash, "
            "(SELECT count(*) FROM shipment s WHERE s.dataset_id = d.id) FROM dataset d"
        ).fetchall()
    return {uid: (recorded, stored, content) for uid, recorded, content, stored in datasets}


def test_sigkill_during_import_never_leaves_a_partial_dataset(tmp_path):
    db = tmp_path / "crash.db"
    earlier_csv, big_csv = tmp_path / "earlier.csv", tmp_path / "big.csv"
    write_rows(earlier_csv, 500, seed=1, prefix="10000001")
    write_rows(big_csv, ROWS, seed=2, prefix="10702070")
    doc = tmp_path / "doc.txt"
    doc.write_text("registry extract", encoding="utf-8")
    with Casebook.open(db, user="tester", create=True) as book:
        book.create_case(title="Crash", ref="CB-CRASH")
        first = book.import_file(earlier_csv, case_ref="CB-CRASH")["dataset_uid"]
        blob = book.add_evidence(doc, case_ref="CB-CRASH").evidence.sha256
        head_before = book.head_hash()
    earlier = store_state(db)[first]

    env = dict(os.environ, CASEBOOK_BUSY_TIMEOUT="30")

    def start(path):
        return subprocess.Popen(
            [sys.executable, "-m", "casebook", "--db", str(path), "--user", "child",
             "import", str(big_csv), "--case", "CB-CRASH", "--force", "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )  # fmt: skip

    # How long a whole import takes here (on a scratch copy), so kills span all of it:
    # start-up, reading, cleaning, the write transaction and its commit.
    scratch = tmp_path / "scratch.db"
    shutil.copy(db, scratch)
    began = time.monotonic()
    assert start(scratch).wait() == 0
    duration = time.monotonic() - began

    rnd = random.Random(11)
    outcomes = []
    while outcomes.count("killed") < RUNS and len(outcomes) < 2 * RUNS:
        run = len(outcomes)
        child = start(db)
        began = time.monotonic()
        time.sleep(rnd.uniform(0.2, min(duration * 0.9, 5.0)))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            outcomes.append("killed")
        else:  # it finished first: a whole dataset, also fine; aim earlier next time
            outcomes.append(f"finished ({child.returncode})")
            duration = min(duration, time.monotonic() - began)
        child.wait()

        state = store_state(db)
        assert state[first] == earlier, f"run {run}: the earlier dataset changed"
        for uid, (recorded, stored, _) in state.items():
            assert recorded == stored, f"run {run}: dataset {uid} has {stored}/{recorded} rows"
        with Casebook.open(db) as book:
            report = book.verify()
            assert report["ok"], (run, report["problems"])
            assert book.vault.has(blob)
            with book.store.read() as session:
                from sqlmodel import select

                from casebook.store import models as m

                events = list(session.exec(select(m.AuditEvent.hash).order_by(m.AuditEvent.id)))
            assert head_before in events
    killed = outcomes.count("killed")
    print(f"crash harness: import ~{duration:.1f} s; {killed} kills in {len(outcomes)} runs")
    assert killed == RUNS, outcomes
