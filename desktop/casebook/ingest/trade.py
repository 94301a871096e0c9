"""Trade statistics as they are published: Eurostat Comext extracts, UN Comtrade CSV, tidy tables.

Every layout ends as the same columns of ``TradeFlow``: reporter and partner (ISO alpha-2),
flow (``import``/``export``/``re-import``/``re-export``), product (a code's digits, or a label
such as ``TOTAL``) with its level, period (``YYYY-MM`` or ``YYYY``), value and currency.

- **eurostat**: a Comext XLSX extract; one product per sheet, the product, flow and indicator
  in title cells above the table, months as columns, ``:`` where a value is not available,
  footnotes below the table. Every product sheet of a workbook goes into one dataset.
- **comtrade**: the UN Comtrade bulk-download CSV (the current API columns ``reporterISO``,
  ``flowCode``, ``cmdCode``, ``primaryValue``… or the legacy ``Reporter ISO``, ``Trade Flow
  Code``, ``Commodity Code``, ``Trade Value (US$)``…); values in USD; rows for the partner
  "World" are the sum of the others and are left out.
- **trade-table**: any other table, long or wide, described by a mapping file
  (``kind = "trade"``, ``[columns]`` column → field, ``[constants]`` field → value). Columns
  whose headers are periods (``2022-03``, ``2022M03``, ``2021``) are melted into rows when no
  column is mapped to ``period``; ten thousand period columns are fine.

Missing values (``:``, empty cells) are not rows; they are counted as skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from casebook.core.countries import clean_country
from casebook.core.dates import clean_month
from casebook.core.errors import Cancelled, Refused, UsageError
from casebook.core.hs import clean_hs
from casebook.core.numbers import clean_number, is_missing
from casebook.ingest.columns import NON_FINITE, NOT_FINITE, implausible
from casebook.ingest.presets import read_mapping_toml
from casebook.ingest.readers import RowError as Problem
from casebook.store import trade as store_trade

PRESETS = ("eurostat", "comtrade", "trade-table")
FIELDS = ("reporter", "partner", "flow", "product", "period", "value", "currency")
CONSTANT_FIELDS = frozenset({"reporter", "partner", "flow", "product", "period", "currency"})
COLUMNS = store_trade.INSERTED  # the TradeFlow columns an import writes, in order
SHEET_LABEL_LIMIT = 200

Progress = Callable[[int, int], None]

_FLOWS = {
    "export": "export",
    "exports": "export",
    "x": "export",
    "exp": "export",
    "2": "export",
    "import": "import",
    "imports": "import",
    "m": "import",
    "imp": "import",
    "1": "import",
    "re-export": "re-export",
    "reexport": "re-export",
    "re-exports": "re-export",
    "rx": "re-export",
    "3": "re-export",
    "re-import": "re-import",
    "reimport": "re-import",
    "re-imports": "re-import",
    "rm": "re-import",
    "4": "re-import",
}
_WORLD = {"w00", "wld", "0", "000", "world", "all", "total"}
_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")
_TITLE = re.compile(r"^([A-Z][A-Z0-9_]*)(?:\s*\[[A-Z0-9_]+\])?(?:\s*\(Labels\))?$")
_LABELS = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\((?:Labels|Codes)\)$", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")
_YEAR_MONTH = re.compile(r"^((?:19|20)\d\d)(0[1-9]|1[0-2])$")
_FLAGGED = re.compile(r"^\s*(-?[0-9][0-9 .,]*)\s*[a-z]{1,2}\s*$")
_KEY = re.compile(r"[^a-z0-9]+")


def _key(text: object) -> str:
    return _KEY.sub("", str(text or "").casefold())


@dataclass
class Detection:
    """Which trade layout a file looks like, and how sure that is (0–1)."""

    preset: str | None
    confidence: float
    reason: str = ""


@dataclass
class TradeTable:
    """Clean trade flows as columns (``COLUMNS``), plus what was left out and why."""

    file: str
    preset: str
    columns: dict[str, list] = field(default_factory=lambda: {c: [] for c in COLUMNS})
    sheets: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    cells_missing: int = 0
    rows_left_out: int = 0  # aggregates (partner World)
    encoding: str | None = None
    mapping: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns["source_row"])

    @property
    def rejected_rows(self) -> int:
        return len({(e.file, e.row) for e in self.errors})

    def add(self, source_row: int, reporter, partner, flow, product, period, value, currency):
        c = self.columns
        c["source_row"].append(source_row)
        c["reporter"].append(reporter)
        c["partner"].append(partner)
        c["flow"].append(flow)
        c["product"].append(product)
        c["product_level"].append(len(product) if product and product.isdigit() else None)
        c["period"].append(period)
        c["value"].append(value + 0.0 if isinstance(value, float) else value)  # -0.0 as 0.0
        c["currency"].append(currency)

    def rows(self) -> Iterator[tuple]:
        return zip(*(self.columns[c] for c in COLUMNS), strict=True)

    def content_hash(self) -> str:
        """SHA-256 over the rows in order, as ``verify`` recomputes it from the stored flows."""
        return store_trade.content_hash(self.rows())


# --- cleaning one value ----------------------------------------------------------------------


def clean_flow(value: object) -> str | None:
    """``import``/``export``/``re-import``/``re-export`` from words, letters or Comtrade codes."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().casefold() if value is not None else ""
    return _FLOWS.get(text) or _FLOWS.get(text.replace(" ", "-")) or _FLOWS.get(_key(text))


