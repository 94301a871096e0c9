"""Aggregate queries over shipments and trade flows, and the row queries behind red flags.

Everything here returns small results: groups, per-firm counts, a few sample row ids. Grouping
and filtering happen in SQL so that a million shipments never travel into Python. Dates are ISO
text, so months and years are ``substr`` prefixes and date bounds are plain text comparisons.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.filters import COUNTRY_FIELDS, EVERYTHING, ShipmentFilter
from casebook.store.backend import current
from casebook.store.filters import (
    Params,
    dataset_clause,
    hs_clause,
    needs_rows,
    shipment_clauses,
)


def _shipment_keys(month: str, hs: str) -> dict[str, str]:
    """Group-key expressions over a month and an HS code column (rows or rollups)."""
    return {
        "month": month,
        "quarter": f"substr({month}, 1, 4) || '-Q' || "
        f"((CAST(substr({month}, 6, 2) AS INTEGER) + 2) / 3)",
        "year": f"substr({month}, 1, 4)",
        "origin": "coalesce(s.origin, 'XX')",
        "dispatch": "coalesce(s.dispatch, 'XX')",
        "destination": "coalesce(s.destination, 'XX')",
        "exporter": "s.exporter_id",
        "importer": "s.importer_id",
        "hs2": f"CASE WHEN length({hs}) >= 2 THEN substr({hs}, 1, 2) END",
        "hs4": f"CASE WHEN length({hs}) >= 4 THEN substr({hs}, 1, 4) END",
        "hs6": "s.hs6",
        "brand": "s.brand",
    }


_SHIPMENT_KEYS = _shipment_keys("substr(s.date, 1, 7)", "s.hs_code")
_ROLLUP_KEYS = _shipment_keys("s.month", "s.hs_head")
_TRADE_MONTH = "CASE WHEN length(t.period) = 7 THEN t.period END"
_TRADE_KEYS = {
    "month": _TRADE_MONTH,
    "quarter": f"substr({_TRADE_MONTH}, 1, 4) || '-Q' || "
    f"((CAST(substr({_TRADE_MONTH}, 6, 2) AS INTEGER) + 2) / 3)",
    "year": "substr(t.period, 1, 4)",
    "reporter": "coalesce(t.reporter, 'XX')",
    "partner": "coalesce(t.partner, 'XX')",
    "flow": "t.flow",
    "product": "t.product",
}
_MEASURE_COLUMNS = {"quantity": "s.quantity", "weight": "s.net_weight"}
SHIPMENT_KEYS = tuple(_SHIPMENT_KEYS)
TRADE_KEYS = tuple(_TRADE_KEYS)
TRADE_COUNTRY_FIELDS = ("reporter", "partner")


@dataclass(frozen=True)
class Filters:
    """What to count: one case and the lens on it (``core.filters.ShipmentFilter``).

    Trade flows read the lens's dates, HS prefixes and datasets, and their own ``countries``
    (``reporter``, ``partner``) to the codes each may hold.
    """

    case_id: int
    lens: ShipmentFilter = EVERYTHING
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def date_from(self) -> str | None:
        return self.lens.date_from

    @property
    def date_to(self) -> str | None:
        return self.lens.date_to

    @property
    def hs(self) -> tuple[str, ...]:
        return self.lens.hs

    def with_dates(self, date_from: str | None, date_to: str | None) -> Filters:
        """The same filters over another date range (the year-earlier comparison)."""
        return replace(self, lens=replace(self.lens, date_from=date_from, date_to=date_to))


def _shipment_where(f: Filters, params: Params, source: _Source | None = None) -> list[str]:
    """The lens over the rows or a rollup (``source``), through ``store.filters``."""
    source = source or _ROWS
    if source is _ROWS:
        return shipment_clauses(f.lens, case_id=f.case_id, params=params)
    date_from, date_to = _months(f)
    return shipment_clauses(
        f.lens,
        case_id=f.case_id,
        params=params,
        date=source.date,
        hs=source.hs,
        date_from=date_from,
        date_to=date_to,
    )


def _trade_where(f: Filters, params: Params) -> list[str]:
    where = [f"t.case_id = {params.add(f.case_id)}"]
    # An annual period counts only when the range covers the whole year.
    if f.date_from:
        lo = params.add(f.date_from[:7])
        where.append(
            f"(CASE WHEN length(t.period) = 4 THEN t.period || '-01' ELSE t.period END) >= {lo}"
        )
    if f.date_to:
        hi = params.add(f.date_to[:7])
        where.append(
            f"(CASE WHEN length(t.period) = 4 THEN t.period || '-12' ELSE t.period END) <= {hi}"
        )
    if f.hs:
        where.append(hs_clause("t.product", f.hs, params))
    for name, codes in f.countries.items():
        if name not in TRADE_COUNTRY_FIELDS:
            raise ValueError(f"no country field {name!r} on trade flows")
        where.append(f"coalesce(t.{name}, 'XX') IN ({params.many(codes)})")
    if f.lens.datasets:
        where.append(
            dataset_clause("t.dataset_id", f.lens.datasets, case_id=f.case_id, params=params)
        )
    return where


def _run(session: Session, sql: str, params: dict) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(sql), params)]


@dataclass(frozen=True)
class _Source:
    """Where shipment totals come from: the rows, or one of the rollups (``store.rollups``)."""

    table: str
    keys: dict[str, str]
    date: str  # the column date bounds compare with
    hs: str  # the column HS prefixes match
    totals: str  # USD value, row count, valued rows
    sums: dict[str, str]  # measure -> its sum and row count


_ROWS = _Source(
    "shipment",
    _SHIPMENT_KEYS,
    "s.date",
    "s.hs_code",
    "sum(s.value_usd), count(*), count(s.value_usd)",
    {m: f"sum({c}), count({c})" for m, c in _MEASURE_COLUMNS.items()},
)
_COUNTRY_ROLLUP = _Source(
    "shipmentrollup",
    _ROLLUP_KEYS,
    "s.month",
    "s.hs_head",
    "sum(s.value_usd), coalesce(sum(s.shipments), 0), coalesce(sum(s.valued), 0)",
    {"weight": "sum(s.weight), coalesce(sum(s.weighed), 0)"},
)
_PARTY_ROLLUP = replace(_COUNTRY_ROLLUP, table="partyrollup")
_PERIODS = ("month", "quarter", "year")


def _months(f: Filters) -> tuple[str | None, str | None]:
    """The date bounds as months (``_source`` checked that they do not cut a month)."""
    return (f.date_from and f.date_from[:7]), (f.date_to and f.date_to[:7])


def _whole_months(f: Filters) -> bool:
    """True unless a bound is a day other than the first (from) or last (to) of its month."""
    if f.date_from and len(f.date_from) == 10 and not f.date_from.endswith("-01"):
        return False
    if f.date_to and len(f.date_to) == 10:
        year, month = int(f.date_to[:4]), int(f.date_to[5:7])
        return int(f.date_to[8:]) == calendar.monthrange(year, month)[1]
    return True


def _source(keys: Sequence[str], f: Filters, measure: str) -> _Source:
    """The smallest table that answers: a rollup when keys, filters and measure allow it."""
    plain = {k for k in keys if k not in _PERIODS}
    if measure == "quantity" or not _whole_months(f):
        return _ROWS
    if needs_rows(f.lens):
        return _ROWS
    if plain <= {"origin", "dispatch", "destination", "hs2", "hs4", "hs6"}:
        if all(len(p) <= 6 for p in f.hs):
            return _COUNTRY_ROLLUP
    countries = any(getattr(f.lens, name) for name in COUNTRY_FIELDS)
    if plain <= {"exporter", "importer"} and not f.hs and not countries:
        return _PARTY_ROLLUP
    return _ROWS


def shipment_groups(
    session: Session, *, keys: Sequence[str], filters: Filters, measure: str = "value"
) -> list[tuple]:
    """Rows ``(*keys, value_usd, shipments, valued, measure_sum, measure_rows, units)``.

    ``valued`` counts rows with a USD value; ``measure_sum``/``measure_rows`` are the sum and
    count of quantity or net weight when that is the measure (else None); ``units`` lists the
    distinct quantity units (comma-joined) for the quantity measure.

    Totals come from a rollup when it can answer (month-aligned dates, no quantity measure,
    keys and filters of one rollup); from the rows otherwise. Both give the same groups.
    """
    params = Params()
    source = _source(keys, filters, measure)
    exprs = [source.keys[k] for k in keys]
    extra = source.sums.get(measure, "NULL, NULL")
    units = current().group_concat("DISTINCT s.unit") if measure == "quantity" else "NULL"
    select = ", ".join([*exprs, source.totals, extra, units])
    where = " AND ".join(_shipment_where(filters, params, source))
    sql = f"SELECT {select} FROM {source.table} s WHERE {where}"
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
    return _run(session, sql, params)


def trade_groups(session: Session, *, keys: Sequence[str], filters: Filters) -> list[tuple]:
    """Rows ``(*keys, currency, value, records, valued)``; values never mix currencies."""
    params = Params()
    exprs = [_TRADE_KEYS[k] for k in keys] + ["t.currency"]
    select = ", ".join([*exprs, "sum(t.value), count(*), count(t.value)"])
    where = " AND ".join(_trade_where(filters, params))
    group = ", ".join(str(i + 1) for i in range(len(exprs)))
    return _run(session, f"SELECT {select} FROM tradeflow t WHERE {where} GROUP BY {group}", params)


def firm_labels(session: Session, *, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``{firm id: (uid, name)}`` for these ids."""
    params = Params()
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    sql = f"SELECT id, uid, name FROM firm WHERE id IN ({params.many(wanted)})"
    return {row[0]: (row[1], row[2]) for row in _run(session, sql, params)}
