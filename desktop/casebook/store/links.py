"""What evidence supports: links from an evidence item to a case, firm, shipment, relationship
or finding, and the records they point to."""

from __future__ import annotations

from sqlmodel import Session, select

from casebook.store import models as m

#: The table of each kind a link can point to.
TARGETS = {
    "case": m.Case,
    "firm": m.Firm,
    "shipment": m.Shipment,
    "relationship": m.Relationship,
    "finding": m.Finding,
}


def target_by_uid(session: Session, *, kind: str, uid: str) -> tuple[int, int | None] | None:
    """The integer id and case id (None for a firm) of a firm, relationship or finding with
    this uid, or None."""
    model = TARGETS[kind]
    row = session.exec(select(model).where(model.uid == uid)).first()
    return None if row is None else (row.id, getattr(row, "case_id", None))


def target_by_id(session: Session, *, kind: str, target_id: int):
    """The record a link points to, or None when it is gone."""
    return session.get(TARGETS[kind], target_id)


def shipment_by_row(session: Session, *, dataset_uid: str, row: int) -> m.Shipment | None:
    """A shipment by its dataset's uid and its row in the imported file."""
    query = (
        select(m.Shipment)
        .join(m.Dataset, m.Dataset.id == m.Shipment.dataset_id)
        .where(m.Dataset.uid == dataset_uid, m.Shipment.source_row == row)
    )
    return session.exec(query).first()


def dataset_uid(session: Session, *, dataset_id: int) -> str | None:
    """The uid of a dataset, or None."""
    dataset = session.get(m.Dataset, dataset_id)
    return None if dataset is None else dataset.uid


def links_of(session: Session, *, evidence_id: int) -> list[m.EvidenceLink]:
    """An evidence item's links, in the order they were made."""
    query = (
        select(m.EvidenceLink)
        .where(m.EvidenceLink.evidence_id == evidence_id)
        .order_by(m.EvidenceLink.id)
    )
    return list(session.exec(query))


def evidence_for(session: Session, *, kind: str, target_id: int) -> list[tuple[m.Evidence, str]]:
    """(evidence, link note) of every item supporting one target, in E-number order."""
    query = (
        select(m.Evidence, m.EvidenceLink.note)
        .join(m.EvidenceLink, m.EvidenceLink.evidence_id == m.Evidence.id)
        .where(m.EvidenceLink.target_kind == kind, m.EvidenceLink.target_id == target_id)
        .order_by(m.Evidence.number)
    )
    return list(session.exec(query))


def get_link(
    session: Session, *, evidence_id: int, kind: str, target_id: int
) -> m.EvidenceLink | None:
    """The link from an evidence item to one target, or None."""
    query = select(m.EvidenceLink).where(
        m.EvidenceLink.evidence_id == evidence_id,
        m.EvidenceLink.target_kind == kind,
        m.EvidenceLink.target_id == target_id,
    )
    return session.exec(query).first()
