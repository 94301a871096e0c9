"""store.sqlite: the SQLite-only pieces (FTS5 MATCH, pragmas, online backup, integrity checks)
behave as the rest of the store relies on; and store.checks built on them."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from casebook.store import audit, backup, cases, checks, sqlite

pytestmark = pytest.mark.sqlite_only("store.sqlite itself")


def test_match_condition_finds_every_phrase_inside_words():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE doc USING fts5(body, tokenize='trigram')")
    conn.executemany(
        "INSERT INTO doc (rowid, body) VALUES (?, ?)",
        [(1, "ЦЕНТР ОБРАБАТЫВАЮЩИЙ С ЧПУ FANUC"), (2, "станок токарный"), (3, "FANUC only")],
    )
    params: dict = {}
    condition = sqlite.match_condition("doc", ("ОБРАБАТ", "fanuc"), params)
    found = conn.execute(f"SELECT rowid FROM doc WHERE {condition}", params).fetchall()
    order = sqlite.rank_order("doc")
    ranked = conn.execute(f"SELECT rowid FROM doc WHERE doc MATCH 'FANUC' ORDER BY {order}")
    assert found == [(1,)]
    assert sorted(r for (r,) in ranked) == [1, 3]


def test_every_connection_gets_wal_foreign_keys_and_writers_begin_immediately(book):
    with book.store.write() as session:
        conn = sqlite.raw_connection(session)
        assert conn.in_transaction  # BEGIN IMMEDIATE ran before any statement
        assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    with book.store.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA threads")).scalar() == sqlite.SORT_THREADS


def test_online_backup_is_one_self_contained_file_with_the_data(book, tmp_path):
    book.create_case(title="Станки через Турцию", ref="CB-1")
    copy = tmp_path / "copy.db"
    backup.backup_database(book.path, copy)
    head, counts = backup.copy_summary(copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert counts["cases"] == 1
    assert head == book.head_hash()


def test_integrity_problems_name_a_row_pointing_nowhere(book):
    with book.store.read() as session:
        assert checks.integrity_problems(session) == []
        assert backup.quick_problems(session) == []
    with sqlite3.connect(book.path) as conn:  # foreign keys are off on a bare connection
        conn.execute("INSERT INTO casefirm (case_id, firm_id, notes) VALUES (99, 98, '')")
    with book.store.read() as session:
        problems = checks.integrity_problems(session)
    assert [p["kind"] for p in problems] == ["foreign_key", "foreign_key"]
    assert {p["detail"].split(" points to a missing ")[1] for p in problems} == {"case", "firm"}


def test_imported_records_keep_the_newest_import_record_of_each_dataset(book):
    with book.store.write() as session:
        for action, uid, after in (
            ("dataset.import", "D1", {"content_hash": "old"}),
            ("bundle.dataset", "D1", {"content_hash": "new"}),
            ("dataset.import", "D2", {"content_hash": "other"}),
            ("dataset.delete", "D1", {"content_hash": "gone"}),
        ):
            audit.append_event(
                session,
                actor="t",
                action=action,
                target_kind="dataset",
                target_uid=uid,
                after=after,
            )
        cases.add_case(session, ref="CB-1", title="x")
    with book.store.read() as session:
        assert checks.imported_records(session, uids=["D1"]) == {"D1": {"content_hash": "new"}}
        assert cases.case_ids(session) == [1]
