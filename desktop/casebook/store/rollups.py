"""Rollups: each dataset's shipments summed by month and countries/code, by month and firms, and
by firm pair, code and route.

Charts, ``stats`` and red flags of a case with a million shipments read these few thousand
groups instead of every row (``store.stats`` picks them when the request allows it). They are
kept in step with the ``shipment`` table inside the same transaction by every writer:

- an import or an opened bundle builds the new dataset's groups (``build_dataset``);
- deleting a dataset deletes its groups (``drop_dataset``);
- merging firms repoints the firm groups (``merge_firms``); a split rebuilds the firm groups of
  the datasets it touches (``rebuild_firms``).

Each dataset's shipments summed per firm and side (``firmrollup``) are made from its firm groups
by month and pair (``partyrollup``) wherever those are made, so the two always agree.

Groups keep the stored values as they are (``origin`` may be NULL), so the query expressions of
``store.stats`` mean the same on rows and on groups. ``problems`` compares them with the rows
(``casebook verify``); ``rebuild_all`` makes them anew.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlmodel import Session

from casebook.store.backend import is_server
from casebook.store.engine import raw_connection
from casebook.store.sqlite import BATCH, ensure_ln

#: The keys of a trade group over ``shipment`` (``store.redflags`` groups a lens's rows so).
TRADE_EXPRS = "exporter_id, importer_id, hs6, substr(hs_code, 1, 8), origin, dispatch"
#: The measures of a group, in the order of the ``_Totals`` columns.
TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)
#: The measures of a table whose groups keep fewer than ``TOTALS``, and their SQL: the trade
#: groups keep what the red flags read (as many groups as shipments when an extract pairs its
#: firms at random, so each measure kept costs about a byte or more per shipment).
_MEASURES = {"traderollup": ("shipments, value_usd, min_id", "count(*), sum(value_usd), min(id)")}
_TABLES = {
    "shipmentrollup": (
        "month, origin, dispatch, destination, hs6, hs_head",
        "substr(date, 1, 7), origin, dispatch, destination, hs6, substr(hs_code, 1, 6)",
    ),
    "partyrollup": (
        "month, exporter_id, importer_id",
        "substr(date, 1, 7), exporter_id, importer_id",
    ),
    "traderollup": (
        "exporter_id, importer_id, hs6, cn8, origin, dispatch",
        TRADE_EXPRS,
    ),
}
#: Tables whose groups name firms (merges repoint them, splits rebuild them; ``firmrollup``
#: follows ``partyrollup``).
_FIRM_TABLES = ("partyrollup", "traderollup")
#: The sides a firm takes in a shipment: ``firmrollup.role`` and the shipment's column.
_SIDES = (("exporter", "exporter_id"), ("importer", "importer_id"))


def _build_firms(conn, where: str, params: tuple) -> None:
    """The per-firm totals of the datasets matching ``where``, summed from their firm groups by
    month and pair (far fewer than the rows on a real extract, and never more)."""
    for role, column in _SIDES:
        conn.execute(
            "INSERT INTO firmrollup (case_id, dataset_id, firm_id, role, shipments, value_usd) "
            f"SELECT case_id, dataset_id, {column}, '{role}', sum(shipments), sum(value_usd) "
            f"FROM partyrollup WHERE {where} AND {column} IS NOT NULL GROUP BY 1, 2, 3",
            params,
        )


#: Unit values are binned on a log scale, 50 bins per factor e (about 2% wide).
LOG_BINS = 50
#: The log bin of a shipment's USD per kg (rows with a value and a weight).
UNIT_BIN = f"CAST(round(ln(value_usd / net_weight) * {LOG_BINS}) AS INTEGER)"
PRICED = "hs6 IS NOT NULL AND value_usd > 0 AND net_weight > 0"


def _build_unit_values(conn, where: str, params: tuple, one: tuple | None = None) -> None:
    ensure_ln(conn)
    head, keys = _head(one)
    conn.execute(
        "INSERT INTO unitvaluerollup (case_id, dataset_id, hs6, bin, shipments) "
        f"SELECT {head}, hs6, {UNIT_BIN}, count(*) FROM shipment "
        f"WHERE {where} AND {PRICED} GROUP BY {keys}3, 4",
        (*(one or ()), *params),
    )


def measures(table: str) -> list[str]:
    """The names of the measures ``table``'s groups keep (``TOTALS``, or fewer)."""
    return _MEASURES.get(table, (TOTALS, _SUMS))[0].split(", ")


