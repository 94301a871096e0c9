"""Case bundles and exports: shipment and trade-flow rows in and out (bulk, through the DB-API
connection), a case's records to write, and the lookups and records of opening a bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from sqlmodel import Session, SQLModel, func, select

from casebook.store import models as m
from casebook.store import trade
from casebook.store.engine import raw_connection
from casebook.store.shipments import BATCH, INSERTED

#: Shipment columns as they travel (the store's keys and firm ids are replaced by the caller).
COLUMNS = INSERTED
#: Trade-flow columns as they travel (the dataset and case are the caller's).
TRADE_COLUMNS = trade.INSERTED

T = TypeVar("T", bound=SQLModel)


def shipment_rows(
    session: Session, *, dataset_id: int | None = None, case_id: int | None = None
) -> Iterator[dict]:
    """The shipments of a dataset (or a case), in source order, as dicts of ``COLUMNS``."""
    where, value = ("dataset_id", dataset_id) if dataset_id is not None else ("case_id", case_id)
    cursor = raw_connection(session).execute(
        f"SELECT {', '.join(COLUMNS)} FROM shipment WHERE {where} = ? "
        "ORDER BY dataset_id, source_row, id",
        (value,),
    )
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            yield dict(zip(COLUMNS, row, strict=True))


def trade_rows(session: Session, *, dataset_id: int) -> Iterator[dict]:
    """A trade dataset's flows in import order (the order its content hash covers), as dicts of
    ``TRADE_COLUMNS``."""
    for row in trade.flow_rows(session, dataset_id=dataset_id):
        yield dict(zip(TRADE_COLUMNS, row, strict=True))


def shipment_ids_by_row(session: Session, *, dataset_id: int) -> dict[int, int]:
    """source_row → shipment id for a dataset (to re-attach evidence links)."""
    cursor = raw_connection(session).execute(
        "SELECT source_row, id FROM shipment WHERE dataset_id = ?", (dataset_id,)
    )
    return dict(cursor.fetchall())


def shipment_keys(session: Session, *, ids: list[int]) -> dict[int, str]:
    """shipment id → ``DATASET_UID:ROW`` (how bundles name a shipment)."""
    if not ids:
        return {}
    conn = raw_connection(session)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = conn.execute(
            "SELECT s.id, d.uid, s.source_row FROM shipment s JOIN dataset d ON d.id = s.dataset_id"
            f" WHERE s.id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        out.update({sid: f"{uid}:{row}" for sid, uid, row in cursor})
    return out


def firm_ids_of_case_shipments(session: Session, *, case_id: int) -> set[int]:
    """Every firm a case's shipments name (current and as imported)."""
    parts = " UNION ".join(
        f"SELECT DISTINCT {c} FROM shipment WHERE case_id = :case AND {c} IS NOT NULL"
        for c in ("exporter_id", "importer_id", "exporter_orig_id", "importer_orig_id")
    )
    cursor = raw_connection(session).execute(parts, {"case": case_id})
    return {row[0] for row in cursor}


# --- a case's records, for a bundle or an export -------------------------------------------


def case_records(session: Session, model: type[T], *, case_id: int) -> list[T]:
    """Every record of one kind (evidence, relationships, findings, datasets, case firms) of a
    case."""
    return list(session.exec(select(model).where(model.case_id == case_id)))


def evidence_links(session: Session, *, evidence_ids: list[int]) -> list[m.EvidenceLink]:
    """The links of these evidence items."""
    return list(
        session.exec(select(m.EvidenceLink).where(m.EvidenceLink.evidence_id.in_(evidence_ids)))
    )


def firms_closed(session: Session, *, ids: set[int]) -> list[m.Firm]:
    """The firms, plus the firms they were merged into (transitively), by id."""
    found: dict[int, m.Firm] = {}
    todo = set(ids)
    while todo:
        batch = list(todo)
        todo = set()
        for firm in session.exec(select(m.Firm).where(m.Firm.id.in_(batch))):
            found[firm.id] = firm
            if firm.merged_into and firm.merged_into not in found:
                todo.add(firm.merged_into)
    return sorted(found.values(), key=lambda f: f.id)


