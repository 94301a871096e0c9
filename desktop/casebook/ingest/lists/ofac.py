"""OFAC legacy CSV: sdn.csv with its alt.csv (aliases) and add.csv (addresses) companions."""

from __future__ import annotations

import csv
import io
import re

from casebook.core.errors import Refused

from .birth import ofac_birth_dates
from .model import ListedRecord, unique
from .parsing import address_country, countries_of, country_code, labelled

LIST_NAME = "OFAC SDN"
EMPTY = "-0-"
SDN_FIELDS = 12
ALT_FIELDS = 5
ADD_FIELDS = 6
_SCHEMAS = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*(.*)$", re.IGNORECASE)
_COUNTRY_NOTE = re.compile(r"\s*\(([^()]+)\)\s*$")
_PERSON_COUNTRY = re.compile(r"^(?:alt\. )?(?:nationality|citizen)\s+(.+)$", re.IGNORECASE)
_NOT_IDS = ("dob", "pob", "gender", "linked to", "website", "email", "phone", "organization ")


def rows(text: str, *, file_name: str, width: int):
    """(line number, fields) of a headerless OFAC CSV, '-0-' read as empty."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for fields in reader:
        if not fields or fields == [""]:
            continue
        if len(fields) != width or not fields[0].strip().isdigit():
            raise Refused(
                f"{file_name}, line {reader.line_num}: not an OFAC legacy CSV row "
                f"(expected {width} fields starting with an entry number)"
            )
        yield reader.line_num, [_cell(f) for f in fields]


def _cell(text: str) -> str:
    """A field without padding; the '-0-' placeholder becomes ''."""
    text = text.strip()
    return "" if text == EMPTY else text


def parse_sdn(text: str, *, file_name: str) -> dict[str, ListedRecord]:
    """Records of sdn.csv by entry number, in file order."""
    records: dict[str, ListedRecord] = {}
    for _line, fields in rows(text, file_name=file_name, width=SDN_FIELDS):
        record = sdn_record(fields)
        records[record.source_id] = record
    return records


def sdn_record(fields: list[str]) -> ListedRecord:
    """One sdn.csv row as a record, with aliases and identifiers taken from Remarks."""
    ent_num, name, sdn_type, program = fields[:4]
    remarks = fields[11]
    schema = _SCHEMAS.get(sdn_type.casefold(), "entity")
    record = ListedRecord(
        source_id=ent_num,
        schema=schema,
        name=name,
        programmes=programmes(program),
        remarks=remarks or None,
        birth_dates=ofac_birth_dates(remarks),
        screenable=schema == "entity",
    )
    read_remarks(record, remarks)
    return record


def programmes(text: str) -> list[str]:
    """Programme tags from '[SDGT] [IFSR]' or 'RUSSIA-EO14024] [UKRAINE-EO13662'."""
    return unique(p.strip(" []") for p in text.split("] ["))


def read_remarks(record: ListedRecord, remarks: str) -> None:
    """Aliases, identifiers and countries written in an entry's Remarks."""
    countries: list[str] = []
    for part in re.split(r";\s*", remarks):
        part = part.strip().rstrip(".").strip()
        if not part:
            continue
        if alias := _ALIAS.match(part):
            _add_alias(record, alias[1].casefold(), alias[2])
        elif person := _PERSON_COUNTRY.match(part):
            countries.append(person[1])
        else:
            countries.extend(_remark_identifier(record, part))
    record.countries = unique([*record.countries, *countries_of(countries)])


def _add_alias(record: ListedRecord, marker: str, text: str) -> None:
    """An a.k.a. (strong), n.k.a. (strong) or f.k.a. (weak) written in Remarks."""
    name = text.strip().rstrip(".").strip("'\"")
    if not any(ch.isalnum() for ch in name):
        return
    target = record.weak_aliases if marker == "f.k.a." else record.aliases
    target[:] = unique([*target, name])


def _remark_identifier(record: ListedRecord, part: str) -> list[str]:
    """Read 'Tax ID No. 3661073772 (Russia)'; returns the country named, if any."""
    text = re.sub(r"^alt\.\s+", "", part)
    if text.casefold().startswith(_NOT_IDS):
        return []
    text = re.sub(r"\s+(issued|expires)\s+.*$", "", text)
    country_name = None
    if note := _COUNTRY_NOTE.search(text):
        country_name = note[1]
        text = text[: note.start()]
    match = re.match(r"^(?P<label>.*?[A-Za-z.#)])\s+(?P<value>[^\s]*\d.*)$", text)
    if not match:
        return []
    code = country_code(country_name) if country_name else None
    found = labelled(record.identifiers, match["label"], match["value"], country=code)
    return [country_name] if found and code else []


def join_aliases(records: dict[str, ListedRecord], text: str, *, file_name: str) -> int:
    """Add alt.csv names to their entries; returns how many rows had no entry."""
    orphans = 0
    for _line, (ent_num, _alt_num, alt_type, alt_name, _remarks) in rows(
        text, file_name=file_name, width=ALT_FIELDS
    ):
        record = records.get(ent_num)
        if record is None:
            orphans += 1
            continue
        target = record.weak_aliases if alt_type.casefold() == "fka" else record.aliases
        target[:] = unique([*target, alt_name])
    return orphans


def join_addresses(records: dict[str, ListedRecord], text: str, *, file_name: str) -> int:
    """Add add.csv addresses (and their countries); returns how many rows had no entry."""
    orphans = 0
    for _line, fields in rows(text, file_name=file_name, width=ADD_FIELDS):
        ent_num, _add_num, street, city, country, _remarks = fields
        record = records.get(ent_num)
        if record is None:
            orphans += 1
            continue
        address = ", ".join(p for p in (street, city, country) if p)
        code = country_code(country) if country else address_country(address)
        if address:
            record.addresses = unique([*record.addresses, address])
        if code:
            record.countries = unique([*record.countries, code])
    return orphans
