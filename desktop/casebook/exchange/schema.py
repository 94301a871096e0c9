"""What each record of a case bundle may hold: types, lengths, vocabularies, finite numbers.

A bundle comes from outside, so every record is checked against its kind's schema before
anything is written, and the whole bundle is refused at the first record that does not fit,
naming the record and the field. The vocabularies are the domain's own (``core.domain``,
``core.standards``, ``core.countries``, ``core.identifiers``). Fields a schema does not name
are left out, so nothing unchecked reaches the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime

from casebook.core.countries import clean_country
from casebook.core.dates import clean_birth_date
from casebook.core.domain import (
    CASE_STATUSES,
    CHART_GROUP_LENGTH,
    CHART_SUBJECTS,
    EVIDENCE_KINDS,
    FIRM_ROLES,
    PERSON_KINDS,
    PRIORITIES,
    RELATIONSHIP_KINDS,
)
from casebook.core.errors import Refused, UsageError
from casebook.core.identifiers import PERSON_SCHEMES, SCHEMES, clean_person_identifier
from casebook.core.numbers import TOO_LARGE
from casebook.core.standards import Confidence, Credibility, Likelihood, Marking, Reliability
from casebook.store.figures import FILTER_OPTIONS, figure_filter
from casebook.store.figures import MEASURES as FIGURE_MEASURES

DATASET_KINDS = ("shipments", "trade")
LINK_KINDS = ("case", "firm", "shipment", "relationship", "finding", "person", "personlink")
SHORT, NAME, LONG, TEXT = 200, 2_000, 100_000, 16 * 1024 * 1024  # characters
OMIT = object()  # a missing value the store fills with its default


class Bad(ValueError):
    """Why one value does not fit its field."""


Spec = Callable[[object], object]


def kind_of(value: object) -> str:
    """A value's JSON type in words, for messages (never the value: it may be huge)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def text(limit: int, *, required: bool = False, default: object = None) -> Spec:
    def check(value):
        if value is None:
            if required:
                raise Bad("is missing")
            return default
        if not isinstance(value, str):
            raise Bad(f"is {kind_of(value)}, not text")
        if len(value) > limit:
            raise Bad(f"is longer than {limit} characters")
        if required and not value.strip():
            raise Bad("is empty")
        return value

    return check


def choice(options, *, required: bool = False, default: object = None) -> Spec:
    options = frozenset(options)
    listed = ", ".join(sorted(options))

    def check(value):
        if value is None:
            if required:
                raise Bad("is missing")
            return default
        if not isinstance(value, str) or value not in options:
            shown = repr(value[:40]) if isinstance(value, str) else kind_of(value)
            raise Bad(f"is {shown}, not one of {listed}")
        return value

    return check


def pattern(regex: str, what: str, *, required: bool = False) -> Spec:
    compiled = re.compile(regex)

    def check(value):
        if value is None:
            if required:
                raise Bad("is missing")
            return None
        if not isinstance(value, str) or not compiled.fullmatch(value):
            shown = repr(value[:40]) if isinstance(value, str) else kind_of(value)
            raise Bad(f"is {shown}, not {what}")
        return value

    return check


def uid(*, required: bool = True) -> Spec:
    return pattern(r"[0-9a-f]{32}", "a UUID (32 hex digits)", required=required)


def sha256(*, required: bool = True) -> Spec:
    return pattern(r"[0-9a-f]{64}", "a SHA-256 (64 hex digits)", required=required)


def integer(low: int = 0, high: int = 2**62, *, required: bool = False, default=None) -> Spec:
    def check(value):
        if value is None:
            if required:
                raise Bad("is missing")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise Bad(f"is {kind_of(value)}, not a whole number")
        if not low <= value <= high:
            raise Bad(f"is {value}, outside {low}–{high}")
        return value

    return check


