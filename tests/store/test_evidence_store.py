"""store/evidence.py: evidence rows and their links, numbered and ordered per case."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.store import evidence as store
from casebook.store import models as m


@pytest.fixture
def case_id(book) -> int:
    book.create_case(title="Lathes via Kazakhstan", ref="CB-1")
    with book.store.read() as session:
        return session.exec(select(m.Case.id).where(m.Case.ref == "CB-1")).one()


def _add(session, case_id: int, title: str, sha: str) -> m.Evidence:
    return store.add_evidence(session, case_id=case_id, title=title, sha256=sha)


def test_items_are_numbered_per_case_and_listed_in_number_order(book, case_id):
    book.create_case(title="Other", ref="CB-2")
    with book.store.write() as session:
        other = session.exec(select(m.Case.id).where(m.Case.ref == "CB-2")).one()
        _add(session, case_id, "Декларация", "a" * 64)
        _add(session, other, "Invoice", "b" * 64)
        _add(session, case_id, "Registry", "c" * 64)
    with book.store.read() as session:
        listed = [(e.number, e.title) for e in store.list_evidence(session, case_id=case_id)]
        assert listed == [(1, "Декларация"), (2, "Registry")]
        assert [e.number for e in store.list_evidence(session, case_id=other)] == [1]


def test_lookups_answer_none_for_what_is_not_there(book, case_id):
    with book.store.write() as session:
        item = _add(session, case_id, "Registry", "a" * 64)
    with book.store.read() as session:
        assert store.get_evidence(session, uid="nope") is None
        assert store.get_evidence_by_number(session, case_id=case_id, number=2) is None
        assert store.get_evidence_by_number(session, case_id=case_id, number=1).uid == item.uid
        assert store.get_evidence_by_content(session, case_id=case_id, sha256="b" * 64) is None
        assert store.sha256_in_use(session, sha256="a" * 64)
        assert not store.sha256_in_use(session, sha256="b" * 64)
        assert store.blob_holders(session, case_id=case_id) == [("a" * 64, 1, "CB-1")]


def test_saving_a_link_twice_keeps_one_link_with_the_newer_note(book, case_id):
    with book.store.write() as session:
        item = _add(session, case_id, "Registry", "a" * 64)
        store.save_link(
            session, evidence_id=item.id, target_kind="case", target_id=case_id, note=""
        )
        store.save_link(
            session, evidence_id=item.id, target_kind="case", target_id=case_id, note="ИНН"
        )
    with book.store.read() as session:
        links = session.exec(select(m.EvidenceLink)).all()
        assert [(k.target_kind, k.note) for k in links] == [("case", "ИНН")]


def test_deleting_an_item_deletes_its_links_and_keeps_the_others(book, case_id):
    with book.store.write() as session:
        kept, gone = _add(session, case_id, "A", "a" * 64), _add(session, case_id, "B", "b" * 64)
        for item in (kept, gone):
            store.save_link(
                session, evidence_id=item.id, target_kind="case", target_id=case_id, note=""
            )
        store.delete_evidence(session, evidence=gone)
    with book.store.read() as session:
        assert [e.title for e in store.list_evidence(session, case_id=case_id)] == ["A"]
        links = session.exec(select(m.EvidenceLink.evidence_id)).all()
        assert links == [kept.id]
