"""Every connection of a store: WAL and foreign keys on; readers get a helper thread for large
sorts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from casebook.store.engine import SORT_THREADS

pytestmark = pytest.mark.sqlite_only("SQLite pragmas")


def test_read_and_write_connections_have_the_pragmas(book):
    assert SORT_THREADS >= 2
    for open_session, threads in ((book.store.read, SORT_THREADS), (book.store.write, 0)):
        with open_session() as session:
            pragma = {
                name: session.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "threads")
            }
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "threads": threads}
