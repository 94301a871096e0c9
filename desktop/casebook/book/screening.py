"""Facade section: sanctions lists loaded from files, screening a case's firms, reviewing hits.

A screen reads in a read session, matches without holding the write lock, then stores its hits
in one short write. A review survives re-screening against newer versions of a list while the
listed entry's content hash is unchanged (see ``store.hits.save_hits``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from casebook.book.cases import find_case, iso
from casebook.core.domain import HIT_STATUSES, SCREENING_THRESHOLD
from casebook.core.errors import Cancelled, NotFound, Refused, UsageError
from casebook.store import audit as audit_store
from casebook.store import firms as firm_store
from casebook.store import hits as hit_store
from casebook.store import lists as store
from casebook.store import models as m

if TYPE_CHECKING:
    from casebook.analysis.screening import Candidate
    from casebook.ingest.lists.model import ListedRecord

REVIEW_STATUSES = ("confirmed", "dismissed")
Progress = Callable[[int, int], None]


@dataclass
class _Target:
    """One list version to screen against, with its screenable entities."""

    sanctions_list: m.SanctionsList
    version: m.ListVersion
    entities: list[m.ListedEntity] = field(default_factory=list)
    individuals: list[m.ListedEntity] = field(default_factory=list)  # persons' counterparts


# --- JSON shapes --------------------------------------------------------------------------------


def load_json(
    sanctions_list: m.SanctionsList,
    version: m.ListVersion,
    *,
    records: int,
    replaces: m.ListVersion | None = None,
) -> dict:
    """The ``lists load`` shape (DESIGN.md), with the number of records stored and the version
    it replaces in screening (``replaces``: number and publication date, or None)."""
    replaced = (
        None if replaces is None else {"version": replaces.number, "published": replaces.published}
    )
    return {
        "list": sanctions_list.name,
        "version": version.number,
        "format": sanctions_list.format,
        "published": version.published,
        "entities": version.entities,
        "names": version.names,
        "records": records,
        "replaces": replaced,
    }


def version_json(version: m.ListVersion, *, records: int) -> dict:
    """One loaded version of a list."""
    return {
        "version": version.number,
        "published": version.published,
        "loaded": iso(version.loaded),
        "file_name": version.file_name,
        "sha256": version.sha256,
        "entities": version.entities,
        "names": version.names,
        "records": records,
    }


def list_json(sanctions_list: m.SanctionsList, versions: list[dict]) -> dict:
    """A list with its newest version's figures up front and every version below."""
    latest = versions[0] if versions else {}
    return {
        "name": sanctions_list.name,
        "format": sanctions_list.format,
        "version": latest.get("version"),
        "published": latest.get("published"),
        "loaded": latest.get("loaded"),
        "entities": latest.get("entities", 0),
        "names": latest.get("names", 0),
        "records": latest.get("records", 0),
        "versions": versions,
    }


def hit_json(
    hit: m.ScreeningHit,
    subject: m.Firm | m.Person,
    entity: m.ListedEntity,
    version: m.ListVersion,
    sanctions_list: m.SanctionsList,
) -> dict:
    """The ``screen`` hit shape of DESIGN.md: the subject (a firm or a person) that matched,
    and for a firm its ``firm_*`` fields (null for a person)."""
    firm = subject if isinstance(subject, m.Firm) else None
    return {
        "id": hit.id,
        "subject_kind": "firm" if firm else "person",
        "subject_uid": subject.uid,
        "subject_name": subject.name,
        "subject_matched_name": hit.firm_name,
        "firm_uid": firm.uid if firm else None,
        "firm_name": firm.name if firm else None,
        "firm_matched_name": hit.firm_name if firm else None,
        "list": sanctions_list.name,
        "version": version.number,
        "listed_uid": entity.source_id,
        "listed_name": entity.name,
        "matched_name": hit.matched_name,
        "programmes": list(entity.programmes or []),
        "score": round(hit.score, 4),
        "reasons": list(hit.reasons or []),
        "status": hit.status,
    }