def clean_period(value: object) -> str | None:
    """``YYYY-MM`` or ``YYYY`` from a month (any form ``clean_month`` reads), a year, ``202203``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return clean_month(value)
    text = str(value).strip() if value is not None else ""
    if _YEAR.match(text):
        return text
    if match := _YEAR_MONTH.match(text):
        return f"{match[1]}-{match[2]}"
    if re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])01", text):  # Comtrade refPeriodId 20220301
        return f"{text[:4]}-{text[4:6]}"
    return clean_month(text) if text else None


def clean_product(value: object) -> str | None:
    """A code's digits (``[84591000]`` at the end of a label counts), else the trimmed label."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return clean_hs(value)
    text = str(value).strip()
    if not text:
        return None
    if match := _BRACKET.search(text):
        text = match[1].strip()
    return clean_hs(text) or text[:64]


def clean_partner(value: object) -> str | None:
    """ISO alpha-2 from a code, a name or a long Eurostat label (``France (incl. …)``)."""
    if value is None:
        return None
    code = clean_country(value)
    if code or not isinstance(value, str):
        return code
    if match := _BRACKET.search(value):  # "France [FR]"
        return clean_country(match[1])
    return None


def is_world(value: object) -> bool:
    """The partner "World" (the sum of all partners) in Comtrade's spellings."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _key(value) in _WORLD


def clean_value(value: object) -> tuple[float | None, bool]:
    """``(number, missing)``; a number with a Eurostat flag letter (``123 p``) counts. NaN,
    infinity, negative and implausibly large numbers are bad values (None, not missing):
    ``why_bad`` says why."""
    if isinstance(value, str) and value.strip().casefold() in NON_FINITE:
        return None, False
    if value is None or is_missing(value) or (isinstance(value, str) and value.strip() == ":"):
        return None, True
    number = clean_number(value)
    if number is None and isinstance(value, str) and (match := _FLAGGED.match(value)):
        number = clean_number(match[1])
    return (None if number is not None and implausible(number) else number), False


def why_bad(value: object) -> str:
    """Why ``clean_value`` found no number in ``value``."""
    if isinstance(value, str) and value.strip().casefold() in NON_FINITE:
        return NOT_FINITE
    text = str(value).strip()
    number = clean_number(text)
    if number is None and (match := _FLAGGED.match(text)):
        number = clean_number(match[1])
    return (number is not None and implausible(number)) or "not a number"


def currency_of_indicator(indicator: str | None) -> str | None:
    """EUR for Eurostat's ``VALUE_IN_EUROS`` (or ``Value in euros``); None for quantities."""
    text = (indicator or "").casefold()
    if "euro" in text or "eur" == _key(text)[-3:]:
        return "EUR"
    if "usd" in text or "dollar" in text:
        return "USD"
    return None


