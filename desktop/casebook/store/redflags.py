"""The queries behind red flags: rows a test picks, per firm, and firms' monthly activity.

Built for a million shipments: every row-level test of a run is evaluated in **one** scan of
the case's shipments (each test a ``CASE`` column), and the monthly activity of firms and
countries comes from one more scan. Results are small: counts, sums and a few row ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.filters import ShipmentFilter
from casebook.store import rollups
from casebook.store.backend import current, is_server, of, raw_connection
from casebook.store.filters import DATE_END, Params, hs_clause, shipment_clauses
from casebook.store.sqlite import ensure_ln
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
    trade: bool = False  # reads only what the trade rollup keeps (hs6, 8 digits, countries)


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
    return RowTest(f"s.hs6 IN ({params.many(sorted(codes))})", "s.hs6", dict(params), trade=True)


def cn8_in(codes: Iterable[str]) -> RowTest:
    """Rows whose declared code starts with one of these CN8 codes; detail: the CN8."""
    params = Params()
    cn8 = "substr(s.hs_code, 1, 8)"
    where = f"length(s.hs_code) >= 8 AND {cn8} IN ({params.many(sorted(codes))})"
    return RowTest(where, cn8, dict(params), trade=True)


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
    detail = "s.origin || '>' || s.dispatch"
    return RowTest(" AND ".join(where), detail, dict(params), trade=True)


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


def unit_value_histogram(
    session: Session, *, case_id: int, lens: ShipmentFilter | None = None
) -> list[tuple]:
    """Rows ``(hs6, log bin, rows)`` of USD per kg, for medians without sorting every row: from
    the rollup for the whole case, from the rows in the lens otherwise."""
    if not lens:
        return rollups.unit_value_histogram(session, case_id=case_id)
    ensure_ln(raw_connection(session))
    scope, params = _scope(lens, case_id)
    sql = f"""
        SELECT hs6, {rollups.UNIT_BIN}, count(*) FROM shipment s
        WHERE {scope} AND {rollups.PRICED} GROUP BY 1, 2"""
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
    # Far from every median first: a test on the row alone, before it looks up its median.
    high, low = (
        params.add(min(medians.values()) * factor),
        params.add(max(medians.values()) / factor),
    )
    where = (
        f"s.value_usd > 0 AND s.net_weight > 0 AND ({uv} > {high} OR {uv} < {low}) "
        f"AND med.m IS NOT NULL AND ({uv} > med.m * {f} OR {uv} < med.m / {f})"
    )
    detail = f"s.hs6 || '|' || CASE WHEN {uv} > med.m THEN 'high' ELSE 'low' END || '|' || med.m"
    ctes = f"med(hs6, m) AS MATERIALIZED (VALUES {pairs})"
    return RowTest(where, detail, dict(params), ctes=ctes, join="LEFT JOIN med ON med.hs6 = s.hs6")


def _renamed(test: RowTest, prefix: str, case_id: int) -> tuple[RowTest, dict]:
    """The test with its parameters renamed ``:p3`` -> ``:t1p3`` so tests can share a query."""

    def rename(text: str) -> str:
        return _PARAM.sub(lambda m: f":{prefix}{m[1]}", text)

    params = {f"{prefix}{k}": (case_id if v is None else v) for k, v in test.params.items()}
    renamed = replace(
        test,
        where=rename(test.where),
        detail=rename(test.detail),
        params={},
        ctes=rename(test.ctes),
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


def _trade_firms(lens: ShipmentFilter | None, case_id: int, params: dict) -> str:
    """The case's shipments summed per firm (as exporter or importer; once when both), code
    and route: from the trade rollup (``store.rollups``) for the whole case, from the rows in
    the lens otherwise. ``hs_code`` holds the first 8 digits, so tests over rows read these."""
    if lens:  # the rows are read once, then split into the two sides
        scope, scope_params = _scope(lens, case_id)
        params.update(scope_params)
        pair = f"""pair AS MATERIALIZED (
            SELECT s.exporter_id, s.importer_id, s.hs6, substr(s.hs_code, 1, 8) AS cn8,
                   s.origin, s.dispatch, 1 AS shipments, s.value_usd, s.id AS min_id
            FROM shipment s WHERE {scope})"""
    else:  # the groups are read twice, which is cheaper than copying them
        pair = """pair AS (SELECT exporter_id, importer_id, hs6, cn8, origin, dispatch, shipments,
                   value_usd, min_id FROM traderollup WHERE case_id = :case_id)"""
    keys = "hs6, cn8, origin, dispatch, shipments, value_usd, min_id"
    return f"""WITH {pair}
        SELECT firm, hs6, cn8 AS hs_code, origin, dispatch, sum(shipments) AS shipments,
               sum(value_usd) AS value_usd, min(min_id) AS min_id
        FROM (SELECT exporter_id AS firm, {keys} FROM pair WHERE exporter_id IS NOT NULL
              UNION ALL
              SELECT importer_id, {keys} FROM pair
              WHERE importer_id IS NOT NULL AND (exporter_id IS NULL OR importer_id <> exporter_id))
              AS sides
        GROUP BY 1, 2, 3, 4, 5"""


def _row_groups(renamed: dict[int, RowTest], joins: str, scope: str) -> tuple[str, list[str]]:
    """A CTE ``hit`` of the rows any of ``renamed`` picks (one scan), and per test the SQL of
    its groups ``(t, ex, im, detail, n, v, lo)`` by dataset, firm pair and detail."""
    cols = ", ".join(
        f"CASE WHEN ({t.where}) THEN {t.detail} END AS d{i}" for i, t in renamed.items()
    )
    any_hit = " OR ".join(f"({t.where})" for t in renamed.values())
    cte = f"""hit AS MATERIALIZED (
            SELECT s.id AS id, s.dataset_id AS ds, s.exporter_id AS ex, s.importer_id AS im,
                   s.value_usd AS v, {cols}
            FROM shipment s {joins} WHERE {scope} AND ({any_hit}))"""
    groups = [
        f"""SELECT {i} AS t, ex, im, d{i} AS detail, count(*) AS n, sum(v) AS v, min(id) AS lo
            FROM hit WHERE d{i} IS NOT NULL GROUP BY ds, ex, im, d{i}"""
        for i in renamed
    ]
    return cte, groups


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
    stored: dict[str, tuple[str, str]] | None = None,
) -> dict[str, list[FlaggedFirm]]:
    """Per test, firm (as exporter or importer) and detail: the rows the test picks.

    Tests over codes and countries (``RowTest.trade``) read the trade rollup, summed per firm,
    code and route, for the whole case; tests in ``stored`` (test name -> (stored name,
    version)) read their groups by dataset, firm pair and detail; the rest scan the rows once
    for all of them into such groups. Per firm the groups are summed in SQL, so the result
    grows with the firms, not the rows. A firm's sample: the first row (lowest id) of each of
    its groups, at most ``sample`` of them, lowest first.
    """
    if not tests:
        return {}
    stored = stored or {}
    renamed, params, ctes, joins = _prepare(session, tests, case_id)
    names = list(renamed)
    trade, kept, by_rows = [], [], {}
    for i, (name, t) in enumerate(renamed.items()):
        if t.trade:
            trade.append(
                f"SELECT {i}, s.firm, CAST(NULL AS INTEGER), {t.detail}, s.shipments, s.value_usd, s.min_id"
                f" FROM trade s WHERE {t.where}"
            )
        elif name in stored:
            params[f"s{i}test"], params[f"s{i}version"] = stored[name]
            kept.append(
                f"SELECT {i}, exporter_id, importer_id, detail, shipments, value_usd, min_id"
                f" FROM rowtestrollup WHERE case_id = :case_id AND test = :s{i}test"
                f" AND version = :s{i}version AND detail IS NOT NULL"
            )
        else:
            by_rows[i] = t
    params["sample"] = sample
    rows: list[tuple] = []
    if trade:  # each source on its own: smaller sorts than all of them at once
        source = f"trade AS MATERIALIZED ({_trade_firms(lens, case_id, params)})"
        rows += _run(session, _per_firm_sql([source], trade), params)
    if kept:
        rows += _run(session, _per_firm_sql([], kept), params)
    if by_rows:
        scope, scope_params = _scope(lens, case_id)
        params.update(scope_params)
        hit, groups = _row_groups(by_rows, joins, scope)
        rows += _run(
            session, _per_firm_sql([ctes.rstrip(","), hit] if ctes else [hit], groups), params
        )
    return _per_firm(rows, names)


def _per_firm_sql(ctes: list[str], groups: list[str]) -> str:
    """Totals per test, firm and detail (kind ``n``) and each firm's sample ids (kind ``s``) of
    groups ``(t, exporter, importer, detail, shipments, value_usd, min id)``."""
    return f"""
        WITH {"".join(c + "," for c in ctes)}
        g(t, ex, im, detail, n, v, lo) AS MATERIALIZED ({" UNION ALL ".join(groups)}),
        side AS MATERIALIZED (
            SELECT t, ex AS firm, detail, n, v, lo FROM g WHERE ex IS NOT NULL
            UNION ALL
            SELECT t, im, detail, n, v, lo FROM g WHERE im IS NOT NULL AND (ex IS NULL OR im <> ex))
        SELECT 'n', t, firm, detail, sum(n), sum(v) FROM side GROUP BY t, firm, detail
        UNION ALL
        SELECT 's', t, firm, NULL, lo, NULL FROM (
            SELECT t, firm, lo, row_number() OVER (PARTITION BY t, firm ORDER BY lo) AS rn
            FROM side) AS ranked WHERE rn <= :sample"""


def _per_firm(rows: list[tuple], names: list[str]) -> dict[str, list[FlaggedFirm]]:
    """FlaggedFirm per (test, firm, detail); each carries its firm's sample for the test."""
    samples: dict[tuple[int, int], list[int]] = {}
    totals = []
    for kind, t, firm, detail, n, v in rows:
        if kind == "s":  # n is a sample row's id
            samples.setdefault((t, firm), []).append(n)
        else:
            totals.append((t, firm, detail, int(n), v))  # a server sums to Decimal
    for ids in samples.values():
        ids.sort()
    out: dict[str, list[FlaggedFirm]] = {name: [] for name in names}
    for t, firm, detail, n, v in totals:
        out[names[t]].append(FlaggedFirm(firm, detail, n, v, samples.get((t, firm), [])))
    return out