def hit_detail(row: tuple, *, current: bool) -> dict:
    """A hit with its review and whether it is on its list's newest version."""
    hit = row[0]
    return hit_json(*row) | {
        "note": hit.note,
        "reviewed_by": hit.reviewed_by,
        "reviewed_at": iso(hit.reviewed_at),
        "current": current,
    }


# --- conversions --------------------------------------------------------------------------------


def record_of(entity: m.ListedEntity) -> ListedRecord:
    """A stored entity as the record the matcher reads."""
    from casebook.ingest.lists.model import ListedRecord

    return ListedRecord(
        source_id=entity.source_id,
        schema=entity.kind,
        name=entity.name,
        aliases=list(entity.aliases or []),
        weak_aliases=list(entity.weak_aliases or []),
        identifiers={k: list(v) for k, v in (entity.identifiers or {}).items()},
        countries=list(entity.countries or []),
        programmes=list(entity.programmes or []),
        birth_dates=list(entity.birth_dates or []),
        screenable=entity.screenable,
    )


def candidate_of(firm: m.Firm, *, aliases: list[str], identifiers: dict[str, list]) -> Candidate:
    """A firm as the matcher's candidate: its name, native name and aliases, identifiers."""
    from casebook.analysis.screening import Candidate

    names = [n for n in (firm.native_name, *aliases) if n and n != firm.name]
    return Candidate(
        key=firm.id,
        name=firm.name,
        aliases=list(dict.fromkeys(names)),
        country=firm.country,
        identifiers={scheme: values[0] for scheme, values in identifiers.items() if values},
    )


def clean_threshold(threshold: float | None) -> float:
    """The threshold to use: the default, or a number from 0 to 1."""
    if threshold is None:
        return SCREENING_THRESHOLD
    if not 0.0 <= float(threshold) <= 1.0:
        raise UsageError(f"threshold {threshold} is not between 0.0 and 1.0")
    return float(threshold)


def clean_published(published: str | date | None) -> str | date | None:
    """An empty publication date is no date."""
    return published or None


# --- the section --------------------------------------------------------------------------------


