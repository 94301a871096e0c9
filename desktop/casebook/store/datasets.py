"""Datasets in the store: the imported files of a case, and what they hold."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.store import models as m


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
