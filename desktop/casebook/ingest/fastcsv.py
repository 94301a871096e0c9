"""The fast path for large text files: pandas' C parser, after a byte-level pre-scan.

pandas reads a million rows several times faster than the csv module and hands back each
chunk's repeated strings as one object, but it cannot tell a short row from one with empty
trailing cells, nor say on which line a row began. So a pre-scan of the raw bytes counts the
fields of every line first: rows of the wrong width become row errors and are skipped, as
are blank lines, and the remaining lines are exactly pandas' rows. Files the pre-scan cannot
read line by line (a quoted field spanning lines, bare ``\\r`` line ends, multi-byte
encodings other than UTF-8) return None and go through the csv module instead.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

FAST_ENCODINGS = frozenset(
    {"utf-8", "utf-8-sig", "cp1251", "cp1252", "iso8859-1", "iso8859-5", "koi8-r", "cp866"}
)
BLOCK = 1 << 23


class Layout:
    """What the pre-scan found: data lines, misshapen lines and their field counts."""

    def __init__(self) -> None:
        self.data: list[int] = []  # 1-based line numbers of data rows
        self.skip: list[int] = []  # 0-based line indexes pandas must skip
        self.misshapen: list[tuple[int, int, bytes]] = []  # (line, fields, raw bytes)


def scan(
    path: Path, *, encoding: str, delimiter: str, header_line: int, width: int
) -> Layout | None:
    """Field counts of every line after the header; None when the file needs the csv module."""
    if encoding not in FAST_ENCODINGS or len(delimiter) != 1:
        return None
    sep, blank = delimiter.encode("ascii"), b" \t\r" + delimiter.encode("ascii")
    layout = Layout()
    for number, line in enumerate(_lines(path), start=1):
        if number <= header_line:
            layout.skip.append(number - 1)
            continue
        if b"\r" in line[:-1]:
            return None  # bare carriage returns: pandas would see more lines
        fields = _fields(line, sep, delimiter, encoding) if line.strip(blank) else 0
        if fields is None:
            return None
        if fields == width:
            layout.data.append(number)
        else:
            layout.skip.append(number - 1)
            if fields:
                layout.misshapen.append((number, fields, line.rstrip(b"\r")[:400]))
    return layout


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines without their ``\\n``, read in large blocks."""
    rest = b""
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield from lines
    if rest:
        yield rest


def _fields(line: bytes, sep: bytes, delimiter: str, encoding: str) -> int | None:
    """How many fields the line holds; None for a quoted field that does not end on it."""
    if b'"' not in line or not (line.startswith(b'"') or sep + b'"' in line):
        return line.count(sep) + 1
    if line.count(b'"') % 2:
        return None
    rows = list(csv.reader([line.decode(encoding, errors="surrogateescape")], delimiter=delimiter))
    return len(rows[0]) if len(rows) == 1 else None


def chunks(
    path: Path, *, encoding: str, delimiter: str, layout: Layout, size: int
) -> Iterator[tuple[list[list], list[int], float]]:
    """(columns as lists, their line numbers, fraction done) per chunk of ``size`` rows."""
    import pandas as pd

    if not layout.data:
        return
    reader = pd.read_csv(
        path,
        sep=delimiter,
        header=None,
        skiprows=set(layout.skip),
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        encoding=encoding,
        encoding_errors="surrogateescape",
        engine="c",
        chunksize=size,
        quotechar='"',
        doublequote=True,
    )
    done, total = 0, max(len(layout.data), 1)
    with reader:
        for frame in reader:
            columns = [frame.iloc[:, i].to_numpy().tolist() for i in range(frame.shape[1])]
            lines = layout.data[done : done + len(frame)]
            done += len(frame)
            yield columns, lines, done / total
    if done != len(layout.data):
        raise RuntimeError(f"read {done} rows where the pre-scan found {len(layout.data)}")
