"""Firms in bulk: lookups for resolution, inserts of firms, aliases and identifiers, listings,
and what deleting one removes or is blocked by.

Plain rows in and out (no ORM objects), so an import of thousands of firms stays fast; the
merge and split bookkeeping lives here too, recorded in ``firmmerge.moved``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_
from sqlmodel import Session, select

from casebook.store import models as m
from casebook.store import rollups
from casebook.store.backend import raw_connection
from casebook.store.evidence import delete_links_to
from casebook.store.sqlite import timestamp

CHUNK = 500  # parameters per IN (...) list


def _chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def canonical_ids(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """Each firm id mapped to the firm it was merged into (itself when not merged)."""
    conn = raw_connection(session)
    result = {}
    for part in _chunks(sorted(set(ids))):
        for fid, merged in conn.execute(
            f"SELECT id, merged_into FROM firm WHERE id IN ({_marks(len(part))})", part
        ):
            result[fid] = merged
    resolved = {}
    for fid in result:
        seen, current = {fid}, fid
        while result.get(current):
            current = result[current]
            if current in seen:
                break
            seen.add(current)
            if current not in result:
                result.update(canonical_ids(session, [current]))
        resolved[fid] = current
    return resolved


def creates_cycle(session: Session, *, firm_id: int, into_id: int) -> bool:
    """Whether marking ``firm_id`` merged into ``into_id`` would close a loop of merges (or
    ``into_id``'s chain already loops): a loop hides every firm on it from every list."""
    conn = raw_connection(session)
    seen: set[int] = set()
    current: int | None = into_id
    while current is not None:
        if current == firm_id or current in seen:
            return True
        seen.add(current)
        row = conn.execute("SELECT merged_into FROM firm WHERE id = ?", (current,)).fetchone()
        current = row[0] if row else None
    return False


def set_merged_into(session: Session, *, firm_id: int, into_id: int) -> None:
    """Mark a firm merged into another (no rows move): a bundle's record of a merge made
    elsewhere, for a firm the bundle itself created."""
    if firm_id == into_id or creates_cycle(session, firm_id=firm_id, into_id=into_id):
        from casebook.core.errors import Refused

        raise Refused("the merge would make a loop of merged firms")
    raw_connection(session).execute(
        "UPDATE firm SET merged_into = ? WHERE id = ?", (into_id, firm_id)
    )


def firms_by_uid(session: Session, *, uids: Sequence[str]) -> dict[str, dict]:
    """{uid: {id, name, country, merged_into}} of the firms with these uids."""
    conn = raw_connection(session)
    found = {}
    for part in _chunks(list(uids)):
        for fid, uid, name, country, merged in conn.execute(
            f"SELECT id, uid, name, country, merged_into FROM firm WHERE uid IN ({_marks(len(part))})",
            part,
        ):
            found[uid] = {"id": fid, "name": name, "country": country, "merged_into": merged}
    return found


def uids_of(session: Session, *, ids: Iterable[int]) -> dict[int, str]:
    """{id: uid} of these firms."""
    conn = raw_connection(session)
    found = {}
    for part in _chunks(sorted(set(ids))):
        cursor = conn.execute(f"SELECT id, uid FROM firm WHERE id IN ({_marks(len(part))})", part)
        found.update(cursor.fetchall())
    return found


def identifier_owners(
    session: Session, *, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """{(scheme, value): the first firm holding it} for these identifiers."""
    conn = raw_connection(session)
    by_scheme: dict[str, set[str]] = {}
    for scheme, value in pairs:
        by_scheme.setdefault(scheme, set()).add(value)
    found: dict[tuple[str, str], int] = {}
    for scheme, values in by_scheme.items():
        for part in _chunks(sorted(values)):
            cursor = conn.execute(
                "SELECT value, min(firm_id) FROM firmidentifier "
                f"WHERE scheme = ? AND value IN ({_marks(len(part))}) GROUP BY value",
                (scheme, *part),
            )
            found.update(((scheme, value), fid) for value, fid in cursor)
    return found


def live_firms_by_name_key(
    session: Session, *, keys: Iterable[str]
) -> dict[str, list[tuple[int, str | None]]]:
    """{name key: [(id, country)]} of live firms with that name key, oldest first."""
    conn = raw_connection(session)
    found: dict[str, list] = {}
    for part in _chunks(sorted(set(keys))):
        cursor = conn.execute(
            f"SELECT name_key, id, country FROM firm WHERE name_key IN ({_marks(len(part))}) "
            "AND merged_into IS NULL ORDER BY id",
            part,
        )
        for key, fid, country in cursor:
            found.setdefault(key, []).append((fid, country))
    return found


def insert_firms_with_uids(session: Session, *, rows: Sequence[dict]) -> dict[str, int]:
    """Insert firms with the uids given (a bundle's, or an import's new ones) in one batch;
    returns {uid: id}."""
    columns = ("uid", "name", "native_name", "country", "address", "name_key", "sort_key",
               "created")  # fmt: skip
    now = timestamp()
    conn = raw_connection(session)
    conn.executemany(
        f"INSERT INTO firm ({', '.join(columns)}) VALUES ({_marks(len(columns))})",
        [
            tuple(row.get(c) for c in columns[:-1])
            + ((timestamp(row["created"]) if row.get("created") else now),)
            for row in rows
        ],
    )
    return {uid: found["id"] for uid, found in firms_by_uid(
        session, uids=[row["uid"] for row in rows]).items()}  # fmt: skip


def case_firm_roles(session: Session, *, case_id: int, ids: Iterable[int]) -> dict[int, str | None]:
    """{firm id: role} of these firms' links to a case."""
    conn = raw_connection(session)
    found: dict[int, str | None] = {}
    for part in _chunks(sorted(set(ids))):
        cursor = conn.execute(
            f"SELECT firm_id, role FROM casefirm WHERE case_id = ? AND firm_id IN ({_marks(len(part))})",
            (case_id, *part),
        )
        found.update(cursor.fetchall())
    return found


def set_case_roles(session: Session, *, case_id: int, roles: dict[str, str]) -> dict[str, dict]:
    """Give firms (by uid) these roles in a case; returns ``{uid: {before, after}}`` of the
    roles that changed (firms not in the case are left out)."""
    conn = raw_connection(session)
    cursor = conn.execute(
        "SELECT l.id, f.uid, l.role FROM casefirm AS l JOIN firm AS f ON f.id = l.firm_id "
        "WHERE l.case_id = ? ORDER BY l.id",
        (case_id,),
    )
    changed = {
        uid: (link_id, {"before": role, "after": roles[uid]})
        for link_id, uid, role in cursor.fetchall()
        if uid in roles and role != roles[uid]
    }
    conn.executemany(
        "UPDATE casefirm SET role = ? WHERE id = ?",
        [(change["after"], link_id) for link_id, change in changed.values()],
    )
    return {uid: change for uid, (_, change) in changed.items()}


def insert_case_firms(
    session: Session, *, case_id: int, rows: Iterable[tuple[int, str | None, str]]
) -> None:
    """Link (firm id, role, notes) to a case."""
    raw_connection(session).executemany(
        "INSERT INTO casefirm (case_id, firm_id, role, notes) VALUES (?, ?, ?, ?)",
        [(case_id, fid, role, notes) for fid, role, notes in rows],
    )


def firms_by_identifier(session: Session, *, pairs: Iterable[tuple[str, str]]) -> list[int]:
    """Ids of firms holding any of these (scheme, value) identifiers."""
    conn = raw_connection(session)
    by_scheme: dict[str, list[str]] = {}
    for scheme, value in pairs:
        by_scheme.setdefault(scheme, []).append(value)
    found: set[int] = set()
    for scheme, values in by_scheme.items():
        for part in _chunks(sorted(set(values))):
            cursor = conn.execute(
                "SELECT firm_id FROM firmidentifier "
                f"WHERE scheme = ? AND value IN ({_marks(len(part))})",
                (scheme, *part),
            )
            found.update(fid for (fid,) in cursor)
    return sorted(found)


def firms_by_key(session: Session, *, keys: Iterable[str]) -> list[int]:
    """Ids of firms with an alias (or name) of any of these name keys."""
    conn = raw_connection(session)
    found: set[int] = set()
    for part in _chunks(sorted(set(keys))):
        marks = _marks(len(part))
        cursor = conn.execute(
            f"SELECT firm_id FROM firmalias WHERE name_key IN ({marks}) "
            f"UNION SELECT id FROM firm WHERE name_key IN ({marks})",
            (*part, *part),
        )
        found.update(fid for (fid,) in cursor)
    return sorted(found)


def firm_facts(session: Session, *, ids: Iterable[int]) -> dict[int, dict]:
    """Country, identifiers and name keys of live firms, by id."""
    conn = raw_connection(session)
    facts: dict[int, dict] = {}
    for part in _chunks(sorted(set(ids))):
        marks = _marks(len(part))
        for fid, country, key in conn.execute(
            f"SELECT id, country, name_key FROM firm WHERE id IN ({marks}) AND merged_into IS NULL",
            part,
        ):
            facts[fid] = {"country": country, "identifiers": {}, "keys": {key} if key else set()}
        for fid, scheme, value in conn.execute(
            f"SELECT firm_id, scheme, value FROM firmidentifier WHERE firm_id IN ({marks})", part
        ):
            if fid in facts:
                facts[fid]["identifiers"].setdefault(scheme, value)
        for fid, key in conn.execute(
            f"SELECT firm_id, name_key FROM firmalias WHERE firm_id IN ({marks})", part
        ):
            if fid in facts and key:
                facts[fid]["keys"].add(key)
    return facts


def all_alias_keys(session: Session) -> list[tuple[int, str, str | None]]:
    """(firm id, name key, country) of every live firm's aliases, for near-match blocking."""
    cursor = raw_connection(session).execute(
        "SELECT DISTINCT a.firm_id, a.name_key, f.country FROM firmalias AS a "
        "JOIN firm AS f ON f.id = a.firm_id WHERE f.merged_into IS NULL AND a.name_key IS NOT NULL"
    )
    return cursor.fetchall()


def insert_aliases(
    session: Session, *, rows: Iterable[tuple[int, str, str | None, str | None]]
) -> int:
    """Add (firm id, name, name key, country) aliases not yet recorded; returns the new count."""
    cursor = raw_connection(session).executemany(
        "INSERT INTO firmalias (firm_id, name, name_key, country) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        list(rows),
    )
    return max(cursor.rowcount, 0)


def insert_identifiers(session: Session, *, rows: Iterable[tuple[int, str, str]]) -> None:
    """Add (firm id, scheme, value) identifiers not yet recorded."""
    raw_connection(session).executemany(
        "INSERT INTO firmidentifier (firm_id, scheme, value) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        list(rows),
    )


def link_case_firms(session: Session, *, case_id: int, roles: dict[int, str]) -> None:
    """Link firms to a case with a role, leaving existing links (and their notes) alone."""
    raw_connection(session).executemany(
        "INSERT INTO casefirm (case_id, firm_id, role, notes) VALUES (?, ?, ?, '') "
        "ON CONFLICT DO NOTHING",
        [(case_id, fid, role) for fid, role in roles.items()],
    )


def insert_suggestions(
    session: Session,
    *,
    case_id: int,
    dataset_id: int | None,
    rows: Iterable[tuple[int, int, float, str]],
) -> int:
    """Record open merge suggestions (firm a < firm b); returns how many were new."""
    now = timestamp()
    cursor = raw_connection(session).executemany(
        "INSERT INTO mergesuggestion "
        "(case_id, dataset_id, firm_a_id, firm_b_id, score, reason, status, created) "
        "VALUES (?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING",
        [
            (case_id, dataset_id, min(a, b), max(a, b), score, reason, now)
            for a, b, score, reason in rows
            if a != b
        ],
    )
    return max(cursor.rowcount, 0)


# --- listings ---------------------------------------------------------------------------------

_FIRM_COLUMNS = "f.id, f.uid, f.name, f.native_name, f.country, f.address, f.merged_into"


def firm_by_uid(session: Session, *, uid: str) -> dict | None:
    """One firm (merged or not) as a dict, or None."""
    conn = raw_connection(session)
    cursor = conn.execute(f"SELECT {_FIRM_COLUMNS} FROM firm AS f WHERE f.uid = ?", (uid,))
    row = cursor.fetchone()
    return _firm_dict(row) if row else None


def firm_by_id(session: Session, *, firm_id: int) -> dict | None:
    """One firm (merged or not) by its integer key, as a dict, or None."""
    conn = raw_connection(session)
    cursor = conn.execute(f"SELECT {_FIRM_COLUMNS} FROM firm AS f WHERE f.id = ?", (firm_id,))
    row = cursor.fetchone()
    return _firm_dict(row) if row else None


def _firm_dict(row: tuple) -> dict:
    keys = ("id", "uid", "name", "native_name", "country", "address", "merged_into")
    return dict(zip(keys, row, strict=True))


def firm_rows(session: Session, *, case_id: int | None = None) -> list[dict]:
    """Live firms (of a case, or all), in sort-key order."""
    conn = raw_connection(session)
    if case_id is None:
        cursor = conn.execute(
            f"SELECT {_FIRM_COLUMNS} FROM firm AS f WHERE f.merged_into IS NULL "
            "ORDER BY f.sort_key, f.id"
        )
    else:
        cursor = conn.execute(
            f"SELECT {_FIRM_COLUMNS} FROM firm AS f JOIN casefirm AS c ON c.firm_id = f.id "
            "WHERE c.case_id = ? AND f.merged_into IS NULL ORDER BY f.sort_key, f.id",
            (case_id,),
        )
    return [_firm_dict(row) for row in cursor]


def identifiers_of(session: Session, *, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """{firm id: {scheme: value}} (the first value of a scheme when a firm holds two)."""
    found: dict[int, dict[str, str]] = {}
    for part in _chunks(list(ids)):
        cursor = raw_connection(session).execute(
            f"SELECT firm_id, scheme, value FROM firmidentifier WHERE firm_id IN ({_marks(len(part))}) "
            "ORDER BY id",
            part,
        )
        for fid, scheme, value in cursor:
            found.setdefault(fid, {}).setdefault(scheme, value)
    return found


def aliases_of(session: Session, *, ids: Sequence[int]) -> dict[int, list[str]]:
    """{firm id: [every spelling]} in the order first seen."""
    found: dict[int, list[str]] = {}
    for part in _chunks(list(ids)):
        cursor = raw_connection(session).execute(
            f"SELECT firm_id, name FROM firmalias WHERE firm_id IN ({_marks(len(part))}) ORDER BY id",
            part,
        )
        for fid, name in cursor:
            found.setdefault(fid, []).append(name)
    return found


def shipment_totals(
    session: Session, *, case_id: int | None = None
) -> dict[int, tuple[int, float]]:
    """{firm id: (shipments as exporter or importer, their USD value)} in a case or overall."""
    return rollups.firm_totals(session, case_id=case_id)


def listed_ids(session: Session, *, ids: Sequence[int]) -> set[int]:
    """Firms with a confirmed screening hit."""
    found: set[int] = set()
    for part in _chunks(list(ids)):
        cursor = raw_connection(session).execute(
            f"SELECT DISTINCT firm_id FROM screeninghit WHERE status = 'confirmed' "
            f"AND firm_id IN ({_marks(len(part))})",
            part,
        )
        found.update(fid for (fid,) in cursor)
    return found


def case_roles(session: Session, *, firm_id: int) -> list[dict]:
    """The cases a firm is part of, with its role there."""
    cursor = raw_connection(session).execute(
        'SELECT c.ref, l.role FROM casefirm AS l JOIN "case" AS c ON c.id = l.case_id '
        "WHERE l.firm_id = ? ORDER BY c.ref",
        (firm_id,),
    )
    return [{"case": ref, "role": role} for ref, role in cursor]


def suggestions_of(session: Session, *, firm_id: int) -> list[dict]:
    """Open merge suggestions that involve a firm: the other firm, score and reason."""
    cursor = raw_connection(session).execute(
        "SELECT s.id, s.score, s.reason, o.uid, o.name FROM mergesuggestion AS s "
        "JOIN firm AS o ON o.id = CASE WHEN s.firm_a_id = ? THEN s.firm_b_id ELSE s.firm_a_id END "
        "WHERE s.status = 'open' AND (s.firm_a_id = ? OR s.firm_b_id = ?) "
        "ORDER BY s.score DESC, s.id",
        (firm_id, firm_id, firm_id),
    )
    return [
        {"id": sid, "firm_uid": uid, "firm_name": name, "score": score, "reason": reason}
        for sid, score, reason, uid, name in cursor
    ]


def shipment_countries(session: Session, *, firm_id: int) -> dict[str, list[str]]:
    """The countries a firm's shipments leave from (as exporter) and arrive in (as importer):
    one firm may ship from several countries (a trader's transit points)."""
    found: dict[str, list[str]] = {}
    for role, column in (("exporter_id", "dispatch"), ("importer_id", "destination")):
        cursor = raw_connection(session).execute(
            f"SELECT DISTINCT {column} FROM shipment WHERE {role} = ? AND {column} IS NOT NULL "
            f"ORDER BY {column}",
            (firm_id,),
        )
        found[f"{column}_countries"] = [country for (country,) in cursor]
    return found


# --- deleting a firm --------------------------------------------------------------------------


def _count(session: Session, model, *conditions) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def _relationships_of(firm_id: int):
    return or_(m.Relationship.from_firm_id == firm_id, m.Relationship.to_firm_id == firm_id)


def _person_links_of(firm_id: int):
    return or_(m.PersonLink.from_firm_id == firm_id, m.PersonLink.to_firm_id == firm_id)


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
        "relationships": _count(session, m.Relationship, _relationships_of(firm_id))
        + _count(session, m.PersonLink, _person_links_of(firm_id)),
    }
    return blocking, dependent


def delete_firm(session: Session, *, firm_id: int) -> None:
    """Delete a firm with its aliases, identifiers, case roles, merge suggestions,
    relationships and the evidence links to it and to them."""
    rels = list(session.exec(select(m.Relationship).where(_relationships_of(firm_id))))
    for rel in rels:
        delete_links_to(session, target_kind="relationship", target_id=rel.id)
    people = list(session.exec(select(m.PersonLink).where(_person_links_of(firm_id))))
    for link in people:
        delete_links_to(session, target_kind="personlink", target_id=link.id)
    rels += people
    delete_links_to(session, target_kind="firm", target_id=firm_id)
    children = [
        select(m.FirmAlias).where(m.FirmAlias.firm_id == firm_id),
        select(m.FirmIdentifier).where(m.FirmIdentifier.firm_id == firm_id),
        select(m.CaseFirm).where(m.CaseFirm.firm_id == firm_id),
        select(m.MergeSuggestion).where(
            or_(m.MergeSuggestion.firm_a_id == firm_id, m.MergeSuggestion.firm_b_id == firm_id)
        ),
    ]
    for row in rels + [r for query in children for r in session.exec(query)]:
        session.delete(row)
    session.flush()
    session.delete(session.get(m.Firm, firm_id))
    session.flush()
