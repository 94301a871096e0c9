"""Checks on a zip archive from outside (a case bundle or a backup) before anything is written.

An archive is accepted only when every member is a plain file under a relative, clean name,
listed once in ``manifest.json`` with its SHA-256 and size, the archive expands to no more than
a size limit and no member expands more than a ratio limit, and every member's bytes hash to what
the manifest says. Anything else refuses the archive as a whole.

JSON from outside is read with bounds too: ``bounded_loads`` (a small document, nesting checked
before ``json.loads`` could recurse) and ``stream_items`` (a large one, parsed as a stream of
events into one record at a time, each record's nesting, values and text bounded), so neither a
deep document nor a huge one can exhaust the stack or the memory.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import ijson

from casebook.core.errors import Refused

MANIFEST = "manifest.json"
MAX_TOTAL = 16 * 1024**3  # bytes, all members expanded
MAX_RATIO = 200  # expanded / compressed, for members past RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
MAX_MEMBERS = 200_000
MAX_MANIFEST = 64 * 1024 * 1024
MAX_LINE = 16 * 1024 * 1024  # bytes in one line of a JSON-lines member (one row)
CHUNK = 1 << 20
MAX_DEPTH = 16  # nesting of any JSON read from an archive
DISK_RESERVE = 256 * 1024 * 1024  # bytes left free on the store's disk after opening an archive


@dataclass(frozen=True)
class Limits:
    total: int = MAX_TOTAL
    ratio: int = MAX_RATIO
    ratio_from: int = RATIO_FROM
    members: int = MAX_MEMBERS


@dataclass(frozen=True)
class RecordLimits:
    """Bounds on one record of a streamed JSON document (its nested values and its text)."""

    depth: int = MAX_DEPTH
    values: int = 200_000
    text: int = MAX_LINE


@dataclass
class CheckedArchive:
    """An open archive whose names, sizes and hashes were checked against its manifest."""

    path: Path
    zip: zipfile.ZipFile
    manifest: dict
    members: dict[str, dict] = field(default_factory=dict)

    def read(self, name: str) -> bytes:
        """A member's bytes, checked again against the manifest."""
        data = self.zip.read(name)
        expected = self.members[name]
        if len(data) != expected["size"] or hashlib.sha256(data).hexdigest() != expected["sha256"]:
            raise Refused(f"{self.path.name}: member {name} changed while being read")
        return data

    def copy_to(self, name: str, target: Path) -> None:
        """Stream a member to ``target`` (a new file), checking its hash on the way."""
        digest = hashlib.sha256()
        with self.zip.open(name) as source, open(target, "xb") as out:
            for chunk in _chunks(source, self.members[name]["size"], name):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != self.members[name]["sha256"]:
            target.unlink(missing_ok=True)
            raise Refused(f"{self.path.name}: member {name} changed while being read")

    @contextmanager
    def stream(self, name: str) -> Iterator[_CheckedReader]:
        """A member as a file to read from, no longer than the manifest says; its hash is checked
        again once it was read to the end (a reader inside a transaction then rolls back)."""
        with self.zip.open(name) as source:
            reader = _CheckedReader(source, self.members[name], name)
            yield reader
            if not reader.complete():
                raise Refused(f"{self.path.name}: member {name} changed while being read")

    def lines(self, name: str, *, max_line: int | None = None) -> Iterator[bytes]:
        """A JSON-lines member's lines (without their newline), streamed: each at most
        ``max_line`` bytes (``MAX_LINE``), the member no longer than the manifest says, and its
        hash checked again after the last line (a reader inside a transaction then rolls back)."""
        max_line = max_line or MAX_LINE
        expected = self.members[name]
        digest = hashlib.sha256()
        pending = b""
        with self.zip.open(name) as source:
            for chunk in _chunks(source, expected["size"], name):
                digest.update(chunk)
                *complete, pending = (pending + chunk).split(b"\n")
                for line in [*complete, pending]:
                    if len(line) > max_line:
                        raise Refused(
                            f"{self.path.name}: {name} has a line longer than {max_line} bytes"
                        )
                yield from complete
        if digest.hexdigest() != expected["sha256"]:
            raise Refused(f"{self.path.name}: member {name} changed while being read")
        if pending:
            yield pending

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> CheckedArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _CheckedReader:
    """``read(n)`` over a zip member, refusing bytes past its declared size, hashing as it goes."""

    def __init__(self, source, expected: dict, name: str):
        self.source, self.expected, self.name = source, expected, name
        self.digest = hashlib.sha256()
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes the type of what a file returns
        data = self.source.read(size if size > 0 else CHUNK)
        self.done += len(data)
        if self.done > self.expected["size"]:
            raise Refused(f"member {self.name!r} expands past its declared size")
        self.digest.update(data)
        return data

    def complete(self) -> bool:
        while self.read(CHUNK):
            pass
        return self.done == self.expected["size"] and (
            self.digest.hexdigest() == self.expected["sha256"]
        )