def _build(conn, table: str, where: str, params: tuple, one: tuple | None = None) -> None:
    columns, exprs = _TABLES[table]
    totals, sums = _MEASURES.get(table, (TOTALS, _SUMS))
    head, keys = _head(one)
    groups = ", ".join(str(i) for i in range(3, 3 + len(columns.split(","))))
    conn.execute(
        f"INSERT INTO {table} (case_id, dataset_id, {columns}, {totals}) "
        f"SELECT {head}, {exprs}, {sums} FROM shipment WHERE {where} "
        f"GROUP BY {keys}{groups}",
        (*(one or ()), *params),
    )


def _head(one: tuple | None) -> tuple[str, str]:
    """The case and dataset of each group, and the keys before the table's own: for rows of
    ``one`` (case id, dataset id) on SQLite, bound values outside the sort (its GROUP BY sorts
    every row, and two keys fewer took 10-20 % less CPU)."""
    return ("?, ?", "") if one else ("case_id, dataset_id", "1, 2, ")


def build_dataset(session: Session, *, dataset_id: int, tables: Iterable[str] = _TABLES) -> None:
    """(Re)build a dataset's groups from its shipments."""
    conn = raw_connection(session)
    for table in tables:
        conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))
        _build(conn, table, "dataset_id = ?", (dataset_id,))
    if "partyrollup" in tables:
        conn.execute("DELETE FROM firmrollup WHERE dataset_id = ?", (dataset_id,))
        _build_firms(conn, "dataset_id = ?", (dataset_id,))
    if tables is _TABLES:
        conn.execute("DELETE FROM unitvaluerollup WHERE dataset_id = ?", (dataset_id,))
        _build_unit_values(conn, "dataset_id = ?", (dataset_id,))


#: The key columns of each table's groups, as the names of ``build_from_columns``'s columns.
_KEYS = {
    "shipmentrollup": ("month", "origin", "dispatch", "destination", "hs6", "hs_head"),
    "partyrollup": ("month", "exporter_id", "importer_id"),
}


def build_from_columns(
    session: Session, *, case_id: int, dataset_id: int, columns: dict, first_id: int
) -> None:
    """Insert the groups of a dataset just inserted, summed from its columns in memory.

    ``columns`` hold the rows with ids ``first_id``, ``first_id + 1``, … in order: ``date``,
    ``hs_code``, ``origin``, ``dispatch``, ``destination``, ``hs6`` (object arrays, None for
    NULL), ``exporter_id``, ``importer_id`` (integers, -1 for NULL), ``value_usd`` and
    ``net_weight`` (floats, NaN for NULL). The groups and totals are those ``build_dataset``
    makes from the stored rows, without reading a million rows back to sort them.
    """
    if is_server(session):  # the same groups, summed so too and sent by COPY
        from casebook.store import server_rollups

        server_rollups.build_from_columns(
            session, case_id=case_id, dataset_id=dataset_id, columns=columns, first_id=first_id
        )
        return
    import numpy as np

    count = len(columns["date"])
    keys = {
        **columns,
        "month": _prefixes(columns["date"], 7),
        "hs_head": _prefixes(columns["hs_code"], 6),
    }
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    conn = raw_connection(session)
    for table, names in _KEYS.items():
        group, first = _groups([keys[n] for n in names])
        values = [keys[n][first] for n in names] + _sums(group, len(first), columns, ids)
        sql = (  # the case and dataset as numbers in the SQL: a tuple less to make per group
            f"INSERT INTO {table} (case_id, dataset_id, {', '.join(names)}, {TOTALS}) "
            f"VALUES ({int(case_id)}, {int(dataset_id)}, {', '.join('?' * len(values))})"
        )
        values = [_nulls(v) for v in values]
        for start in range(0, len(first), BATCH):  # Python values for one batch at a time
            part = [v[start : start + BATCH].tolist() for v in values]
            conn.executemany(sql, zip(*part, strict=True))
    conn.executemany(
        "INSERT INTO firmrollup (case_id, dataset_id, firm_id, role, shipments, value_usd) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (case_id, dataset_id, *group)
            for role, column in _SIDES
            for group in _firm_sums(role, columns[column], columns["value_usd"])
        ],
    )
    one = (case_id, dataset_id)
    for table in _TABLES.keys() - _KEYS.keys():  # the flags' groups, made by SQL from the rows
        _build(conn, table, "dataset_id = ?", (dataset_id,), one)
    conn.executemany(
        "INSERT INTO unitvaluerollup (case_id, dataset_id, hs6, bin, shipments) "
        "VALUES (?, ?, ?, ?, ?)",
        [(*one, *group) for group in _unit_bins(columns)],
    )


