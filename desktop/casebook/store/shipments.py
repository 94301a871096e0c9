"""Shipments: bulk writes through the DB-API connection, and their queries.

The ORM is far too slow for a million rows (about 100 s), so shipments go in with
``executemany`` on the session's own connection, inside the session's transaction. The content
hash of a dataset is computed from the stored columns, so ``verify`` can recompute it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session

from casebook.store.backend import insert_batches, is_server, raw_connection
from casebook.store.sqlite import BATCH, cover_parents

CACHE_KIB = 64 * 1024  # page cache during a bulk insert (more only raised the peak memory)

#: Columns written by an import, in order.
INSERTED = (
    "dataset_id",
    "case_id",
    "source_row",
    "row_key",
    "declaration_no",
    "item_no",
    "date",
    "direction",
    "exporter_id",
    "importer_id",
    "exporter_orig_id",
    "importer_orig_id",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "hs6",
    "description",
    "brand",
    "manufacturer",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
    "text_id",
)
#: Columns covered by a dataset's content hash (not the firm links, which merges change).
HASHED = (
    "source_row",
    "declaration_no",
    "item_no",
    "date",
    "direction",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "hs6",
    "description",
    "brand",
    "manufacturer",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
)
CONTENT = HASHED[1:]  # what makes two rows the same shipment when there is no item number


_FLOATS = frozenset({"quantity", "net_weight", "value", "value_usd"})


def cell_text(value: object) -> str:
    """A stored value as text for duplicate keys: None empty, floats by repr."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value == value else ""
    return str(value)


def content_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """One canonical text line per row (cells joined by the unit separator)."""
    for row in rows:
        yield "\x1f".join(map(cell_text, row))


def content_hash(columns: dict[str, Sequence]) -> str:
    """SHA-256 over the ``HASHED`` columns of rows in source order, column by column.

    Numbers hash as their IEEE-754 bytes (NULL as NaN), texts as their lengths (NULL as -1)
    plus their UTF-8 bytes, so the same rows give the same hash whether they come from the
    import's arrays or back from the database.
    """
    import numpy as np

    digest = hashlib.sha256()
    for name in HASHED:
        values = columns[name]
        digest.update(name.encode() + b"\0")
        if name == "source_row":
            digest.update(np.asarray(values, dtype=np.int64).tobytes())
        elif name in _FLOATS:
            numbers = np.asarray(values, dtype=np.float64) + 0.0  # -0.0 as 0.0
            numbers[np.isnan(numbers)] = np.nan  # one NaN bit pattern
            digest.update(numbers.tobytes())
        else:
            lengths, text = _text_parts(values)
            digest.update(np.asarray(lengths, dtype=np.int64).tobytes())
            digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _text_parts(values: Sequence) -> tuple[list[int], str]:
    """Lengths (-1 for NULL) and the concatenation of a text column."""
    if hasattr(values, "tolist"):  # a list iterates at twice a numpy object array's speed
        values = values.tolist()
    try:
        return list(map(len, values)), "".join(values)  # no NULL: the loops stay in C
    except TypeError:  # a NULL, or a number stored in a text column
        pass
    try:
        return [-1 if v is None else len(v) for v in values], "".join(filter(None, values))
    except TypeError:  # a number stored in a text column
        texts = [v if v is None else str(v) for v in values]
        return [-1 if v is None else len(v) for v in texts], "".join(filter(None, texts))


def stored_content_hash(session: Session, *, dataset_id: int) -> str:
    """The content hash recomputed from a dataset's stored shipments (``verify``)."""
    cursor = raw_connection(session).execute(
        f"SELECT {', '.join(HASHED)} FROM shipment WHERE dataset_id = ? ORDER BY source_row, id",
        (dataset_id,),
    )
    columns: list[list] = [[] for _ in HASHED]
    while batch := cursor.fetchmany(BATCH):
        for column, values in zip(columns, zip(*batch, strict=True), strict=True):
            column.extend(values)
    return content_hash(dict(zip(HASHED, columns, strict=True)))


