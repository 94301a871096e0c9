"""The lens on a case: one shipment filter, parsed and validated here, shown the same everywhere.

Every view of shipments (the ``shipments``, ``stats``, ``flags``, ``brief`` and ``export``
commands, and every tab of the app) takes a ``ShipmentFilter``; ``store.filters`` is the one
place that turns it into SQL. Bounds are inclusive: ``--to 2023`` covers 31 December 2023.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from casebook.core.errors import UsageError
from casebook.core.hs import hs_prefixes

COUNTRY_FIELDS = ("origin", "dispatch", "destination")
#: Option names of the command line, in the order they are shown.
OPTIONS = (
    "from",
    "to",
    "hs",
    "origin",
    "dispatch",
    "destination",
    "firm",
    "dataset",
    "text",
    "min-value",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CODE = re.compile(r"^[A-Z]{2}$")
_UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TEXT_CHARS = 200


def split_list(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """Items of ``"a, b"`` or of a list, stripped, empty ones and repeats dropped."""
    items = values.split(",") if isinstance(values, str) else list(values or ())
    out: list[str] = []
    for item in items:
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return tuple(out)


def clean_bound(value: object, option: str) -> str | None:
    """A date bound ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` that names a real date, or None."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise UsageError(f"--{option} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    try:
        dt.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        raise UsageError(f"--{option} is not a real date: {value!r}") from None
    return text


def clean_countries(values: str | Iterable[str] | None, option: str) -> tuple[str, ...]:
    """Two-letter codes from ``"CN,TR"`` or a list, upper-cased (``XX``: unknown)."""
    codes = tuple(code.upper() for code in split_list(values))
    for code in codes:
        if not _CODE.match(code):
            raise UsageError(f"--{option} takes two-letter country codes, not {code!r}")
    return codes


def _clean_hs(values: str | Iterable[str] | None) -> tuple[str, ...]:
    text = values if isinstance(values, str) else ",".join(values or ())
    prefixes = tuple(hs_prefixes(text))
    if text.strip() and not prefixes:
        raise UsageError(f"--hs takes digit prefixes like 8456,8457, not {text!r}")
    return prefixes


def _clean_uids(values: str | Iterable[str] | None, option: str) -> tuple[str, ...]:
    uids = split_list(values)
    for uid in uids:
        if not _UID.match(uid):
            raise UsageError(f"--{option} takes uids, not {uid!r}")
    return uids


def _clean_text(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    if len(text) > TEXT_CHARS:
        raise UsageError(f"--text is limited to {TEXT_CHARS} characters")
    return text or None


def _clean_min_value(value: object) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).replace(",", "").replace("_", ""))
    except ValueError:
        raise UsageError(f"--min-value must be a number of US dollars, not {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise UsageError(f"--min-value must be zero or more, not {value!r}")
    return number


def _first_day(bound: str) -> str:
    """The first day a bound covers (``2023`` -> ``2023-01-01``)."""
    return bound + "-01-01"[len(bound) - 4 :]


def _last_day(bound: str) -> str:
    """The last day a bound covers (``2023-02`` -> ``2023-02-28``)."""
    if len(bound) == 10:
        return bound
    year = int(bound[:4])
    month = int(bound[5:7]) if len(bound) == 7 else 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _number(value: float) -> str:
    return f"{value:.0f}" if value.is_integer() else f"{value:g}"


@dataclass(frozen=True)
class ShipmentFilter:
    """Which shipments a view shows. Empty fields do not filter; lists match any of their items.

    ``firms`` match as exporter or importer; ``text`` is a case-insensitive substring of the
    description, brand, manufacturer or declaration number; ``min_value`` is in US dollars,
    inclusive.
    """

    date_from: str | None = None
    date_to: str | None = None
    hs: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    dispatch: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    text: str | None = None
    min_value: float | None = None

    @classmethod
    def parse(
        cls,
        *,
        date_from: object = None,
        date_to: object = None,
        hs: str | Iterable[str] | None = None,
        origin: str | Iterable[str] | None = None,
        dispatch: str | Iterable[str] | None = None,
        destination: str | Iterable[str] | None = None,
        firm: str | Iterable[str] | None = None,
        dataset: str | Iterable[str] | None = None,
        text: object = None,
        min_value: object = None,
    ) -> ShipmentFilter:
        """A filter from option values as typed (comma lists or lists); UsageError names the
        option that is wrong."""
        start, end = clean_bound(date_from, "from"), clean_bound(date_to, "to")
        if start and end and start[: len(end)] > end:
            raise UsageError(f"--from {start} is after --to {end}")
        return cls(
            date_from=start,
            date_to=end,
            hs=_clean_hs(hs),
            origin=clean_countries(origin, "origin"),
            dispatch=clean_countries(dispatch, "dispatch"),
            destination=clean_countries(destination, "destination"),
            firms=_clean_uids(firm, "firm"),
            datasets=_clean_uids(dataset, "dataset"),
            text=_clean_text(text),
            min_value=_clean_min_value(min_value),
        )

    @classmethod
    def from_options(cls, options: object) -> ShipmentFilter:
        """A filter from parsed command-line options (``args.date_from``, ``args.firm``, …)."""
        given = {name: getattr(options, name, None) for name in PARSE_NAMES}
        for name in ("firm", "dataset"):  # older commands keep their plural destinations
            given[name] = given[name] or getattr(options, f"{name}s", None)
        return cls.parse(**given)

    def merged(self, other: ShipmentFilter) -> ShipmentFilter:
        """This filter with the options set in ``other`` in place of its own (a command's
        explicit options over the lens it runs under)."""
        changes = {f.name: getattr(other, f.name) for f in fields(other)}
        merged = replace(self, **{k: v for k, v in changes.items() if v not in (None, ())})
        start, end = merged.date_from, merged.date_to
        if start and end and start[: len(end)] > end:
            raise UsageError(f"--from {start} is after --to {end}")
        return merged

    def within(self, date_from: str, date_to: str) -> ShipmentFilter | None:
        """This filter narrowed to the dates ``date_from``..``date_to`` as well (the tighter
        bound of each side wins), or None when the two ranges do not meet."""
        start = max((b for b in (self.date_from, date_from) if b), key=_first_day)
        end = min((b for b in (self.date_to, date_to) if b), key=_last_day)
        if _first_day(start) > _last_day(end):
            return None
        return replace(self, date_from=start, date_to=end)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) not in (None, ()) for f in fields(self))

    def _parts(self) -> list[tuple[str, str]]:
        """``(option, value)`` of each set field, in ``OPTIONS`` order."""
        parts = []
        for option, value in (
            ("from", self.date_from),
            ("to", self.date_to),
            ("hs", ",".join(self.hs)),
            ("origin", ",".join(self.origin)),
            ("dispatch", ",".join(self.dispatch)),
            ("destination", ",".join(self.destination)),
            ("firm", ",".join(self.firms)),
            ("dataset", ",".join(self.datasets)),
            ("text", self.text),
            ("min-value", None if self.min_value is None else _number(self.min_value)),
        ):
            if value:
                parts.append((option, value))
        return parts

    def cli_args(self) -> list[str]:
        """The command-line options that select the same shipments (for recompute commands)."""
        return [token for option, value in self._parts() for token in (f"--{option}", value)]

    def to_json(self) -> dict:
        """The set options as JSON (lists for list options)."""
        out: dict = {}
        for option, value in self._parts():
            key = option.replace("-", "_")
            if option in ("hs", "firm", "dataset", *COUNTRY_FIELDS):
                out[key] = value.split(",")
            elif option == "min-value":
                out[key] = self.min_value
            else:
                out[key] = value
        return out

    def describe(self, names: dict[str, str] | None = None) -> str:
        """The filter in words, e.g. ``dispatch KZ · 2023-01 to 2023-12 · HS 8456``.

        ``names`` may map firm and dataset uids to names to show instead of the uids.
        """
        names = names or {}
        words: list[str] = []
        if self.date_from and self.date_to:
            words.append(f"{self.date_from} to {self.date_to}")
        elif self.date_from:
            words.append(f"from {self.date_from}")
        elif self.date_to:
            words.append(f"to {self.date_to}")
        if self.hs:
            words.append("HS " + ", ".join(self.hs))
        for name in COUNTRY_FIELDS:
            codes = getattr(self, name)
            if codes:
                words.append(f"{name} {', '.join(codes)}")
        if self.firms:
            words.append("firm " + ", ".join(names.get(u, u) for u in self.firms))
        if self.datasets:
            words.append("dataset " + ", ".join(names.get(u, u) for u in self.datasets))
        if self.text:
            words.append(f"text “{self.text}”")
        if self.min_value is not None:
            words.append(f"value ≥ ${self.min_value:,.0f}")
        return " · ".join(words)


#: The keyword options of ``ShipmentFilter.parse`` (the keys of a view's ``filters`` dict).
PARSE_NAMES = (
    "date_from",
    "date_to",
    "hs",
    "origin",
    "dispatch",
    "destination",
    "firm",
    "dataset",
    "text",
    "min_value",
)

#: The whole case.
EVERYTHING = ShipmentFilter()
