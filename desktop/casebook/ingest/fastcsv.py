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
    """Field counts of every line after the header; None when the file needs the csv module.

    Counted with numpy over blocks of the raw bytes; only lines with a quoted field (a double
    quote opening a field) are looked at one by one."""
    if encoding not in FAST_ENCODINGS or len(delimiter) != 1:
        return None
    options = {"header_line": header_line, "width": width, "delimiter": delimiter,
               "encoding": encoding}  # fmt: skip
    layout = Layout()
    number = 0  # lines read so far
    rest = b""
    with path.open("rb") as f:
        while True:
            block = f.read(BLOCK)
            data = rest + block
            if not block:  # the end: a last line without its \n, if any
                if data and _add_lines(layout, data + b"\n", number, **options) is None:
                    return None
                return layout
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                lines = _add_lines(layout, data[:cut], number, **options)
                if lines is None:
                    return None
                number += lines


def _add_lines(
    layout: Layout, data: bytes, number: int, *, header_line: int, width: int, delimiter: str,
    encoding: str,
) -> int | None:  # fmt: skip
    """Add the lines of ``data`` (whole lines, each ending in ``\\n``) numbered from
    ``number + 1``; how many there were, or None when the file needs the csv module."""
    import numpy as np

    sep, blank = delimiter.encode("ascii"), b" \t\r" + delimiter.encode("ascii")
    buf = np.frombuffer(data, dtype=np.uint8)
    stops = np.flatnonzero(buf == 10)  # each line's \n
    starts = np.empty_like(stops)
    starts[0], starts[1:] = 0, stops[:-1] + 1
    numbers = np.arange(number + 1, number + 1 + len(stops))
    body = numbers > header_line  # header lines are skipped, whatever they hold
    layout.skip.extend((numbers[~body] - 1).tolist())
    if not body.any():
        return len(stops)

    def line_of(positions):
        return np.searchsorted(stops, positions)

    returns = np.flatnonzero(buf == 13)
    bare = returns[returns + 1 != stops[line_of(returns)]]  # \r not right before the \n
    if body[line_of(bare)].any():
        return None  # bare carriage returns: pandas would see more lines

    seps = np.flatnonzero(buf == sep[0])
    fields = np.searchsorted(seps, stops) - np.searchsorted(seps, starts) + 1
    # Blank lines (nothing but spaces, tabs and delimiters) are empty or begin with one of those.
    maybe_blank = (starts == stops) | np.isin(buf[starts], np.frombuffer(blank, dtype=np.uint8))
    for i in np.flatnonzero(body & maybe_blank).tolist():
        if not data[starts[i] : stops[i]].strip(blank):
            fields[i] = 0
    quotes = np.flatnonzero(buf == 34)
    lines = line_of(quotes)
    opening = (quotes == starts[lines]) | (buf[quotes - 1] == sep[0])  # a field's first byte
    for i in np.unique(lines[opening]).tolist():  # lines with a quoted field
        if body[i] and fields[i]:
            counted = _fields(data[starts[i] : stops[i]], sep, delimiter, encoding)
            if counted is None:
                return None
            fields[i] = counted
    good = body & (fields == width)
    layout.data.extend(numbers[good].tolist())
    layout.skip.extend((numbers[body & ~good] - 1).tolist())
    for i in np.flatnonzero(body & ~good & (fields > 0)).tolist():
        line = data[starts[i] : stops[i]]
        layout.misshapen.append((int(numbers[i]), int(fields[i]), line.rstrip(b"\r")[:400]))
    return len(stops)


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
