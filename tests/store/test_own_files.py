"""The store's own database files are never read as input while it is open: reading one through
another descriptor would release this process's SQLite locks on it (POSIX locks go with any
close), and another process could then corrupt the store."""

from __future__ import annotations

import pytest

from casebook.book import Casebook
from casebook.core.errors import Refused


@pytest.fixture
def book(tmp_path):
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Own files", ref="CB-OWN")
        yield book


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_store_files_are_refused_as_evidence_and_as_imports(book, tmp_path, suffix):
    own = tmp_path / f"cases.db{suffix}"
    assert own.exists()
    with pytest.raises(Refused, match="own store"):
        book.add_evidence(own, case_ref="CB-OWN")
    with pytest.raises(Refused, match="own store"):
        book.import_file(own, case_ref="CB-OWN")
    assert book.list_evidence(case_ref="CB-OWN") == []
    # The same bytes under another name (a copy) are just a file.
    copy = tmp_path / "copy.db"
    copy.write_bytes(own.read_bytes())
    assert book.add_evidence(copy, case_ref="CB-OWN").evidence["sha256"]