def number(low: float = -1e300, high: float = 1e300) -> Spec:
    def check(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Bad(f"is {kind_of(value)}, not a number")
        value = float(value)
        if not math.isfinite(value) or not low <= value <= high:
            raise Bad(f"is {value}, outside {low:g}–{high:g}")
        return value

    return check


#: A value, quantity or weight of one row: what an import accepts (0 up to 10^18), so a bundle
#: cannot bring in what the importer refuses (a negative value, a 1e308 that sums to infinity).
AMOUNT = number(0, TOO_LARGE)


def flag(value):
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Bad(f"is {kind_of(value)}, not true/false")
    return value


def stamp(*, nullable: bool = False) -> Spec:
    """An ISO 8601 date and time; missing means the store's default (or null if nullable)."""

    def check(value):
        if value is None:
            return None if nullable else OMIT
        if not isinstance(value, str) or len(value) > 40:
            raise Bad(f"is {kind_of(value)}, not a date and time")
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise Bad(f"is {value!r}, not an ISO date and time") from None

    return check


def day(*, partial: bool = False) -> Spec:
    """``YYYY-MM-DD`` (or, when ``partial``, also ``YYYY`` and ``YYYY-MM``)."""
    shape = re.compile(
        r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?" if partial else r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    )

    def check(value):
        if value is None:
            return None
        if not isinstance(value, str) or not shape.fullmatch(value):
            shown = repr(value[:40]) if isinstance(value, str) else kind_of(value)
            raise Bad(f"is {shown}, not a date (YYYY-MM-DD)")
        full = value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value
        try:
            date.fromisoformat(full)
        except ValueError:
            raise Bad(f"is {value!r}, not a date") from None
        return value

    return check


def country(value):
    """ISO 3166-1 alpha-2 as the store writes it (``EU`` and ``XX`` too), or null."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 2 or clean_country(value) != value:
        shown = repr(value[:40]) if isinstance(value, str) else kind_of(value)
        raise Bad(f"is {shown}, not an ISO 3166 country code")
    return value


def list_of(item: Spec, limit: int) -> Spec:
    def check(value):
        if value is None:
            return []
        if not isinstance(value, list):
            raise Bad(f"is {kind_of(value)}, not a list")
        if len(value) > limit:
            raise Bad(f"has more than {limit} entries")
        cleaned = []
        for n, entry in enumerate(value, start=1):
            try:
                cleaned.append(item(entry))
            except Bad as exc:
                raise Bad(f"entry {n} {exc}") from None
        return cleaned

    return check


def row(*specs: Spec) -> Spec:
    def check(value):
        if not isinstance(value, list) or len(value) != len(specs):
            raise Bad(f"is {kind_of(value)}, not a list of {len(specs)} values")
        return [spec(v) for spec, v in zip(specs, value, strict=True)]

    return check


def plain_json(depth: int, limit: int = 10_000) -> Spec:
    """An object of text, numbers, true/false and null, nested at most ``depth`` deep."""

    def walk(value, level):
        if isinstance(value, dict | list):
            if level >= depth:
                raise Bad(f"is nested deeper than {depth} levels")
            if len(value) > limit:
                raise Bad(f"has more than {limit} entries")
            for v in value.values() if isinstance(value, dict) else value:
                walk(v, level + 1)
        elif isinstance(value, float) and not math.isfinite(value):
            raise Bad("holds a number that is not finite")

    def check(value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise Bad(f"is {kind_of(value)}, not an object")
        walk(value, 0)
        return value

    return check


MARKINGS = [m.value for m in Marking]
LIKELIHOODS = [term for item in Likelihood for term in (item.term, item.alternative)]
CONFIDENCES = [c.value for c in Confidence]
RELIABILITIES = [r.value for r in Reliability]
CREDIBILITIES = [str(c.value) for c in Credibility]

CASE = {
    "uid": uid(),
    "ref": text(SHORT, required=True),
    "title": text(NAME, required=True),
    "summary": text(LONG, default=""),
    "status": choice(CASE_STATUSES, default="open"),
    "priority": choice(PRIORITIES, default="medium"),
    "marking": choice(MARKINGS, default="TLP:AMBER"),
    "created": stamp(),
    "updated": stamp(),
}
FIRM = {
    "name": text(NAME, required=True),
    "native_name": text(NAME),
    "country": country,
    "address": text(LONG),
    "name_key": text(NAME),
    "sort_key": text(NAME, default=""),
    "created": stamp(),
    "merged_into": uid(required=False),
    "in_case": flag,
    "role": choice(FIRM_ROLES),
    "notes": text(LONG, default=""),
    "aliases": list_of(row(text(NAME, required=True), text(NAME), country), 10_000),
    "identifiers": list_of(row(choice(SCHEMES, required=True), text(SHORT, required=True)), 1_000),
}
DATASET = {
    "kind": choice(DATASET_KINDS, required=True),
    "file_name": text(NAME, required=True),
    "sha256": sha256(),
    "encoding": text(SHORT),
    "sheet": text(NAME),
    "preset": text(SHORT),
    "mapping": plain_json(depth=4),
    "row_count": integer(0, 10**10, required=True),
    "content_hash": sha256(),
    "imported": stamp(),
    "imported_by": text(SHORT, default=""),
}
EVIDENCE = {
    "number": integer(1, 10**9),
    "title": text(NAME, required=True),
    "kind": choice(EVIDENCE_KINDS, default="document"),
    "publisher": text(NAME),
    "url": text(LONG),
    "captured": stamp(nullable=True),
    "sha256": sha256(),
    "original_name": text(NAME),
    "size": integer(0, 2**62, default=0),
    "mime": text(SHORT),
    "reliability": choice(RELIABILITIES),
    "credibility": choice(CREDIBILITIES),
    "excerpt": text(LONG, default=""),
    "notes": text(LONG, default=""),
    "text": text(TEXT, default=""),
    "added": stamp(),
    "added_by": text(SHORT, default=""),
}
RELATIONSHIP = {
    "kind": choice(RELATIONSHIP_KINDS, required=True),
    "share": number(0, 100),
    "start": day(partial=True),
    "end": day(partial=True),
    "notes": text(LONG, default=""),
    "created": stamp(),
    "from": uid(),
    "to": uid(),
}


def person_identifiers(value):
    """A person's identifiers: ``{scheme: value}``, each valid and written as Casebook writes it."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > len(PERSON_SCHEMES):
        raise Bad(f"is {kind_of(value)}, not an object of identifiers")
    for scheme, given in value.items():
        if scheme not in PERSON_SCHEMES:
            raise Bad(f"has an unknown scheme {str(scheme)[:40]!r}")
        if not isinstance(given, str) or clean_person_identifier(scheme, given) != given:
            raise Bad(f"holds an invalid {scheme}")
    return value


def birth_date(value):
    """A birth date as Casebook writes it (a real day or a year alone, not in the future)."""
    if value is None:
        return None
    if not isinstance(value, str) or clean_birth_date(value) != value:
        shown = repr(value[:40]) if isinstance(value, str) else kind_of(value)
        raise Bad(f"is {shown}, not a birth date (YYYY-MM-DD or YYYY, not in the future)")
    return value


PERSON = {
    "name": text(NAME, required=True),
    "native_name": text(NAME),
    "aliases": list_of(text(NAME, required=True), 10_000),
    "birth_date": birth_date,
    "nationality": country,
    "identifiers": person_identifiers,
    "notes": text(LONG, default=""),
    "name_key": text(NAME),
    "sort_key": text(NAME, default=""),
    "created": stamp(),
    "merged_into": uid(required=False),
}
PERSON_LINK = {
    "kind": choice(PERSON_KINDS, required=True),
    "share": number(0, 100),
    "start": day(partial=True),
    "end": day(partial=True),
    "notes": text(LONG, default=""),
    "created": stamp(),
    "from_person": uid(required=False),
    "from_firm": uid(required=False),
    "to_person": uid(required=False),
    "to_firm": uid(required=False),
}
FINDING = {
    "position": integer(0, 10**9, default=0),
    "text": text(LONG, required=True),
    "likelihood": choice(LIKELIHOODS),
    "confidence": choice(CONFIDENCES),
    "created": stamp(),
    "updated": stamp(),
}


def shipment_filter(value):
    """A pinned figure's filter (``ShipmentFilter.to_json``): every option checked as the
    command line checks it, and written back in its own words."""
    if not isinstance(value, dict):
        raise Bad(f"is {kind_of(value)}, not an object")
    unknown = sorted(set(value) - set(FILTER_OPTIONS))
    if unknown:
        raise Bad(f"has an unknown option {unknown[0][:40]!r}")
    for name, given in value.items():
        if name == "min_value":
            number(0, TOO_LARGE)(given)
        elif isinstance(given, list):
            list_of(text(SHORT, required=True), 1_000)(given)
        else:
            text(SHORT)(given)
    try:
        return figure_filter(value).to_json()
    except UsageError as exc:
        raise Bad(f"is not a filter: {exc}") from None


FIGURE = {
    "position": integer(0, 10**9, default=0),
    "label": text(SHORT, required=True),
    "measure": choice(FIGURE_MEASURES, default="value"),
    "filters": shipment_filter,
    "created": stamp(),
}


def coordinate(value):
    """A saved chart position's x or y, in units of the chart's square (a dragged node may sit
    a little outside it; far away is a damaged record)."""
    checked = number(-1_000.0, 1_000.0)(value)
    if checked is None:
        raise Bad("is missing")
    return checked


CHART_POSITION = {
    "kind": choice(CHART_SUBJECTS, default="firm"),
    "subject": uid(),
    "x": coordinate,
    "y": coordinate,
    "pinned": flag,
    "group": text(CHART_GROUP_LENGTH),
}
LINK = {
    "evidence": uid(),
    "target_kind": choice(LINK_KINDS, required=True),
    "target": pattern(r"[0-9a-f]{32}(:[0-9]{1,12})?", "a record's UUID", required=True),
    "note": text(LONG, default=""),
}
SHIPMENT = {
    "source_row": integer(0, 10**12, required=True),
    "row_key": text(SHORT, default=""),
    "declaration_no": text(SHORT),
    "item_no": text(SHORT),
    "date": day(),
    "direction": choice(("import", "export")),
    "exporter_id": uid(required=False),
    "importer_id": uid(required=False),
    "exporter_orig_id": uid(required=False),
    "importer_orig_id": uid(required=False),
    "origin": country,
    "dispatch": country,
    "destination": country,
    "hs_code": text(SHORT),
    "hs6": pattern(r"[0-9]{1,6}", "an HS code"),
    "description": text(LONG),
    "brand": text(NAME),
    "manufacturer": text(NAME),
    "quantity": AMOUNT,
    "unit": text(SHORT),
    "net_weight": AMOUNT,
    "value": AMOUNT,
    "currency": text(SHORT),
    "value_usd": AMOUNT,
}
TRADE = {
    "source_row": integer(0, 10**12, required=True),
    "reporter": text(SHORT),
    "partner": text(SHORT),
    "flow": text(SHORT),
    "product": text(SHORT),
    "product_level": integer(0, 100),
    "period": pattern(r"[0-9]{4}(-[0-9]{2})?", "a period (YYYY or YYYY-MM)"),
    "value": AMOUNT,
    "currency": text(SHORT),
}
SCHEMAS = {
    "case": CASE,
    "firm": FIRM,
    "dataset": DATASET,
    "evidence": EVIDENCE,
    "relationship": RELATIONSHIP,
    "finding": FINDING,
    "figure": FIGURE,
    "chart position": CHART_POSITION,
    "person": PERSON,
    "person link": PERSON_LINK,
    "link": LINK,
    "shipment": SHIPMENT,
    "trade flow": TRADE,
}


def clean(kind: str, label: str, value: object) -> dict:
    """The record with every field of its kind checked (and defaults filled), or Refused naming
    ``label`` (where the record is) and the field."""
    if not isinstance(value, dict):
        raise Refused(f"{label}: the {kind} is {kind_of(value)}, not a record")
    out = {}
    for name, spec in SCHEMAS[kind].items():
        try:
            checked = spec(value.get(name))
        except Bad as exc:
            raise Refused(f"{label}: {name} {exc}") from None
        if checked is not OMIT:
            out[name] = checked
    return out
