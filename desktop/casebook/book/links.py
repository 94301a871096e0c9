"""Links: what evidence supports (a case, firm, shipment, relationship or finding)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, UsageError
from casebook.store import models as m

LINK_KINDS = ("case", "firm", "shipment", "relationship", "finding")


def find_target(session: Session, kind: str, ref: str) -> tuple[int, int | None]:
    """The integer id (and case id, if any) of a link target given by uid or reference."""
    if kind not in LINK_KINDS:
        raise UsageError(f"evidence cannot support a {kind!r}; use one of {', '.join(LINK_KINDS)}")
    if kind == "case":
        case = find_case(session, ref)
        return case.id, case.id
    if kind == "shipment":
        return _find_shipment(session, ref)
    model = {"firm": m.Firm, "relationship": m.Relationship, "finding": m.Finding}[kind]
    row = session.exec(select(model).where(model.uid == ref)).first()
    if row is None:
        raise NotFound(f"no {kind} {ref!r}")
    return row.id, getattr(row, "case_id", None)


def _find_shipment(session: Session, ref: str) -> tuple[int, int]:
    """A shipment by ``DATASET_UID:ROW`` (how bundles identify it) or by its integer id."""
    dataset_uid, _, row = str(ref).partition(":")
    query = select(m.Shipment)
    if row.isdigit():
        query = query.join(m.Dataset, m.Dataset.id == m.Shipment.dataset_id).where(
            m.Dataset.uid == dataset_uid, m.Shipment.source_row == int(row)
        )
    elif dataset_uid.isdigit():
        query = query.where(m.Shipment.id == int(dataset_uid))
    else:
        raise NotFound(f"no shipment {ref!r} (use DATASET_UID:ROW)")
    shipment = session.exec(query).first()
    if shipment is None:
        raise NotFound(f"no shipment {ref!r}")
    return shipment.id, shipment.case_id


def target_label(session: Session, kind: str, target_id: int) -> tuple[str | None, str]:
    """A link target's uid (or reference) and a short label for lists."""
    if kind == "case":
        case = session.get(m.Case, target_id)
        return (case.ref, case.title) if case else (None, "(deleted case)")
    if kind == "firm":
        firm = session.get(m.Firm, target_id)
        return (firm.uid, firm.name) if firm else (None, "(deleted firm)")
    if kind == "shipment":
        return _shipment_label(session, target_id)
    if kind == "relationship":
        rel = session.get(m.Relationship, target_id)
        return (rel.uid, relationship_label(session, rel)) if rel else (None, "(deleted)")
    finding = session.get(m.Finding, target_id)
    return (finding.uid, _short(finding.text)) if finding else (None, "(deleted finding)")


def _shipment_label(session: Session, shipment_id: int) -> tuple[str | None, str]:
    shipment = session.get(m.Shipment, shipment_id)
    if shipment is None:
        return None, "(deleted shipment)"
    dataset = session.get(m.Dataset, shipment.dataset_id)
    ref = f"{dataset.uid}:{shipment.source_row}"
    parts = [shipment.declaration_no or f"row {shipment.source_row}", shipment.date]
    return ref, " ".join(p for p in parts if p) + f" — {_short(shipment.description or '')}"


def relationship_label(session: Session, rel: m.Relationship) -> str:
    """``A → B (ownership 51%)``."""
    first, second = session.get(m.Firm, rel.from_firm_id), session.get(m.Firm, rel.to_firm_id)
    share = f" {rel.share:g}%" if rel.share is not None else ""
    return f"{first.name if first else '?'} → {second.name if second else '?'} ({rel.kind}{share})"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def links_of(session: Session, evidence_id: int) -> list[dict]:
    """What an evidence item supports: ``[{kind, uid, label, note}]``."""
    links = session.exec(
        select(m.EvidenceLink)
        .where(m.EvidenceLink.evidence_id == evidence_id)
        .order_by(m.EvidenceLink.id)
    )
    out = []
    for link in links:
        uid, label = target_label(session, link.target_kind, link.target_id)
        out.append({"kind": link.target_kind, "uid": uid, "label": label, "note": link.note})
    return out


def evidence_for(session: Session, kind: str, target_id: int) -> list[tuple[m.Evidence, str]]:
    """The evidence supporting one target, with each link's note, in E-number order."""
    rows = session.exec(
        select(m.Evidence, m.EvidenceLink.note)
        .join(m.EvidenceLink, m.EvidenceLink.evidence_id == m.Evidence.id)
        .where(m.EvidenceLink.target_kind == kind, m.EvidenceLink.target_id == target_id)
        .order_by(m.Evidence.number)
    )
    return list(rows)


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
    return session.exec(
        select(m.EvidenceLink).where(
            m.EvidenceLink.evidence_id == evidence_id,
            m.EvidenceLink.target_kind == kind,
            m.EvidenceLink.target_id == target_id,
        )
    ).first()