# --- detection -------------------------------------------------------------------------------

_COMTRADE = {
    "reporter": (
        ["reporteriso", "reporteriso3"],
        ["reportercode"],
        ["reporterdesc", "reporter"],
    ),
    "partner": (["partneriso", "partneriso3"], ["partnercode"], ["partnerdesc", "partner"]),
    "flow": (["flowcode", "tradeflowcode"], ["flowdesc", "tradeflow"]),
    "product": (["cmdcode", "commoditycode"],),
    "period": (["period"], ["refperiodid"], ["refyear", "year"]),
    "value": (["primaryvalue", "tradevalueus", "tradevalue"], ["fobvalue", "cifvalue"]),
}
_COMTRADE_MARKERS = {"cmdcode", "commoditycode", "primaryvalue", "tradevalueus", "reporteriso"}


def comtrade_columns(header: list[str]) -> dict[str, int]:
    """The Comtrade columns found in a header: field → column index (first choice that exists)."""
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for name, choices in _COMTRADE.items():
        for group in choices:
            hits = [keys.index(k) for k in group if k in keys]
            if hits:
                found[name] = hits[0]
                break
    return found


def detect(path: str | Path, *, encoding: str | None = None) -> Detection:
    """The trade layout of a file, if it is one: Eurostat workbook or Comtrade CSV."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            for _name, rows in _xlsx_tables(path, limit=15):
                titles = _titles(rows)
                if "PRODUCT" in titles or ("TIME" in titles and "INDICATORS" in titles):
                    return Detection("eurostat", 0.95, "Eurostat title cells (PRODUCT, TIME)")
        except Refused:
            return Detection(None, 0.0)
        return Detection(None, 0.0)
    try:
        header = _csv_header(path, encoding=encoding)
    except (Refused, OSError, UnicodeError):
        return Detection(None, 0.0)
    found = comtrade_columns(header)
    keys = {_key(h) for h in header}
    if not keys & _COMTRADE_MARKERS:
        return Detection(None, 0.0)
    needed = ("reporter", "partner", "flow", "product", "period", "value")
    share = sum(n in found for n in needed) / len(needed)
    if "reporter" not in found or "partner" not in found or share < 0.8:
        return Detection(None, 0.0)  # a shipment file may have a "Commodity Code" too
    return Detection("comtrade", round(share, 2), f"{sum(n in found for n in needed)} of 6 fields")


def mapping_is_trade(path: str | Path) -> bool:
    """True when a mapping file says ``kind = "trade"``."""
    try:
        with Path(path).open("rb") as f:
            return tomllib.load(f).get("kind") == "trade"
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_mapping(path: str | Path) -> dict:
    """A trade mapping file, checked: ``[columns]`` column → field, ``[constants]``."""
    data = read_mapping_toml(path)
    check_mapping(data, Path(path).name)
    return data


def check_mapping(data: dict, name: str = "mapping") -> None:
    """UsageError naming the first problem of a trade mapping."""
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise UsageError(f"{name}: [columns] must be a table of column = field")
    for column, target in columns.items():
        if target not in FIELDS:
            raise UsageError(f"{name}: {column!r} maps to unknown field {target!r}")
    for target in data.get("constants") or {}:
        if target not in CONSTANT_FIELDS:
            raise UsageError(f"{name}: {target!r} cannot be a constant")
    given = set(columns.values()) | set(data.get("constants") or {})
    if "period" in given and "value" not in given:
        raise UsageError(f"{name}: no column maps to value")


def save_mapping(data: dict, path: str | Path) -> None:
    """Write a trade mapping as a TOML file (``kind = "trade"``)."""
    import tomli_w

    out = {"kind": "trade", **{k: v for k, v in data.items() if k != "kind" and v}}
    Path(path).write_text(tomli_w.dumps(out), encoding="utf-8")


# --- reading ---------------------------------------------------------------------------------


def _xlsx_tables(path: Path, *, limit: int | None = None, sheet: str | None = None):
    """``(sheet name, rows)`` of every sheet (rows as tuples; ``limit`` rows at most)."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and openpyxl errors alike
        raise Refused(f"cannot read {path.name} as a workbook: {exc}") from exc
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise UsageError(f"{path.name} has no sheet {sheet!r} ({', '.join(names)})")
            names = [sheet]
        for name in names:
            ws = book[name]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # Eurostat declares <dimension ref="A1"/>
            rows = []
            try:  # read-only sheets parse their XML as they go
                for row in ws.iter_rows(values_only=True):
                    rows.append(tuple(row))
                    if limit and len(rows) >= limit:
                        break
            except Exception as exc:  # a damaged sheet, or entity declarations (XXE, "laughs")
                raise Refused(
                    f"cannot read sheet {name!r} of {path.name}: {type(exc).__name__}: {exc}"
                ) from exc
            yield name, rows
    finally:
        book.close()


