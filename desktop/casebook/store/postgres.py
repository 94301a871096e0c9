"""Everything PostgreSQL-only: the counterparts of ``store.sqlite`` for a team's server store.

Engines on a ``postgresql+psycopg`` URL; one writer at a time (a transaction-scoped advisory
lock taken when a write transaction begins, like SQLite's ``BEGIN IMMEDIATE``, so the audit chain
stays linear); the DB-API connection behind a thin adapter that takes the store's ``?`` and
``:name`` placeholders; bulk inserts through ``COPY``; search by ``ILIKE`` over columns with
``pg_trgm`` GIN indexes (migration 0003); how PostgreSQL words busy, full and read-only; and
the checks ``verify`` can make on a server.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import lru_cache
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from casebook.core.errors import Cancelled, Refused
from casebook.core.location import ServerLocation
from casebook.store.sqlite import BATCH, BUSY_TIMEOUT_S, timestamp

__all__ = ["BATCH", "timestamp"]

log = logging.getLogger(__name__)

#: The advisory lock every write transaction holds (one writer at a time, as on SQLite).
WRITE_LOCK = 0x43617365  # "Case"


def create(location: ServerLocation, *, immediate: bool) -> Engine:
    """An engine on the server database: writers' transactions begin by taking ``WRITE_LOCK``,
    waiting at most the busy timeout (then "store busy", exit 3)."""
    engine = create_engine(location.url, pool_pre_ping=False)
    timeout_ms = int(BUSY_TIMEOUT_S * 1000)

    @event.listens_for(engine, "connect")
    def _settings(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {timeout_ms}")
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()

    if immediate:

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


#: The channel each audited commit notifies (its payload: the event's case id, or empty).
CHANNEL = "casebook_changes"


def announce(session: Session, case_id: int | None) -> None:
    """Tell listening apps that this transaction changed ``case_id`` (delivered on commit)."""
    session.connection().exec_driver_sql(
        "SELECT pg_notify(%(channel)s, %(payload)s)",
        {"channel": CHANNEL, "payload": "" if case_id is None else str(case_id)},
    )


def is_empty(conn: Connection) -> bool:
    """Whether the database's own schemas hold no table, view or sequence."""
    return not conn.execute(
        text(
            "SELECT 1 FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'S', 'p') LIMIT 1"
        )
    ).first()


def has_table(conn: Connection, name: str) -> bool:
    return bool(
        conn.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar()
    )


