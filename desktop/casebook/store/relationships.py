"""Relationships between firms (ownership, supply, shared address …) in the store."""

from __future__ import annotations

from sqlmodel import Session, select

from casebook.store import models as m


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
