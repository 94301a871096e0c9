"""Acceptance (issue 17, concurrent editing): four processes import, edit the same findings and
add evidence on one case of a PostgreSQL store at once. The only error allowed is a clean
stale-version refusal; afterwards ``verify`` is ok and the audit chain is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import sql_on

from casebook.book import Casebook

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
ROUNDS = 6
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)

# One analyst's session, run as its own process: argv = URL, worker number, folder.
WORKER = r"""
import json, sys
from pathlib import Path
from casebook.book import Casebook
from casebook.core.errors import StaleVersion

url, n, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
done = {"imported": 0, "saved": 0, "stale": 0, "evidence": 0, "errors": []}
with Casebook.open(url) as book:
    for r in range(ROUNDS):
        try:
            if r == 0:
                done["imported"] = book.import_file(folder / f"dt{n}.csv", case_ref="CB-C-1")[
                    "rows_imported"]
            listed = book.list_findings(case_ref="CB-C-1", versions=True)
            target = listed[(n + r) % len(listed)]
            try:
                book.edit_finding(target["uid"], text=f"Worker {n} round {r}: likely a front.",
                                  version=target["version"])
                done["saved"] += 1
            except StaleVersion as exc:
                assert "— reload" in exc.message and "changed by" in exc.message, exc.message
                done["stale"] += 1
            note = folder / f"note-{n}-{r}.txt"
            note.write_text(f"worker {n} round {r}")
            book.add_evidence(note, case_ref="CB-C-1", title=f"Note {n}.{r}")
            done["evidence"] += 1
        except Exception as exc:  # anything but a stale refusal is a failure of the test
            done["errors"].append(f"{type(exc).__name__}: {exc}")
print(json.dumps(done))
""".replace("ROUNDS", str(ROUNDS))


def _shipments(path: Path, worker: int) -> Path:
    rows = [
        f"10702070/100122/{worker:03d}{i:04d};10.01.2022;1;SHANDONG JINMA CO., LTD;"
        f'ООО "Техностанок";7707083893;КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК {worker}-{i};{100 + i},50'
        for i in range(50)
    ]
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1251"))
    return path


@pytest.mark.postgresql
@pytest.mark.slow
def test_four_analysts_at_once_refuse_only_stale_saves(pg_database, tmp_path):
    with Casebook.open(pg_database, user="lead", create=True) as book:
        book.create_case(title="Team", ref="CB-C-1")
        for text in ("The firm is likely a front.", "The machines are likely re-exported."):
            book.add_finding(case_ref="CB-C-1", text=text, likelihood="likely", confidence="low")
    for n in range(WORKERS):
        _shipments(tmp_path / f"dt{n}.csv", n)
    env = os.environ | {"PYTHONPATH": str(ROOT / "desktop")}

    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, pg_database, str(n), str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(WORKERS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    seconds = time.monotonic() - started

    assert [r["errors"] for r in results] == [[]] * WORKERS
    assert [r["imported"] for r in results] == [50] * WORKERS
    assert sum(r["evidence"] for r in results) == WORKERS * ROUNDS
    saved, stale = sum(r["saved"] for r in results), sum(r["stale"] for r in results)
    assert saved + stale == WORKERS * ROUNDS
    assert saved >= 2  # every finding was saved at least once by someone
    with Casebook.open(pg_database, user="lead") as book:
        report = book.verify()
        assert report["ok"], report["problems"]
        assert book.case_counts("CB-C-1")["shipments"] == WORKERS * 50
        edits = sql_on(pg_database, "SELECT count(*) FROM auditevent WHERE action = 'finding.edit'")
        assert edits[0][0] == saved  # each save is one event; no refused save left one
    # the chain is one line: every event links to the one before it, none is linked twice
    links = sql_on(pg_database, "SELECT prev_hash, hash FROM auditevent ORDER BY id")
    assert [prev for prev, _ in links[1:]] == [digest for _, digest in links[:-1]]
    assert len({prev for prev, _ in links}) == len(links)
    print(f"{WORKERS} workers: {saved} saves, {stale} stale refusals, {seconds:.1f} s")
