"""A case's shipments as one flat table, for the briefing: the largest N (its appendix) and
every row streamed in date order (the full table that travels with it). Both are single SQL
queries; nothing here holds more than the rows asked for."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import text
from sqlmodel import Session

from casebook.store.engine import raw_connection

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
_LARGEST = f"""
WITH chosen AS (
    SELECT id FROM shipment WHERE case_id = :case
    ORDER BY value_usd IS NULL, value_usd DESC, date, id
    LIMIT :limit
)
SELECT s.id, s.date, s.declaration_no, e.name, i.name, s.origin, s.dispatch,
       {_SOURCES["hs_code"]}, s.description, s.value_usd
FROM chosen c JOIN shipment s ON s.id = c.id {_NAMES}
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


def count_shipments(session: Session, *, case_id: int) -> int:
    sql = "SELECT count(*) FROM shipment WHERE case_id = :case"
    return session.execute(text(sql), {"case": case_id}).scalar_one()


def largest_shipments(session: Session, *, case_id: int, limit: int) -> list[dict]:
    """The ``limit`` shipments of largest USD value (rows without one last), largest first."""
    if limit <= 0:
        return []
    rows = session.execute(text(_LARGEST), {"case": case_id, "limit": limit}).all()
    return [dict(zip(LARGEST_KEYS, row, strict=True)) for row in rows]


def table_rows(
    session: Session, *, case_id: int, quote: tuple[str, ...] = (), batch: int = 5_000
) -> Iterator[list[tuple]]:
    """Every shipment of the case, by date then id, in batches of ``(id, *TABLE_COLUMNS[1:])``
    tuples (a million rows stream in constant memory). Free text starting with one of
    ``quote`` gets a leading apostrophe, in SQL: per value in Python it took most of the time.
    """
    starts = ", ".join("?" * len(quote))
    columns, params = [], []
    for name, sql in _SOURCES.items():
        if quote and name in _TEXT:
            sql = f"CASE WHEN substr({sql}, 1, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"
            params += quote
        columns.append(sql)
    query = (
        f"SELECT s.id, {', '.join(columns)} FROM shipment s {_NAMES}"
        "LEFT JOIN dataset d ON d.id = s.dataset_id WHERE s.case_id = ? ORDER BY s.date, s.id"
    )
    cursor = raw_connection(session).execute(query, (*params, case_id))
    try:
        while chunk := cursor.fetchmany(batch):
            yield chunk
    finally:
        cursor.close()
