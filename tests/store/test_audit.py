"""Every mutation is audited, chained to the previous event."""

from __future__ import annotations

from sqlmodel import select

from casebook.store import audit
from casebook.store.models import AuditEvent


def _events(book):
    with book.store.read() as s:
        return list(s.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_each_mutation_writes_one_chained_event(book):
    book.create_case(title="A", ref="CB-1")
    book.edit_case("CB-1", title="B")
    book.archive_case("CB-1")
    events = _events(book)
    assert [e.action for e in events] == ["case.create", "case.edit", "case.edit"]
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events[1].before["title"] == "A" and events[1].after["title"] == "B"
    # On a server the audit user is the login role, whatever the caller names (issue 17).
    actor = "tester" if book.store.dialect == "sqlite" else book.store.login
    assert {e.actor for e in events} == {actor}
    assert book.head_hash() == events[-1].hash


def test_an_edit_that_changes_nothing_is_not_audited(book):
    book.create_case(title="A", ref="CB-1")
    book.edit_case("CB-1", title="A")
    assert len(_events(book)) == 1


def test_failed_mutation_leaves_no_event(book):
    import pytest

    from casebook.core.errors import Refused

    book.create_case(title="A", ref="CB-1")
    with pytest.raises(Refused):
        book.create_case(title="B", ref="CB-1")
    assert len(_events(book)) == 1


def test_two_writers_do_not_fork_the_chain(db_path):
    import threading

    from casebook.book import Casebook

    Casebook.open(db_path, create=True).close()
    errors = []

    def writer(n):
        try:
            with Casebook.open(db_path, user=f"w{n}") as b:
                for i in range(10):
                    b.create_case(title=f"{n}-{i}", ref=f"W{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Casebook.open(db_path) as b:
        report = b.verify()
    assert report["ok"], report["problems"]
    assert report["checked"]["audit_events"] == 30
