"""Rollups: each dataset's shipments summed by month and countries/code, and by month and firms.

Charts, ``stats`` and red flags of a case with a million shipments read these few thousand
groups instead of every row (``store.stats`` picks them when the request allows it). They are
kept in step with the ``shipment`` table inside the same transaction by every writer:

- an import or an opened bundle builds the new dataset's groups (``build_dataset``);
- deleting a dataset deletes its groups (``drop_dataset``);
- merging firms repoints the firm groups (``merge_firms``); a split rebuilds the firm groups of
  the datasets it touches (``rebuild_firms``).

Groups keep the stored values as they are (``origin`` may be NULL), so the query expressions of
``store.stats`` mean the same on rows and on groups. ``problems`` compares them with the rows
(``casebook verify``); ``rebuild_all`` makes them anew.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlmodel import Session

from casebook.store.engine import raw_connection

#: The measures of a group, in the order of the ``_Totals`` columns.
TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)
_TABLES = {
    "shipmentrollup": (
        "month, origin, dispatch, destination, hs6, hs_head",
        "substr(date, 1, 7), origin, dispatch, destination, hs6, substr(hs_code, 1, 6)",
    ),
    "partyrollup": (
        "month, exporter_id, importer_id",
        "substr(date, 1, 7), exporter_id, importer_id",
    ),
}


def _build(conn, table: str, where: str, params: tuple) -> None:
    columns, exprs = _TABLES[table]
    groups = ", ".join(str(i) for i in range(3, 3 + len(columns.split(","))))
    conn.execute(
        f"INSERT INTO {table} (case_id, dataset_id, {columns}, {TOTALS}) "
        f"SELECT case_id, dataset_id, {exprs}, {_SUMS} FROM shipment WHERE {where} "
        f"GROUP BY 1, 2, {groups}",
        params,
    )


def build_dataset(session: Session, *, dataset_id: int, tables: Iterable[str] = _TABLES) -> None:
    """(Re)build a dataset's groups from its shipments."""
    conn = raw_connection(session)
    for table in tables:
        conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))
        _build(conn, table, "dataset_id = ?", (dataset_id,))


def drop_dataset(session: Session, *, dataset_id: int) -> None:
    """Forget a dataset's groups (before its shipments and the dataset go)."""
    conn = raw_connection(session)
    for table in (*_TABLES, "rowtestrollup"):
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
    """Store a dataset's totals per detail of ``row_test`` (a ``redflags.RowTest``)."""
    from casebook.store.redflags import row_test_totals

    totals = row_test_totals(session, case_id=case_id, test=row_test, dataset_id=dataset_id)
    conn = raw_connection(session)
    conn.execute("DELETE FROM rowtestrollup WHERE dataset_id = ? AND test = ?", (dataset_id, test))
    conn.executemany(
        "INSERT INTO rowtestrollup (case_id, dataset_id, test, version, detail, shipments, "
        "value_usd) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(case_id, dataset_id, test, version, d, n, v) for d, n, v in [(None, 0, None), *totals]],
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
    for column in ("exporter_id", "importer_id"):
        conn.execute(f"UPDATE partyrollup SET {column} = ? WHERE {column} = ?", (keep_id, other_id))


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
        build_dataset(session, dataset_id=dataset_id, tables=("partyrollup",))


def firm_totals(session: Session, *, case_id: int | None = None) -> dict[int, tuple[int, float]]:
    """{firm id: (shipments as exporter or importer, their USD value)} in a case or overall,
    from the firm groups: a few thousand rows where the shipments are a million."""
    where = "WHERE case_id = ?" if case_id is not None else ""
    args = (case_id, case_id) if case_id is not None else ()
    cursor = raw_connection(session).execute(
        "SELECT fid, sum(n), coalesce(sum(v), 0.0) FROM ("
        f"SELECT exporter_id AS fid, shipments AS n, value_usd AS v FROM partyrollup {where} "
        f"UNION ALL SELECT importer_id, shipments, value_usd FROM partyrollup {where}"
        ") AS parties WHERE fid IS NOT NULL GROUP BY fid",
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
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table}")
        _build(conn, table, "1 = 1", ())


def problems(session: Session) -> list[dict]:
    """Datasets whose groups disagree with their shipments: ``{"table", "dataset_id"}`` each.

    Compared per dataset: the row count, the USD value, and (firm groups) the sums of firm ids.
    """
    conn = raw_connection(session)
    firms = "coalesce(sum(exporter_id), 0.0), coalesce(sum(importer_id), 0.0)"
    rows = _per_dataset(conn, "shipment", "count(*), coalesce(sum(value_usd), 0.0), " + firms)
    found = []
    for table in _TABLES:
        party = table == "partyrollup"
        firms = "coalesce(sum(exporter_id * shipments), 0.0), coalesce(sum(importer_id * shipments), 0.0)"
        have = _per_dataset(
            conn,
            table,
            f"sum(shipments), coalesce(sum(value_usd), 0.0), {firms if party else '0, 0'}",
        )
        for dataset_id in sorted(set(rows) | set(have)):
            want, got = rows.get(dataset_id, (0, 0.0, 0, 0)), have.get(dataset_id, (0, 0.0, 0, 0))
            if not party:
                want, got = want[:2], got[:2]
            same = want[0] == got[0] and math.isclose(want[1], got[1], rel_tol=1e-9, abs_tol=0.005)
            if not same or want[2:] != got[2:]:
                found.append({"table": table, "dataset_id": dataset_id})
    return found


def _per_dataset(conn, table: str, sums: str) -> dict[int, tuple]:
    sql = f"SELECT dataset_id, {sums} FROM {table} GROUP BY dataset_id"
    return {row[0]: tuple(row[1:]) for row in conn.execute(sql)}
