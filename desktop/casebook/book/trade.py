"""Facade section: import trade statistics (Eurostat, UN Comtrade, mapped tables)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from casebook.book.cases import find_case
from casebook.core.errors import Refused, RowErrors, UsageError
from casebook.core.words import plural
from casebook.store import trade as store
from casebook.store.models import Dataset


def is_trade_import(
    path: str | Path, *, preset: str | None = None, mapping: str | Path | None = None
) -> bool:
    """True when ``casebook import`` should import the file as trade statistics."""
    from casebook.ingest import trade as ingest

    if preset:
        return preset in ingest.PRESETS
    if mapping:
        return ingest.mapping_is_trade(mapping)
    path = Path(path)
    return path.is_file() and ingest.detect(path).preset is not None


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
        from casebook.ingest import trade as ingest
        from casebook.ingest.importer import file_sha256, write_rejects

        started = time.perf_counter()
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"no file {path}")
        if preset and mapping:
            raise UsageError("give --preset or --mapping, not both")
        data = ingest.load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
        sha256 = file_sha256(path)

        def reading(done: int, total: int) -> None:
            if progress and total:
                progress(int(600 * done / total), 1000)

        with self._read() as session:
            case = find_case(session, case_ref)
            earlier = _dataset_with_hash(session, case.id, sha256)
        if earlier and not force:
            raise Refused(
                f"{path.name} was already imported into this case (dataset {earlier}); "
                "use --force to import it again"
            )
        table = ingest.read_trade(
            path,
            preset=preset,
            mapping=data,
            sheet=sheet,
            encoding=encoding,
            progress=reading,
            cancelled=cancelled,
        )
        rejects = None
        if table.errors:
            folder = self.folder / "rejects"
            rejects = write_rejects(table.errors, folder=folder, source=path)
            if not skip_bad_rows:
                rows = table.rejected_rows
                raise RowErrors(
                    f"{plural(rows, 'invalid row')} in {path.name}; nothing was "
                    f"imported (all listed in {rejects}; --skip-bad-rows imports the rest)",
                    errors=table.errors,
                    rejects_file=str(rejects) if rejects else None,
                )
        content_hash = table.content_hash()
        count = len(table)
        with self._write() as session:
            case = find_case(session, case_ref)
            dataset = Dataset(
                case_id=case.id,
                kind="trade",
                file_name=path.name,
                sha256=sha256,
                encoding=table.encoding,
                sheet=_sheets_label(table.sheets),
                preset=table.preset,
                mapping=table.mapping,
                imported_by=self.user,
            )
            session.add(dataset)
            session.flush()
            store.insert_flows(
                session,
                dataset_id=dataset.id,
                case_id=case.id,
                rows=table.rows(),
                total=count,
                progress=lambda done, total: (
                    progress(600 + int(400 * done / max(total, 1)), 1000) if progress else None
                ),
                cancelled=cancelled,
            )
            store.set_dataset_totals(
                session, dataset_id=dataset.id, rows=count, content_hash=content_hash
            )
            result = {
                "dataset_uid": dataset.uid,
                "kind": "trade",
                "preset": table.preset,
                "sheets": list(table.sheets),
                "rows_read": table.rows_read,
                "rows_imported": count,
                "rows_skipped": table.rows_left_out,
                "rows_rejected": table.rejected_rows,
                "values_missing": table.cells_missing,
                "firms_created": 0,
                "firms_matched": 0,
                "merge_suggestions": 0,
                "rejects_file": str(rejects) if rejects else None,
                "datasets": [dataset.uid],
            }
            self._audit(
                session,
                "dataset.import",
                "dataset",
                target_uid=dataset.uid,
                case_id=case.id,
                after={
                    "file_name": path.name,
                    "sha256": sha256,
                    "kind": "trade",
                    "content_hash": content_hash,
                    "rows_imported": count,
                    "rows_rejected": table.rejected_rows,
                },
            )
        if progress:
            progress(1000, 1000)
        result["seconds"] = round(time.perf_counter() - started, 3)
        return result

    def dataset_mappings(self, *, case_ref: str) -> dict[str, dict]:
        """``{dataset uid: mapping}`` of the case's datasets (the Datasets panel shows them)."""
        with self._read() as session:
            case = find_case(session, case_ref)
            return store.dataset_mappings(session, case_id=case.id)


def _dataset_with_hash(session, case_id: int, sha256: str) -> str | None:
    from sqlmodel import select

    found = session.exec(
        select(Dataset.uid).where(Dataset.case_id == case_id, Dataset.sha256 == sha256)
    ).first()
    return found


def _sheets_label(sheets: list[str]) -> str | None:
    from casebook.ingest import trade as ingest

    if not sheets:
        return None
    text = ", ".join(sheets)
    if len(text) > ingest.SHEET_LABEL_LIMIT and len(sheets) > 2:
        return f"{sheets[0]} … {sheets[-1]} ({len(sheets)} sheets)"
    return text
