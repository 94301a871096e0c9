"""Facade section: the people behind the firms — persons of a case, their links to firms
(director, shareholder …) and to persons (associate, family), merges and splits; every change
audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from casebook.book.cases import check_writable, find_case, iso
from casebook.book.links import evidence_for, person_link_label
from casebook.core.countries import clean_country
from casebook.core.dates import clean_birth_date
from casebook.core.domain import OWNERSHIP_KINDS, PERSON_FIRM_KINDS, PERSON_KINDS, clean_choice
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.identifiers import PERSON_SCHEMES, clean_person_identifier
from casebook.store import firms as firm_store
from casebook.store import models as m
from casebook.store import persons as store


def is_people_import(mapping) -> bool:
    """True when ``casebook import``'s mapping file says ``kind = "people"``."""
    from casebook.ingest.people import mapping_is_people

    return mapping_is_people(mapping)


def find_person(session: Session, uid: str) -> m.Person:
    """A person by uid (merged or not); NotFound otherwise."""
    person = store.get_person(session, uid=uid)
    if person is None:
        raise NotFound(f"no person {uid!r}")
    return person


def person_json(session: Session, person: m.Person) -> dict:
    """The ``person add|list|show`` JSON shape."""
    merged = (
        store.get_person_by_id(session, person_id=person.merged_into)
        if person.merged_into
        else None
    )
    return {
        "uid": person.uid,
        "name": person.name,
        "native_name": person.native_name,
        "aliases": list(person.aliases),
        "birth_date": person.birth_date,
        "nationality": person.nationality,
        "identifiers": dict(person.identifiers),
        "notes": person.notes,
        "merged_into": merged.uid if merged else None,
        "created": iso(person.created),
    }


def link_json(session: Session, link: m.PersonLink) -> dict:
    """A person link in the ``rel add|list`` shape, with the kind of each end."""
    first, second = (store.link_end(session, *ends) for ends in store.link_ends(link))
    return {
        "uid": link.uid,
        "from_uid": first["uid"],
        "from_name": first["name"],
        "from_kind": first["kind"],
        "to_uid": second["uid"],
        "to_name": second["name"],
        "to_kind": second["kind"],
        "kind": link.kind,
        "share": link.share,
        "start": link.start,
        "end": link.end,
        "notes": link.notes,
        "label": person_link_label(session, link),
        "evidence": [
            {"id": f"E{e.number}", "uid": e.uid, "title": e.title, "note": note}
            for e, note in evidence_for(session, "personlink", link.id)
        ],
    }


def clean_identifiers(values: Iterable[str] | dict | None) -> dict[str, str]:
    """``["ru_inn:773407989940", "passport:4506 123456"]`` (or a dict) → ``{scheme: value}``."""
    pairs = values.items() if isinstance(values, dict) else (_pair(v) for v in values or ())
    clean: dict[str, str] = {}
    for scheme, value in pairs:
        scheme = str(scheme).strip().lower()
        if scheme not in PERSON_SCHEMES:
            raise UsageError(
                f"unknown identifier scheme {scheme!r} for a person; use {', '.join(PERSON_SCHEMES)}"
            )
        found = clean_person_identifier(scheme, value)
        if found is None:
            what = "a valid 12-digit personal INN" if scheme == "ru_inn" else "an identifier"
            raise UsageError(f"{scheme} {value!r} is not {what}")
        clean[scheme] = found
    return clean


def _pair(text: str) -> tuple[str, str]:
    scheme, sep, value = str(text).partition(":")
    if not sep or not value.strip():
        raise UsageError(f"an identifier is SCHEME:VALUE, e.g. ru_inn:773407989940, not {text!r}")
    return scheme, value.strip()


def clean_person_fields(
    *,
    name: object,
    native_name: object = None,
    birth_date: object = None,
    nationality: object = None,
    identifiers=None,
    aliases: Iterable[str] = (),
    notes: object = "",
) -> dict:
    """The validated fields of a new person (UsageError naming the bad one)."""
    from casebook.core.names import clean_name, person_key, sort_key  # rapidfuzz: lazily

    display = clean_name(name)
    if display is None:
        raise UsageError("a person needs a name")
    born = None
    if birth_date not in (None, ""):
        born = clean_birth_date(birth_date)
        if born is None:
            raise UsageError(f"birth date {birth_date!r} is not YYYY-MM-DD or YYYY")
    country = None
    if nationality not in (None, ""):
        country = clean_country(nationality)
        if country is None:
            raise UsageError(f"nationality {nationality!r} is not a country (ISO alpha-2)")
    native = clean_name(native_name)
    spellings = [a for a in (clean_name(a) for a in aliases or ()) if a and a != display]
    return {
        "name": display,
        "native_name": native,
        "aliases": list(dict.fromkeys(spellings)),
        "birth_date": born,
        "nationality": country,
        "identifiers": clean_identifiers(identifiers),
        "notes": str(notes or "").strip(),
        "name_key": person_key(native or display),
        "sort_key": sort_key(display),
    }


