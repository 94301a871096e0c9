"""Company identifiers by scheme: validated with python-stdnum where a checksum exists."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from stdnum import imo, lei
from stdnum.by import unp
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError
from stdnum.ru import inn, ogrn
from stdnum.tr import vkn
from stdnum.ua import edrpou

SCHEMES: dict[str, str] = {
    "ru_inn": "INN (Russia)",
    "ru_ogrn": "OGRN (Russia)",
    "ru_kpp": "KPP (Russia)",
    "cn_uscc": "Unified Social Credit Code (China)",
    "lei": "LEI",
    "tr_vkn": "VKN tax number (Türkiye)",
    "by_unp": "UNP (Belarus)",
    "ua_edrpou": "EDRPOU (Ukraine)",
    "imo": "IMO number",
    "tax_id": "Tax ID",
    "registration": "Registration number",
}
"""Identifier schemes and their display labels; ``tax_id`` and ``registration`` are unvalidated."""

_LABEL = re.compile(
    r"(?:ИНН|INN|ОГРНИП|ОГРН|OGRNIP|OGRN|КПП|KPP|LEI|USCC|VKN|УНП|UNP|ЄДРПОУ|ЕДРПОУ|EDRPOU)"
    r"\s*[:№#]?\s*",
    re.IGNORECASE,
)
_KPP = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")
_LOOSE_DROP = re.compile(r"[\s.\-]+")
_HAS_ALNUM = re.compile(r"\w")


def _stdnum(module: object) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        try:
            return module.validate(text)  # type: ignore[attr-defined]
        except (ValidationError, ValueError, TypeError):
            return None

    return check


def _kpp(text: str) -> str | None:
    text = text.replace(" ", "").upper()
    return text if _KPP.fullmatch(text) else None


def _loose(text: str) -> str | None:
    text = _LOOSE_DROP.sub("", text).upper()
    return text if 0 < len(text) <= 64 and _HAS_ALNUM.search(text) else None


_VALIDATORS: dict[str, Callable[[str], str | None]] = {
    "ru_inn": _stdnum(inn),
    "ru_ogrn": _stdnum(ogrn),
    "ru_kpp": _kpp,
    "cn_uscc": _stdnum(uscc),
    "lei": _stdnum(lei),
    "tr_vkn": _stdnum(vkn),
    "by_unp": _stdnum(unp),
    "ua_edrpou": _stdnum(edrpou),
    "imo": _stdnum(imo),
    "tax_id": _loose,
    "registration": _loose,
}
# A numeric cell drops leading zeros; these schemes have fixed lengths that restore them:
# (length, most zeros that can lead). INN and KPP start with a region code 01-99.
_NUMERIC_LENGTHS = {
    "ru_inn": ((10, 1), (12, 1)),
    "ru_kpp": ((9, 1),),
    "ua_edrpou": ((8, 7),),
    "tr_vkn": ((10, 1),),
}


def _text(value: object) -> tuple[str, bool] | None:
    """The identifier as text, and whether it came from a numeric cell."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return (str(value), True) if value >= 0 else None
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0 or not value.is_integer():
            return None
        return str(int(value)), True
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(".0") and text[:-2].isdigit():
            return text[:-2], True  # "7701234567.0" written out by a float column
        return (text, False) if 0 < len(text) <= 100 else None
    return None


def clean_identifier(scheme: str, value: object) -> str | None:
    """The compact, validated identifier, or None (invalid value or unknown scheme)."""
    validator = _VALIDATORS.get(scheme)
    found = _text(value) if validator else None
    if found is None:
        return None
    text, numeric = found
    if scheme not in ("tax_id", "registration"):
        text = _LABEL.sub("", text, count=1) if not numeric else text
    if numeric and scheme in _NUMERIC_LENGTHS:
        text = _pad(text, _NUMERIC_LENGTHS[scheme])
    return validator(text)


def _pad(digits: str, lengths: tuple[tuple[int, int], ...]) -> str:
    for length, zeros in lengths:
        if length - zeros <= len(digits) < length:
            return digits.zfill(length)
    return digits


# Which schemes to try for a bare identifier, by the firm's country (None: not known).
_DETECT_ORDER: dict[str | None, tuple[str, ...]] = {
    None: ("lei", "cn_uscc", "ru_ogrn", "ru_inn"),
    "RU": ("lei", "ru_ogrn", "ru_inn"),
    "CN": ("lei", "cn_uscc"),
    "HK": ("lei", "cn_uscc"),
    "TR": ("lei", "tr_vkn"),
    "BY": ("lei", "by_unp"),
    "UA": ("lei", "ua_edrpou"),
}


def detect_scheme(value: object, *, country: str | None = None) -> str | None:
    """Guess the scheme of a bare identifier (a valid INN, OGRN, USCC, LEI, ...), or None."""
    for scheme in _DETECT_ORDER.get(country, ("lei",)):
        if clean_identifier(scheme, value) is not None:
            return scheme
    return None


#: Identifier schemes of a person: a Russian personal INN (12 digits, checksummed), and numbers
#: kept as written less spaces, dots and dashes (passport, national id, another tax id).
PERSON_SCHEMES: dict[str, str] = {
    "ru_inn": "Personal INN (Russia)",
    "passport": "Passport",
    "national_id": "National ID",
    "tax_id": "Tax ID",
}
PERSONAL_INN_DIGITS = 12


def clean_person_identifier(scheme: str, value: object) -> str | None:
    """A person's identifier, compact and validated, or None (a firm's 10-digit INN is None)."""
    if scheme == "ru_inn":
        inn_value = clean_identifier("ru_inn", value)
        return inn_value if inn_value and len(inn_value) == PERSONAL_INN_DIGITS else None
    if scheme in PERSON_SCHEMES:
        found = _text(value)
        return _loose(found[0]) if found else None
    return None
