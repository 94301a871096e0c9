"""Opening a store: a database file or a PostgreSQL database, its schema version, and sessions.

SQLite-only details (pragmas, ``BEGIN IMMEDIATE``, the raw connection for bulk writes, how
SQLite words its errors) live in ``store.sqlite``; their PostgreSQL counterparts in
``store.postgres``; ``store.backend`` picks one by the engine's dialect.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from casebook.core.errors import (
    NotFound,
    Refused,
    StoreBusy,
    StoreReadOnly,
    StoreTooNew,
    StoreUnavailable,
)
from casebook.core.location import ServerLocation, parse_location
from casebook.store import backend, migrations, sqlite
from casebook.store.backend import raw_connection  # the names store modules and tests import
from casebook.store.sqlite import SORT_THREADS, is_full

__all__ = [
    "SORT_THREADS",
    "ServerStore",
    "Store",
    "default_store_path",
    "full",
    "is_full",
    "open_store",
    "raw_connection",
]


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

    dialect = "sqlite"

    def __init__(self, path: Path, *, create: bool = False):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists():
            if not create:
                raise NotFound(f"no store at {self.path}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.is_dir():
            raise Refused(f"{self.path} is a folder, not a store")
        self._check_writable()
        self.engine = sqlite.create(self.path, immediate=True)
        try:
            self._prepare()
        except DatabaseError as exc:
            self.engine.dispose()
            if sqlite.is_busy(exc):
                raise StoreBusy(f"store busy: {self.path}") from exc
            if sqlite.is_read_only(exc):
                raise read_only(self.path, str(exc.orig)) from exc
            if is_full(exc):
                raise full(self.path) from exc
            raise Refused(f"{self.path} is not a Casebook store: {exc.orig}") from exc
        self.read_engine = sqlite.create(self.path, immediate=False)

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
            return sqlite.is_empty(conn)

    @property
    def folder(self) -> Path:
        """The folder beside the database that holds the vault, rejects and backups."""
        return self.path.with_name(self.path.stem + ".files")

    def is_own_file(self, path: Path) -> bool:
        """Whether ``path`` is the database file or one of SQLite's files beside it. Reading one
        of those through another descriptor while this process has the store open would
        release SQLite's locks on it (POSIX locks belong to the process and go with any close),
        so another process could then corrupt the store: such a file is never read as input."""
        try:
            target = Path(path).expanduser().resolve()
        except OSError:
            return False
        return target.parent == self.path.parent and target.name in {
            self.path.name + suffix for suffix in ("", "-wal", "-shm", "-journal")
        }

    @contextmanager
    def write(self, *, bulk: bool = False) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error.

        ``bulk`` (an import): foreign keys are checked once before commit instead of row by row
        (``sqlite.bulk_write_session``); the rows' parents are just as sure to exist after it.
        """
        try:
            if bulk:
                with sqlite.bulk_write_session(self.engine) as session:
                    yield session
                return
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except (OperationalError, sqlite.DriverError) as exc:
            if sqlite.is_busy(exc):
                raise StoreBusy(f"store busy: {self.path} (another writer holds it)") from exc
            if is_full(exc):
                raise full(self.path) from exc
            if sqlite.is_read_only(exc):
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