def clean_link_kind(kind: object, share: float | None, *, firm_end: bool) -> str:
    """The kind of a person link (UsageError when it does not fit its ends or its share)."""
    found = clean_choice(kind, PERSON_KINDS)
    if found is None:
        raise UsageError(
            f"unknown relationship kind {kind!r}; use one of {', '.join(PERSON_KINDS)}"
        )
    if firm_end != (found in PERSON_FIRM_KINDS):
        needs = "a person and a firm" if found in PERSON_FIRM_KINDS else "two persons"
        raise UsageError(f"a {found} relationship links {needs}")
    if share is not None and found not in OWNERSHIP_KINDS:
        raise UsageError("a share is given only for a shareholder or beneficial owner")
    return found


class PersonsSection:
    """``person add|list|show|merge|split`` and relationships with a person at either end."""

    def add_person(self, *, case_ref: str, name: str, **fields) -> dict:
        """Add a person to a case; ``identifiers`` as ``SCHEME:VALUE`` strings or a dict."""
        clean = clean_person_fields(name=name, **fields)
        with self._write() as session:
            case = find_case(session, case_ref)
            person = store.add_person(session, case_id=case.id, **clean)
            data = person_json(session, person)
            self._audit_record(session, "person.add", person, after=data)
            return data

    def list_persons(self, *, case_ref: str) -> list[dict]:
        """A case's persons (not merged away) by name, each with its links' labels."""
        with self._read() as session:
            case = find_case(session, case_ref)
            links = store.list_links(session, case_id=case.id)
            out = []
            for person in store.list_persons(session, case_id=case.id):
                mine = [k for k in links if person.id in (k.from_person_id, k.to_person_id)]
                roles = sorted(person_link_label(session, k) for k in mine)
                out.append(person_json(session, person) | {"links": roles})
            return out

    def person_merge_counts(self, *, case_ref: str) -> dict[str, int]:
        """Uid -> merges not undone into that person, for the case's persons that have any
        (what ``person split`` can undo)."""
        with self._read() as session:
            case = find_case(session, case_ref)
            counts = store.merges_into(session, case_id=case.id)
            persons = store.list_persons(session, case_id=case.id, ids=list(counts))
            return {p.uid: counts[p.id] for p in persons}

    def show_person(self, uid: str) -> dict:
        """One person with their case and links."""
        with self._read() as session:
            person = find_person(session, uid)
            links = store.list_links(session, case_id=person.case_id, person_id=person.id)
            return person_json(session, person) | {
                "case": store.case_ref(session, person=person),
                "links": [link_json(session, k) for k in links],
            }

    def delete_person(self, uid: str) -> dict:
        """Delete a person that nothing names yet (undoing its addition); refused while links,
        hits or merges name it."""
        with self._write() as session:
            person = find_person(session, uid)
            held = store.person_references(session, person_id=person.id)
            if any(held.values()):
                what = ", ".join(f"{n} {k}" for k, n in held.items() if n)
                raise Refused(f"person {person.name} is named by {what}; it is kept")
            before = person_json(session, person)
            store.delete_person(session, person=person)
            self._audit_record(session, "person.delete", person, before=before)
            return before

    def merge_persons(self, *, keep: str, other: str) -> dict:
        """Merge ``other`` into ``keep`` (same case): links, aliases and identifiers move."""
        if keep == other:
            raise Refused("a person cannot be merged with itself")
        with self._write() as session:
            kept, gone = find_person(session, keep), find_person(session, other)
            if kept.case_id != gone.case_id:
                raise Refused("persons of different cases cannot be merged")
            for person in (kept, gone):
                if person.merged_into is not None:
                    raise Refused(f"person {person.uid} ({person.name}) is already merged")
            before = {p.uid: person_json(session, p) for p in (kept, gone)}
            record = store.merge_person_rows(session, keep=kept, other=gone, actor=self.user)
            result = {"keep": kept.uid, "other": gone.uid, "merge": record.uid}
            self._audit_record(session, "person.merge", kept, before=before, after=result)
            return result

    def split_person(self, uid: str) -> dict:
        """Undo the newest merge of a merged-away person (or the newest merge into a kept one)."""
        with self._write() as session:
            person = find_person(session, uid)
            merge = store.latest_merge(session, person=person)
            if merge is None:
                raise Refused(f"person {uid} ({person.name}) has no merge to undo")
            kept, gone = store.split_person_rows(session, merge=merge)
            after = {p.uid: person_json(session, p) for p in (kept, gone)}
            self._audit_record(session, "person.split", gone, after=after)
            return {"keep": kept.uid, "restored": gone.uid, "merge": merge.uid}

    def import_people(
        self,
        path,
        *,
        case_ref: str,
        mapping,
        sheet: str | None = None,
        encoding: str | None = None,
        **_ignored,
    ) -> dict:
        """Import officers and owners from a mapped table (``kind = "people"``): firms resolved
        by the import's rules, the same person (same personal identifier, else same name key and
        birth date) once, links added once. All or nothing; one audit event."""
        from collections import Counter
        from pathlib import Path

        from casebook.ingest import people
        from casebook.ingest.parties import PartyWriter, named_party

        path = Path(path)
        if not path.is_file():
            raise UsageError(f"no file {path}")
        table = people.read_people(
            path, mapping=people.load_mapping(mapping), sheet=sheet, encoding=encoding
        )
        counts = {"persons_created": 0, "persons_matched": 0, "links_created": 0}
        with self._write() as session:
            case = find_case(session, case_ref)
            parties = [_firm_party(named_party, r) for r in table.rows]
            writer = PartyWriter(session, case_id=case.id)
            firm_ids = writer.resolve_named(Counter(parties))
            for row, party in zip(table.rows, parties, strict=True):
                person = self._person_of_row(session, case.id, row, counts)
                ends = {"from_person_id": person.id, "from_firm_id": None,
                        "to_person_id": None, "to_firm_id": firm_ids[party], "kind": row.role}  # fmt: skip
                if store.same_link(session, case_id=case.id, **ends) is None:
                    store.add_link(session, case_id=case.id, share=row.share, start=row.start,
                                   end=row.end, notes=f"{table.file} row {row.row}", **ends)  # fmt: skip
                    counts["links_created"] += 1
            result = {
                "kind": "people",
                "file_name": table.file,
                "rows_read": table.rows_read,
                "rows_imported": len(table.rows),
                "firms_created": writer.created,
                "firms_matched": writer.matched,
                **counts,
            }
            self._audit(session, "people.import", "case", target_uid=case.uid, case_id=case.id,
                        after=result)  # fmt: skip
        return result

    def _person_of_row(self, session: Session, case_id: int, row, counts: dict) -> m.Person:
        from casebook.core.names import person_key

        key = person_key(row.native or row.person)
        found = store.same_person(
            session, case_id=case_id, identifiers=row.identifiers, name_key=key,
            birth_date=row.birth_date,
        )  # fmt: skip
        if found is not None:
            counts["persons_matched"] += 1
            spellings = [n for n in (row.person, row.native) if n]
            new = [n for n in spellings if n not in (found.name, found.native_name, *found.aliases)]
            ids = {k: v for k, v in row.identifiers.items() if k not in found.identifiers}
            if new or ids:
                store.update_person(session, person=found, fields={
                    "aliases": [*found.aliases, *new], "identifiers": {**found.identifiers, **ids}})  # fmt: skip
            return found
        counts["persons_created"] += 1
        fields = clean_person_fields(
            name=row.person, native_name=row.native, birth_date=row.birth_date,
            nationality=row.nationality, identifiers=row.identifiers,
        )  # fmt: skip
        return store.add_person(session, case_id=case_id, **fields)

    def briefing_people(self, *, case_ref: str) -> list[dict]:
        """The briefing's People rows: ``{name, native_name, birth_date, nationality, roles,
        listings}``, roles and listings in words."""
        with self._read() as session:
            case = find_case(session, case_ref)
            listed = store.confirmed_listings(session, case_id=case.id)
            out = []
            for person in store.list_persons(session, case_id=case.id):
                links = store.list_links(session, case_id=case.id, person_id=person.id)
                out.append(
                    {
                        "name": person.name,
                        "native_name": person.native_name,
                        "birth_date": person.birth_date,
                        "nationality": person.nationality,
                        "roles": [_role_words(session, k, person.id) for k in links],
                        "listings": [_listing_words(x) for x in listed.get(person.id, [])],
                    }
                )
            return out

    # --- links ---------------------------------------------------------------------------

    def is_person(self, uid: str) -> bool:
        """Whether a uid names a person (rather than a firm or nothing)."""
        with self._read() as session:
            return store.get_person(session, uid=uid) is not None

    def add_person_link(
        self, *, case_ref: str, from_uid: str, to_uid: str, kind: str, fields: dict, evidence=()
    ) -> dict:
        """A relationship with a person at one end or both (``fields``: cleaned share, start,
        end, notes)."""
        with self._write() as session:
            case = find_case(session, case_ref)
            ends = [self._link_end(session, case.id, uid) for uid in (from_uid, to_uid)]
            if ends[0] == ends[1]:
                raise UsageError("a relationship needs two different ends")
            firm_end = any(firm for _, firm in ends)
            fields = fields | {
                "kind": clean_link_kind(kind, fields.get("share"), firm_end=firm_end)
            }
            link = store.add_link(
                session,
                case_id=case.id,
                from_person_id=ends[0][0],
                from_firm_id=ends[0][1],
                to_person_id=ends[1][0],
                to_firm_id=ends[1][1],
                **fields,
            )
            self._audit_record(session, "personlink.add", link, after=link_json(session, link))
            self._link_all(session, case.id, list(evidence), "personlink", link.uid)
            return link_json(session, link)

    def is_person_link(self, uid: str) -> bool:
        """Whether a uid names a relationship with a person at an end (``rel edit|delete``
        take either kind)."""
        with self._read() as session:
            return store.get_link(session, uid=uid) is not None

    def edit_person_link(self, uid: str, *, fields: dict) -> dict:
        """Change kind, share, start, end or notes of a person link (``fields`` cleaned as
        ``clean_relationship_fields`` cleans them, the kind as given); its ends stay."""
        with self._write() as session:
            link = _writable_link(session, uid)
            before = link_json(session, link)
            changed = {"kind": link.kind, "share": link.share, "start": link.start,
                       "end": link.end} | fields  # fmt: skip
            if changed["start"] and changed["end"] and changed["end"] < changed["start"]:
                raise UsageError("a relationship cannot end before it starts")
            firm_end = link.from_firm_id is not None or link.to_firm_id is not None
            fields = fields | {
                "kind": clean_link_kind(changed["kind"], changed["share"], firm_end=firm_end)
            }
            store.update_link(session, link=link, fields=fields)
            after = link_json(session, link)
            if after != before:
                self._audit_record(session, "personlink.edit", link, before=before, after=after)
            return after

    def delete_person_link(self, uid: str) -> dict:
        """Delete a person link and its evidence links; returns what was deleted."""
        with self._write() as session:
            link = _writable_link(session, uid)
            before = link_json(session, link)
            store.delete_link(session, link=link)
            self._audit_record(session, "personlink.delete", link, before=before)
            return before

    def list_person_links(self, *, case_ref: str) -> list[dict]:
        """A case's relationships with a person at either end, oldest first."""
        with self._read() as session:
            case = find_case(session, case_ref)
            return [link_json(session, k) for k in store.list_links(session, case_id=case.id)]

    def _link_end(self, session: Session, case_id: int, uid: str) -> tuple[int | None, int | None]:
        """(person id, firm id) of one end; a person must be of the case and not merged away."""
        person = store.get_person(session, uid=uid)
        if person is not None:
            if person.case_id != case_id:
                raise UsageError(f"person {uid} belongs to another case")
            if person.merged_into is not None:
                raise Refused(f"person {uid} ({person.name}) is merged into another")
            return person.id, None
        firm = firm_store.firm_by_uid(session, uid=uid)
        if firm is None:
            raise NotFound(f"no firm or person {uid!r}")
        return None, firm["id"]


def _firm_party(named_party, row):
    ident = (row.firm_scheme, row.firm_ident) if row.firm_ident else None
    return named_party(row.firm, ident, row.firm_country)


def _role_words(session: Session, link: m.PersonLink, person_id: int) -> str:
    """``director of Huaxin Ltd, 2021-06-01 – 2023-06-30``, from this person's side."""
    ends = list(store.link_ends(link))
    other = ends[1] if ends[0][0] == person_id else ends[0]
    name = store.link_end(session, *other)["name"]
    share = f" ({link.share:g}%)" if link.share is not None else ""
    dates = ""
    if link.start or link.end:
        dates = f", {link.start or '…'} – {link.end or 'now'}"
    return f"{link.kind}{share} of {name}{dates}"


def _listing_words(listing: dict) -> str:
    programmes = ", ".join(listing["programmes"])
    tail = f" ({programmes})" if programmes else ""
    return f"{listing['list']} {listing['listed_uid']}: {listing['listed_name']}{tail}"


def _writable_link(session, uid: str):
    """The person link ``uid`` of a case this role may change; NotFound, or Refused."""
    link = store.get_link(session, uid=uid)
    if link is None:
        raise NotFound(f"no relationship {uid!r}")
    check_writable(session, link.case_id)
    return link