class ScreeningSection:
    """Load list files, list them, screen a case's firms, review hits, show who is listed."""

    def load_list(
        self,
        path: str | Path,
        *,
        fmt: str = "auto",
        alt: str | Path | None = None,
        add: str | Path | None = None,
        name: str | None = None,
        published: str | date | None = None,
        force: bool = False,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Read a list file and store it as a new version of its list; earlier versions stay.

        The file joins the list of the same publication (its identity, see
        ``ingest.lists.identity``; or the list already holding this very file), or the list
        ``name`` forces; otherwise it starts a list of its own. A file older than the list's
        current version is refused unless ``force``: screening uses only the newest version.
        """
        from casebook.ingest.lists import load_list as read_list

        parsed = read_list(
            path, fmt=fmt, alt=alt, add=add, name=name, published=clean_published(published)
        )
        if cancelled is not None and cancelled():
            raise Cancelled("list load cancelled")
        with self._write() as session:
            list_name = _list_name(session, parsed)
            current = _current_version(session, name=list_name)
            older = _older(session, parsed, current)
            if older and not force:
                raise Refused(_older_message(parsed, list_name, current, older))
            sanctions_list, version = store.add_version(
                session, parsed=parsed, name=list_name, progress=progress, cancelled=cancelled
            )
            loaded = load_json(
                sanctions_list, version, records=len(parsed.records), replaces=current
            )
            after = loaded | {"sha256": parsed.sha256, "file_name": parsed.file_name}
            after |= {"identity": parsed.identity, "forced_older": bool(older)}
            after["companions"] = dict(parsed.companions)
            self._audit(session, "list.load", "list_version", target_uid=version.uid, after=after)
        return loaded

    def list_lists(self) -> list[dict]:
        """Every loaded list with its versions (newest first) and their counts."""
        with self._read() as session:
            out = []
            for sanctions_list in store.all_lists(session):
                versions = store.versions_of(session, list_id=sanctions_list.id)
                counts = store.record_counts(session, version_ids=[v.id for v in versions])
                shown = [version_json(v, records=counts.get(v.id, 0)) for v in versions]
                out.append(list_json(sanctions_list, shown))
            return out

    def screen(
        self,
        *,
        case_ref: str,
        list_name: str | None = None,
        threshold: float | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[dict]:
        """Screen the case's firms against the newest version of each list (or the named one),
        and its persons against the listed individuals; firm hits first, then person hits."""
        from casebook.analysis.screening_people import DEFAULT_THRESHOLD

        person_threshold = DEFAULT_THRESHOLD if threshold is None else clean_threshold(threshold)
        threshold = clean_threshold(threshold)
        with self._read() as session:
            case = find_case(session, case_ref)
            targets = _targets(session)
            chosen = _chosen(session, targets, list_name=list_name)
            candidates = _candidates(session, case_id=case.id)
            people = _person_candidates(session, case_id=case.id)
        watch = {"progress": progress, "cancelled": cancelled}
        found = _match(targets, candidates, threshold=threshold, **watch)
        _match_persons(targets, people, found, threshold=person_threshold)
        if cancelled is not None and cancelled():
            raise Cancelled("screening cancelled")
        with self._write() as session:
            ran = {"targets": chosen, "found": found, "candidates": candidates, "people": people}
            ids = self._save_screen(session, case=case, threshold=threshold, **ran)
            rows = hit_store.hit_rows(session, hit_ids=ids)
            rows += hit_store.person_hit_rows(session, hit_ids=ids)
            return [hit_json(*row) for row in rows]

    def _save_screen(
        self, session: Session, *, case, targets, found, candidates, people, threshold
    ):
        """Store the hits on every chosen list and audit the run; returns the hit ids."""
        firm_ids = [c.key for c in candidates]
        person_ids = list(people)
        ids: list[int] = []
        for target in targets:
            list_id = target.sanctions_list.id
            items = found.get(list_id, [])
            ids += hit_store.save_hits(
                session,
                case_id=case.id,
                list_id=list_id,
                found=items,
                firm_ids=firm_ids,
                person_ids=person_ids,
            )
        lists = [{"list": t.sanctions_list.name, "version": t.version.number} for t in targets]
        after = {"lists": lists, "threshold": threshold, "firms": len(firm_ids), "hits": len(ids)}
        after["persons"] = len(person_ids)
        self._audit(
            session, "screen.run", "case", target_uid=case.uid, case_id=case.id, after=after
        )
        return ids

    def last_screen(self, *, case_ref: str) -> dict | None:
        """The case's last screening run, from the audit log: ``{when, by, lists: [{list,
        version}], threshold, firms, hits}``; None when it was never screened."""
        with self._read() as session:
            case = find_case(session, case_ref)
            event = audit_store.last_event(session, case_id=case.id, action="screen.run")
            if event is None:
                return None
            return {"when": event.ts, "by": event.actor} | dict(event.after or {})

    def review_hit(self, hit_id: int, *, status: str, note: str | None = None) -> dict:
        """Confirm or dismiss a hit, with a note; audited."""
        status = (status or "").strip().casefold()
        if status not in REVIEW_STATUSES:
            raise UsageError(f"unknown review {status!r}; use one of {', '.join(REVIEW_STATUSES)}")
        with self._write() as session:
            wanted = [_hit_id(hit_id)]
            rows = hit_store.hit_rows(session, hit_ids=wanted)
            rows = rows or hit_store.person_hit_rows(session, hit_ids=wanted)
            if not rows:
                raise NotFound(f"no hit {hit_id}")
            hit = rows[0][0]
            before = {"status": hit.status, "note": hit.note}
            note = hit.note if note is None else note.strip()
            hit_store.set_review(session, hit=hit, status=status, note=note, actor=self.user)
            shown = hit_json(*rows[0])
            after = {"status": hit.status, "note": hit.note} | _hit_ref(shown)
            before |= _hit_ref(shown)
            self._audit(
                session,
                "hit.review",
                "screening_hit",
                target_uid=str(hit.id),
                case_id=hit.case_id,
                before=before,
                after=after,
            )
            return shown

    def list_hits(
        self, *, case_ref: str, status: str | None = None, persons: bool = False
    ) -> list[dict]:
        """The case's hits with their reviews, by firm then score; ``current`` marks newest-version
        hits. ``persons`` adds the hits on the case's persons after the firms' (``subject_kind``
        tells them apart)."""
        if status is not None and status not in HIT_STATUSES:
            raise UsageError(f"unknown hit status {status!r}; use one of {', '.join(HIT_STATUSES)}")
        with self._read() as session:
            case = find_case(session, case_ref)
            latest = set(store.latest_version_ids(session).values())
            rows = hit_store.hit_rows(session, case_id=case.id, status=status)
            if persons:
                rows += hit_store.person_hit_rows(session, case_id=case.id, status=status)
            return [hit_detail(row, current=row[3].id in latest) for row in rows]

    def hit_sides(self, hit_ids) -> dict[int, dict]:
        """For each hit, both sides of its pair (``firm`` or ``person``, and ``listed``): names,
        aliases, identifiers, addresses, countries, programmes (and birth dates for persons);
        what a reviewer compares."""
        hit_ids = [_hit_id(h) for h in hit_ids]
        if not hit_ids:
            return {}
        with self._read() as session:
            rows = hit_store.hit_rows(session, hit_ids=hit_ids)
            firm_ids = sorted({row[1].id for row in rows})
            aliases = firm_store.aliases_of(session, ids=firm_ids)
            identifiers = store.firm_identifiers(session, firm_ids=firm_ids)
            sides = {
                hit.id: {
                    "firm": _firm_side(
                        firm, aliases.get(firm.id, []), identifiers.get(firm.id, {})
                    ),
                    "listed": _listed_side(entity, version),
                }
                for hit, firm, entity, version, _list in rows
            }
            for hit, person, entity, version, _list in hit_store.person_hit_rows(
                session, hit_ids=hit_ids
            ):
                sides[hit.id] = {
                    "person": _person_side(person),
                    "listed": _listed_side(entity, version),
                }
            return sides

    def listed_firms(self, firm_ids) -> dict[int, list[dict]]:
        """Firms with a confirmed hit whose entry is still on its list: list, programme, date."""
        firm_ids = list(firm_ids)
        if not firm_ids:
            return {}
        with self._read() as session:
            confirmed = hit_store.confirmed_hits(session, firm_ids=firm_ids)
            latest = store.latest_version_ids(session)
            return _listings(session, confirmed=confirmed, latest=latest)


# --- helpers ------------------------------------------------------------------------------------


def _hit_id(hit_id) -> int:
    """A hit id as an integer; NotFound for anything else."""
    try:
        return int(hit_id)
    except (TypeError, ValueError):
        raise NotFound(f"no hit {hit_id}") from None


def _hit_ref(shown: dict) -> dict:
    """What an audit event needs to say which pair was reviewed."""
    keys = ("firm_uid", "subject_kind", "subject_uid", "list", "version", "listed_uid", "score")
    return {k: shown[k] for k in keys}


def _list_name(session: Session, parsed) -> str:
    """The list a parsed file joins: the name it was given or carries, else the list that
    already holds this very file (whatever it was named), else its publication's name."""
    if parsed.name_given:
        return parsed.name
    holder = store.list_with_file(session, sha256=parsed.sha256)
    if holder is not None and holder.format == parsed.format:
        return holder.name
    return parsed.name


