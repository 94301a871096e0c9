"""Persons of a case, their links to firms and persons, and person merges in the store.

A merge moves the other person's links to the kept one and marks the other merged; links keep
the person they were made with (``*_person_orig_id``), so a split puts them back without a list
of what moved. Aliases and identifiers the merge added are recorded in ``personmerge.moved``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, update
from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store.evidence import delete_links_to


def get_person(session: Session, *, uid: str) -> m.Person | None:
    """The person with this uid (merged or not), or None."""
    return session.exec(select(m.Person).where(m.Person.uid == uid)).first()


def get_person_by_id(session: Session, *, person_id: int) -> m.Person | None:
    return session.get(m.Person, person_id)


def case_ref(session: Session, *, person: m.Person) -> str:
    """The reference of the person's case."""
    return session.get(m.Case, person.case_id).ref


def list_persons(
    session: Session, *, case_id: int, merged: bool = False, ids: Sequence[int] | None = None
) -> list[m.Person]:
    """A case's persons by sort key (without those merged into others unless ``merged``)."""
    query = select(m.Person).where(m.Person.case_id == case_id)
    if not merged:
        query = query.where(m.Person.merged_into.is_(None))
    if ids is not None:
        query = query.where(m.Person.id.in_(list(ids)))
    return list(session.exec(query.order_by(m.Person.sort_key, m.Person.id)))


def add_person(session: Session, *, case_id: int, **fields) -> m.Person:
    person = m.Person(case_id=case_id, **fields)
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, *, person: m.Person, fields: dict) -> None:
    for name, value in fields.items():
        setattr(person, name, value)
    session.add(person)
    session.flush()


def same_person(
    session: Session,
    *,
    case_id: int,
    identifiers: dict,
    name_key: str | None,
    birth_date: str | None,
) -> m.Person | None:
    """The case's (unmerged) person with one of these identifiers, else with this name key and
    birth date (a person without a birth date matches only one without) and no identifier of
    the same scheme that differs (namesakes with two INNs are two people), or None."""
    people = list_persons(session, case_id=case_id)
    for person in people:
        if any(person.identifiers.get(k) == v for k, v in identifiers.items()):
            return person
    for person in people:
        if name_key and person.name_key == name_key and person.birth_date == birth_date:
            held = person.identifiers
            if not any(k in held and held[k] != v for k, v in identifiers.items()):
                return person
    return None


def person_references(session: Session, *, person_id: int) -> dict[str, int]:
    """How many rows name a person (links, hits, merges): deleting it waits for none."""

    def count(model, *conditions) -> int:
        return len(list(session.exec(select(model.id).where(or_(*conditions)))))

    return {
        "relationships": count(
            m.PersonLink,
            m.PersonLink.from_person_id == person_id,
            m.PersonLink.to_person_id == person_id,
        ),
        "screening hits": count(m.ScreeningHit, m.ScreeningHit.person_id == person_id),
        "merges": count(
            m.PersonMerge, m.PersonMerge.keep_id == person_id, m.PersonMerge.other_id == person_id
        ),
    }


def delete_person(session: Session, *, person: m.Person) -> None:
    """Delete a person no row names (and the evidence links to it)."""
    delete_links_to(session, target_kind="person", target_id=person.id)
    session.delete(person)
    session.flush()


# --- links ----------------------------------------------------------------------------------


def end_names(session: Session, *, link: m.PersonLink) -> tuple[str | None, str | None]:
    """The names at both ends of a link (None for a record now missing)."""
    return tuple(_end(session, *ends)[1] for ends in link_ends(link))


def link_ends(link: m.PersonLink) -> tuple[tuple[int | None, int | None], ...]:
    """((person id, firm id) of the from end, the same of the to end)."""
    return (link.from_person_id, link.from_firm_id), (link.to_person_id, link.to_firm_id)


