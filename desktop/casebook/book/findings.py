"""Facade section: relationships between firms, the case's findings (key judgments), and
deleting a firm (which asks first when evidence supports it)."""

from __future__ import annotations

import re

from sqlmodel import Session

from casebook.book.cases import check_writable, find_case, iso
from casebook.book.evidence import find_evidence, grade_of
from casebook.book.firms import find_firm
from casebook.book.links import evidence_for, relationship_label
from casebook.book.versions import UNTOUCHED, check_version
from casebook.core.dates import clean_date
from casebook.core.domain import RELATIONSHIP_KINDS, clean_choice
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.standards import Likelihood, clean_confidence, clean_likelihood
from casebook.store import findings as store
from casebook.store import firms as firm_store
from casebook.store import models as m
from casebook.store import relationships as rel_store
from casebook.store.audit import record_versions

TEXT_MAX = 4000

# Every ICD 203 term, longest first so "very likely" is found before "likely".
_TERMS = sorted(
    [(t.term, "primary") for t in Likelihood]
    + [(t.alternative, "alternative") for t in Likelihood],
    key=lambda pair: -len(pair[0]),
)
_TERM_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(term) for term, _ in _TERMS) + r")(?![\w-])",
    re.IGNORECASE,
)
_VOCABULARY = dict(_TERMS)
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+")


def estimative_terms(text: str) -> list[tuple[str, str]]:
    """The ICD 203 terms in a text, each with its vocabulary (``primary`` / ``alternative``)."""
    return [(t.lower(), _VOCABULARY[t.lower()]) for t in _TERM_RE.findall(text or "")]


def finding_warnings(*, text: str, likelihood: str | None, grades: list[str | None]) -> list[str]:
    """What the findings editor warns about: no graded evidence, mixed ICD 203 vocabularies,
    confidence stated in the same sentence as a likelihood term."""
    warnings = []
    if not any(grades):
        warnings.append("no graded evidence supports this finding")
    used = {vocab for _, vocab in estimative_terms(text)}
    if likelihood in _VOCABULARY:
        used |= {_VOCABULARY[likelihood]}
    if len(used) > 1:
        warnings.append(
            "mixes the two ICD 203 vocabularies (e.g. 'likely' with 'highly probable'); "
            "use one row's terms consistently"
        )
    for sentence in _SENTENCE_RE.split(text or ""):
        if "confidence" in sentence.lower() and estimative_terms(sentence):
            warnings.append(
                "states confidence in the same sentence as a likelihood term; keep them apart"
            )
            break
    return warnings


def relationship_json(session: Session, rel: m.Relationship) -> dict:
    """The JSON shape of a relationship."""
    first = firm_store.firm_by_id(session, firm_id=rel.from_firm_id) or {}
    second = firm_store.firm_by_id(session, firm_id=rel.to_firm_id) or {}
    return {
        "uid": rel.uid,
        "from_uid": first.get("uid"),
        "from_name": first.get("name"),
        "to_uid": second.get("uid"),
        "to_name": second.get("name"),
        "kind": rel.kind,
        "share": rel.share,
        "start": rel.start,
        "end": rel.end,
        "notes": rel.notes,
        "label": relationship_label(session, rel),
        "evidence": _evidence_refs(session, "relationship", rel.id),
    }


def finding_json(session: Session, finding: m.Finding) -> dict:
    """The JSON shape of a finding, with its evidence and grades, and the editor's warnings."""
    evidence = _evidence_refs(session, "finding", finding.id)
    return {
        "uid": finding.uid,
        "position": finding.position,
        "text": finding.text,
        "likelihood": finding.likelihood,
        "confidence": finding.confidence,
        "evidence": evidence,
        "warnings": finding_warnings(
            text=finding.text,
            likelihood=finding.likelihood,
            grades=[e["grade"] for e in evidence],
        ),
        "created": iso(finding.created),
        "updated": iso(finding.updated),
    }


def _evidence_refs(session: Session, kind: str, target_id: int) -> list[dict]:
    return [
        {"id": f"E{e.number}", "uid": e.uid, "title": e.title, "grade": grade_of(e), "note": note}
        for e, note in evidence_for(session, kind, target_id)
    ]


