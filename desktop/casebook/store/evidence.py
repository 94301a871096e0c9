"""Evidence items and their links (what each item supports: a case, firm, shipment,
relationship or finding) and the records links point to: lookups, inserts, edits, deletes.

The facade (book/evidence.py) validates, audits and shapes; these functions only read and
write rows inside the caller's unit of work.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.store import models as m


def get_evidence(session: Session, *, uid: str) -> m.Evidence | None:
    """An item by uid."""
    return session.exec(select(m.Evidence).where(m.Evidence.uid == uid)).first()


def get_evidence_by_number(session: Session, *, case_id: int, number: int) -> m.Evidence | None:
    """An item by its number within a case (``E3`` is number 3)."""
    return session.exec(
        select(m.Evidence).where(m.Evidence.case_id == case_id, m.Evidence.number == number)
    ).first()


def get_evidence_by_content(session: Session, *, case_id: int, sha256: str) -> m.Evidence | None:
    """The case's item holding these bytes (a case holds the same content once)."""
    return session.exec(
        select(m.Evidence).where(m.Evidence.case_id == case_id, m.Evidence.sha256 == sha256)
    ).first()


def list_evidence(session: Session, *, case_id: int) -> list[m.Evidence]:
    """A case's items in E-number order."""
    return list(
        session.exec(
            select(m.Evidence).where(m.Evidence.case_id == case_id).order_by(m.Evidence.number)
        )
    )


def add_evidence(session: Session, *, case_id: int, **fields) -> m.Evidence:
    """Insert an item numbered after the case's last one (E1, E2 …)."""
    last = session.exec(
        select(func.max(m.Evidence.number)).where(m.Evidence.case_id == case_id)
    ).one()
    evidence = m.Evidence(case_id=case_id, number=(last or 0) + 1, **fields)
    session.add(evidence)
    session.flush()
    return evidence


def update_evidence(session: Session, *, evidence: m.Evidence, fields: dict) -> m.Evidence:
    """Set the given columns of an item."""
    for name, value in fields.items():
        setattr(evidence, name, value)
    session.add(evidence)
    session.flush()
    return evidence


def delete_evidence(session: Session, *, evidence: m.Evidence) -> None:
    """Delete an item and every link from it (the vault blob is the caller's business)."""
    for link in links_of(session, evidence_id=evidence.id):
        session.delete(link)
    session.flush()  # links first: the unit of work does not order unrelated deletes
    session.delete(evidence)
    session.flush()


def sha256_in_use(session: Session, *, sha256: str) -> bool:
    """Whether any item (in any case) holds these bytes."""
    used = session.exec(select(m.Evidence.id).where(m.Evidence.sha256 == sha256)).first()
    return used is not None


def all_sha256(session: Session) -> set[str]:
    """The content hash of every item in the store (what the vault must hold)."""
    return set(session.exec(select(m.Evidence.sha256)))


def blob_holders(session: Session, *, case_id: int | None = None) -> list[tuple[str, int, str]]:
    """(sha256, number, case ref) of every item, or of one case's items."""
    query = select(m.Evidence.sha256, m.Evidence.number, m.Case.ref).join(
        m.Case, m.Case.id == m.Evidence.case_id
    )
    if case_id is not None:
        query = query.where(m.Case.id == case_id)
    return [tuple(row) for row in session.exec(query)]


def case_ref_of(session: Session, *, case_id: int) -> str | None:
    """The reference of the case with this id."""
    return session.exec(select(m.Case.ref).where(m.Case.id == case_id)).first()


# --- links -----------------------------------------------------------------------------------

#: The table of each kind a link can point to.
TARGETS = {
    "case": m.Case,
    "firm": m.Firm,
    "shipment": m.Shipment,
    "relationship": m.Relationship,
    "finding": m.Finding,
    "person": m.Person,
    "personlink": m.PersonLink,
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
    session: Session, *, evidence_id: int, target_kind: str, target_id: int
) -> m.EvidenceLink | None:
    """The link from an item to one target, if there is one."""
    return session.exec(
        select(m.EvidenceLink).where(
            m.EvidenceLink.evidence_id == evidence_id,
            m.EvidenceLink.target_kind == target_kind,
            m.EvidenceLink.target_id == target_id,
        )
    ).first()


def save_link(
    session: Session, *, evidence_id: int, target_kind: str, target_id: int, note: str
) -> m.EvidenceLink:
    """Add the link from an item to a target, or give the existing one this note."""
    link = get_link(
        session, evidence_id=evidence_id, target_kind=target_kind, target_id=target_id
    ) or m.EvidenceLink(evidence_id=evidence_id, target_kind=target_kind, target_id=target_id)
    link.note = note
    session.add(link)
    session.flush()
    return link


def delete_link(session: Session, *, link: m.EvidenceLink) -> None:
    session.delete(link)
    session.flush()


def delete_links_to(session: Session, *, target_kind: str, target_id: int) -> None:
    """Remove every link to one target (a finding, relationship or firm being deleted)."""
    for link in session.exec(
        select(m.EvidenceLink).where(
            m.EvidenceLink.target_kind == target_kind, m.EvidenceLink.target_id == target_id
        )
    ):
        session.delete(link)
