"""Column builders: raw cells of one field, chunk by chunk, into one typed numpy column.

Each distinct value is cleaned once (a cache per field, or per chunk for fields with too many
distinct values to keep); bad values are collected with their row positions. Numbers take a
bulk path for the usual decimal-comma and decimal-point forms; values whose reading depends on
the whole column (``1,234``; the day/month order of dates) are decided at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import numpy as np

from casebook.core.countries import clean_country
from casebook.core.dates import clean_date, infer_date_order
from casebook.core.errors import Refused
from casebook.core.hs import clean_hs
from casebook.core.identifiers import SCHEMES, clean_identifier, detect_scheme
from casebook.core.numbers import MISSING, TOO_LARGE, clean_number
from casebook.ingest.readers import SINGLE_BYTE, has_undecodable, looks_misencoded

CACHE_LIMIT = 200_000  # distinct values kept per field before caching per chunk only


class Bad(NamedTuple):
    """A value that failed cleaning, and why."""

    value: object
    reason: str


def missing(value: object) -> bool:
    """Empty text, a missing marker (``-``, ``N/A`` …) or None."""
    if value is None:
        return True
    if isinstance(value, str):
        return len(value) <= 6 and value.strip().casefold() in MISSING
    return value != value  # NaN


def clean_text(value: object) -> str | None:
    """Whitespace collapsed; None when empty or a missing marker."""
    text = " ".join(str(value).split())
    return None if missing(text) else text


# --- value cleaners without a core function ---------------------------------------------

_DIRECTIONS = {
    "import": {"им", "импорт", "ввоз", "im", "imp", "import", "imports", "i", "in"},
    "export": {"эк", "экспорт", "вывоз", "ex", "exp", "export", "exports", "e", "out"},
}
_CURRENCY_NAMES = {
    "доллар сша": "USD",
    "долл сша": "USD",
    "us dollar": "USD",
    "us$": "USD",
    "$": "USD",
    "евро": "EUR",
    "€": "EUR",
    "юань": "CNY",
    "китайский юань": "CNY",
    "юань ренминби": "CNY",
    "rmb": "CNY",
    "рубль": "RUB",
    "российский рубль": "RUB",
    "руб": "RUB",
    "иена": "JPY",
    "йена": "JPY",
    "японская иена": "JPY",
    "турецкая лира": "TRY",
    "фунт стерлингов": "GBP",
    "швейцарский франк": "CHF",
    "вона": "KRW",
    "тенге": "KZT",
    "дирхам оаэ": "AED",
}


def clean_direction(value: object) -> str | None:
    """``import`` or ``export`` from ИМ/ЭК, IM/EX and their spellings, else None."""
    text = str(value).strip().casefold().rstrip(".")
    for direction, spellings in _DIRECTIONS.items():
        if text in spellings:
            return direction
    return None


def clean_currency(value: object) -> str | None:
    """An ISO 4217 alphabetic code from a code, a numeric code (840) or a common name."""
    import pycountry

    text = str(value).strip()
    if text.isdigit():
        found = pycountry.currencies.get(numeric=text.zfill(3))
        return found.alpha_3 if found else None
    folded = " ".join(text.casefold().replace(".", " ").split())
    if folded in _CURRENCY_NAMES:
        return _CURRENCY_NAMES[folded]
    if len(text) == 3 and text.isalpha():
        found = pycountry.currencies.get(alpha_3=text.upper())
        return found.alpha_3 if found else None
    return None


def clean_item(value: object) -> str | None:
    """An item number as text, ``001`` and ``1.0`` as ``1``."""
    text = clean_text(value)
    if text and text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return str(int(text)) if text and text.isdigit() else text


def identifier_cleaner(scheme: str | None) -> Callable[[object], object]:
    """Cleans an identifier cell to ``(scheme, value)``, detecting the scheme when not given."""

    def run(value: object) -> object:
        found = scheme or detect_scheme(value) or "tax_id"
        clean = clean_identifier(found, value)
        if clean is None:
            return Bad(value, f"not a valid {SCHEMES.get(found, found)}")
        return (found, clean)

    return run


def checked(clean: Callable[[object], object], reason: str) -> Callable[[object], object]:
    """Wrap a core cleaner so that None (not understood) becomes ``Bad``."""

    def run(value: object) -> object:
        result = clean(value)
        return Bad(value, reason) if result is None else result

    return run


# --- builders ---------------------------------------------------------------------------


class Column:
    """Cleans one field's raw cells chunk by chunk into an object column."""

    def __init__(self, clean: Callable[[object], object], encoding: str | None):
        self.clean = clean
        self.encoding = encoding
        self.cache: dict[object, object] = {}
        self.parts: list[np.ndarray] = []
        self.bad: list[tuple[int, Bad]] = []  # (row position, why)
        self.wrong: set[object] = set()  # distinct values that failed
        self.count = 0

    def guard(self, value: object) -> object:
        """Clean one value, refusing text that did not decode in the file's encoding."""
        if isinstance(value, str) and not value.isascii():
            if has_undecodable(value):
                return Bad(value, f"bytes that are not valid {self.encoding or 'text'}")
            if looks_misencoded(value, self.encoding):
                return Bad(value, f"a line in another encoding (UTF-8 in a {self.encoding} file)")
        if missing(value):
            return None
        return self.clean(value)

    def add(self, raw: tuple) -> None:
        out = np.empty(len(raw), dtype=object)
        distinct = dict.fromkeys(raw)
        mostly_new = len(distinct) > len(raw) // 2
        if mostly_new and self.clean is clean_text and _plain_texts(raw, self.encoding):
            out[:] = raw  # e.g. declaration numbers: nothing to clean, nothing to share
        else:
            self._add_cached(raw, distinct, out)
        self.parts.append(out)
        self.count += len(raw)

    def _add_cached(self, raw: tuple, distinct: dict, out: np.ndarray) -> None:
        cache = self.cache
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        for value in [v for v in distinct if v not in cache]:
            result = cache[value] = self.guard(value)
            if type(result) is Bad:
                self.wrong.add(value)
        out[:] = list(map(cache.__getitem__, raw))
        if self.wrong and not self.wrong.isdisjoint(distinct):
            for i, value in enumerate(raw):
                if value in self.wrong:
                    self.bad.append((self.count + i, cache.get(value) or self.guard(value)))
                    out[i] = None

    def finish(self) -> np.ndarray:
        """The whole column (bad values as None; see ``bad``)."""
        return _concat(self.parts, object)