def _likelihood_term(value: object) -> str:
    """The ICD 203 term as the analyst chose it (either vocabulary), normalised."""
    likelihood = clean_likelihood(value)
    if likelihood is None:
        terms = ", ".join(t.term for t in Likelihood)
        raise UsageError(f"unknown likelihood {value!r}; use an ICD 203 term: {terms}")
    phrase = " ".join(str(value).split()).lower()
    return likelihood.alternative if phrase == likelihood.alternative else likelihood.term


def _confidence(value: object) -> str:
    confidence = clean_confidence(value)
    if confidence is None:
        raise UsageError(f"unknown confidence {value!r}; use low, moderate or high")
    return confidence.value


def _judgment(value: object) -> str:
    text = str(value or "").strip()
    if not text:
        raise UsageError("a finding needs text")
    if len(text) > TEXT_MAX:
        raise UsageError(f"a finding is longer than {TEXT_MAX} characters")
    return text


def clean_relationship_fields(fields: dict) -> dict:
    """Clean kind, share (percent 0–100), start, end and notes; UsageError on a bad one."""
    clean: dict = {}
    for name, value in fields.items():
        if name == "kind":
            kind = clean_choice(value, RELATIONSHIP_KINDS)
            if kind is None:
                raise UsageError(
                    f"unknown relationship kind {value!r}; use one of {', '.join(RELATIONSHIP_KINDS)}"
                )
            clean["kind"] = kind
        elif name == "share":
            clean["share"] = _share(value)
        elif name in ("start", "end"):
            clean[name] = _date(value, name)
        elif name == "notes":
            clean["notes"] = str(value or "").strip()
        else:
            raise UsageError(f"a relationship has no field {name!r}")
    dates = {"start": None, "end": None} | clean
    if dates["start"] and dates["end"] and dates["end"] < dates["start"]:
        raise UsageError("a relationship cannot end before it starts")
    return clean


def _share(value: object) -> float | None:
    if value in (None, ""):
        return None
    try:
        share = float(str(value).strip().rstrip("%").replace(",", "."))
    except ValueError as exc:
        raise UsageError(f"share {value!r} is not a percentage") from exc
    if not 0 <= share <= 100:
        raise UsageError(f"share {value!r} must be a percentage from 0 to 100")
    return share


def _date(value: object, name: str) -> str | None:
    if value in (None, ""):
        return None
    day = clean_date(value)
    if day is None:
        raise UsageError(f"{name} date {value!r} is not a date (YYYY-MM-DD)")
    return day.isoformat()


def _found(row, what: str, uid: str):
    if row is None:
        raise NotFound(f"no {what} {uid!r}")
    return row


