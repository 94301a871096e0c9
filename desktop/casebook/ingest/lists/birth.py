"""Birth dates of listed individuals, as the lists write them, in one small notation.

Lists give a day (OFAC ``DOB 12 Mar 1965``, the EU's ``26.11.1972``, FtM's ``1965-03-12``), a
month (``DOB Jan 1957``, ``1965-09``), a year (``DOB 1965``), a range (``DOB 01 Jan 1961 to 31
Dec 1962``, ``1958 to 1960``), an approximate year (``DOB circa 1960``) or several of these
(``alt. DOB``, ``26.11.1972 or 1973``). Each is kept as a short EDTF-like string (ISO 8601-2):
``1965-03-12``, ``1957-01``, ``1965``, ``1960~`` (approximate), ``1961-01-01/1962-12-31`` (an
interval); ``birth_span`` turns one into the earliest and latest day it allows, which is what
screening compares.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from casebook.core.dates import clean_date

from .model import unique

APPROXIMATE_YEARS = 2  # "circa 1960" allows 1958 to 1962
_ALTERNATIVES = re.compile(r";|\bor\b|\(|\)|\balt\.", re.I)
_RANGE = re.compile(
    r"^(?:between\s+)?(?P<first>.+?)\s*(?:\bto\b|\band\b|\s[-\u2013]\s|/)\s*(?P<last>.+)$", re.I
)
_APPROXIMATE = re.compile(r"^(?:circa|ca\.|c\.|approx\.?|approximately|about|around)\s*", re.I)
_DOUBT = re.compile(r"^(?:possibly|probably|presumably|alleged(?:ly)?)\s*:?\s*", re.I)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_YEAR_MONTH = re.compile(r"^(1[89]\d\d|20\d\d)-(0[1-9]|1[0-2])$")
_MONTH_YEAR = re.compile(r"^([^\W\d_]+)\.?\s+(1[89]\d\d|20\d\d)$")
_OFAC_DOB = re.compile(r"^(?:alt\.\s*)?DOB\s+(.*)$", re.I)


def birth_dates(text: str | None) -> list[str]:
    """Every birth date a list's cell gives (``"26.11.1972 or 1973"`` -> two), each once, in
    the notation above; text that is no date (``possibly: 21 April``) gives nothing."""
    found: list[str] = []
    for part in _ALTERNATIVES.split(text or ""):
        value = _one(" ".join(part.split()).strip(" .,:"))
        if value:
            found.append(value)
    return unique(found)


def ofac_birth_dates(remarks: str | None) -> list[str]:
    """The birth dates of an OFAC entry's Remarks (``DOB …; alt. DOB …``)."""
    found: list[str] = []
    for part in re.split(r";\s*", remarks or ""):
        match = _OFAC_DOB.match(part.strip())
        if match:
            found.extend(birth_dates(match[1]))
    return unique(found)


def all_birth_dates(values: Iterable[str]) -> list[str]:
    """The birth dates of several cells (FtM's ``birthDate`` list, CSL's repeated rows)."""
    return unique(d for value in values for d in birth_dates(value))


def _one(text: str) -> str | None:
    """One alternative: a date, a month, a year, an approximate year or a range of them."""
    text = _DOUBT.sub("", text)
    if not text:
        return None
    approximate = _APPROXIMATE.match(text)
    if approximate:
        year = _YEAR.match(text[approximate.end() :].strip())
        return f"{year[1]}~" if year else None
    if not re.match(r"^\d{4}-\d\d", text):  # an ISO date is not a range of its parts
        if ranged := _RANGE.match(text):
            first, last = _point(ranged["first"]), _point(ranged["last"])
            if first and last:
                return _interval(first, last)
    return _point(text)


def _point(text: str) -> str | None:
    """A day, a month or a year in ISO form, or None."""
    text = text.strip(" .,:")
    if _YEAR.match(text) or _YEAR_MONTH.match(text):
        return text
    if match := _MONTH_YEAR.match(text):
        day = clean_date(f"1 {match[1]} {match[2]}")
        return day.isoformat()[:7] if day else None
    day = clean_date(text, order="dmy")
    return day.isoformat() if day else None


def _interval(first: str, last: str) -> str | None:
    """``first/last`` in its shortest form: whole years as years (``1980/1982``), whole months
    as months, one year or month as itself (``01 Jan 1956 to 31 Dec 1956`` is ``1956``)."""
    start, end = birth_span(first)[0], birth_span(last)[1]
    if start > end:
        return None
    for width in (4, 7, 10):  # whole days always fit
        a, b = start.isoformat()[:width], end.isoformat()[:width]
        if width == 10 or (birth_span(a)[0] == start and birth_span(b)[1] == end):
            break
    return a if a == b else f"{a}/{b}"


def birth_span(value: str) -> tuple[dt.date, dt.date]:
    """The earliest and latest day a birth date in the notation above allows.

    Raises ValueError for a string that is not in the notation (``birth_dates`` never makes one).
    """
    if "/" in value:
        first, last = value.split("/", 1)
        return birth_span(first)[0], birth_span(last)[1]
    if value.endswith("~"):
        year = int(value[:-1])
        return dt.date(year - APPROXIMATE_YEARS, 1, 1), dt.date(year + APPROXIMATE_YEARS, 12, 31)
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)
    day = dt.date(*parts)
    return day, day
