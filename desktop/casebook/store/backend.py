"""The one place the store picks its backend: ``store.sqlite`` or ``store.postgres``, by the
dialect of the engine a session runs on. Store modules call ``of(session)`` for what differs
(the raw connection, bulk inserts, checks, search); SQL built without a session (the lens) asks
``current()``, the backend of the session open in this thread."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType

from sqlmodel import Session

_current: ContextVar[str] = ContextVar("casebook_backend", default="sqlite")


def named(dialect: str) -> ModuleType:
    """The backend module for a SQLAlchemy dialect name."""
    if dialect == "postgresql":
        from casebook.store import postgres

        return postgres
    from casebook.store import sqlite

    return sqlite


def of(session: Session) -> ModuleType:
    """The backend module of the database a session talks to."""
    return named(session.get_bind().dialect.name)


def is_server(session: Session) -> bool:
    """Whether the session talks to a PostgreSQL server (team mode)."""
    return session.get_bind().dialect.name == "postgresql"


def current() -> ModuleType:
    """The backend of the session open in this thread (SQLite when none is)."""
    return named(_current.get())


@contextmanager
def using(dialect: str):
    """Within: ``current()`` is the backend of ``dialect``."""
    token = _current.set(dialect)
    try:
        yield
    finally:
        _current.reset(token)


def raw_connection(session: Session):
    """The DB-API connection under a session (the sqlite3 connection, or psycopg's behind an
    adapter taking the same placeholders), in its transaction, for bulk work."""
    return of(session).raw_connection(session)


def insert_batches(session: Session, **kwargs) -> int:
    """A bulk INSERT: ``executemany`` batches on SQLite, ``COPY`` on PostgreSQL."""
    return of(session).insert_batches(session, **kwargs)
