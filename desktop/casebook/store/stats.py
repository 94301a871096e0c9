"""Aggregate queries over shipments and trade flows, and the row queries behind red flags.

Everything here returns small results: groups, per-firm counts, a few sample row ids. Grouping
and filtering happen in SQL so that a million shipments never travel into Python. Dates are ISO
text, so months and years are ``substr`` prefixes and date bounds are plain text comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from casebook.store.engine import raw_connection

#: Sorts after any date text that starts with the bound ("2023-12" covers "2023-12-31").
DATE_END = "\x7f"

_SHIPMENT_KEYS = {
    "month": "substr(s.date, 1, 7)",
    "quarter": "substr(s.date, 1, 4) || '-Q' || ((CAST(substr(s.date, 6, 2) AS INTEGER) + 2) / 3)",
    "year": "substr(s.date, 1, 4)",
    "origin": "coalesce(s.origin, 'XX')",
    "dispatch": "coalesce(s.dispatch, 'XX')",
    "destination": "coalesce(s.destination, 'XX')",
    "exporter": "s.exporter_id",
    "importer": "s.importer_id",
    "hs2": "CASE WHEN length(s.hs_code) >= 2 THEN substr(s.hs_code, 1, 2) END",
    "hs4": "CASE WHEN length(s.hs_code) >= 4 THEN substr(s.hs_code, 1, 4) END",
    "hs6": "s.hs6",
    "brand": "s.brand",
}
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
SHIPMENT_COUNTRY_FIELDS = ("origin", "dispatch", "destination")
TRADE_COUNTRY_FIELDS = ("reporter", "partner")


@dataclass(frozen=True)
class Filters:
    """What to count: one case, an inclusive date range, HS prefixes, countries, firms, datasets.

    ``countries`` maps a country field (``origin``, ``dispatch``, … or ``reporter``,
    ``partner``) to the codes it may hold; ``firm_ids`` match as exporter or importer.
    """

    case_id: int
    date_from: str | None = None
    date_to: str | None = None
    hs: tuple[str, ...] = ()
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    firm_ids: tuple[int, ...] = ()
    dataset_ids: tuple[int, ...] = ()


class _Params(dict):
    """Named parameters with fresh names, so clauses can be built independently."""

    def add(self, value: object) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f":{name}"

    def many(self, values: Iterable[object]) -> str:
        return ", ".join(self.add(v) for v in values)


def _hs_clause(column: str, prefixes: Sequence[str], params: _Params) -> str:
    parts = [f"substr({column}, 1, {len(p)}) = {params.add(p)}" for p in prefixes]
    return "(" + " OR ".join(parts) + ")"


def _shipment_where(f: Filters, params: _Params) -> list[str]:
    where = [f"s.case_id = {params.add(f.case_id)}"]
    if f.date_from:
        where.append(f"s.date >= {params.add(f.date_from)}")
    if f.date_to:
        where.append(f"s.date <= {params.add(f.date_to + DATE_END)}")
    if f.hs:
        where.append(_hs_clause("s.hs_code", f.hs, params))
    for name, codes in f.countries.items():
        if name not in SHIPMENT_COUNTRY_FIELDS:
            raise ValueError(f"no country field {name!r} on shipments")
        where.append(f"coalesce(s.{name}, 'XX') IN ({params.many(codes)})")
    if f.firm_ids:
        ids = params.many(f.firm_ids)
        where.append(f"(s.exporter_id IN ({ids}) OR s.importer_id IN ({ids}))")
    if f.dataset_ids:
        where.append(f"s.dataset_id IN ({params.many(f.dataset_ids)})")
    return where


def _trade_where(f: Filters, params: _Params) -> list[str]:
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
        where.append(_hs_clause("t.product", f.hs, params))
    for name, codes in f.countries.items():
        if name not in TRADE_COUNTRY_FIELDS:
            raise ValueError(f"no country field {name!r} on trade flows")
        where.append(f"coalesce(t.{name}, 'XX') IN ({params.many(codes)})")
    if f.dataset_ids:
        where.append(f"t.dataset_id IN ({params.many(f.dataset_ids)})")
    return where


def _run(session: Session, sql: str, params: dict) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(sql), params)]


def shipment_groups(
    session: Session, *, keys: Sequence[str], filters: Filters, measure: str = "value"
) -> list[tuple]:
    """Rows ``(*keys, value_usd, shipments, valued, measure_sum, measure_rows, units)``.

    ``valued`` counts rows with a USD value; ``measure_sum``/``measure_rows`` are the sum and
    count of quantity or net weight when that is the measure (else None); ``units`` lists the
    distinct quantity units (comma-joined) for the quantity measure.
    """
    params = _Params()
    exprs = [_SHIPMENT_KEYS[k] for k in keys]
    column = _MEASURE_COLUMNS.get(measure)
    extra = f"sum({column}), count({column})" if column else "NULL, NULL"
    units = "group_concat(DISTINCT s.unit)" if measure == "quantity" else "NULL"
    select = ", ".join([*exprs, "sum(s.value_usd), count(*), count(s.value_usd)", extra, units])
    sql = f"SELECT {select} FROM shipment s WHERE {' AND '.join(_shipment_where(filters, params))}"
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
    return _run(session, sql, params)


def trade_groups(session: Session, *, keys: Sequence[str], filters: Filters) -> list[tuple]:
    """Rows ``(*keys, currency, value, records, valued)``; values never mix currencies."""
    params = _Params()
    exprs = [_TRADE_KEYS[k] for k in keys] + ["t.currency"]
    select = ", ".join([*exprs, "sum(t.value), count(*), count(t.value)"])
    where = " AND ".join(_trade_where(filters, params))
    group = ", ".join(str(i + 1) for i in range(len(exprs)))
    return _run(session, f"SELECT {select} FROM tradeflow t WHERE {where} GROUP BY {group}", params)


def firm_labels(session: Session, *, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``{firm id: (uid, name)}`` for these ids."""
    params = _Params()
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    sql = f"SELECT id, uid, name FROM firm WHERE id IN ({params.many(wanted)})"
    return {row[0]: (row[1], row[2]) for row in _run(session, sql, params)}


