"""Merging two firms and undoing it: the rows that move, recorded so a split can put them back.

Shipments need no record: ``exporter_orig_id``/``importer_orig_id`` keep the firm resolved at
import, so a split repoints every shipment whose original firm belongs to the restored firm.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from casebook.core.errors import Refused
from casebook.store import firms, rollups
from casebook.store.backend import current, raw_connection
from casebook.store.models import new_uid
from casebook.store.sqlite import timestamp

#: (table, firm column, columns that must stay unique together with the firm column)
_MOVABLE = (
    ("firmalias", "firm_id", ("name",)),
    ("firmidentifier", "firm_id", ("scheme", "value")),
    ("casefirm", "firm_id", ("case_id",)),
    ("screeninghit", "firm_id", ("entity_id", "case_id")),
    ("relationship", "from_firm_id", ()),
    ("relationship", "to_firm_id", ()),
    ("personlink", "from_firm_id", ()),
    ("personlink", "to_firm_id", ()),
)


def merge_firm_rows(session: Session, *, keep_id: int, other_id: int, actor: str) -> dict:
    """Move everything of ``other`` to ``keep``, mark ``other`` merged; returns what moved."""
    if keep_id == other_id or firms.creates_cycle(session, firm_id=other_id, into_id=keep_id):
        raise Refused("the merge would make a loop of merged firms; split one of them first")
    conn = raw_connection(session)
    moved: dict[str, list] = {}
    for table, column, unique in _MOVABLE:
        moved_ids, dropped = _move(conn, table, column, unique, keep_id, other_id)
        moved[f"{table}.{column}"] = moved_ids
        moved[f"{table}.{column}.dropped"] = dropped
    moved["evidencelink"] = _move_links(conn, keep_id, other_id)
    for column in ("exporter_id", "importer_id"):
        conn.execute(f"UPDATE shipment SET {column} = ? WHERE {column} = ?", (keep_id, other_id))
    rollups.merge_firms(session, keep_id=keep_id, other_id=other_id)
    conn.execute(
        "UPDATE mergesuggestion SET status = 'accepted' WHERE status = 'open' AND "
        "((firm_a_id = ? AND firm_b_id = ?) OR (firm_a_id = ? AND firm_b_id = ?))",
        (keep_id, other_id, other_id, keep_id),
    )
    conn.execute("UPDATE firm SET merged_into = ? WHERE id = ?", (keep_id, other_id))
    uid = new_uid()
    conn.execute(
        "INSERT INTO firmmerge (uid, keep_id, other_id, moved, created, actor) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (uid, keep_id, other_id, json.dumps(moved, default=str), timestamp(), actor),
    )
    return {"uid": uid, "moved": moved}


def _columns(conn, table: str) -> list[str]:
    return [column[0] for column in conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description]


def _move(conn, table, column, unique, keep_id, other_id) -> tuple[list[int], list[dict]]:
    """Repoint rows; rows that would duplicate one of ``keep`` are deleted and kept in full."""
    rows = conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (other_id,)).fetchall()
    moved, dropped = [], []
    names = _columns(conn, table)
    for (row_id,) in rows:
        if unique and _duplicate(conn, table, column, unique, keep_id, row_id):
            full = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
            dropped.append(dict(zip(names, full, strict=True)))
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        else:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (keep_id, row_id))
            moved.append(row_id)
    return moved, dropped


def _duplicate(conn, table, column, unique, keep_id, row_id) -> bool:
    same = current().null_equal
    match = " AND ".join(same(f"k.{c}", f"o.{c}") for c in unique)
    found = conn.execute(
        f"SELECT 1 FROM {table} AS k JOIN {table} AS o ON {match} "
        f"WHERE k.{column} = ? AND o.id = ? LIMIT 1",
        (keep_id, row_id),
    ).fetchone()
    return found is not None


def _move_links(conn, keep_id: int, other_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM evidencelink AS o WHERE target_kind = 'firm' AND target_id = ? AND NOT "
        "EXISTS (SELECT 1 FROM evidencelink AS k WHERE k.target_kind = 'firm' AND "
        "k.target_id = ? AND k.evidence_id = o.evidence_id)",
        (other_id, keep_id),
    ).fetchall()
    ids = [row_id for (row_id,) in rows]
    conn.executemany(
        "UPDATE evidencelink SET target_id = ? WHERE id = ?", [(keep_id, i) for i in ids]
    )
    return ids


def latest_merge(session: Session, *, firm_id: int, as_other: bool) -> dict | None:
    """The newest merge not yet undone in which the firm was merged away (or kept)."""
    column = "other_id" if as_other else "keep_id"
    row = (
        raw_connection(session)
        .execute(
            f"SELECT id, uid, keep_id, other_id, moved FROM firmmerge WHERE {column} = ? "
            "AND undone IS NULL ORDER BY id DESC LIMIT 1",
            (firm_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    moved = row[4] if isinstance(row[4], dict) else json.loads(row[4] or "{}")
    return {"id": row[0], "uid": row[1], "keep_id": row[2], "other_id": row[3], "moved": moved}


def split_firm_rows(session: Session, *, merge: dict) -> None:
    """Undo a recorded merge: the merged firm gets back what it brought."""
    conn = raw_connection(session)
    keep_id, other_id, moved = merge["keep_id"], merge["other_id"], merge["moved"]
    conn.execute("UPDATE firm SET merged_into = NULL WHERE id = ?", (other_id,))
    for table, column, _ in _MOVABLE:
        ids = moved.get(f"{table}.{column}", [])
        conn.executemany(
            f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} = ?",
            [(other_id, i, keep_id) for i in ids],
        )
        for row in moved.get(f"{table}.{column}.dropped", []):
            row = {**row, column: other_id}
            names = ", ".join(row)
            conn.execute(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))}) "
                "ON CONFLICT DO NOTHING",
                list(row.values()),
            )
    conn.executemany(
        "UPDATE evidencelink SET target_id = ? WHERE id = ? AND target_id = ?",
        [(other_id, i, keep_id) for i in moved.get("evidencelink", [])],
    )
    _restore_shipments(conn, keep_id, other_id)
    rollups.rebuild_firms(session, firm_ids=(keep_id, other_id))
    conn.execute("UPDATE firmmerge SET undone = ? WHERE id = ?", (timestamp(), merge["id"]))


def _restore_shipments(conn, keep_id: int, other_id: int) -> None:
    """Shipments first resolved to the restored firm (or firms merged into it) go back to it."""
    family = _merged_into(conn, other_id)
    marks = ", ".join("?" * len(family))
    for column, orig in (("exporter_id", "exporter_orig_id"), ("importer_id", "importer_orig_id")):
        conn.execute(
            f"UPDATE shipment SET {column} = ? WHERE {column} = ? AND {orig} IN ({marks})",
            (other_id, keep_id, *family),
        )


def _merged_into(conn, firm_id: int) -> list[int]:
    """The firm and every firm merged into it, directly or through others."""
    family, frontier = [firm_id], [firm_id]
    while frontier:
        marks = ", ".join("?" * len(frontier))
        frontier = [
            fid
            for (fid,) in conn.execute(
                f"SELECT id FROM firm WHERE merged_into IN ({marks})", frontier
            )
        ]
        family += frontier
    return family