def missing_privilege(conn: Connection) -> str | None:
    """What the role lacks to install the schema (CREATE on the schema, or on the database for
    the pg_trgm extension when it is not installed yet), or None."""
    if not conn.execute(text("SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar():
        return "CREATE on schema " + str(conn.execute(text("SELECT current_schema()")).scalar())
    trgm = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
    if (
        not trgm
        and not conn.execute(
            text("SELECT has_database_privilege(current_database(), 'CREATE')")
        ).scalar()
    ):
        return "CREATE on database " + str(conn.execute(text("SELECT current_database()")).scalar())
    return None


# --- the DB-API connection ----------------------------------------------------------------------

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|%|(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def pyformat(sql: str) -> str:
    """``sql`` with SQLite's ``?`` and ``:name`` placeholders as psycopg's ``%s`` and
    ``%(name)s`` (placeholders inside quoted text and ``::`` casts left alone; every ``%``
    doubled, since psycopg reads them even inside quotes)."""

    def swap(found: re.Match) -> str:
        token = found.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if found.group(1):
            return f"%({found.group(1)})s"
        return token.replace("%", "%%")  # psycopg reads % even inside quoted text

    return _TOKENS.sub(swap, sql)


class RawConnection:
    """The psycopg connection of a session, speaking the placeholders the store's raw SQL uses
    (the sqlite3 module's ``execute``/``executemany``)."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql: str, params=None):
        cursor = self.conn.cursor()
        if params is None:  # no placeholders: psycopg sends the text as it is
            cursor.execute(sql)
        else:
            cursor.execute(pyformat(sql), params)
        return cursor

    def executemany(self, sql: str, rows: Iterable):
        """Each row through ``sql``. Many rows of a plain ``INSERT … VALUES (?, …)`` (the firms,
        aliases and case links of an import, a bundle's records) go in by ``COPY`` into a
        temporary table and one ``INSERT … SELECT`` with the same tail (``ON CONFLICT DO
        NOTHING``), which the row-level security policies check like any insert: a statement
        per row was most of an import's fixed cost on a busy server. ``rowcount`` counts the
        rows inserted, as before."""
        rows = list(rows)
        found = _BULK_INSERT.match(sql) if len(rows) >= COPY_MIN_ROWS else None
        cursor = self.conn.cursor()
        if found:
            return _insert_by_copy(cursor, found, rows)
        cursor.executemany(pyformat(sql), rows)
        return cursor

    def create_function(self, *args, **kwargs) -> None:
        """Python functions cannot run inside the server: callers check ``dialect`` first."""
        raise NotImplementedError("PostgreSQL runs no Python functions")


#: From how many rows ``RawConnection.executemany`` sends a plain INSERT through COPY.
COPY_MIN_ROWS = 100
#: ``INSERT INTO t (cols) VALUES (v, …)`` where each v is ``?`` or a plain literal, optionally
#: followed by ``ON CONFLICT DO NOTHING``.
_BULK_INSERT = re.compile(
    r"^\s*INSERT INTO (\w+) \(([\w\s,]+)\)\s+VALUES\s*"
    r"\(((?:\s*(?:\?|'[^',]*'|-?\d+|NULL)\s*,)*\s*(?:\?|'[^',]*'|-?\d+|NULL)\s*)\)"
    r"\s*(ON CONFLICT DO NOTHING)?\s*$",
    re.IGNORECASE,
)


def _insert_by_copy(cursor, found: re.Match, rows: list):
    """``executemany`` of a plain INSERT (``_BULK_INSERT``) as COPY + INSERT … SELECT."""
    table, names, values, tail = found.groups()
    columns = [c.strip() for c in names.split(",")]
    values = [v.strip() for v in values.split(",")]
    if len(columns) != len(values):
        raise ValueError(f"{len(columns)} columns, {len(values)} values: INSERT INTO {table}")
    copied = [c for c, v in zip(columns, values, strict=True) if v == "?"]
    picked = [c if v == "?" else v for c, v in zip(columns, values, strict=True)]
    staging = f"many_{table}"
    cursor.execute(
        f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "
        f"SELECT {', '.join(copied)} FROM {table} WITH NO DATA"
    )
    with cursor.copy(f"COPY {staging} ({', '.join(copied)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(  # in the rows' order (ids follow it), then ``rowcount``: the rows inserted
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(picked)} "
        f"FROM {staging} ORDER BY ctid {tail or ''}"
    )
    with cursor.connection.cursor() as other:  # ``cursor`` keeps the INSERT's rowcount
        other.execute(f"DROP TABLE {staging}")
    return cursor


def raw_connection(session: Session) -> RawConnection:
    """The DB-API connection under a session, in its transaction."""
    return RawConnection(session.connection().connection.driver_connection)


_INSERT = re.compile(r"^\s*INSERT INTO (\w+) \(([^)]*)\) VALUES", re.IGNORECASE)


def insert_batches(
    session: Session,
    *,
    sql: str,
    rows: Iterable[tuple],
    total: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """The rows of a plain ``INSERT INTO t (cols) VALUES (?, …)`` streamed through ``COPY``
    (binary-safe text protocol, in the session's transaction), ``BATCH`` rows between checks
    for cancel; returns how many rows."""
    found = _INSERT.match(sql)
    if not found:
        raise ValueError(f"not a plain INSERT: {sql[:60]}")
    table, columns = found.groups()
    conn = session.connection().connection.driver_connection
    done = 0
    rows = iter(rows)
    with conn.cursor() as cursor, copy_into(cursor, table, columns) as copy:
        while batch := list(islice(rows, BATCH)):
            if cancelled and cancelled():
                raise Cancelled("import cancelled")
            for row in batch:
                copy.write_row(row)
            done += len(batch)
            if progress:
                progress(done, total)
    return done


@contextmanager
def copy_into(cursor, table: str, columns: str):
    """A ``COPY table (columns) FROM STDIN`` to write rows to. The server refuses COPY FROM
    into a table whose row-level security applies to the role (team mode, migration 0010):
    then the rows go into a temporary table by COPY and from there by one ``INSERT … SELECT``,
    which the policies check."""
    cursor.execute("SELECT row_security_active(%s)", (table,))
    if not cursor.fetchone()[0]:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            yield copy
        return
    staging = f"copy_{table}"
    cursor.execute(
        f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
    )
    with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
        yield copy
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}")
    cursor.execute(f"DROP TABLE {staging}")


#: The tables an import fills in bulk: their foreign keys (and the shipment table's secondary
#: indexes) may be set aside while it loads (``bulk_load``).
BULK_TABLES = ("shipment", "shipmentrollup", "partyrollup", "traderollup", "unitvaluerollup")
#: Memory for the import's hash aggregates and index builds, this transaction only (the
#: trigram GIN builds of 1M shipments took 6-15 % less with 1 GB than with 256 MB; each build
#: takes only what it needs). ``synchronous_commit`` stays on: an import's commit waits for
#: the flush of its last WAL only (milliseconds: the rows' WAL is written as they go), and
#: off would let a crash right after an import reported done lose it.
_BULK_SETTINGS = ("SET LOCAL work_mem = '128MB'", "SET LOCAL maintenance_work_mem = '1GB'")


#: ``session.info`` key: ``bulk_load`` set the checks aside and holds ``BULK_TABLES`` locked
#: (nobody else writes them until the commit).
LOCKED = "casebook_bulk_locked"


def reserve_ids(session: Session, cursor, table: str, count: int) -> int | None:
    """The first of ``count`` consecutive ids taken from ``table``'s sequence, for rows written
    with their ids (the sequence's default, a call per row, was about a quarter of the
    server's work on a million group rows); None unless ``bulk_load`` holds the table locked
    (then no other session inserts into it, so the ids in between are all this one's)."""
    if count <= 0 or table not in BULK_TABLES or not session.info.get(LOCKED):
        return None
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%(t)s, 'id'), "
        "nextval(pg_get_serial_sequence(%(t)s, 'id')) + %(n)s - 1)",
        {"t": table, "n": count},
    )
    return cursor.fetchone()[0] - count + 1


#: ``session.info`` key: the statements making the shipment indexes ``bulk_load`` set aside,
#: until they are sent (at its end, or earlier by ``indexes_building``).
INDEXES = "casebook_bulk_indexes"


@contextmanager
def indexes_building(session: Session):
    """While the block runs (an import's work in this process: summing and formatting its
    groups), the server builds the shipment indexes ``bulk_load`` set aside: sent without
    waiting, their end awaited when the block ends — also when it raises, so the connection
    is idle again for the rollback. The block must not use the connection. On a 1M-row
    import the block's 9 s of CPU ran alone before, then the server's 30 s of index builds."""
    statements = session.info.get(INDEXES)
    if not statements:
        yield
        return
    from psycopg.pq import ExecStatus

    session.info[INDEXES] = []
    pgconn = session.connection().connection.driver_connection.pgconn
    started = time.perf_counter()
    pgconn.send_query("; ".join(statements).encode())
    failed = None
    try:
        yield
    finally:
        waited = time.perf_counter()
        while (result := pgconn.get_result()) is not None:
            if failed is None and result.status == ExecStatus.FATAL_ERROR:
                failed = result.error_message.decode(errors="replace").strip()
        log.debug(
            "bulk load: %.2f s the shipment indexes, %.2f s of it waited for",
            time.perf_counter() - started,
            time.perf_counter() - waited,
        )
    if failed is not None:
        import psycopg

        raise psycopg.DatabaseError(f"making the shipment indexes again failed: {failed}")


@contextmanager
def bulk_load(session: Session, *, rows: int):
    """Around an import's writes of ``rows`` shipments and their rollups.

    A row's foreign-key checks (six per shipment, four per firm rollup group, one index probe
    and row lock each) and the shipment table's twelve indexes, three of them trigram GIN,
    were most of a server import: at 200,000 rows the ``COPY`` took 39 s, of which building
    the indexes once afterwards and checking the keys with one join each take a few seconds.
    So when the role owns the tables and the new rows outnumber the stored ones (as on
    SQLite), the foreign keys of ``BULK_TABLES`` and the shipment table's secondary indexes are
    dropped and made again at the end, all inside the import's transaction (an error or a
    cancel restores them with everything else). Dropping a foreign key locks the tables it
    refers to (cases, datasets, firms) until the commit; the locks are asked for without
    waiting, and when another session holds them (an open app reading) the rows are loaded
    with the checks in place instead. Otherwise — an analyst who does not own the tables, or a
    small import into a large store — the same rows go in with the checks as they are.
    Afterwards the server's statistics of the filled tables are refreshed (``ANALYZE``: a
    search right after an import planned on stale counts scanned every shipment)."""
    conn = session.connection().connection.driver_connection
    with conn.cursor() as cursor:
        for setting in _BULK_SETTINGS:
            cursor.execute(setting)
        deferred = _set_aside(cursor, rows)
    session.info[LOCKED] = bool(deferred)
    session.info[INDEXES] = [sql for sql in deferred if sql.startswith("CREATE")]
    try:
        yield
    finally:
        session.info.pop(LOCKED, None)
        left = session.info.pop(INDEXES, None)
    with conn.cursor() as cursor:
        for statement in [sql for sql in deferred if sql in left or not sql.startswith("CREATE")]:
            started = time.perf_counter()
            cursor.execute(statement)
            log.debug("bulk load: %.2f s %s", time.perf_counter() - started, statement[:90])
    started = time.perf_counter()
    session.execute(text("ANALYZE shipment, shipmenttext, firm, firmalias, casefirm"))
    log.debug("bulk load: %.2f s ANALYZE", time.perf_counter() - started)


def _set_aside(cursor, rows: int) -> list[str]:
    """Drop what ``bulk_load`` may set aside (see there); the statements that make it again."""
    tables = list(BULK_TABLES)
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
        "WHERE oid = ANY(%s::regclass[])",
        (tables,),
    )
    if not cursor.fetchone()[0]:
        return []
    cursor.execute("SELECT coalesce(max(id), 0) - coalesce(min(id), 0) FROM shipment")
    if rows < cursor.fetchone()[0]:
        return []
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
        "confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
        (tables,),
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
        "WHERE i.indrelid = 'shipment'::regclass AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1"
    )
    indexes = cursor.fetchall()
    locked = sorted({t for t, *_ in keys} | {t for *_, t in keys} | set(tables))
    cursor.execute("SAVEPOINT casebook_bulk")
    try:
        cursor.execute(f"LOCK TABLE {', '.join(locked)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except Exception as exc:
        if _sqlstate(exc) != "55P03":  # lock_not_available: load with the checks in place
            raise
        cursor.execute("ROLLBACK TO SAVEPOINT casebook_bulk")
        return []
    cursor.execute("RELEASE SAVEPOINT casebook_bulk")
    for table, name, _, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [sql for _, sql in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, _ in keys
    ]


def answers_table(session: Session, *, table: str, answers: Iterable[tuple]) -> None:
    """A temporary table ``table(arg, answer)`` of a Python function's answers (None answers
    left out), dropped when the transaction ends: what SQLite's ``create_function`` does."""
    conn = session.connection().connection.driver_connection
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {table} (arg text PRIMARY KEY, answer text) "
            "ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {table}")
        with cursor.copy(f"COPY {table} (arg, answer) FROM STDIN") as copy:
            for arg, answer in answers:
                if answer is not None:
                    copy.write_row((arg, answer))


# --- SQL that differs ---------------------------------------------------------------------------


def contains_clause(column: str, needle: str) -> str:
    """SQL: the text in ``column`` contains the parameter ``needle`` in any case."""
    return f"strpos(lower({column}), lower({needle})) > 0"


def group_concat(expression: str, separator: str = ",") -> str:
    """SQL: the values of ``expression`` joined into one text."""
    if expression.upper().startswith("DISTINCT "):
        return f"string_agg(DISTINCT ({expression[9:]})::text, '{separator}')"
    return f"string_agg(({expression})::text, '{separator}')"


def null_equal(a: str, b: str) -> str:
    """SQL: ``a`` equals ``b``, two NULLs counting as equal."""
    return f"{a} IS NOT DISTINCT FROM {b}"


def like_operator() -> str:
    """The LIKE that ignores ASCII case (PostgreSQL's LIKE does not)."""
    return "ILIKE"


# --- errors -------------------------------------------------------------------------------------


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) or ""


def is_busy(exc: BaseException) -> bool:
    """Another writer holds the lock past the timeout (lock_not_available), or a serialisation
    or deadlock failure."""
    return _sqlstate(exc) in ("55P03", "40001", "40P01")


def is_full(exc: BaseException) -> bool:
    """The server's disk is full (disk_full, out of memory)."""
    return _sqlstate(exc).startswith("53")


def is_read_only(exc: BaseException) -> bool:
    """The role may not write here, or the server is a read-only standby."""
    return _sqlstate(exc) in ("42501", "25006")


def privilege_of(exc: BaseException) -> str:
    """The server's own words for a refused privilege (``permission denied for …``)."""
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    return (getattr(diag, "message_primary", None) or str(orig)).strip()


# --- backups ------------------------------------------------------------------------------------


def dump(location: ServerLocation, target: Path) -> None:
    """A ``pg_dump --format=custom`` archive of the database (schema, rows and evidence blobs:
    restore it with ``pg_restore``); the password, if any, from PGPASSWORD or ~/.pgpass."""
    import shutil
    import subprocess

    program = shutil.which("pg_dump")
    if program is None:
        raise Refused("pg_dump is not installed here (Debian: apt-get install postgresql-client)")
    args = [program, "--format=custom", "--no-password", f"--file={target}", "--dbname"]
    conninfo = [f"dbname={location.dbname}"]
    if location.user:
        conninfo.append(f"user={location.user}")
    if location.host or location.socket_dir:
        conninfo.append(f"host={location.host or location.socket_dir}")
    if location.port:
        conninfo.append(f"port={location.port}")
    done = subprocess.run([*args, " ".join(conninfo)], capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"pg_dump failed: {done.stderr.strip() or done.returncode}")


def dump_to(location: ServerLocation, out: Path) -> dict:
    """``dump`` into ``out`` through a temporary file beside it, renamed when whole;
    ``{out, sha256, size}``."""
    import hashlib

    temp = out.with_name(f".{out.name}.partial")
    temp.unlink(missing_ok=True)
    try:
        dump(location, temp)
        digest = hashlib.sha256()
        with open(temp, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        temp.replace(out)
    finally:
        temp.unlink(missing_ok=True)
    return {"out": str(out), "sha256": digest.hexdigest(), "size": out.stat().st_size}


# --- checks -------------------------------------------------------------------------------------


def integrity_messages(session: Session) -> list[str]:
    """PostgreSQL enforces constraints as it writes and checksums its pages itself; what
    ``verify`` can still see here are constraints left invalid (``NOT VALID``)."""
    rows = session.execute(
        text(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE NOT convalidated AND connamespace = current_schema()::regnamespace"
        )
    ).all()
    return [f"constraint {name} on {table} is not validated" for table, name in rows]


def quick_check_messages(session: Session) -> list[str]:
    return integrity_messages(session)


def foreign_key_violations(session: Session) -> list[tuple[str, int, str]]:
    """None: the server enforces every foreign key on write (no ``PRAGMA foreign_keys``)."""
    return []


# --- the distinct descriptions ------------------------------------------------------------------


def intern_texts(session: Session, texts: list[str], *, case_id: int) -> list[int]:
    """The id of each of ``texts`` (distinct, non-empty) among the case's ``shipmenttext`` rows,
    adding the ones the case lacks: sent by ``COPY``, matched by a hash join (no B-tree on the
    texts: one refused a description over ~2.7 KB). Only the case's own texts are looked at (a
    text of another case, even a visible one, is not shared: migration 0015)."""
    if not texts:
        return []
    conn = session.connection().connection.driver_connection
    with conn.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE import_text (n integer NOT NULL, text text NOT NULL) ON COMMIT DROP"
        )
        with cursor.copy("COPY import_text (n, text) FROM STDIN") as copy:
            for row in enumerate(texts):
                copy.write_row(row)
        cursor.execute("ANALYZE import_text")
        cursor.execute(
            "INSERT INTO shipmenttext (case_id, text) SELECT %(case)s, i.text FROM import_text "
            "AS i WHERE NOT EXISTS (SELECT 1 FROM shipmenttext AS t WHERE t.case_id = %(case)s "
            "AND t.text = i.text) ORDER BY i.n",
            {"case": case_id},
        )
        ids = [0] * len(texts)
        cursor.execute(
            "SELECT i.n, t.id FROM import_text AS i JOIN shipmenttext AS t "
            "ON t.text = i.text WHERE t.case_id = %(case)s",
            {"case": case_id},
        )
        for n, text_id in cursor:
            ids[n] = text_id
        cursor.execute("DROP TABLE import_text")
        cursor.execute("SELECT casebook_texts_indexed()")  # no pending list for searches to read
    return ids


def index_dataset_texts(session: Session, *, dataset_id: int) -> int:
    """Point a dataset's shipments without a ``text_id`` (a bundle's, a script's) to their
    case's text of their description, added when the case lacks it; returns how many of the
    dataset's shipments have one."""
    conn = session.connection().connection.driver_connection
    missing = "s.dataset_id = %(d)s AND s.text_id IS NULL AND s.description <> ''"
    with conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shipmenttext (case_id, text) SELECT DISTINCT s.case_id, s.description "
            f"FROM shipment AS s WHERE {missing} AND NOT EXISTS (SELECT 1 FROM shipmenttext "
            "AS t WHERE t.case_id = s.case_id AND t.text = s.description)",
            {"d": dataset_id},
        )
        cursor.execute(
            "UPDATE shipment AS s SET text_id = t.id FROM shipmenttext AS t "
            f"WHERE {missing} AND t.case_id = s.case_id AND t.text = s.description",
            {"d": dataset_id},
        )
        cursor.execute("SELECT casebook_texts_indexed()")
        cursor.execute(
            "SELECT count(*) FROM shipment WHERE dataset_id = %(d)s AND text_id IS NOT NULL",
            {"d": dataset_id},
        )
        return cursor.fetchone()[0]


def drop_unused_texts(session: Session, *, case_id: int) -> int:
    """Delete the case's texts no shipment of it points to any more (after a dataset is
    deleted: its descriptions go with it); returns how many."""
    conn = session.connection().connection.driver_connection
    with conn.cursor() as cursor:
        cursor.execute(
            "DELETE FROM shipmenttext AS t WHERE t.case_id = %(c)s AND NOT EXISTS "
            "(SELECT 1 FROM shipment AS s WHERE s.text_id = t.id)",
            {"c": case_id},
        )
        return cursor.rowcount


# --- search -------------------------------------------------------------------------------------

#: Per kind: the rows (``id``, ``case_id``, ``title``, ``body``) and the columns a phrase is
#: looked for in; each of those columns has a pg_trgm GIN index (migration 0003), so ILIKE
#: '%phrase%' over a million shipments is an index scan. A shipment's description is looked
#: for through its text (``text_id``: the trigram index covers the distinct texts, 0015).
SEARCHED = {
    "case": (
        "SELECT c.id, c.id AS case_id, c.title, c.ref || ' ' || coalesce(c.summary, '') AS body "
        'FROM "case" AS c',
        ("c.title", "c.ref", "c.summary"),
    ),
    "firm": (
        "SELECT f.id, NULL::integer AS case_id, f.name AS title, "
        "coalesce(f.native_name, '') || ' ' || coalesce((SELECT string_agg(a.name, ' | ') "
        "FROM firmalias AS a WHERE a.firm_id = f.id), '') || ' ' || coalesce(f.address, '') "
        "AS body FROM firm AS f",
        (
            "f.name",
            "f.native_name",
            "f.address",
            "ANY:SELECT a.firm_id FROM firmalias AS a WHERE a.name ILIKE {p}",
            "ANY:SELECT i.firm_id FROM firmidentifier AS i WHERE i.value ILIKE {p}",
        ),
    ),
    "shipment": (
        "SELECT s.id, s.case_id, coalesce(s.description, '') AS title, "
        "coalesce(s.declaration_no, '') || ' ' || coalesce(s.item_no, '') AS body "
        "FROM shipment AS s",
        ("s.description", "s.declaration_no", "s.item_no"),
    ),
    "evidence": (
        "SELECT e.id, e.case_id, e.title, coalesce(e.publisher, '') || ' ' || "
        "coalesce(e.original_name, '') || ' ' || coalesce(e.excerpt, '') || ' ' || "
        "coalesce(e.notes, '') || ' ' || coalesce(e.text, '') AS body FROM evidence AS e",
        ("e.title", "e.publisher", "e.original_name", "e.excerpt", "e.notes", "e.text"),
    ),
    "finding": (
        "SELECT g.id, g.case_id, g.text AS title, '' AS body FROM finding AS g",
        ("g.text",),
    ),
    "person": (
        "SELECT p.id, p.case_id, p.name AS title, coalesce(p.native_name, '') || ' ' || "
        "p.aliases::text || ' ' || p.identifiers::text || ' ' || coalesce(p.notes, '') AS body "
        "FROM person AS p",
        ("p.name", "p.native_name", "p.aliases::text", "p.identifiers::text", "p.notes"),
    ),
}

#: Columns given a trigram GIN index on PostgreSQL (migration 0003; 0015 moved the shipments'
#: descriptions' index to their distinct texts).
TRIGRAM_COLUMNS = {
    "case": ("title", "ref", "summary"),
    "firm": ("name", "native_name", "address"),
    "firmalias": ("name",),
    "firmidentifier": ("value",),
    "shipmenttext": ("text",),  # the descriptions, each once per case (migration 0015)
    "shipment": ("declaration_no", "item_no"),
    "evidence": ("title", "publisher", "original_name", "excerpt", "notes", "text"),
    "finding": ("text",),
}


def like_pattern(word: str) -> str:
    """An ILIKE pattern finding ``word`` anywhere (its own ``%``, ``_`` and ``\\`` literal)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def search_rows(
    session: Session,
    *,
    kind: str,
    phrases: tuple[str, ...],
    short: tuple[str, ...],
    case_id: int | None,
    limit: int,
    body_chars: int,
) -> list[tuple]:
    """``(id, case_id, title, body)`` of up to ``limit`` records of a kind holding every
    phrase (3+ characters, anywhere, any case and script) and every short word (at a word
    start in the title when there is no phrase), newest first."""
    found = search_all_rows(
        session,
        kinds=(kind,),
        phrases=phrases,
        short=short,
        case_id=case_id,
        limit=limit,
        body_chars=body_chars,
    )
    return found[kind]


def search_all_rows(
    session: Session,
    *,
    kinds: tuple[str, ...],
    phrases: tuple[str, ...],
    short: tuple[str, ...],
    case_id: int | None,
    limit: int,
    body_chars: int,
) -> dict[str, list[tuple]]:
    """``search_rows`` of several kinds in one statement (one round trip to the server, where
    one per kind cost more than the server's work): ``{kind: [(id, case_id, title, body)]}``."""
    found: dict[str, list[tuple]] = {kind: [] for kind in kinds}
    if not kinds:
        return found
    params: dict = {"limit": limit}
    # Under row-level security the trigram indexes serve only through the server's function.
    secured = (
        set(kinds) & {"shipment", "firm"}
        and session.execute(
            text("SELECT row_security_active('shipment'), row_security_active('firm')")
        ).one()
    )
    secure = {"shipment": bool(secured and secured[0]), "firm": bool(secured and secured[1])}
    driver = session.connection().connection.driver_connection
    if "shipment" in kinds and phrases:  # newest first, when the newest rows hold enough hits
        recent = _recent_shipments(phrases, short, case_id, params)
        rows = driver.execute(pyformat(recent), params, prepare=False).fetchall()
        if len(rows) >= limit:
            found["shipment"] = [(i, c, t, (b or "")[:body_chars]) for i, c, t, b in rows]
            kinds = tuple(k for k in kinds if k != "shipment")
        elif not secure["shipment"]:
            _matching_texts(driver, phrases, case_id, params)
    parts = [
        f"SELECT {n} AS kind, k.* FROM "
        f"({_kind_query(kind, phrases, short, case_id, secure.get(kind, False), params)}) AS k"
        for n, kind in enumerate(kinds)
    ]
    if not parts:
        return found
    sql = " UNION ALL ".join(parts)
    # On the driver's connection (no SQLAlchemy compiling), never as a prepared statement:
    # psycopg prepares a statement from its fifth run on, and the server's generic plan of a
    # prepared ILIKE knows nothing of the pattern, so it read every row newest first (17 ms for
    # a word on no row of 200,000 shipments, against 0.1 ms through the trigram index).
    for n, id_, case, title, body in driver.execute(pyformat(sql), params, prepare=False):
        found[kinds[n]].append((id_, case, title, (body or "")[:body_chars]))
    return found


#: Under row-level security a broad query first looks among this many newest shipments.
RECENT_ROWS = 2_000


def _recent_shipments(
    phrases: tuple[str, ...], short: tuple[str, ...], case_id: int | None, params: dict
) -> str:
    """The newest ``:limit`` shipments among the newest ``RECENT_ROWS`` the role sees that hold
    every phrase and short word: under row-level security the trigram indexes serve only
    through ``casebook_shipment_matches``, which returns every match (a second and more for a
    word on most rows); a broad query's newest hits are found here in a few milliseconds. When
    fewer than ``:limit`` are found the caller asks the function."""
    source, columns = SEARCHED["shipment"]
    where = []
    for key, word in [(f"p{n}", w) for n, w in enumerate(phrases)] + [
        (f"s{n}", w) for n, w in enumerate(short)
    ]:
        params[key] = like_pattern(word)
        where.append("(" + " OR ".join(f"{c} ILIKE :{key}" for c in columns) + ")")
    if case_id is not None:
        params["case"] = case_id
        where.append("s.case_id = :case")
    recent = f"(SELECT * FROM shipment ORDER BY id DESC LIMIT {RECENT_ROWS}) AS s"
    source = source.replace("FROM shipment AS s", f"FROM {recent}")
    return f"{source} WHERE {' AND '.join(where)} ORDER BY s.id DESC LIMIT :limit"


def _matching_texts(driver, phrases: tuple[str, ...], case_id: int | None, params: dict) -> None:
    """Into ``params`` as ``t0``, ``t1``…: for each phrase the ids of the texts holding it
    (through their trigram index; migration 0015), for ``_kind_query`` to look shipments up by
    ``text_id``. Sent back as constants, not a sub-query: the server then knows how many rows
    they hold, and reads the newest shipments first for a broad phrase (a sub-query's unknown
    set made it gather and sort every match: 200 ms for a word on 600,000 of 1M shipments)."""
    scope = " AND t.case_id = %(case)s" if case_id is not None else ""
    arrays = ", ".join(
        f"ARRAY(SELECT t.id FROM shipmenttext AS t WHERE t.text ILIKE %(p{n})s{scope})"
        for n in range(len(phrases))
    )
    values = {f"p{n}": like_pattern(w) for n, w in enumerate(phrases)} | {"case": case_id}
    row = driver.execute(f"SELECT {arrays}", values, prepare=False).fetchone()
    params.update({f"t{n}": list(ids) for n, ids in enumerate(row)})


#: Kinds whose matches are gathered as a union of ids, one trigram index scan per column: an OR
#: of ILIKEs and of ids from other tables (a firm's aliases and identifiers) lets the server use
#: no index, so it read every firm newest first (14–26 ms for 5,000 firms, nearly all of a
#: search's time on the server). Firms are few next to shipments, so even a pattern on most
#: of them gathers a bounded set.
BY_ID_UNION = frozenset({"firm"})


def _ids_matching(kind: str, key: str) -> str:
    """The ids of a kind's records with a searched column matching ``:key``, one SELECT per
    column (each can use the column's trigram index)."""
    _, columns = SEARCHED[kind]
    table = {"firm": "firm"}[kind]
    selects = []
    for column in columns:
        if column.startswith("ANY:"):
            selects.append(column[4:].format(p=":" + key))
        else:
            name = column.split(".", 1)[1]
            selects.append(f"SELECT u.id FROM {table} AS u WHERE u.{name} ILIKE :{key}")
    return " UNION ALL ".join(selects)


def _kind_query(
    kind: str,
    phrases: tuple[str, ...],
    short: tuple[str, ...],
    case_id: int | None,
    secured: bool,
    params: dict,
) -> str:
    """The query of one kind's newest ``:limit`` matches (its values go into ``params``, the
    same names and values for every kind); ``secured``: row-level security applies to the
    kind's table for this role."""
    if secured and kind == "firm":
        return _secured_firms(phrases, short, case_id, params)
    source, columns = SEARCHED[kind]
    alias = columns[0].split(".")[0]
    where = []
    words = [(f"p{n}", like_pattern(w)) for n, w in enumerate(phrases)]
    if phrases:  # short words too must then occur somewhere in the record
        words += [(f"s{n}", like_pattern(w)) for n, w in enumerate(short)]
    for key, pattern in words:
        params[key] = pattern
        if secured and kind == "shipment":
            where.append(f"s.id IN (SELECT casebook_shipment_matches(:{key}))")
            continue
        if kind == "shipment" and key.startswith("p"):  # descriptions through their texts
            texts = f"t{key[1:]}"  # (``_matching_texts``'s ids; else the same as a sub-query)
            texts = (
                f":{texts}"
                if texts in params
                else f"ARRAY(SELECT t.id FROM shipmenttext AS t WHERE t.text ILIKE :{key})"
            )
            where.append(
                f"(s.text_id = ANY({texts}) OR s.declaration_no ILIKE :{key} "
                f"OR s.item_no ILIKE :{key})"
            )
            continue
        if kind in BY_ID_UNION and not secured:  # (each SELECT would apply the policy again)
            where.append(f"{alias}.id IN ({_ids_matching(kind, key)})")
            continue
        tests = [
            f"{alias}.id IN ({c[4:].format(p=':' + key)})"
            if c.startswith("ANY:")
            else f"{c} ILIKE :{key}"
            for c in columns
        ]
        where.append("(" + " OR ".join(tests) + ")")
    if not phrases:  # only short words: word starts in the title
        for n, word in enumerate(short):
            key, escaped = f"s{n}", like_pattern(word)[1:-1]
            params[key], params[key + "w"] = f"{escaped}%", f"% {escaped}%"
            where.append(f"({columns[0]} ILIKE :{key} OR {columns[0]} ILIKE :{key}w)")
    if case_id is not None:
        params["case"] = case_id
        if kind == "firm":
            where.append("f.id IN (SELECT firm_id FROM casefirm WHERE case_id = :case)")
        else:
            where.append(f"{alias}.{'id' if kind == 'case' else 'case_id'} = :case")
    if kind in ("firm", "person"):
        where.append(f"{alias}.merged_into IS NULL")
    condition = " AND ".join(where) or "TRUE"
    return f"{source} WHERE {condition} ORDER BY {alias}.id DESC LIMIT :limit"


def _secured_firms(
    phrases: tuple[str, ...], short: tuple[str, ...], case_id: int | None, params: dict
) -> str:
    """The firm kind's query under row-level security: ``casebook_firm_search`` (migration
    0013) finds the matches through the trigram indexes and keeps the firms the role may see
    by the policies' rule, rather than every read of ``firm``, ``firmalias`` and
    ``firmidentifier`` computing all of them (``casebook_firm_ids``) before any ``ILIKE``."""
    if phrases:  # short words too must then occur somewhere in the firm
        params["fw"] = [like_pattern(w) for w in (*phrases, *short)]
        params["fs"] = []
    else:  # only short words: word starts in the name
        params["fw"] = []
        params["fs"] = [like_pattern(w)[1:-1] for w in short]
    params["fc"] = case_id
    return (
        "SELECT f.id, f.case_id, f.title, f.body FROM casebook_firm_search("
        "CAST(:fw AS text[]), CAST(:fs AS text[]), CAST(:fc AS integer), :limit) AS f"
    )


#: ``store.search``'s label queries, one statement for every kind: (id, uid, case ref, extra)
#: with the extra as text.
def label_rows(session: Session, statements: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows of several label queries (``{kind: sql}``) in one round trip."""
    kinds = list(statements)
    found: dict[str, list[tuple]] = {kind: [] for kind in kinds}
    if not kinds:
        return found
    sql = " UNION ALL ".join(
        f"SELECT {n} AS kind, l.id, l.uid::text, l.ref::text, l.extra::text "
        f"FROM ({statements[kind]}) AS l(id, uid, ref, extra)"
        for n, kind in enumerate(kinds)
    )
    driver = session.connection().connection.driver_connection
    for n, *row in driver.execute(sql, prepare=False):
        found[kinds[n]].append(tuple(row))
    return found