class DateColumn(Column):
    """Dates as ISO text; the day/month order is decided from every distinct value at the end."""

    def __init__(self, order: str | None, encoding: str | None):
        super().__init__(lambda v: v, encoding)
        self.order = order
        self.index: dict[object, int] = {}
        self.codes: list[np.ndarray] = []

    def add(self, raw: tuple) -> None:
        index = self.index
        new = dict.fromkeys(raw).keys() - index.keys()
        if new:
            start = len(index)
            index.update(zip(new, range(start, start + len(new)), strict=True))
        self.codes.append(np.fromiter(map(index.__getitem__, raw), dtype=np.int64, count=len(raw)))
        self.count += len(raw)

    def finish(self) -> np.ndarray:
        uniques = list(self.index)
        order = self.order or date_order(uniques)
        cleaned = []
        for value in uniques:
            result = self.guard(value)
            if result is not None and type(result) is not Bad:
                day = clean_date(value, order=order)
                result = day.isoformat() if day else Bad(value, "not a date")
            cleaned.append(result)
        values = np.empty(len(cleaned), dtype=object)
        values[:] = cleaned
        codes = _concat(self.codes, np.int64)
        wrong = np.array([i for i, v in enumerate(cleaned) if type(v) is Bad], dtype=np.int64)
        if wrong.size:
            positions = np.flatnonzero(np.isin(codes, wrong))
            self.bad += [(int(p), cleaned[codes[p]]) for p in positions]
            values[wrong] = None
        return values[codes]


