"""An import reads and cleans its file before it takes the write lock (issue #16).

A child process imports a file, paused at two points by a patched importer (no timing): while
it is still cleaning the file, another process's write commits at once; while it inserts, a
write waits for it (and, with a short busy timeout, reports "store busy").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from casebook.book import Casebook

HEADER = "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;Код ТН ВЭД;Описание товара"
ROWS = [
    f"10702070/100122/000000{n};10.01.2022;1;SHANDONG JINMA CO., LTD;ООО «Техностанок»;"
    f"8458 11 000 0;СТАНОК ТОКАРНЫЙ {n}"
    for n in range(5)
]


def write_extract(path):
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


#: Imports a file with the importer paused (until a line on stdin) as it starts to clean each
#: sheet and as it starts to insert the shipments, saying where on stdout.
CHILD = """
import sys
from casebook.book import Casebook
from casebook.core.errors import CasebookError
from casebook.ingest import importer

def paused(stage, real):
    def run(*args, **kwargs):
        print(stage, flush=True)
        sys.stdin.readline()
        return real(*args, **kwargs)
    return run

importer.clean_sheet = paused("cleaning", importer.clean_sheet)
importer.store.insert_shipments = paused("inserting", importer.store.insert_shipments)
with Casebook.open(sys.argv[1], user="importer") as book:
    try:
        book.import_file(sys.argv[2], case_ref="CB-L")
    except CasebookError as exc:
        print(f"error: {exc}", flush=True)
        sys.exit(exc.exit_code)
print("imported", flush=True)
"""


@pytest.fixture
def store(tmp_path):
    db = tmp_path / "shared.db"
    with Casebook.open(db, user="tester", create=True) as book:
        book.create_case(title="Before", ref="CB-L")
    return db


def start_import(db, path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, CASEBOOK_BUSY_TIMEOUT="60"),
    )


def step(child: subprocess.Popen) -> str:
    """Let the paused child go on; returns where it stopped next (or its last line)."""
    child.stdin.write("\n")
    child.stdin.flush()
    return child.stdout.readline().strip()


def cli(db, *args, busy_timeout_s: float = 10) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(db), "--user", "editor", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, CASEBOOK_BUSY_TIMEOUT=str(busy_timeout_s)),
        timeout=120,
    )


def edit_case(db, title: str, *, busy_timeout_s: float) -> subprocess.CompletedProcess:
    return cli(db, "case", "edit", "CB-L", "--title", title, "--json",
               busy_timeout_s=busy_timeout_s)  # fmt: skip


def test_another_process_writes_while_an_import_cleans_its_file(store, tmp_path):
    extract = write_extract(tmp_path / "extract.csv")
    child = start_import(store, extract)
    try:
        assert child.stdout.readline().strip() == "cleaning"
        edited = edit_case(store, "Edited while the import reads", busy_timeout_s=2)
        assert edited.returncode == 0, edited.stderr  # no waiting for the parse

        assert step(child) == "inserting"  # the import now holds the write lock
        busy = edit_case(store, "Edited while the import inserts", busy_timeout_s=0.5)
        assert busy.returncode == 3
        assert "store busy" in busy.stderr

        assert step(child) == "imported"
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    shown = cli(store, "case", "show", "CB-L", "--json")
    assert json.loads(shown.stdout)["title"] == "Edited while the import reads"
    with Casebook.open(store) as book:
        datasets = book.list_datasets(case_ref="CB-L")
        assert [d["shipments"] for d in datasets] == [5]
        report = book.verify()
    assert report["ok"], report["problems"]


def test_a_file_imported_while_another_import_read_it_is_refused(store, tmp_path):
    extract = write_extract(tmp_path / "extract.csv")
    child = start_import(store, extract)
    try:
        assert child.stdout.readline().strip() == "cleaning"
        with Casebook.open(store, user="tester") as book:
            first = book.import_file(extract, case_ref="CB-L")
        last = step(child)
        assert child.wait(timeout=60) == 1
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert last.startswith("error: extract.csv was already imported into this case")
    assert first["dataset_uid"] in last
    with Casebook.open(store) as book:
        assert [d["uid"] for d in book.list_datasets(case_ref="CB-L")] == [first["dataset_uid"]]
