"""Trim the ICU data library Qt links (``libicudata.so.NN``) to the parts Qt can reach.

PySide6's QtCore links ICU and calls only these ICU services (``nm -D --undefined-only
libQt6Core.so.6``): converters (``ucnv_*``, QStringConverter's non-UTF codecs), collation
(``ucol_*``, QCollator and the file dialog's sorting), calendars and time-zone display names
(``ucal_*``, QTimeZone) and case mapping (``u_strToUpper/Lower``). Nothing else in the bundle
links ICU. The data trees only other ICU services read — break iterators, currency, unit,
language and region display names, transliteration, spelled-out numbers — are never opened:
they are removed from the data package (about 16 MB of its 32 MB), with a few top-level
items of services Qt does not call (UNREACHABLE_SUFFIXES). Locale data, collation,
time zones, converters, normalization and properties stay whole.

The library is nothing but one symbol (``icudt73_dat``) holding an ICU common data package
("CmnD": a header, a table of contents sorted by name, 16-byte aligned items). The trimmed
package is written back as a new shared library with the same soname and symbol, assembled
with binutils (``as``, ``ld``), which the build already needs.
"""

from __future__ import annotations

import re
import struct
import subprocess
import tempfile
from pathlib import Path

# Trees of the package (``icudt73l/<tree>/...``) no ICU service Qt calls ever opens.
UNREACHABLE_TREES = ("brkitr", "curr", "lang", "rbnf", "region", "translit", "unit")
# Top-level items of services Qt does not call either: character names (u_charName),
# StringPrep profiles and IDNA mapping (usprep, uidna: Qt has its own IDNA), spoof checks.
UNREACHABLE_SUFFIXES = ("/unames.icu", ".spp", "/uts46.nrm", "/confusables.cfu")

SYMBOL = re.compile(rb"icudt\d+_dat")
SHT_DYNSYM = 11


def _align(n: int, to: int = 16) -> int:
    return (n + to - 1) // to * to


def read_symbol(path: Path) -> tuple[str, bytes]:
    """The name and bytes of the ``icudtNN_dat`` symbol in a 64-bit little-endian ELF file."""
    elf = path.read_bytes()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _alignment, entsize in sections:
        if kind != SHT_DYNSYM:
            continue
        strtab = sections[link][4]
        for pos in range(offset, offset + size, entsize):
            st_name, _info, _other, shndx, value, length = struct.unpack_from("<IBBHQQ", elf, pos)
            name = elf[strtab + st_name : elf.index(b"\0", strtab + st_name)]
            if SYMBOL.fullmatch(name):
                section = sections[shndx]
                start = section[4] + value - section[3]
                return name.decode(), elf[start : start + length]
    raise ValueError(f"{path}: no icudtNN_dat symbol")


def parse_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package into its header and its (name, bytes) items."""
    header_size, magic = struct.unpack_from("<H2s", blob, 0)
    big_endian, data_format = blob[8], blob[12:16]
    if magic != b"\xda\x27" or data_format != b"CmnD" or big_endian:
        raise ValueError("not a little-endian ICU common data package")
    toc = header_size
    (count,) = struct.unpack_from("<I", blob, toc)
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * i) for i in range(count)]
    ends = [offset for _name, offset in entries[1:]] + [len(blob) - toc]
    items = []
    for (name_at, data_at), end in zip(entries, ends, strict=True):
        name = blob[toc + name_at : blob.index(b"\0", toc + name_at)].decode("ascii")
        items.append((name, blob[toc + data_at : toc + end]))
    return blob[:header_size], items


def build_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package of ``items`` (already sorted by name), 16-byte aligned."""
    names = [name.encode("ascii") + b"\0" for name, _data in items]
    name_offsets, at = [], 4 + 8 * len(items)
    for name in names:
        name_offsets.append(at)
        at += len(name)
    data_offsets = []
    for _name, data in items:
        at = _align(len(header) + at) - len(header)
        data_offsets.append(at)
        at += len(data)
    out = bytearray(header)
    out += struct.pack("<I", len(items))
    for name_at, data_at in zip(name_offsets, data_offsets, strict=True):
        out += struct.pack("<II", name_at, data_at)
    out += b"".join(names)
    for data_at, (_name, data) in zip(data_offsets, items, strict=True):
        out += b"\xaa" * (len(header) + data_at - len(out))  # ICU's own padding byte
        out += data
    return bytes(out)


def tree(name: str) -> str:
    """``icudt73l/coll/de.res`` → ``coll``; items at the top of the package → ``""``."""
    parts = name.split("/")
    return parts[1] if len(parts) > 2 else ""


def write_library(path: Path, symbol: str, package: bytes) -> None:
    """Assemble ``package`` as the only symbol of a shared library named like ``path``."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "icudata.bin").write_bytes(package)
        (work / "icudata.s").write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, @object\n"
            "\t.balign 16\n"
            f"{symbol}:\n"
            f'\t.incbin "{work / "icudata.bin"}"\n'
            f"\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        subprocess.run(["as", "-o", str(work / "icudata.o"), str(work / "icudata.s")], check=True)
        subprocess.run(
            ["ld", "-shared", "-soname", path.name, "-z", "noexecstack"]
            + ["--hash-style=both", "-o", str(work / path.name), str(work / "icudata.o")],
            check=True,
        )
        (work / path.name).replace(path)


def unreachable(name: str) -> bool:
    """True for an item of the package that no ICU service Qt calls reads."""
    return tree(name) in UNREACHABLE_TREES or name.endswith(UNREACHABLE_SUFFIXES)


def trim(path: Path) -> int:
    """Rewrite the ICU data library at ``path`` without the unreachable items; bytes saved."""
    before = path.stat().st_size
    symbol, blob = read_symbol(path)
    header, items = parse_package(blob)
    kept = [(name, data) for name, data in items if not unreachable(name)]
    package = build_package(header, kept)
    if parse_package(package)[1] != kept:
        raise RuntimeError("the trimmed ICU data package does not read back")
    write_library(path, symbol, package)
    if read_symbol(path) != (symbol, package):
        raise RuntimeError(f"{path}: the rebuilt library does not hold the trimmed package")
    return before - path.stat().st_size
