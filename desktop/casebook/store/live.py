"""Watching a store for what other analysts commit (the live app).

Every audited change appends an event, so the audit head says whether anything changed:
``head_id`` is one indexed look-up, cheap enough to poll a store file every second. On a
server each audited commit also notifies ``postgres.CHANNEL`` (``audit.append_event``), and a
``Listener`` wakes as soon as one arrives instead of waiting for the next poll.
"""

from __future__ import annotations

import threading

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.core.location import ServerLocation
from casebook.store.models import AuditEvent, Case


def head_id(session: Session) -> int:
    """The id of the newest audit event (0 for an empty chain)."""
    return session.exec(select(func.max(AuditEvent.id))).first() or 0


def events_after(session: Session, event_id: int, *, limit: int = 1000) -> list[dict]:
    """The events after ``event_id``, oldest first: id, hash, case ref, action, actor, time."""
    query = (
        select(
            AuditEvent.id,
            AuditEvent.hash,
            Case.ref,
            AuditEvent.action,
            AuditEvent.actor,
            AuditEvent.ts,
        )
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .where(AuditEvent.id > event_id)
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    keys = ("id", "hash", "case_ref", "action", "actor", "ts")
    return [dict(zip(keys, row, strict=True)) for row in session.exec(query)]


def login(session: Session) -> str:
    """The role a server session runs as (``current_user``)."""
    return session.exec(select(func.current_user())).first()


class Poller:
    """A store file: wake every ``interval`` seconds (the caller then reads the head)."""

    def __init__(self) -> None:
        self._closed = threading.Event()

    def wait(self, timeout: float) -> bool:
        """Sleep ``timeout`` seconds (less once closed); True: look at the head now."""
        self._closed.wait(timeout)
        return not self._closed.is_set()

    def close(self) -> None:
        self._closed.set()


class Listener(Poller):
    """A server: ``LISTEN`` on the change channel over a connection of its own."""

    def __init__(self, location: ServerLocation) -> None:
        import psycopg

        from casebook.store.postgres import CHANNEL

        super().__init__()
        self.conn = psycopg.connect(
            dbname=location.dbname,
            user=location.user,
            host=location.host or location.socket_dir,
            port=location.port,
            autocommit=True,
        )
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        """Until a notification arrives or ``timeout`` seconds pass; True unless closed."""
        if self._closed.is_set():
            return False
        try:
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                break
        except Exception:  # a lost connection: fall back to polling at the same pace
            self._closed.wait(timeout)
        return not self._closed.is_set()

    def close(self) -> None:
        super().close()
        try:
            self.conn.close()
        except Exception:  # closing what is already gone
            pass