def _end(session: Session, person_id: int | None, firm_id: int | None):
    """(kind, name, uid) of one end of a link."""
    row = session.get(m.Person, person_id) if person_id else session.get(m.Firm, firm_id)
    kind = "person" if person_id else "firm"
    return (kind, row.name, row.uid) if row else (kind, None, None)


def link_end(session: Session, person_id: int | None, firm_id: int | None) -> dict:
    """One end of a link: ``{kind, uid, name}``."""
    kind, name, uid = _end(session, person_id, firm_id)
    return {"kind": kind, "uid": uid, "name": name}


def add_link(session: Session, *, case_id: int, **fields) -> m.PersonLink:
    """Add a link; the orig ids remember the persons it was made with."""
    link = m.PersonLink(case_id=case_id, **fields)
    link.from_person_orig_id, link.to_person_orig_id = link.from_person_id, link.to_person_id
    session.add(link)
    session.flush()
    return link


def get_link(session: Session, *, uid: str) -> m.PersonLink | None:
    return session.exec(select(m.PersonLink).where(m.PersonLink.uid == uid)).first()


def same_link(session: Session, **ends) -> m.PersonLink | None:
    """A link with exactly these ends and kind (the import does not add one twice)."""
    query = select(m.PersonLink)
    for name, value in ends.items():
        column = getattr(m.PersonLink, name)
        query = query.where(column.is_(None) if value is None else column == value)
    return session.exec(query).first()


def list_links(
    session: Session, *, case_id: int, person_id: int | None = None, firm_id: int | None = None
) -> list[m.PersonLink]:
    """A case's person links (of one person or firm when given), oldest first."""
    query = select(m.PersonLink).where(m.PersonLink.case_id == case_id)
    if person_id is not None:
        query = query.where(
            or_(m.PersonLink.from_person_id == person_id, m.PersonLink.to_person_id == person_id)
        )
    if firm_id is not None:
        query = query.where(
            or_(m.PersonLink.from_firm_id == firm_id, m.PersonLink.to_firm_id == firm_id)
        )
    return list(session.exec(query.order_by(m.PersonLink.id)))


def update_link(session: Session, *, link: m.PersonLink, fields: dict) -> None:
    for name, value in fields.items():
        setattr(link, name, value)
    session.add(link)
    session.flush()


def delete_link(session: Session, *, link: m.PersonLink) -> None:
    delete_links_to(session, target_kind="personlink", target_id=link.id)
    session.delete(link)
    session.flush()


def firm_roles(session: Session, *, case_id: int) -> list[dict]:
    """Every person–firm link of a case as ``{person_id, person_uid, person_name, firm_id,
    firm_uid, firm_name, kind, share, start, end}`` (either direction), oldest first."""
    out = []
    for link in list_links(session, case_id=case_id):
        person_id = link.from_person_id or link.to_person_id
        firm_id = link.to_firm_id or link.from_firm_id
        if person_id is None or firm_id is None:
            continue
        person, firm = session.get(m.Person, person_id), session.get(m.Firm, firm_id)
        out.append(
            {
                "person_id": person.id,
                "person_uid": person.uid,
                "person_name": person.name,
                "firm_id": firm.id,
                "firm_uid": firm.uid,
                "firm_name": firm.name,
                "kind": link.kind,
                "share": link.share,
                "start": link.start,
                "end": link.end,
            }
        )
    return out


def confirmed_listings(session: Session, *, case_id: int) -> dict[int, list[dict]]:
    """The confirmed hits of a case's persons: person id → ``[{list, listed_uid, listed_name,
    programmes}]``."""
    query = (
        select(m.ScreeningHit.person_id, m.SanctionsList.name, m.ListedEntity)
        .join(m.ListedEntity, m.ListedEntity.id == m.ScreeningHit.entity_id)
        .join(m.ListVersion, m.ListVersion.id == m.ListedEntity.version_id)
        .join(m.SanctionsList, m.SanctionsList.id == m.ListVersion.list_id)
        .where(
            m.ScreeningHit.case_id == case_id,
            m.ScreeningHit.person_id.is_not(None),
            m.ScreeningHit.status == "confirmed",
        )
        .order_by(m.ScreeningHit.id)
    )
    out: dict[int, list[dict]] = {}
    for person_id, list_name, entity in session.exec(query):
        out.setdefault(person_id, []).append(
            {
                "list": list_name,
                "listed_uid": entity.source_id,
                "listed_name": entity.name,
                "programmes": list(entity.programmes or []),
            }
        )
    return out


