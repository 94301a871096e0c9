"""Opening a store: the database file, its schema version, and sessions.

SQLite-only details (pragmas, ``BEGIN IMMEDIATE``, the raw connection for bulk writes, how
SQLite words its errors) live in ``store.sqlite``, which a PostgreSQL backend would replace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from casebook.core.errors import NotFound, Refused, StoreBusy, StoreReadOnly, StoreTooNew
from casebook.store import migrations, sqlite
from casebook.store.sqlite import (  # the names store modules and tests import from here
    SORT_THREADS,
    is_full,
    raw_connection,
)

__all__ = ["SORT_THREADS", "Store", "default_store_path", "full", "is_full", "raw_connection"]


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

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error."""
        try:
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


def default_store_path() -> Path:
    """``CASEBOOK_DB`` if set, else ``casebook.db`` in the user data folder (platformdirs)."""
    if env := os.environ.get("CASEBOOK_DB"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Casebook", appauthor=False)) / "casebook.db"
