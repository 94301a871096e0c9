"""Opening a store: the SQLite file, its pragmas, its schema version, and sessions.

SQLite-only details (pragmas, ``BEGIN IMMEDIATE``, the raw connection for bulk writes) stay in
this module so that a PostgreSQL implementation can replace them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from casebook.core.errors import NotFound, Refused, StoreBusy, StoreReadOnly, StoreTooNew
from casebook.store import filters, migrations

BUSY_TIMEOUT_S = float(os.environ.get("CASEBOOK_BUSY_TIMEOUT", "10"))


#: Worker threads SQLite's sorter may use besides the connection's own.
SORT_THREADS = 2


def _engine(path: Path, *, immediate: bool, readonly: bool = False) -> Engine:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        ),
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        if not readonly:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.create_function(filters.CONTAINS, 2, filters.contains, deterministic=True)
        if not immediate:
            # Readers' large sorts (GROUP BY over a million rows) may use a helper thread: red
            # flags on 1M shipments 8.3 -> 7.4 s on two cores. Not for writers: an import's
            # index builds showed no gain.
            cur.execute(f"PRAGMA threads={SORT_THREADS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take the lock up front, so two writers never interleave (the audit chain
        # cannot fork) and a busy store is reported at once instead of mid-transaction.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _is_busy(exc: BaseException) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def is_full(exc: BaseException) -> bool:
    return "disk is full" in str(exc) or "No space left" in str(exc)


def _is_read_only(exc: BaseException) -> bool:
    return "readonly" in str(exc) or "read-only" in str(exc) or "unable to open" in str(exc)


def read_only(path: Path, why: str) -> StoreReadOnly:
    """The error for a store Casebook cannot write (its file, its folder or their disk)."""
    return StoreReadOnly(
        f"the store {path} is read-only ({why}); Casebook needs write access to the store's "
        "file and its folder: give it, or copy the store somewhere writable"
    )


def full(path: Path) -> Refused:
    """The error for a write that found the store's disk full (SQLite rolled it back)."""
    return Refused(f"no space left on the disk holding the store {path}; nothing was saved")


class Store:
    """An open SQLite store: a write engine (one writer at a time) and a read engine."""

    def __init__(self, path: Path, *, create: bool = False):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists():
            if not create:
                raise NotFound(f"no store at {self.path}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.is_dir():
            raise Refused(f"{self.path} is a folder, not a store")
        self._check_writable()
        self.engine = _engine(self.path, immediate=True)
        try:
            self._prepare()
        except DatabaseError as exc:
            self.engine.dispose()
            if _is_busy(exc):
                raise StoreBusy(f"store busy: {self.path}") from exc
            if _is_read_only(exc):
                raise read_only(self.path, str(exc.orig)) from exc
            if is_full(exc):
                raise full(self.path) from exc
            raise Refused(f"{self.path} is not a Casebook store: {exc.orig}") from exc
        self.read_engine = _engine(self.path, immediate=False)

    def _check_writable(self) -> None:
        """A read-only store file or folder is named as such, not as "not a Casebook store"
        (SQLite needs to write its WAL files beside the database even to read it)."""
        for path, what in (
            (self.path, "the file is read-only"),
            (self.path.parent, "its folder is read-only"),
            (self.folder, "its files folder is read-only"),
        ):
            if path.exists() and not os.access(path, os.W_OK):
                raise read_only(self.path, what)

    def _prepare(self) -> None:
        with self.engine.connect() as conn:
            version = migrations.current_revision(conn)
        if version == migrations.HEAD:
            return
        if version is not None and version not in migrations.known_revisions():
            raise StoreTooNew(
                f"{self.path} was written by a newer Casebook (schema {version}); upgrade Casebook"
            )
        if version is None and not self._is_empty():
            raise Refused(f"{self.path} is not a Casebook store")
        migrations.upgrade(self.engine)

    def _is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return not conn.execute(text("SELECT 1 FROM sqlite_master LIMIT 1")).first()

    @property
    def folder(self) -> Path:
        """The folder beside the database that holds the vault, rejects and backups."""
        return self.path.with_name(self.path.stem + ".files")

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except (OperationalError, sqlite3.OperationalError) as exc:
            if _is_busy(exc):
                raise StoreBusy(f"store busy: {self.path} (another writer holds it)") from exc
            if is_full(exc):
                raise full(self.path) from exc
            if _is_read_only(exc):
                raise read_only(self.path, "SQLite reports it read-only") from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; never holds the write lock."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if hasattr(self, "read_engine"):
            self.read_engine.dispose()


def raw_connection(session: Session) -> sqlite3.Connection:
    """The DB-API connection under a session, in its transaction, for ``executemany`` bulk work."""
    return session.connection().connection.driver_connection


def default_store_path() -> Path:
    """``CASEBOOK_DB`` if set, else ``casebook.db`` in the user data folder (platformdirs)."""
    if env := os.environ.get("CASEBOOK_DB"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Casebook", appauthor=False)) / "casebook.db"