def _current_version(session: Session, *, name: str) -> m.ListVersion | None:
    """The newest version of the list with exactly this name, or None for a new list."""
    found = store.get_list(session, name=name)
    return None if found is None else store.latest_version(session, list_id=found.id)


def _older(session: Session, parsed, current: m.ListVersion | None) -> str | None:
    """Why the file is older than the current version (publication dates, else the newest
    listing dates when either lacks a publication date), or None when it is not."""
    if current is None:
        return None
    if parsed.published and current.published:
        if parsed.published < current.published:
            return f"published {parsed.published}; the current version {current.published}"
        return None
    new, old = parsed.newest_listing, store.newest_listing(session, version_id=current.id)
    if new and old and new < old:
        return f"its newest entry listed {new}; the current version's {old}"
    return None


def _older_message(parsed, list_name: str, current: m.ListVersion, why: str) -> str:
    """The refusal of a file older than the version it would replace."""
    return (
        f"{parsed.file_name} is older than {list_name} version {current.number} ({why}). "
        "Screening uses only a list's newest version, so loading it would hide the newer one. "
        "To keep both, give it a list name of its own (--name); to make it current anyway, "
        "load it with --force."
    )


def _targets(session: Session) -> list[_Target]:
    """The newest version of every list, with its screenable entities."""
    targets = []
    for sanctions_list in store.all_lists(session):
        version = store.latest_version(session, list_id=sanctions_list.id)
        if version is not None:
            entities = store.screenable_entities(session, version_id=version.id)
            individuals = store.individual_entities(session, version_id=version.id)
            targets.append(_Target(sanctions_list, version, entities, individuals))
    if not targets:
        raise Refused("no lists loaded; load one with: casebook lists load FILE")
    return targets


