"""The rows behind the findings section: a case's findings (key judgments, in order),
relationships between firms, and what deleting a firm removes or is blocked by.

The facade (book/findings.py) validates, audits and shapes; these functions only read and
write rows inside the caller's unit of work.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store.evidence import delete_links_to

# --- findings --------------------------------------------------------------------------------


def get_finding(session: Session, *, uid: str) -> m.Finding | None:
    return session.exec(select(m.Finding).where(m.Finding.uid == uid)).first()


def list_findings(session: Session, *, case_id: int) -> list[m.Finding]:
    """A case's findings in their order (first judgment first)."""
    return list(
        session.exec(
            select(m.Finding)
            .where(m.Finding.case_id == case_id)
            .order_by(m.Finding.position, m.Finding.id)
        )
    )


def add_finding(
    session: Session, *, case_id: int, text: str, likelihood: str, confidence: str
) -> m.Finding:
    """Insert a finding after the case's last one."""
    last = session.exec(
        select(func.max(m.Finding.position)).where(m.Finding.case_id == case_id)
    ).one()
    finding = m.Finding(
        case_id=case_id,
        position=(last or 0) + 1,
        text=text,
        likelihood=likelihood,
        confidence=confidence,
    )
    session.add(finding)
    session.flush()
    return finding


def update_finding(session: Session, *, finding: m.Finding, fields: dict) -> m.Finding:
    """Set the given columns of a finding and stamp it updated."""
    for name, value in fields.items():
        setattr(finding, name, value)
    finding.updated = m.utcnow()
    session.add(finding)
    session.flush()
    return finding


def renumber_findings(session: Session, *, findings: list[m.Finding]) -> None:
    """Give the findings positions 1, 2 … in the order listed."""
    for n, finding in enumerate(findings, 1):
        if finding.position != n:
            finding.position = n
            session.add(finding)
    session.flush()


def delete_finding(session: Session, *, finding: m.Finding) -> None:
    """Delete a finding and its evidence links; later findings move up."""
    delete_links_to(session, target_kind="finding", target_id=finding.id)
    session.delete(finding)
    session.flush()
    renumber_findings(session, findings=list_findings(session, case_id=finding.case_id))


# --- relationships ---------------------------------------------------------------------------


def get_relationship(session: Session, *, uid: str) -> m.Relationship | None:
    return session.exec(select(m.Relationship).where(m.Relationship.uid == uid)).first()


def list_relationships(session: Session, *, case_id: int) -> list[m.Relationship]:
    """A case's relationships, oldest first."""
    return list(
        session.exec(
            select(m.Relationship)
            .where(m.Relationship.case_id == case_id)
            .order_by(m.Relationship.id)
        )
    )


def add_relationship(
    session: Session, *, case_id: int, from_firm_id: int, to_firm_id: int, **fields
) -> m.Relationship:
    rel = m.Relationship(
        case_id=case_id, from_firm_id=from_firm_id, to_firm_id=to_firm_id, **fields
    )
    session.add(rel)
    session.flush()
    return rel


def update_relationship(session: Session, *, relationship: m.Relationship, fields: dict) -> None:
    for name, value in fields.items():
        setattr(relationship, name, value)
    session.add(relationship)
    session.flush()


def delete_relationship(session: Session, *, relationship: m.Relationship) -> None:
    """Delete a relationship and its evidence links."""
    delete_links_to(session, target_kind="relationship", target_id=relationship.id)
    session.delete(relationship)
    session.flush()


# --- firms -----------------------------------------------------------------------------------


def get_firm(session: Session, *, uid: str) -> m.Firm | None:
    return session.exec(select(m.Firm).where(m.Firm.uid == uid)).first()


def get_firm_by_id(session: Session, *, firm_id: int) -> m.Firm | None:
    return session.get(m.Firm, firm_id)


def firm_alias_names(session: Session, *, firm_id: int) -> list[str]:
    """A firm's aliases, sorted."""
    return sorted(session.exec(select(m.FirmAlias.name).where(m.FirmAlias.firm_id == firm_id)))


def _count(session: Session, model, *conditions) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def _relationships_of(firm_id: int):
    return or_(m.Relationship.from_firm_id == firm_id, m.Relationship.to_firm_id == firm_id)


def firm_references(session: Session, *, firm_id: int) -> tuple[dict, dict]:
    """How many rows name a firm: (rows that forbid deleting it, rows deleted with it)."""
    blocking = {
        "shipments": _count(
            session,
            m.Shipment,
            or_(
                m.Shipment.exporter_id == firm_id,
                m.Shipment.importer_id == firm_id,
                m.Shipment.exporter_orig_id == firm_id,
                m.Shipment.importer_orig_id == firm_id,
            ),
        ),
        "screening hits": _count(session, m.ScreeningHit, m.ScreeningHit.firm_id == firm_id),
        "merges": _count(
            session,
            m.FirmMerge,
            or_(m.FirmMerge.keep_id == firm_id, m.FirmMerge.other_id == firm_id),
        ),
        "merged firms": _count(session, m.Firm, m.Firm.merged_into == firm_id),
    }
    dependent = {
        "evidence links": _count(
            session,
            m.EvidenceLink,
            m.EvidenceLink.target_kind == "firm",
            m.EvidenceLink.target_id == firm_id,
        ),
        "relationships": _count(session, m.Relationship, _relationships_of(firm_id)),
    }
    return blocking, dependent


def delete_firm(session: Session, *, firm: m.Firm) -> None:
    """Delete a firm with its aliases, identifiers, case roles, merge suggestions,
    relationships and the evidence links to it and to them."""
    rels = list(session.exec(select(m.Relationship).where(_relationships_of(firm.id))))
    for rel in rels:
        delete_links_to(session, target_kind="relationship", target_id=rel.id)
    delete_links_to(session, target_kind="firm", target_id=firm.id)
    children = [
        select(m.FirmAlias).where(m.FirmAlias.firm_id == firm.id),
        select(m.FirmIdentifier).where(m.FirmIdentifier.firm_id == firm.id),
        select(m.CaseFirm).where(m.CaseFirm.firm_id == firm.id),
        select(m.MergeSuggestion).where(
            or_(m.MergeSuggestion.firm_a_id == firm.id, m.MergeSuggestion.firm_b_id == firm.id)
        ),
    ]
    for row in rels + [r for query in children for r in session.exec(query)]:
        session.delete(row)
    session.flush()
    session.delete(firm)
    session.flush()