def firm_ids_by_uid(session: Session, *, uids: Iterable[str]) -> dict[str, int]:
    """``{uid: id}`` for the firms that exist."""
    params = _Params()
    sql = f"SELECT uid, id FROM firm WHERE uid IN ({params.many(uids)})"
    return dict(_run(session, sql, params))


def dataset_ids_by_uid(session: Session, *, case_id: int, uids: Iterable[str]) -> dict[str, int]:
    """``{uid: id}`` for the case's datasets among these uids."""
    params = _Params()
    case = params.add(case_id)
    sql = f"SELECT uid, id FROM dataset WHERE case_id = {case} AND uid IN ({params.many(uids)})"
    return dict(_run(session, sql, params))


# ---- red-flag queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowTest:
    """Which shipments a row-level flag picks, and the detail it groups them by.

    Built by the functions below (``hs6_in``, ``dispatch_differs`` …) so that rule modules
    never write SQL. ``detail`` is an SQL expression; rows where it is NULL are dropped.
    """

    where: str
    detail: str
    params: dict = field(default_factory=dict)
    ctes: str = ""
    function: tuple[str, Callable[[str | None], str | None]] | None = None


@dataclass
class FlaggedFirm:
    """One firm's flagged rows for one detail: how many, their USD value, a few row ids."""

    firm_id: int
    detail: str
    count: int
    value_usd: float | None
    sample_ids: list[int]


def hs6_in(codes: Iterable[str]) -> RowTest:
    """Rows whose HS6 is one of ``codes``; detail: the HS6."""
    params = _Params()
    return RowTest(f"s.hs6 IN ({params.many(sorted(codes))})", "s.hs6", dict(params))


def cn8_in(codes: Iterable[str]) -> RowTest:
    """Rows whose declared code starts with one of these CN8 codes; detail: the CN8."""
    params = _Params()
    cn8 = "substr(s.hs_code, 1, 8)"
    where = f"length(s.hs_code) >= 8 AND {cn8} IN ({params.many(sorted(codes))})"
    return RowTest(where, cn8, dict(params))


def dispatch_differs(
    *, same_groups: dict[str, Iterable[str]] | None = None, dispatch_in: Iterable[str] = ()
) -> RowTest:
    """Rows with known origin and dispatch that differ; detail: ``origin>dispatch``.

    ``same_groups`` maps a group code (``EU``) to its members, which count as the same
    country as the group; ``dispatch_in`` keeps only these dispatch countries.
    """
    params = _Params()
    where = [
        "s.origin IS NOT NULL AND s.dispatch IS NOT NULL",
        "s.origin <> 'XX' AND s.dispatch <> 'XX' AND s.origin <> s.dispatch",
    ]
    for group, members in (same_groups or {}).items():
        g, ms = params.add(group), params.many(sorted(members))
        where.append(f"NOT (s.origin = {g} AND s.dispatch IN ({ms}))")
        where.append(f"NOT (s.dispatch = {g} AND s.origin IN ({ms}))")
    hubs = sorted(dispatch_in)
    if hubs:
        where.append(f"s.dispatch IN ({params.many(hubs)})")
    return RowTest(" AND ".join(where), "s.origin || '>' || s.dispatch", dict(params))


