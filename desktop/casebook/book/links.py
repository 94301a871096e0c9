"""Links: what evidence supports (a case, firm, shipment, relationship or finding)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, UsageError
from casebook.store import datasets, persons, relationships
from casebook.store import evidence as store
from casebook.store import models as m

LINK_KINDS = ("case", "firm", "shipment", "relationship", "finding", "person", "personlink")


def find_target(session: Session, kind: str, ref: str) -> tuple[int, int | None]:
    """The integer id (and case id, if any) of a link target given by uid or reference."""
    if kind not in LINK_KINDS:
        raise UsageError(f"evidence cannot support a {kind!r}; use one of {', '.join(LINK_KINDS)}")
    if kind == "case":
        case = find_case(session, ref)
        return case.id, case.id
    if kind == "shipment":
        return _find_shipment(session, ref)
    found = store.target_by_uid(session, kind=kind, uid=ref)
    if found is None:
        raise NotFound(f"no {kind} {ref!r}")
    return found


def _find_shipment(session: Session, ref: str) -> tuple[int, int]:
    """A shipment by ``DATASET_UID:ROW`` (how bundles identify it) or by its integer id."""
    dataset_uid, _, row = str(ref).partition(":")
    if row.isdigit():
        shipment = store.shipment_by_row(session, dataset_uid=dataset_uid, row=int(row))
    elif dataset_uid.isdigit():
        shipment = store.target_by_id(session, kind="shipment", target_id=int(dataset_uid))
    else:
        raise NotFound(f"no shipment {ref!r} (use DATASET_UID:ROW)")
    if shipment is None:
        raise NotFound(f"no shipment {ref!r}")
    return shipment.id, shipment.case_id


def target_label(session: Session, kind: str, target_id: int) -> tuple[str | None, str]:
    """A link target's uid (or reference) and a short label for lists."""
    row = store.target_by_id(session, kind=kind, target_id=target_id)
    if kind == "shipment":
        return _shipment_label(session, row)
    if row is None:
        return None, "(deleted)" if kind == "relationship" else f"(deleted {kind})"
    if kind == "case":
        return row.ref, row.title
    if kind in ("firm", "person"):
        return row.uid, row.name
    if kind == "personlink":
        return row.uid, person_link_label(session, row)
    if kind == "relationship":
        return row.uid, relationship_label(session, row)
    return row.uid, _short(row.text)


def _shipment_label(session: Session, shipment: m.Shipment | None) -> tuple[str | None, str]:
    if shipment is None:
        return None, "(deleted shipment)"
    ref = f"{datasets.dataset_uid(session, dataset_id=shipment.dataset_id)}:{shipment.source_row}"
    parts = [shipment.declaration_no or f"row {shipment.source_row}", shipment.date]
    return ref, " ".join(p for p in parts if p) + f" — {_short(shipment.description or '')}"


def relationship_label(session: Session, rel: m.Relationship) -> str:
    """``A → B (ownership 51%)``."""
    first, second = relationships.end_names(session, rel=rel)
    share = f" {rel.share:g}%" if rel.share is not None else ""
    return f"{first or '?'} → {second or '?'} ({rel.kind}{share})"


def person_link_label(session: Session, link: m.PersonLink) -> str:
    """``Ivanov Ivan → OOO Vector (shareholder 25%)``."""
    first, second = persons.end_names(session, link=link)
    share = f" {link.share:g}%" if link.share is not None else ""
    return f"{first or '?'} → {second or '?'} ({link.kind}{share})"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def links_of(session: Session, evidence_id: int) -> list[dict]:
    """What an evidence item supports: ``[{kind, uid, label, note}]``."""
    out = []
    for link in store.links_of(session, evidence_id=evidence_id):
        uid, label = target_label(session, link.target_kind, link.target_id)
        out.append({"kind": link.target_kind, "uid": uid, "label": label, "note": link.note})
    return out


def evidence_for(session: Session, kind: str, target_id: int) -> list[tuple[m.Evidence, str]]:
    """The evidence supporting one target, with each link's note, in E-number order."""
    return store.evidence_for(session, kind=kind, target_id=target_id)


def parse_links(links: Iterable) -> list[tuple[str, str, str]]:
    """``("firm", uid)``, ``("firm", uid, note)`` or ``"firm:UID"`` → (kind, ref, note)."""
    parsed = []
    for link in links or ():
        if isinstance(link, str):
            kind, sep, ref = link.partition(":")
            if not sep or not ref:
                raise UsageError(f"a link is KIND:UID, e.g. firm:3f2a…, not {link!r}")
            parsed.append((kind.strip().lower(), ref.strip(), ""))
        else:
            kind, ref, *rest = link
            parsed.append((str(kind).lower(), str(ref), str(rest[0]) if rest else ""))
    return parsed


def link_row(session: Session, evidence_id: int, kind: str, target_id: int):
    """The link from an evidence item to one target, or None."""
    return store.get_link(session, evidence_id=evidence_id, target_kind=kind, target_id=target_id)
