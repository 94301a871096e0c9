"""OpenSanctions' transcription of EU Official Journal annexes (eu/journal_sanctions CSV)."""

from __future__ import annotations

import csv
import io
import re

from casebook.core.errors import Refused

from .birth import birth_dates
from .model import ListedRecord, unique
from .parsing import (
    address_country,
    complete_rows,
    countries_of,
    free_text_identifiers,
    iso_date,
    split_values,
)

LIST_NAME = "EU Official Journal"
REQUIRED = {"celex", "recordId", "annex", "schema", "name", "alias"}
_SCHEMAS = {
    "LegalEntity": "entity",
    "Company": "entity",
    "Organization": "entity",
    "PublicBody": "entity",
    "Person": "individual",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
# column -> the identifier kind an unlabelled value in it has
_ID_COLUMNS = {
    "innCode": "tax",
    "taxNumber": "tax",
    "ogrnCode": "ogrn",
    "registrationNumber": "registration",
    "kppCode": "ru_kpp",
    "okpoCode": "ru_okpo",
    "leiCode": "lei",
    "swiftBic": "swift_bic",
    "imoNumber": "imo",
    "idNumber": "registration",
    "passportNumber": "passport",
}
_CELEX = re.compile(r"^3(\d{4})([RDL])(\d{4})$")
_ACTS = {"R": "Regulation", "D": "Decision", "L": "Directive"}


def parse(text: str, *, file_name: str) -> list[ListedRecord]:
    """Records of an EU journal CSV, one per row."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    missing = REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise Refused(f"{file_name}: not an EU Official Journal CSV (missing {sorted(missing)})")
    records = []
    seen: dict[str, int] = {}
    for row in complete_rows(reader, file_name):
        if not (row.get("name") or "").strip():
            raise Refused(f"{file_name}, line {reader.line_num}: a row without a name")
        record = row_record(row)
        seen[record.source_id] = seen.get(record.source_id, 0) + 1
        if seen[record.source_id] > 1:
            record.source_id = f"{record.source_id}#{seen[record.source_id]}"
        records.append(record)
    return records


def list_name(text: str) -> str | None:
    """The act the file transcribes ('EU Regulation 833/2014'), from its first CELEX number."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    for row in reader:
        match = _CELEX.match((row.get("celex") or "").strip())
        if match:
            year, act, number = match.groups()
            return f"EU {_ACTS[act]} {int(number)}/{year}"
        return None
    return None


def row_record(row: dict[str, str]) -> ListedRecord:
    """One annex row as a record."""
    schema = _SCHEMAS.get((row.get("schema") or "").strip(), "other")
    name = " ".join(row["name"].split())
    addresses = split_values(row.get("address"))
    countries = countries_of(
        split_values(row.get("country")),
        split_values(row.get("jurisdiction")),
        split_values(row.get("nationality")),
        [c for c in (address_country(a) for a in addresses) if c],
    )
    record = ListedRecord(
        source_id=source_id(row, name),
        schema=schema,
        name=name,
        aliases=unique(
            a for a in split_values(row.get("alias")) if a.casefold() != name.casefold()
        ),
        weak_aliases=unique(
            [*split_values(row.get("weakAlias")), *split_values(row.get("previousName"))]
        ),
        countries=countries,
        addresses=addresses,
        programmes=unique([row.get("programKey") or "", row.get("measure") or ""]),
        listed_on=iso_date(row.get("startDate")),
        remarks="\n".join(t for t in (row.get("reason"), row.get("notes")) if t) or None,
        birth_dates=birth_dates(row.get("birthDate")),
        sublist=f"Annex {row['annex']}" if row.get("annex") else None,
        screenable=schema == "entity",
    )
    record.identifiers = _identifiers(row, country=(countries or [None])[0])
    return record


def source_id(row: dict[str, str], name: str) -> str:
    """Annex and record number ('IV/827'); rows without a number use their name."""
    number = (row.get("recordId") or "").strip()
    return f"{row.get('annex', '').strip()}/{number or name}"


def _identifiers(row: dict[str, str], *, country: str | None) -> dict[str, list[str]]:
    """Identifiers from the id columns, whose cells often carry their own labels."""
    ids: dict[str, list[str]] = {}
    for column, kind in _ID_COLUMNS.items():
        for cell in split_values(row.get(column)):
            free_text_identifiers(ids, cell, kind=kind, country=country)
    return ids
