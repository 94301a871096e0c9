"""US Consolidated Screening List CSV (trade.gov), the 2019 and the 2025 layouts."""

from __future__ import annotations

import csv
import hashlib
import io
import re

from casebook.core.errors import Refused

from .birth import birth_dates
from .model import ListedRecord, unique
from .parsing import (
    address_country,
    complete_rows,
    countries_of,
    iso_date,
    labelled,
    split_values,
)

LIST_NAME = "US CSL"
REQUIRED = {"source", "entity_number", "type", "name", "alt_names", "addresses", "ids"}
_SCHEMAS = {
    "entity": "entity",
    "individual": "individual",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_SUFFIX = re.compile(r";?\s*and any successor, sub-unit, or subsidiary thereof\.?$", re.IGNORECASE)


def parse(text: str, *, file_name: str) -> list[ListedRecord]:
    """Records of a CSL CSV; rows of one party repeated per address are merged."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    missing = REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise Refused(
            f"{file_name}: not a Consolidated Screening List CSV (missing {sorted(missing)})"
        )
    merged: dict[str, ListedRecord] = {}
    for row in complete_rows(reader, file_name):
        if not (row.get("name") or "").strip():
            raise Refused(f"{file_name}, line {reader.line_num}: a row without a name")
        record = row_record(row)
        if record.source_id in merged:
            _merge(merged[record.source_id], record)
        else:
            merged[record.source_id] = record
    return list(merged.values())


def row_record(row: dict[str, str]) -> ListedRecord:
    """One CSL row as a record."""
    name = clean_name(row["name"])
    kind = (row.get("type") or "").strip().casefold()
    # Only OFAC sub-lists type their rows; an untyped row (Entity List, DPL, UVL, ISN …) is
    # screened, because a missed listing costs more than one more hit to dismiss.
    schema = _SCHEMAS.get(kind, "other")
    addresses = split_values(row.get("addresses"))
    record = ListedRecord(
        source_id=source_id(row, name),
        schema=schema,
        name=name,
        aliases=[clean_name(a) for a in _alt_names(row.get("alt_names"))],
        addresses=addresses,
        programmes=split_values(row.get("programs")),
        listed_on=iso_date(row.get("start_date")),
        remarks=(row.get("remarks") or "").strip() or None,
        birth_dates=birth_dates(row.get("dates_of_birth")),
        sublist=(row.get("source") or "").strip() or None,
        screenable=schema in ("entity", "other"),
    )
    record.aliases = unique(a for a in record.aliases if a.casefold() != name.casefold())
    countries = [address_country(a) for a in addresses]
    for item in split_values(row.get("ids")):
        countries.append(_id_item(record, item))
    citizenship = [*split_values(row.get("citizenships")), *split_values(row.get("nationalities"))]
    record.countries = countries_of([c for c in countries if c], citizenship)
    return record


def clean_name(text: str) -> str:
    """A listed name without padding or the ISN 'and any successor …' formula."""
    return " ".join(_SUFFIX.sub("", text or "").split()).rstrip(";,")


def _alt_names(text: str | None) -> list[str]:
    """Alternative names; the Entity List joins its last one with 'and'."""
    return [re.sub(r"^and\s+", "", n) for n in split_values(text)]


def source_id(row: dict[str, str], name: str) -> str:
    """The row's own id: _id (2025), else entity_number, else a digest of source and name."""
    for column in ("_id", "entity_number"):
        value = (row.get(column) or "").strip()
        if value:
            return value
    digest = hashlib.sha1(f"{row.get('source', '')}|{name.casefold()}".encode()).hexdigest()
    return f"csl-{digest[:16]}"


def _id_item(record: ListedRecord, item: str) -> str | None:
    """Read one ids item, 'Label, value, CC' (2025) or 'CC, value, Label' (2019)."""
    parts = [p.strip() for p in item.split(",") if p.strip()]
    code = next((p for p in parts if re.fullmatch(r"[A-Z]{2}", p)), None)
    values = [p for p in parts if p != code and re.search(r"\d", p)]
    labels = [p for p in parts if p != code and p not in values]
    if len(values) == 1 and labels:
        if labelled(record.identifiers, labels[0], values[0], country=code):
            return code
    return None


def _merge(into: ListedRecord, other: ListedRecord) -> None:
    """Fold a repeated row (another address of the same party) into the first."""
    into.aliases = unique([*into.aliases, *other.aliases])
    into.addresses = unique([*into.addresses, *other.addresses])
    into.countries = unique([*into.countries, *other.countries])
    into.programmes = unique([*into.programmes, *other.programmes])
    into.birth_dates = unique([*into.birth_dates, *other.birth_dates])
    for scheme, values in other.identifiers.items():
        into.identifiers[scheme] = unique([*into.identifiers.get(scheme, []), *values])
