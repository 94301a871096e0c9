"""Reading tables as they arrive: CSV/TSV/TXT in any common encoding, and XLSX sheets.

A reader finds the header row (even below title rows) and then yields the data rows in chunks
of raw columns, so a million-row file is never held as a million row objects. Rows that cannot
be read as a row (wrong number of fields) become ``RowError``s, never exceptions.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from casebook.core.errors import Refused
from casebook.ingest import fastcsv

CHUNK_ROWS = 50_000
SAMPLE_BYTES = 1 << 20
HEADER_SCAN_ROWS = 30
DELIMITERS = (",", ";", "\t", "|")
CANDIDATE_ENCODINGS = ["cp1251", "gb18030", "latin_1", "cp1252", "utf_16", "utf_8"]
SINGLE_BYTE = {"cp1251", "cp1252", "iso8859-1", "iso8859-5", "koi8-r", "cp866", "mac-cyrillic"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"[\udc80-\udcff]")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 1 MB description cell is a real cell


@dataclass(frozen=True)
class RowError:
    """One invalid row: where it is, which column and value, and why."""

    file: str
    row: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f", value {printable(self.value)!r}"
        return f"{where}: {self.reason}"


@dataclass
class Chunk:
    """Consecutive data rows as raw columns (one tuple per header column)."""

    columns: list[tuple]
    rows: list[int]
    position: float = 0.0  # fraction of the file read so far

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Sheet:
    """One table of a file: its header and an iterator over its data rows."""

    file: str
    header: list[str]
    header_row: int
    chunks: Callable[[], Iterator[Chunk]]
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    errors: list[RowError] = field(default_factory=list)
    #: What the analyst should know about the rows read (e.g. formulas with no saved value).
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file


HeaderScore = Callable[[list[str]], float]


def printable(value: object) -> str:
    """Text safe to print and write as UTF-8: undecodable bytes shown as ``\\xNN``."""
    text = "" if value is None else str(value)
    return _ESCAPED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02X}", text)


def has_undecodable(text: str) -> bool:
    """True when ``text`` holds bytes that did not decode in the file's encoding."""
    return _ESCAPED.search(text) is not None


def looks_misencoded(text: str, encoding: str | None) -> bool:
    """True when a value read in a single-byte encoding is really UTF-8 text (mojibake)."""
    if not encoding or encoding not in SINGLE_BYTE or text.isascii():
        return False
    try:
        raw = text.encode(encoding)
        raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def open_sheets(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    header_row: int | None = None,
) -> list[Sheet]:
    """Every table in the file (one for CSV; each sheet, or the named one, for XLSX)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(SAMPLE_BYTES)
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head.startswith(b"PK\x03\x04"):
        from casebook.ingest.xlsx import xlsx_sheets

        return xlsx_sheets(path, sheet=sheet, header_score=header_score, header_row=header_row)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise unreadable(path, "an old binary .xls workbook; save it as .xlsx or CSV")
    if sheet is not None:
        raise Refused(f"{path.name} is a text file; it has no sheet {sheet!r}")
    return [
        _csv_sheet(path, head, encoding=encoding, header_score=header_score, header_row=header_row)
    ]


def unreadable(path: Path, reason: str) -> Refused:
    """The error for a file that is not a table at all."""
    return Refused(f"{path.name}: not a readable CSV/XLSX file ({reason})")


# --- encodings ---------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes (BOM, UTF-8, else charset-normalizer)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf16 := _bomless_utf16(sample):
        return utf16
    if _mostly_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        return "binary"
    return codecs.lookup(best.encoding).name


def _bomless_utf16(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 when every line, or nearly every non-ASCII line, decodes as UTF-8."""
    lines = [line for line in sample.split(b"\n")[:-1] or [sample] if not line.isascii()]
    if not lines:
        return b"\x00" not in sample
    good = 0
    for line in lines:
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            pass
    return good >= 0.9 * len(lines) and good > 0


def _errors_for(encoding: str) -> str:
    return "replace" if encoding.startswith("utf-16") else "surrogateescape"


