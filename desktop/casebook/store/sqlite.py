"""Everything SQLite-only, behind small functions a PostgreSQL backend would replace.

Connection pragmas and how a transaction begins, the DB-API connection for bulk work, the
online backup API, the integrity pragmas, the FTS5 ``MATCH`` syntax, and how SQLite words the
errors that mean "busy", "disk full" and "read-only". The rest of the store speaks SQL that any
backend understands, or calls these.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from casebook.core.errors import Cancelled

BUSY_TIMEOUT_S = float(os.environ.get("CASEBOOK_BUSY_TIMEOUT", "10"))

#: Worker threads SQLite's sorter may use besides the connection's own.
SORT_THREADS = 2


def create(path: Path, *, immediate: bool, readonly: bool = False) -> Engine:
    """An engine on the database file: every connection gets ``apply_pragmas``, and every
    transaction begins with ``begin_statement``."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        ),
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        apply_pragmas(dbapi_conn, immediate=immediate, readonly=readonly)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(begin_statement(immediate=immediate))

    return engine


def apply_pragmas(dbapi_conn: sqlite3.Connection, *, immediate: bool, readonly: bool) -> None:
    """WAL, foreign keys, the busy timeout and normal syncing on every connection."""
    cur = dbapi_conn.cursor()
    if not readonly:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cur.execute("PRAGMA synchronous=NORMAL")
    dbapi_conn.create_function(CONTAINS, 2, contains, deterministic=True)
    if not immediate:
        # Readers' large sorts (GROUP BY over a million rows) may use a helper thread: red
        # flags on 1M shipments 8.3 -> 7.4 s on two cores. Not for writers: an import's
        # index builds showed no gain.
        cur.execute(f"PRAGMA threads={SORT_THREADS}")
    cur.close()


def contains(haystack: str | None, needle: str | None) -> int:
    """SQL function: ``needle`` occurs in ``haystack``, ignoring case in every script.

    SQLite's LIKE folds ASCII only, so "станок" would miss "СТАНОК".
    """
    if haystack is None or not needle:
        return 0
    return int(needle.casefold() in haystack.casefold())


CONTAINS = "casebook_contains"


def contains_clause(column: str, needle: str) -> str:
    """SQL: the text in ``column`` contains the parameter ``needle`` (a ``:name``) in any
    case, through the function every connection registers (PostgreSQL: ``strpos(lower…)``)."""
    return f"{CONTAINS}({column}, {needle})"


def group_concat(expression: str, separator: str = ",") -> str:
    """SQL: the values of ``expression`` joined into one text."""
    if expression.upper().startswith("DISTINCT "):  # SQLite takes no separator with DISTINCT
        return f"group_concat({expression})"
    return f"group_concat({expression}, '{separator}')"


def null_equal(a: str, b: str) -> str:
    """SQL: ``a`` equals ``b``, two NULLs counting as equal."""
    return f"{a} IS {b}"


def like_operator() -> str:
    """The LIKE that ignores ASCII case (SQLite's own LIKE does)."""
    return "LIKE"


def begin_statement(*, immediate: bool) -> str:
    """How a transaction begins. Writers take the lock up front, so two writers never
    interleave (the audit chain cannot fork) and a busy store is reported at once instead of
    mid-transaction."""
    return "BEGIN IMMEDIATE" if immediate else "BEGIN"


def is_empty(conn: Connection) -> bool:
    """Whether the database holds no table, index or view at all (a new file)."""
    return not conn.execute(text("SELECT 1 FROM sqlite_master LIMIT 1")).first()


def raw_connection(session: Session) -> sqlite3.Connection:
    """The DB-API connection under a session, in its transaction, for ``executemany`` bulk work."""
    return session.connection().connection.driver_connection


def ensure_ln(conn: sqlite3.Connection) -> None:
    """SQLite built without math functions lacks ``ln``; supply it from Python then."""
    try:
        conn.execute("SELECT ln(2.0)")
    except sqlite3.OperationalError:  # "no such function: ln"
        conn.create_function("ln", 1, math.log, deterministic=True)


#: Rows per ``executemany`` of a bulk insert (and per fetch when reading rows back).
BATCH = 50_000


