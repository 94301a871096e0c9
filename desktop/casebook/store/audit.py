"""The audit chain: every change is an event that hashes the one before it.

Events are appended inside the caller's write transaction (which holds SQLite's write lock from
its first statement, or the server's write advisory lock), so two writers cannot both append
after the same head. On a server a role reads only the events of the cases it may see (row-level
security): the head and the links of the whole chain come from the server's SECURITY DEFINER
functions (hashes only), so appends stay linear and ``verify`` checks every link.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, or_, select

from casebook.store import backend
from casebook.store.models import AuditEvent, Case, CaseFirm, Firm

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """The JSON text that is hashed: sorted keys, no spaces, Unicode kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the event's content and the previous event's hash."""
    body = {
        "prev": event.prev_hash,
        "uid": event.uid,
        "ts": event.ts,
        "actor": event.actor,
        "action": event.action,
        "target_kind": event.target_kind,
        "target_uid": event.target_uid,
        "case_id": event.case_id,
        "before": event.before,
        "after": event.after,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def head_hash(session: Session) -> str:
    """The hash of the newest event (the genesis value for an empty chain)."""
    if backend.is_server(session):
        from casebook.store import team

        return team.audit_head(session)
    last = session.exec(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return last or GENESIS


def case_head_hash(session: Session, *, case_id: int) -> str:
    """The hash of the newest event that changed what a case holds (the genesis value when
    none did): its own events, and those on a firm that takes part in it (firms are shared by
    cases, so a merge or split carries no case). Another case's changes leave it as it was."""
    case_firms = (
        select(Firm.uid)
        .join(CaseFirm, CaseFirm.firm_id == Firm.id)
        .where(CaseFirm.case_id == case_id)
    )
    query = (
        select(AuditEvent.hash)
        .where(
            or_(
                AuditEvent.case_id == case_id,
                (AuditEvent.target_kind == "firm") & AuditEvent.target_uid.in_(case_firms),
            )
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return session.exec(query).first() or GENESIS


def record_event(
    session: Session, *, target_kind: str, target_uid: str, case_id: int | None = None
) -> AuditEvent | None:
    """The newest event about one record (a finding, an evidence item, a case …): its hash is
    the record's version, which a save compares with the version its editor read. ``case_id``
    narrows the search to the case's events (indexed)."""
    query = select(AuditEvent).where(
        AuditEvent.target_kind == target_kind, AuditEvent.target_uid == target_uid
    )
    if case_id is not None:
        query = query.where(AuditEvent.case_id == case_id)
    return session.exec(query.order_by(AuditEvent.id.desc()).limit(1)).first()


def case_ref_of(session: Session, case_id: int | None) -> str | None:
    """The ref of the case an event belongs to (None for none, or one gone since)."""
    case = session.get(Case, case_id) if case_id is not None else None
    return case.ref if case is not None else None


def record_versions(session: Session, *, target_kind: str, case_id: int) -> dict[str, str]:
    """The hash of the newest event of each record of one kind in a case, by the record's uid."""
    newest: dict[str, str] = {}
    query = (
        select(AuditEvent.target_uid, AuditEvent.hash)
        .where(AuditEvent.case_id == case_id, AuditEvent.target_kind == target_kind)
        .order_by(AuditEvent.id)
    )
    for uid, digest in session.exec(query):
        if uid:
            newest[uid] = digest
    return newest


def last_event(session: Session, *, case_id: int, action: str) -> AuditEvent | None:
    """A case's newest event of ``action`` (e.g. its last screening run)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case_id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return session.exec(query).first()


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    target_kind: str,
    target_uid: str | None = None,
    case_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain within the session's transaction."""
    event = AuditEvent(
        ts=datetime.now(UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        target_kind=target_kind,
        target_uid=target_uid,
        case_id=case_id,
        before=json.loads(canonical(before)) if before is not None else None,
        after=json.loads(canonical(after)) if after is not None else None,
        prev_hash=head_hash(session),
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    backend.of(session).announce(session, case_id)
    return event


def chain_problems(session: Session) -> list[dict]:
    """Every break in the chain: an event whose hash or link does not match."""
    problems = []
    prev = GENESIS
    if backend.is_server(session):  # every link; the content of the events the role may read
        from casebook.store import team

        for id_, prev_hash, hash_ in team.audit_links(session):
            if prev_hash != prev:
                problems.append(
                    {
                        "kind": "audit",
                        "ref": f"event {id_}",
                        "detail": f"audit event {id_}: does not link to the event before it",
                    }
                )
            prev = hash_
        for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
            if event_hash(event) != event.hash:
                problems.append(_problem(event, "content does not match its hash (edited)"))
        return problems
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != prev:
            problems.append(_problem(event, "does not link to the event before it"))
        elif event_hash(event) != event.hash:
            problems.append(_problem(event, "content does not match its hash (edited)"))
        prev = event.hash
    return problems


def _problem(event: AuditEvent, detail: str) -> dict:
    return {
        "kind": "audit",
        "ref": f"event {event.id} ({event.uid})",
        "detail": f"audit event {event.id} '{event.action}' at {event.ts}: {detail}",
    }