def _unit_bins(columns: dict) -> list[tuple]:
    """(HS6, log bin, shipments) of the priced rows, as ``_build_unit_values`` groups them in
    SQL (2 s of sorting a million rows there; these are a few thousand groups): the same
    ``ln`` (the C library's, through ``math.log``, as SQLite's or ``ensure_ln``'s) and
    SQLite's ``round``, half away from zero."""
    import math

    import numpy as np
    import pandas as pd

    values, weights, codes = columns["value_usd"], columns["net_weight"], columns["hs6"]
    with np.errstate(invalid="ignore"):  # NaN compares False: rows without a value or weight
        priced = (values > 0) & (weights > 0) & pd.notna(codes)
    if not priced.any():
        return []
    ratios = (values[priced] / weights[priced]).tolist()
    scaled = np.fromiter(map(math.log, ratios), dtype=np.float64, count=len(ratios)) * LOG_BINS
    bins = (np.sign(scaled) * np.trunc(np.abs(scaled) + 0.5)).astype(np.int64)
    hs6, names = pd.factorize(codes[priced], sort=True)
    low, span = bins.min(), bins.max() - bins.min() + 1
    keys, counts = np.unique(hs6 * span + (bins - low), return_counts=True)
    return list(
        zip(
            names[keys // span].tolist(),
            (keys % span + low).tolist(),
            counts.tolist(),
            strict=True,
        )
    )


def _firm_sums(role: str, firms, values) -> list[tuple]:
    """(firm id, role, shipments, USD value or None) of each firm of one side (``-1``: none)."""
    import numpy as np
    import pandas as pd

    known = firms >= 0
    codes, uniques = pd.factorize(firms[known])
    values = values[known]
    valued = ~np.isnan(values)
    count = np.bincount(codes, minlength=len(uniques))
    total = np.bincount(codes, weights=np.where(valued, values, 0.0), minlength=len(uniques))
    priced = np.bincount(codes, weights=valued, minlength=len(uniques))
    return [
        (fid, role, n, v if p else None)
        for fid, n, v, p in zip(
            uniques.tolist(), count.tolist(), total.tolist(), priced.tolist(), strict=True
        )
    ]


def _prefixes(column, length: int):
    """``substr(value, 1, length)`` of each value (None stays None), once per distinct value."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(column)
    cut = np.asarray([*(v[:length] for v in uniques.tolist()), None], dtype=object)
    return cut[codes]


def _groups(keys: list) -> tuple:
    """Each row's group number and each group's first row, for rows keyed by ``keys``."""
    import numpy as np
    import pandas as pd

    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for column in keys:  # factorised again at each key, so the product never overflows
        codes, uniques = pd.factorize(column)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes + 1)
    _, first, group = np.unique(combined, return_index=True, return_inverse=True)
    return group.ravel(), first


def _sums(group, groups: int, columns: dict, ids) -> list:
    """The ``TOTALS`` of each group, as SQL's ``_SUMS`` would give them."""
    import numpy as np
    import pandas as pd

    totals = [np.bincount(group, minlength=groups)]
    for name in ("value_usd", "net_weight"):
        values = columns[name]
        known = ~np.isnan(values)
        total = np.bincount(group, weights=np.where(known, values, 0.0), minlength=groups)
        n = np.bincount(group, weights=known, minlength=groups).astype(np.int64)
        totals += [np.where(n > 0, total, np.nan), n]
    codes, dates = pd.factorize(columns["date"], sort=True)
    earliest = np.full(groups, len(dates), dtype=np.int64)
    dated = codes >= 0
    np.minimum.at(earliest, group[dated], codes[dated])
    first_date = np.asarray([*dates.tolist(), None], dtype=object)[earliest]
    low, high = np.full(groups, ids.max(initial=0) + 1), np.zeros(groups, dtype=np.int64)
    np.minimum.at(low, group, ids)
    np.maximum.at(high, group, ids)
    return [*totals, first_date, low, high]


def _nulls(column):
    """A column with NULL where SQL wants it: NaN, and the -1 of an absent firm, as None."""
    import numpy as np

    if column.dtype.kind == "f":
        return np.where(np.isnan(column), None, column)
    if column.dtype.kind == "i" and (column < 0).any():
        return np.where(column < 0, None, column)
    return column


def drop_dataset(session: Session, *, dataset_id: int) -> None:
    """Forget a dataset's groups (before its shipments and the dataset go)."""
    conn = raw_connection(session)
    for table in (*_TABLES, "firmrollup", "unitvaluerollup", "rowtestrollup"):
        conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))


# --- row tests (red flags over descriptions, which need Casebook's matchers) ----------------