def member_name_problem(name: str) -> str | None:
    """Why a member name is unsafe to extract (None when it is a clean relative path)."""
    if not name or "\\" in name or "\0" in name:
        return "a backslash or NUL in the name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = PurePosixPath(name).parts
    if any(p in ("..", ".") for p in name.split("/")):
        return "a path that climbs out of the target ('..')"
    if not parts or name.endswith("/") or "" in name.split("/"):
        return "an empty path component"
    return None


def open_checked(
    path: Path, *, format_name: str, max_version: int, limits: Limits = Limits()
) -> CheckedArchive:
    """Open ``path`` and check all of it (names, sizes, manifest, hashes), or raise Refused."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"{path.name} is not a readable zip archive: {exc}") from exc
    try:
        manifest, members = _check(archive, path, format_name, max_version, limits)
    except BaseException:
        archive.close()
        raise
    return CheckedArchive(path, archive, manifest, members)


def _check(archive, path, format_name, max_version, limits):
    infos = archive.infolist()
    problems: list[str] = []
    if len(infos) > limits.members:
        raise Refused(f"{path.name}: {len(infos)} members, more than {limits.members}")
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.filename
        if why := member_name_problem(name):
            problems.append(f"member {name!r}: {why}")
        mode = (info.external_attr >> 16) & 0o170000
        if mode and not stat.S_ISREG(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a plain file"
            problems.append(f"member {name!r}: {kind}")
        folded = name.casefold()
        if folded in seen:
            problems.append(f"member {name!r}: a duplicate name (also {seen[folded]!r})")
        seen[folded] = name
        total += info.file_size
        if info.file_size > limits.ratio_from and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            problems.append(
                f"member {name!r}: expands {info.file_size // max(info.compress_size, 1)}× "
                f"(limit {limits.ratio}×): a zip bomb"
            )
        if info.flag_bits & 0x1:
            problems.append(f"member {name!r}: encrypted")
    if total > limits.total:
        problems.append(f"expands to {total} bytes, more than the limit of {limits.total}")
    if problems:
        raise Refused(f"{path.name} is refused: unsafe archive", details=problems)
    manifest = _manifest(archive, path, format_name, max_version)
    listed = manifest["members"]
    names = {i.filename for i in infos} - {MANIFEST}
    for name in sorted(names - set(listed)):
        problems.append(f"member {name!r} is not in the manifest")
    for name in sorted(set(listed) - names):
        problems.append(f"manifest lists {name!r}, which is not in the archive")
    for name in sorted(listed):
        if why := member_name_problem(name):
            problems.append(f"manifest entry {name!r}: {why}")
    if problems:
        raise Refused(
            f"{path.name} is refused: its members do not match its manifest", details=problems
        )
    infos_by_name = {i.filename: i for i in infos}
    for name in sorted(names):
        entry = listed[name]
        if entry["size"] != infos_by_name[name].file_size:
            problems.append(
                f"member {name!r}: {infos_by_name[name].file_size} bytes, manifest says {entry['size']}"
            )
            continue
        digest = hashlib.sha256()
        try:
            with archive.open(name) as source:
                for chunk in _chunks(source, entry["size"], name):
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # bad CRC, truncated
            problems.append(f"member {name!r}: unreadable ({exc})")
            continue
        if digest.hexdigest() != entry["sha256"]:
            problems.append(
                f"member {name!r}: SHA-256 {digest.hexdigest()} does not match the manifest ({entry['sha256']})"
            )
    if problems:
        raise Refused(
            f"{path.name} is refused: the manifest's hashes do not match", details=problems
        )
    return manifest, dict(listed)


def _manifest(archive, path, format_name, max_version) -> dict:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise Refused(f"{path.name} is refused: no {MANIFEST}") from None
    if info.file_size > MAX_MANIFEST:
        raise Refused(f"{path.name} is refused: {MANIFEST} is too large")
    try:
        with archive.open(MANIFEST) as source:
            manifest = bounded_loads(b"".join(_chunks(source, info.file_size, MANIFEST)))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"{path.name} is refused: {MANIFEST} is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != format_name:
        raise Refused(
            f"{path.name} is not a {format_name} (format {manifest.get('format') if isinstance(manifest, dict) else None!r})"
        )
    version = manifest.get("format_version")
    if not _is_count(version) or version < 1:
        raise Refused(f"{path.name} is refused: no format version in its manifest")
    if version > max_version:
        raise Refused(
            f"{path.name} has format version {version}, newer than this Casebook reads "
            f"({max_version}); upgrade Casebook"
        )
    members = manifest.get("members")
    ok = isinstance(members, dict) and all(
        isinstance(k, str)
        and isinstance(v, dict)
        and isinstance(v.get("sha256"), str)
        and _is_count(v.get("size"))
        for k, v in members.items()
    )
    if not ok:
        raise Refused(f"{path.name} is refused: its manifest has no valid member list")
    if not isinstance(manifest.get("head_hash"), str | None):
        raise Refused(f"{path.name} is refused: its manifest's head_hash is not text")
    return manifest


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _chunks(source, declared: int, name: str) -> Iterator[bytes]:
    """Read at most ``declared`` bytes; more means the header lied about the size."""
    done = 0
    while chunk := source.read(CHUNK):
        done += len(chunk)
        if done > declared:
            raise Refused(f"member {name!r} expands past its declared size")
        yield chunk


def member_entry(data_or_digest: bytes | str, size: int | None = None) -> dict:
    """A manifest entry for bytes (or for a known digest and size)."""
    if isinstance(data_or_digest, bytes):
        return {"sha256": hashlib.sha256(data_or_digest).hexdigest(), "size": len(data_or_digest)}
    return {"sha256": data_or_digest, "size": size}


# --- JSON from outside ---------------------------------------------------------------------------


def _events(source, name: str) -> Iterator[tuple[str, object]]:
    """ijson's parse events (numbers as int or float), a syntax error as a refusal."""
    try:
        yield from ijson.basic_parse(source, use_float=True)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        first = (str(detail).strip().splitlines() or [""])[0]
        raise Refused(f"{name}: not JSON ({first})") from exc


