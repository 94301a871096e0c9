"""Facade section for the GUI's import wizard, Shipments and Firms tabs and Datasets panel.

Previews of a file before it is imported (raw rows as read, the detected preset, cleaned
values and row errors), the filtered shipment view with firm and dataset filters and a row's
source, the case's firms with their roles, and the merge-suggestion queue (accept, dismiss,
reopen) — each change audited like the CLI's.
"""

from __future__ import annotations

import dataclasses
from itertools import islice
from pathlib import Path

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.core.filters import ShipmentFilter
from casebook.store import shipments, suggestions
from casebook.store.paging import PageSource

PREVIEW_ROWS = 50


def _plain(value):
    """A numpy scalar or NaN as a plain Python value (None for NaN)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


class WorkbenchSection:
    """What the GUI's wizard and tabs need beyond the CLI's operations."""

    # --- import wizard --------------------------------------------------------------------

    def preview_file(
        self,
        path: str | Path,
        *,
        sheet: str | None = None,
        encoding: str | None = None,
        mapping: dict | None = None,
        rows: int = PREVIEW_ROWS,
    ) -> dict:
        """The first rows of a file as read and as they would be imported.

        ``mapping`` (shipments): ``{"columns": {field: column index}, "constants": {…},
        "date_order": …}``; without it the best preset is applied. Trade statistics files
        (Eurostat, Comtrade) are recognised and previewed as flows; any other table is read as
        trade flows with ``{"kind": "trade", "columns": {field: column index}, "constants":
        {currency, flow, product…}}`` (no period column: the period columns are melted).
        """
        from casebook.ingest import trade

        path = Path(path)
        if not path.is_file():
            raise UsageError(f"no file {path}")
        if mapping and mapping.get("kind") == "trade":
            return _preview_trade_table(path, mapping, sheet=sheet, encoding=encoding, rows=rows)
        detection = trade.detect(path, encoding=encoding)
        if detection.preset and not (mapping and mapping.get("kind") == "shipments"):
            return self._preview_trade(path, detection, sheet=sheet, rows=rows)
        return _preview_shipments(path, sheet=sheet, encoding=encoding, mapping=mapping, rows=rows)

    def _preview_trade(self, path: Path, detection, *, sheet, rows: int) -> dict:
        from casebook.ingest import trade

        table = trade.read_trade(path, preset=detection.preset)
        raw_header, raw = [], []
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            first = table.sheets[0] if table.sheets else None
            name, grid = next(trade._xlsx_tables(path, sheet=sheet or first, limit=rows))
            width = max((len(r) for r in grid), default=0)
            raw_header = [f"#{i + 1}" for i in range(width)]
            raw = [[_cell(c) for c in r] + [""] * (width - len(r)) for r in grid]
            sheets = list(table.sheets)
        else:
            header, lines, info = trade.table_rows(path, sheet=None, encoding=None, limit=rows)
            raw_header, raw = header, [[_cell(c) for c in r] for _, r in lines]
            name, sheets = None, []
        flows = [dict(zip(trade.COLUMNS, r, strict=True)) for r in islice(table.rows(), rows)]
        return {
            "kind": "trade",
            "file": path.name,
            "encoding": table.encoding,
            "delimiter": None,
            "sheets": sheets,
            "sheet": name,
            "header": raw_header,
            "raw": raw,
            "raw_lines": list(range(1, len(raw) + 1)),
            "preset": detection.preset,
            "confidence": detection.confidence,
            "reason": detection.reason,
            "fields": list(trade.COLUMNS[1:]),
            "columns": {},
            "constants": {},
            "date_order": None,
            "cleaned": [{"row": f["source_row"], "values": f, "errors": {}} for f in flows],
            "rows_read": table.rows_read,
            "rows_valid": len(table),
            "errors": [_problem(e) for e in table.errors[:200]],
            "error_count": len(table.errors),
        }

    def save_import_mapping(self, preview: dict, path: str | Path) -> Path:
        """Write the wizard's mapping as a TOML mapping file (``casebook import --mapping``)."""
        path = Path(path)
        if preview["kind"] == "trade" and preview.get("trade_mapping"):
            from casebook.ingest import trade

            trade.save_mapping(_named_trade_mapping(preview), path)
            return path
        if preview["kind"] == "trade":
            raise Refused(
                f"{preview['preset']} files need no mapping file; they are recognised as they are"
            )
        from casebook.ingest import presets

        presets.save_mapping(_mapping(preview), path)
        return path

    def import_with_preview(
        self,
        path: str | Path,
        preview: dict,
        *,
        case_ref: str,
        skip_bad_rows: bool = False,
        force: bool = False,
        progress=None,
        cancelled=None,
    ) -> dict:
        """Import a file the way the wizard previewed it (its preset, or its edited mapping)."""
        path = Path(path)
        options = {
            "case_ref": case_ref,
            "skip_bad_rows": skip_bad_rows,
            "force": force,
            "progress": progress,
            "cancelled": cancelled,
        }
        if preview["kind"] == "trade" and preview.get("trade_mapping"):
            mapping = _named_trade_mapping(preview)
            return self.import_trade(path, mapping=mapping, sheet=preview.get("sheet"), **options)
        if preview["kind"] == "trade":
            return self.import_trade(path, preset=preview["preset"], **options)
        if preview.get("edited") or not preview.get("preset"):
            folder = self.folder / "mappings"
            folder.mkdir(parents=True, exist_ok=True)
            mapping = self.save_import_mapping(preview, folder / f"{path.stem}.toml")
            return self.import_file(
                path,
                mapping=mapping,
                sheet=preview.get("sheet"),
                encoding=preview.get("encoding"),
                **options,
            )
        return self.import_file(
            path,
            preset=preview["preset"],
            sheet=preview.get("sheet"),
            encoding=preview.get("encoding"),
            **options,
        )

    # --- shipments -----------------------------------------------------------------------

    def shipment_view_source(
        self, case_ref: str, *, lens: ShipmentFilter | None = None, filters: dict | None = None
    ) -> PageSource:
        """The Shipments tab's table: ``shipment_page_source`` (the lens, and the tab's own
        ``filters`` over it)."""
        return self.shipment_page_source(case_ref, lens=lens, filters=filters)

    def shipment_detail(self, shipment_id: int) -> dict:
        """One shipment with its firms and its source: dataset, file, sheet and row."""
        with self._read() as session:
            data = shipments.shipment_detail(session, shipment_id=shipment_id)
        if data is None:
            raise NotFound(f"no shipment {shipment_id}")
        return {k: (str(v) if hasattr(v, "isoformat") else v) for k, v in data.items()}

    # --- firms ---------------------------------------------------------------------------

    def case_firms(self, *, case_ref: str) -> list[dict]:
        """The case's firms: ``firms list`` plus native name, role, countries, all identifiers."""
        firms = self.list_firms(case_ref=case_ref)
        with self._read() as session:
            case = find_case(session, case_ref)
            extra = suggestions.case_firm_roles(session, case_id=case.id)
            details = suggestions.firm_details(session, ids=[v[2] for v in extra.values()])
        for firm in firms:
            native, role, fid = extra.get(firm["uid"], (None, None, None))
            more = details.get(fid, {"countries": set(), "identifiers": [], "merges": 0})
            firm["native_name"] = native
            firm["role"] = role
            found = more["countries"] | ({firm["country"]} if firm["country"] else set())
            firm["countries"] = sorted(found)
            firm["identifier_list"] = more["identifiers"]
            firm["merges"] = more["merges"]
        return firms

    def merge_queue(self, *, case_ref: str, status: str | None = "open") -> list[dict]:
        """Merge suggestions among the case's firms, best score first."""
        with self._read() as session:
            case = find_case(session, case_ref)
            rows = suggestions.suggestion_rows(session, case_id=case.id, status=status)
        out = []
        for r in rows:
            a = {"uid": r[4], "name": r[5], "native_name": r[6], "country": r[7]}
            b = {"uid": r[9], "name": r[10], "native_name": r[11], "country": r[12]}
            if r[3] == "open" and (r[8] is not None or r[13] is not None):
                continue  # one side was merged by hand since
            out.append({"id": r[0], "score": r[1], "reason": r[2], "status": r[3], "a": a, "b": b})
        return out

    def accept_suggestion(self, suggestion_id: int, *, keep: str | None = None) -> dict:
        """Merge the suggested pair (``keep`` survives; default the first firm); audited."""
        pair = self._suggestion(suggestion_id)
        keep = keep or pair["a"]
        if keep not in (pair["a"], pair["b"]):
            raise UsageError("keep must be one of the suggested firms")
        other = pair["b"] if keep == pair["a"] else pair["a"]
        result = self.merge_firms(keep=keep, other=other)
        self._set_suggestion(suggestion_id, "accepted")
        return {**result, "suggestion": suggestion_id}

    def dismiss_suggestion(self, suggestion_id: int) -> dict:
        """Mark a suggestion as not the same firm; audited."""
        self._suggestion(suggestion_id)
        self._set_suggestion(suggestion_id, "dismissed")
        return {"suggestion": suggestion_id, "status": "dismissed"}

    def reopen_suggestion(self, suggestion_id: int) -> dict:
        """Put a suggestion back in the queue; an accepted one is split again first."""
        pair = self._suggestion(suggestion_id)
        if pair["status"] == "accepted":
            with self._read() as session:
                merged = suggestions.merged_uid(session, uids=[pair["a"], pair["b"]])
            if merged:
                self.split_firm(merged)
        self._set_suggestion(suggestion_id, "open")
        return {"suggestion": suggestion_id, "status": "open"}

    def _suggestion(self, suggestion_id: int) -> dict:
        with self._read() as session:
            pair = suggestions.suggestion_pair(session, suggestion_id=suggestion_id)
        if pair is None:
            raise NotFound(f"no merge suggestion {suggestion_id}")
        return pair

    def _set_suggestion(self, suggestion_id: int, status: str) -> None:
        with self._write() as session:
            case_id, before = suggestions.set_status(
                session, suggestion_id=suggestion_id, status=status
            )
            self._audit(
                session,
                "firm.suggestion",
                "mergesuggestion",
                case_id=case_id,
                before={"id": suggestion_id, "status": before},
                after={"id": suggestion_id, "status": status},
            )

    # --- datasets ------------------------------------------------------------------------

    def case_datasets(self, *, case_ref: str) -> list[dict]:
        """``datasets list`` plus each dataset's mapping (for the Datasets panel)."""
        datasets = self.list_datasets(case_ref=case_ref)
        mappings = self.dataset_mappings(case_ref=case_ref)
        for d in datasets:
            d["mapping"] = mappings.get(d["uid"], {})
        return datasets


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _problem(e) -> dict:
    return {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}


