"""The queries behind red flags: rows a test picks, per firm, and firms' monthly activity.

Built for a million shipments: each dataset's groups of every row-level test (per detail and
firm pair) are stored once, at import (``store.rollups``), and read from there; the datasets
without groups of a test's current version are scanned once for all tests together (each test
a ``CASE`` column). The monthly activity of firms and countries and the unit-value histogram
come from the rollups too. Results are small: counts, sums and a few row ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from casebook.store import rollups
from casebook.store.engine import raw_connection
from casebook.store.stats import DATE_END, _hs_clause, _Params

_PARAM = re.compile(r":(p\d+)\b")


def _fetch(session: Session, sql: str, params: dict) -> list[tuple]:
    """Rows straight from sqlite3: red flags read up to a few hundred thousand small groups,
    which SQLAlchemy's row objects would make several times slower."""
    return raw_connection(session).execute(sql, params).fetchall()


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
    answer. The matcher runs inside SQLite on candidate rows only."""
    params = _Params()
    where = [f"s.origin = {params.add(origin)}", "s.description IS NOT NULL"]
    if hs:
        where.append(_hs_clause("s.hs_code", hs, params))
    return RowTest(
        " AND ".join(where), "cb_match(s.description)", dict(params), function=("cb_match", matcher)
    )


LOG_BINS = rollups.LOG_BINS


def unit_value_histogram(session: Session, *, case_id: int) -> list[tuple]:
    """Rows ``(hs6, log bin, rows)`` of USD per kg, for medians without sorting every row."""
    sql = """SELECT hs6, bin, sum(shipments) FROM unitvaluerollup WHERE case_id = :case_id
             GROUP BY 1, 2"""
    return _fetch(session, sql, {"case_id": case_id})


def unit_value_outliers(*, medians: dict[str, float], factor: float) -> RowTest:
    """Rows whose USD per kg is over ``factor`` times, or under 1/``factor`` of, the median of
    their HS6 (``medians``); detail: ``hs6|high|median``."""
    params = _Params()
    if not medians:
        return RowTest("0", "NULL")
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
        if test.function:
            fname, fn = test.function
            raw_connection(session).create_function(fname, 1, fn, deterministic=True)
    ctes = ",".join(t.ctes for t in renamed.values() if t.ctes)
    joins = " ".join(dict.fromkeys(t.join for t in renamed.values() if t.join))
    return renamed, params, (ctes + ",") if ctes else "", joins


def _scan(
    session: Session,
    case_id: int,
    tests: dict[str, RowTest],
    scopes: dict,
    keys: str,
    numbers: Sequence[int] | None = None,
) -> tuple[str, str, dict]:
    """``(ctes, select, params)``: one scan of the case's shipments grouping the rows each test
    picks by test number ``t`` (``numbers``, else its position), ``keys`` and ``detail`` into
    ``n, v, lo, hi`` (rows, USD value, lowest and highest id). ``scopes[name]`` limits a test
    to some datasets."""
    renamed, params, ctes, joins = _prepare(session, tests, case_id)

    def scoped(name: str) -> str:
        ids = scopes.get(name)
        return "" if ids is None else f"s.dataset_id IN ({', '.join(map(str, ids))}) AND "

    cols = ", ".join(
        f"CASE WHEN {scoped(n)}({t.where}) THEN {t.detail} END AS d{i}"
        for i, (n, t) in enumerate(renamed.items())
    )
    any_hit = " OR ".join(f"d{i} IS NOT NULL" for i in range(len(renamed)))
    where = "s.case_id = :case_id"
    if all(scopes.get(n) is not None for n in renamed):
        ids = sorted({i for n in renamed for i in scopes[n]})
        where += f" AND s.dataset_id IN ({', '.join(map(str, ids))})"
    numbers = range(len(renamed)) if numbers is None else numbers
    branches = " UNION ALL ".join(
        f"SELECT {t} AS t, {keys}, d{i} AS detail, id, v FROM hit WHERE d{i} IS NOT NULL"
        for i, t in enumerate(numbers)
    )
    ctes += f"""
        hit AS MATERIALIZED (
            SELECT * FROM (
                SELECT s.id AS id, s.exporter_id AS ex, s.importer_id AS im,
                       s.exporter_orig_id AS exo, s.importer_orig_id AS imo, s.value_usd AS v,
                       {cols}
                FROM shipment s {joins} WHERE {where})
            WHERE {any_hit})"""
    select = f"""SELECT t, {keys}, detail, count(*) AS n, sum(v) AS v, min(id) AS lo,
                        max(id) AS hi
                 FROM ({branches}) GROUP BY t, {keys}, detail"""
    return ctes, select, params


def flagged_firms(
    session: Session,
    *,
    case_id: int,
    tests: dict[str, RowTest],
    versions: dict[str, str] | None = None,
    sample: int = 20,
) -> dict[str, list[FlaggedFirm]]:
    """Per test, firm (as exporter or importer) and detail: the rows the test picks.

    A test with a version in ``versions`` is read from its stored groups (``store.rollups``),
    and only the datasets without groups of that version are scanned; the others scan every
    row. The scanned tests share one scan; all is grouped once by (test, exporter, importer,
    detail), and the split per firm happens here, on small data. The sample ids are the first
    and last row of each group, at most ``sample`` per firm.
    """
    if not tests:
        return {}
    versions = versions or {}
    names = list(tests)
    scopes = {
        name: rollups.untested_datasets(session, case_id=case_id, test=name, version=version)
        for name, version in versions.items()
        if name in tests
    }
    scanned = {n: t for n, t in tests.items() if scopes.get(n, True)}
    parts, params, ctes = [], {"case_id": case_id}, ""
    if scanned:
        numbers = [names.index(n) for n in scanned]
        ctes, select, params = _scan(session, case_id, scanned, scopes, "ex, im", numbers)
        ctes = f"WITH {ctes}"
        parts.append(select)
    for i, name in enumerate(scopes):
        params.update({f"sn{i}": name, f"sv{i}": versions[name]})
        parts.append(
            f"SELECT {names.index(name)} AS t, exporter_id AS ex, importer_id AS im, detail, "
            "shipments AS n, value_usd AS v, min_id AS lo, max_id AS hi FROM rowtestrollup "
            f"WHERE case_id = :case_id AND test = :sn{i} AND version = :sv{i} "
            "AND detail IS NOT NULL"
        )
    sql = f"""{ctes}
        SELECT t, ex, im, detail, sum(n), sum(v), min(lo), max(hi)
        FROM ({" UNION ALL ".join(parts)}) GROUP BY t, ex, im, detail"""
    return _split_by_firm(_fetch(session, sql, params), names, sample)


def row_test_groups(
    session: Session, *, case_id: int, dataset_id: int, tests: dict[str, RowTest]
) -> list[tuple]:
    """A dataset's rows ``(test, detail, exporter id, importer id, rows, USD value, lowest id,
    highest id)`` picked by each test, in one scan, for ``store.rollups`` to store.

    Grouped by the original firms too (``exporter_orig_id``, ``importer_orig_id``): a firm split
    moves all the shipments of a group or none."""
    names = list(tests)
    scopes = {name: [dataset_id] for name in names}
    ctes, select, params = _scan(session, case_id, tests, scopes, "ex, im, exo, imo")
    rows = _fetch(session, f"WITH {ctes} {select}", params)
    return [
        (names[t], detail, ex, im, n, v, lo, hi) for t, ex, im, _, _, detail, n, v, lo, hi in rows
    ]


def _split_by_firm(rows: list[tuple], names: list[str], sample: int) -> dict[str, list]:
    acc: dict[tuple, list] = {}
    get = acc.get
    for t, ex, im, detail, n, v, lo, hi in rows:
        for firm in (ex,) if ex == im else (ex, im):
            if firm is None:
                continue
            cell = get((t, firm, detail))
            if cell is None:
                acc[t, firm, detail] = [n, v, {lo, hi}]
            else:
                cell[0] += n
                cell[1] = v if cell[1] is None else cell[1] + (v or 0.0)
                if len(cell[2]) < sample:
                    cell[2].update((lo, hi))
    out: dict[str, list[FlaggedFirm]] = {name: [] for name in names}
    for (t, firm, detail), (n, v, ids) in acc.items():
        out[names[t]].append(FlaggedFirm(firm, detail, n, v, sorted(ids)[:sample]))
    return out


def row_test_totals(
    session: Session, *, case_id: int, test: RowTest, dataset_id: int | None = None
) -> list[tuple]:
    """Rows ``(detail, shipments, value_usd)`` of the rows ``test`` picks, each row once (of
    the case, or of one of its datasets)."""
    renamed, params, ctes, joins = _prepare(session, {"t": test}, case_id)
    t = renamed["t"]
    scope = "s.case_id = :case_id"
    if dataset_id is not None:
        scope += " AND s.dataset_id = :dataset_id"
        params["dataset_id"] = dataset_id
    sql = f"""WITH {ctes} picked AS (
            SELECT CASE WHEN ({t.where}) THEN {t.detail} END AS detail, s.value_usd AS v
            FROM shipment s {joins} WHERE {scope})
        SELECT detail, count(*), sum(v) FROM picked WHERE detail IS NOT NULL GROUP BY detail"""
    return _fetch(session, sql, params)


def activity(session: Session, *, case_id: int) -> list[tuple]:
    """Monthly activity: rows ``(kind, key, month, value_usd, shipments, first date, min id,
    max id)``. Kind ``f`` keys a firm (as exporter or importer, a shipment counted once for a
    firm that is both), kind ``o`` an origin country; the one row of kind ``s`` gives the first
    date of all. Undated rows have month None. Read from the rollups (``store.rollups``), not
    the rows."""
    totals = "sum(value_usd), sum(shipments), min(first_date), min(min_id), max(max_id)"
    columns = "month, value_usd, shipments, first_date, min_id, max_id"
    sql = f"""
        SELECT 'f', firm, month, {totals} FROM (
            SELECT exporter_id AS firm, {columns} FROM partyrollup
            WHERE case_id = :case_id AND exporter_id IS NOT NULL
            UNION ALL
            SELECT importer_id, {columns} FROM partyrollup
            WHERE case_id = :case_id AND importer_id IS NOT NULL
              AND importer_id IS NOT exporter_id)
        GROUP BY 2, 3
        UNION ALL
        SELECT 'o', origin, month, {totals}
        FROM shipmentrollup
        WHERE case_id = :case_id AND origin IS NOT NULL AND origin <> 'XX' AND month IS NOT NULL
        GROUP BY 2, 3
        UNION ALL
        SELECT 's', NULL, NULL, NULL, NULL, min(first_date), NULL, NULL
        FROM partyrollup WHERE case_id = :case_id"""
    return _fetch(session, sql, {"case_id": case_id})


def origin_month_firms(
    session: Session, *, case_id: int, origin: str, month: str, sample: int = 20
) -> list[tuple]:
    """Rows ``(firm id, value_usd, shipments, sample ids)`` of one origin in one month."""
    sql = f"""
        WITH r AS MATERIALIZED (
            SELECT s.id AS id, s.exporter_id AS ex, s.importer_id AS im, s.value_usd AS v
            FROM shipment s
            WHERE s.case_id = :case_id AND s.date >= :month AND s.date < :month || '{DATE_END}'
              AND s.origin = :origin),
        f AS (SELECT ex AS firm_id, v, id FROM r WHERE ex IS NOT NULL
              UNION ALL SELECT im, v, id FROM r WHERE im IS NOT NULL AND im IS NOT ex)
        SELECT firm_id, sum(v), count(*), group_concat(CASE WHEN rn <= :sample THEN id END)
        FROM (SELECT *, row_number() OVER (PARTITION BY firm_id ORDER BY id) AS rn FROM f)
        GROUP BY firm_id"""
    params = {"case_id": case_id, "month": month, "origin": origin, "sample": sample}
    return _fetch(session, sql, params)


def row_refs(session: Session, *, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """``{shipment id: (dataset uid, source row)}``, the ids passed as one JSON array."""
    sql = """SELECT s.id, d.uid, s.source_row FROM shipment s
             JOIN dataset d ON d.id = s.dataset_id
             WHERE s.id IN (SELECT value FROM json_each(:ids))"""
    rows = _fetch(session, sql, {"ids": json.dumps(sorted(set(ids)))})
    return {i: (uid, row) for i, uid, row in rows}