class FindingsSection:
    """Relationships between firms, findings with ICD 203 language, and deleting a firm."""

    # --- relationships -------------------------------------------------------------------

    def add_relationship(
        self,
        *,
        case_ref: str,
        from_uid: str,
        to_uid: str,
        kind: str,
        share: float | str | None = None,
        start: str | None = None,
        end: str | None = None,
        notes: str = "",
        evidence: list[str] = (),
    ) -> dict:
        """Record a link between two firms in a case, optionally with supporting evidence; with
        a person at either end, a person link (``add_person_link``)."""
        if self.is_person(from_uid) or self.is_person(to_uid):
            fields = clean_relationship_fields(
                {"share": share, "start": start, "end": end, "notes": notes}
            )
            return self.add_person_link(
                case_ref=case_ref,
                from_uid=from_uid,
                to_uid=to_uid,
                kind=kind,
                fields=fields,
                evidence=evidence,
            )
        fields = clean_relationship_fields(
            {"kind": kind, "share": share, "start": start, "end": end, "notes": notes}
        )
        if fields["share"] is not None and fields["kind"] != "ownership":
            raise UsageError("a share is given only for an ownership relationship")
        with self._write() as session:
            case = find_case(session, case_ref)
            first, second = find_firm(session, from_uid), find_firm(session, to_uid)
            if first["id"] == second["id"]:
                raise UsageError("a relationship needs two different firms")
            rel = rel_store.add_relationship(
                session,
                case_id=case.id,
                from_firm_id=first["id"],
                to_firm_id=second["id"],
                **fields,
            )
            self._audit_record(
                session, "relationship.add", rel, after=relationship_json(session, rel)
            )
            self._link_all(session, case.id, list(evidence), "relationship", rel.uid)
            return relationship_json(session, rel)

    def list_relationships(self, *, case_ref: str, versions: bool = False) -> list[dict]:
        """A case's relationships, oldest first; with ``versions``, each with the ``version``
        an editor passes back when it saves (read in the same transaction)."""
        with self._read() as session:
            case = find_case(session, case_ref)
            rels = [
                relationship_json(session, r)
                for r in rel_store.list_relationships(session, case_id=case.id)
            ]
            if versions:
                _add_versions(session, rels, "relationship", case.id)
            return rels

    def edit_relationship(self, uid: str, *, version: str | None = None, **changes) -> dict:
        """Change kind, share, start, end or notes of a relationship; with ``version`` (as
        listed), refused when another analyst saved it since (``StaleVersion``). A person link
        (a person at an end) is changed by ``edit_person_link``; its kind is a person kind."""
        given = {k: v for k, v in changes.items() if v is not None}
        if self.is_person_link(uid):
            kind = given.pop("kind", None)
            clean = clean_relationship_fields(given)
            return self.edit_person_link(uid, fields=clean | ({"kind": kind} if kind else {}))
        clean = clean_relationship_fields(given)
        with self._write() as session:
            rel = _found(rel_store.get_relationship(session, uid=uid), "relationship", uid)
            check_writable(session, rel.case_id)
            check_version(session, "relationship", rel.uid, version, case_id=rel.case_id)
            before = relationship_json(session, rel)
            changed = {"share": rel.share, "kind": rel.kind} | clean
            if changed["share"] is not None and changed["kind"] != "ownership":
                raise UsageError("a share is given only for an ownership relationship")
            rel_store.update_relationship(session, relationship=rel, fields=clean)
            after = relationship_json(session, rel)
            if after != before:
                self._audit_record(session, "relationship.edit", rel, before=before, after=after)
            return after

    def delete_relationship(self, uid: str, *, version: str | None = None) -> dict:
        """Delete a relationship (or a person link) and its evidence links; returns what was
        deleted."""
        if self.is_person_link(uid):
            return self.delete_person_link(uid)
        with self._write() as session:
            rel = _found(rel_store.get_relationship(session, uid=uid), "relationship", uid)
            check_writable(session, rel.case_id)
            check_version(session, "relationship", rel.uid, version, case_id=rel.case_id)
            before = relationship_json(session, rel)
            rel_store.delete_relationship(session, relationship=rel)
            self._audit_record(session, "relationship.delete", rel, before=before)
            return before

    # --- findings ------------------------------------------------------------------------

    def add_finding(
        self,
        *,
        case_ref: str,
        text: str,
        likelihood: str,
        confidence: str,
        evidence: list[str] = (),
    ) -> dict:
        """Add a key judgment at the end of the case's list; ``evidence``: ``E3`` or uids."""
        fields = {
            "text": _judgment(text),
            "likelihood": _likelihood_term(likelihood),
            "confidence": _confidence(confidence),
        }
        with self._write() as session:
            case = find_case(session, case_ref)
            finding = store.add_finding(session, case_id=case.id, **fields)
            self._audit_record(session, "finding.add", finding, after=_finding_audit(finding))
            self._link_all(session, case.id, list(evidence), "finding", finding.uid)
            return finding_json(session, finding)

    def list_findings(self, *, case_ref: str, versions: bool = False) -> list[dict]:
        """A case's findings in order, each with its evidence, grades and warnings; with
        ``versions``, each with the ``version`` an editor passes back when it saves."""
        with self._read() as session:
            case = find_case(session, case_ref)
            findings = [
                finding_json(session, f) for f in store.list_findings(session, case_id=case.id)
            ]
            if versions:
                _add_versions(session, findings, "finding", case.id)
            return findings

    def edit_finding(
        self,
        uid: str,
        *,
        text: str | None = None,
        likelihood: str | None = None,
        confidence: str | None = None,
        version: str | None = None,
    ) -> dict:
        """Change a finding's text, likelihood or confidence; with ``version`` (as listed),
        refused when another analyst saved the finding since (``StaleVersion``)."""
        clean = {}
        if text is not None:
            clean["text"] = _judgment(text)
        if likelihood is not None:
            clean["likelihood"] = _likelihood_term(likelihood)
        if confidence is not None:
            clean["confidence"] = _confidence(confidence)
        with self._write() as session:
            finding = _found(store.get_finding(session, uid=uid), "finding", uid)
            check_writable(session, finding.case_id)
            check_version(session, "finding", finding.uid, version, case_id=finding.case_id)
            before = _finding_audit(finding)
            if _finding_audit(finding) | clean != before:
                store.update_finding(session, finding=finding, fields=clean)
                self._audit_record(
                    session, "finding.edit", finding, before=before, after=_finding_audit(finding)
                )
            return finding_json(session, finding)

    def move_finding(self, uid: str, *, position: int) -> list[dict]:
        """Move a finding to ``position`` (1 = first); returns the case's findings in order."""
        with self._write() as session:
            finding = _found(store.get_finding(session, uid=uid), "finding", uid)
            check_writable(session, finding.case_id)
            findings = store.list_findings(session, case_id=finding.case_id)
            ordered = [f for f in findings if f.id != finding.id]
            if not 1 <= position <= len(ordered) + 1:
                raise UsageError(f"position must be from 1 to {len(ordered) + 1}")
            before = finding.position
            ordered[position - 1 : position - 1] = [finding]
            store.renumber_findings(session, findings=ordered)
            if before != finding.position:
                self._audit_record(
                    session,
                    "finding.move",
                    finding,
                    before={"position": before},
                    after={"position": finding.position},
                )
            return [finding_json(session, f) for f in ordered]

    def delete_finding(self, uid: str, *, version: str | None = None) -> dict:
        """Delete a finding and its evidence links; later findings move up."""
        with self._write() as session:
            finding = _found(store.get_finding(session, uid=uid), "finding", uid)
            check_writable(session, finding.case_id)
            check_version(session, "finding", finding.uid, version, case_id=finding.case_id)
            before = finding_json(session, finding)
            store.delete_finding(session, finding=finding)
            self._audit_record(session, "finding.delete", finding, before=before)
            return before

    def _link_all(self, session, case_id: int, refs: list[str], kind: str, uid: str) -> None:
        for ref in refs:
            evidence = find_evidence(session, ref, case_id=case_id)
            self._link(session, evidence, kind, uid)

    def _audit_record(self, session, action: str, record, *, before=None, after=None) -> None:
        kind = action.split(".")[0]
        self._audit(
            session,
            action,
            kind,
            target_uid=record.uid,
            case_id=record.case_id,
            before=before,
            after=after,
        )

    # --- firms ---------------------------------------------------------------------------

    def firm_delete_impact(self, uid: str) -> dict:
        """What deleting a firm would remove or is blocked by (the GUI asks with this)."""
        with self._read() as session:
            return _impact(session, find_firm(session, uid))

    def delete_firm(self, uid: str, *, confirm: bool = False) -> dict:
        """Delete a firm with its aliases, identifiers, case roles, relationships and links.

        Refused while shipments or screening hits name the firm (merge it instead), and refused
        without ``confirm`` while evidence or relationships concern it.
        """
        with self._write() as session:
            firm = find_firm(session, uid)
            impact = _impact(session, firm)
            if impact["blocked_by"]:
                held = ", ".join(f"{n} {k}" for k, n in impact["blocked_by"].items())
                raise Refused(f"firm {firm['name']} is named by {held}; merge it instead")
            if impact["asks"] and not confirm:
                held = ", ".join(f"{n} {k}" for k, n in impact["asks"].items())
                raise Refused(f"firm {firm['name']} has {held}; confirm to delete it and them")
            before = _firm_audit(session, firm) | {"removed": impact}
            firm_store.delete_firm(session, firm_id=firm["id"])
            self._audit(session, "firm.delete", "firm", target_uid=firm["uid"], before=before)
            return before


def _add_versions(session: Session, records: list[dict], kind: str, case_id: int) -> None:
    versions = record_versions(session, target_kind=kind, case_id=case_id)
    for record in records:
        record["version"] = versions.get(record["uid"], UNTOUCHED)


def _finding_audit(finding: m.Finding) -> dict:
    return {
        "text": finding.text,
        "likelihood": finding.likelihood,
        "confidence": finding.confidence,
        "position": finding.position,
    }


def _impact(session: Session, firm: dict) -> dict:
    blocking, dependent = firm_store.firm_references(session, firm_id=firm["id"])
    return {
        "blocked_by": {k: n for k, n in blocking.items() if n},
        "asks": {k: n for k, n in dependent.items() if n},
    }


def _firm_audit(session: Session, firm: dict) -> dict:
    aliases = firm_store.aliases_of(session, ids=[firm["id"]]).get(firm["id"], [])
    return {
        "uid": firm["uid"],
        "name": firm["name"],
        "native_name": firm["native_name"],
        "country": firm["country"],
        "aliases": sorted(aliases),
    }
