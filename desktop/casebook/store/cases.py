"""Cases in the store: find, list, add, change and delete them, and count what they hold."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store.case_list import list_cases as list_cases  # its home before
from casebook.store.figures import delete_case_figures
from casebook.store.network import delete_chart_positions

#: What ``count_records`` counts: name -> (table, its case column).
COUNTED = {
    "datasets": (m.Dataset, m.Dataset.case_id),
    "shipments": (m.Shipment, m.Shipment.case_id),
    "firms": (m.CaseFirm, m.CaseFirm.case_id),
    "evidence": (m.Evidence, m.Evidence.case_id),
    "findings": (m.Finding, m.Finding.case_id),
    "relationships": (m.Relationship, m.Relationship.case_id),
    "hits": (m.ScreeningHit, m.ScreeningHit.case_id),
    "persons": (m.Person, m.Person.case_id),
}


def get_case(session: Session, *, ref: str) -> m.Case | None:
    """The case with this reference, else the one with this uid, else None."""
    case = session.exec(select(m.Case).where(m.Case.ref == ref)).first()
    if case is None:
        case = session.exec(select(m.Case).where(m.Case.uid == ref)).first()
    return case


def ref_taken(session: Session, *, ref: str) -> bool:
    """Whether a case already has this reference."""
    return session.exec(select(m.Case.id).where(m.Case.ref == ref)).first() is not None


def refs_starting(session: Session, *, prefix: str) -> list[str]:
    """The references that start with ``prefix``."""
    return list(session.exec(select(m.Case.ref).where(m.Case.ref.startswith(prefix))))


def case_ids(session: Session) -> list[int]:
    """The integer key of every case."""
    return list(session.exec(select(m.Case.id).order_by(m.Case.id)))


def add_case(session: Session, *, ref: str, **fields) -> m.Case:
    """A new case with this reference and fields (title, summary, status, priority, marking)."""
    case = m.Case(ref=ref, **fields)
    session.add(case)
    session.flush()
    return case


def update_case(session: Session, *, case: m.Case, changes: dict) -> m.Case:
    """Set some fields of a case and stamp it as updated now."""
    for name, value in changes.items():
        setattr(case, name, value)
    case.updated = m.utcnow()
    session.add(case)
    session.flush()
    return case


def delete_case(session: Session, *, case: m.Case) -> None:
    """Delete a case with its view settings and pinned figures (the caller checks it holds
    no data)."""
    delete_case_figures(session, case_id=case.id)
    delete_chart_positions(session, case_id=case.id)
    for setting in session.exec(select(m.CaseSetting).where(m.CaseSetting.case_id == case.id)):
        session.delete(setting)
    session.flush()  # no ORM relationship orders the two deletes: settings go first
    session.delete(case)
    session.flush()


def count_records(session: Session, *, case_id: int) -> dict[str, int]:
    """How many datasets, shipments, firms, evidence items, findings, relationships and hits
    the case holds. Shipments are summed from the rollups (kept in step by every writer):
    counting a million rows took a third of a second of opening the case (issue 18)."""
    counts = {
        name: session.exec(select(func.count()).select_from(model).where(column == case_id)).one()
        for name, (model, column) in COUNTED.items()
        if model is not m.Shipment
    }
    rolled = func.coalesce(func.sum(m.ShipmentRollup.shipments), 0)
    counts["shipments"] = session.exec(
        select(rolled).where(m.ShipmentRollup.case_id == case_id)
    ).one()
    return {name: counts[name] for name in COUNTED}


def refs_of_firm(session: Session, *, firm_uid: str) -> list[str]:
    """The references of the cases a firm takes part in, oldest case first."""
    query = (
        select(m.Case.ref)
        .join(m.CaseFirm, m.CaseFirm.case_id == m.Case.id)
        .join(m.Firm, m.Firm.id == m.CaseFirm.firm_id)
        .where(m.Firm.uid == firm_uid)
        .order_by(m.Case.id)
    )
    return list(session.exec(query))
