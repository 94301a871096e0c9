"""The pre-scan of large text files (``fastcsv.scan``, counted with numpy over blocks of bytes)
finds exactly what reading the file line by line finds: which lines are data rows, which are
skipped (header, blank, misshapen, with their field counts and bytes), and which files need the
csv module (a quoted field spanning lines, bare carriage returns) -- whatever the block size."""

from __future__ import annotations

import csv
import random

import pytest

from casebook.ingest import fastcsv


def reference(path, *, encoding, delimiter, header_line, width):
    """The pre-scan's definition, line by line."""
    sep, blank = delimiter.encode(), b" \t\r" + delimiter.encode()
    data, skip, misshapen = [], [], []
    for number, line in enumerate(_lines(path.read_bytes()), start=1):
        if number <= header_line:
            skip.append(number - 1)
            continue
        if b"\r" in line[:-1]:
            return None
        fields = 0
        if line.strip(blank):
            text = line.decode(encoding, errors="surrogateescape")
            if b'"' in line and (line.startswith(b'"') or sep + b'"' in line):
                if line.count(b'"') % 2:
                    return None
                rows = list(csv.reader([text], delimiter=delimiter))
                if len(rows) != 1:
                    return None
                fields = len(rows[0])
            else:
                fields = line.count(sep) + 1
        if fields == width:
            data.append(number)
        else:
            skip.append(number - 1)
            if fields:
                misshapen.append((number, fields, line.rstrip(b"\r")[:400]))
    return data, sorted(skip), misshapen


def _lines(raw: bytes) -> list[bytes]:
    lines = raw.split(b"\n")
    return lines if lines[-1] else lines[:-1]


PIECES = ["a", "b;c", "d,e", "", " ", "\t", '"x;y"', '"p,q"', '"q', 'z"', "\r", ";", ",",
          "ж", "机", '""', "1,5", "ООО \"Ромашка\""]  # fmt: skip


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_numpy_pre_scan_finds_what_a_line_by_line_reading_finds(tmp_path, delimiter):
    rnd = random.Random(7)
    path = tmp_path / "sheet.csv"
    compared = 0
    for _ in range(400):
        lines = [
            "".join(rnd.choices(PIECES, k=rnd.randint(0, 6))) for _ in range(rnd.randint(0, 12))
        ]
        path.write_bytes(("\n".join(lines) + rnd.choice(["", "\n", "\r\n"])).encode())
        for header_line in (0, 1, 2):
            width = rnd.randint(1, 4)
            block = rnd.choice([1, 2, 5, 64, fastcsv.BLOCK])
            expected = reference(path, encoding="utf-8", delimiter=delimiter,
                                 header_line=header_line, width=width)  # fmt: skip
            original, fastcsv.BLOCK = fastcsv.BLOCK, block
            try:
                found = fastcsv.scan(path, encoding="utf-8", delimiter=delimiter,
                                     header_line=header_line, width=width)  # fmt: skip
            finally:
                fastcsv.BLOCK = original
            if expected is None:
                assert found is None, path.read_bytes()
                continue
            assert found is not None, path.read_bytes()
            got = (found.data, sorted(found.skip), found.misshapen)
            assert got == expected, (path.read_bytes(), header_line, width, block)
            compared += 1
    assert compared > 500  # most files are read, not sent to the csv module
