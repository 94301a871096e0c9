"""An import on SQLite writes with foreign keys off and checks the rows' parents once before
commit: a row pointing to a missing parent still refuses the whole import, and every other
write of the store still runs with foreign keys on, whatever way the import ended."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from tests.ingest.test_import import query, write_extract

from casebook.core.errors import Cancelled, Refused
from casebook.store import shipments, sqlite
from casebook.store.engine import raw_connection

pytestmark = pytest.mark.sqlite_only("SQLite's foreign keys pragma")


@pytest.fixture
def case(book):
    return book.create_case(title="CNC to Russia", ref="CB-FK-1").ref


@pytest.fixture
def extract(tmp_path):
    return write_extract(tmp_path / "dt_2022.csv")


def during_insert(monkeypatch, action):
    """Run ``action(raw sqlite3 connection)`` in the import's transaction, just before its
    shipments go in."""
    original = shipments.insert_shipments

    def insert(session, **kwargs):
        action(raw_connection(session))
        return original(session, **kwargs)

    monkeypatch.setattr(shipments, "insert_shipments", insert)


def assert_foreign_keys_enforced(book):
    """The store's write connection has foreign keys on: an orphan row is refused."""
    with book.store.write() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with book.store.write() as session:
            session.execute(
                text("INSERT INTO casesetting (case_id, key, value) VALUES (9999, 'k', '1')")
            )
    assert query(book, "SELECT count(*) FROM casesetting WHERE case_id = 9999") == [(0,)]


def test_the_import_writes_without_row_by_row_checks(book, case, extract, monkeypatch):
    seen = []
    during_insert(
        monkeypatch, lambda conn: seen.append(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    )
    book.import_file(extract, case_ref=case)
    assert seen[-1] == 0
    assert query(book, "SELECT count(*) FROM shipment") == [(5,)]
    assert query(book, "PRAGMA foreign_key_check") == []


def test_after_an_import_other_writes_check_foreign_keys(book, case, extract):
    book.import_file(extract, case_ref=case)
    assert_foreign_keys_enforced(book)


def delete_firm(conn):
    """Remove the firm of the shipper HIWIN (made by this import) with its own rows."""
    (firm_id,) = conn.execute("SELECT id FROM firm WHERE name LIKE 'HIWIN%'").fetchone()
    for table, column in (
        ("firmalias", "firm_id"),
        ("firmidentifier", "firm_id"),
        ("casefirm", "firm_id"),
        ("mergesuggestion", "firm_a_id"),
        ("mergesuggestion", "firm_b_id"),
    ):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (firm_id,))
    conn.execute("DELETE FROM firm WHERE id = ?", (firm_id,))


def delete_dataset(conn):
    conn.execute("DELETE FROM dataset")


def orphan_setting(conn):
    """A row the import does not cover with known parents: checked row by row before commit."""
    conn.execute("INSERT INTO casesetting (case_id, key, value) VALUES (9999, 'k', '1')")


@pytest.mark.parametrize(
    ("action", "missing"),
    [(delete_firm, "firm"), (delete_dataset, "dataset"), (orphan_setting, "case")],
)
def test_a_row_pointing_to_a_missing_parent_refuses_the_whole_import(
    book, case, extract, monkeypatch, action, missing
):
    during_insert(monkeypatch, action)
    with pytest.raises(Refused, match=f"refers to {missing} .*nothing was saved"):
        book.import_file(extract, case_ref=case)
    for table in ("shipment", "dataset", "firm", "traderollup", "casesetting", "auditevent"):
        assert query(book, f'SELECT count(*) FROM "{table}"')[0][0] == (
            1 if table == "auditevent" else 0  # the case's creation
        ), table
    assert_foreign_keys_enforced(book)
    monkeypatch.undo()
    assert book.import_file(extract, case_ref=case)["rows_imported"] == 5


def test_an_error_mid_insert_leaves_foreign_keys_on(book, case, extract, monkeypatch):
    def fail(conn):
        raise RuntimeError("disk went away")

    during_insert(monkeypatch, fail)
    with pytest.raises(RuntimeError, match="disk went away"):
        book.import_file(extract, case_ref=case)
    assert query(book, "SELECT count(*) FROM shipment") == [(0,)]
    assert_foreign_keys_enforced(book)


def test_a_cancel_mid_insert_leaves_foreign_keys_on(book, case, extract, monkeypatch):
    asked = []
    during_insert(monkeypatch, lambda conn: asked.append(True))
    with pytest.raises(Cancelled):
        book.import_file(extract, case_ref=case, cancelled=lambda: bool(asked))
    assert query(book, "SELECT count(*) FROM shipment") == [(0,)]
    assert_foreign_keys_enforced(book)


def test_a_connection_that_cannot_be_set_back_is_discarded(book, case, extract, monkeypatch):
    monkeypatch.setattr(sqlite, "_foreign_keys_back_on", lambda conn: False)
    book.import_file(extract, case_ref=case)
    monkeypatch.undo()
    assert_foreign_keys_enforced(book)  # a new connection, with the pragmas of every connection
    assert query(book, "SELECT count(*) FROM shipment") == [(5,)]