def _chosen(session: Session, targets: list[_Target], *, list_name: str | None) -> list[_Target]:
    """The targets whose hits are kept: the named list's, or all."""
    if list_name is None:
        return targets
    found = store.find_list(session, name=list_name)
    chosen = [t for t in targets if found is not None and t.sanctions_list.id == found.id]
    if not chosen:
        raise NotFound(f"no list {list_name!r} with a loaded version; see: casebook lists")
    return chosen


def _candidates(session: Session, *, case_id: int) -> list[Candidate]:
    """The case's firms as matcher candidates."""
    firms = store.case_firms(session, case_id=case_id)
    ids = [f.id for f in firms]
    aliases = firm_store.aliases_of(session, ids=ids)
    identifiers = store.firm_identifiers(session, firm_ids=ids)
    return [
        candidate_of(f, aliases=aliases.get(f.id, []), identifiers=identifiers.get(f.id, {}))
        for f in firms
    ]


def _match(targets: list[_Target], candidates, *, threshold, progress, cancelled) -> dict:
    """The candidates' hits on all lists at once, as rows for ``store.save_hits`` by list id.

    One index over every list's newest version: each firm is normalised once, and a word's
    weight (how common it is) is learned from all loaded names, so a pair scores the same
    whether one list or all are screened.
    """
    from casebook.analysis.screening import ScreeningIndex

    pairs = [(t.sanctions_list.id, e) for t in targets for e in t.entities]
    index = ScreeningIndex([record_of(e) for _, e in pairs])
    hits = index.screen(candidates, threshold=threshold, progress=progress, cancelled=cancelled)
    found: dict[int, list[dict]] = {}
    for hit in hits:
        list_id, entity = pairs[hit.record_index]
        found.setdefault(list_id, []).append(_found(hit, entity))
    return found


def _person_candidates(session: Session, *, case_id: int) -> dict:
    """The case's persons (not merged away) as the person matcher's candidates, by id."""
    from casebook.analysis.screening_people import PersonCandidate
    from casebook.store import persons

    return {
        p.id: PersonCandidate(
            name=p.name,
            native_name=p.native_name,
            aliases=tuple(p.aliases),
            birth_date=p.birth_date,
            nationality=p.nationality,
            identifiers=tuple(p.identifiers.items()),
        )
        for p in persons.list_persons(session, case_id=case_id)
    }