def _csv_header(path: Path, *, encoding: str | None = None) -> list[str]:
    encoding, delimiter = _csv_dialect(path, encoding)
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        for row in csv.reader(f, delimiter=delimiter):
            if any(cell.strip() for cell in row):
                return [cell.strip() for cell in row]
    return []


def _csv_dialect(path: Path, encoding: str | None) -> tuple[str, str]:
    from casebook.ingest import readers

    sample = path.read_bytes()[: readers.SAMPLE_BYTES]
    encoding = encoding or readers.detect_encoding(sample)
    if encoding == "binary":
        raise Refused(f"cannot read {path.name}: binary content")
    text = sample.decode(encoding, errors="replace")
    return encoding, readers.sniff_delimiter(text)


def _titles(rows: list[tuple]) -> dict[str, str]:
    """Eurostat's title cells above the table: ``{DIMENSION: value}`` (``TIME`` → '')."""
    titles: dict[str, str] = {}
    for row in rows:
        cells = [c for c in row if c not in (None, "")]
        if not cells or not isinstance(cells[0], str):
            continue
        match = _TITLE.match(cells[0].strip())
        if match and (len(cells) == 2 or match[1] == "TIME"):
            titles.setdefault(match[1], "" if match[1] == "TIME" else str(cells[1]).strip())
    return titles


def read_trade(
    path: str | Path,
    *,
    preset: str | None = None,
    mapping: dict | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TradeTable:
    """Read and clean a trade statistics file (the layout detected unless given)."""
    path = Path(path)
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"unknown trade preset {preset!r}; use {', '.join(PRESETS)}")
    if mapping is not None:
        check_mapping(mapping)
        preset = "trade-table"
    if preset is None:
        preset = detect(path, encoding=encoding).preset
        if preset is None:
            raise Refused(
                f"{path.name}: not a Eurostat extract nor a Comtrade CSV; give a trade mapping "
                'file (kind = "trade")'
            )
    if preset == "trade-table" and mapping is None:
        raise UsageError("the trade-table layout needs a mapping file")
    check = _checker(cancelled)
    if preset == "eurostat":
        table = _read_eurostat(path, sheet=sheet, progress=progress, check=check)
    elif preset == "comtrade":
        table = _read_comtrade(path, encoding=encoding, progress=progress, check=check)
    else:
        table = _read_mapped(path, mapping or {}, sheet, encoding, progress, check)
    if not len(table) and not table.errors:
        raise Refused(f"{path.name}: no trade values found")
    return table


def _checker(cancelled: Callable[[], bool] | None) -> Callable[[], None]:
    def check() -> None:
        if cancelled and cancelled():
            raise Cancelled("import cancelled")

    return check


# --- Eurostat --------------------------------------------------------------------------------


def _read_eurostat(path: Path, *, sheet, progress, check) -> TradeTable:
    table = TradeTable(file=path.name, preset="eurostat")
    tables = list(_xlsx_tables(path, sheet=sheet))
    for number, (name, rows) in enumerate(tables):
        check()
        if _eurostat_sheet(table, name, rows):
            table.sheets.append(name)
        if progress:
            progress(number + 1, len(tables))
    if not table.sheets:
        raise Refused(f"{path.name}: no Eurostat product sheet (PRODUCT, TIME and a table)")
    table.mapping = {"preset": "eurostat", "sheets": table.sheets}
    return table