def dataset_hash_problems(session: Session, *, case_id: int | None = None) -> list[dict]:
    """Every shipment dataset whose rows no longer match the content hash recorded at import."""
    sql = "SELECT id, uid, file_name, content_hash FROM dataset WHERE kind = 'shipments'"
    if case_id is not None:
        sql += " AND case_id = :case"
    problems = []
    for dataset_id, uid, name, recorded in session.execute(text(sql), {"case": case_id}).all():
        if recorded and stored_content_hash(session, dataset_id=dataset_id) != recorded:
            problems.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"shipments of dataset {name} ({uid}) were changed after import",
                }
            )
    return problems


# --- writes -------------------------------------------------------------------------------


def insert_shipments(
    session: Session,
    *,
    rows: Iterable[tuple],
    total: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Insert rows (values in ``INSERTED`` order) in batches; returns how many."""
    sql = f"INSERT INTO shipment ({', '.join(INSERTED)}) VALUES ({', '.join('?' * len(INSERTED))})"
    return insert_batches(
        session, sql=sql, rows=rows, total=total, progress=progress, cancelled=cancelled
    )


def last_shipment_id(session: Session) -> int:
    """The highest shipment id so far (0 in an empty store): an insert in the write transaction
    numbers its rows from the next one on."""
    return (
        raw_connection(session).execute("SELECT coalesce(max(id), 0) FROM shipment").fetchone()[0]
    )


def row_key(declaration: str | None, item: str | None, content: str) -> str:
    """The duplicate key of a shipment in its case: declaration + item as they are (never
    stored, and a hash of a million of them cost a second), else a hash of declaration + row
    content (what ``shipment.row_key`` stores; hex digits, so never equal to the former)."""
    if not declaration:
        return ""
    if item:
        return f"{declaration}\x1f{item}"
    text = f"{declaration}\x1f\x1f{content}"
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


#: The tables an import fills from its columns: the shipments, and the rollups summed from the
#: same columns (or, when ids are not consecutive, from those shipments).
FROM_COLUMNS = (
    "shipment",
    "shipmentrollup",
    "partyrollup",
    "traderollup",
    "firmrollup",
    "unitvaluerollup",
)


def cover_import_parents(session: Session, *, case_id: int, dataset_id: int, firm_ids) -> None:
    """An import's rows point to its case, its dataset and these firms only: in a bulk write
    those are looked up once before commit, not for each shipment and group (SQLite)."""
    cover_parents(
        session,
        tables=FROM_COLUMNS,
        parents={"case": [case_id], "dataset": [dataset_id], "firm": firm_ids},
    )


@contextmanager
def bulk_insert(session: Session, *, rows: int) -> Iterator[None]:
    """SQLite: a large page cache while inserting; when the new rows outnumber the stored ones,
    the shipment indexes are dropped and built once at the end (all inside the transaction, so
    an error or a cancel rolls the indexes back too). PostgreSQL: the rows go in by COPY,
    within ``postgres.bulk_load`` (foreign keys and indexes set aside when the role may, the
    statistics refreshed at the end)."""
    if is_server(session):
        from casebook.store import postgres

        with postgres.bulk_load(session, rows=rows):
            yield
        return
    conn = raw_connection(session)
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    stored = conn.execute("SELECT coalesce(max(id), 0) - coalesce(min(id), 0) FROM shipment")
    indexes = []
    if rows >= stored.fetchone()[0]:
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'shipment' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    try:
        yield
        for _, sql in indexes:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")


def stored_row_key(key: str, item: str | None) -> str:
    """What ``shipment.row_key`` holds: a key made from the row's content (no item number);
    empty when declaration and item make it, as ``existing_row_keys`` can make it again."""
    return "" if item else key


def existing_row_keys(session: Session, *, case_id: int) -> set[str]:
    """The duplicate keys of the case's shipments."""
    cursor = raw_connection(session).execute(
        "SELECT declaration_no, item_no, row_key FROM shipment WHERE case_id = ? "
        "AND declaration_no != ''",
        (case_id,),
    )
    # With an item number the key is made again from declaration and item: stores written
    # before 0006 hold a hash of them, which the import no longer makes.
    return {
        row_key(declaration, item, "") if item or not key else key
        for declaration, item, key in cursor
    }


# --- the lens: one page of a case's shipments, with totals over every match ------------------

#: Sort orders of ``shipment_page``: oldest first, or largest USD value first (rows without
#: one last); the id breaks ties, so pages never overlap.
PAGE_SORTS = {"date": "s.date, s.id", "value": "s.value_usd IS NULL, s.value_usd DESC, s.id"}
PAGE_COLUMNS = (
    "uid",
    "date",
    "declaration_no",
    "item_no",
    "exporter_uid",
    "exporter_name",
    "importer_uid",
    "importer_name",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "description",
    "value_usd",
)


def lens_totals(session: Session, *, case_id: int, lens) -> tuple[int, float | None]:
    """``(rows, USD value)`` of every shipment of the case in the lens."""
    from casebook.store.filters import Params, shipment_clauses

    params = Params()
    where = " AND ".join(shipment_clauses(lens, case_id=case_id, params=params))
    sql = f"SELECT count(*), sum(s.value_usd) FROM shipment s WHERE {where}"
    count, value = session.execute(text(sql), params).one()
    return int(count), value


def shipment_page(
    session: Session, *, case_id: int, lens, limit: int, offset: int, sort: str = "date"
) -> list[dict]:
    """One window of the case's shipments in the lens, in ``PAGE_SORTS`` order, as dicts of
    ``PAGE_COLUMNS`` (a shipment's uid is its dataset's uid and source row: ``DS-1:12``)."""
    from casebook.store.filters import Params, shipment_clauses

    params = Params()
    where = " AND ".join(shipment_clauses(lens, case_id=case_id, params=params))
    sql = f"""
        SELECT d.uid || ':' || s.source_row, s.date, s.declaration_no, s.item_no,
               e.uid, e.name, i.uid, i.name, s.origin, s.dispatch, s.destination,
               coalesce(nullif(s.hs_code, ''), s.hs6), s.description, s.value_usd
        FROM shipment s JOIN dataset d ON d.id = s.dataset_id
        LEFT JOIN firm e ON e.id = s.exporter_id LEFT JOIN firm i ON i.id = s.importer_id
        WHERE s.id IN (SELECT s.id FROM shipment s WHERE {where}
                       ORDER BY {PAGE_SORTS[sort]} LIMIT {params.add(limit)}
                       OFFSET {params.add(offset)})
        ORDER BY {PAGE_SORTS[sort]}"""
    return [dict(zip(PAGE_COLUMNS, row, strict=True)) for row in session.execute(text(sql), params)]


def dataset_rows_in_lens(
    session: Session, *, dataset_id: int, lens, columns: Sequence[str]
) -> Iterator[dict]:
    """A dataset's shipments in the lens, in source order, as dicts of ``columns`` (streamed:
    an export of a million rows holds one batch at a time)."""
    from casebook.store.filters import Params, shipment_clauses

    case_id = session.execute(
        text("SELECT case_id FROM dataset WHERE id = :d"), {"d": dataset_id}
    ).scalar_one()
    params = Params()
    where = shipment_clauses(lens, case_id=case_id, params=params)
    where.append(f"s.dataset_id = {params.add(dataset_id)}")
    cursor = raw_connection(session).execute(
        f"SELECT {', '.join(f's.{c}' for c in columns)} FROM shipment s "
        f"WHERE {' AND '.join(where)} ORDER BY s.source_row, s.id",
        params,
    )
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            yield dict(zip(columns, row, strict=True))


def shipment_detail(session: Session, *, shipment_id: int) -> dict | None:
    """One shipment's stored columns, its firms (``{uid, name, country}`` or None) and its
    source (dataset uid, file, sheet, row, file hash); None when there is no such shipment."""
    from casebook.store.models import Dataset, Firm, Shipment

    row = session.get(Shipment, shipment_id)
    if row is None:
        return None
    data = row.model_dump()
    for role in ("exporter", "importer"):
        firm = session.get(Firm, data[f"{role}_id"]) if data[f"{role}_id"] else None
        data[role] = {"uid": firm.uid, "name": firm.name, "country": firm.country} if firm else None
    dataset = session.get(Dataset, row.dataset_id)
    data["source"] = {
        "dataset": dataset.uid,
        "file_name": dataset.file_name,
        "sheet": dataset.sheet,
        "row": row.source_row,
        "sha256": dataset.sha256,
    }
    return data
