"""The queries behind red flags: rows a test picks, per firm, and firms' monthly activity.

Built for a million shipments: every row-level test of a run is evaluated in **one** scan of
the case's shipments (each test a ``CASE`` column), and the monthly activity of firms and
countries comes from one more scan. Results are small: counts, sums and a few row ids.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.filters import ShipmentFilter
from casebook.store.backend import current, is_server, of, raw_connection
from casebook.store.filters import DATE_END, Params, hs_clause, shipment_clauses
from casebook.store.stats import _run

_PARAM = re.compile(r":(p\d+)\b")


def _scope(lens: ShipmentFilter | None, case_id: int) -> tuple[str, Params]:
    """The SQL condition over ``s`` selecting the case's shipments in the lens, and its
    parameters (named ``p0``, ``p1``, … : apart from the tests' renamed ones)."""
    params = Params()
    return " AND ".join(shipment_clauses(lens, case_id=case_id, params=params)), params


@dataclass(frozen=True)
class RowTest:
    """Which shipments a row-level flag picks, and the detail it groups them by.

    Built by the functions below so that rule modules never write SQL. ``where`` and
    ``detail`` are SQL over ``s`` (the shipment); ``ctes`` and ``join`` bring extra tables;
    a parameter whose value is None stands for the case id.
    """

    where: str
    detail: str
    params: dict = field(default_factory=dict)
    ctes: str = ""
    join: str = ""
    function: tuple[str, Callable[[str | None], str | None]] | None = None


@dataclass
class FlaggedFirm:
    """One firm's rows for one test and detail: how many, their USD value, a few row ids."""

    firm_id: int
    detail: str
    count: int
    value_usd: float | None
    sample_ids: list[int]


def hs6_in(codes: Iterable[str]) -> RowTest:
    """Rows whose HS6 is one of ``codes``; detail: the HS6."""
    params = Params()
    return RowTest(f"s.hs6 IN ({params.many(sorted(codes))})", "s.hs6", dict(params))


def cn8_in(codes: Iterable[str]) -> RowTest:
    """Rows whose declared code starts with one of these CN8 codes; detail: the CN8."""
    params = Params()
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
    params = Params()
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
    answer. The matcher runs inside SQLite on candidate rows only."""
    params = Params()
    where = [f"s.origin = {params.add(origin)}", "s.description IS NOT NULL"]
    if hs:
        where.append(hs_clause("s.hs_code", hs, params))
    return RowTest(
        " AND ".join(where), "cb_match(s.description)", dict(params), function=("cb_match", matcher)
    )


#: Unit values are binned on a log scale, 50 bins per factor e (about 2% wide).
LOG_BINS = 50


def _ensure_ln(session: Session) -> None:
    """SQLite built without math functions lacks ``ln``; supply it from Python then."""
    if is_server(session):  # PostgreSQL has ln
        return
    conn = raw_connection(session)
    try:
        conn.execute("SELECT ln(2.0)")
    except sqlite3.OperationalError:  # "no such function: ln"
        conn.create_function("ln", 1, math.log, deterministic=True)


def unit_value_histogram(
    session: Session, *, case_id: int, lens: ShipmentFilter | None = None
) -> list[tuple]:
    """Rows ``(hs6, log bin, rows)`` of USD per kg, for medians without sorting every row."""
    _ensure_ln(session)
    scope, params = _scope(lens, case_id)
    sql = f"""
        SELECT s.hs6, CAST(round(ln(s.value_usd / s.net_weight) * {LOG_BINS}) AS INTEGER),
               count(*)
        FROM shipment s
        WHERE {scope} AND s.hs6 IS NOT NULL AND s.value_usd > 0 AND s.net_weight > 0
        GROUP BY 1, 2"""
    return _run(session, sql, params)


def unit_value_outliers(*, medians: dict[str, float], factor: float) -> RowTest:
    """Rows whose USD per kg is over ``factor`` times, or under 1/``factor`` of, the median of
    their HS6 (``medians``); detail: ``hs6|high|median``."""
    params = Params()
    if not medians:
        return RowTest("1 = 0", "NULL")
    pairs = ", ".join(f"({params.add(h)}, {params.add(m)})" for h, m in sorted(medians.items()))
    f = params.add(factor)
    uv = "s.value_usd / s.net_weight"
    where = (
        "med.m IS NOT NULL AND s.value_usd > 0 AND s.net_weight > 0 "
        f"AND ({uv} > med.m * {f} OR {uv} < med.m / {f})"
    )
    detail = f"s.hs6 || '|' || CASE WHEN {uv} > med.m THEN 'high' ELSE 'low' END || '|' || med.m"
    ctes = f"med(hs6, m) AS MATERIALIZED (VALUES {pairs})"
    return RowTest(where, detail, dict(params), ctes=ctes, join="LEFT JOIN med ON med.hs6 = s.hs6")


def _renamed(test: RowTest, prefix: str, case_id: int) -> tuple[RowTest, dict]:
    """The test with its parameters renamed ``:p3`` -> ``:t1p3`` so tests can share a query."""

    def rename(text: str) -> str:
        return _PARAM.sub(lambda m: f":{prefix}{m[1]}", text)

    params = {f"{prefix}{k}": (case_id if v is None else v) for k, v in test.params.items()}
    renamed = RowTest(
        rename(test.where), rename(test.detail), {}, rename(test.ctes), test.join, test.function
    )
    return renamed, params


def _prepare(session: Session, tests: dict[str, RowTest], case_id: int):
    renamed, params = {}, {"case_id": case_id}
    for i, (name, test) in enumerate(tests.items()):
        renamed[name], extra = _renamed(test, f"t{i}", case_id)
        params.update(extra)
        if test.function and is_server(session):
            renamed[name] = _answers_table(session, renamed[name], params, table=f"cb_fn_{i}")
        elif test.function:
            fname, fn = test.function
            raw_connection(session).create_function(fname, 1, fn, deterministic=True)
    ctes = ",".join(t.ctes for t in renamed.values() if t.ctes)
    joins = " ".join(dict.fromkeys(t.join for t in renamed.values() if t.join))
    return renamed, params, (ctes + ",") if ctes else "", joins


def _answers_table(session: Session, test: RowTest, params: dict, *, table: str) -> RowTest:
    """PostgreSQL runs no Python: the matcher answers each distinct description of the rows the
    test can pick here, into a temporary table the test's detail then reads."""
    fname, fn = test.function
    candidates = session.execute(
        text(
            f"SELECT DISTINCT s.description FROM shipment s WHERE s.case_id = :case_id AND ({test.where})"
        ),
        params,
    ).scalars()
    of(session).answers_table(session, table=table, answers=((d, fn(d)) for d in candidates))
    detail = test.detail.replace(
        f"{fname}(s.description)",
        f"(SELECT fx.answer FROM {table} fx WHERE fx.arg = s.description)",
    )
    return replace(test, detail=detail, function=None)


def flagged_firms(
    session: Session,
    *,
    case_id: int,
    tests: dict[str, RowTest],
    sample: int = 20,
    lens: ShipmentFilter | None = None,
) -> dict[str, list[FlaggedFirm]]:
    """Per test, firm (as exporter or importer) and detail: the rows the test picks.

    All tests are evaluated in one scan of the case's shipments and grouped once by
    (test, exporter, importer, detail); the split per firm happens here, on small data. The
    sample ids are the first and last row of each group, at most ``sample`` per firm.
    """
    if not tests:
        return {}
    renamed, params, ctes, joins = _prepare(session, tests, case_id)
    scope, scope_params = _scope(lens, case_id)
    params.update(scope_params)
    names = list(renamed)
    cols = ", ".join(
        f"CASE WHEN ({t.where}) THEN {t.detail} END AS d{i}" for i, t in enumerate(renamed.values())
    )
    any_hit = " OR ".join(f"d{i} IS NOT NULL" for i in range(len(names)))
    branches = " UNION ALL ".join(
        f"SELECT {i} AS t, ex, im, d{i} AS detail, id, v FROM hit WHERE d{i} IS NOT NULL"
        for i in range(len(names))
    )
    sql = f"""
        WITH {ctes}
        hit AS MATERIALIZED (
            SELECT * FROM (
                SELECT s.id AS id, s.exporter_id AS ex, s.importer_id AS im, s.value_usd AS v,
                       {cols}
                FROM shipment s {joins} WHERE {scope}) AS tested
            WHERE {any_hit})
        SELECT t, ex, im, detail, count(*), sum(v), min(id), max(id)
        FROM ({branches}) AS hits GROUP BY t, ex, im, detail"""
    return _split_by_firm(_run(session, sql, params), names, sample)


def _split_by_firm(rows: list[tuple], names: list[str], sample: int) -> dict[str, list]:
    acc: dict[tuple, list] = {}
    # in key order, NULL firms first (SQLite's GROUP BY order; a server's is arbitrary), so
    # which groups give the sample never depends on the backend
    rows = sorted(rows, key=lambda r: (r[0], r[1] or 0, r[2] or 0, str(r[3])))
    for t, ex, im, detail, n, v, lo, hi in rows:
        for firm in {ex, im} - {None}:
            cell = acc.setdefault((t, firm, detail), [0, None, set()])
            cell[0] += n
            cell[1] = v if cell[1] is None else cell[1] + (v or 0.0)
            if len(cell[2]) < sample:
                cell[2].update((lo, hi))
    out: dict[str, list[FlaggedFirm]] = {name: [] for name in names}
    for (t, firm, detail), (n, v, ids) in acc.items():
        out[names[t]].append(FlaggedFirm(firm, detail, n, v, sorted(ids)[:sample]))
    return out


def row_test_totals(
    session: Session,
    *,
    case_id: int,
    test: RowTest,
    dataset_id: int | None = None,
    lens: ShipmentFilter | None = None,
) -> list[tuple]:
    """Rows ``(detail, shipments, value_usd)`` of the rows ``test`` picks, each row once (of
    the case's shipments in the lens, or of one of its datasets)."""
    renamed, params, ctes, joins = _prepare(session, {"t": test}, case_id)
    t = renamed["t"]
    scope, scope_params = _scope(lens, case_id)
    params.update(scope_params)
    if dataset_id is not None:
        scope += " AND s.dataset_id = :dataset_id"
        params["dataset_id"] = dataset_id
    sql = f"""WITH {ctes} picked AS (
            SELECT CASE WHEN ({t.where}) THEN {t.detail} END AS detail, s.value_usd AS v
            FROM shipment s {joins} WHERE {scope})
        SELECT detail, count(*), sum(v) FROM picked WHERE detail IS NOT NULL GROUP BY detail"""
    return _run(session, sql, params)


def activity(session: Session, *, case_id: int, lens: ShipmentFilter | None = None) -> list[tuple]:
    """Monthly activity: rows ``(kind, key, other, month, value_usd, shipments, first date,
    min id, max id)``. Kind ``p`` keys a firm pair (exporter id, importer id) — split per
    firm by the caller —, kind ``o`` an origin country. Undated rows have month None.
    Read from the rollups (``store.rollups``) for the whole case; from the rows in the lens
    otherwise (the rollups keep firms and countries apart, a lens may need both)."""
    if lens:
        scope, params = _scope(lens, case_id)
        rows = f"""(SELECT s.exporter_id, s.importer_id, s.origin, substr(s.date, 1, 7) AS month,
                   s.value_usd, 1 AS shipments, s.date AS first_date, s.id AS min_id,
                   s.id AS max_id FROM shipment s WHERE {scope})"""
        party = country = rows
    else:
        params = {"case_id": case_id}
        party = "(SELECT * FROM partyrollup WHERE case_id = :case_id)"
        country = "(SELECT * FROM shipmentrollup WHERE case_id = :case_id)"
    totals = "sum(value_usd), sum(shipments), min(first_date), min(min_id), max(max_id)"
    # Two queries, not a UNION: a firm id and a country code share no column type on a server.
    pairs = f"""
        SELECT 'p', exporter_id, importer_id, month, {totals}
        FROM {party} AS party GROUP BY 2, 3, 4"""
    origins = f"""
        SELECT 'o', origin, NULL, month, {totals}
        FROM {country} AS country
        WHERE origin IS NOT NULL AND origin <> 'XX' AND month IS NOT NULL
        GROUP BY 2, 4"""
    return _run(session, pairs, params) + _run(session, origins, params)


def origin_month_firms(
    session: Session,
    *,
    case_id: int,
    origin: str,
    month: str,
    sample: int = 20,
    lens: ShipmentFilter | None = None,
) -> list[tuple]:
    """Rows ``(firm id, value_usd, shipments, sample ids)`` of one origin in one month (of the
    shipments in the lens)."""
    scope, params = _scope(lens, case_id)
    sql = f"""
        WITH r AS MATERIALIZED (
            SELECT s.id AS id, s.exporter_id AS ex, s.importer_id AS im, s.value_usd AS v
            FROM shipment s
            WHERE {scope} AND s.date >= :month AND s.date < :month || '{DATE_END}'
              AND s.origin = :origin),
        f AS (SELECT ex AS firm_id, v, id FROM r WHERE ex IS NOT NULL
              UNION ALL SELECT im, v, id FROM r WHERE im IS NOT NULL AND (ex IS NULL OR im <> ex))
        SELECT firm_id, sum(v), count(*), {current().group_concat("CASE WHEN rn <= :sample THEN id END")}
        FROM (SELECT *, row_number() OVER (PARTITION BY firm_id ORDER BY id) AS rn FROM f) AS n
        GROUP BY firm_id"""
    params.update(month=month, origin=origin, sample=sample)
    return _run(session, sql, params)


def row_refs(session: Session, *, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """``{shipment id: (dataset uid, source row)}``."""
    wanted = sorted(set(ids))
    out: dict[int, tuple[str, int]] = {}
    for start in range(0, len(wanted), 5000):
        params = Params()
        chunk = params.many(wanted[start : start + 5000])
        sql = f"""SELECT s.id, d.uid, s.source_row FROM shipment s
                  JOIN dataset d ON d.id = s.dataset_id WHERE s.id IN ({chunk})"""
        out.update((i, (uid, row)) for i, uid, row in _run(session, sql, params))
    return out