def _check_text(path: Path, sample: bytes, encoding: str) -> str:
    """The decoded sample; refuses binary content."""
    if encoding == "binary" or (b"\x00" in sample and not encoding.startswith("utf-16")):
        raise unreadable(path, "binary content")
    try:
        text = sample.decode(encoding, errors=_errors_for(encoding))
    except LookupError as exc:
        raise Refused(f"unknown encoding {encoding!r}") from exc
    control = len(_CONTROL.findall(text)) + text.count("\ufffd")
    undecodable = len(_ESCAPED.findall(text))  # a few lines in another encoding are row errors
    if text and (control > max(8, len(text) // 100) or undecodable > len(text) // 5):
        raise unreadable(path, f"binary content, or not {encoding}")
    return text


# --- CSV -----------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the sample's lines most consistently."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = Counter(len(row) for row in csv.reader(lines, delimiter=delim) if len(row) > 1)
        if not counts:
            continue
        width, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if (hits, width) > best_score:
            best, best_score = delim, (hits, width)
    return best


def _csv_sheet(
    path: Path,
    head: bytes,
    *,
    encoding: str | None,
    header_score: HeaderScore | None,
    header_row: int | None,
) -> Sheet:
    if not head.strip():
        raise Refused(f"{path.name}: no data rows (the file is empty)")
    if encoding:
        _ensure_codec(encoding)
    enc = codecs.lookup(encoding).name if encoding else detect_encoding(head)
    text = _check_text(path, head, enc)
    delimiter = sniff_delimiter(text.lstrip("\ufeff"))
    with _open_text(path, enc) as f:
        reader = csv.reader(f, delimiter=delimiter)
        top = _first_records(reader, path)
    if not top:
        raise Refused(f"{path.name}: no data rows (the file is empty)")
    index = pick_header(top, header_score, header_row)
    line, header = top[index]
    sheet = Sheet(
        file=path.name,
        header=header_names(header),
        header_row=line,
        chunks=lambda: iter(()),
        encoding=enc,
        delimiter=delimiter,
    )
    sheet.chunks = lambda: _csv_chunks(path, sheet, skip=index + 1)
    return sheet


def _ensure_codec(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise Refused(f"unknown encoding {encoding!r}") from exc


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    raw = path.open("rb")
    return io.TextIOWrapper(raw, encoding=encoding, errors=_errors_for(encoding), newline="")


def _first_records(reader, path: Path) -> list[tuple[int, list[str]]]:
    """The first non-blank records with the line each starts on."""
    records: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if is_blank(row):
                continue
            records.append((start, row))
            if len(records) >= HEADER_SCAN_ROWS:
                break
    except csv.Error as exc:
        raise unreadable(path, str(exc)) from exc
    return records


def is_blank(row) -> bool:
    return not any(cell is not None and str(cell).strip() for cell in row)


def _csv_chunks(path: Path, sheet: Sheet, *, skip: int) -> Iterator[Chunk]:
    """Data rows after the header, in chunks; wrong field counts become row errors."""
    width = len(sheet.header)
    layout = fastcsv.scan(
        path,
        encoding=sheet.encoding or "utf-8",
        delimiter=sheet.delimiter or ",",
        header_line=sheet.header_row,
        width=width,
    )
    if layout is not None:
        yield from _fast_chunks(path, sheet, layout)
        return
    size = max(path.stat().st_size, 1)
    with _open_text(path, sheet.encoding or "utf-8") as f:
        reader = csv.reader(f, delimiter=sheet.delimiter or ",")
        _skip_records(reader, skip)
        while True:
            start = reader.line_num + 1
            try:
                rows = list(islice(reader, CHUNK_ROWS))
            except csv.Error as exc:
                sheet.errors.append(RowError(sheet.file, reader.line_num, None, None, str(exc)))
                break
            if not rows:
                break
            lines = _record_lines(rows, start, reader.line_num)
            if set(map(len, rows)) != {width}:
                rows, lines = _drop_misshapen(sheet, rows, lines, width)
            if rows:
                yield Chunk(list(zip(*rows, strict=True)), lines, min(f.buffer.tell() / size, 1.0))


def _fast_chunks(path: Path, sheet: Sheet, layout: fastcsv.Layout) -> Iterator[Chunk]:
    encoding = sheet.encoding or "utf-8"
    for line, fields, raw in layout.misshapen:
        text = raw.decode(encoding, errors="surrogateescape")
        reason = f"{fields} fields where the header has {len(sheet.header)}"
        sheet.errors.append(RowError(sheet.file, line, None, text[:200], reason))
    for columns, lines, position in fastcsv.chunks(
        path, encoding=encoding, delimiter=sheet.delimiter or ",", layout=layout, size=CHUNK_ROWS
    ):
        yield Chunk(columns, lines, position)


def _skip_records(reader, skip: int) -> None:
    """Move past the title rows and the header (``skip`` non-blank records)."""
    seen = 0
    while seen < skip:
        row = next(reader, None)
        if row is None:
            return
        seen += not is_blank(row)


def _record_lines(rows: list[list[str]], start: int, end: int) -> list[int]:
    """The line each record starts on; quoted line breaks make a record span several lines."""
    if end - start + 1 == len(rows):
        return list(range(start, end + 1))
    lines, line = [], start
    for row in rows:
        lines.append(line)
        line += 1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in row)
    return lines


def _drop_misshapen(sheet: Sheet, rows: list, lines: list[int], width: int) -> tuple[list, list]:
    """Keep rows of the header's width; others are row errors (blank lines are skipped)."""
    kept, kept_lines = [], []
    for row, line in zip(rows, lines, strict=True):
        if len(row) == width:
            kept.append(row)
            kept_lines.append(line)
        elif not is_blank(row):
            sheet.errors.append(width_error(sheet, line, row, width))
    return kept, kept_lines


def width_error(sheet: Sheet, line: int, row: list, width: int) -> RowError:
    reason = f"{len(row)} fields where the header has {width}"
    text = (sheet.delimiter or ",").join(str(c) for c in row)
    return RowError(sheet.file, line, None, text[:200], reason)


# --- header --------------------------------------------------------------------------------


def pick_header(
    records: list[tuple[int, list]], score: HeaderScore | None, header_row: int | None
) -> int:
    """Index of the header among the first records: given, best scored, or the first wide one."""
    if header_row is not None:
        for i, (line, _) in enumerate(records):
            if line == header_row:
                return i
        raise Refused(f"header row {header_row} is not among the first rows of the file")
    if score is not None:
        scores = [score(header_names(row)) for _, row in records]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if scores[best] > 0:
            return best
    widths = [_text_cells(row) for _, row in records]
    widest = max(widths)
    for i, count in enumerate(widths):
        if count >= max(2, 0.6 * widest) or count == widest:
            return i
    return 0


def _text_cells(row: list) -> int:
    return sum(1 for cell in row if isinstance(cell, str) and cell.strip() and not _numeric(cell))


def _numeric(text: str) -> bool:
    return text.strip().replace(".", "").replace(",", "").replace(" ", "").isdigit()


def header_names(row: list) -> list[str]:
    """Header cells as stripped strings (empty cells become ``column N``)."""
    names = []
    for i, cell in enumerate(row):
        name = " ".join(str(cell).replace("\ufeff", "").split()) if cell is not None else ""
        names.append(name or f"column {i + 1}")
    return names
