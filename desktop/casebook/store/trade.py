"""Trade flows: bulk insert through the DB-API connection, their content hash, and small
queries about them.

A trade dataset's content hash is SHA-256 over its flows in import order (``id``), each row the
``repr`` of its ``INSERTED`` values joined by the unit separator (NULL as empty) and ended by the
record separator. The importer hashes the rows it is about to insert (``content_hash``) and
``verify`` hashes the stored rows the same way (``stored_content_hash``); values round-trip
SQLite unchanged (texts, integers, finite floats; ``-0.0`` is stored as ``0.0``, so the importer
writes it as ``0.0``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import text
from sqlmodel import Session

from casebook.store.backend import insert_batches, raw_connection
from casebook.store.sqlite import BATCH

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


def content_hash(rows: Iterable[tuple]) -> str:
    """SHA-256 over rows (values in ``INSERTED`` order), in order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join("" if v is None else repr(v) for v in row).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def flow_rows(session: Session, *, dataset_id: int) -> Iterator[tuple]:
    """A dataset's stored flows as tuples in ``INSERTED`` order, in import order."""
    cursor = raw_connection(session).execute(
        f"SELECT {', '.join(INSERTED)} FROM tradeflow WHERE dataset_id = ? ORDER BY id",
        (dataset_id,),
    )
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def stored_content_hash(session: Session, *, dataset_id: int) -> str:
    """The content hash recomputed from a trade dataset's stored flows (``verify``)."""
    return content_hash(flow_rows(session, dataset_id=dataset_id))


def dataset_hash_problems(session: Session, *, case_id: int | None = None) -> tuple[list, list]:
    """``(problems, unchecked)`` of the trade datasets: those whose flows no longer match the
    content hash recorded at import (changed, added or deleted rows; or fewer or more flows
    than imported), and those with no recorded hash, which cannot be checked."""
    sql = (
        "SELECT d.id, d.uid, d.file_name, d.content_hash, d.row_count, "
        "(SELECT count(*) FROM tradeflow AS t WHERE t.dataset_id = d.id) "
        "FROM dataset AS d WHERE d.kind = 'trade'"
    )
    if case_id is not None:
        sql += " AND d.case_id = :case"
    problems, unchecked = [], []
    for dataset_id, uid, name, recorded, imported, stored in session.execute(
        text(sql + " ORDER BY d.id"), {"case": case_id}
    ).all():
        label = f"dataset {name} ({uid})"
        if not recorded:
            unchecked.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"trade flows of {label}: no content hash was recorded at "
                    "import, so changes to them cannot be detected",
                }
            )
        elif stored_content_hash(session, dataset_id=dataset_id) != recorded:
            problems.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"trade flows of {label} were changed after import",
                }
            )
        if imported is not None and stored != imported:
            problems.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"{label}: {stored} trade flows stored, {imported} imported",
                }
            )
    return problems, unchecked


def flow_count(session: Session, *, case_id: int | None = None) -> int:
    """How many trade flows the store (or a case) holds."""
    sql = "SELECT count(*) FROM tradeflow"
    if case_id is not None:
        sql += " WHERE case_id = :case"
    return session.execute(text(sql), {"case": case_id}).scalar_one()


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
    names = ("dataset_id", "case_id", *INSERTED)
    sql = f"INSERT INTO tradeflow ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    return insert_batches(
        session,
        sql=sql,
        rows=((dataset_id, case_id, *row) for row in rows),
        total=total,
        progress=progress,
        cancelled=cancelled,
    )


def flow_counts(session: Session, *, case_id: int) -> dict[int, int]:
    """``{dataset id: trade flows}`` of a case's datasets."""
    result = session.execute(
        text("SELECT dataset_id, count(*) FROM tradeflow WHERE case_id = :c GROUP BY dataset_id"),
        {"c": case_id},
    )
    return {row[0]: row[1] for row in result}
