"""Facade section: evidence in the vault, graded, and linked to what it supports."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from casebook.book.cases import check_writable, find_case, iso
from casebook.book.links import find_target, links_of, parse_links
from casebook.book.versions import UNTOUCHED, check_version
from casebook.core.domain import EVIDENCE_KINDS, clean_choice
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.standards import Grade, clean_grade
from casebook.store import evidence as store
from casebook.store import models as m
from casebook.store.audit import record_versions
from casebook.store.blobs import ServerVault
from casebook.vault import (
    Vault,
    WorkingCopy,
    file_kind,
    guess_mime,
    is_html,
    open_regular,
    preview,
    remove_tree,
    symlink_refused,
    working_copy,
)
from casebook.vault import extract_text as text_of
from casebook.vault.scratch import stale_entries

EDITABLE = ("title", "kind", "grade", "publisher", "url", "captured", "excerpt", "notes")
NUMBER_RE = re.compile(r"^[Ee](\d+)$")
TITLE_MAX = 300
PREVIEW_CHARS = 20_000


@dataclass(frozen=True)
class EvidenceAdded:
    """What ``add_evidence`` did: the item (``evidence_detail``), whether it already existed,
    how many links it made."""

    evidence: dict
    existing: bool
    links_added: int

    def json(self) -> dict:
        """What ``evidence add --json`` prints: the DESIGN.md shape and what the add did."""
        return _json_shape(self.evidence) | {
            "existing": self.existing,
            "links_added": self.links_added,
        }


def grade_of(e: m.Evidence) -> str | None:
    """The Admiralty grade as ``B2``, or None when the item is not (fully) graded."""
    if e.reliability and e.credibility:
        return f"{e.reliability}{e.credibility}"
    return None


def _json_shape(detail: dict) -> dict:
    """The JSON shape of an evidence item (DESIGN.md), with ``id`` like ``E3``."""
    keys = ("uid", "id", "sha256", "title", "kind", "grade", "size", "original_name", "added")
    return {key: detail[key] for key in keys}


def evidence_detail(e: m.Evidence) -> dict:
    """Everything the evidence register shows about one item (``_json_shape`` and more)."""
    grade = clean_grade(grade_of(e) or "")
    return {
        "uid": e.uid,
        "id": f"E{e.number}",
        "sha256": e.sha256,
        "title": e.title,
        "kind": e.kind,
        "grade": grade_of(e),
        "size": e.size,
        "original_name": e.original_name,
        "added": iso(e.added),
        "grade_label": grade.label if grade else None,
        "publisher": e.publisher,
        "url": e.url,
        "captured": iso(e.captured),
        "mime": e.mime,
        "excerpt": e.excerpt,
        "notes": e.notes,
        "text_chars": len(e.text or ""),
        "added_by": e.added_by,
    }


def clean_evidence_fields(fields: dict) -> dict:
    """Clean editable evidence fields; raise UsageError naming the bad one."""
    clean: dict = {}
    for name, value in fields.items():
        if name == "title":
            clean["title"] = _title(value)
        elif name == "kind":
            clean["kind"] = _kind(value)
        elif name == "grade":
            clean |= _grade_columns(value)
        elif name == "captured":
            clean["captured"] = _captured(value)
        elif name in ("publisher", "url"):
            clean[name] = " ".join(str(value).split()) or None if value is not None else None
        elif name in ("excerpt", "notes"):
            clean[name] = str(value or "").strip()
        else:
            raise UsageError(f"evidence has no field {name!r}")
    return clean


def _title(value: object) -> str:
    title = " ".join(str(value or "").split())
    if not title:
        raise UsageError("evidence needs a title")
    if len(title) > TITLE_MAX:
        raise UsageError(f"title is longer than {TITLE_MAX} characters")
    return title


def _kind(value: object) -> str:
    kind = clean_choice(value, EVIDENCE_KINDS)
    if kind is None:
        raise UsageError(f"unknown evidence kind {value!r}; use one of {', '.join(EVIDENCE_KINDS)}")
    return kind


def _grade_columns(value: object) -> dict:
    if value in (None, ""):
        return {"reliability": None, "credibility": None}
    grade = clean_grade(value)
    if grade is None:
        raise UsageError(
            f"invalid grade {value!r}: source reliability A-F and information credibility 1-6, e.g. B2"
        )
    return {"reliability": grade.reliability.value, "credibility": str(grade.credibility.value)}


def _captured(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"capture time {value!r} is not ISO 8601 (2024-03-01T12:00Z)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def kind_for_mime(mime: str) -> str:
    """The default evidence kind for a file type."""
    if mime.startswith("image/"):
        return "image"
    if mime in ("text/html", "application/xhtml+xml"):
        return "web capture"
    return "document"


def find_evidence(session: Session, ref: str, *, case_id: int | None = None) -> m.Evidence:
    """Evidence by uid, or by ``E3`` within a case; NotFound otherwise."""
    ref = str(ref).strip()
    match = NUMBER_RE.match(ref)
    if match and case_id is not None:
        evidence = store.get_evidence_by_number(session, case_id=case_id, number=int(match[1]))
    else:
        evidence = store.get_evidence(session, uid=ref)
    if evidence is None:
        raise NotFound(f"no evidence {ref!r}")
    check_writable(session, evidence.case_id)
    return evidence


class EvidenceSection:
    """Add, list, show, link, edit, open and delete evidence; check the vault."""

    @property
    def vault(self) -> Vault | ServerVault:
        """The store's evidence vault (``<store>.files/vault``; on a server, in the database,
        written and read on connections that take no write lock)."""
        if self.store.dialect == "postgresql":
            return ServerVault(self.store.read_engine, self.folder, opener=open_regular)
        return Vault(self.folder / "vault")

    def add_evidence(
        self,
        path: str | Path,
        *,
        case_ref: str,
        title: str | None = None,
        kind: str | None = None,
        grade: str | Grade | None = None,
        url: str | None = None,
        publisher: str | None = None,
        captured: str | datetime | None = None,
        excerpt: str = "",
        notes: str = "",
        links: Iterable = (),
        follow_symlinks: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> EvidenceAdded:
        """Store a file in the vault and record it in a case; the same content again links the
        existing item. Hashing streams with ``progress(done, total)`` and polls ``cancelled``.

        Only a regular file is added: a symbolic link could point anywhere (a partner's zip with
        ``registry.pdf -> ~/.ssh/id_rsa``), so it is refused unless ``follow_symlinks``, and then
        its target is written into the item's notes; a device or FIFO is always refused."""
        path = Path(path)
        self._refuse_own_file(path)
        notes = _custody(path, notes, follow_symlinks)
        fields = clean_evidence_fields(
            {
                "title": title or path.stem or path.name,
                "grade": grade,
                "url": url,
                "publisher": publisher,
                "captured": captured,
                "excerpt": excerpt,
                "notes": notes,
            }
            | ({"kind": kind} if kind else {})
        )
        wanted = parse_links(links)
        with self._read() as session:
            case_id = find_case(session, case_ref).id
            for link_kind, ref, _ in wanted:
                find_target(session, link_kind, ref)
        blob = self.vault.put(
            path, follow_symlinks=follow_symlinks, progress=progress, cancelled=cancelled
        )
        try:
            return self._record_evidence(path, blob, case_id, fields, wanted, cancelled)
        except BaseException:
            if blob.created:
                self._drop_unused_blob(blob.sha256)
            raise

    def _record_evidence(self, path, blob, case_id, fields, wanted, cancelled) -> EvidenceAdded:
        with self._read() as session:
            existing = store.get_evidence_by_content(session, case_id=case_id, sha256=blob.sha256)
        text = mime = ""
        if existing is None:
            mime = guess_mime(blob.path, name=path.name)
            text = text_of(blob.path, mime=mime, cancelled=cancelled)
        with self._write() as session:
            if not self.vault.has(blob.sha256):  # `verify --repair` took it as an orphan
                raise Refused(f"{path.name} left the vault while being added; add it again")
            evidence = store.get_evidence_by_content(session, case_id=case_id, sha256=blob.sha256)
            if evidence is None:
                evidence = self._insert_evidence(
                    session, case_id, fields, path=path, blob=blob, mime=mime, text=text
                )
            added = sum(
                self._link(session, evidence, kind, ref, note=note) for kind, ref, note in wanted
            )
            detail = evidence_detail(evidence)
        return EvidenceAdded(detail, existing=existing is not None, links_added=added)

    def _insert_evidence(self, session, case_id, fields, *, path, blob, mime, text) -> m.Evidence:
        evidence = store.add_evidence(
            session,
            case_id=case_id,
            sha256=blob.sha256,
            size=blob.size,
            original_name=path.name,
            mime=mime,
            text=text,
            added_by=self.user,
            **({"kind": kind_for_mime(mime)} | fields),
        )
        self._audit(
            session,
            "evidence.add",
            "evidence",
            target_uid=evidence.uid,
            case_id=case_id,
            after=_audited(evidence),
        )
        return evidence

    def _drop_unused_blob(self, sha256: str) -> None:
        with self._read() as session:
            used = store.sha256_in_use(session, sha256=sha256)
        if not used:
            self.vault.remove(sha256)

    def list_evidence(self, *, case_ref: str, versions: bool = False) -> list[dict]:
        """A case's evidence register in E-number order, each item with what it supports;
        with ``versions``, each with the ``version`` an editor passes back when it saves."""
        with self._read() as session:
            case = find_case(session, case_ref)
            items = store.list_evidence(session, case_id=case.id)
            listed = [evidence_detail(e) | {"links": links_of(session, e.id)} for e in items]
            if versions:
                known = record_versions(session, target_kind="evidence", case_id=case.id)
                for item in listed:
                    item["version"] = known.get(item["uid"], UNTOUCHED)
            return listed

    def show_evidence(self, ref: str, *, case_ref: str | None = None) -> dict:
        """One evidence item (by uid, or ``E3`` with ``case_ref``) with its links."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref else None
            evidence = find_evidence(session, ref, case_id=case_id)
            return evidence_detail(evidence) | {
                "case_ref": store.case_ref_of(session, case_id=evidence.case_id),
                "links": links_of(session, evidence.id),
            }

    def link_evidence(
        self, evidence_uid: str, target_kind: str, target_uid: str, *, note: str = ""
    ) -> dict:
        """Record that evidence supports a case, firm, shipment, relationship or finding."""
        with self._write() as session:
            evidence = find_evidence(session, evidence_uid)
            self._link(session, evidence, target_kind.lower(), target_uid, note=note)
            return {"uid": evidence.uid, "links": links_of(session, evidence.id)}

    def _link(self, session, evidence: m.Evidence, kind: str, ref: str, *, note: str = "") -> bool:
        """Add or re-note one link inside a write; True when something changed."""
        target_id, target_case = find_target(session, kind, ref)
        if target_case is not None and target_case != evidence.case_id:
            raise Refused(f"E{evidence.number} belongs to another case than that {kind}")
        link = store.get_link(
            session, evidence_id=evidence.id, target_kind=kind, target_id=target_id
        )
        note = str(note or "").strip()
        if link is not None and (not note or link.note == note):
            return False
        before = {"kind": kind, "target": ref, "note": link.note} if link else None
        link = store.save_link(
            session, evidence_id=evidence.id, target_kind=kind, target_id=target_id, note=note
        )
        after = {"evidence": evidence.uid, "kind": kind, "target": ref, "note": link.note}
        self._audit(
            session,
            "evidence.link",
            "evidence",
            target_uid=evidence.uid,
            case_id=evidence.case_id,
            before=before,
            after=after,
        )
        return True

    def unlink_evidence(self, evidence_uid: str, target_kind: str, target_uid: str) -> None:
        """Remove one link; NotFound when it does not exist."""
        with self._write() as session:
            evidence = find_evidence(session, evidence_uid)
            target_id, _ = find_target(session, target_kind, target_uid)
            link = store.get_link(
                session, evidence_id=evidence.id, target_kind=target_kind, target_id=target_id
            )
            if link is None:
                raise NotFound(f"E{evidence.number} is not linked to that {target_kind}")
            before = {"evidence": evidence.uid, "kind": target_kind, "target": target_uid}
            store.delete_link(session, link=link)
            self._audit(
                session,
                "evidence.unlink",
                "evidence",
                target_uid=evidence.uid,
                case_id=evidence.case_id,
                before=before | {"note": link.note},
            )

    def edit_evidence(self, uid: str, *, version: str | None = None, **changes) -> dict:
        """Change title, kind, grade, publisher, url, captured, excerpt or notes; returns the
        item as ``list_evidence`` shows it (without its links). With ``version`` (as listed),
        refused when another analyst saved the item since (``StaleVersion``)."""
        clean = clean_evidence_fields({k: v for k, v in changes.items() if v is not None})
        with self._write() as session:
            evidence = find_evidence(session, uid)
            check_version(session, "evidence", evidence.uid, version, case_id=evidence.case_id)
            before = _audited(evidence)
            store.update_evidence(session, evidence=evidence, fields=clean)
            if _audited(evidence) == before:
                return evidence_detail(evidence)
            self._audit(
                session,
                "evidence.edit",
                "evidence",
                target_uid=evidence.uid,
                case_id=evidence.case_id,
                before=before,
                after=_audited(evidence),
            )
            return evidence_detail(evidence)

    def delete_evidence(self, uid: str, *, version: str | None = None) -> dict:
        """Delete an item and its links; its blob goes when no other item holds the same bytes.

        Returns the deleted record (with links) so a caller can show or undo it.
        """
        with self._write() as session:
            evidence = find_evidence(session, uid)
            check_version(session, "evidence", evidence.uid, version, case_id=evidence.case_id)
            before = _audited(evidence) | {"links": links_of(session, evidence.id)}
            store.delete_evidence(session, evidence=evidence)
            self._audit(
                session,
                "evidence.delete",
                "evidence",
                target_uid=evidence.uid,
                case_id=evidence.case_id,
                before=before,
            )
        self._drop_unused_blob(evidence.sha256)
        return before

    def open_evidence(self, uid: str, *, folder: Path | None = None) -> WorkingCopy:
        """A temporary working copy to open; never the vault file (HTML opens as text)."""
        with self._read() as session:
            evidence = find_evidence(session, uid)
        blob = self.vault.path_of(evidence.sha256)
        if not blob.is_file():
            raise Refused(f"E{evidence.number}: the file is missing from the vault")
        return working_copy(blob, name=evidence.original_name or "", folder=folder)

    def evidence_preview(self, uid: str, *, chars: int = PREVIEW_CHARS) -> dict:
        """What to show beside an item: ``{"kind": "image", "data": bytes}``; ``{"kind":
        "text", "text": …}`` for text and HTML (its visible text); ``{"kind": "pdf", "text": …}``
        with a PDF's first page (no text layer: ""); or ``{"kind": None, "text": why not}``.

        Reads the vault and may parse a PDF: call it off the GUI thread."""
        with self._read() as session:
            evidence = find_evidence(session, uid)
            number, sha256, mime = evidence.number, evidence.sha256, evidence.mime or ""
        blob = self.vault.path_of(sha256)
        if not mime.startswith("image/") and not _text_like(mime):
            return {"kind": None, "text": f"No preview for {mime or 'this type'}; use Open"}
        if not blob.is_file():
            return {"kind": None, "text": f"E{number}: the file is missing from the vault"}
        try:
            if mime.startswith("image/"):
                return {"kind": "image", "data": blob.read_bytes()}
            text = preview(blob, mime=mime, chars=chars)
        except OSError as exc:
            return {"kind": None, "text": f"E{number} cannot be read: {exc.strerror or exc}"}
        if mime == "application/pdf":
            lines = (" ".join(line.split()) for line in text.splitlines())  # layout gaps
            return {"kind": "pdf", "text": "\n".join(lines).strip()}
        return {"kind": "text", "text": text}

    def vault_problems(
        self,
        *,
        case_ref: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[list[dict], int]:
        """Re-hash every blob the evidence records name; report damaged, missing and extra
        blobs (extra only for the whole store). Returns (problems, blobs checked)."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref is not None else None
            rows = store.blob_holders(session, case_id=case_id)
        holders: dict[str, list[str]] = {}
        for sha, number, ref in rows:
            holders.setdefault(sha, []).append(f"{ref}/E{number}")
        problems = []
        for n, (sha, refs) in enumerate(sorted(holders.items()), 1):
            detail = self.vault.verify_blob(sha, cancelled=cancelled)
            if detail:
                problems.append(
                    {"kind": "vault", "ref": ", ".join(refs), "detail": f"blob {sha}: {detail}"}
                )
            if progress is not None:
                progress(n, len(holders))
        if case_ref is None:
            problems += self._residue_problems(holders)
        return problems, len(holders)

    def _residue_problems(self, named: Iterable[str]) -> list[dict]:
        """Blobs no record names, and what interrupted writes left in the vault and the
        scratch folder (which the next start clears unless something stops it)."""
        repair = "; `casebook verify --repair` removes it"
        problems = [
            {
                "kind": "vault",
                "ref": sha,
                "detail": f"blob {sha} is in the vault but no evidence names it{repair}",
            }
            for sha in self.vault.extra_blobs(named)
        ]
        problems += [
            {
                "kind": "temp",
                "ref": str(path),
                "detail": f"{path} was left by an interrupted write{repair}",
            }
            for path in self.vault.leftovers() + stale_entries(self.vault.tmp)
        ]
        return problems

    def repair_vault(self) -> dict:
        """Remove blobs no record names and what interrupted writes left behind (audited).

        Runs holding the write lock: a bundle being opened writes its blobs under it, and an
        evidence item being added checks under it that its blob is still there."""
        with self._write() as session:
            named = store.all_sha256(session)
            orphans = self.vault.extra_blobs(named)
            residue = self.vault.leftovers() + stale_entries(self.vault.tmp)
            if not orphans and not residue:
                return {"blobs": [], "leftovers": []}
            for sha in orphans:
                self.vault.remove(sha)
            for path in residue:
                remove_tree(path)
            removed = {"blobs": orphans, "leftovers": [str(p) for p in residue]}
            self._audit(session, "vault.repair", "store", after=removed)
        return removed


def _text_like(mime: str) -> bool:
    return mime.startswith("text/") or mime == "application/pdf" or is_html(mime)


def _custody(path: Path, notes: str, follow_symlinks: bool) -> str:
    """The notes to record for ``path``, after refusing what is not a regular file; a link
    followed knowingly is written into them (where the bytes really came from)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise UsageError(f"no file at {path}") from None
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}") from exc
    kind = file_kind(mode)
    if kind == "a symbolic link" and follow_symlinks:
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise UsageError(f"{path} is a symbolic link to {target}, which does not exist")
        custody = f"Added through the symbolic link {path} -> {target} (--follow-symlinks)."
        return f"{notes.strip()}\n\n{custody}".strip()
    if kind == "a symbolic link":
        raise symlink_refused(path)
    if kind != "file":
        raise Refused(f"{path} is {kind}, not a regular file; it was not added")
    return notes


def _audited(e: m.Evidence) -> dict:
    """The audited fields of an item (the extracted text is left out: it is large and derived)."""
    return evidence_detail(e) | {"case_id": e.case_id}
