"""Facade section: verify the store (database integrity and the audit chain)."""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.store import audit, checks

COUNTED = ["case", "firm", "dataset", "shipment", "evidence", "finding", "auditevent"]


class VerifySection:
    """``verify``: integrity, foreign keys, the audit chain; later sections add their checks."""

    def verify(self, *, case_ref: str | None = None) -> dict:
        """Run every check; ``ok`` is False when any problem was found."""
        with self._read() as session:
            if case_ref is not None:
                find_case(session, case_ref)
            problems = checks.integrity_problems(session)
            problems += audit.chain_problems(session)
            counted = checks.table_counts(session, COUNTED)
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
        }
        return {"ok": not problems, "checked": checked, "problems": problems}
