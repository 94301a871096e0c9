"""Screening hits in the store: a case's firms matched to listed entries, and their reviews.

A hit on an entry whose content is unchanged in a newer version of its list keeps its review;
see ``save_hits``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlmodel import Session

from casebook.store import models as m

REVIEWED = ("confirmed", "dismissed")


def list_hits_of(session: Session, *, case_id: int, list_id: int) -> list[tuple]:
    """(hit, entity source id, entity content hash) of a case's hits on any version of a list."""
    query = (
        select(m.ScreeningHit, m.ListedEntity.source_id, m.ListedEntity.content_hash)
        .join(m.ListedEntity, m.ListedEntity.id == m.ScreeningHit.entity_id)
        .join(m.ListVersion, m.ListVersion.id == m.ListedEntity.version_id)
        .where(m.ScreeningHit.case_id == case_id, m.ListVersion.list_id == list_id)
        .order_by(m.ScreeningHit.id)
    )
    return [tuple(row) for row in session.execute(query)]


def save_hits(
    session: Session,
    *,
    case_id: int,
    list_id: int,
    found: Sequence[dict],
    firm_ids: Sequence[int],
    person_ids: Sequence[int] = (),
) -> list[int]:
    """Store one screen's hits on one list; returns their ids.

    ``found`` holds dicts with ``firm_id`` (or ``person_id``), ``entity_id``, ``source_id``, ``content_hash``,
    ``score``, ``firm_name``, ``matched_name`` and ``reasons``. A hit on an entry whose content is
    unchanged updates the earlier hit and keeps its review; a changed entry gets a fresh,
    unreviewed hit (the reviewed one stays, on the entry it was based on). Unreviewed hits of
    the screened firms that this screen did not find again are removed.
    """
    earlier: dict[tuple, m.ScreeningHit] = {}
    for hit, source_id, digest in list_hits_of(session, case_id=case_id, list_id=list_id):
        earlier[(hit.firm_id, hit.person_id, source_id, digest)] = hit  # later ids win
    kept = [_save_hit(session, case_id=case_id, earlier=earlier, item=item) for item in found]
    session.flush()
    ids = [hit.id for hit in kept]
    screened = {("firm", i) for i in firm_ids} | {("person", i) for i in person_ids}
    _drop_stale(session, earlier=earlier.values(), keep=set(ids), screened=screened)
    return ids


def _save_hit(session: Session, *, case_id: int, earlier: dict, item: dict) -> m.ScreeningHit:
    """Update the earlier hit on the same unchanged entry, or add a new one."""
    fields = {k: item[k] for k in ("entity_id", "score", "firm_name", "matched_name")}
    fields["reasons"] = list(item["reasons"])
    subject = {"firm_id": item.get("firm_id"), "person_id": item.get("person_id")}
    hit = earlier.get((*subject.values(), item["source_id"], item["content_hash"]))
    if hit is None:
        hit = m.ScreeningHit(case_id=case_id, **subject, **fields)
    else:
        for name, value in fields.items():
            setattr(hit, name, value)
    session.add(hit)
    return hit


def _drop_stale(session: Session, *, earlier, keep: set[int], screened: set[tuple]) -> None:
    """Delete unreviewed hits of the screened firms and persons that the new screen did not
    reproduce."""
    stale = [
        h.id
        for h in earlier
        if h.id not in keep
        and h.status not in REVIEWED
        and (("firm", h.firm_id) in screened or ("person", h.person_id) in screened)
    ]
    if stale:
        session.execute(delete(m.ScreeningHit).where(m.ScreeningHit.id.in_(stale)))


def hit_rows(
    session: Session,
    *,
    case_id: int | None = None,
    hit_ids: Sequence[int] | None = None,
    status: str | None = None,
) -> list[tuple]:
    """(hit, firm, entity, version, list) rows, by firm name then score."""
    return _subject_hit_rows(
        session, m.Firm, m.ScreeningHit.firm_id, case_id=case_id, hit_ids=hit_ids, status=status
    )


def person_hit_rows(
    session: Session,
    *,
    case_id: int | None = None,
    hit_ids: Sequence[int] | None = None,
    status: str | None = None,
) -> list[tuple]:
    """(hit, person, entity, version, list) rows of hits on persons, by name then score."""
    return _subject_hit_rows(
        session, m.Person, m.ScreeningHit.person_id, case_id=case_id, hit_ids=hit_ids,
        status=status,
    )  # fmt: skip


def _subject_hit_rows(session: Session, subject, subject_id, *, case_id, hit_ids, status):
    """(hit, subject, entity, version, list) rows of hits on ``subject`` (Firm or Person,
    joined on ``subject_id``), by the subject's sort key then score."""
    query = (
        select(m.ScreeningHit, subject, m.ListedEntity, m.ListVersion, m.SanctionsList)
        .join(subject, subject.id == subject_id)
        .join(m.ListedEntity, m.ListedEntity.id == m.ScreeningHit.entity_id)
        .join(m.ListVersion, m.ListVersion.id == m.ListedEntity.version_id)
        .join(m.SanctionsList, m.SanctionsList.id == m.ListVersion.list_id)
    )
    if case_id is not None:
        query = query.where(m.ScreeningHit.case_id == case_id)
    if hit_ids is not None:
        query = query.where(m.ScreeningHit.id.in_(list(hit_ids)))
    if status is not None:
        query = query.where(m.ScreeningHit.status == status)
    query = query.order_by(
        subject.sort_key, subject.id, m.ScreeningHit.score.desc(), m.ScreeningHit.id
    )
    return [tuple(row) for row in session.execute(query)]


def confirmed_hits(session: Session, *, firm_ids: Sequence[int]) -> list[tuple]:
    """(firm id, list, source id) of every confirmed hit of the firms, in any case."""
    query = (
        select(m.ScreeningHit.firm_id, m.SanctionsList, m.ListedEntity.source_id)
        .join(m.ListedEntity, m.ListedEntity.id == m.ScreeningHit.entity_id)
        .join(m.ListVersion, m.ListVersion.id == m.ListedEntity.version_id)
        .join(m.SanctionsList, m.SanctionsList.id == m.ListVersion.list_id)
        .where(m.ScreeningHit.firm_id.in_(list(firm_ids)), m.ScreeningHit.status == "confirmed")
        .order_by(m.ScreeningHit.id)
    )
    return [tuple(row) for row in session.execute(query)]


def set_review(
    session: Session, *, hit: m.ScreeningHit, status: str, note: str, actor: str
) -> None:
    """Record an analyst's review of a hit."""
    hit.status, hit.note = status, note
    hit.reviewed_by, hit.reviewed_at = actor, m.utcnow()
    session.add(hit)
    session.flush()
