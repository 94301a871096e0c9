"""One trade statistics import in two phases, like a shipment import (``importer``).

``read_trade_file`` reads and cleans the file outside any transaction (row errors: rejects file,
stop); ``write_trade`` inserts the dataset and its flows inside the caller's write transaction.
The caller (the facade) owns the transactions and the audit event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from casebook.core.errors import RowErrors
from casebook.core.words import plural
from casebook.ingest import trade as ingest
from casebook.ingest.importer import Progress, refuse_repeat, write_rejects
from casebook.store import datasets
from casebook.store import trade as store


def is_trade_file(
    path: str | Path, *, preset: str | None = None, mapping: str | Path | None = None
) -> bool:
    """True when ``casebook import`` should import the file as trade statistics."""
    if preset:
        return preset in ingest.PRESETS
    if mapping:
        return ingest.mapping_is_trade(mapping)
    path = Path(path)
    return path.is_file() and ingest.detect(path).preset is not None


@dataclass
class CleanTrade:
    """A trade file read and cleaned but not yet written: what ``write_trade`` inserts."""

    path: Path
    sha256: str
    force: bool
    table: ingest.TradeTable
    content_hash: str
    rejects_file: str | None
    started: float

    def to_json(self, dataset_uid: str) -> dict:
        """The ``import`` JSON of DESIGN.md (``kind`` "trade") once written as ``dataset_uid``."""
        table = self.table
        return {
            "dataset_uid": dataset_uid,
            "kind": "trade",
            "preset": table.preset,
            "sheets": list(table.sheets),
            "rows_read": table.rows_read,
            "rows_imported": len(table),
            "rows_skipped": table.rows_left_out,
            "rows_rejected": table.rejected_rows,
            "values_missing": table.cells_missing,
            "firms_created": 0,
            "firms_matched": 0,
            "merge_suggestions": 0,
            "rejects_file": self.rejects_file,
            "datasets": [dataset_uid],
            "seconds": round(time.perf_counter() - self.started, 3),
        }


def read_trade_file(
    path: Path,
    *,
    sha256: str,
    preset: str | None = None,
    mapping: str | Path | dict | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    skip_bad_rows: bool = False,
    force: bool = False,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> CleanTrade:
    """Read and clean a trade file (no store access; progress 0–60%). Row errors go to the
    rejects file and raise ``RowErrors`` unless bad rows may be skipped."""
    started = time.perf_counter()

    def reading(done: int, total: int) -> None:
        if progress and total:
            progress(int(600 * done / total), 1000)

    data = ingest.load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
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
        rejects = write_rejects(table.errors, folder=rejects_dir, source=path)
        if not skip_bad_rows:
            raise RowErrors(
                f"{plural(table.rejected_rows, 'invalid row')} in {path.name}; nothing was "
                f"imported (all listed in {rejects}; --skip-bad-rows imports the rest)",
                errors=table.errors,
                rejects_file=str(rejects) if rejects else None,
            )
    rejects_file = str(rejects) if rejects else None
    return CleanTrade(path, sha256, force, table, table.content_hash(), rejects_file, started)


def write_trade(
    session: Session,
    cleaned: CleanTrade,
    *,
    case_id: int,
    actor: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> str:
    """Insert a cleaned trade file into case ``case_id`` within ``session``'s write
    transaction (progress 60–100%); returns the dataset's uid."""
    table = cleaned.table
    if not cleaned.force:  # the same file may have been imported while this one was read
        refuse_repeat(session, case_id=case_id, path=cleaned.path, sha256=cleaned.sha256)
    dataset = datasets.add_dataset(
        session,
        case_id=case_id,
        kind="trade",
        file_name=cleaned.path.name,
        sha256=cleaned.sha256,
        encoding=table.encoding,
        sheet=_sheets_label(table.sheets),
        preset=table.preset,
        mapping=table.mapping,
        imported_by=actor,
    )
    count = len(table)
    store.insert_flows(
        session,
        dataset_id=dataset.id,
        case_id=case_id,
        rows=table.rows(),
        total=count,
        progress=lambda done, total: (
            progress(600 + int(400 * done / max(total, 1)), 1000) if progress else None
        ),
        cancelled=cancelled,
    )
    datasets.set_dataset_totals(
        session, dataset_id=dataset.id, rows=count, content_hash=cleaned.content_hash
    )
    return dataset.uid


def _sheets_label(sheets: list[str]) -> str | None:
    """The dataset's sheet label: the sheets' names, or the first and last of many."""
    if not sheets:
        return None
    text = ", ".join(sheets)
    if len(text) > ingest.SHEET_LABEL_LIMIT and len(sheets) > 2:
        return f"{sheets[0]} … {sheets[-1]} ({len(sheets)} sheets)"
    return text
