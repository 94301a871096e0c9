"""Facade section: import shipment files, list and delete datasets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casebook.book.cases import find_case, iso
from casebook.core.errors import NotFound, UsageError
from casebook.store import datasets
from casebook.store import shipments as store


def dataset_json(row: dict) -> dict:
    """The JSON shape of a dataset in ``datasets list``."""
    imported = row["imported"]
    return {
        "uid": row["uid"],
        "kind": row["kind"],
        "file_name": row["file_name"],
        "sha256": row["sha256"],
        "encoding": row["encoding"],
        "sheet": row["sheet"],
        "preset": row["preset"],
        "rows": row["row_count"],
        "shipments": row["shipments"],
        "content_hash": row["content_hash"],
        "imported": iso(imported) if not isinstance(imported, str) else imported,
        "imported_by": row["imported_by"],
    }


class ImportsSection:
    """``import``, ``datasets list`` and ``datasets delete``."""

    def import_file(
        self,
        path: str | Path,
        *,
        case_ref: str,
        preset: str | None = None,
        mapping: str | Path | None = None,
        sheet: str | None = None,
        encoding: str | None = None,
        rates: str | Path | None = None,
        skip_bad_rows: bool = False,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Import a shipments file into a case as one transaction and one audit event.

        The file is read and cleaned first, with no lock held; the write transaction holds the
        store's write lock for the inserts only. Returns the ``import`` JSON of DESIGN.md. Row errors raise ``RowErrors`` (all of them
        in the rejects CSV) unless ``skip_bad_rows``; ``cancelled()`` leaves the store unchanged.
        """
        from casebook.analysis import flags
        from casebook.ingest import importer

        path = Path(path)
        case_id, sha256 = self._check_import(path, case_ref, preset, mapping, force)
        request = importer.ImportRequest(
            path=path,
            case_id=case_id,
            preset=preset,
            mapping_file=Path(mapping) if mapping else None,
            sheet=sheet,
            encoding=encoding,
            rates_file=Path(rates) if rates else None,
            skip_bad_rows=skip_bad_rows,
            force=force,
            rejects_dir=self.folder / "rejects",
        )
        # Read and clean with no lock held: other writers go on meanwhile; the write
        # transaction below holds the lock for the inserts only.
        cleaned = importer.read_shipments(
            request, sha256=sha256, progress=progress, cancelled=cancelled
        )
        with self._write(bulk=True) as session:  # foreign keys checked once, before commit
            case = find_case(session, case_ref)
            result = importer.write_shipments(
                session,
                cleaned,
                case_id=case.id,
                actor=self.user,
                progress=progress,
                cancelled=cancelled,
            )
            flags.store_row_tests(session, case_id=case.id)
            self._audit(
                session,
                "dataset.import",
                "dataset",
                target_uid=result.dataset_uids[0] if result.dataset_uids else None,
                case_id=case.id,
                after=_import_audit(path, result),
            )
        return result.to_json()

    def _check_import(
        self, path: Path, case_ref: str, preset: str | None, mapping, force: bool
    ) -> tuple[int, str]:
        """The options checked, the case's id and the file's SHA-256; a file the case holds
        already is refused unless ``force`` (checked again under the write lock)."""
        from casebook.ingest import importer

        if not path.is_file():
            raise UsageError(f"no file {path}")
        self._refuse_own_file(path)
        if preset and mapping:
            raise UsageError("give --preset or --mapping, not both")
        with self._read() as session:
            case = find_case(session, case_ref)
            sha256 = importer.file_sha256(path)
            if not force:
                importer.refuse_repeat(session, case_id=case.id, path=path, sha256=sha256)
        return case.id, sha256

    def list_datasets(self, *, case_ref: str) -> list[dict]:
        """The case's datasets, oldest first."""
        with self._read() as session:
            case = find_case(session, case_ref)
            return [dataset_json(r) for r in datasets.dataset_rows(session, case_id=case.id)]

    def dataset_problems(self, *, case_ref: str | None = None) -> list[dict]:
        """``verify``: datasets whose stored rows no longer match their recorded content hash."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id if case_ref else None
            return store.dataset_hash_problems(session, case_id=case_id)

    def delete_dataset(self, uid: str) -> dict:
        """Delete a dataset and its shipments (audited); returns what was deleted."""
        with self._write() as session:
            dataset = datasets.get_dataset(session, uid=uid)
            if dataset is None:
                raise NotFound(f"no dataset {uid!r}")
            shipments = datasets.delete_dataset_rows(session, dataset_id=dataset["id"])
            self._audit(
                session,
                "dataset.delete",
                "dataset",
                target_uid=uid,
                case_id=dataset["case_id"],
                before=_dataset_audit(dataset) | {"shipments": shipments},
            )
        return {"uid": uid, "deleted": True, "shipments": shipments}


def _import_audit(path: Path, result) -> dict:
    return {
        "file_name": path.name,
        "sha256": result.sha256,
        "datasets": result.datasets,
        "content_hash": result.content_hashes[0] if result.content_hashes else None,
        "rows_imported": result.rows_imported,
        "rows_skipped": result.rows_skipped,
        "rows_rejected": result.rows_rejected,
        "firms_created": result.firms_created,
        "firms_matched": result.firms_matched,
        "unmapped_columns": result.unmapped_columns,
    }


def _dataset_audit(dataset: dict) -> dict:
    return {k: dataset[k] for k in ("uid", "file_name", "sha256", "row_count", "content_hash")}
