"""A case's shipments as one flat table, for the briefing: the largest N (its appendix) and
every row streamed in date order (the full table that travels with it). Both are single SQL
queries; nothing here holds more than the rows asked for."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import text
from sqlmodel import Session

from casebook.store.engine import raw_connection

#: The full table's columns, in order; ``number`` is the row's place in date order.
TABLE_COLUMNS = (
    "number",
    "date",
    "declaration_no",
    "item_no",
    "exporter",
    "importer",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "description",
    "brand",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
    "file_name",
    "source_row",
)

_TABLE = """
SELECT s.date, s.declaration_no, s.item_no, e.name, i.name, s.origin, s.dispatch,
       s.destination, coalesce(nullif(s.hs_code, ''), s.hs6), s.description, s.brand, s.quantity, s.unit,
       s.net_weight, s.value, s.currency, s.value_usd, d.file_name, s.source_row
FROM shipment s
LEFT JOIN firm e ON e.id = s.exporter_id
LEFT JOIN firm i ON i.id = s.importer_id
LEFT JOIN dataset d ON d.id = s.dataset_id
WHERE s.case_id = ?
ORDER BY s.date, s.id
"""

# The row numbers are those of ``_TABLE`` (date, then id), so an appendix row can be found in
# the full table; the window runs over the (case, date) index, the LIMIT keeps a heap of N.
_LARGEST = """
WITH numbered AS (
    SELECT id, value_usd, row_number() OVER (ORDER BY date, id) AS number
    FROM shipment WHERE case_id = :case
), chosen AS (
    SELECT id, number FROM numbered
    ORDER BY value_usd IS NULL, value_usd DESC, number
    LIMIT :limit
)
SELECT c.number, s.date, s.declaration_no, e.name, i.name, s.origin, s.dispatch,
       coalesce(nullif(s.hs_code, ''), s.hs6), s.description, s.value_usd
FROM chosen c
JOIN shipment s ON s.id = c.id
LEFT JOIN firm e ON e.id = s.exporter_id
LEFT JOIN firm i ON i.id = s.importer_id
ORDER BY s.value_usd IS NULL, s.value_usd DESC, c.number
"""
LARGEST_KEYS = (
    "number",
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


def count_shipments(session: Session, *, case_id: int) -> int:
    sql = "SELECT count(*) FROM shipment WHERE case_id = :case"
    return session.execute(text(sql), {"case": case_id}).scalar_one()


def largest_shipments(session: Session, *, case_id: int, limit: int) -> list[dict]:
    """The ``limit`` shipments of largest USD value (rows without one last), largest first;
    each with its ``number`` in the full table (``table_rows``)."""
    if limit <= 0:
        return []
    rows = session.execute(text(_LARGEST), {"case": case_id, "limit": limit}).all()
    return [dict(zip(LARGEST_KEYS, row, strict=True)) for row in rows]


def table_rows(session: Session, *, case_id: int, batch: int = 5_000) -> Iterator[tuple]:
    """Every shipment of the case as a ``TABLE_COLUMNS`` tuple, by date, read in batches
    (a million rows stream in constant memory)."""
    cursor = raw_connection(session).execute(_TABLE, (case_id,))
    number = 0
    try:
        while chunk := cursor.fetchmany(batch):
            for row in chunk:
                number += 1
                yield (number, *row)
    finally:
        cursor.close()
