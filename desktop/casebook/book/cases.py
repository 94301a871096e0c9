"""Facade section: cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session

from casebook.book.case_list import case_info, case_json, iso  # noqa: F401 (their home before)
from casebook.book.versions import check_version
from casebook.core.cases import CaseInfo
from casebook.core.domain import CASE_STATUSES, PRIORITIES, clean_choice
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.standards import Marking, clean_marking
from casebook.store import audit, backend, team
from casebook.store import cases as store
from casebook.store import models as m

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
TITLE_MAX = 300
EDITABLE = ("title", "summary", "status", "priority", "marking")


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
    """The case with this ref (or uid); NotFound otherwise. For facade sections working
    inside a unit of work."""
    case = store.get_case(session, ref=ref)
    if case is None:  # on a server: also a case the role may not see (no existence leak)
        raise NotFound(f"no case {ref!r}")
    check_writable(session, case.id)
    return case


def check_writable(session: Session, case_id: int | None) -> None:
    """Inside a write on a server, refuse a case the role may only read ("read-only access to
    REF"), before the server's row-level security refuses the statement in its own words."""
    if case_id is None or not (session.info.get("writing") and backend.is_server(session)):
        return
    if team.access(session, case_id=case_id) not in ("owner", "editor"):
        raise Refused(f"read-only access to {audit.case_ref_of(session, case_id)}")


def next_ref(session: Session, year: int) -> str:
    """The next free default reference ``CB-YYYY-NNN``."""
    prefix = f"CB-{year}-"
    refs = store.refs_starting(session, prefix=prefix)
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
    ) -> CaseInfo:
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
            if backend.is_server(session) and not team.may_write(session):
                raise Refused("read-only access: a viewer creates no case")
            ref = ref.strip() if ref else next_ref(session, datetime.now(UTC).year)
            if store.ref_taken(session, ref=ref):
                raise Refused(f"a case with reference {ref} already exists")
            case = store.add_case(session, ref=ref, **fields)
            self._audit(
                session,
                "case.create",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                after=case_json(case),
            )
            return case_info(case)

    def get_case(self, ref: str) -> CaseInfo:
        """The case with this ref or uid."""
        with self._read() as session:
            return case_info(find_case(session, ref))

    def edit_case(self, ref: str, *, version: str | None = None, **changes) -> CaseInfo:
        """Change some of a case's title, summary, status, priority and marking; with
        ``version`` (``record_version("case", ref)``), refused when another analyst saved the
        case since (``StaleVersion``)."""
        clean = validate_case_fields({k: v for k, v in changes.items() if v is not None})
        with self._write() as session:
            case = find_case(session, ref)
            check_version(session, "case", case.uid, version, case_id=case.id, case_ref=case.ref)
            before = case_json(case)
            changed = {k: v for k, v in clean.items() if getattr(case, k) != v}
            if not changed:
                return case_info(case)
            store.update_case(session, case=case, changes=changed)
            self._audit(
                session,
                "case.edit",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                before=before,
                after=case_json(case),
            )
            return case_info(case)

    def archive_case(self, ref: str) -> CaseInfo:
        """Archive a case (it stays in the store, read-only by convention)."""
        return self.edit_case(ref, status="archived")

    def delete_case(self, ref: str) -> None:
        """Delete an empty case (used to undo its creation); a case with data is refused."""
        with self._write() as session:
            case = find_case(session, ref)
            counts = store.count_records(session, case_id=case.id)
            if any(counts.values()):
                held = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
                raise Refused(f"case {case.ref} holds data ({held}); archive it instead")
            before = case_json(case)
            store.delete_case(session, case=case)
            self._audit(session, "case.delete", "case", target_uid=before["uid"], before=before)

    def case_head_hash(self, ref: str) -> str:
        """The audit head of one case: it moves when this case's data changes, and only then
        (a briefing printed under another head may no longer say what the case holds)."""
        with self._read() as session:
            return audit.case_head_hash(session, case_id=find_case(session, ref).id)

    def case_counts(self, ref: str) -> dict[str, int]:
        """How many datasets, shipments, firms, evidence items, findings and hits a case has."""
        with self._read() as session:
            return store.count_records(session, case_id=find_case(session, ref).id)