def description_match(
    matcher: Callable[[str | None], str | None], *, origin: str, hs: Sequence[str] = ()
) -> RowTest:
    """Rows of this origin (and HS prefixes) whose description ``matcher`` names; detail: its
    answer. The matcher runs in SQLite per candidate row, so only matches come back."""
    params = _Params()
    where = [f"s.origin = {params.add(origin)}", "s.description IS NOT NULL"]
    if hs:
        where.append(_hs_clause("s.hs_code", hs, params))
    return RowTest(
        " AND ".join(where),
        "cb_match(s.description)",
        dict(params),
        function=("cb_match", matcher),
    )


def firms_in(firm_ids: Sequence[int], *, months: Sequence[str] | None = None) -> RowTest:
    """Rows of these firms (as exporter or importer), in these months if given; detail: the
    month (or ``*``)."""
    params = _Params()
    ids = params.many(firm_ids)
    where = f"(s.exporter_id IN ({ids}) OR s.importer_id IN ({ids}))"
    if months:
        where += f" AND substr(s.date, 1, 7) IN ({params.many(months)})"
        return RowTest(where, "substr(s.date, 1, 7)", dict(params))
    return RowTest(where, "'*'", dict(params))


def unit_value_outliers(*, factor: float, min_peers: int) -> RowTest:
    """Rows whose USD per kg is over ``factor`` times, or under 1/``factor`` of, the median of
    their HS6 (HS6 codes with at least ``min_peers`` priced rows); detail: ``hs6|high|median``.
    """
    params = _Params()
    case = params.add(None)  # filled in by flagged_firms
    f, peers = params.add(factor), params.add(min_peers)
    uv = "s.value_usd / s.net_weight"
    ctes = f"""
        uv AS (SELECT s.hs6 AS hs6, {uv} AS u FROM shipment s
               WHERE s.case_id = {case} AND s.hs6 IS NOT NULL
                 AND s.value_usd > 0 AND s.net_weight > 0),
        ranked AS (SELECT hs6, u, row_number() OVER (PARTITION BY hs6 ORDER BY u) AS rn,
                          count(*) OVER (PARTITION BY hs6) AS n FROM uv),
        med AS (SELECT hs6, avg(u) AS m FROM ranked
                WHERE n >= {peers} AND rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY hs6)"""
    where = (
        "s.value_usd > 0 AND s.net_weight > 0 AND med.hs6 = s.hs6 "
        f"AND ({uv} > med.m * {f} OR {uv} < med.m / {f})"
    )
    detail = f"s.hs6 || '|' || CASE WHEN {uv} > med.m THEN 'high' ELSE 'low' END || '|' || med.m"
    return RowTest(where, detail, dict(params), ctes=ctes)


def _bind(session: Session, test: RowTest, case_id: int) -> dict:
    """The test's parameters with the case filled in; registers its SQL function if any."""
    params = {k: (case_id if v is None else v) for k, v in test.params.items()}
    params["case_id"] = case_id
    if test.function:
        name, fn = test.function
        raw_connection(session).create_function(name, 1, fn, deterministic=True)
    return params


def flagged_firms(
    session: Session, *, case_id: int, test: RowTest, sample: int = 20
) -> list[FlaggedFirm]:
    """Per firm (as exporter or importer) and detail: the rows ``test`` picks in a case."""
    params = _bind(session, test, case_id)
    params["sample"] = sample
    join = ", med" if "med AS" in test.ctes else ""
    ctes = (test.ctes + ",") if test.ctes else ""
    sql = f"""
        WITH {ctes}
        hit AS MATERIALIZED (
            SELECT s.id AS id, s.exporter_id AS ex, s.importer_id AS im, s.value_usd AS v,
                   {test.detail} AS detail
            FROM shipment s{join} WHERE s.case_id = :case_id AND ({test.where})),
        f AS (SELECT ex AS firm_id, id, v, detail FROM hit WHERE ex IS NOT NULL AND detail IS NOT NULL
              UNION ALL
              SELECT im, id, v, detail FROM hit
              WHERE im IS NOT NULL AND im IS NOT ex AND detail IS NOT NULL)
        SELECT firm_id, detail, count(*), sum(v), group_concat(CASE WHEN rn <= :sample THEN id END)
        FROM (SELECT *, row_number() OVER (PARTITION BY firm_id, detail ORDER BY id) AS rn FROM f)
        GROUP BY firm_id, detail"""
    return [
        FlaggedFirm(fid, detail, n, v, [int(i) for i in (ids or "").split(",") if i])
        for fid, detail, n, v, ids in _run(session, sql, params)
    ]


