"""Relationships between firms (ownership, supply, shared address …) in the store."""

from __future__ import annotations

from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store.evidence import delete_links_to


def get_relationship(session: Session, *, uid: str) -> m.Relationship | None:
    """The relationship with this uid, or None."""
    return session.exec(select(m.Relationship).where(m.Relationship.uid == uid)).first()


def get_relationship_by_id(session: Session, *, relationship_id: int) -> m.Relationship | None:
    """The relationship with this integer key, or None."""
    return session.get(m.Relationship, relationship_id)


def end_names(session: Session, *, rel: m.Relationship) -> tuple[str | None, str | None]:
    """The names of the firms at both ends of a relationship (None for a firm now missing)."""
    first, second = session.get(m.Firm, rel.from_firm_id), session.get(m.Firm, rel.to_firm_id)
    return (first.name if first else None), (second.name if second else None)


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
