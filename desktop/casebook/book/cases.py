"""Facade section: cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.core.domain import CASE_STATUSES, PRIORITIES, clean_choice
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.standards import Marking, clean_marking
from casebook.store import models as m

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
TITLE_MAX = 300
EDITABLE = ("title", "summary", "status", "priority", "marking")


def iso(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 UTC with a ``Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def case_json(case: m.Case) -> dict:
    """The JSON shape of a case (DESIGN.md)."""
    return {
        "uid": case.uid,
        "ref": case.ref,
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "priority": case.priority,
        "marking": case.marking,
        "created": iso(case.created),
        "updated": iso(case.updated),
    }


def validate_case_fields(fields: dict) -> dict:
    """Clean the editable fields of a case; raise UsageError naming the bad one."""
    clean = {}
    for name, value in fields.items():
        if name == "title":
            title = " ".join(str(value or "").split())
            if not title:
                raise UsageError("a case needs a title")
            if len(title) > TITLE_MAX:
                raise UsageError(f"title is longer than {TITLE_MAX} characters")
            clean[name] = title
        elif name == "summary":
            clean[name] = str(value or "").strip()
        elif name == "status":
            clean[name] = _choice(value, CASE_STATUSES, "status")
        elif name == "priority":
            clean[name] = _choice(value, PRIORITIES, "priority")
        elif name == "marking":
            marking = clean_marking(value)
            if marking is None:
                raise UsageError(f"unknown marking {value!r}; use one of {_markings()}")
            clean[name] = marking.label
        else:
            raise UsageError(f"a case has no field {name!r}")
    return clean


def _choice(value: object, choices: tuple[str, ...], what: str) -> str:
    choice = clean_choice(value, choices)
    if choice is None:
        raise UsageError(f"unknown {what} {value!r}; use one of {', '.join(choices)}")
    return choice


def _markings() -> str:
    return ", ".join(mk.label for mk in Marking)


def find_case(session: Session, ref: str) -> m.Case:
    """The case with this ref (or uid); NotFound otherwise."""
    case = session.exec(select(m.Case).where(m.Case.ref == ref)).first()
    if case is None:
        case = session.exec(select(m.Case).where(m.Case.uid == ref)).first()
    if case is None:
        raise NotFound(f"no case {ref!r}")
    return case


def next_ref(session: Session, year: int) -> str:
    """The next free default reference ``CB-YYYY-NNN``."""
    prefix = f"CB-{year}-"
    refs = session.exec(select(m.Case.ref).where(m.Case.ref.startswith(prefix))).all()
    numbers = [int(r[len(prefix) :]) for r in refs if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


class CasesSection:
    """Create, show, edit, list, archive and delete cases."""

    def create_case(
        self,
        *,
        title: str,
        ref: str | None = None,
        marking: str | None = None,
        summary: str = "",
        priority: str = "medium",
        status: str = "open",
    ) -> m.Case:
        """Create a case; the ref defaults to the next ``CB-YYYY-NNN``."""
        fields = validate_case_fields(
            {
                "title": title,
                "summary": summary,
                "priority": priority,
                "status": status,
                "marking": marking or Marking.AMBER.label,
            }
        )
        if ref is not None and not REF_RE.match(ref.strip()):
            raise UsageError(
                f"invalid case reference {ref!r}: letters, digits and . _ / - only, at most 40"
            )
        with self._write() as session:
            ref = ref.strip() if ref else next_ref(session, datetime.now(UTC).year)
            if session.exec(select(m.Case.id).where(m.Case.ref == ref)).first():
                raise Refused(f"a case with reference {ref} already exists")
            case = m.Case(ref=ref, **fields)
            session.add(case)
            session.flush()
            self._audit(
                session,
                "case.create",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                after=case_json(case),
            )
        return case

    def list_cases(self, *, include_archived: bool = True) -> list[m.Case]:
        """Every case, newest first."""
        with self._read() as session:
            query = select(m.Case).order_by(m.Case.created.desc(), m.Case.id.desc())
            if not include_archived:
                query = query.where(m.Case.status != "archived")
            return list(session.exec(query))

    def get_case(self, ref: str) -> m.Case:
        """The case with this ref or uid."""
        with self._read() as session:
            return find_case(session, ref)

    def edit_case(self, ref: str, **changes) -> m.Case:
        """Change some of a case's title, summary, status, priority and marking."""
        clean = validate_case_fields({k: v for k, v in changes.items() if v is not None})
        with self._write() as session:
            case = find_case(session, ref)
            before = case_json(case)
            for name, value in clean.items():
                setattr(case, name, value)
            if case_json(case) == before:
                return case
            case.updated = m.utcnow()
            session.add(case)
            session.flush()
            self._audit(
                session,
                "case.edit",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                before=before,
                after=case_json(case),
            )
        return case

    def archive_case(self, ref: str) -> m.Case:
        """Archive a case (it stays in the store, read-only by convention)."""
        return self.edit_case(ref, status="archived")

    def delete_case(self, ref: str) -> None:
        """Delete an empty case (used to undo its creation); a case with data is refused."""
        with self._write() as session:
            case = find_case(session, ref)
            counts = _counts(session, case.id)
            if any(counts.values()):
                held = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
                raise Refused(f"case {case.ref} holds data ({held}); archive it instead")
            before = case_json(case)
            for setting in session.exec(
                select(m.CaseSetting).where(m.CaseSetting.case_id == case.id)
            ):
                session.delete(setting)
            session.delete(case)
            session.flush()
            self._audit(session, "case.delete", "case", target_uid=before["uid"], before=before)

    def case_counts(self, ref: str) -> dict[str, int]:
        """How many datasets, shipments, firms, evidence items, findings and hits a case has."""
        with self._read() as session:
            return _counts(session, find_case(session, ref).id)


def _counts(session: Session, case_id: int) -> dict[str, int]:
    def count(model, column) -> int:
        return session.exec(select(func.count()).select_from(model).where(column == case_id)).one()

    return {
        "datasets": count(m.Dataset, m.Dataset.case_id),
        "shipments": count(m.Shipment, m.Shipment.case_id),
        "firms": count(m.CaseFirm, m.CaseFirm.case_id),
        "evidence": count(m.Evidence, m.Evidence.case_id),
        "findings": count(m.Finding, m.Finding.case_id),
        "relationships": count(m.Relationship, m.Relationship.case_id),
        "hits": count(m.ScreeningHit, m.ScreeningHit.case_id),
    }