# --- merges ---------------------------------------------------------------------------------


def merge_person_rows(
    session: Session, *, keep: m.Person, other: m.Person, actor: str
) -> m.PersonMerge:
    """Move ``other``'s links, aliases and identifiers to ``keep``; mark ``other`` merged."""
    added_aliases = [
        a for a in [other.name, *other.aliases] if a != keep.name and a not in keep.aliases
    ]
    added_ids = {k: v for k, v in other.identifiers.items() if k not in keep.identifiers}
    keep.aliases = [*keep.aliases, *added_aliases]
    keep.identifiers = {**keep.identifiers, **added_ids}
    filled = [
        f
        for f in ("native_name", "birth_date", "nationality")
        if getattr(keep, f) is None and getattr(other, f) is not None
    ]
    for field in filled:
        setattr(keep, field, getattr(other, field))
    for column in ("from_person_id", "to_person_id"):
        col = getattr(m.PersonLink, column)
        session.execute(update(m.PersonLink).where(col == other.id).values({column: keep.id}))
    session.execute(
        update(m.ScreeningHit).where(m.ScreeningHit.person_id == other.id).values(person_id=keep.id)
    )
    other.merged_into = keep.id
    record = m.PersonMerge(
        keep_id=keep.id,
        other_id=other.id,
        moved={"aliases": added_aliases, "identifiers": added_ids, "filled": filled},
        actor=actor,
    )
    session.add_all([keep, other, record])
    session.flush()
    return record


def merges_into(session: Session, *, case_id: int) -> dict[int, int]:
    """Person id -> how many merges not undone went into that person, for a case's persons."""
    query = (
        select(m.PersonMerge.keep_id)
        .join(m.Person, m.Person.id == m.PersonMerge.keep_id)
        .where(m.Person.case_id == case_id, m.PersonMerge.undone.is_(None))
    )
    counts: dict[int, int] = {}
    for keep_id in session.exec(query):
        counts[keep_id] = counts.get(keep_id, 0) + 1
    return counts


def latest_merge(session: Session, *, person: m.Person) -> m.PersonMerge | None:
    """The newest merge not undone that merged this person away (or into it)."""
    column = m.PersonMerge.other_id if person.merged_into else m.PersonMerge.keep_id
    query = select(m.PersonMerge).where(column == person.id, m.PersonMerge.undone.is_(None))
    return session.exec(query.order_by(m.PersonMerge.id.desc())).first()


def split_person_rows(session: Session, *, merge: m.PersonMerge) -> tuple[m.Person, m.Person]:
    """Undo a merge: links made with the other person, and what it brought, go back."""
    keep = session.get(m.Person, merge.keep_id)
    other = session.get(m.Person, merge.other_id)
    for column, orig in (
        ("from_person_id", m.PersonLink.from_person_orig_id),
        ("to_person_id", m.PersonLink.to_person_orig_id),
    ):
        session.execute(update(m.PersonLink).where(orig == other.id).values({column: other.id}))
    moved = merge.moved or {}
    keep.aliases = [a for a in keep.aliases if a not in moved.get("aliases", [])]
    identifiers = moved.get("identifiers", {})
    keep.identifiers = {k: v for k, v in keep.identifiers.items() if k not in identifiers}
    for field in moved.get("filled", []):
        setattr(keep, field, None)
    other.merged_into = None
    merge.undone = m.utcnow()
    session.add_all([keep, other, merge])
    session.flush()
    return keep, other
