"""XLSX sheets as readers' tables: openpyxl in read-only mode, rows streamed in chunks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import iterparse

from casebook.core.errors import Refused
from casebook.core.words import plural
from casebook.ingest.readers import (
    CHUNK_ROWS,
    HEADER_SCAN_ROWS,
    Chunk,
    HeaderScore,
    Sheet,
    header_names,
    is_blank,
    pick_header,
    unreadable,
    width_error,
)


def xlsx_sheets(
    path: Path, *, sheet: str | None, header_score: HeaderScore | None, header_row: int | None
) -> list[Sheet]:
    book = _load_workbook(path)
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        raise Refused(f"{path.name} has no sheet {sheet!r}; it has {', '.join(names)}")
    sheets = []
    for name in [sheet] if sheet is not None else names:
        found = _xlsx_sheet(path, book, name, header_score, header_row)
        if found is not None:
            sheets.append(found)
    book.close()
    if not sheets:
        raise Refused(f"{path.name}: no data rows (every sheet is empty)")
    return sheets


def _load_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise unreadable(path, f"{type(exc).__name__}: {exc}") from exc


def _xlsx_rows(book, name: str) -> Iterator[tuple[int, tuple]]:
    ws = book[name]
    ws.reset_dimensions()  # some writers declare a one-cell dimension
    yield from enumerate(ws.iter_rows(values_only=True), start=1)


def _xlsx_sheet(path, book, name, header_score, header_row) -> Sheet | None:
    try:
        top = []
        for number, row in _xlsx_rows(book, name):
            if not is_blank(row):
                top.append((number, list(row)))
            if len(top) >= HEADER_SCAN_ROWS:
                break
    except Exception as exc:
        raise unreadable(path, f"sheet {name!r}: {type(exc).__name__}: {exc}") from exc
    if not top:
        return None
    index = pick_header(top, header_score, header_row)
    line, header = top[index]
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header = header[:-1]
    sheet = Sheet(
        file=path.name,
        header=header_names(header),
        header_row=line,
        chunks=lambda: iter(()),
        sheet=name,
    )
    sheet.chunks = lambda: _xlsx_chunks(path, sheet)
    cells = uncached_formulas(book[name], below=line)
    if cells:
        shown = ", ".join(cells[:FORMULA_CELLS_SHOWN]) + (
            " …" if len(cells) > FORMULA_CELLS_SHOWN else ""
        )
        sheet.warnings.append(
            f"{sheet.label}: {plural(len(cells), 'formula cell')} "
            f"{'has' if len(cells) == 1 else 'have'} no saved value, read as "
            f"empty ({shown}); open the file in Excel or LibreOffice and save it to store them"
        )
    return sheet


#: Cells named in the warning about formulas without a saved value (the rest counted).
FORMULA_CELLS_SHOWN = 10
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def uncached_formulas(ws, *, below: int) -> list[str]:
    """Cells (``E7``) under row ``below`` holding a formula but no saved result. openpyxl,
    reading values, gives None for them, which would import as an empty cell: a workbook
    written by a script (not saved by a spreadsheet program) has formulas and no values."""
    with ws._get_source() as source:  # the sheet's XML: a quick look for any formula first
        found = False
        tail = b""
        while block := source.read(1 << 20):
            if _FORMULA.search(tail + block):
                found = True
                break
            tail = block[-16:]
    if not found:
        return []
    cells = []
    with ws._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag.endswith("}c") or element.tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()):
                    ref = element.get("r") or ""
                    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    if not digits.isdigit() or int(digits) > below:
                        cells.append(ref)
                element.clear()
    return cells


def _xlsx_chunks(path: Path, sheet: Sheet) -> Iterator[Chunk]:
    width = len(sheet.header)
    book = _load_workbook(path)
    try:
        rows: list[list] = []
        lines: list[int] = []
        for number, row in _guarded_rows(path, book, sheet):
            if number <= sheet.header_row or is_blank(row):
                continue
            cells = [_cell(c) for c in row[:width]]
            if any(c not in (None, "") for c in row[width:]):
                sheet.errors.append(width_error(sheet, number, list(row), width))
                continue
            cells.extend([""] * (width - len(cells)))
            rows.append(cells)
            lines.append(number)
            if len(rows) >= CHUNK_ROWS:
                yield Chunk(list(zip(*rows, strict=True)), lines, 0.0)
                rows, lines = [], []
        if rows:
            yield Chunk(list(zip(*rows, strict=True)), lines, 1.0)
    finally:
        book.close()


def _guarded_rows(path: Path, book, sheet: Sheet) -> Iterator[tuple[int, tuple]]:
    try:
        yield from _xlsx_rows(book, sheet.sheet)
    except Exception as exc:
        raise unreadable(path, f"sheet {sheet.sheet!r}: {type(exc).__name__}: {exc}") from exc


def _cell(value: object) -> object:
    """A spreadsheet cell as the cleaners take it: None as empty text, whole floats as ints."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
