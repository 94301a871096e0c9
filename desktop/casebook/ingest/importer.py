"""One shipment import in two phases: read outside any transaction, write inside one.

``read_shipments``: read → clean → (row errors? rejects file, stop), touching no store, so other
writers go on while a million-row file is parsed. ``write_shipments``, inside the caller's write
transaction: skip rows already in the case → insert the dataset → resolve firms → the distinct
descriptions into the search index → insert the shipments in bulk → content hash → rollups. The caller (the facade) owns the
transactions, the audit event and the rejects file's place.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from sqlmodel import Session

from casebook.core.errors import Refused, RowErrors
from casebook.core.words import plural
from casebook.ingest import presets
from casebook.ingest.parties import PartyWriter
from casebook.ingest.readers import RowError, Sheet, open_sheets, printable
from casebook.ingest.shipments import CleanTable, clean_sheet, load_rates
from casebook.store import datasets, rollups, search
from casebook.store import shipments as store

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)
#: The columns the rollups sum a new dataset's groups from (with the firm ids).
ROLLED = ("date", "hs_code", "origin", "dispatch", "destination", "hs6", "value_usd", "net_weight")


@dataclass
class ImportRequest:
    """What to import and how (the options of ``casebook import``)."""

    path: Path
    case_id: int
    preset: str | None = None
    mapping_file: Path | None = None
    sheet: str | None = None
    encoding: str | None = None
    rates_file: Path | None = None
    skip_bad_rows: bool = False
    force: bool = False
    rejects_dir: Path | None = None


@dataclass
class ImportResult:
    """The outcome, shaped for the ``import`` JSON of DESIGN.md."""

    dataset_uids: list[str] = field(default_factory=list)
    dataset_ids: list[int] = field(default_factory=list)
    content_hashes: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    rows_rejected: int = 0
    firms_created: int = 0
    firms_matched: int = 0
    merge_suggestions: int = 0
    rejects_file: str | None = None
    seconds: float = 0.0
    sha256: str = ""
    datasets: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "dataset_uid": self.dataset_uids[0] if self.dataset_uids else None,
            "kind": "shipments",
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_skipped": self.rows_skipped,
            "rows_rejected": self.rows_rejected,
            "firms_created": self.firms_created,
            "firms_matched": self.firms_matched,
            "merge_suggestions": self.merge_suggestions,
            "rejects_file": self.rejects_file,
            "seconds": round(self.seconds, 3),
            "datasets": self.dataset_uids,
            "warnings": self.warnings,
            "unmapped_columns": self.unmapped_columns,
        }


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: millions of short-lived lists are no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class CleanFile:
    """A file read and cleaned but not yet written: what ``write_shipments`` inserts."""

    request: ImportRequest
    result: ImportResult
    tables: list[tuple[CleanTable, Sheet, presets.Mapping]]
    keys: list[np.ndarray]  # each table's duplicate keys (``_row_keys``)
    started: float


def refuse_repeat(session: Session, *, case_id: int, path: Path, sha256: str) -> None:
    """Refuse a file already imported into the case (``--force`` skips this check)."""
    earlier = datasets.dataset_with_hash(session, case_id=case_id, sha256=sha256)
    if earlier:
        raise Refused(
            f"{path.name} was already imported into this case (dataset {earlier}); "
            "use --force to import it again"
        )


def read_shipments(
    request: ImportRequest,
    *,
    sha256: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> CleanFile:
    """Read and clean the file (no store access). Row errors go to the rejects file and raise
    ``RowErrors`` unless bad rows may be skipped."""
    started, clock = time.perf_counter(), _Clock()
    result = ImportResult(sha256=sha256)
    with gc_paused():
        tables = _clean_tables(request, _stage(progress), cancelled)
    result.warnings = [w for _, sheet, _ in tables for w in sheet.warnings]
    result.unmapped_columns = list(dict.fromkeys(h for _, _, m in tables for h in m.unmapped))
    clock.lap("read and clean")
    _check_errors(request, tables, result)
    keys = [_row_keys(table.columns) for table, _, _ in tables]
    clock.lap("duplicate keys")
    return CleanFile(request, result, tables, keys, started)


def write_shipments(
    session: Session,
    cleaned: CleanFile,
    *,
    case_id: int,
    actor: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Insert a cleaned file into case ``case_id`` within ``session``'s write transaction."""
    request, result = replace(cleaned.request, case_id=case_id), cleaned.result
    if not request.force:  # the same file may have been imported while this one was read
        refuse_repeat(session, case_id=case_id, path=request.path, sha256=result.sha256)
    report = _stage(progress)
    with gc_paused():
        for (table, sheet, mapping), keys in zip(cleaned.tables, cleaned.keys, strict=True):
            _land(session, request, table, keys, sheet, mapping, result, actor, report, cancelled)
    result.seconds = time.perf_counter() - cleaned.started
    return result


def _stage(progress: Progress | None) -> Callable[[float, float, float], None]:
    """Map each stage's own fraction onto one 0–1000 bar (read 60%, firms 10%, write 30%)."""

    def report(start: float, span: float, fraction: float) -> None:
        if progress:
            progress(int(1000 * (start + span * min(max(fraction, 0.0), 1.0))), 1000)

    return report


