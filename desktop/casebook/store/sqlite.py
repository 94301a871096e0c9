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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from casebook.core.errors import Cancelled, Refused

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


# --- bulk writes: foreign keys checked once before commit, not per row ----------------------

#: Where a bulk write session keeps its ``ParentCheck`` (``Session.info``).
PARENT_CHECK = "casebook_parent_check"


@contextmanager
def bulk_write_session(engine: Engine) -> Iterator[Session]:
    """A write session whose transaction runs with ``PRAGMA foreign_keys`` OFF: SQLite checks
    no parent row by row (six look-ups per shipment of an import, about 10 % of it); instead
    ``ParentCheck`` checks once, before commit, every row the transaction added, and raises
    (rolling it all back) when one points to a missing parent. The pragma cannot change inside
    a transaction, so it is set on the connection before BEGIN and set back ON afterwards on
    every path (commit, error, cancel); a connection it cannot be set back on is discarded, so
    nothing else ever runs on it without foreign keys."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    check = ParentCheck(raw_connection(session))
                    session.info[PARENT_CHECK] = check
                    yield session
                    session.flush()
                    check.verify()
        finally:
            if not _foreign_keys_back_on(raw):
                conn.invalidate()


def _foreign_keys_back_on(conn: sqlite3.Connection) -> bool:
    """Set foreign keys ON again (outside any transaction); whether they are."""
    try:
        if conn.in_transaction:  # would ignore the pragma: the connection is discarded instead
            return False
        conn.execute("PRAGMA foreign_keys=ON")
        return conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    except sqlite3.Error:
        return False


def cover_parents(session: Session, *, tables: Iterable[str], parents: dict[str, Iterable]) -> None:
    """State that the rows this bulk write adds to ``tables`` point only to these ``parents``
    (parent table -> ids; NULLs aside): they are checked as a few ids before commit instead of
    row by row. Nothing outside a bulk write session (foreign keys are on there)."""
    check = session.info.get(PARENT_CHECK)
    if check is not None:
        check.cover(tables, parents)


class ParentCheck:
    """The foreign keys of the rows one transaction adds, checked once before it commits.

    At the start it notes each table's highest rowid; ``verify`` looks up the parents of every
    row added since, table by table and key by key, except in tables the writer covered
    (``cover_parents``): there the parent ids it named are looked up instead. Only added rows are
    checked: the bulk writers (imports) update no key column and delete no parent row.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%REFERENCES%'"
            )
        ]
        self.keys = {t: conn.execute(f'PRAGMA foreign_key_list("{t}")').fetchall() for t in tables}
        self.marks = {t: self._last_rowid(t) for t in self.keys if self.keys[t]}
        self.covered: set[str] = set()
        self.parents: dict[str, set[int]] = {}

    def _last_rowid(self, table: str) -> int:
        return self.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]

    def cover(self, tables: Iterable[str], parents: dict[str, Iterable]) -> None:
        self.covered.update(tables)
        for parent, ids in parents.items():
            self.parents.setdefault(parent, set()).update(int(i) for i in ids if i is not None)

    def verify(self) -> None:
        """Raise ``Refused`` naming the first added row whose parent is missing."""
        for parent, ids in self.parents.items():
            missing = self._missing(parent, sorted(ids))
            if missing is not None:
                raise Refused(
                    f"the write refers to {parent} {missing}, which does not exist (removed "
                    "meanwhile?); nothing was saved"
                )
        for table, mark in self.marks.items():
            if table in self.covered or self._last_rowid(table) <= mark:
                continue
            for _, _, parent, column, to, *_ in self.keys[table]:
                found = self.conn.execute(
                    f'SELECT c."{column}" FROM "{table}" AS c WHERE c.rowid > ? '
                    f'AND c."{column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{parent}" '
                    f'AS p WHERE p."{to or "rowid"}" = c."{column}") LIMIT 1',
                    (mark,),
                ).fetchone()
                if found:
                    raise Refused(
                        f"the write refers to {parent} {found[0]} from {table}.{column}, which "
                        "does not exist; nothing was saved"
                    )

    def _missing(self, parent: str, ids: list[int]) -> int | None:
        """The first of ``ids`` with no row in ``parent`` (None when all are there)."""
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join("?" * len(part))
            found = {
                i
                for (i,) in self.conn.execute(
                    f'SELECT id FROM "{parent}" WHERE id IN ({marks})', part
                )
            }
            if len(found) < len(part):
                return next(i for i in part if i not in found)
        return None


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
