"""FollowTheMoney export of a case: one entity per line (``.ftm.json`` and ``.ftm.jsonl``, the
line-delimited form OpenSanctions and Aleph use).

Firms are ``Company`` entities (identifiers as ``innCode``, ``ogrnCode``, ``kppCode``,
``leiCode``, ``uscCode``, ``taxNumber``, ``registrationNumber``) with an ``Address`` entity when
an address is known; ownership relationships are ``Ownership``, the other kinds ``UnknownLink``;
shipments are ``EconomicActivity`` (FtM's customs-declaration schema); evidence items are
``Document`` entities tied to what they support by ``Documentation``. Persons are ``Person``
entities; a director, officer or founder is a ``Directorship``, a shareholder or beneficial
owner an ``Ownership``, an employee an ``Employment``, associates ``Associate`` and family
``Family``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from casebook.exchange.bundle import CaseRecords
from casebook.exchange.spreadsheet import shipment_source

PREFIX = "casebook"
ID_PROPS = {
    "ru_inn": "innCode",
    "ru_ogrn": "ogrnCode",
    "ru_kpp": "kppCode",
    "lei": "leiCode",
    "cn_uscc": "uscCode",
    "tr_vkn": "taxNumber",
    "by_unp": "taxNumber",
    "ua_edrpou": "registrationNumber",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "imo": "registrationNumber",
}


PERSON_ID_PROPS = {
    "ru_inn": "innCode",
    "passport": "passportNumber",
    "national_id": "idNumber",
    "tax_id": "taxNumber",
}
# Person link kind -> (FtM schema, the person's property, the other end's property)
PERSON_LINK_SCHEMAS = {
    "director": ("Directorship", "director", "organization"),
    "officer": ("Directorship", "director", "organization"),
    "founder": ("Directorship", "director", "organization"),
    "shareholder": ("Ownership", "owner", "asset"),
    "beneficial owner": ("Ownership", "owner", "asset"),
    "employee": ("Employment", "employee", "employer"),
    "associate": ("Associate", "person", "associate"),
    "family": ("Family", "person", "relative"),
}


def entity_id(kind: str, key: str) -> str:
    """A stable FtM id for a Casebook record."""
    return f"{PREFIX}-{kind}-{key}".replace(":", "-")


def _country(code: str | None) -> list[str]:
    if not code or code.upper() in ("XX", "ZZ"):
        return []
    return [code.lower()]


def _entity(eid: str, schema: str, props: dict) -> dict:
    clean = {}
    for name, values in props.items():
        values = [values] if not isinstance(values, list) else values
        values = [str(v) for v in values if v is not None and str(v).strip() != ""]
        if values:
            clean[name] = values
    return {"id": eid, "schema": schema, "properties": clean}


def entities(session: Session, records: CaseRecords, *, lens=None) -> Iterator[dict]:
    """The case as FtM entities (plain dicts); its shipments: those in the lens (evidence
    links to the others are left out with them)."""
    firm_ids = {uid: entity_id("firm", uid) for uid in records.firms}
    for uid, firm in sorted(records.firms.items()):
        props: dict = {
            "name": firm["name"],
            "alias": sorted({a[0] for a in firm["aliases"]} - {firm["name"]}),
            "country": _country(firm["country"]),
            "notes": firm["notes"] or None,
        }
        if firm.get("native_name") and firm["native_name"] != firm["name"]:
            props["alias"] = sorted(set(props["alias"]) | {firm["native_name"]})
        for scheme, value in firm["identifiers"]:
            prop = ID_PROPS.get(scheme, "registrationNumber")
            props.setdefault(prop, []).append(value)
        if firm.get("address"):
            address_id = entity_id("address", uid)
            yield _entity(
                address_id,
                "Address",
                {"full": firm["address"], "country": _country(firm["country"])},
            )
            props["addressEntity"] = address_id
            props["address"] = firm["address"]
        yield _entity(firm_ids[uid], "Company", props)
    for uid, rel in sorted(records.relationships.items()):
        common = {"startDate": rel["start"], "endDate": rel["end"], "summary": rel["notes"]}
        if rel["kind"] == "ownership":
            yield _entity(
                entity_id("rel", uid),
                "Ownership",
                common
                | {
                    "owner": firm_ids[rel["from"]],
                    "asset": firm_ids[rel["to"]],
                    "percentage": _number(rel["share"]),
                },
            )
        else:
            yield _entity(
                entity_id("rel", uid),
                "UnknownLink",
                common
                | {
                    "subject": firm_ids[rel["from"]],
                    "object": firm_ids[rel["to"]],
                    "role": rel["kind"],
                },
            )
    person_ids = {
        u: entity_id("person", u) for u, p in records.persons.items() if not p["merged_into"]
    }
    yield from _persons(records, person_ids, firm_ids)
    written: set[str] = set()
    for dataset_uid in sorted(records.datasets):
        dataset_id = records.dataset_ids[dataset_uid]
        for row in shipment_source(session, dataset_id=dataset_id, lens=lens):
            if lens:
                written.add(f"{dataset_uid}:{row['source_row']}")
            yield _activity(row, dataset_uid, records, firm_ids)
    targets = {
        "case": {},
        "firm": firm_ids,
        "relationship": {u: entity_id("rel", u) for u in records.relationships},
        "shipment": None,
        "finding": {},
        "person": person_ids,
        "personlink": {u: entity_id("plink", u) for u in records.person_links},
    }
    for uid, item in sorted(records.evidence.items()):
        yield _entity(
            entity_id("doc", uid),
            "Document",
            {
                "title": item["title"],
                "fileName": item["original_name"],
                "mimeType": item["mime"],
                "sourceUrl": item["url"],
                "publisher": item["publisher"],
                "summary": item["excerpt"] or None,
                "notes": f"SHA-256 {item['sha256']}",
                "date": (item["captured"] or "")[:10] or None,
            },
        )
    for link in records.links:
        kind, target = link["target_kind"], link["target"]
        if kind == "shipment":
            ref = entity_id("shipment", target) if not lens or target in written else None
        else:
            ref = (targets.get(kind) or {}).get(target)
        if ref is None:
            continue
        yield _entity(
            entity_id("documentation", f"{link['evidence']}-{kind}-{target}"),
            "Documentation",
            {
                "document": entity_id("doc", link["evidence"]),
                "entity": ref,
                "role": link["note"] or None,
            },  # fmt: skip
        )


def _persons(records: CaseRecords, person_ids: dict, firm_ids: dict) -> Iterator[dict]:
    """The case's persons and their links."""
    for uid in sorted(person_ids):
        person = records.persons[uid]
        props: dict = {
            "name": person["name"],
            "alias": sorted(
                {*person["aliases"], person["native_name"] or person["name"]} - {person["name"]}
            ),  # fmt: skip
            "birthDate": person["birth_date"],
            "nationality": _country(person["nationality"]),
            "notes": person["notes"] or None,
        }
        for scheme, value in person["identifiers"].items():
            props[PERSON_ID_PROPS[scheme]] = value
        yield _entity(person_ids[uid], "Person", props)
    ends = person_ids | firm_ids
    for uid, link in sorted(records.person_links.items()):
        schema, mine, theirs = PERSON_LINK_SCHEMAS[link["kind"]]
        first = link["from_person"] or link["from_firm"]
        second = link["to_person"] or link["to_firm"]
        if link["from_person"] is None:
            first, second = second, first  # the person end first
        kind = "relationship" if schema in ("Associate", "Family") else "role"
        props = {
            mine: ends.get(first),
            theirs: ends.get(second),
            kind: link["kind"],
            "startDate": link["start"],
            "endDate": link["end"],
            "summary": link["notes"] or None,
        }
        if schema == "Ownership":
            props["percentage"] = _number(link["share"])
        yield _entity(entity_id("plink", uid), schema, props)