def date_order(values: list[object]) -> str:
    """The day/month order shown by a column's dates; refuses a column that mixes both."""
    order = infer_date_order(v for v in values if isinstance(v, str))
    if order is None:
        raise Refused(
            "the date column mixes day-first and month-first dates (e.g. 13/01 and 01/13); "
            'set date_order = "dmy" or "mdy" in a mapping file'
        )
    return order


_UNTIDY = re.compile(r"(?m)^.{0,6}$|^\s|\s$|\s\s|[\t\r\x0b\x0c\u00a0\u2000-\u200b\u202f\u3000]")


def _plain_texts(raw: tuple, encoding: str | None) -> bool:
    """True when every cell is already clean text (the bulk path for long text columns)."""
    try:
        text = "\n".join(raw)
    except TypeError:
        return False
    if text.count("\n") != len(raw) - 1 or _UNTIDY.search(text):
        return False
    if text.isascii():
        return True
    return not has_undecodable(text) and not (
        encoding in SINGLE_BYTE and _may_be_utf8(text, encoding)
    )


def _may_be_utf8(text: str, encoding: str) -> bool:
    """True when the text holds a lead byte followed by a continuation byte (UTF-8 read as 8-bit)."""
    return _utf8_pairs(encoding).search(text) is not None


@cache
def _utf8_pairs(encoding: str) -> re.Pattern:
    lead = bytes(range(0xC2, 0xF5)).decode(encoding, errors="ignore")
    follow = bytes(range(0x80, 0xC0)).decode(encoding, errors="ignore")
    return re.compile(f"[{re.escape(lead)}][{re.escape(follow)}]")


_COMMA_STYLE = re.compile(
    r"(?m)^(?:-?(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:,(?:\d{1,2}|\d{4,}))?)?$"
)
_POINT_STYLE = re.compile(r"(?m)^(?:-?(?:\d+(?:\.(?:\d{1,2}|\d{4,}))?|\d{1,3}(?:,\d{3})+\.\d+))?$")
_PROVES_COMMA_GROUPS = re.compile(r"-?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|-?\d{1,3}(?:,\d{3})+\.\d+")
_PROVES_DOT_GROUPS = re.compile(r"-?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|-?\d{1,3}(?:\.\d{3})+,\d+")
_AMBIGUOUS = re.compile(r"-?\d{1,3}[.,]\d{3}")


#: Texts of numbers that are not finite: a value, quantity or weight has none of them.
NON_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
NOT_FINITE = "not a finite number (NaN or infinity)"
NEGATIVE = "negative (a value, quantity or weight is never below zero)"
IMPLAUSIBLE = "implausibly large (10^18 or more)"


def implausible(number: float) -> str | None:
    """Why a parsed amount cannot be a value, quantity or weight; None when it can."""
    if number < 0:
        return NEGATIVE
    if number >= TOO_LARGE:
        return IMPLAUSIBLE
    return None


