"""Copies of a store (taken with ``store.sqlite``'s online backup), and a quick check on open."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from casebook.core.errors import Refused
from casebook.store import backend, sqlite

PAGES_PER_STEP = 4096


def backup_database(source: Path, target: Path) -> None:
    """A consistent copy of the database at ``source`` into a new file ``target``, taken with
    SQLite's online backup API (readers and writers of the source may carry on meanwhile)."""
    target = Path(target)
    target.unlink(missing_ok=True)
    try:
        sqlite.online_backup(source, target, pages=PAGES_PER_STEP)
    except sqlite.DriverError as exc:
        if sqlite.is_full(exc):
            raise Refused(
                f"no space left on the disk holding {target.parent} for the backup's copy of "
                "the store; nothing was written"
            ) from exc
        raise


def evidence_hashes(database: Path) -> list[str]:
    """The blob hashes a database file's evidence records name (read from a backup copy)."""
    conn = sqlite.open_copy(database)
    try:
        return sorted({row[0] for row in conn.execute("SELECT sha256 FROM evidence")})
    finally:
        conn.close()


def quick_problems(session: Session) -> list[dict]:
    """The database's quick check (no index cross-checks: fast enough to run on every open)."""
    return [
        {"kind": "integrity", "ref": "database", "detail": message}
        for message in backend.of(session).quick_check_messages(session)
    ]


def copy_summary(database: Path) -> tuple[str, dict]:
    """The audit chain's head hash and the main counts of a database file (a backup copy)."""
    from casebook.store.audit import GENESIS

    conn = sqlite.open_copy(database)
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
