"""Facade section: verify the store (database integrity, the audit chain, the vault, and every
dataset's content hash recomputed from its stored rows: shipments and trade flows)."""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.store import audit, backup, checks, datasets, rollups
from casebook.store import cases as case_store
from casebook.store import evidence as evidence_store
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
            counted = checks.table_counts(session, tables=COUNTED)
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
            for case_id in case_store.case_ids(session):
                flags.store_row_tests(session, case_id=case_id)
            self._audit(session, "store.rollups", "store", after={"rebuilt": True})

    def quick_check(self) -> list[dict]:
        """The cheap part of ``verify`` for the GUI on open: quick_check, foreign keys, the
        audit chain and missing blobs (no re-hashing of blobs or datasets)."""
        with self._read() as session:
            problems = backup.quick_problems(session)
            problems += audit.chain_problems(session)
            shas = evidence_store.all_sha256(session)
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
    found = {d.uid: d for d in datasets.list_datasets(session, kind=kind, case_id=case_id)}
    if not found:
        return []
    imported = checks.imported_records(session, uids=found)
    counts = datasets.shipment_counts(session, dataset_ids=[d.id for d in found.values()])
    problems = []
    for uid, dataset in found.items():
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
    return [
        {
            "kind": "dataset",
            "ref": d.uid,
            "detail": f"dataset {d.file_name} ({d.uid}): the totals behind charts, stats and "
            "flags disagree with its shipments; `casebook verify --repair` rebuilds them",
        }
        for d in datasets.list_datasets(session, ids=found, case_id=case_id)
    ]