def _clean_tables(request: ImportRequest, report, cancelled) -> list[tuple]:
    mapping_data = presets.load_mapping_file(request.mapping_file) if request.mapping_file else None
    rates = load_rates(request.rates_file) if request.rates_file else None
    header_row = mapping_data.get("header_row") if mapping_data else None
    sheets = open_sheets(
        request.path,
        encoding=request.encoding or (mapping_data or {}).get("encoding"),
        sheet=request.sheet or (mapping_data or {}).get("sheet"),
        header_score=None if header_row else presets.best_score,
        header_row=header_row,
    )
    chosen = _choose_sheets(sheets, request, mapping_data)
    tables = []
    share = 0.6 / len(chosen)
    for number, (sheet, mapping) in enumerate(chosen):

        def step(fraction: float, base: float = number * share) -> None:
            report(base, share, fraction)

        table = clean_sheet(sheet, mapping, rates=rates, progress=step, cancelled=cancelled)
        tables.append((table, sheet, mapping))
    return tables


def _choose_sheets(sheets: list[Sheet], request: ImportRequest, mapping_data: dict | None):
    """Each sheet with its mapping; several sheets only when the preset recognises them."""
    if mapping_data is not None:
        return [(s, presets.mapping_from_file(mapping_data, s.header)) for s in sheets]
    if len(sheets) == 1:
        return [(sheets[0], presets.recognise(sheets[0].header, preset=request.preset))]
    chosen = []
    for sheet in sheets:
        try:
            mapping = presets.recognise(sheet.header, preset=request.preset)
        except Refused:
            continue
        if mapping.confidence >= presets.RECOGNISED:
            chosen.append((sheet, mapping))
    if not chosen:
        raise Refused(
            f"{request.path.name}: no shipment columns recognised in any sheet "
            f"({', '.join(s.sheet or '' for s in sheets)}); use --sheet and --mapping"
        )
    return chosen


def _check_errors(request: ImportRequest, tables: list[tuple], result: ImportResult) -> None:
    """Row errors: write them all to the rejects file; abort unless bad rows may be skipped."""
    errors = [e for table, _, _ in tables for e in table.errors]
    result.rows_read = sum(t.rows_read for t, _, _ in tables)
    if not errors:
        return
    result.rows_rejected = sum(t.rejected_rows for t, _, _ in tables)
    path = write_rejects(errors, folder=request.rejects_dir, source=request.path)
    result.rejects_file = str(path) if path else None
    if not request.skip_bad_rows:
        rows = len({(e.file, e.row) for e in errors})
        raise RowErrors(
            f"{plural(rows, 'invalid row')} in {request.path.name}; nothing was "
            f"imported (all listed in {result.rejects_file}; --skip-bad-rows imports the rest)",
            errors=errors,
            rejects_file=result.rejects_file,
        )


