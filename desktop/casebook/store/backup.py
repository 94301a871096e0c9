"""SQLite-specific copies of a store: the online backup API, and a quick check on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from casebook.core.errors import Refused
from casebook.store.engine import is_full

PAGES_PER_STEP = 4096


def backup_database(source: Path, target: Path) -> None:
    """A consistent copy of the database at ``source`` into a new file ``target``, taken with
    SQLite's online backup API (readers and writers of the source may carry on meanwhile)."""
    target = Path(target)
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.OperationalError as exc:
        if is_full(exc):
            raise Refused(
                f"no space left on the disk holding {target.parent} for the backup's copy of "
                "the store; nothing was written"
            ) from exc
        raise
    finally:
        src.close()


def evidence_hashes(database: Path) -> list[str]:
    """The blob hashes a database file's evidence records name (read from a backup copy)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return sorted({row[0] for row in conn.execute("SELECT sha256 FROM evidence")})
    finally:
        conn.close()


def quick_problems(session: Session) -> list[dict]:
    """SQLite's quick_check (no index cross-checks: fast enough to run on every open)."""
    return [
        {"kind": "integrity", "ref": "database", "detail": message}
        for (message,) in session.execute(text("PRAGMA quick_check"))
        if message != "ok"
    ]


def copy_summary(database: Path) -> tuple[str, dict]:
    """The audit chain's head hash and the main counts of a database file (a backup copy)."""
    from casebook.store.audit import GENESIS

    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT hash FROM auditevent ORDER BY id DESC LIMIT 1").fetchone()
        counts = {
            name: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for name, table in (
                ("cases", "case"),
                ("datasets", "dataset"),
                ("shipments", "shipment"),
                ("evidence", "evidence"),
                ("audit_events", "auditevent"),
            )
        }
    finally:
        conn.close()
    return (row[0] if row else GENESIS), counts


def remove_database(path: Path) -> None:
    """Delete a database file with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
