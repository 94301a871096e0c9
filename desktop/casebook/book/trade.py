"""Facade section: import trade statistics (Eurostat, UN Comtrade, mapped tables)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casebook.book.cases import find_case
from casebook.store import datasets


def is_trade_import(
    path: str | Path, *, preset: str | None = None, mapping: str | Path | None = None
) -> bool:
    """True when ``casebook import`` should import the file as trade statistics."""
    from casebook.ingest import trade_import

    return trade_import.is_trade_file(path, preset=preset, mapping=mapping)


class TradeSection:
    """``import`` of trade statistics into the TradeFlow table."""

    def import_trade(
        self,
        path: str | Path,
        *,
        case_ref: str,
        preset: str | None = None,
        mapping: str | Path | dict | None = None,
        sheet: str | None = None,
        encoding: str | None = None,
        skip_bad_rows: bool = False,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Import a trade statistics file into a case: one dataset, one audit event.

        Returns the ``import`` JSON (``kind`` "trade"). Row errors raise ``RowErrors`` (all in
        the rejects CSV) unless ``skip_bad_rows``; ``cancelled()`` leaves the store unchanged.
        """
        from casebook.ingest import trade_import

        path = Path(path)
        _, sha256 = self._check_import(path, case_ref, preset, mapping, force)
        # Read and clean with no lock held; the write transaction holds it for the inserts.
        cleaned = trade_import.read_trade_file(
            path,
            sha256=sha256,
            preset=preset,
            mapping=mapping,
            sheet=sheet,
            encoding=encoding,
            skip_bad_rows=skip_bad_rows,
            force=force,
            rejects_dir=self.folder / "rejects",
            progress=progress,
            cancelled=cancelled,
        )
        with self._write() as session:
            case = find_case(session, case_ref)
            uid = trade_import.write_trade(
                session,
                cleaned,
                case_id=case.id,
                actor=self.user,
                progress=progress,
                cancelled=cancelled,
            )
            self._audit(
                session,
                "dataset.import",
                "dataset",
                target_uid=uid,
                case_id=case.id,
                after={
                    "file_name": path.name,
                    "sha256": sha256,
                    "kind": "trade",
                    "content_hash": cleaned.content_hash,
                    "rows_imported": len(cleaned.table),
                    "rows_rejected": cleaned.table.rejected_rows,
                },
            )
        if progress:
            progress(1000, 1000)
        return cleaned.to_json(uid)

    def dataset_mappings(self, *, case_ref: str) -> dict[str, dict]:
        """``{dataset uid: mapping}`` of the case's datasets (the Datasets panel shows them)."""
        with self._read() as session:
            case = find_case(session, case_ref)
            return datasets.dataset_mappings(session, case_id=case.id)