class ServerStore:
    """An open store on a PostgreSQL server (team mode): the same sessions as ``Store``.

    The database must exist (``createdb``); an empty one gets the schema from the first
    command that creates data, when the role may create it. Files that are not evidence
    (rejects, mappings, backups' scratch) go to a local folder per server database.
    """

    dialect = "postgresql"

    def __init__(self, location: ServerLocation, *, create: bool = False):
        from casebook.store import postgres

        self.location = location
        self.engine = postgres.create(location, immediate=True)
        try:
            self._prepare(create)
        except BaseException:
            self.engine.dispose()
            raise
        self.read_engine = postgres.create(location, immediate=False)

    def __str__(self) -> str:
        return str(self.location)

    @property
    def login(self) -> str:
        """The role this store's sessions act as (``current_user``): the audit user."""
        if not hasattr(self, "_login"):
            from sqlalchemy import text

            with self.read_engine.connect() as conn:
                self._login = str(conn.execute(text("SELECT current_user")).scalar())
        return self._login

    @property
    def path(self) -> Path:
        """A local name for the store (backups and rejects are named after it)."""
        return self.folder.with_suffix("")

    @property
    def folder(self) -> Path:
        """This server database's local folder of files (rejects, mappings, scratch)."""
        loc = self.location
        name = f"{loc.host or 'local'}-{loc.port or 5432}-{loc.dbname}".replace("/", "_")
        if env := os.environ.get("CASEBOOK_SERVER_FILES"):
            return Path(env).expanduser() / f"{name}.files"
        from platformdirs import user_data_dir

        return Path(user_data_dir("Casebook", appauthor=False)) / "servers" / f"{name}.files"

    def is_own_file(self, path: Path) -> bool:
        """False: a server's data is no local file (see ``Store.is_own_file``)."""
        return False

    def _prepare(self, create: bool) -> None:
        from casebook.store import postgres

        try:
            with self.engine.connect() as conn:
                version = migrations.current_revision(conn)
                empty = postgres.is_empty(conn)
                lacking = postgres.missing_privilege(conn)
        except OperationalError as exc:
            if "does not exist" in str(exc.orig) and "database" in str(exc.orig):
                raise NotFound(
                    f"no database {self.location.dbname!r} on {self.location} "
                    "(create it with createdb)"
                ) from exc
            raise StoreUnavailable(
                f"cannot connect to {self.location}: {_first_line(exc)}"
            ) from exc
        if version == migrations.HEAD:
            return
        if version is not None and version not in migrations.known_revisions():
            raise StoreTooNew(
                f"{self.location} was written by a newer Casebook (schema {version}); "
                "upgrade Casebook"
            )
        if version is None and not empty:
            raise Refused(
                f"{self.location} is not a Casebook store (its schema holds other tables)"
            )
        if version is None and not create:
            raise NotFound(f"no store in {self.location} (no Casebook schema there yet)")
        if lacking:
            raise StoreReadOnly(
                f"cannot install the Casebook schema in {self.location}: the role lacks "
                f"{lacking}; ask the server's administrator to grant it (or to run this "
                "command once as the database owner)"
            )
        try:
            migrations.upgrade(self.engine)
        except DatabaseError as exc:
            if postgres.is_read_only(exc):
                raise StoreReadOnly(
                    f"cannot install the Casebook schema in {self.location}: "
                    f"{postgres.privilege_of(exc)}"
                ) from exc
            raise

    @contextmanager
    def write(self, *, bulk: bool = False) -> Iterator[Session]:
        """A session in one write transaction (holding the store's write lock). ``bulk`` changes
        nothing here: an import's rows go in through ``postgres.bulk_load``."""
        from casebook.store import postgres

        try:
            with (
                backend.using(self.dialect),
                Session(self.engine, expire_on_commit=False) as session,
            ):
                session.info["writing"] = True  # facade checks of case access ask
                with session.begin():
                    yield session
        except DatabaseError as exc:
            if postgres.is_busy(exc):
                raise StoreBusy(f"store busy: {self.location} (another writer holds it)") from exc
            if postgres.is_full(exc):
                raise Refused(
                    f"the server of {self.location} is out of space; nothing was saved"
                ) from exc
            if postgres.is_read_only(exc):
                raise StoreReadOnly(
                    f"{self.location} refuses the write: {postgres.privilege_of(exc)}"
                ) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; never takes the write lock."""
        with (
            backend.using(self.dialect),
            Session(self.read_engine, expire_on_commit=False) as session,
        ):
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if hasattr(self, "read_engine"):
            self.read_engine.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(location: str | Path | ServerLocation | None, *, create: bool = False):
    """The store at ``location`` (a path, a ``postgresql://`` URL, or the default): a
    ``Store`` on a file or a ``ServerStore`` on a server."""
    where = default_location() if not location else location
    if not isinstance(where, ServerLocation):
        where = parse_location(where)
    if isinstance(where, ServerLocation):
        return ServerStore(where, create=create)
    return Store(where, create=create)


def default_location() -> Path | ServerLocation:
    """``CASEBOOK_DB`` (a path or a server URL) if set, else the default store file."""
    if env := os.environ.get("CASEBOOK_DB"):
        return parse_location(env)
    return default_store_path()


def default_store_path() -> Path:
    """``CASEBOOK_DB`` if set, else ``casebook.db`` in the user data folder (platformdirs)."""
    if env := os.environ.get("CASEBOOK_DB"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Casebook", appauthor=False)) / "casebook.db"
