"""The rows behind the findings section: a case's findings (key judgments, in order).

The facade (book/findings.py) validates, audits and shapes; these functions only read and
write rows inside the caller's unit of work.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store.evidence import delete_links_to


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