class NumberColumn:
    """Floats from 0 to 10^18 (NaN when missing). ``1,234`` and ``1.234`` wait for the column's
    grouping style. ``NaN``, ``inf``, negative and implausibly large numbers are bad values, not
    missing ones: a customs value below zero is a data error the analyst must see
    (``--skip-bad-rows`` sets such rows aside)."""

    def __init__(self, encoding: str | None):
        self.encoding = encoding
        self.parts: list[np.ndarray] = []
        self.bad: list[tuple[int, Bad]] = []
        self.pending: dict[str, list[int]] = {}  # ambiguous text → row positions
        self.comma_groups = self.dot_groups = False
        self.count = 0

    def add(self, raw: tuple) -> None:
        out = _bulk_numbers(raw)
        if out is None:
            out = np.array([self._one(v, i) for i, v in enumerate(raw)], dtype=np.float64)
        for i in np.flatnonzero((out < 0) | (out >= TOO_LARGE)).tolist():
            self.bad.append((self.count + i, Bad(raw[i], implausible(out[i]))))
            out[i] = np.nan
        self.parts.append(out)
        self.count += len(raw)

    def _one(self, value: object, i: int) -> float:
        if not isinstance(value, str):
            number = clean_number(value) if not missing(value) else None
            if number is None and isinstance(value, float) and value in (np.inf, -np.inf):
                self.bad.append((self.count + i, Bad(value, NOT_FINITE)))
            return np.nan if number is None else number
        text = value.strip()
        if text.casefold() in NON_FINITE:
            self.bad.append((self.count + i, Bad(value, NOT_FINITE)))
            return np.nan
        if missing(text):
            return np.nan
        if _AMBIGUOUS.fullmatch(text):
            self.pending.setdefault(text, []).append(self.count + i)
            return np.nan
        self.comma_groups |= bool(_PROVES_COMMA_GROUPS.fullmatch(text))
        self.dot_groups |= bool(_PROVES_DOT_GROUPS.fullmatch(text))
        number = clean_number(text)
        if number is None:
            reason = "bytes that are not valid text" if has_undecodable(text) else "not a number"
            self.bad.append((self.count + i, Bad(value, reason)))
            return np.nan
        return number

    def finish(self) -> np.ndarray:
        column = _concat(self.parts, np.float64)
        for text, positions in self.pending.items():
            number = self._resolve(text)
            why = None if number is None else implausible(number)
            if why:
                self.bad += [(p, Bad(text, why)) for p in positions]
                number = np.nan
            column[positions] = number
        return column

    def _resolve(self, text: str) -> float:
        if self.comma_groups and not self.dot_groups and "," in text:
            return float(text.replace(",", ""))
        if self.dot_groups and not self.comma_groups and "." in text:
            return float(text.replace(".", ""))
        return clean_number(text)


def _bulk_numbers(raw: tuple) -> np.ndarray | None:
    """The usual number forms, parsed in bulk; None when some cell needs a closer look."""
    try:
        text = "\n".join(raw)
    except TypeError:  # numbers from a spreadsheet
        return None
    lines = len(raw)
    if text.count("\n") != lines - 1:
        return None  # a cell with a line break inside
    if len(_COMMA_STYLE.findall(text)) == lines:
        text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    elif len(_POINT_STYLE.findall(text)) == lines:
        text = text.replace(",", "")
    else:
        return None
    return np.array([float(t) if t else np.nan for t in text.split("\n")], dtype=np.float64)


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


# --- which builder for which field ---------------------------------------------------------

_COUNTRY_FIELDS = ("origin", "dispatch", "destination", "exporter_country", "importer_country")
NUMBER_FIELDS = ("quantity", "net_weight", "value", "value_usd")


def builder(name: str, *, encoding: str | None, date_order: str | None, schemes: dict):
    """The column builder for field ``name``."""
    if name == "date":
        return DateColumn(date_order, encoding)
    if name in NUMBER_FIELDS:
        return NumberColumn(encoding)
    if name in _COUNTRY_FIELDS:
        return Column(checked(clean_country, "not a country"), encoding)
    if name == "hs_code":
        return Column(checked(clean_hs, "not an HS / TN VED code"), encoding)
    if name == "direction":
        return Column(checked(clean_direction, "not a direction (import/export, ИМ/ЭК)"), encoding)
    if name == "currency":
        return Column(checked(clean_currency, "not a currency code"), encoding)
    if name in ("exporter_id", "importer_id"):
        return Column(identifier_cleaner(schemes.get(name)), encoding)
    if name == "item_no":
        return Column(clean_item, encoding)
    return Column(clean_text, encoding)
