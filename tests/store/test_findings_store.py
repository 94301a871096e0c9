"""store/findings.py: findings kept in order; store/relationships.py and store/firms.py:
relationships, and what names a firm."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.store import evidence, firms, relationships
from casebook.store import findings as store
from casebook.store import models as m


@pytest.fixture
def case_id(book) -> int:
    book.create_case(title="Lathes via Kazakhstan", ref="CB-1")
    with book.store.read() as session:
        return session.exec(select(m.Case.id).where(m.Case.ref == "CB-1")).one()


def _finding(session, case_id: int, text: str) -> m.Finding:
    return store.add_finding(
        session, case_id=case_id, text=text, likelihood="likely", confidence="low"
    )


def _texts(book, case_id: int) -> list[tuple[int, str]]:
    with book.store.read() as session:
        return [(f.position, f.text) for f in store.list_findings(session, case_id=case_id)]


def test_findings_are_added_at_the_end_and_listed_by_position(book, case_id):
    with book.store.write() as session:
        first, second = _finding(session, case_id, "Первый"), _finding(session, case_id, "Second")
        store.renumber_findings(session, findings=[second, first])
    assert _texts(book, case_id) == [(1, "Second"), (2, "Первый")]


def test_deleting_a_finding_moves_later_ones_up_and_drops_its_links(book, case_id):
    with book.store.write() as session:
        first = _finding(session, case_id, "One")
        _finding(session, case_id, "Two")
        item = evidence.add_evidence(session, case_id=case_id, title="Registry", sha256="a" * 64)
        evidence.save_link(
            session, evidence_id=item.id, target_kind="finding", target_id=first.id, note=""
        )
        store.delete_finding(session, finding=first)
    assert _texts(book, case_id) == [(1, "Two")]
    with book.store.read() as session:
        assert session.exec(select(m.EvidenceLink)).all() == []
        assert store.get_finding(session, uid=first.uid) is None


def test_a_firm_in_a_relationship_counts_it_and_deleting_the_firm_removes_it(book, case_id):
    with book.store.write() as session:
        owner, sub = m.Firm(name="Holding"), m.Firm(name="ТОО Станок")
        session.add_all([owner, sub])
        session.flush()
        rel = relationships.add_relationship(
            session, case_id=case_id, from_firm_id=owner.id, to_firm_id=sub.id, kind="ownership"
        )
        blocking, dependent = firms.firm_references(session, firm_id=sub.id)
        assert not any(blocking.values())
        assert dependent == {"evidence links": 0, "relationships": 1}
        firms.delete_firm(session, firm_id=sub.id)
    with book.store.read() as session:
        assert relationships.get_relationship(session, uid=rel.uid) is None
        assert firms.firm_by_uid(session, uid=sub.uid) is None
        assert relationships.list_relationships(session, case_id=case_id) == []
        assert firms.firm_by_uid(session, uid=owner.uid)["name"] == "Holding"
