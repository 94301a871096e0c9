"""Facade section: verify the store (database integrity, the audit chain, the vault, and every
dataset's content hash recomputed from its stored rows: shipments and trade flows)."""

from __future__ import annotations

from sqlmodel import select

from casebook.book.cases import find_case
from casebook.store import audit, backup, checks, rollups
from casebook.store import models as m
from casebook.store import trade as trade_store

COUNTED = ["case", "firm", "dataset", "shipment", "evidence", "finding", "auditevent"]


class VerifySection:
    """``verify``: integrity, foreign keys, the audit chain, blobs and dataset hashes."""

    def verify(self, *, case_ref: str | None = None) -> dict:
        """Run every check; ``ok`` is False when any problem was found."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref is not None else None
            problems = checks.integrity_problems(session)
            problems += audit.chain_problems(session)
            problems += _dataset_record_problems(session, case_id)
            problems += _dataset_record_problems(session, case_id, kind="trade")
            rollup_problems = _rollup_problems(session, case_id)
            counted = checks.table_counts(session, COUNTED)
            trade_flows = trade_store.flow_count(session)
            trade_problems, unchecked = trade_store.dataset_hash_problems(session, case_id=case_id)
        problems += self.dataset_problems(case_ref=case_ref)  # book/imports.py
        problems += trade_problems
        # Totals that disagree with edited rows add nothing to "changed after import".
        named = {p["ref"] for p in problems if p["kind"] == "dataset"}
        problems += [p for p in rollup_problems if p["ref"] not in named]
        blob_problems, blobs = self.vault_problems(case_ref=case_ref)  # book/evidence.py
        problems += blob_problems
        checked = {
            "cases": counted["case"],
            "firms": counted["firm"],
            "datasets": counted["dataset"],
            "shipments": counted["shipment"],
            "evidence": counted["evidence"],
            "findings": counted["finding"],
            "audit_events": counted["auditevent"],
            "blobs": blobs,
            "trade_flows": trade_flows,
        }
        # ``unchecked``: what could not be checked (trade datasets without a recorded hash).
        return {
            "ok": not problems,
            "checked": checked,
            "problems": problems,
            "unchecked": unchecked,
        }

    def rebuild_rollups(self) -> None:
        """Make the per-dataset totals behind charts, stats and flags anew from the rows."""
        from casebook.analysis import flags

        with self._write() as session:
            rollups.rebuild_all(session)
            for case_id in session.exec(select(m.Case.id)):
                flags.store_row_tests(session, case_id=case_id)
            self._audit(session, "store.rollups", "store", after={"rebuilt": True})

    def quick_check(self) -> list[dict]:
        """The cheap part of ``verify`` for the GUI on open: quick_check, foreign keys, the
        audit chain and missing blobs (no re-hashing of blobs or datasets)."""
        with self._read() as session:
            problems = backup.quick_problems(session)
            problems += audit.chain_problems(session)
            shas = set(session.exec(select(m.Evidence.sha256)))
        problems += [
            {"kind": "vault", "ref": sha, "detail": f"blob {sha}: missing from the vault"}
            for sha in self.vault.missing_blobs(shas)
        ]
        return problems


def _dataset_record_problems(session, case_id: int | None, *, kind="shipments") -> list[dict]:
    """Datasets whose row count or recorded content hash differ from what the audit chain says
    was imported (an edit of the dataset row itself, to hide an edit of its rows), and shipment
    datasets whose stored shipments are more or fewer than the rows recorded (trade datasets:
    ``store.trade.dataset_hash_problems``)."""
    query = select(m.Dataset).where(m.Dataset.kind == kind)
    if case_id is not None:
        query = query.where(m.Dataset.case_id == case_id)
    datasets = {d.uid: d for d in session.exec(query)}
    if not datasets:
        return []
    imported: dict[str, dict] = {}
    events = select(m.AuditEvent.target_uid, m.AuditEvent.after).where(
        m.AuditEvent.action.in_(("dataset.import", "bundle.dataset"))
    )
    for uid, after in session.exec(events):
        if uid in datasets and isinstance(after, dict):
            imported[uid] = after
    counts = dict(
        session.exec(
            select(m.Shipment.dataset_id, _count())
            .where(m.Shipment.dataset_id.in_([d.id for d in datasets.values()]))
            .group_by(m.Shipment.dataset_id)
        ).all()
    )
    problems = []
    for uid, dataset in datasets.items():
        name = f"dataset {dataset.file_name} ({uid})"
        recorded = imported.get(uid, {}).get("content_hash")
        if recorded and dataset.content_hash and recorded != dataset.content_hash:
            problems.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"{name}: content hash {dataset.content_hash[:12]}… differs from "
                    f"{recorded[:12]}… recorded in the audit chain at import (edited)",
                }
            )
        stored = counts.get(dataset.id, 0)
        if kind == "shipments" and dataset.row_count and stored != dataset.row_count:
            problems.append(
                {
                    "kind": "dataset",
                    "ref": uid,
                    "detail": f"{name}: {stored} shipments stored, {dataset.row_count} imported",
                }
            )
    return problems


def _rollup_problems(session, case_id: int | None) -> list[dict]:
    """Datasets whose totals for charts, stats and flags disagree with their shipments."""
    found = {p["dataset_id"] for p in rollups.problems(session)}
    if not found:
        return []
    query = select(m.Dataset).where(m.Dataset.id.in_(found))
    if case_id is not None:
        query = query.where(m.Dataset.case_id == case_id)
    return [
        {
            "kind": "dataset",
            "ref": d.uid,
            "detail": f"dataset {d.file_name} ({d.uid}): the totals behind charts, stats and "
            "flags disagree with its shipments; `casebook verify --repair` rebuilds them",
        }
        for d in session.exec(query)
    ]


def _count():
    from sqlalchemy import func

    return func.count()
