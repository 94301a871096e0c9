"""Facade section: record versions for optimistic concurrency.

A record's version is the hash of the newest audit event about it (every save of a finding,
an evidence item, a relationship, a case or a firm appends one). An editor reads the version
with the record and passes it back as ``version=`` when it saves; the save compares it, under
the store's write lock, with the record's newest event, and refuses the save (``StaleVersion``,
"changed by alice at 14:02 — reload") when another analyst saved the record in between. No
version given: the save goes ahead (single-user code keeps working).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from casebook.core.errors import NotFound, StaleVersion, UsageError
from casebook.store import audit
from casebook.store import findings as finding_store
from casebook.store import models as m
from casebook.store import relationships as rel_store

#: The kinds of record that carry a version (the audit events' ``target_kind``).
VERSIONED = ("finding", "evidence", "relationship", "case", "firm")

#: The version of a record no event has touched yet.
UNTOUCHED = audit.GENESIS


def version_of(event: m.AuditEvent | None) -> str:
    return event.hash if event is not None else UNTOUCHED


def when(ts: str) -> str:
    """An event's time as the analyst reads it: local ``14:02`` today, else the date too."""
    try:
        moment = datetime.fromisoformat(ts).astimezone()
    except ValueError:
        return ts
    if moment.date() == datetime.now().astimezone().date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def _target(session: Session, kind: str, ref: str) -> tuple[str, int | None, str | None]:
    """A record's uid, the case it belongs to (id, ref) for the indexed look-up."""
    from casebook.book.cases import find_case  # these sections import this module
    from casebook.book.evidence import find_evidence
    from casebook.book.firms import find_firm

    if kind == "finding":
        finding = finding_store.get_finding(session, uid=ref)
        if finding is None:
            raise NotFound(f"no finding {ref!r}")
        return finding.uid, finding.case_id, None
    if kind == "relationship":
        rel = rel_store.get_relationship(session, uid=ref)
        if rel is None:
            raise NotFound(f"no relationship {ref!r}")
        return rel.uid, rel.case_id, None
    if kind == "evidence":
        evidence = find_evidence(session, ref)
        return evidence.uid, evidence.case_id, None
    if kind == "case":
        case = find_case(session, ref)
        return case.uid, case.id, case.ref
    if kind == "firm":
        return find_firm(session, ref)["uid"], None, None
    raise UsageError(f"no versioned record kind {kind!r}; use one of {', '.join(VERSIONED)}")


def check_version(
    session: Session,
    kind: str,
    uid: str,
    version: str | None,
    *,
    case_id: int | None = None,
    case_ref: str | None = None,
) -> None:
    """Refuse a save made on a stale version (inside the write transaction, so under the
    store's write lock: no other writer can slip in between the check and the save)."""
    if version is None:
        return
    event = audit.record_event(session, target_kind=kind, target_uid=uid, case_id=case_id)
    if version_of(event) == str(version).strip():
        return
    name = f"{kind} {case_ref}" if kind == "case" and case_ref else f"{kind} {uid[:8]}"
    if event is None:  # a version that was never this record's
        raise StaleVersion(
            f"{name} is not at version {str(version)[:12]} — reload",
            actor="",
            at="",
            case_ref=case_ref,
        )
    if case_ref is None:
        case_ref = audit.case_ref_of(session, event.case_id)
    raise StaleVersion(
        f"{name} was changed by {event.actor} at {when(event.ts)} — reload",
        actor=event.actor,
        at=event.ts,
        case_ref=case_ref,
    )


class VersionsSection:
    """The version an editor reads with a record and passes back when it saves."""

    def record_version(self, kind: str, ref: str) -> dict:
        """``{kind, uid, version, actor, at}``: a record's version and who made it, when."""
        with self._read() as session:
            uid, case_id, _ = _target(session, kind, ref)
            event = audit.record_event(session, target_kind=kind, target_uid=uid, case_id=case_id)
            return {
                "kind": kind,
                "uid": uid,
                "version": version_of(event),
                "actor": event.actor if event else None,
                "at": event.ts if event else None,
            }

    def _check_version(self, session: Session, kind: str, uid: str, version, **where) -> None:
        check_version(session, kind, uid, version, **where)
