"""Dates and monthly periods from cells: ISO, day-first or month-first text, Excel serials."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

_MIN_YEAR, _MAX_YEAR = 1900, 2100
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 60 is Excel's phantom 29 Feb 1900; we start far later
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000

_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_YEAR_FIRST = re.compile(rf"([0-9]{{4}})([-./])([0-9]{{1,2}})\2([0-9]{{1,2}}){_TIME}")
_FIELD_FIRST = re.compile(rf"([0-9]{{1,2}})([-./])([0-9]{{1,2}})\2([0-9]{{4}}|[0-9]{{2}}){_TIME}")
_COMPACT = re.compile(r"((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])")
_DAY_MONTH_NAME = re.compile(rf"([0-9]{{1,2}})[-\s]+([^\W\d_]+)\.?,?[-\s]+([0-9]{{4}}){_TIME}")
_MONTH_NAME_DAY = re.compile(rf"([^\W\d_]+)\.?\s+([0-9]{{1,2}}),?\s+([0-9]{{4}}){_TIME}")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january янв январь января",
            "feb february фев февраль февраля",
            "mar march мар март марта",
            "apr april апр апрель апреля",
            "may май мая",
            "jun june июн июнь июня",
            "jul july июл июль июля",
            "aug august авг август августа",
            "sep sept september сен сент сентябрь сентября",
            "oct october окт октябрь октября",
            "nov november ноя нояб ноябрь ноября",
            "dec december дек декабрь декабря",
        ],
        start=1,
    )
    for name in names.split()
}


def clean_date(value: object, *, order: str | None = None) -> dt.date | None:
    """A date from a date-like object or text, or None.

    ``order`` ("dmy" or "mdy") settles slash/dot dates whose first two fields are both <= 12;
    when it is given, a value that contradicts it is refused. Without it, a field > 12 decides
    and the rest are read day-first.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date()) if value == value else None  # NaT is not equal to itself
    if isinstance(value, dt.date):
        return _in_range(value)
    if isinstance(value, int | float):
        return _from_serial(value)
    if isinstance(value, str):
        return _from_text(value.strip(), order)
    return _from_text(str(value), order) if type(value).__name__ == "datetime64" else None


def _in_range(day: dt.date) -> dt.date | None:
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _from_serial(value: float) -> dt.date | None:
    """An Excel serial day number (1900 system), only in a plausible range."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not _SERIAL_MIN <= value < _SERIAL_MAX + 1:
        return None
    return _in_range(_EXCEL_EPOCH + dt.timedelta(days=int(value)))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # 00-69 -> 2000s, 70-99 -> 1900s, as Python's strptime does
        year += 2000 if year < 70 else 1900
    return year


def _from_text(text: str, order: str | None) -> dt.date | None:
    if len(text) > 40 or len(text) < 6:
        return None
    if match := _YEAR_FIRST.fullmatch(text):
        return _make(int(match[1]), int(match[3]), int(match[4]))
    if match := _FIELD_FIRST.fullmatch(text):
        return _from_fields(int(match[1]), int(match[3]), _year(match[4]), order)
    if match := _COMPACT.fullmatch(text):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH_NAME.fullmatch(text):
        month = _MONTHS.get(match[2].casefold())
        return _make(int(match[3]), month, int(match[1])) if month else None
    if match := _MONTH_NAME_DAY.fullmatch(text):
        month = _MONTHS.get(match[1].casefold())
        return _make(int(match[3]), month, int(match[2])) if month else None
    return None


def _from_fields(first: int, second: int, year: int, order: str | None) -> dt.date | None:
    if order is None:
        order = "mdy" if second > 12 >= first else "dmy"
    if order == "dmy":
        return _make(year, second, first)
    if order == "mdy":
        return _make(year, first, second)
    return None


def infer_date_order(values: Iterable[object]) -> str | None:
    """``"dmy"`` or ``"mdy"`` for a column of slash/dot dates, None if it contradicts itself.

    A first field > 12 proves day-first, a second field > 12 proves month-first. A column in
    which no value decides (every date has day <= 12) is read day-first, the convention of the
    Russian, European and most Asian sources Casebook imports.
    """
    seen_dmy = seen_mdy = False
    for value in values:
        if not isinstance(value, str):
            continue
        match = _FIELD_FIRST.fullmatch(value.strip())
        if not match:
            continue
        first, second = int(match[1]), int(match[3])
        seen_dmy |= first > 12 >= second
        seen_mdy |= second > 12 >= first
        if seen_dmy and seen_mdy:
            return None
    return "mdy" if seen_mdy else "dmy"


def month_of(day: dt.date) -> str:
    """The ``YYYY-MM`` period of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_of(day: dt.date) -> str:
    """The ``YYYY-Qn`` period of a date."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


_MONTH_PATTERNS = (
    re.compile(r"([0-9]{4})\s*(?:-|/|\.|M|m)\s*([0-9]{1,2})"),
    re.compile(r"([0-9]{4})([0-9]{2})"),
)
_MONTH_YEAR = re.compile(r"([0-9]{1,2})\s*[-./]\s*([0-9]{4})")
_NAME_YEAR = re.compile(r"([^\W\d_]+)\.?[-\s,]*([0-9]{4})")
_YEAR_NAME = re.compile(r"([0-9]{4})[-\s,]*([^\W\d_]+)\.?")


def clean_month(value: object) -> str | None:
    """A ``YYYY-MM`` period from ``2022-03``, ``2022M03``, ``202203``, ``Mar 2022`` or a date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.date):
        day = clean_date(value)
        return month_of(day) if day else None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 40:
        return None
    return _month_from_text(text)


def _month_from_text(text: str) -> str | None:
    for pattern in _MONTH_PATTERNS:
        if match := pattern.fullmatch(text):
            return _period(int(match[1]), int(match[2]))
    if match := _MONTH_YEAR.fullmatch(text):
        return _period(int(match[2]), int(match[1]))
    for pattern, name_at, year_at in ((_NAME_YEAR, 1, 2), (_YEAR_NAME, 2, 1)):
        if match := pattern.fullmatch(text):
            month = _MONTHS.get(match[name_at].casefold())
            return _period(int(match[year_at]), month) if month else None
    day = _from_text(text, None)
    return month_of(day) if day else None


def _period(year: int, month: int) -> str | None:
    if _MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12:
        return f"{year:04d}-{month:02d}"
    return None


_BIRTH_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


def clean_birth_date(value: object) -> str | None:
    """A birth date as ``YYYY-MM-DD`` or a year alone as ``YYYY`` (from text, a number or a
    date cell), never in the future; or None."""
    today = dt.date.today()
    if isinstance(value, dt.date):  # a datetime too
        day = clean_date(value)
        return day.isoformat() if day and day <= today else None
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    if _BIRTH_YEAR.match(text):
        return text if int(text) <= today.year else None
    day = clean_date(value) if text else None
    return day.isoformat() if day and day <= today else None
