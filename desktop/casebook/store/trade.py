"""Trade flows: bulk insert through the DB-API connection, and small queries about them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.errors import Cancelled
from casebook.store.engine import raw_connection

BATCH = 50_000
#: Columns written by an import, in order (after dataset_id and case_id).
INSERTED = (
    "source_row",
    "reporter",
    "partner",
    "flow",
    "product",
    "product_level",
    "period",
    "value",
    "currency",
)


def insert_flows(
    session: Session,
    *,
    dataset_id: int,
    case_id: int,
    rows: Iterable[tuple],
    total: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Insert rows (values in ``INSERTED`` order) in batches; returns how many."""
    conn = raw_connection(session)
    names = ("dataset_id", "case_id", *INSERTED)
    sql = f"INSERT INTO tradeflow ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    done = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        if cancelled and cancelled():
            raise Cancelled("import cancelled")
        conn.executemany(sql, [(dataset_id, case_id, *row) for row in batch])
        done += len(batch)
        if progress:
            progress(done, total)
    return done


def set_dataset_totals(session: Session, *, dataset_id: int, rows: int, content_hash: str) -> None:
    raw_connection(session).execute(
        "UPDATE dataset SET row_count = ?, content_hash = ? WHERE id = ?",
        (rows, content_hash, dataset_id),
    )


def flow_counts(session: Session, *, case_id: int) -> dict[int, int]:
    """``{dataset id: trade flows}`` of a case's datasets."""
    result = session.execute(
        text("SELECT dataset_id, count(*) FROM tradeflow WHERE case_id = :c GROUP BY dataset_id"),
        {"c": case_id},
    )
    return {row[0]: row[1] for row in result}


def dataset_mappings(session: Session, *, case_id: int) -> dict[str, dict]:
    """``{dataset uid: mapping JSON}`` of a case's datasets."""
    import json

    rows = session.execute(
        text("SELECT uid, mapping FROM dataset WHERE case_id = :c"), {"c": case_id}
    ).all()
    out = {}
    for uid, mapping in rows:
        if isinstance(mapping, str):
            try:
                mapping = json.loads(mapping)
            except ValueError:
                mapping = {}
        out[uid] = mapping or {}
    return out