_FIRM_ROWS = """
    SELECT s.exporter_id AS firm_id, s.date AS date, s.value_usd AS v, s.origin AS origin
    FROM shipment s WHERE s.case_id = :case_id AND s.exporter_id IS NOT NULL
    UNION ALL
    SELECT s.importer_id, s.date, s.value_usd, s.origin
    FROM shipment s WHERE s.case_id = :case_id AND s.importer_id IS NOT NULL
      AND s.importer_id IS NOT s.exporter_id"""


def case_firms(session: Session, *, case_id: int) -> list[tuple]:
    """Rows ``(firm id, uid, name, first date, shipments, value_usd)`` of firms in the case."""
    sql = f"""
        SELECT f.id, f.uid, f.name, a.first, a.n, a.v
        FROM (SELECT firm_id, min(date) AS first, count(*) AS n, sum(v) AS v
              FROM ({_FIRM_ROWS}) GROUP BY firm_id) a
        JOIN firm f ON f.id = a.firm_id"""
    return _run(session, sql, {"case_id": case_id})


def firm_month_values(session: Session, *, case_id: int) -> list[tuple]:
    """Rows ``(firm id, month, value_usd, shipments)`` for the case's dated shipments."""
    sql = f"""
        SELECT firm_id, substr(date, 1, 7), sum(v), count(*) FROM ({_FIRM_ROWS})
        WHERE date IS NOT NULL GROUP BY 1, 2"""
    return _run(session, sql, {"case_id": case_id})


def origin_month_values(session: Session, *, case_id: int) -> list[tuple]:
    """Rows ``(origin, month, value_usd)`` for the case's dated shipments of known origin."""
    sql = """
        SELECT s.origin, substr(s.date, 1, 7), sum(s.value_usd) FROM shipment s
        WHERE s.case_id = :case_id AND s.date IS NOT NULL AND s.origin IS NOT NULL
          AND s.origin <> 'XX'
        GROUP BY 1, 2"""
    return _run(session, sql, {"case_id": case_id})


def firm_origin_month_values(
    session: Session, *, case_id: int, cells: Iterable[tuple[str, str]]
) -> list[tuple]:
    """Rows ``(origin, month, firm id, value_usd, sample ids)`` for these (origin, month)."""
    params = _Params()
    params["case_id"] = case_id
    pairs = [f"({params.add(o)}, {params.add(mo)})" for o, mo in cells]
    if not pairs:
        return []
    sql = f"""
        WITH cell(origin, month) AS (VALUES {", ".join(pairs)}),
        rows AS (SELECT s.id, s.exporter_id AS ex, s.importer_id AS im, s.value_usd AS v,
                        s.origin AS origin, substr(s.date, 1, 7) AS month
                 FROM shipment s JOIN cell c ON s.origin = c.origin
                 WHERE s.case_id = :case_id AND s.date >= c.month AND s.date < c.month || '{DATE_END}'),
        f AS (SELECT origin, month, ex AS firm_id, v, id FROM rows WHERE ex IS NOT NULL
              UNION ALL
              SELECT origin, month, im, v, id FROM rows WHERE im IS NOT NULL AND im IS NOT ex)
        SELECT origin, month, firm_id, sum(v), group_concat(id) FROM f GROUP BY 1, 2, 3"""
    return _run(session, sql, params)


def min_date(session: Session, *, case_id: int) -> str | None:
    """The earliest shipment date of a case."""
    sql = "SELECT min(s.date) FROM shipment s WHERE s.case_id = :case_id"
    return _run(session, sql, {"case_id": case_id})[0][0]


def row_refs(session: Session, *, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """``{shipment id: (dataset uid, source row)}``."""
    wanted = sorted(set(ids))
    out: dict[int, tuple[str, int]] = {}
    for start in range(0, len(wanted), 5000):
        params = _Params()
        chunk = params.many(wanted[start : start + 5000])
        sql = f"""SELECT s.id, d.uid, s.source_row FROM shipment s
                  JOIN dataset d ON d.id = s.dataset_id WHERE s.id IN ({chunk})"""
        out.update((i, (uid, row)) for i, uid, row in _run(session, sql, params))
    return out


def row_test_totals(session: Session, *, case_id: int, test: RowTest) -> list[tuple]:
    """Rows ``(detail, shipments, value_usd)`` of the rows ``test`` picks, each row once."""
    params = _bind(session, test, case_id)
    join = ", med" if "med AS" in test.ctes else ""
    ctes = f"WITH {test.ctes}" if test.ctes else ""
    sql = f"""{ctes}
        SELECT detail, count(*), sum(v) FROM (
            SELECT {test.detail} AS detail, s.value_usd AS v
            FROM shipment s{join} WHERE s.case_id = :case_id AND ({test.where}))
        WHERE detail IS NOT NULL GROUP BY detail"""
    return _run(session, sql, params)
