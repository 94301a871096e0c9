"""Sanctions lists in the store: versions with their entities (screening hits: ``store.hits``).

A load never replaces a list: it adds a ``ListVersion`` and its ``ListedEntity`` rows, so a
reviewed hit can still show the entry it was based on. Each entity carries a ``content_hash``
of what screening and review depend on (names, identifiers, countries, programmes); a review
carries over to a newer version only while that hash is unchanged.

Records come in duck-typed (any object with the ``ListedRecord`` attributes): the store sits
below ``ingest`` and does not import it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session

from casebook.core.errors import Cancelled
from casebook.store import models as m

CHUNK = 2000  # entity rows per executemany batch (and per progress/cancel check)


def content_hash(record: Any) -> str:
    """SHA-256 of a record's names, identifiers, countries and programmes (order ignored)."""
    body = {
        "name": record.name,
        "aliases": sorted(record.aliases or ()),
        "weak_aliases": sorted(record.weak_aliases or ()),
        "identifiers": {k: sorted(v) for k, v in sorted((record.identifiers or {}).items())},
        "countries": sorted(record.countries or ()),
        "programmes": sorted(record.programmes or ()),
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def entity_row(record: Any, *, version_id: int) -> dict:
    """The ``listedentity`` row of one record."""
    return {
        "version_id": version_id,
        "source_id": record.source_id,
        "kind": record.schema,
        "name": record.name,
        "aliases": list(record.aliases or ()),
        "weak_aliases": list(record.weak_aliases or ()),
        "identifiers": dict(record.identifiers or {}),
        "countries": list(record.countries or ()),
        "addresses": list(record.addresses or ()),
        "programmes": list(record.programmes or ()),
        "listed_on": record.listed_on,
        "remarks": record.remarks,
        "sublist": record.sublist,
        "screenable": bool(record.screenable),
        "content_hash": content_hash(record),
        "birth_dates": list(getattr(record, "birth_dates", None) or ()),
    }


# --- writing a version --------------------------------------------------------------------------


def get_list(session: Session, *, name: str) -> m.SanctionsList | None:
    """The list with exactly this name, or None."""
    return session.execute(select(m.SanctionsList).where(m.SanctionsList.name == name)).scalar()


def get_or_create_list(session: Session, *, name: str, fmt: str) -> m.SanctionsList:
    """The list with this name, created (with its format) when new."""
    found = get_list(session, name=name)
    if found is not None:
        return found
    created = m.SanctionsList(name=name, format=fmt)
    session.add(created)
    session.flush()
    return created


def next_version_number(session: Session, *, list_id: int) -> int:
    """One more than the list's highest version number."""
    query = select(func.max(m.ListVersion.number)).where(m.ListVersion.list_id == list_id)
    return (session.execute(query).scalar() or 0) + 1


def add_version(
    session: Session,
    *,
    parsed: Any,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[m.SanctionsList, m.ListVersion]:
    """Store a parsed list as the next version of its list (``name``, else the parsed list's
    own name), entities inserted in bulk."""
    sanctions_list = get_or_create_list(session, name=name or parsed.name, fmt=parsed.format)
    version = m.ListVersion(
        list_id=sanctions_list.id,
        number=next_version_number(session, list_id=sanctions_list.id),
        published=parsed.published,
        sha256=parsed.sha256,
        file_name=parsed.file_name,
        entities=parsed.entities,
        names=parsed.name_count,
    )
    session.add(version)
    session.flush()
    insert_entities(
        session,
        records=parsed.records,
        version_id=version.id,
        progress=progress,
        cancelled=cancelled,
    )
    return sanctions_list, version


def insert_entities(
    session: Session,
    *,
    records: Sequence[Any],
    version_id: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Insert the records of one version in executemany batches, checking for cancel between."""
    total = len(records)
    for start in range(0, total, CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled("list load cancelled")
        rows = [entity_row(r, version_id=version_id) for r in records[start : start + CHUNK]]
        session.execute(insert(m.ListedEntity), rows)
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    if progress is not None and not total:
        progress(0, 0)


# --- reading lists ------------------------------------------------------------------------------


def find_list(session: Session, *, name: str) -> m.SanctionsList | None:
    """The list with this name (exact, then case-insensitive), or None."""
    exact = session.execute(select(m.SanctionsList).where(m.SanctionsList.name == name)).scalar()
    if exact is not None:
        return exact
    folded = select(m.SanctionsList).where(func.lower(m.SanctionsList.name) == name.lower())
    return session.execute(folded).scalar()


def list_with_file(session: Session, *, sha256: str) -> m.SanctionsList | None:
    """The list that most recently had a version loaded from a file with this hash, or None."""
    query = (
        select(m.SanctionsList)
        .join(m.ListVersion, m.ListVersion.list_id == m.SanctionsList.id)
        .where(m.ListVersion.sha256 == sha256)
        .order_by(m.ListVersion.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar()


def newest_listing(session: Session, *, version_id: int) -> str | None:
    """The latest listing date (ISO) of any entry of one version, or None."""
    query = select(func.max(m.ListedEntity.listed_on)).where(
        m.ListedEntity.version_id == version_id
    )
    return session.execute(query).scalar()


def all_lists(session: Session) -> list[m.SanctionsList]:
    """Every list, by name."""
    return list(session.execute(select(m.SanctionsList).order_by(m.SanctionsList.name)).scalars())


def versions_of(session: Session, *, list_id: int) -> list[m.ListVersion]:
    """A list's versions, newest first."""
    query = (
        select(m.ListVersion)
        .where(m.ListVersion.list_id == list_id)
        .order_by(m.ListVersion.number.desc())
    )
    return list(session.execute(query).scalars())


def latest_version(session: Session, *, list_id: int) -> m.ListVersion | None:
    """The list's newest version, or None."""
    versions = versions_of(session, list_id=list_id)
    return versions[0] if versions else None


def record_counts(session: Session, *, version_ids: Iterable[int]) -> dict[int, int]:
    """How many entity rows (screened or not) each version holds."""
    ids = list(version_ids)
    if not ids:
        return {}
    query = (
        select(m.ListedEntity.version_id, func.count())
        .where(m.ListedEntity.version_id.in_(ids))
        .group_by(m.ListedEntity.version_id)
    )
    return dict(session.execute(query).all())


def screenable_entities(session: Session, *, version_id: int) -> list[m.ListedEntity]:
    """The entities of one version that are screened against firms, in load order."""
    query = (
        select(m.ListedEntity)
        .where(m.ListedEntity.version_id == version_id, m.ListedEntity.screenable.is_(True))
        .order_by(m.ListedEntity.id)
    )
    return list(session.execute(query).scalars())


def individual_entities(session: Session, *, version_id: int) -> list[m.ListedEntity]:
    """The individuals of one list version (persons are screened against these only)."""
    query = (
        select(m.ListedEntity)
        .where(m.ListedEntity.version_id == version_id, m.ListedEntity.kind == "individual")
        .order_by(m.ListedEntity.id)
    )
    return list(session.execute(query).scalars())


def latest_entities(session: Session, *, list_id: int) -> list[m.ListedEntity]:
    """Every entity of the list's newest version (empty for a list without versions)."""
    version = latest_version(session, list_id=list_id)
    if version is None:
        return []
    query = select(m.ListedEntity).where(m.ListedEntity.version_id == version.id)
    return list(session.execute(query.order_by(m.ListedEntity.id)).scalars())


# --- firms to screen ----------------------------------------------------------------------------


def case_firms(session: Session, *, case_id: int) -> list[m.Firm]:
    """The firms linked to a case (merged-away firms left out), by id."""
    query = (
        select(m.Firm)
        .join(m.CaseFirm, m.CaseFirm.firm_id == m.Firm.id)
        .where(m.CaseFirm.case_id == case_id, m.Firm.merged_into.is_(None))
        .order_by(m.Firm.id)
    )
    return list(session.execute(query).scalars())


def firm_identifiers(session: Session, *, firm_ids: Sequence[int]) -> dict[int, dict[str, list]]:
    """Every identifier of the firms, by firm id and scheme."""
    out: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    query = select(m.FirmIdentifier.firm_id, m.FirmIdentifier.scheme, m.FirmIdentifier.value)
    query = query.where(m.FirmIdentifier.firm_id.in_(firm_ids)).order_by(m.FirmIdentifier.id)
    for firm_id, scheme, value in session.execute(query):
        out[firm_id][scheme].append(value)
    return out


# --- versions and entries -----------------------------------------------------------------------


def latest_version_ids(session: Session) -> dict[int, int]:
    """The newest version id of every list, by list id."""
    newest = (
        select(m.ListVersion.list_id, func.max(m.ListVersion.number).label("number"))
        .group_by(m.ListVersion.list_id)
        .subquery()
    )
    query = select(m.ListVersion.list_id, m.ListVersion.id).join(
        newest,
        (newest.c.list_id == m.ListVersion.list_id) & (newest.c.number == m.ListVersion.number),
    )
    return dict(session.execute(query).all())


def entities_by_source(
    session: Session, *, version_id: int, source_ids: Iterable[str]
) -> dict[str, m.ListedEntity]:
    """Entities of one version by source id."""
    query = select(m.ListedEntity).where(
        m.ListedEntity.version_id == version_id, m.ListedEntity.source_id.in_(set(source_ids))
    )
    return {e.source_id: e for e in session.execute(query).scalars()}


def get_version(session: Session, *, version_id: int) -> m.ListVersion | None:
    """One version of a list by its integer key, or None."""
    return session.get(m.ListVersion, version_id)