def _mapping(preview: dict):
    from casebook.ingest import presets

    return presets.Mapping(
        columns={k: int(v) for k, v in preview["columns"].items()},
        header=list(preview["header"]),
        constants=dict(preview.get("constants") or {}),
        schemes=dict(preview.get("schemes") or {}),
        date_order=preview.get("date_order"),
        preset=preview.get("preset"),
        confidence=preview.get("confidence") or 0.0,
    )


def _preview_shipments(path: Path, *, sheet, encoding, mapping: dict | None, rows: int) -> dict:
    from casebook.ingest import presets
    from casebook.ingest.readers import Chunk, open_sheets, printable
    from casebook.ingest.shipments import clean_sheet

    sheets = open_sheets(path, encoding=encoding, sheet=sheet, header_score=presets.best_score)
    chosen = sheets[0]
    if sheet is None and len(sheets) > 1:
        chosen = max(sheets, key=lambda s: presets.best_score(s.header))
    first = next(iter(chosen.chunks()), None)
    if first is None:
        first = Chunk([() for _ in chosen.header], [])
    head = Chunk([tuple(c[:rows]) for c in first.columns], list(first.rows[:rows]))
    raw = [[printable(_cell(col[i])) for col in head.columns] for i in range(len(head))]
    header = list(chosen.header)
    preset, confidence, reason = None, 0.0, ""
    if mapping is None:
        try:
            resolved = presets.recognise(header)
            preset, confidence = resolved.preset, resolved.confidence
        except Refused as exc:
            resolved = presets.Mapping(columns={}, header=header)
            reason = exc.message
    else:
        resolved = presets.Mapping(
            columns={k: int(v) for k, v in (mapping.get("columns") or {}).items()},
            header=header,
            constants=dict(mapping.get("constants") or {}),
            schemes=dict(mapping.get("schemes") or {}),
            date_order=mapping.get("date_order"),
            preset=mapping.get("preset"),
        )
        preset, confidence = resolved.preset, mapping.get("confidence", 1.0)
    cleaned: list[dict] = []
    errors: list[dict] = []
    valid = 0
    if resolved.columns and len(head):
        limited = dataclasses.replace(
            chosen,
            chunks=lambda: iter([head]),
            errors=[e for e in chosen.errors if e.row <= max(head.rows)],
        )
        try:
            table = clean_sheet(limited, resolved)
        except Refused as exc:
            reason = exc.message
            table = None
        if table is not None:
            valid = len(table)
            position = {int(r): i for i, r in enumerate(table.rows.tolist())}
            by_row: dict[int, dict] = {}
            for e in table.errors:
                by_row.setdefault(e.row, {})[e.column or ""] = e.reason
                errors.append(_problem(e))
            for line in head.rows:
                at = position.get(int(line))
                values = (
                    {k: _plain(v[at]) for k, v in table.columns.items()} if at is not None else {}
                )
                cleaned.append({"row": int(line), "values": values, "errors": by_row.get(line, {})})
    return {
        "kind": "shipments",
        "file": path.name,
        "encoding": chosen.encoding,
        "delimiter": chosen.delimiter,
        "sheets": [s.sheet for s in sheets if s.sheet],
        "sheet": chosen.sheet,
        "header": header,
        "raw": raw,
        "raw_lines": list(head.rows),
        "preset": preset,
        "confidence": confidence,
        "reason": reason,
        "fields": list(presets.FIELDS),
        "columns": dict(resolved.columns),
        "constants": dict(resolved.constants),
        "schemes": dict(resolved.schemes),
        "date_order": resolved.date_order,
        "cleaned": cleaned,
        "rows_read": len(head),
        "rows_valid": valid,
        "errors": errors,
        "error_count": len(errors),
    }


