"""Store-level integrity checks used by ``verify`` (SQLite-specific, kept small)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def integrity_problems(session: Session) -> list[dict]:
    """SQLite's integrity_check and foreign_key_check, as verify problems."""
    problems = []
    for (message,) in session.execute(text("PRAGMA integrity_check")):
        if message != "ok":
            problems.append({"kind": "integrity", "ref": "database", "detail": message})
    for table, rowid, parent, _ in session.execute(text("PRAGMA foreign_key_check")):
        problems.append(
            {
                "kind": "foreign_key",
                "ref": f"{table} row {rowid}",
                "detail": f"{table} row {rowid} points to a missing {parent}",
            }
        )
    return problems


def table_counts(session: Session, tables: list[str]) -> dict[str, int]:
    """Row counts of the named tables."""
    return {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
