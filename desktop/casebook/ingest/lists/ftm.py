"""OpenSanctions FollowTheMoney entities, one JSON object per line."""

from __future__ import annotations

import json
from collections import defaultdict

from casebook.core.errors import Refused

from .birth import all_birth_dates
from .model import ListedRecord, unique
from .parsing import add_identifier, country_code, earliest, free_text_identifiers, iso_date

LIST_NAME = "OpenSanctions"
_SCHEMAS = {
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Person": "individual",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
# FtM property -> identifier scheme; values are checked against their shape where it matters.
_ID_PROPS = {
    "innCode": "ru_inn",
    "ogrnCode": "ru_ogrn",
    "kppCode": "ru_kpp",
    "okpoCode": "ru_okpo",
    "leiCode": "lei",
    "uscCode": "cn_uscc",
    "swiftBic": "swift_bic",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "vatCode": "vat",
    "passportNumber": "passport",
}
_FREE_ID_PROPS = {
    "registrationNumber": "registration",
    "taxNumber": "tax",
    "idNumber": "registration",
}
_COUNTRY_PROPS = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")


def read_entities(text: str, *, file_name: str) -> list[dict]:
    """The JSON objects of a .jsonl file; a line that is not an FtM entity is refused."""
    entities = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
            why = getattr(exc, "msg", "nested too deep")
            raise Refused(f"{file_name}, line {number}: not JSON ({why})") from None
        if not isinstance(entity, dict) or "schema" not in entity or "id" not in entity:
            raise Refused(f"{file_name}, line {number}: not a FollowTheMoney entity")
        entity.setdefault("properties", {})
        entities.append(entity)
    return entities


def parse(text: str, *, file_name: str) -> list[ListedRecord]:
    """Records of the parties (companies, organisations, persons, vessels …) in a file."""
    entities = read_entities(text, file_name=file_name)
    addresses = {
        ref: e["properties"]
        for e in entities
        if e["schema"] == "Address"
        for ref in [e["id"], *e.get("referents", [])]
    }
    sanctions = sanctions_by_entity(entities)
    return [
        entity_record(e, addresses=addresses, sanctions=sanctions.get(e["id"], []))
        for e in entities
        if e["schema"] in _SCHEMAS
    ]


def published(text: str) -> str | None:
    """The export's date: the last day any entity in it was seen."""
    seen = [
        iso_date(str(json.loads(line).get("last_seen", ""))[:10])
        for line in text.splitlines()
        if line.strip()
    ]
    found = sorted(d for d in seen if d)
    return found[-1] if found else None


def shared_datasets(text: str) -> list[str]:
    """The datasets every entity of the export belongs to (sorted); none for a mixed extract."""
    shared: set[str] | None = None
    for line in text.splitlines():
        if line.strip():
            datasets = {str(d) for d in json.loads(line).get("datasets") or [] if d}
            shared = datasets if shared is None else shared & datasets
            if not shared:
                return []
    return sorted(shared or ())


def sanctions_by_entity(entities: list[dict]) -> dict[str, list[dict]]:
    """Sanction entities' properties, grouped by the entity they sanction."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for entity in entities:
        if entity["schema"] == "Sanction":
            for target in entity["properties"].get("entity", []):
                grouped[target].append(entity["properties"])
    return grouped


def entity_record(entity: dict, *, addresses: dict, sanctions: list[dict]) -> ListedRecord:
    """One FtM party as a record; sanctions give programmes and the listing date."""
    props = entity["properties"]
    schema = _SCHEMAS[entity["schema"]]
    names = unique([entity.get("caption") or "", *props.get("name", [])])
    if not names:
        names = [entity["id"]]
    record = ListedRecord(
        source_id=entity["id"],
        schema=schema,
        name=names[0],
        aliases=unique([*names[1:], *props.get("alias", [])]),
        weak_aliases=unique(
            [
                *props.get("weakAlias", []),
                *props.get("previousName", []),
                *props.get("abbreviation", []),
            ]
        ),
        countries=unique(
            c for c in (country_code(v) for p in _COUNTRY_PROPS for v in props.get(p, [])) if c
        ),
        addresses=_addresses(props, addresses),
        programmes=unique(_programme(s) for s in sanctions),
        listed_on=earliest(iso_date(d) for s in sanctions for d in _sanction_dates(s)),
        remarks="\n".join(props.get("notes", [])) or None,
        birth_dates=all_birth_dates(props.get("birthDate", [])),
        sublist=", ".join(entity.get("datasets", [])) or None,
        # OpenSanctions ships related parties that are not listed themselves (target false).
        screenable=schema == "entity" and entity.get("target", True) is not False,
    )
    record.weak_aliases = unique(
        w for w in record.weak_aliases if w.casefold() not in {n.casefold() for n in names}
    )
    record.identifiers = _identifiers(props, country=(record.countries or [None])[0])
    return record


def _identifiers(props: dict, *, country: str | None) -> dict[str, list[str]]:
    """Identifiers from the typed FtM properties."""
    ids: dict[str, list[str]] = {}
    for prop, scheme in _ID_PROPS.items():
        for value in props.get(prop, []):
            add_identifier(ids, scheme, value)
    for prop, kind in _FREE_ID_PROPS.items():
        for value in props.get(prop, []):
            free_text_identifiers(ids, value, kind=kind, country=country)
    return ids


def _addresses(props: dict, addresses: dict) -> list[str]:
    """Address strings, including those of linked Address entities (by id or referent)."""
    linked = [
        full
        for ref in props.get("addressEntity", [])
        for full in addresses.get(ref, {}).get("full", [])
    ]
    return unique([*props.get("address", []), *linked])


def _programme(sanction: dict) -> str:
    """A sanction's programme id, else its (short) programme name, else its authority."""
    for prop in ("programId", "program", "authority"):
        values = [v for v in sanction.get(prop, []) if len(v) <= 80]
        if values:
            return values[0]
    return ""


def _sanction_dates(sanction: dict) -> list[str]:
    """A sanction's listing and start dates."""
    return [*sanction.get("listingDate", []), *sanction.get("startDate", [])]
