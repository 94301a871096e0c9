"""Numbers from spreadsheet cells (decimal commas, thousands separators, missing markers), and
amounts of money as every view shows them."""

from __future__ import annotations

import math
import numbers as _abc
import re
from decimal import Decimal

MISSING: frozenset[str] = frozenset(
    {"", "-", "—", "–", "--", "n/a", "na", "n.a.", "#n/a", "null", "none", "nan", ":", ".."}
)
"""Cell texts (stripped, case-folded) that mean "no value"."""

#: No value, quantity or weight of one customs line reaches 10^18 in any currency or unit;
#: one that does is a data error, and summing such values overflows to infinity (two cells
#: of 1e308 made every total, chart and JSON document of the case "inf"). Imports and bundles
#: both refuse amounts from here up.
TOO_LARGE = 1e18

#: What an amount without a value shows (None, NaN).
NO_AMOUNT = "—"
#: A sum too large for a float (two values of 1e308 add up to infinity).
OVERFLOW = "too large to sum"
_UNITS = ("", " k", " m", " bn", " tn")

_GROUP_CHARS = " \u00a0\u202f\u2009'\u2019"
_SPACED = re.compile(rf"([0-9]{{1,3}}(?:[{_GROUP_CHARS}][0-9]{{3}})+)(?:([.,])([0-9]+))?")
_PLAIN = re.compile(r"[0-9]+")
_ONE_SEPARATOR = re.compile(r"([0-9]*)[.,]([0-9]+)|([0-9]+)[.,]")
_DOT_GROUPS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_COMMA_GROUPS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DOTS_THEN_COMMA = re.compile(r"([0-9]{1,3}(?:\.[0-9]{3})+),([0-9]+)")
_COMMAS_THEN_DOT = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+)\.([0-9]+)")
_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]{1,3}")
_GROUP_STRIP = str.maketrans("", "", _GROUP_CHARS + ".,")


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA/NaT and cell texts in ``MISSING``."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().casefold() in MISSING
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return True  # pandas.NA refuses to be a bool


def clean_number(value: object) -> float | None:
    """A finite float from a number or strict numeric text, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return _parse(value)
    if isinstance(value, (_abc.Real, Decimal)):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None


def _parse(text: str) -> float | None:
    text = text.strip(" \t\r\n\u00a0\u202f")
    if not text or len(text) > 64:
        return None
    negative = False
    if text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1]
    elif text[0] in "-\u2212":
        negative, text = True, text[1:]
    elif text[0] == "+":
        text = text[1:]
    body = _unsigned(text)
    if body is None:
        return None
    number = float(body)
    if not math.isfinite(number):
        return None
    return -number if negative else number


def _unsigned(text: str) -> str | None:
    """Canonical ``1234.5`` form of unsigned numeric text, or None."""
    if _PLAIN.fullmatch(text):
        return text
    if match := _SPACED.fullmatch(text):
        whole = match.group(1).translate(_GROUP_STRIP)
        return f"{whole}.{match.group(3)}" if match.group(3) else whole
    if match := _ONE_SEPARATOR.fullmatch(text):
        if match.group(3) is not None:
            return match.group(3)
        return f"{match.group(1) or '0'}.{match.group(2)}"
    if _DOT_GROUPS.fullmatch(text) or _COMMA_GROUPS.fullmatch(text):
        return text.translate(_GROUP_STRIP)
    match = _DOTS_THEN_COMMA.fullmatch(text) or _COMMAS_THEN_DOT.fullmatch(text)
    if match:
        return f"{match.group(1).translate(_GROUP_STRIP)}.{match.group(2)}"
    if _SCIENTIFIC.fullmatch(text):
        return text
    return None


def money(value: float | None, currency: str = "USD", *, compact: bool = False) -> str:
    """An amount as every view shows it, so one figure reads the same in a chart, a table, a
    flag's reason and the briefing.

    ``compact`` (charts, labels, prose, narrow cells) keeps three significant digits and a unit
    (k, m, bn, tn): ``$11.4 bn``, ``$6.5 m``, ``$950 k``, ``$0.42``. Otherwise every dollar is
    kept, and the cents when there are any (tables): ``$11,440,752,301``, ``$1,234.50``. USD
    is a ``$`` prefix, another currency a suffix (``6.5 m EUR``); a missing amount (None, NaN)
    is ``—``, an infinite sum ``too large to sum``.
    """
    if is_missing(value):
        return NO_AMOUNT
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return OVERFLOW
    text = _compact(abs(number)) if compact else _full(abs(number))
    sign = "-" if number < 0 and text.strip("0.,") else ""
    if currency.upper() == "USD":
        return f"{sign}${text}"
    return f"{sign}{text} {currency}".rstrip()


def _full(amount: float) -> str:
    text = f"{amount:,.2f}"
    return text.removesuffix(".00")


def _compact(amount: float) -> str:
    """Three significant digits (at most to the cent) in the largest unit the amount reaches;
    one up when rounding reaches 1,000 (``999,999`` is ``1 m``, not ``1,000 k``)."""
    unit = 0
    while unit < len(_UNITS) - 1 and amount >= 1000 ** (unit + 1):
        unit += 1
    while True:
        scaled = amount / 1000**unit
        decimals = 2 if scaled < 1 else min(2, max(0, 2 - math.floor(math.log10(scaled))))
        text = f"{scaled:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if unit == len(_UNITS) - 1 or float(text.replace(",", "")) < 1000:
            return text + _UNITS[unit]
        unit += 1