def insert_batches(
    session: Session,
    *,
    sql: str,
    rows: Iterable[tuple],
    total: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Run an INSERT for rows in batches on the raw connection (the ORM is far too slow for a
    million rows), asking ``cancelled`` before each batch; returns how many rows."""
    conn = raw_connection(session)
    done = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        if cancelled and cancelled():
            raise Cancelled("import cancelled")
        conn.executemany(sql, batch)
        done += len(batch)
        if progress:
            progress(done, total)
    return done


def timestamp(moment: datetime | None = None) -> str:
    """A time (now when None) as SQLAlchemy stores a DateTime in SQLite, for rows written on the
    raw connection, so the ORM reads them back unchanged."""
    # now as models.utcnow has it (to the second), without importing the models
    return (moment or datetime.now(UTC).replace(microsecond=0)).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- errors -------------------------------------------------------------------------------------

#: What the driver raises for a failed statement on the raw connection (bulk writes).
DriverError = sqlite3.OperationalError


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock."""
    return "locked" in str(exc) or "busy" in str(exc)


def is_full(exc: BaseException) -> bool:
    """The disk holding the database (or its journal) is full."""
    return "disk is full" in str(exc) or "No space left" in str(exc)


def is_read_only(exc: BaseException) -> bool:
    """The file, its folder or its disk cannot be written."""
    return "readonly" in str(exc) or "read-only" in str(exc) or "unable to open" in str(exc)


# --- checks and copies --------------------------------------------------------------------------


def integrity_messages(session: Session) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong (empty when it says ok)."""
    return [msg for (msg,) in session.execute(text("PRAGMA integrity_check")) if msg != "ok"]


def quick_check_messages(session: Session) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (no index cross-checks: fast enough for every
    open)."""
    return [msg for (msg,) in session.execute(text("PRAGMA quick_check")) if msg != "ok"]


def foreign_key_violations(session: Session) -> list[tuple[str, int, str]]:
    """(table, rowid, parent table) of every row pointing to a missing parent."""
    return [
        (table, rowid, parent)
        for table, rowid, parent, _ in session.execute(text("PRAGMA foreign_key_check"))
    ]


def online_backup(source: Path, target: Path, *, pages: int) -> None:
    """Copy the database at ``source`` into the new file ``target`` with SQLite's online backup
    API, ``pages`` at a time (readers and writers of the source may carry on meanwhile); the
    copy is a single self-contained file (no WAL)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=pages)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def open_copy(database: Path) -> sqlite3.Connection:
    """A read-only DB-API connection to a database file (a backup copy); close it after."""
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


# --- full-text search ---------------------------------------------------------------------------


def match_condition(table: str, phrases: tuple[str, ...], params: dict) -> str:
    """An FTS5 condition: ``table`` holds every phrase (each quoted, so the trigram tokenizer
    matches it anywhere in a word); the bound value goes into ``params``."""
    params["match"] = " AND ".join(f'"{p}"' for p in phrases)
    return f"{table} MATCH :match"


def texts_matching(phrases: tuple[str, ...], params: dict) -> str:
    """A query of the ``shipmenttext`` ids whose text holds every phrase (any case), from the
    trigram table ``search_text`` (migration 0006)."""
    return f"SELECT rowid FROM search_text WHERE {match_condition('search_text', phrases, params)}"


def index_texts(session: Session, *, after: int) -> None:
    """Add the ``shipmenttext`` rows with ids above ``after`` to the trigram table."""
    raw_connection(session).execute(
        "INSERT INTO search_text (rowid, text) SELECT id, text FROM shipmenttext WHERE id > ?",
        (after,),
    )


def rebuild_text_index(session: Session) -> None:
    """Make the trigram table anew from ``shipmenttext``."""
    raw_connection(session).execute("INSERT INTO search_text (search_text) VALUES ('rebuild')")


def rank_order(table: str) -> str:
    """The ORDER BY term that ranks FTS5 hits best first (BM25)."""
    return f"bm25({table})"


def announce(session: Session, case_id: int | None) -> None:
    """Nothing: apps on a store file poll its audit head (``store.live``)."""


# --- declaration numbers: a trigram table of the shipments' own numbers -----------------------

#: FTS5, trigram, contentless (no copy of the numbers) and ``detail=none`` (no positions: a
#: third of the size; a match is every trigram of the query, so each candidate row is checked
#: against its number). Made by the first import or search rebuild that wants it, with every
#: shipment then stored; imports and ``index_dataset`` add their rows. Deleted rows leave
#: postings behind: harmless, since a candidate is only a hit when its row still holds the number.
DECLARATIONS = "search_declaration"


def has_declaration_index(conn: sqlite3.Connection) -> bool:
    """Whether the store has the declaration numbers' trigram table (older stores may not)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (DECLARATIONS,)
    )
    return found.fetchone() is not None


def index_declarations(session: Session, *, where: str = "", params: tuple = ()) -> None:
    """Add the declaration numbers of the shipments meeting ``where`` (SQL over ``shipment``)
    to their trigram table; the first call makes the table and indexes every shipment."""
    conn = raw_connection(session)
    if not has_declaration_index(conn):
        conn.execute(
            f"CREATE VIRTUAL TABLE {DECLARATIONS} USING fts5(declaration_no, content = '', "
            "detail = none, columnsize = 0, tokenize = 'trigram')"
        )
        where, params = "", ()
    conn.execute(
        f"INSERT INTO {DECLARATIONS} (rowid, declaration_no) SELECT id, declaration_no "
        "FROM shipment WHERE length(declaration_no) >= 3" + (f" AND ({where})" if where else ""),
        params,
    )


def drop_declaration_index(session: Session) -> None:
    """Drop the declaration numbers' table (a rebuild makes it anew)."""
    raw_connection(session).execute(f"DROP TABLE IF EXISTS {DECLARATIONS}")


def declaration_trigrams(number: str) -> str:
    """The FTS5 query of a number's trigrams (all must be in a row's number; a superset of the
    rows holding it, checked against each row after)."""
    grams = sorted({number[i : i + 3] for i in range(len(number) - 2)})
    return " AND ".join(f'"{g}"' for g in grams)
