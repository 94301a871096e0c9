"""Reference data for the red flags: CHPL, EU export-ban CN8 codes, hubs, controller makers.

Each loader reads one file of ``resources/reference/`` (see the README there for source and
date) once per process.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from casebook import resources

CHPL_FILE = "chpl_hs6_2024-02-23.csv"
EU_BAN_FILE = "eu_reg833_export_sanctioned_cn8_codes_2022-10.csv"
HUBS_FILE = "transshipment_hubs.csv"
CONTROLLERS_FILE = "cnc_controller_makers.csv"

#: EU member states (2020-): a shipment from one of them "dispatched from EU" is not a detour.
EU_MEMBERS = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)

_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTER = r"[^\W\d_]"


@dataclass(frozen=True)
class ChplItem:
    hs6: str
    tier: str
    description: str


@dataclass(frozen=True)
class ControllerMaker:
    maker: str
    country: str
    variants: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    with resources.reference(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def chpl() -> dict[str, ChplItem]:
    """The Common High Priority List by HS6 code."""
    return {
        r["hs6"]: ChplItem(r["hs6"], r["tier"], r["hs6_description_abridged"])
        for r in _rows(CHPL_FILE)
    }


@cache
def eu_banned_cn8() -> dict[str, str]:
    """EU Reg. 833/2014 export-ban CN8 codes with their product text."""
    return {r["code"]: r["product"] for r in _rows(EU_BAN_FILE)}


@cache
def transshipment_hubs() -> dict[str, str]:
    """Hub countries (ISO alpha-2) named in the FinCEN/BIS alerts, with their names."""
    return {r["country"]: r["name"] for r in _rows(HUBS_FILE)}


@cache
def controller_makers() -> tuple[ControllerMaker, ...]:
    """CNC control-system makers with their country and spellings."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for r in _rows(CONTROLLERS_FILE):
        grouped.setdefault((r["maker"], r["country"]), []).append(r["variant"])
    return tuple(ControllerMaker(mk, cc, tuple(vs)) for (mk, cc), vs in grouped.items())


def _variant_pattern(variant: str) -> str:
    """Latin/Cyrillic spellings match as words (digits may follow: FANUC0i); CJK anywhere."""
    escaped = re.escape(variant)
    if _CJK.search(variant):
        return escaped
    return rf"(?<!{_LETTER}){escaped}(?!{_LETTER})"


@cache
def controller_pattern(*, exclude_country: str | None = None) -> re.Pattern[str]:
    """One regex over every maker's spellings; the group name says which maker matched."""
    parts = []
    for index, maker in enumerate(controller_makers()):
        if maker.country == exclude_country:
            continue
        alternatives = "|".join(_variant_pattern(v) for v in maker.variants)
        parts.append(f"(?P<m{index}>{alternatives})")
    return re.compile("|".join(parts), re.IGNORECASE)


@cache
def _folded_variants(exclude_country: str | None) -> tuple[str, ...]:
    makers = controller_makers()
    return tuple(
        v.casefold() for mk in makers if mk.country != exclude_country for v in mk.variants
    )


def find_controller(text: str | None, *, exclude_country: str | None = None):
    """The first controller maker named in ``text`` and the spelling found, or None."""
    if not text:
        return None
    folded = text.casefold()  # a cheap substring test first: most descriptions name no maker
    if not any(v in folded for v in _folded_variants(exclude_country)):
        return None
    match = controller_pattern(exclude_country=exclude_country).search(text)
    if match is None:
        return None
    maker = controller_makers()[int(match.lastgroup[1:])]
    return maker, match.group(0)