def bounded_loads(data: bytes, *, name: str = "JSON", depth: int = MAX_DEPTH):
    """``json.loads`` of a small document, refused when nested deeper than ``depth``."""
    level = 0
    for event, _value in _events(data, name):
        if event in ("start_map", "start_array"):
            level += 1
            if level > depth:
                raise Refused(f"{name} is nested deeper than {depth} levels")
        elif event in ("end_map", "end_array"):
            level -= 1
    return json.loads(data)


def stream_items(
    source, *, name: str, tables: dict[str, type], limits: RecordLimits = RecordLimits()
) -> Iterator[tuple[str, str | int | None, object]]:
    """The records of a JSON object, one at a time, without holding the document.

    Yields ``(key, None, value)`` for each top-level value, except that the values of the
    ``tables`` (``{name: dict or list}``, the shape each must have) are yielded item by item as
    ``(table, key or index, value)``. Each yielded value is built within ``limits``; the document is refused (naming
    the record) as soon as one is exceeded."""
    depth = 0  # containers open in the document
    top: str | None = None
    key: str | int | None = None
    index = 0
    stack: list[list] = []  # [container, pending key] of the record being built
    values = text = 0

    def where() -> str:
        return f"{name}: {top}" + (f" {key}" if top in tables and key is not None else "")

    for event, value in _events(source, name):
        if not stack:
            if depth == 0:
                if event != "start_map":
                    raise Refused(f"{name} is not a JSON object")
                depth = 1
                continue
            if event == "map_key":
                if depth == 1:
                    top, key = value, None
                else:
                    key = value
                continue
            if event in ("end_map", "end_array"):
                depth -= 1
                continue
            if depth == 1 and top in tables:
                if event != ("start_map" if tables[top] is dict else "start_array"):
                    shape = "a table keyed by UUID" if tables[top] is dict else "a list"
                    raise Refused(f"{name}: '{top}' is not {shape}")
                depth, key, index = 2, None, 0
                continue
            if depth == 2 and key is None:
                key, index = index, index + 1
            values = text = 0
        values += 1
        if values > limits.values:
            raise Refused(f"{where()} holds more than {limits.values} values")
        if event == "map_key":
            stack[-1][1] = value
            text += len(value)
        elif event in ("start_map", "start_array"):
            depth += 1
            if depth > limits.depth:
                raise Refused(f"{where()} is nested deeper than {limits.depth} levels")
            stack.append([{} if event == "start_map" else [], None])
            continue
        elif event in ("end_map", "end_array"):
            depth -= 1
            value = stack.pop()[0]
        elif isinstance(value, str):
            text += len(value)
        if text > limits.text:
            raise Refused(f"{where()} holds more than {limits.text} characters of text")
        if event == "map_key":
            continue
        if stack:
            parent, pending = stack[-1]
            if isinstance(parent, dict):
                parent[pending] = value
            else:
                parent.append(value)
            continue
        yield top, (key if depth == 2 else None), value
        if depth == 2 and isinstance(key, int):
            key = None
    if depth:
        raise Refused(f"{name} ends before its last record")


def check_free_space(folder: Path, needed: int, *, what: str) -> None:
    """Refuse when writing ``needed`` bytes into ``folder`` would leave less than
    ``DISK_RESERVE`` free on its disk."""
    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if needed + DISK_RESERVE > free:
        raise Refused(
            f"{what} needs {needed:,} bytes of disk, and {folder} has {free:,} bytes free "
            f"(keeping {DISK_RESERVE:,} in reserve); free some space and try again"
        )