def _trade_columns(mapping: dict) -> dict:
    """``{field: index}`` → the mapping-file form ``{"#N": field}``."""
    return {f"#{int(i) + 1}": field for field, i in (mapping.get("columns") or {}).items()}


def _named_trade_mapping(preview: dict) -> dict:
    """The wizard's trade mapping with header names where they are unique (else ``#N``)."""
    header = preview["header"]
    columns = {}
    for field, index in preview["trade_mapping"]["columns"].items():
        name = header[int(index)]
        columns[name if header.count(name) == 1 and name else f"#{int(index) + 1}"] = field
    constants = {k: v for k, v in (preview["trade_mapping"].get("constants") or {}).items() if v}
    out = {"kind": "trade", "columns": columns, "constants": constants}
    if preview.get("sheet"):
        out["sheet"] = preview["sheet"]
    return out


def _preview_trade_table(path: Path, mapping: dict, *, sheet, encoding, rows: int) -> dict:
    """The first rows of a table read as trade flows with a mapping (long or wide)."""
    from casebook.ingest import trade

    header, lines, info = trade.table_rows(path, sheet=sheet, encoding=encoding, limit=rows + 1)
    lines = list(lines)[:rows]
    file_mapping = {
        "kind": "trade",
        "columns": _trade_columns(mapping),
        "constants": {k: v for k, v in (mapping.get("constants") or {}).items() if v},
    }
    cleaned, errors, valid, reason = [], [], 0, ""
    try:
        trade.check_mapping(file_mapping)
        resolved = trade.resolve(file_mapping, header)
    except (UsageError, Refused) as exc:
        resolved, reason = None, exc.message
    label = path.name
    for line, row in lines:
        if resolved is None:
            break
        flows, problems, _missing = trade.clean_mapped_row(resolved, header, row, line, label)
        row_errors = {p.column or "": p.reason for p in problems}
        errors.extend(_problem(p) for p in problems)
        valid += 0 if problems else 1
        first = dict(zip(trade.COLUMNS, flows[0], strict=True)) if flows else {}
        cleaned.append({"row": line, "values": first, "errors": row_errors})
    sheets = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        sheets = list(book.sheetnames)
        book.close()
    return {
        "kind": "trade",
        "file": path.name,
        "encoding": info.get("encoding"),
        "delimiter": info.get("delimiter"),
        "sheets": sheets,
        "sheet": info.get("sheet"),
        "header": header,
        "raw": [[_cell(c) for c in r] + [""] * (len(header) - len(r)) for _, r in lines],
        "raw_lines": [line for line, _ in lines],
        "preset": None,
        "confidence": 1.0,
        "reason": reason,
        "fields": list(trade.FIELDS),
        "columns": {k: int(v) for k, v in (mapping.get("columns") or {}).items()},
        "constants": dict(mapping.get("constants") or {}),
        "trade_mapping": {
            "columns": {k: int(v) for k, v in (mapping.get("columns") or {}).items()},
            "constants": dict(mapping.get("constants") or {}),
        },
        "melted_periods": len(resolved.periods) if resolved else 0,
        "date_order": None,
        "cleaned": cleaned,
        "rows_read": len(lines),
        "rows_valid": valid,
        "errors": errors,
        "error_count": len(errors),
    }