def _eurostat_sheet(table: TradeTable, name: str, rows: list[tuple]) -> bool:
    """Add one sheet's flows; False when the sheet holds no Eurostat table (Summary…)."""
    time_at = next(
        (i for i, r in enumerate(rows) if r and isinstance(r[0], str) and r[0].strip() == "TIME"),
        None,
    )
    if time_at is None:
        return False
    titles = _titles(rows[:time_at])
    label_at = next(
        (
            i
            for i in range(time_at + 1, min(time_at + 6, len(rows)))
            if rows[i]
            and isinstance(rows[i][0], str)
            and (m := _LABELS.match(rows[i][0].strip()))
            and m[1].upper() not in ("FREQ", "TIME")
        ),
        None,
    )
    if label_at is None:
        return False
    dims = []  # (column index, dimension) of the row labels
    for i, cell in enumerate(rows[label_at]):
        match = _LABELS.match(str(cell).strip()) if isinstance(cell, str) else None
        if match:
            dims.append((i, match[1].upper()))
    first_value = max(i for i, _ in dims) + 1
    periods = [(i, clean_period(c)) for i, c in enumerate(rows[time_at]) if i >= first_value]
    periods = [(i, p) for i, p in periods if p]
    if not periods:
        return False
    currency = currency_of_indicator(titles.get("INDICATORS"))
    if titles.get("INDICATORS") and currency is None:
        raise Refused(
            f"{table.file} [{name}]: indicator {titles['INDICATORS']} is not a value in a "
            "currency; only value extracts (VALUE_IN_EUROS) are trade values"
        )
    fixed = {
        "reporter": clean_partner(titles["REPORTER"]) if "REPORTER" in titles else None,
        "partner": clean_partner(titles["PARTNER"]) if "PARTNER" in titles else None,
        "flow": clean_flow(titles.get("FLOW")) if "FLOW" in titles else None,
        "product": clean_product(titles.get("PRODUCT")) if "PRODUCT" in titles else None,
    }
    label = f"{table.file} [{name}]"
    for offset, row in enumerate(rows[label_at + 1 :]):
        line = label_at + 2 + offset
        if not row or all(c in (None, "") for c in row):
            break  # the table ends; footnotes follow
        table.rows_read += 1
        values = dict(fixed)
        bad = False
        for i, dim in dims:
            raw = row[i] if i < len(row) else None
            field_name = dim.lower()
            if field_name in ("reporter", "partner"):
                values[field_name] = clean_partner(raw)
            elif field_name == "product":
                values[field_name] = clean_product(raw)
            elif field_name == "flow":
                values[field_name] = clean_flow(raw)
            else:
                continue
            if values[field_name] is None:
                table.errors.append(Problem(label, line, dim, _text(raw), f"unknown {field_name}"))
                bad = True
        if bad:
            continue
        _add_periods(table, row, line, label, periods, values, currency)
    return True


