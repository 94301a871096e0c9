"""Helpers the list loaders share: reading the file, dates, countries, identifiers."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from casebook.core.errors import Refused

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

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%Y/%m/%d")


def iso_date(text: str | None) -> str | None:
    """An ISO date from the forms lists print (2014-09-12, 12.9.2014, 25 November 2025)."""
    text = " ".join((text or "").replace(",", " ").split())[:40]
    if len(text) >= 10 and re.match(r"\d{4}-\d\d-\d\d", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


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

_COUNTRY_ALIASES = {
    "russia": "RU",
    "russian federation": "RU",
    "turkey": "TR",
    "türkiye": "TR",
    "turkiye": "TR",
    "iran": "IR",
    "burma": "MM",
    "korea, north": "KP",
    "north korea": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "syria": "SY",
    "venezuela": "VE",
    "bolivia": "BO",
    "moldova": "MD",
    "republic of moldova": "MD",
    "tanzania": "TZ",
    "vietnam": "VN",
    "laos": "LA",
    "czech republic": "CZ",
    "taiwan": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "uae": "AE",
    "kyrgyz republic": "KG",
    "netherlands": "NL",
    "united kingdom": "GB",
    "uk": "GB",
    "united states of america": "US",
    "usa": "US",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "cote d ivoire": "CI",
    "crimea": "UA",
    "people s republic of china": "CN",
    "prc": "CN",
    "china (prc)": "CN",
    "belarus": "BY",
}


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """ISO alpha-2 for a country name or code as lists write them, else None."""
    name = re.sub(r"['’`]", " ", text or "")
    name = " ".join(name.split()).strip(" .,;()").casefold()
    name = re.sub(r"^the ", "", name)
    if not name or len(name) > 60:
        return None
    if name in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[name]
    import pycountry

    if len(name) == 2:
        found = pycountry.countries.get(alpha_2=name.upper())
        return found.alpha_2 if found else None
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None


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

# Schemes whose values are codes: spaces and dashes inside them are noise.
_CODE_SCHEMES = {"ru_inn", "ru_ogrn", "ru_kpp", "ru_okpo", "cn_uscc", "lei", "imo", "swift_bic"}


def label_kind(label: str) -> str | None:
    """The identifier kind a label names ("Tax ID No." → tax), or None."""
    text = label.casefold()
    for keyword, kind in _LABEL_KINDS:
        if re.search(rf"(?<![\w.]){re.escape(keyword)}(?!\w)", text):
            return kind
    return None


def _valid(module: str, value: str) -> bool:
    """Whether python-stdnum's module accepts the value."""
    import importlib

    return importlib.import_module(f"stdnum.{module}").is_valid(value)


def _code(value: str) -> str:
    """A code without spaces, dashes and dots, in capitals."""
    return re.sub(r"[\s\-./]", "", value).upper()


def shape_scheme(value: str, *, country: str | None) -> str | None:
    """The scheme a bare value's shape and check digits prove, or None."""
    code = _code(value)
    if len(code) == 18 and _valid("cn.uscc", code):
        return "cn_uscc"
    if len(code) == 20 and _valid("lei", code):
        return "lei"
    if country not in (None, "RU"):
        return None
    if len(code) in (13, 15) and code.isdigit() and _valid("ru.ogrn", code):
        return "ru_ogrn"
    if len(code) in (10, 12) and code.isdigit() and _valid("ru.inn", code):
        return "ru_inn"
    return None


def scheme_for(kind: str, value: str, *, country: str | None) -> str:
    """The scheme for a value of a labelled kind, refined by its shape and check digits."""
    proven = shape_scheme(value, country=country)
    if kind == "tax":
        return "ru_inn" if proven == "ru_inn" else "tax_id"
    if kind in ("ogrn", "registration"):
        if proven in ("ru_ogrn", "cn_uscc", "lei"):
            return proven
        return "registration"
    return kind


def clean_value(scheme: str, value: str) -> str:
    """An identifier value as stored: codes compacted, others trimmed."""
    value = value.strip(" .,;:()")
    return _code(value) if scheme in _CODE_SCHEMES else " ".join(value.split())


def add_identifier(ids: dict[str, list[str]], scheme: str, value: str) -> None:
    """Add a value under its scheme once."""
    value = clean_value(scheme, value)
    if value and value not in ids.setdefault(scheme, []):
        ids[scheme].append(value)


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
