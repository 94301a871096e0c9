"""Store-level integrity checks used by ``verify`` (the SQLite pragmas sit in ``store.sqlite``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel import Session, select

from casebook.store import backend
from casebook.store import models as m

#: Audit actions that record a dataset's row count and content hash as imported.
IMPORT_ACTIONS = ("dataset.import", "bundle.dataset")


def integrity_problems(session: Session) -> list[dict]:
    """The database's integrity check and foreign-key check, as verify problems."""
    problems = [
        {"kind": "integrity", "ref": "database", "detail": message}
        for message in backend.of(session).integrity_messages(session)
    ]
    for table, rowid, parent in backend.of(session).foreign_key_violations(session):
        problems.append(
            {
                "kind": "foreign_key",
                "ref": f"{table} row {rowid}",
                "detail": f"{table} row {rowid} points to a missing {parent}",
            }
        )
    return problems


def table_counts(session: Session, *, tables: list[str]) -> dict[str, int]:
    """Row counts of the named tables."""
    return {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def imported_records(session: Session, *, uids: Iterable[str]) -> dict[str, dict]:
    """What the audit chain recorded when each of these datasets was imported (the newest
    record wins), by dataset uid."""
    wanted = set(uids)
    query = select(m.AuditEvent.target_uid, m.AuditEvent.after).where(
        m.AuditEvent.action.in_(IMPORT_ACTIONS)
    )
    return {
        uid: after
        for uid, after in session.exec(query.order_by(m.AuditEvent.id))
        if uid in wanted and isinstance(after, dict)
    }
