"""store.relationships and store.evidence: relationships between firms, and what evidence
supports."""

from __future__ import annotations

import pytest

from casebook.store import cases, datasets, evidence, relationships
from casebook.store import models as m


@pytest.fixture
def world(book):
    with book.store.write() as session:
        case = cases.add_case(session, ref="CB-1", title="Станки")
        a, b = m.Firm(name="A&B <Trading> Ltd"), m.Firm(name="华信精密机械")
        session.add_all([a, b])
        session.flush()
        rel = m.Relationship(case_id=case.id, from_firm_id=a.id, to_firm_id=b.id, kind="ownership")
        dataset = m.Dataset(case_id=case.id, file_name="gtd.csv", sha256="0")
        session.add_all([rel, dataset])
        session.flush()
        shipment = m.Shipment(dataset_id=dataset.id, case_id=case.id, source_row=7)
        e1 = m.Evidence(case_id=case.id, number=2, title="second", sha256="1")
        e2 = m.Evidence(case_id=case.id, number=1, title="first", sha256="2")
        session.add_all([shipment, e1, e2])
        session.flush()
        session.add_all(
            [
                m.EvidenceLink(evidence_id=e1.id, target_kind="firm", target_id=a.id, note="p. 2"),
                m.EvidenceLink(evidence_id=e2.id, target_kind="firm", target_id=a.id),
                m.EvidenceLink(evidence_id=e1.id, target_kind="relationship", target_id=rel.id),
            ]
        )
        return {
            "case": case.id,
            "firm": (a.id, a.uid),
            "rel": (rel.id, rel.uid),
            "dataset": dataset.uid,
            "shipment": shipment.id,
            "evidence": (e1.id, e2.id),
        }


def test_a_relationship_is_found_by_uid_and_names_its_ends(book, world):
    rel_id, rel_uid = world["rel"]
    with book.store.read() as session:
        rel = relationships.get_relationship(session, uid=rel_uid)
        same = relationships.get_relationship_by_id(session, relationship_id=rel_id)
        ends = relationships.end_names(session, rel=rel)
        assert relationships.get_relationship(session, uid="nope") is None
    assert same.uid == rel_uid
    assert ends == ("A&B <Trading> Ltd", "华信精密机械")


def test_link_targets_are_found_by_uid_id_or_dataset_row(book, world):
    firm_id, firm_uid = world["firm"]
    rel_id, rel_uid = world["rel"]
    with book.store.read() as session:
        assert evidence.target_by_uid(session, kind="firm", uid=firm_uid) == (firm_id, None)
        assert evidence.target_by_uid(session, kind="relationship", uid=rel_uid) == (
            rel_id,
            world["case"],
        )
        assert evidence.target_by_uid(session, kind="finding", uid=firm_uid) is None
        row = evidence.shipment_by_row(session, dataset_uid=world["dataset"], row=7)
        assert row.id == world["shipment"]
        assert evidence.shipment_by_row(session, dataset_uid=world["dataset"], row=8) is None
        assert datasets.dataset_uid(session, dataset_id=row.dataset_id) == world["dataset"]
        assert evidence.target_by_id(session, kind="case", target_id=world["case"]).ref == "CB-1"


def test_links_and_supporting_evidence_in_their_orders(book, world):
    firm_id, _ = world["firm"]
    e1, e2 = world["evidence"]
    with book.store.read() as session:
        made = [(k.target_kind, k.note) for k in evidence.links_of(session, evidence_id=e1)]
        support = evidence.evidence_for(session, kind="firm", target_id=firm_id)
        link = evidence.get_link(session, evidence_id=e2, target_kind="firm", target_id=firm_id)
        none = evidence.get_link(
            session, evidence_id=e2, target_kind="relationship", target_id=firm_id
        )
    assert made == [("firm", "p. 2"), ("relationship", "")]
    assert [(e.title, note) for e, note in support] == [("first", ""), ("second", "p. 2")]
    assert link is not None and none is None
