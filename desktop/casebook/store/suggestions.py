"""The Firms tab's queries: the case's firms with their roles and details, and the queue of
merge suggestions (pairs of firms that may be one) with their status."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session


def _rows(session: Session, sql: str, params: dict) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(sql), params)]


def case_firm_roles(session: Session, *, case_id: int) -> dict[str, tuple]:
    """``{uid: (native name, role, firm id)}`` of the case's firms."""
    sql = (
        "SELECT f.uid, f.native_name, l.role, f.id FROM casefirm AS l "
        "JOIN firm AS f ON f.id = l.firm_id WHERE l.case_id = :c"
    )
    return {
        uid: (native, role, fid) for uid, native, role, fid in _rows(session, sql, {"c": case_id})
    }


def firm_details(session: Session, *, ids: Sequence[int]) -> dict[int, dict]:
    """``{firm id: {countries, identifiers, merges}}``: every country its aliases were seen in,
    its identifiers as ``scheme: value`` (first added first), how many firms merged into it."""
    out = {int(i): {"countries": set(), "identifiers": [], "merges": 0} for i in ids}
    if not out:
        return out
    marks = ", ".join(str(i) for i in out)
    for fid, country in _rows(
        session, f"SELECT firm_id, country FROM firmalias WHERE firm_id IN ({marks})", {}
    ):
        if country:
            out[fid]["countries"].add(country)
    sql = (
        f"SELECT firm_id, scheme, value FROM firmidentifier WHERE firm_id IN ({marks}) ORDER BY id"
    )
    for fid, scheme, value in _rows(session, sql, {}):
        out[fid]["identifiers"].append(f"{scheme}: {value}")
    sql = (
        "SELECT keep_id, count(*) FROM firmmerge WHERE undone IS NULL "
        f"AND keep_id IN ({marks}) GROUP BY keep_id"
    )
    for fid, count in _rows(session, sql, {}):
        out[fid]["merges"] = count
    return out


def suggestion_rows(session: Session, *, case_id: int, status: str | None) -> list[tuple]:
    """Suggestions among the case's firms (of this status, or all), best score first: ``(id,
    score, reason, status, a uid, name, native name, country, merged_into, b …)``."""
    sql = (
        "SELECT s.id, s.score, s.reason, s.status, "
        "a.uid, a.name, a.native_name, a.country, a.merged_into, "
        "b.uid, b.name, b.native_name, b.country, b.merged_into "
        "FROM mergesuggestion AS s JOIN firm AS a ON a.id = s.firm_a_id "
        "JOIN firm AS b ON b.id = s.firm_b_id "
        "WHERE (s.case_id = :c OR s.firm_a_id IN (SELECT firm_id FROM casefirm "
        "WHERE case_id = :c) OR s.firm_b_id IN (SELECT firm_id FROM casefirm "
        "WHERE case_id = :c))"
    )
    params: dict = {"c": case_id}
    if status:
        sql += " AND s.status = :s"
        params["s"] = status
    return _rows(session, sql + " ORDER BY s.score DESC, s.id", params)


def suggestion_pair(session: Session, *, suggestion_id: int) -> dict | None:
    """``{a, b, status}`` (the firms' uids) of a suggestion, or None."""
    sql = (
        "SELECT a.uid, b.uid, s.status FROM mergesuggestion AS s "
        "JOIN firm AS a ON a.id = s.firm_a_id JOIN firm AS b ON b.id = s.firm_b_id "
        "WHERE s.id = :id"
    )
    found = _rows(session, sql, {"id": suggestion_id})
    return {"a": found[0][0], "b": found[0][1], "status": found[0][2]} if found else None


def merged_uid(session: Session, *, uids: Sequence[str]) -> str | None:
    """The uid of one of these firms that is merged into another, or None."""
    marks = ", ".join(f":u{i}" for i in range(len(uids)))
    sql = f"SELECT uid FROM firm WHERE uid IN ({marks}) AND merged_into IS NOT NULL"
    found = _rows(session, sql, {f"u{i}": u for i, u in enumerate(uids)})
    return found[0][0] if found else None


def set_status(session: Session, *, suggestion_id: int, status: str) -> tuple[int | None, str]:
    """Set a suggestion's status; returns ``(its case id, the status before)``."""
    params = {"id": suggestion_id}
    case_id, before = _rows(
        session, "SELECT case_id, status FROM mergesuggestion WHERE id = :id", params
    )[0]
    session.execute(
        text("UPDATE mergesuggestion SET status = :s WHERE id = :id"), {**params, "s": status}
    )
    return case_id, before
