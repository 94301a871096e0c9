"""Relationships, findings with ICD 203 language, and deleting a firm that has evidence."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.book.findings import finding_warnings
from casebook.core.errors import Refused, UsageError
from casebook.store import models as m


@pytest.fixture
def case(book):
    return book.create_case(title="CNC via Turkey", ref="CB-1")


def _firm(book, name: str) -> m.Firm:
    with book.store.write() as session:
        firm = m.Firm(name=name)
        session.add(firm)
    return firm


def _evidence(book, tmp_path, name: str, grade: str | None):
    path = tmp_path / name
    path.write_text(f"content of {name}")
    return book.add_evidence(path, case_ref="CB-1", grade=grade).evidence


def _events(book, action: str) -> list[m.AuditEvent]:
    with book.store.read() as session:
        return list(session.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)))


def test_finding_with_two_linked_items_lists_them_with_their_grades(book, case, tmp_path):
    _evidence(book, tmp_path, "a.txt", "B2")
    _evidence(book, tmp_path, "b.txt", "C3")
    book.add_finding(
        case_ref="CB-1",
        text="Firm X very likely re-exported the lathes.",
        likelihood="very likely",
        confidence="moderate",
        evidence=["E1", "E2"],
    )
    [finding] = book.list_findings(case_ref="CB-1")
    assert [(e["id"], e["grade"]) for e in finding["evidence"]] == [("E1", "B2"), ("E2", "C3")]
    assert finding["warnings"] == []


def test_finding_without_graded_evidence_warns(book, case, tmp_path):
    _evidence(book, tmp_path, "a.txt", None)
    finding = book.add_finding(
        case_ref="CB-1", text="X.", likelihood="likely", confidence="low", evidence=["E1"]
    )
    assert finding["warnings"] == ["no graded evidence supports this finding"]


def test_mixed_icd203_vocabularies_warn():
    warnings = finding_warnings(
        text="It is likely that X is the highly probable consignee.",
        likelihood="likely",
        grades=["B2"],
    )
    assert any("mixes the two ICD 203 vocabularies" in w for w in warnings)


def test_one_vocabulary_does_not_warn():
    text = "It is very likely that X shipped the lathes; it is unlikely that Y knew."
    assert finding_warnings(text=text, likelihood="very likely", grades=["B2"]) == []


def test_confidence_in_the_likelihood_sentence_warns():
    text = "We assess with high confidence that X is likely the buyer."
    assert any(
        "same sentence" in w
        for w in finding_warnings(text=text, likelihood="likely", grades=["A1"])
    )


def test_unknown_likelihood_is_refused(book, case):
    with pytest.raises(UsageError):
        book.add_finding(case_ref="CB-1", text="X.", likelihood="maybe", confidence="low")


def test_alternative_term_is_kept_as_chosen(book, case):
    finding = book.add_finding(
        case_ref="CB-1", text="X.", likelihood="Highly Probable", confidence="high"
    )
    assert finding["likelihood"] == "highly probable"


def test_findings_keep_their_order_and_move(book, case):
    uids = [
        book.add_finding(case_ref="CB-1", text=t, likelihood="likely", confidence="low")["uid"]
        for t in ("first", "second", "third")
    ]
    book.move_finding(uids[2], position=1)
    assert [f["text"] for f in book.list_findings(case_ref="CB-1")] == ["third", "first", "second"]
    assert _events(book, "finding.move")[0].after == {"position": 1}


def test_delete_finding_closes_the_gap(book, case):
    uids = [
        book.add_finding(case_ref="CB-1", text=t, likelihood="likely", confidence="low")["uid"]
        for t in ("first", "second")
    ]
    book.delete_finding(uids[0])
    assert [(f["position"], f["text"]) for f in book.list_findings(case_ref="CB-1")] == [
        (1, "second")
    ]


def test_edit_finding_is_audited_with_before_and_after(book, case):
    uid = book.add_finding(case_ref="CB-1", text="X.", likelihood="likely", confidence="low")["uid"]
    book.edit_finding(uid, confidence="high")
    [event] = _events(book, "finding.edit")
    assert (event.before["confidence"], event.after["confidence"]) == ("low", "high")


def test_relationship_records_kind_share_dates_and_evidence(book, case, tmp_path):
    owner, sub = _firm(book, "Holding"), _firm(book, "Subsidiary")
    _evidence(book, tmp_path, "register.txt", "A1")
    rel = book.add_relationship(
        case_ref="CB-1",
        from_uid=owner.uid,
        to_uid=sub.uid,
        kind="ownership",
        share="51%",
        start="2021-03-01",
        evidence=["E1"],
    )
    assert (rel["kind"], rel["share"], rel["start"]) == ("ownership", 51.0, "2021-03-01")
    assert [e["id"] for e in rel["evidence"]] == ["E1"]
    assert book.list_relationships(case_ref="CB-1") == [rel]


def test_relationship_kind_must_be_known(book, case):
    a, b = _firm(book, "A"), _firm(book, "B")
    with pytest.raises(UsageError):
        book.add_relationship(case_ref="CB-1", from_uid=a.uid, to_uid=b.uid, kind="friendship")


def test_share_only_for_ownership(book, case):
    a, b = _firm(book, "A"), _firm(book, "B")
    with pytest.raises(UsageError):
        book.add_relationship(
            case_ref="CB-1", from_uid=a.uid, to_uid=b.uid, kind="supplier", share=10
        )


def test_deleting_a_firm_with_evidence_is_refused_without_confirm(book, case, tmp_path):
    firm = _firm(book, "Техностанок")
    path = tmp_path / "inn.txt"
    path.write_text("INN")
    book.add_evidence(path, case_ref="CB-1", links=[("firm", firm.uid)])
    assert book.firm_delete_impact(firm.uid)["asks"] == {"evidence links": 1}
    with pytest.raises(Refused, match="confirm"):
        book.delete_firm(firm.uid)
    assert _events(book, "firm.delete") == []


def test_confirmed_firm_delete_is_recorded_in_the_audit_chain(book, case, tmp_path):
    firm = _firm(book, "Техностанок")
    path = tmp_path / "inn.txt"
    path.write_text("INN")
    e = book.add_evidence(path, case_ref="CB-1", links=[("firm", firm.uid)]).evidence
    book.delete_firm(firm.uid, confirm=True)
    [event] = _events(book, "firm.delete")
    assert event.target_uid == firm.uid and event.before["name"] == "Техностанок"
    assert book.show_evidence(e["uid"])["links"] == []
    assert book.verify()["ok"]


def test_firm_named_by_shipments_cannot_be_deleted(book, case):
    firm = _firm(book, "Exporter")
    with book.store.write() as session:
        dataset = m.Dataset(case_id=case.id, file_name="x.csv", sha256="0" * 64)
        session.add(dataset)
        session.flush()
        session.add(
            m.Shipment(dataset_id=dataset.id, case_id=case.id, source_row=1, exporter_id=firm.id)
        )
    with pytest.raises(Refused, match="merge"):
        book.delete_firm(firm.uid, confirm=True)
