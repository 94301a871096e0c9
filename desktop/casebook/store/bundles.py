"""Shipment and trade-flow rows in and out of case bundles and exports (bulk, through the DB-API
connection)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session

from casebook.store import trade
from casebook.store.engine import raw_connection
from casebook.store.shipments import BATCH, INSERTED

#: Shipment columns as they travel (the store's keys and firm ids are replaced by the caller).
COLUMNS = INSERTED
#: Trade-flow columns as they travel (the dataset and case are the caller's).
TRADE_COLUMNS = trade.INSERTED


def shipment_rows(
    session: Session, *, dataset_id: int | None = None, case_id: int | None = None
) -> Iterator[dict]:
    """The shipments of a dataset (or a case), in source order, as dicts of ``COLUMNS``."""
    where, value = ("dataset_id", dataset_id) if dataset_id is not None else ("case_id", case_id)
    cursor = raw_connection(session).execute(
        f"SELECT {', '.join(COLUMNS)} FROM shipment WHERE {where} = ? "
        "ORDER BY dataset_id, source_row, id",
        (value,),
    )
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            yield dict(zip(COLUMNS, row, strict=True))


def trade_rows(session: Session, *, dataset_id: int) -> Iterator[dict]:
    """A trade dataset's flows in import order (the order its content hash covers), as dicts of
    ``TRADE_COLUMNS``."""
    for row in trade.flow_rows(session, dataset_id=dataset_id):
        yield dict(zip(TRADE_COLUMNS, row, strict=True))


def shipment_ids_by_row(session: Session, *, dataset_id: int) -> dict[int, int]:
    """source_row → shipment id for a dataset (to re-attach evidence links)."""
    cursor = raw_connection(session).execute(
        "SELECT source_row, id FROM shipment WHERE dataset_id = ?", (dataset_id,)
    )
    return dict(cursor.fetchall())


def shipment_keys(session: Session, *, ids: list[int]) -> dict[int, str]:
    """shipment id → ``DATASET_UID:ROW`` (how bundles name a shipment)."""
    if not ids:
        return {}
    conn = raw_connection(session)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = conn.execute(
            "SELECT s.id, d.uid, s.source_row FROM shipment s JOIN dataset d ON d.id = s.dataset_id"
            f" WHERE s.id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        out.update({sid: f"{uid}:{row}" for sid, uid, row in cursor})
    return out


def firm_ids_of_case_shipments(session: Session, *, case_id: int) -> set[int]:
    """Every firm a case's shipments name (current and as imported)."""
    parts = " UNION ".join(
        f"SELECT DISTINCT {c} FROM shipment WHERE case_id = :case AND {c} IS NOT NULL"
        for c in ("exporter_id", "importer_id", "exporter_orig_id", "importer_orig_id")
    )
    cursor = raw_connection(session).execute(parts, {"case": case_id})
    return {row[0] for row in cursor}