def untested_datasets(session: Session, *, case_id: int, test: str, version: str) -> list[int]:
    """The case's shipment datasets without totals of this version of ``test``."""
    sql = (
        "SELECT d.id FROM dataset d WHERE d.case_id = ? AND d.kind = 'shipments' AND NOT EXISTS "
        "(SELECT 1 FROM rowtestrollup r WHERE r.dataset_id = d.id AND r.test = ? "
        "AND r.version = ? AND r.detail IS NULL) ORDER BY d.id"
    )
    return [i for (i,) in raw_connection(session).execute(sql, (case_id, test, version))]


def build_row_test(
    session: Session, *, case_id: int, dataset_id: int, test: str, version: str, row_test
) -> None:
    """Store a dataset's groups by detail and firm pair of ``row_test`` (a ``redflags.RowTest``)."""
    from casebook.store.redflags import row_test_groups

    groups = row_test_groups(session, case_id=case_id, test=row_test, dataset_id=dataset_id)
    conn = raw_connection(session)
    conn.execute("DELETE FROM rowtestrollup WHERE dataset_id = ? AND test = ?", (dataset_id, test))
    conn.executemany(
        "INSERT INTO rowtestrollup (case_id, dataset_id, test, version, detail, exporter_id, "
        "importer_id, shipments, value_usd, min_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (case_id, dataset_id, test, version, *g)
            for g in [(None,) * 3 + (0, None, None), *groups]
        ],
    )


def row_test_totals(
    session: Session, *, case_id: int, test: str, version: str
) -> list[tuple] | None:
    """Rows ``(detail, shipments, value_usd)`` of the case, or None while a dataset lacks them."""
    if untested_datasets(session, case_id=case_id, test=test, version=version):
        return None
    sql = (
        "SELECT detail, sum(shipments), sum(value_usd) FROM rowtestrollup WHERE case_id = ? "
        "AND test = ? AND version = ? AND detail IS NOT NULL GROUP BY detail"
    )
    return list(raw_connection(session).execute(sql, (case_id, test, version)))


def merge_firms(session: Session, *, keep_id: int, other_id: int) -> None:
    """The firm groups of ``other`` now count for ``keep`` (as the merge did to shipments)."""
    conn = raw_connection(session)
    for table in (*_FIRM_TABLES, "rowtestrollup"):
        for column in ("exporter_id", "importer_id"):
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (keep_id, other_id))
    # Both firms' totals of a dataset and side become one row of ``keep``'s.
    merged = conn.execute(
        "SELECT case_id, dataset_id, role, sum(shipments), sum(value_usd) FROM firmrollup "
        "WHERE firm_id IN (?, ?) GROUP BY case_id, dataset_id, role",
        (keep_id, other_id),
    ).fetchall()
    conn.execute("DELETE FROM firmrollup WHERE firm_id IN (?, ?)", (keep_id, other_id))
    conn.executemany(
        "INSERT INTO firmrollup (case_id, dataset_id, firm_id, role, shipments, value_usd) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(case, dataset, keep_id, role, n, v) for case, dataset, role, n, v in merged],
    )


def rebuild_firms(session: Session, *, firm_ids: Iterable[int]) -> None:
    """Rebuild the firm groups of every dataset with a shipment of these firms."""
    conn = raw_connection(session)
    ids = sorted(set(firm_ids))
    marks = ", ".join("?" * len(ids))
    datasets = {
        d
        for column in ("exporter_id", "importer_id")
        for (d,) in conn.execute(
            f"SELECT DISTINCT dataset_id FROM partyrollup WHERE {column} IN ({marks})", ids
        )
    }
    for dataset_id in sorted(datasets):
        build_dataset(session, dataset_id=dataset_id, tables=_FIRM_TABLES)
        conn.execute("DELETE FROM rowtestrollup WHERE dataset_id = ?", (dataset_id,))


def firm_totals(session: Session, *, case_id: int | None = None) -> dict[int, tuple[int, float]]:
    """{firm id: (shipments as exporter or importer, their USD value)} in a case or overall,
    from the per-firm totals: a few thousand rows where the shipments are a million (a shipment
    a firm sends to itself counts on both sides, as the rows' sum over both sides counts it)."""
    where = "WHERE case_id = ?" if case_id is not None else ""
    args = (case_id,) if case_id is not None else ()
    cursor = raw_connection(session).execute(
        "SELECT firm_id, sum(shipments), coalesce(sum(value_usd), 0.0) FROM firmrollup "
        f"{where} GROUP BY firm_id",
        args,
    )
    return {fid: (int(n), float(v)) for fid, n, v in cursor}


