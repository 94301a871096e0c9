"""Rollups: each dataset's shipments summed by month and countries/code, by month and firms, and
by HS6 and unit value; and the rows each red-flag row test picks, per firm.

Charts, ``stats``, ``firms list`` and red flags of a case with a million shipments read these
few thousand groups instead of every row (``store.stats`` picks them when the request allows
it). They are kept in step with the ``shipment`` table inside the same transaction by every
writer:

- an import or an opened bundle builds the new dataset's groups (``build_dataset``), then the
  row tests of the case's datasets that lack them (``analysis.flags.store_row_tests``);
- deleting a dataset deletes its groups (``drop_dataset``), then the unit-value groups of the
  others, if the case's medians moved, are stored again (``store_row_tests``);
- merging firms repoints the firm groups (``merge_firms``); a split rebuilds the firm groups of
  the datasets it touches and repoints the row-test groups (``rebuild_firms``).

Groups keep the stored values as they are (``origin`` may be NULL), so the query expressions of
``store.stats`` mean the same on rows and on groups. ``problems`` compares them with the rows
(``casebook verify``); ``rebuild_all`` makes them anew.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable

from sqlmodel import Session

from casebook.store.engine import raw_connection

#: Unit values (USD per kg) are binned on a log scale, 50 bins per factor e (about 2% wide).
LOG_BINS = 50

#: The measures of a group, in the order of the ``_Totals`` columns.
TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)
#: table: (key columns, their expressions over ``shipment``, the rows it counts)
_TABLES = {
    "shipmentrollup": (
        "month, origin, dispatch, destination, hs6, hs_head",
        "substr(date, 1, 7), origin, dispatch, destination, hs6, substr(hs_code, 1, 6)",
        "1",
    ),
    "partyrollup": (
        "month, exporter_id, importer_id",
        "substr(date, 1, 7), exporter_id, importer_id",
        "1",
    ),
    "unitvaluerollup": (  # priced rows, for the median USD/kg of each HS6 (red flags)
        "hs6, bin",
        f"hs6, CAST(round(ln(value_usd / net_weight) * {LOG_BINS}) AS INTEGER)",
        "hs6 IS NOT NULL AND value_usd > 0 AND net_weight > 0",
    ),
}


def ensure_ln(conn) -> None:
    """SQLite built without math functions lacks ``ln``; supply it from Python then."""
    try:
        conn.execute("SELECT ln(2.0)")
    except sqlite3.OperationalError:
        conn.create_function("ln", 1, math.log, deterministic=True)


def _build(conn, table: str, where: str, params: tuple) -> None:
    columns, exprs, counted = _TABLES[table]
    groups = ", ".join(str(i) for i in range(3, 3 + len(columns.split(","))))
    ensure_ln(conn)
    conn.execute(
        f"INSERT INTO {table} (case_id, dataset_id, {columns}, {TOTALS}) "
        f"SELECT case_id, dataset_id, {exprs}, {_SUMS} FROM shipment WHERE ({where}) "
        f"AND {counted} GROUP BY 1, 2, {groups}",
        params,
    )


def build_dataset(session: Session, *, dataset_id: int, tables: Iterable[str] = _TABLES) -> None:
    """(Re)build a dataset's groups from its shipments (its row tests are stored apart)."""
    conn = raw_connection(session)
    for table in tables:
        conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))
        _build(conn, table, "dataset_id = ?", (dataset_id,))


def drop_dataset(session: Session, *, dataset_id: int) -> None:
    """Forget a dataset's groups (before its shipments and the dataset go)."""
    conn = raw_connection(session)
    for table in (*_TABLES, "rowtestrollup"):
        conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))


# --- row tests (red flags, some needing Casebook's matchers: built by ``analysis.flags``) ---

#: The stored groups of a row test: per dataset, detail and firm pair.
_ROW_TEST_COLUMNS = (
    "case_id, dataset_id, test, version, detail, exporter_id, importer_id, shipments, "
    "value_usd, min_id, max_id"
)


def untested_datasets(session: Session, *, case_id: int, test: str, version: str) -> list[int]:
    """The case's shipment datasets without groups of this version of ``test``."""
    sql = (
        "SELECT d.id FROM dataset d WHERE d.case_id = ? AND d.kind = 'shipments' AND NOT EXISTS "
        "(SELECT 1 FROM rowtestrollup r WHERE r.dataset_id = d.id AND r.test = ? "
        "AND r.version = ? AND r.detail IS NULL) ORDER BY d.id"
    )
    return [i for (i,) in raw_connection(session).execute(sql, (case_id, test, version))]


