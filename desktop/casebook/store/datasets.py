"""Datasets in the store: the imported files of a case, and what they hold; adding one,
recording its totals, and deleting it with its rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from casebook.store import backend, rollups
from casebook.store import models as m
from casebook.store.engine import raw_connection


def list_datasets(
    session: Session,
    *,
    kind: str | None = None,
    case_id: int | None = None,
    ids: Iterable[int] | None = None,
) -> list[m.Dataset]:
    """Datasets (of one kind, one case, or with these ids), in import order."""
    query = select(m.Dataset)
    if kind is not None:
        query = query.where(m.Dataset.kind == kind)
    if case_id is not None:
        query = query.where(m.Dataset.case_id == case_id)
    if ids is not None:
        query = query.where(m.Dataset.id.in_(list(ids)))
    return list(session.exec(query.order_by(m.Dataset.id)))


def shipment_counts(session: Session, *, dataset_ids: Iterable[int]) -> dict[int, int]:
    """How many shipment rows each dataset holds (datasets without rows are left out)."""
    query = (
        select(m.Shipment.dataset_id, func.count())
        .where(m.Shipment.dataset_id.in_(list(dataset_ids)))
        .group_by(m.Shipment.dataset_id)
    )
    return dict(session.exec(query).all())


def dataset_uid(session: Session, *, dataset_id: int) -> str | None:
    """The uid of a dataset, or None."""
    dataset = session.get(m.Dataset, dataset_id)
    return None if dataset is None else dataset.uid


def add_dataset(
    session: Session,
    *,
    case_id: int,
    kind: str,
    file_name: str,
    sha256: str,
    imported_by: str,
    uid: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    preset: str | None = None,
    mapping: dict | None = None,
    row_count: int = 0,
    content_hash: str = "",
    imported: datetime | None = None,
) -> m.Dataset:
    """A new dataset record (an import's, or a bundle's with its own uid and totals)."""
    recorded = {"uid": uid, "imported": imported}
    dataset = m.Dataset(
        case_id=case_id,
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        encoding=encoding,
        sheet=sheet,
        preset=preset,
        mapping=mapping or {},
        row_count=row_count,
        content_hash=content_hash,
        imported_by=imported_by,
        **{k: v for k, v in recorded.items() if v is not None},
    )
    session.add(dataset)
    session.flush()
    return dataset


def set_dataset_totals(session: Session, *, dataset_id: int, rows: int, content_hash: str) -> None:
    """Record a dataset's row count and content hash once its rows are in."""
    raw_connection(session).execute(
        "UPDATE dataset SET row_count = ?, content_hash = ? WHERE id = ?",
        (rows, content_hash, dataset_id),
    )


def get_dataset(session: Session, *, uid: str) -> dict | None:
    """A dataset's record (what its deletion audits), by uid."""
    row = session.execute(
        text(
            "SELECT id, uid, case_id, kind, file_name, sha256, row_count, content_hash "
            "FROM dataset WHERE uid = :uid"
        ),
        {"uid": uid},
    ).first()
    return dict(row._mapping) if row else None


def dataset_with_hash(session: Session, *, case_id: int, sha256: str) -> str | None:
    """The uid of a dataset of this case imported from a file with this SHA-256, if any."""
    row = session.execute(
        text("SELECT uid FROM dataset WHERE case_id = :case AND sha256 = :sha LIMIT 1"),
        {"case": case_id, "sha": sha256},
    ).first()
    return row[0] if row else None


def dataset_rows(session: Session, *, case_id: int) -> list[dict]:
    """The case's datasets, oldest first, with their stored shipment counts (summed from the
    rollups: counting a million rows held up opening the case, issue 18)."""
    result = session.execute(
        text(
            "SELECT d.id, d.uid, d.kind, d.file_name, d.sha256, d.encoding, d.sheet, d.preset, "
            "d.row_count, d.content_hash, d.imported, d.imported_by, "
            "(SELECT coalesce(sum(r.shipments), 0) FROM shipmentrollup AS r "
            "WHERE r.dataset_id = d.id) AS shipments "
            "FROM dataset AS d WHERE d.case_id = :case ORDER BY d.imported, d.id"
        ),
        {"case": case_id},
    )
    return [dict(row._mapping) for row in result]


def delete_dataset_rows(session: Session, *, dataset_id: int) -> int:
    """Delete a dataset's shipments and trade flows and the dataset itself; returns shipments."""
    conn = raw_connection(session)
    rollups.drop_dataset(session, dataset_id=dataset_id)
    count = conn.execute("DELETE FROM shipment WHERE dataset_id = ?", (dataset_id,)).rowcount
    conn.execute("DELETE FROM tradeflow WHERE dataset_id = ?", (dataset_id,))
    # Merge suggestions outlive the import that made them: both firms are still there.
    conn.execute("UPDATE mergesuggestion SET dataset_id = NULL WHERE dataset_id = ?", (dataset_id,))
    found = conn.execute("SELECT case_id FROM dataset WHERE id = ?", (dataset_id,)).fetchone()
    conn.execute("DELETE FROM dataset WHERE id = ?", (dataset_id,))
    if found and backend.is_server(
        session
    ):  # the case's own descriptions that only these rows held
        backend.of(session).drop_unused_texts(session, case_id=found[0])
    return count


def dataset_mappings(session: Session, *, case_id: int) -> dict[str, dict]:
    """``{dataset uid: mapping JSON}`` of a case's datasets."""
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