def _number(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _activity(row: dict, dataset_uid: str, records: CaseRecords, firm_ids: dict) -> dict:
    uids = records.firm_uids
    sender = uids.get(row["exporter_id"])
    receiver = uids.get(row["importer_id"])
    amount = row["value_usd"] if row["value_usd"] is not None else row["value"]
    return _entity(
        entity_id("shipment", f"{dataset_uid}:{row['source_row']}"),
        "EconomicActivity",
        {
            "sender": firm_ids.get(sender),
            "receiver": firm_ids.get(receiver),
            "originCountry": _country(row["origin"]),
            "departureCountry": _country(row["dispatch"]),
            "destinationCountry": _country(row["destination"]),
            "vedCode": row["hs_code"],
            "ccdNumber": row["declaration_no"],
            "goodsDescription": row["description"],
            "customsAmount": _number(amount),
            "date": row["date"],
            "directionOfTransportation": row["direction"],
        },
    )


def write_ftm(session: Session, records: CaseRecords, out: Path, *, lens=None) -> dict:
    """Write the entities, one JSON object per line (shipments: those in the lens); returns the
    ``export`` JSON."""
    temp = out.with_name(f".{out.name}.partial")
    digest = hashlib.sha256()
    count = 0
    try:
        with open(temp, "wb") as handle:
            for entity in entities(session, records, lens=lens):
                line = (json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n").encode()
                digest.update(line)
                handle.write(line)
                count += 1
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return {"out": str(out), "format": "ftm", "records": count, "sha256": digest.hexdigest()}
