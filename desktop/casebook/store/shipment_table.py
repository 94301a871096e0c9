"""A case's shipments as one flat table, for the briefing: the largest N (its appendix) and
every row streamed in date order (the full table that travels with it). Both are single SQL
queries; nothing here holds more than the rows asked for."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.filters import ShipmentFilter
from casebook.store.engine import raw_connection
from casebook.store.filters import Params, shipment_clauses

#: Each column of the full table and its SQL; ``number`` (the row's place in date order) is
#: counted as the rows stream.
_SOURCES = {
    "date": "s.date",
    "declaration_no": "s.declaration_no",
    "item_no": "s.item_no",
    "exporter": "e.name",
    "importer": "i.name",
    "origin": "s.origin",
    "dispatch": "s.dispatch",
    "destination": "s.destination",
    "hs_code": "coalesce(nullif(s.hs_code, ''), s.hs6)",
    "description": "s.description",
    "brand": "s.brand",
    "quantity": "s.quantity",
    "unit": "s.unit",
    "net_weight": "s.net_weight",
    "value": "s.value",
    "currency": "s.currency",
    "value_usd": "s.value_usd",
    "file_name": "d.file_name",
    "source_row": "s.source_row",
}
TABLE_COLUMNS = ("number", *_SOURCES)
#: Free-text columns a spreadsheet could run as a formula (``table_rows`` quotes them).
_TEXT = {"declaration_no", "item_no", "exporter", "importer", "hs_code", "description", "brand"}
_TEXT |= {"unit", "currency", "file_name"}
_NAMES = """
LEFT JOIN firm e ON e.id = s.exporter_id
LEFT JOIN firm i ON i.id = s.importer_id
"""

# The chosen ids first (one pass over the case's rows keeping a heap of N), then their names.
_LARGEST = """
WITH chosen AS (
    SELECT s.id FROM shipment s WHERE {where}
    ORDER BY s.value_usd IS NULL, s.value_usd DESC, s.date, s.id
    LIMIT {limit}
)
SELECT s.id, s.date, s.declaration_no, e.name, i.name, s.origin, s.dispatch,
       {hs}, s.description, s.value_usd
FROM chosen c JOIN shipment s ON s.id = c.id {names}
ORDER BY s.value_usd IS NULL, s.value_usd DESC, s.date, s.id
"""
LARGEST_KEYS = (
    "id",
    "date",
    "declaration_no",
    "exporter",
    "importer",
    "origin",
    "dispatch",
    "hs",
    "description",
    "value_usd",
)


def _where(lens: ShipmentFilter | None, case_id: int) -> tuple[str, Params]:
    params = Params()
    return " AND ".join(shipment_clauses(lens, case_id=case_id, params=params)), params


def count_shipments(session: Session, *, case_id: int, lens: ShipmentFilter | None = None) -> int:
    """How many of the case's shipments are in the lens."""
    where, params = _where(lens, case_id)
    sql = f"SELECT count(*) FROM shipment s WHERE {where}"
    return session.execute(text(sql), params).scalar_one()


def largest_shipments(
    session: Session, *, case_id: int, limit: int, lens: ShipmentFilter | None = None
) -> list[dict]:
    """The ``limit`` shipments in the lens of largest USD value (rows without one last),
    largest first."""
    if limit <= 0:
        return []
    where, params = _where(lens, case_id)
    sql = _LARGEST.format(
        where=where, limit=params.add(limit), hs=_SOURCES["hs_code"], names=_NAMES
    )
    rows = session.execute(text(sql), params).all()
    return [dict(zip(LARGEST_KEYS, row, strict=True)) for row in rows]


def table_rows(
    session: Session,
    *,
    case_id: int,
    quote: tuple[str, ...] = (),
    batch: int = 5_000,
    lens: ShipmentFilter | None = None,
) -> Iterator[list[tuple]]:
    """Every shipment of the case in the lens, by date then id, in batches of
    ``(id, *TABLE_COLUMNS[1:])`` tuples (a million rows stream in constant memory). Free text
    starting with one of ``quote`` gets a leading apostrophe, in SQL: per value in Python it
    took most of the time.
    """
    where, params = _where(lens, case_id)
    starts = params.many(quote)
    columns = []
    for name, sql in _SOURCES.items():
        if quote and name in _TEXT:
            sql = f"CASE WHEN substr({sql}, 1, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"
        columns.append(sql)
    query = (
        f"SELECT s.id, {', '.join(columns)} FROM shipment s {_NAMES}"
        f"LEFT JOIN dataset d ON d.id = s.dataset_id WHERE {where} ORDER BY s.date, s.id"
    )
    cursor = raw_connection(session).execute(query, params)
    try:
        while chunk := cursor.fetchmany(batch):
            yield chunk
    finally:
        cursor.close()