def write_rejects(errors: list[RowError], *, folder: Path | None, source: Path) -> Path | None:
    """Every row error as CSV (file, row, column, value, reason) in the rejects folder."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{source.stem}-{stamp}-rejects.csv"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"{source.stem}-{stamp}-{counter}-rejects.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "row", "column", "value", "reason"])
        for e in errors:
            writer.writerow([e.file, e.row, e.column or "", printable(e.value), e.reason])
    return path


def _land(
    session,
    request,
    table: CleanTable,
    keys: np.ndarray,
    sheet: Sheet,
    mapping,
    result,
    actor,
    report,
    cancelled,
):
    """Skip known rows, insert the dataset, resolve firms, insert the shipments."""
    clock = _Clock()
    keep = _new_rows(session, request.case_id, keys)
    result.rows_skipped += int((~keep).sum())
    if not keep.all():  # a copy of every column only when rows are left out
        table.columns = {k: v[keep] for k, v in table.columns.items()}
        table.rows, keys = table.rows[keep], keys[keep]
    columns, rows = table.columns, table.rows
    dataset = datasets.add_dataset(
        session,
        case_id=request.case_id,
        kind="shipments",
        file_name=request.path.name,
        sha256=result.sha256,
        encoding=sheet.encoding,
        sheet=sheet.sheet,
        preset=mapping.preset,
        mapping=mapping.to_json(),
        imported_by=actor,
    )
    dataset_id, uid = dataset.id, dataset.uid
    clock.lap("rows already in")
    report(0.6, 0.1, 0.0)
    parties = PartyWriter(session, case_id=request.case_id, dataset_id=dataset_id)
    with search.firms_indexed_once(session):
        exporters, importers = parties.resolve(columns)
    result.firms_created += parties.created
    result.firms_matched += parties.matched
    result.merge_suggestions += parties.suggested
    clock.lap("firms")
    report(0.7, 0.0, 0.0)
    texts = _text_ids(session, columns["description"], case_id=request.case_id)
    firm_ids = np.unique(np.concatenate([exporters, importers]))
    store.cover_import_parents(
        session, case_id=request.case_id, dataset_id=dataset_id, firm_ids=firm_ids[firm_ids >= 0]
    )
    clock.lap("distinct texts")
    count = len(rows)
    first_id = store.last_shipment_id(session) + 1
    with store.bulk_insert(session, rows=count):
        store.insert_shipments(
            session,
            rows=_shipment_rows(
                dataset_id, request.case_id, rows, keys, columns, exporters, importers, texts
            ),
            total=count,
            progress=lambda done, total: report(0.7, 0.15, done / max(total, 1)),
            cancelled=cancelled,
        )
        clock.lap("insert")
        search.index_declarations(session, first_id=first_id)
        clock.lap("declaration index")
        content_hash = store.content_hash({"source_row": rows, **columns})
        datasets.set_dataset_totals(
            session, dataset_id=dataset_id, rows=count, content_hash=content_hash
        )
        clock.lap("content hash")
        report(0.85, 0.0, 0.0)
        if store.last_shipment_id(session) == first_id + count - 1:  # ids first_id, first_id + 1…
            groups = {name: columns[name] for name in ROLLED}
            groups.update(exporter_id=exporters, importer_id=importers)
            rollups.build_from_columns(
                session,
                case_id=request.case_id,
                dataset_id=dataset_id,
                columns=groups,
                first_id=first_id,
            )
        else:
            rollups.build_dataset(session, dataset_id=dataset_id)
        clock.lap("rollups")
        report(0.95, 0.0, 0.0)
    clock.lap("shipment indexes")
    report(1.0, 0.0, 0.0)
    result.rows_imported += count
    result.dataset_uids.append(uid)
    result.dataset_ids.append(dataset_id)
    result.content_hashes.append(content_hash)
    result.datasets.append(
        {"uid": uid, "sheet": sheet.sheet, "rows": count, "content_hash": content_hash}
    )


class _Clock:
    """Stage timings (wall and CPU), logged at debug level (the benchmark prints them)."""

    def __init__(self) -> None:
        self.last = time.perf_counter(), time.process_time()

    def lap(self, stage: str) -> None:
        now = time.perf_counter(), time.process_time()
        wall, cpu = (b - a for a, b in zip(self.last, now, strict=True))
        log.debug("import stage %-16s %6.2f s wall %6.2f s CPU", stage, wall, cpu)
        self.last = now


def _row_keys(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Each row's duplicate key (empty without a declaration number)."""
    decl, item = columns["declaration_no"].tolist(), columns["item_no"].tolist()
    keys = np.empty(len(decl), dtype=object)
    if not any(d is not None for d in decl):
        keys.fill("")
        return keys
    contents: list[str] | None = None
    if any(d is not None and i is None for d, i in zip(decl, item, strict=True)):
        plain = [_plain(columns[name]) for name in store.CONTENT]
        contents = list(store.content_lines(zip(*plain, strict=True)))
    keys[:] = [
        store.row_key(d, i, contents[n] if contents is not None and i is None else "")
        for n, (d, i) in enumerate(zip(decl, item, strict=True))
    ]
    return keys


def _new_rows(session: Session, case_id: int, keys: np.ndarray) -> np.ndarray:
    """Mask of rows not already in the case, nor earlier in this file."""
    seen = store.existing_row_keys(session, case_id=case_id)
    keep = np.ones(len(keys), dtype=bool)
    for i, key in enumerate(keys.tolist()):
        if not key:
            continue
        if key in seen:
            keep[i] = False
        else:
            seen.add(key)
    return keep


def _plain(column: np.ndarray) -> list:
    """A column as Python values; NaN as None."""
    values = column.tolist()
    if column.dtype.kind == "f":
        return [None if v != v else v for v in values]
    return values


def _ids(column: np.ndarray) -> list:
    return [None if v < 0 else v for v in column.tolist()]


def _text_ids(session: Session, descriptions: np.ndarray, *, case_id: int) -> np.ndarray:
    """Each row's ``shipmenttext`` id (-1 without a description): the search indexes each
    distinct description once."""
    import pandas as pd

    codes, uniques = pd.factorize(np.where(descriptions == "", None, descriptions))
    ids = np.asarray(
        [*search.intern_texts(session, uniques.tolist(), case_id=case_id), -1], dtype=np.int64
    )
    return ids[codes]


def _shipment_rows(dataset_id, case_id, rows, keys, columns, exporters, importers, texts):
    """Rows in ``store.INSERTED`` order, made from the columns one batch at a time (Python
    values for a whole million-row table would double the import's peak memory)."""
    for start in range(0, len(rows), store.BATCH):
        part = slice(start, start + store.BATCH)
        count = len(rows[part])
        exp, imp = _ids(exporters[part]), _ids(importers[part])
        items = _plain(columns["item_no"][part])
        head = [
            [dataset_id] * count,
            [case_id] * count,
            rows[part].tolist(),
            list(map(store.stored_row_key, keys[part].tolist(), items)),
            _plain(columns["declaration_no"][part]),
            items,
            *(_plain(columns[c][part]) for c in ("date", "direction")),
            exp,
            imp,
            exp,
            imp,
        ]
        tail = (_plain(columns[c][part]) for c in store.INSERTED[len(head) : -1])
        yield from zip(*head, *tail, _ids(texts[part]), strict=True)
