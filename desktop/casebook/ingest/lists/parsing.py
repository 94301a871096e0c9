"""Helpers the list loaders share: reading the file, dates, countries, identifiers."""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

from casebook.core.countries import clean_country
from casebook.core.dates import clean_date
from casebook.core.errors import Refused
from casebook.core.identifiers import SCHEMES, clean_identifier, detect_scheme

from .model import unique

SNIFF_BYTES = 64 * 1024


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a missing or unreadable file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Refused(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, *, file_name: str) -> str:
    """Text of a list file: UTF-8 (with or without BOM), else cp1252; binary is refused."""
    if b"\x00" in data[:SNIFF_BYTES]:
        raise Refused(f"{file_name}: not a text file (binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.rstrip("\x1a")


def split_values(text: str | None, sep: str = ";") -> list[str]:
    """A separated cell split into stripped, non-empty values."""
    return unique((text or "").split(sep))


# --- dates -----------------------------------------------------------------------------------


def iso_date(text: str | None) -> str | None:
    """An ISO date from the forms lists print (2014-09-12, 12.9.2014, 25 November 2025)."""
    text = " ".join((text or "").split())
    if re.match(r"\d{4}-\d\d-\d\dT", text):
        text = text[:10]
    day = clean_date(text, order="dmy")
    return day.isoformat() if day else None


def earliest(dates) -> str | None:
    """The earliest of some ISO dates, ignoring empties."""
    found = sorted(d for d in dates if d)
    return found[0] if found else None


def check_published(published: str | date | None) -> str | None:
    """A caller's publication date as ISO, refusing one that is not a date."""
    if published is None or published == "":
        return None
    if isinstance(published, date):
        return published.isoformat()
    iso = iso_date(str(published))
    if iso is None:
        raise Refused(f"publication date {published!r} is not a date (use YYYY-MM-DD)")
    return iso


# --- countries -------------------------------------------------------------------------------


def country_code(text: str | None) -> str | None:
    """ISO alpha-2 for a country name or code as lists write them, else None."""
    name = re.sub(r"^the\s+", "", (text or "").strip(), flags=re.IGNORECASE)
    if not re.search(r"[^\W\d_]", name):
        return None  # core reads numbers as ISO numeric codes; lists never mean that
    code = clean_country(name)
    return code if code not in (None, "XX", "EU") else None


def address_country(address: str) -> str | None:
    """The country an address ends with ("…, Moscow, Russian Federation" → RU), if any."""
    parts = [p.strip() for p in re.split(r"[,;]", address) if p.strip()]
    for part in reversed(parts[-2:]):
        code = country_code(re.sub(r"[\d\-]+", " ", part))
        if code:
            return code
    return None


# --- identifiers -----------------------------------------------------------------------------

# A label keyword -> the kind of identifier it names; kinds are refined into schemes below.
_LABEL_KINDS = (
    ("unified social credit", "cn_uscc"),
    ("social credit", "cn_uscc"),
    ("usccc", "cn_uscc"),
    ("uscc", "cn_uscc"),
    ("uncc", "cn_uscc"),
    ("legal entity number", "lei"),
    ("lei", "lei"),
    ("government gazette", "ru_okpo"),
    ("okpo", "ru_okpo"),
    ("kpp", "ru_kpp"),
    ("ogrn", "ogrn"),
    ("огрн", "ogrn"),
    ("psrn", "ogrn"),
    ("srn", "ogrn"),
    ("state registration", "ogrn"),
    ("инн", "tax"),
    ("inn", "tax"),
    ("tax", "tax"),
    ("tin", "tax"),
    ("trn", "tax"),
    ("nit", "tax"),
    ("r.f.c", "tax"),
    ("fiscal code", "tax"),
    ("fein", "tax"),
    ("v.a.t", "vat"),
    ("vat", "vat"),
    ("imo", "imo"),
    ("mmsi", "mmsi"),
    ("swift", "swift_bic"),
    ("bic", "swift_bic"),
    ("isin", "isin"),
    ("passport", "passport"),
    ("national id", "national_id"),
    ("identification number", "national_id"),
    ("cedula", "national_id"),
    ("d.n.i", "national_id"),
    ("ssn", "national_id"),
    ("citizen's card", "national_id"),
    ("residency number", "national_id"),
    ("registration", "registration"),
    ("registered", "registration"),
    ("company number", "registration"),
    ("company registration", "registration"),
    ("c.r.", "registration"),
    ("cr no", "registration"),
    ("cr number", "registration"),
    ("crn", "registration"),
    ("brn", "registration"),
    ("commercial regist", "registration"),
    ("business", "registration"),
    ("incorporation", "registration"),
    ("chamber of comm", "registration"),
    ("cbls", "registration"),
    ("economic register", "registration"),
    ("license", "registration"),
    ("enterprise number", "registration"),
    ("d-u-n-s", "registration"),
    ("uen", "registration"),
    ("cin", "registration"),
    ("iec", "registration"),
    ("gstin", "registration"),
    ("branch unit", "registration"),
    ("id", "registration"),
)

# Kinds outside the core's schemes that have a core scheme of the same meaning.
_CORE_KIND = {"ru_okpo": "registration", "vat": "tax_id"}
# Schemes a bare value may be proven to be, by the kind of label it came with.
_TAX_PROVEN = {"ru_inn", "tr_vkn", "by_unp", "cn_uscc"}
_REGISTRATION_PROVEN = {"ru_ogrn", "cn_uscc", "lei", "by_unp", "ua_edrpou", "tr_vkn"}


def label_kind(label: str) -> str | None:
    """The identifier kind a label names ("Tax ID No." → tax), or None."""
    text = label.casefold()
    for keyword, kind in _LABEL_KINDS:
        if re.search(rf"(?<![\w.]){re.escape(keyword)}(?!\w)", text):
            return kind
    return None


def scheme_for(kind: str, value: str, *, country: str | None) -> str:
    """The scheme for a value of a labelled kind, refined by its shape and check digits."""
    proven = detect_scheme(_code(value), country=country)
    if kind == "tax":
        return proven if proven in _TAX_PROVEN else "tax_id"
    if kind in ("ogrn", "registration"):
        return proven if proven in _REGISTRATION_PROVEN else "registration"
    return _CORE_KIND.get(kind, kind)


def _code(value: str) -> str:
    """A code without spaces, dashes and dots, in capitals."""
    return re.sub(r"[\s\-./]", "", value).upper()


def clean_value(scheme: str, value: str) -> tuple[str, str] | None:
    """(scheme, value) as stored; a code that fails its check is kept as a registration."""
    value = " ".join(value.strip(" .,;:()").split())
    if scheme not in SCHEMES:
        return (scheme, value) if value else None  # passport, swift_bic …: kept as written
    clean = clean_identifier(scheme, value)
    if clean is None and scheme not in ("tax_id", "registration"):
        scheme, clean = "registration", clean_identifier("registration", value)
    return (scheme, clean) if clean else None


def add_identifier(ids: dict[str, list[str]], scheme: str, value: str) -> None:
    """Add a value under its scheme once."""
    cleaned = clean_value(scheme, value)
    if cleaned and cleaned[1] not in ids.setdefault(cleaned[0], []):
        ids[cleaned[0]].append(cleaned[1])
    if scheme in ids and not ids[scheme]:
        del ids[scheme]


def labelled(ids: dict[str, list[str]], label: str, value: str, *, country: str | None) -> bool:
    """Add a value whose label names its kind; False when the label names no identifier."""
    kind = label_kind(label)
    if kind is None or not re.search(r"\d", value):
        return False
    add_identifier(ids, scheme_for(kind, value, country=country), value)
    return True


_PAREN_LABEL = re.compile(
    r"^(?P<value>[^()]*?\d[^()]*?)\s*\((?P<label>[^()]*(?:\([^()]*\))?[^()]*)\)$"
)
_PREFIX_LABEL = re.compile(
    r"^(?P<label>[^\d]{2,60}?)[\s:–\-#]+(?P<value>[A-Z0-9][\w\-./ ]*\d[\w\-./]*)$"
)
_FIELD_PAIR = re.compile(r"\b(INN|KPP|OGRN|OKPO)\b\s*:?\s*([\d ]{8,})", re.IGNORECASE)


def free_text_identifiers(
    ids: dict[str, list[str]], text: str, *, kind: str, country: str | None
) -> None:
    """Identifiers from a cell such as "7704730655 (Tax ID/INN)" or "INN: 1, KPP: 2"."""
    pairs = _FIELD_PAIR.findall(text)
    if len(pairs) > 1:
        for label, value in pairs:
            labelled(ids, label, value, country=country)
        return
    for part in re.split(r"[;,](?![^()]*\))", text):
        part = part.strip()
        if part:
            _one_identifier(ids, part, kind=kind, country=country)


def _one_identifier(
    ids: dict[str, list[str]], part: str, *, kind: str, country: str | None
) -> None:
    """One value with its label before it, in brackets after it, or none."""
    match = _PAREN_LABEL.match(part)
    if match and labelled(ids, match["label"], match["value"], country=country):
        return
    match = _PREFIX_LABEL.match(part)
    if match and labelled(ids, match["label"], match["value"], country=country):
        return
    value = re.sub(r"\s*\([^)]*\)\s*$", "", part)
    value = re.sub(r"\s+on\s+\d.*$", "", value)
    if re.search(r"\d", value):
        add_identifier(ids, scheme_for(kind, value, country=country), value)


def countries_of(*groups) -> list[str]:
    """Distinct alpha-2 codes from groups of names or codes."""
    codes = [country_code(item) for group in groups for item in group]
    return unique(c for c in codes if c)


def complete_rows(reader: csv.DictReader, file_name: str):
    """The rows, each with every column: a file cut short (a download that stopped) ends in
    half a row or inside a quoted field, and half a listing must not be loaded as a whole one."""
    width = len(reader.fieldnames or ())
    while True:
        line = reader.line_num + 1  # where the next row starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Refused(f"{file_name}, line {line}: {exc}; {_CUT}") from None
        if None in row or None in row.values():
            got = width - sum(v is None for v in row.values()) + len(row.get(None) or ())
            raise Refused(f"{file_name}, line {line}: {got} of {width} columns; {_CUT}")
        yield row


_CUT = "the file looks cut short or damaged (download it again)"
