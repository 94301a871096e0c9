"""Officers and owners from a table (a registry extract, an OpenCorporates export): one row
names a firm, a person and the person's role in it, with a share and dates.

A mapping file says ``kind = "people"`` and maps columns to the fields below under
``[columns]``. Reading is pure: every row is cleaned, and every bad value is collected with its
file, row and column; the caller writes nothing unless there are none (all or nothing).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from casebook.core.countries import clean_country
from casebook.core.dates import clean_birth_date, clean_date
from casebook.core.domain import OWNERSHIP_KINDS, PERSON_FIRM_KINDS, clean_choice
from casebook.core.errors import RowErrors, UsageError
from casebook.core.identifiers import clean_identifier, clean_person_identifier, detect_scheme
from casebook.core.names import clean_name
from casebook.ingest.presets import header_key, read_mapping_toml
from casebook.ingest.readers import RowError, open_sheets

#: The fields a column of a people table can map to.
FIELDS = (
    "firm",  # the firm's name
    "firm_id",  # its identifier (scheme detected: INN, OGRN, USCC, LEI …)
    "firm_country",
    "person",  # the person's name
    "person_native",  # the name in its own script
    "birth_date",
    "nationality",
    "person_inn",  # a 12-digit personal INN
    "passport",
    "role",
    "share",
    "start",
    "end",
)
#: Role words of registry extracts, besides the kinds themselves.
ROLE_WORDS = {
    "директор": "director",
    "генеральный директор": "director",
    "general director": "director",
    "ceo": "director",
    "руководитель": "director",
    "учредитель": "founder",
    "участник": "shareholder",
    "акционер": "shareholder",
    "owner": "shareholder",
    "бенефициар": "beneficial owner",
    "ubo": "beneficial owner",
    "бенефициарный владелец": "beneficial owner",
    "сотрудник": "employee",
    "должностное лицо": "officer",
    "secretary": "officer",
}


@dataclass
class PersonRow:
    """One cleaned row: the firm, the person and the link between them."""

    row: int
    firm: str | None
    firm_scheme: str | None
    firm_ident: str | None
    firm_country: str | None
    person: str
    native: str | None
    birth_date: str | None
    nationality: str | None
    identifiers: dict[str, str]
    role: str
    share: float | None
    start: str | None
    end: str | None


@dataclass
class PeopleTable:
    file: str
    rows: list[PersonRow] = field(default_factory=list)
    rows_read: int = 0


def mapping_is_people(path: str | Path | None) -> bool:
    """True when a mapping file says ``kind = "people"``."""
    if not path:
        return False
    try:
        with Path(path).open("rb") as f:
            return tomllib.load(f).get("kind") == "people"
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_mapping(path: str | Path) -> dict[str, str]:
    """The ``[columns]`` of a people mapping file (header key → field), checked."""
    name = Path(path).name
    columns = read_mapping_toml(path).get("columns")
    if not isinstance(columns, dict) or not columns:
        raise UsageError(f"mapping file {name}: a [columns] table (column = field) is required")
    for column, target in columns.items():
        if target not in FIELDS:
            raise UsageError(f"mapping file {name}: {column!r} maps to unknown field {target!r}")
    given = set(columns.values())
    for needed in ("person", "role"):
        if needed not in given:
            raise UsageError(f"mapping file {name}: no column maps to {needed}")
    if not given & {"firm", "firm_id"}:
        raise UsageError(f"mapping file {name}: no column maps to firm or firm_id")
    return {header_key(c): t for c, t in columns.items()}


def read_people(
    path: str | Path, *, mapping: dict[str, str], sheet: str | None = None, encoding=None
) -> PeopleTable:
    """Every row of the table cleaned; RowErrors (naming file, row and column of each bad
    value) when any row is bad."""
    path = Path(path)
    [table, *_] = open_sheets(path, encoding=encoding, sheet=sheet)
    where = {header_key(h): i for i, h in enumerate(table.header)}
    missing = [c for c in mapping if c not in where]
    if missing:
        raise UsageError(f"{path.name}: no column {missing[0]!r} (the mapping names it)")
    column_of = {target: (where[c], table.header[where[c]]) for c, target in mapping.items()}
    out = PeopleTable(file=path.name)
    errors: list[RowError] = list(table.errors)
    for chunk in table.chunks():
        for i, row_number in enumerate(chunk.rows):
            out.rows_read += 1
            values = {t: (chunk.columns[j][i], header) for t, (j, header) in column_of.items()}
            cleaned = _clean_row(path.name, row_number, values, errors)
            if cleaned is not None:
                out.rows.append(cleaned)
    if errors:
        raise RowErrors(
            f"{path.name}: {len(errors)} invalid rows; nothing was imported", errors=errors
        )
    return out


def _clean_row(file: str, row: int, values: dict, errors: list[RowError]) -> PersonRow | None:
    """One row cleaned, or None with its problems added to ``errors``."""
    found: list[RowError] = []

    def bad(target: str, reason: str) -> None:
        value, header = values[target]
        found.append(RowError(file, row, header, None if value is None else str(value), reason))

    def text(target: str) -> str | None:
        if target not in values:
            return None
        value = values[target][0]
        if isinstance(value, dt.date):  # a spreadsheet's date cell (a datetime at midnight)
            value = value.isoformat()[:10]
        return clean_name(value)

    def checked(target: str, clean, reason: str):
        raw = text(target)
        if raw is None:
            return None
        value = clean(raw)
        if value is None:
            bad(target, reason)
        return value

    person = text("person")
    if person is None:
        bad("person", "no person's name")
    country = checked("firm_country", clean_country, "not a country")
    firm, ident = text("firm"), text("firm_id")
    scheme = detect_scheme(ident, country=country) if ident else None
    if ident and scheme is None:
        bad("firm_id", "not a valid firm identifier (INN, OGRN, USCC, LEI …)")
    if firm is None and ident is None:
        bad("firm" if "firm" in values else "firm_id", "no firm")
    role = checked("role", _role, f"not a role ({', '.join(PERSON_FIRM_KINDS)})")
    if text("role") is None:
        bad("role", "no role")
    share = checked("share", _share, "not a share from 0 to 100 %")
    if share is not None and role not in OWNERSHIP_KINDS:
        bad("share", "a share is given only for a shareholder or beneficial owner")
    identifiers = {}
    for target, scheme_name in (("person_inn", "ru_inn"), ("passport", "passport")):
        value = checked(target, lambda v, s=scheme_name: clean_person_identifier(s, v),
                        f"not a valid {scheme_name}")  # fmt: skip
        if value:
            identifiers[scheme_name] = value
    start = checked("start", _day, "not a date")
    end = checked("end", _day, "not a date")
    if start and end and end < start:
        bad("end", "ends before it starts")
    born = checked("birth_date", clean_birth_date, "not a birth date (YYYY-MM-DD or YYYY)")
    nationality = checked("nationality", clean_country, "not a country")
    if found:
        errors.extend(found)
        return None
    return PersonRow(
        row=row,
        firm=firm,
        firm_scheme=scheme,
        firm_ident=clean_identifier(scheme, ident) if scheme else None,
        firm_country=country,
        person=person,
        native=text("person_native"),
        birth_date=born,
        nationality=nationality,
        identifiers=identifiers,
        role=role,
        share=share,
        start=start,
        end=end,
    )


def _role(text: str) -> str | None:
    folded = " ".join(text.casefold().split())
    return clean_choice(folded, PERSON_FIRM_KINDS) or ROLE_WORDS.get(folded)


def _share(text: str) -> float | None:
    try:
        share = float(text.strip().rstrip("%").replace(",", ".").strip())
    except ValueError:
        return None
    return share if 0 <= share <= 100 else None


def _day(text: str) -> str | None:
    day = clean_date(text)
    return day.isoformat() if day else None