def _match_persons(targets: list[_Target], people: dict, found: dict, *, threshold) -> None:
    """Add the persons' hits on the listed individuals of every list to ``found``."""
    if not people:
        return
    from casebook.analysis.screening_people import PersonIndex

    pairs = [(t.sanctions_list.id, e) for t in targets for e in t.individuals]
    index = PersonIndex([record_of(e) for _, e in pairs])
    for person_id, person in people.items():
        for hit in index.screen(person, threshold=threshold):
            list_id, entity = pairs[hit.record_index]
            row = _found(hit, entity, subject=None) | {"person_id": person_id}
            found.setdefault(list_id, []).append(row)


def _found(hit, entity: m.ListedEntity, subject: str | None = "firm") -> dict:
    """One matcher hit as a row to store."""
    return {
        "firm_id": hit.firm_key if subject else None,
        "entity_id": entity.id,
        "source_id": entity.source_id,
        "content_hash": entity.content_hash,
        "score": round(float(hit.score), 4),
        "firm_name": hit.firm_name if subject else hit.name,
        "matched_name": hit.matched_name,
        "reasons": list(hit.reasons),
    }


def _listings(session: Session, *, confirmed: list[tuple], latest: dict[int, int]) -> dict:
    """The badge entries of confirmed hits whose entry is on its list's newest version."""
    out: dict[int, list[dict]] = {}
    seen: set[tuple] = set()
    for firm_id, sanctions_list, source_id in confirmed:
        version_id = latest.get(sanctions_list.id)
        key = (firm_id, sanctions_list.id, source_id)
        if version_id is None or key in seen:
            continue
        seen.add(key)
        entity = store.entities_by_source(session, version_id=version_id, source_ids=[source_id])
        if source_id in entity:
            version = store.get_version(session, version_id=version_id)
            out.setdefault(firm_id, []).append(_listing(sanctions_list, entity[source_id], version))
    return out


def _firm_side(firm: m.Firm, aliases: list[str], identifiers: dict[str, list]) -> dict:
    """A firm as one side of a hit (the same keys as the listed side)."""
    names = [n for n in (firm.native_name, *aliases) if n and n != firm.name]
    return {
        "name": firm.name,
        "aliases": list(dict.fromkeys(names)),
        "identifiers": {k: list(v) for k, v in identifiers.items()},
        "addresses": [firm.address] if firm.address else [],
        "countries": [firm.country] if firm.country else [],
        "programmes": [],
    }


def _person_side(person: m.Person) -> dict:
    """A person as one side of a hit (the same keys as the listed side, and the birth date)."""
    names = [n for n in (person.native_name, *(person.aliases or [])) if n and n != person.name]
    return {
        "name": person.name,
        "aliases": list(dict.fromkeys(names)),
        "identifiers": {
            k: list(v) if isinstance(v, list) else [v]
            for k, v in (person.identifiers or {}).items()
        },
        "addresses": [],
        "countries": [person.nationality] if person.nationality else [],
        "programmes": [],
        "birth_dates": [person.birth_date] if person.birth_date else [],
    }


def _listed_side(entity: m.ListedEntity, version: m.ListVersion) -> dict:
    """A listed entry as the other side of a hit."""
    return {
        "name": entity.name,
        "kind": entity.kind,
        "aliases": list(entity.aliases or []),
        "weak_aliases": list(entity.weak_aliases or []),
        "identifiers": {k: list(v) for k, v in (entity.identifiers or {}).items()},
        "addresses": [str(a) for a in entity.addresses or []],
        "countries": list(entity.countries or []),
        "programmes": list(entity.programmes or []),
        "listed_on": entity.listed_on,
        "birth_dates": list(entity.birth_dates or []),
        "sublist": entity.sublist,
        "published": version.published,
    }


def _listing(sanctions_list: m.SanctionsList, entity: m.ListedEntity, version) -> dict:
    """One badge entry: list, programme(s) and the listing date (or the version's date)."""
    programmes = list(entity.programmes or [])
    return {
        "list": sanctions_list.name,
        "programme": ", ".join(programmes),
        "programmes": programmes,
        "date": entity.listed_on or version.published,
        "listed_uid": entity.source_id,
        "listed_name": entity.name,
    }