def firm_months(session: Session, *, case_id: int) -> list[tuple]:
    """(firm id, month, shipments, USD value) of every firm of the case as either party, of
    its dated shipments, from the firm groups."""
    cursor = raw_connection(session).execute(
        "SELECT fid, month, sum(n), coalesce(sum(v), 0.0) FROM ("
        "SELECT exporter_id AS fid, month, shipments AS n, value_usd AS v FROM partyrollup "
        "WHERE case_id = ? UNION ALL "
        "SELECT importer_id, month, shipments, value_usd FROM partyrollup WHERE case_id = ?"
        ") AS parties WHERE fid IS NOT NULL AND month IS NOT NULL "
        "GROUP BY fid, month ORDER BY fid, month",
        (case_id, case_id),
    )
    return [(fid, month, int(n), float(v)) for fid, month, n, v in cursor]


def rebuild_all(session: Session) -> None:
    """Make every group anew from the shipments."""
    conn = raw_connection(session)
    conn.execute("DELETE FROM rowtestrollup")  # made again by ``analysis.flags.store_row_tests``
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table}")
        _build(conn, table, "1 = 1", ())
    conn.execute("DELETE FROM firmrollup")
    _build_firms(conn, "1 = 1", ())
    conn.execute("DELETE FROM unitvaluerollup")
    _build_unit_values(conn, "1 = 1", ())


def problems(session: Session) -> list[dict]:
    """Datasets whose groups disagree with their shipments: ``{"table", "dataset_id"}`` each.

    Compared per dataset: the row count, the USD value, and (firm groups) the sums of firm ids.
    """
    conn = raw_connection(session)
    firms = "coalesce(sum(exporter_id), 0.0), coalesce(sum(importer_id), 0.0)"
    # and each side's shipments and USD value, for the per-firm totals (one pass over the rows)
    sides = (
        "count(exporter_id) + count(importer_id), "
        "coalesce(sum(CASE WHEN exporter_id IS NOT NULL THEN value_usd END), 0.0) "
        "+ coalesce(sum(CASE WHEN importer_id IS NOT NULL THEN value_usd END), 0.0)"
    )
    sums = f"count(*), coalesce(sum(value_usd), 0.0), {firms}, {sides}"
    rows = _per_dataset(conn, "shipment", sums)
    none = (0, 0.0, 0, 0, 0, 0.0)
    found = []
    for table in _TABLES:
        party = table in _FIRM_TABLES
        firms = "coalesce(sum(exporter_id * shipments), 0.0), coalesce(sum(importer_id * shipments), 0.0)"
        have = _per_dataset(
            conn,
            table,
            f"sum(shipments), coalesce(sum(value_usd), 0.0), {firms if party else '0, 0'}",
        )
        for dataset_id in sorted(set(rows) | set(have)):
            want, got = rows.get(dataset_id, none)[:4], have.get(dataset_id, none[:4])
            if not party:
                want, got = want[:2], got[:2]
            same = want[0] == got[0] and math.isclose(want[1], got[1], rel_tol=1e-9, abs_tol=0.005)
            if not same or want[2:] != got[2:]:
                found.append({"table": table, "dataset_id": dataset_id})
    # Per-firm totals: the shipments and value of both sides, and the firm ids weighted.
    have = _per_dataset(
        conn,
        "firmrollup",
        "sum(shipments), coalesce(sum(value_usd), 0.0), "
        "coalesce(sum(CAST(firm_id AS BIGINT) * shipments), 0)",
    )
    for dataset_id in sorted(set(rows) | set(have)):
        want, got = rows.get(dataset_id, none), have.get(dataset_id, (0, 0.0, 0))
        same = math.isclose(want[5], got[1], rel_tol=1e-9, abs_tol=0.005)
        if not same or want[4] != got[0] or want[2] + want[3] != got[2]:
            found.append({"table": "firmrollup", "dataset_id": dataset_id})
    return found


def _per_dataset(conn, table: str, sums: str) -> dict[int, tuple]:
    sql = f"SELECT dataset_id, {sums} FROM {table} GROUP BY dataset_id"
    return {row[0]: tuple(row[1:]) for row in conn.execute(sql)}


def unit_value_histogram(session: Session, *, case_id: int) -> list[tuple]:
    """Rows ``(hs6, log bin, shipments)`` of the case's priced shipments, from the groups."""
    sql = "SELECT hs6, bin, sum(shipments) FROM unitvaluerollup WHERE case_id = ? GROUP BY hs6, bin"
    return list(raw_connection(session).execute(sql, (case_id,)))