def save_row_tests(
    session: Session, *, case_id: int, dataset_id: int, versions: dict[str, str], groups: list
) -> None:
    """Store a dataset's groups of the row tests named in ``versions`` (``{test: version}``):
    ``groups`` as ``redflags.row_test_groups`` finds them. A row with no detail marks the
    dataset as tested with that version."""
    conn = raw_connection(session)
    marks = ", ".join("?" * len(versions))
    conn.execute(
        f"DELETE FROM rowtestrollup WHERE dataset_id = ? AND test IN ({marks})",
        (dataset_id, *versions),
    )
    rows = [
        (test, version, None, None, None, 0, None, None, None) for test, version in versions.items()
    ]
    rows += [(test, versions[test], *group) for test, *group in groups]
    conn.executemany(
        f"INSERT INTO rowtestrollup ({_ROW_TEST_COLUMNS}) VALUES (?, ?, {', '.join('?' * 9)})",
        [(case_id, dataset_id, *row) for row in rows],
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
    for table in ("partyrollup", "rowtestrollup"):
        for column in ("exporter_id", "importer_id"):
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (keep_id, other_id))


def rebuild_firms(session: Session, *, firm_ids: Iterable[int]) -> None:
    """After a split: rebuild the firm groups of every dataset with a shipment of these firms,
    and give each row-test group of these firms the firms its shipments have now.

    A row-test group holds shipments of one original exporter and importer (they were grouped
    by ``exporter_orig_id`` and ``importer_orig_id`` too), which a split moves together: the
    group's first shipment (``min_id``) names its firms."""
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
        build_dataset(session, dataset_id=dataset_id, tables=("partyrollup",))
    conn.execute(
        "UPDATE rowtestrollup SET "
        "exporter_id = (SELECT s.exporter_id FROM shipment s WHERE s.id = rowtestrollup.min_id), "
        "importer_id = (SELECT s.importer_id FROM shipment s WHERE s.id = rowtestrollup.min_id) "
        f"WHERE detail IS NOT NULL AND (exporter_id IN ({marks}) OR importer_id IN ({marks}))",
        (*ids, *ids),
    )


def rebuild_all(session: Session) -> None:
    """Make every group anew from the shipments; the row tests are dropped, for
    ``analysis.flags.store_row_tests`` to store again."""
    conn = raw_connection(session)
    conn.execute("DELETE FROM rowtestrollup")
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table}")
        _build(conn, table, "1", ())


def problems(session: Session) -> list[dict]:
    """Datasets whose groups disagree with their shipments: ``{"table", "dataset_id"}`` each.

    Compared per dataset: the row count, the USD value, and (firm groups) the sums of firm ids.
    """
    conn = raw_connection(session)
    ensure_ln(conn)
    sums = ", ".join(
        f"total({counted}), total(CASE WHEN {counted} THEN value_usd END)"
        for _columns, _exprs, counted in _TABLES.values()
    )
    rows = _per_dataset(conn, "shipment", f"{sums}, total(exporter_id), total(importer_id)")
    found = []
    for i, table in enumerate(_TABLES):
        party = table == "partyrollup"
        firms = "total(exporter_id * shipments), total(importer_id * shipments)"
        have = _per_dataset(
            conn, table, f"total(shipments), total(value_usd), {firms if party else '0, 0'}"
        )
        for dataset_id in sorted(set(rows) | set(have)):
            want = rows.get(dataset_id, (0.0,) * (2 * len(_TABLES) + 2))
            want = (*want[2 * i : 2 * i + 2], *want[-2:])
            got = have.get(dataset_id, (0.0, 0.0, 0, 0))
            if not party:
                want, got = want[:2], got[:2]
            same = want[0] == got[0] and math.isclose(want[1], got[1], rel_tol=1e-9, abs_tol=0.005)
            if not same or want[2:] != got[2:]:
                found.append({"table": table, "dataset_id": dataset_id})
    return found


def _per_dataset(conn, table: str, sums: str) -> dict[int, tuple]:
    sql = f"SELECT dataset_id, {sums} FROM {table} GROUP BY dataset_id"
    return {row[0]: tuple(row[1:]) for row in conn.execute(sql)}
