"""Raw shipment rows into typed columns: read once, each distinct value cleaned once.

The sheet streams past in chunks; each mapped field feeds its column builder (``columns.py``).
Bad values become row errors naming file, row, column, value and reason; the valid rows stay
as numpy columns (object arrays, floats for numbers), never one Python object per row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from casebook.core.dates import clean_month
from casebook.core.errors import Cancelled, Refused, UsageError
from casebook.core.hs import hs6
from casebook.core.numbers import clean_number
from casebook.ingest.columns import NUMBER_FIELDS, Bad, builder, clean_currency
from casebook.ingest.presets import Mapping
from casebook.ingest.readers import RowError, Sheet, printable

Progress = Callable[[float], None]
CancelCheck = Callable[[], bool]

#: The typed columns of every cleaned sheet.
OUTPUT = (
    "declaration_no",
    "item_no",
    "date",
    "direction",
    "exporter",
    "exporter_id",
    "exporter_address",
    "exporter_country",
    "importer",
    "importer_id",
    "importer_address",
    "importer_country",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "hs6",
    "description",
    "brand",
    "manufacturer",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
)


@dataclass
class CleanTable:
    """The valid rows of a sheet as typed columns, and the rows that were not valid."""

    file: str
    rows: np.ndarray  # source row number of each valid row
    columns: dict[str, np.ndarray]
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def rejected_rows(self) -> int:
        """How many distinct rows have at least one error."""
        return len({e.row for e in self.errors})


def clean_sheet(
    sheet: Sheet,
    mapping: Mapping,
    *,
    rates: dict[tuple[str, str], float] | None = None,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> CleanTable:
    """Read, clean and type every row of a sheet; invalid rows are left out and reported."""
    builders = {
        name: builder(
            name, encoding=sheet.encoding, date_order=mapping.date_order, schemes=mapping.schemes
        )
        for name in mapping.columns
    }
    rows = _read(sheet, mapping, builders, progress, cancelled)
    count = len(rows)
    columns = {name: b.finish() for name, b in builders.items()}
    bad = np.zeros(count, dtype=bool)
    errors = list(sheet.errors)
    for name, b in builders.items():
        column = mapping.header[mapping.columns[name]]
        for position, why in b.bad:
            bad[position] = True
            errors.append(
                RowError(sheet.label, int(rows[position]), column, printable(why.value), why.reason)
            )
    if not count and not errors:
        raise Refused(f"{sheet.label}: no data rows")
    _constants(columns, mapping, count)
    _derive(columns, count, rates or {})
    errors.sort(key=lambda e: (e.row, e.column or ""))
    if bad.any():
        keep = ~bad
        rows, columns = rows[keep], {k: v[keep] for k, v in columns.items()}
    table = CleanTable(sheet.label, rows, columns, errors)
    table.rows_read = count + len(sheet.errors)
    return table


def _read(sheet, mapping, builders, progress, cancelled) -> np.ndarray:
    rows: list[np.ndarray] = []
    for chunk in sheet.chunks():
        if cancelled and cancelled():
            raise Cancelled("import cancelled")
        for name, index in mapping.columns.items():
            builders[name].add(chunk.columns[index])
        rows.append(np.asarray(chunk.rows, dtype=np.int64))
        if progress:
            progress(chunk.position)
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


def _constants(columns: dict[str, np.ndarray], mapping: Mapping, count: int) -> None:
    """Fields fixed for the whole file (``direction = "import"``), cleaned like cells."""
    for name, raw in mapping.constants.items():
        if name in columns:
            continue
        b = builder(name, encoding=None, date_order=None, schemes=mapping.schemes)
        b.add((raw,))
        value = b.finish()[0]
        if b.bad:
            raise UsageError(f"constant {name} = {raw!r}: {b.bad[0][1].reason}")
        columns[name] = _filled(count, value, float if name in NUMBER_FIELDS else object)


def _filled(count: int, value: object, kind) -> np.ndarray:
    column = np.empty(count, dtype=np.float64 if kind is float else object)
    column.fill(np.nan if value is None and kind is float else value)
    return column


def _derive(columns: dict[str, np.ndarray], count: int, rates: dict) -> None:
    """HS6 from the national code, USD values, and empty columns for unmapped fields."""
    for name in OUTPUT:
        if name not in columns:
            columns[name] = _filled(count, None, float if name in NUMBER_FIELDS else object)
    columns["hs6"] = map_distinct(columns["hs_code"], hs6)
    columns["value_usd"] = usd_values(columns, rates)


def map_distinct(column: np.ndarray, func: Callable[[object], object]) -> np.ndarray:
    """Apply ``func`` once per distinct value of an object column (None stays None)."""
    values = column.tolist()
    cache = {v: (func(v) if v is not None else None) for v in dict.fromkeys(values)}
    out = np.empty(len(column), dtype=object)
    out[:] = list(map(cache.__getitem__, values))
    return out


def usd_values(columns: dict[str, np.ndarray], rates: dict[tuple[str, str], float]) -> np.ndarray:
    """USD as given; else the value when its currency is USD; else converted by ``rates``."""
    usd = columns["value_usd"].copy()
    value = columns["value"]
    need = np.isnan(usd) & ~np.isnan(value)
    if not need.any():
        return usd
    currency = columns["currency"]
    is_usd = need & (currency == "USD")
    usd[is_usd] = value[is_usd]
    rest = np.flatnonzero(need & ~is_usd)
    if rates and rest.size:
        keys = zip(columns["date"][rest].tolist(), currency[rest].tolist(), strict=True)
        factor = [rates.get((d[:7], c), np.nan) if d and c else np.nan for d, c in keys]
        usd[rest] = value[rest] * np.asarray(factor, dtype=np.float64)
    return usd


def load_rates(path: str | Path) -> dict[tuple[str, str], float]:
    """A rate table CSV (month, currency, usd_per_unit) as {(YYYY-MM, CUR): rate}."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read rates file {path}: {exc}") from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    fields = {(f or "").strip().casefold() for f in reader.fieldnames or []}
    if not {"month", "currency", "usd_per_unit"} <= fields:
        raise UsageError(f"rates file {path.name} needs the columns month, currency, usd_per_unit")
    rates: dict[tuple[str, str], float] = {}
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip().casefold(): v for k, v in row.items()}
        month, cur = clean_month(row["month"]), clean_currency(row["currency"] or "")
        rate = clean_number(row["usd_per_unit"])
        if month is None or cur is None or rate is None or rate <= 0:
            raise UsageError(f"rates file {path.name} row {number}: bad month, currency or rate")
        rates[(month, cur)] = rate
    return rates


__all__ = ["OUTPUT", "Bad", "CleanTable", "clean_sheet", "load_rates", "usd_values"]