def _add_periods(table, row, line, label, periods, values, currency) -> None:
    """One flow per period column that holds a value (``:`` and blanks are missing)."""
    for i, period in periods:
        raw = row[i] if i < len(row) else None
        number, missing = clean_value(raw)
        if missing:
            table.cells_missing += 1
            continue
        if number is None:
            table.errors.append(Problem(label, line, period, _text(raw), why_bad(raw)))
            continue
        table.add(
            line,
            values.get("reporter"),
            values.get("partner"),
            values.get("flow"),
            values.get("product"),
            period,
            number,
            currency,
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# --- UN Comtrade -----------------------------------------------------------------------------


def _read_comtrade(path: Path, *, encoding, progress, check) -> TradeTable:
    encoding, delimiter = _csv_dialect(path, encoding)
    table = TradeTable(file=path.name, preset="comtrade", encoding=encoding)
    size = max(path.stat().st_size, 1)
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        cols = comtrade_columns(header)
        missing = [
            n for n in ("reporter", "partner", "product", "period", "value") if n not in cols
        ]
        if missing:
            raise Refused(f"{path.name}: Comtrade columns missing for {', '.join(missing)}")
        table.mapping = {
            "preset": "comtrade",
            "columns": {header[i]: name for name, i in cols.items()},
            "constants": {"currency": "USD"},
        }
        for line, row in enumerate(reader, start=2):
            if line % 20_000 == 0:
                check()
                if progress:
                    progress(min(f.tell(), size), size)
            if not any(cell.strip() for cell in row):
                continue
            table.rows_read += 1
            _comtrade_row(table, header, cols, row, line)
    return table


def _comtrade_row(table: TradeTable, header, cols, row, line) -> None:
    def cell(name: str) -> str | None:
        i = cols.get(name)
        return row[i].strip() if i is not None and i < len(row) else None

    if is_world(cell("partner")):
        table.rows_left_out += 1
        return
    values = {}
    for name, clean in (
        ("reporter", clean_partner),
        ("partner", clean_partner),
        ("flow", clean_flow),
        ("product", clean_product),
        ("period", clean_period),
    ):
        raw = cell(name)
        if name == "flow" and raw in (None, ""):
            values[name] = None
            continue
        values[name] = clean(_number_text(raw) if name in ("reporter", "partner") else raw)
        if values[name] is None:
            column = header[cols[name]] if name in cols else name
            table.errors.append(Problem(table.file, line, column, raw, f"unknown {name}"))
            return
    number, missing = clean_value(cell("value"))
    if missing:
        table.cells_missing += 1
        return
    if number is None:
        column = header[cols["value"]]
        table.errors.append(
            Problem(table.file, line, column, cell("value"), why_bad(cell("value")))
        )
        return
    table.add(
        line,
        values["reporter"],
        values["partner"],
        values["flow"],
        values["product"],
        values["period"],
        number,
        "USD",
    )


def _number_text(raw: str | None) -> object:
    """Numeric country codes (M49) as numbers, so ``643`` is Russia."""
    if raw and raw.isdigit():
        return int(raw)
    return raw


# --- a table described by a mapping ----------------------------------------------------------


def table_rows(
    path: Path, *, sheet: str | None, encoding: str | None, limit: int | None = None
) -> tuple[list[str], Iterator[tuple[int, tuple]], dict]:
    """The header (the first non-blank row), ``(line, row)`` pairs after it, and read info."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        name, rows = next(_xlsx_tables(path, sheet=sheet, limit=limit))
        numbered = [
            (n, r) for n, r in enumerate(rows, start=1) if any(c not in (None, "") for c in r)
        ]
        if not numbered:
            return [], iter(()), {"sheet": name}
        head_line, head = numbered[0]
        header = [str(c).strip() if c is not None else "" for c in head]
        return header, iter(numbered[1:]), {"sheet": name}
    encoding, delimiter = _csv_dialect(path, encoding)

    def lines() -> Iterator[tuple[int, tuple]]:
        with path.open(encoding=encoding, errors="replace", newline="") as f:
            reader = csv.reader(f, delimiter=delimiter)
            next(reader, None)
            for n, row in enumerate(reader, start=2):
                if limit and n > limit:
                    return
                if any(c.strip() for c in row):
                    yield n, tuple(row)

    header = _csv_header(path, encoding=encoding)
    return header, lines(), {"encoding": encoding, "delimiter": delimiter}


def _column_index(column: str, header: list[str]) -> int:
    if re.fullmatch(r"#\d+", column):
        index = int(column[1:]) - 1
        if 0 <= index < len(header):
            return index
        raise UsageError(f"mapping: column {column} is beyond the {len(header)} columns")
    exact = [i for i, h in enumerate(header) if h == column]
    loose = [i for i, h in enumerate(header) if _key(h) == _key(column)]
    matches = exact or loose
    if not matches:
        raise UsageError(f"mapping: the file has no column {column!r}")
    return matches[0]


@dataclass
class Resolved:
    """A trade mapping resolved against a header."""

    columns: dict[str, int]
    constants: dict[str, str]
    periods: list[tuple[int, str]]  # melted period columns


def resolve(mapping: dict, header: list[str]) -> Resolved:
    """Field → column index, the constants, and the period columns to melt (wide tables)."""
    columns: dict[str, int] = {}
    for column, target in (mapping.get("columns") or {}).items():
        if target in columns:
            raise UsageError(f"mapping: two columns map to {target!r}")
        columns[target] = _column_index(str(column), header)
    constants = {k: str(v) for k, v in (mapping.get("constants") or {}).items()}
    periods: list[tuple[int, str]] = []
    if "period" not in columns and "period" not in constants:
        used = set(columns.values())
        periods = [(i, p) for i, h in enumerate(header) if i not in used and (p := clean_period(h))]
        if not periods:
            raise UsageError("mapping: no column maps to period and no header is a period")
        columns.pop("value", None)
    elif "value" not in columns:
        raise UsageError("mapping: no column maps to value")
    return Resolved(columns, constants, periods)


_CLEANERS = {
    "reporter": clean_partner,
    "partner": clean_partner,
    "flow": clean_flow,
    "product": clean_product,
    "period": clean_period,
    "currency": lambda v: (str(v).strip().upper()[:3] or None) if v is not None else None,
}


def clean_mapped_row(
    resolved: Resolved, header: list[str], row: tuple, line: int, label: str
) -> tuple[list[tuple], list[Problem], int]:
    """One source row → ``(flows, problems, missing cells)``; each flow in ``COLUMNS`` order."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for name, clean in _CLEANERS.items():
        if name in resolved.columns:
            i = resolved.columns[name]
            raw = row[i] if i < len(row) else None
            if raw in (None, ""):
                values[name] = None
                if name in ("reporter", "partner", "period"):
                    problems.append(Problem(label, line, header[i], None, f"no {name}"))
                continue
            values[name] = clean(raw)
            if values[name] is None:
                problems.append(Problem(label, line, header[i], _text(raw), f"unknown {name}"))
        elif name in resolved.constants:
            values[name] = clean(resolved.constants[name])
        else:
            values[name] = None
    if problems:
        return [], problems, 0
    cells = (
        [(i, p) for i, p in resolved.periods]
        if resolved.periods
        else [(resolved.columns["value"], values["period"])]
    )
    flows, missing = [], 0
    for i, period in cells:
        raw = row[i] if i < len(row) else None
        number, gap = clean_value(raw)
        if gap:
            missing += 1
            continue
        if number is None:
            problems.append(Problem(label, line, header[i], _text(raw), why_bad(raw)))
            continue
        product = values["product"]
        flows.append(
            (
                line,
                values["reporter"],
                values["partner"],
                values["flow"],
                product,
                len(product) if isinstance(product, str) and product.isdigit() else None,
                period,
                number,
                values["currency"],
            )
        )
    return flows, problems, missing


def _read_mapped(path: Path, mapping: dict, sheet, encoding, progress, check) -> TradeTable:
    sheet = sheet or mapping.get("sheet")
    header, rows, info = table_rows(path, sheet=sheet, encoding=encoding)
    table = TradeTable(file=path.name, preset="trade-table", encoding=info.get("encoding"))
    resolved = resolve(mapping, header)
    label = f"{path.name} [{info['sheet']}]" if info.get("sheet") else path.name
    if info.get("sheet"):
        table.sheets.append(info["sheet"])
    table.mapping = {
        "preset": "trade-table",
        "columns": dict(mapping.get("columns") or {}),
        "constants": dict(mapping.get("constants") or {}),
        "melted_periods": len(resolved.periods),
    }
    for count, (line, row) in enumerate(rows, start=1):
        if count % 5_000 == 0:
            check()
            if progress:
                progress(count, 0)
        table.rows_read += 1
        flows, problems, missing = clean_mapped_row(resolved, header, row, line, label)
        table.errors.extend(problems)
        table.cells_missing += missing
        for flow in flows:
            table.add(flow[0], *flow[1:5], *flow[6:])
    return table