def firm_aliases(session: Session, *, firm_ids: list[int]) -> dict[int, list[list]]:
    """firm id → its aliases as ``[name, name_key, country]``."""
    out: dict[int, list] = {}
    for a in session.exec(select(m.FirmAlias).where(m.FirmAlias.firm_id.in_(firm_ids))):
        out.setdefault(a.firm_id, []).append([a.name, a.name_key, a.country])
    return out


def firm_identifiers(session: Session, *, firm_ids: list[int]) -> dict[int, list[list]]:
    """firm id → its identifiers as ``[scheme, value]``."""
    out: dict[int, list] = {}
    for i in session.exec(select(m.FirmIdentifier).where(m.FirmIdentifier.firm_id.in_(firm_ids))):
        out.setdefault(i.firm_id, []).append([i.scheme, i.value])
    return out


def case_audit_events(session: Session, *, case_id: int) -> list[dict]:
    """A case's audit events in order, as JSON."""
    events = session.exec(
        select(m.AuditEvent).where(m.AuditEvent.case_id == case_id).order_by(m.AuditEvent.id)
    )
    return [e.model_dump(mode="json") for e in events]


# --- opening a bundle: lookups and the records it creates ----------------------------------


def record_by_uid(session: Session, model: type[T], *, uid: str) -> T | None:
    """The case, dataset, evidence, relationship or finding with this UUID, if any."""
    return session.exec(select(model).where(model.uid == uid)).first()


def case_id_by_ref(session: Session, *, ref: str) -> int | None:
    """The id of the case with this reference, if any."""
    return session.exec(select(m.Case.id).where(m.Case.ref == ref)).first()


def add_record(session: Session, model: type[T], **fields) -> T:
    """A new case, evidence item, relationship, finding or evidence link, flushed (its id is
    known)."""
    record = model(**fields)
    session.add(record)
    session.flush()
    return record


def evidence_with_hash(session: Session, *, case_id: int, sha256: str) -> m.Evidence | None:
    """The case's evidence item holding the file with this SHA-256, if any."""
    return session.exec(
        select(m.Evidence).where(m.Evidence.case_id == case_id, m.Evidence.sha256 == sha256)
    ).first()


def free_evidence_number(session: Session, *, case_id: int, number: int | None) -> int:
    """``number`` when no evidence of the case has it, else the case's next number."""
    if number is not None:
        taken = session.exec(
            select(m.Evidence.id).where(m.Evidence.case_id == case_id, m.Evidence.number == number)
        ).first()
        if taken is None:
            return number
    last = session.exec(
        select(func.max(m.Evidence.number)).where(m.Evidence.case_id == case_id)
    ).one()
    return (last or 0) + 1


def shipment_id(session: Session, *, dataset_id: int, source_row: int) -> int | None:
    """The id of a dataset's shipment from this source row, if any."""
    return session.exec(
        select(m.Shipment.id).where(
            m.Shipment.dataset_id == dataset_id, m.Shipment.source_row == source_row
        )
    ).first()


def has_link(session: Session, *, evidence_id: int, target_kind: str, target_id: int) -> bool:
    """Whether this evidence item is linked to this target already."""
    found = session.exec(
        select(m.EvidenceLink.id).where(
            m.EvidenceLink.evidence_id == evidence_id,
            m.EvidenceLink.target_kind == target_kind,
            m.EvidenceLink.target_id == target_id,
        )
    ).first()
    return found is not None


def set_person_merged(session: Session, *, person_id: int, into_id: int) -> None:
    """Record that a person a bundle created is merged into another of its persons."""
    person = session.get(m.Person, person_id)
    person.merged_into = into_id
    session.add(person)
    session.flush()