def row_test_groups(
    session: Session, *, case_id: int, test: RowTest, dataset_id: int
) -> list[tuple]:
    """Rows ``(detail, exporter id, importer id, shipments, value_usd, min id)`` of the
    rows ``test`` picks in one dataset, by firm pair and detail (stored by ``store.rollups``)."""
    renamed, params, ctes, joins = _prepare(session, {"t": test}, case_id)
    scope, scope_params = _scope(None, case_id)
    params.update(scope_params, dataset_id=dataset_id)
    hit, (groups,) = _row_groups(
        {0: renamed["t"]}, joins, scope + " AND s.dataset_id = :dataset_id"
    )
    sql = f"""WITH {ctes} {hit}
        SELECT detail, ex, im, n, v, lo FROM ({groups}) AS g"""
    return _run(session, sql, params)


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
    """Monthly activity: rows ``(kind, key, month, value_usd, shipments, first date, min id,
    max id)``. Kind ``f`` keys a firm (as exporter or importer; a firm on both sides of a
    shipment counts it once), kind ``o`` an origin country, kind ``s`` gives only the first
    date of all. Undated rows have month None. Read from the rollups (``store.rollups``) for
    the whole case; from the rows in the lens otherwise (the rollups keep firms and countries
    apart, a lens may need both)."""
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
    measures = "month, value_usd, shipments, first_date, min_id, max_id"
    # Two queries, not a UNION: a firm id and a country code share no column type on a server.
    firms = f"""
        WITH party AS MATERIALIZED {party}
        SELECT 'f', firm, month, {totals}
        FROM (SELECT exporter_id AS firm, {measures} FROM party WHERE exporter_id IS NOT NULL
              UNION ALL
              SELECT importer_id, {measures} FROM party
              WHERE importer_id IS NOT NULL AND (exporter_id IS NULL OR importer_id <> exporter_id))
              AS sides
        GROUP BY 2, 3
        UNION ALL
        SELECT 's', NULL, NULL, NULL, NULL, min(first_date), NULL, NULL FROM party"""
    origins = f"""
        SELECT 'o', origin, month, {totals}
        FROM {country} AS country
        WHERE origin IS NOT NULL AND origin <> 'XX' AND month IS NOT NULL
        GROUP BY 2, 3"""
    return _run(session, firms, params) + _run(session, origins, params)


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
    conn = raw_connection(session)
    out: dict[int, tuple[str, int]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"""SELECT s.id, d.uid, s.source_row FROM shipment s
                  JOIN dataset d ON d.id = s.dataset_id WHERE s.id IN ({", ".join("?" * len(chunk))})"""
        out.update((i, (uid, row)) for i, uid, row in conn.execute(sql, chunk))
    return out
