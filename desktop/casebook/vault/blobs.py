"""Content-addressed, read-only storage of evidence files.

Each blob is a plain file holding the original bytes, named by their SHA-256 under a two-hex
folder (``vault/ab/abcdef…``), written once through a temporary file, fsync and rename, then made
read-only. Nothing in the vault is ever modified; a blob is only removed when no record uses it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from casebook.core.errors import Cancelled, Refused

CHUNK = 1 << 20
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class StoredBlob:
    """The result of storing a file: its hash, size, path, and whether it was new."""

    sha256: str
    size: int
    path: Path
    created: bool


class Vault:
    """The blob folder of one store."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        """Where the blob with this hash lives (whether or not it exists)."""
        if not SHA256_RE.match(sha256):
            raise Refused(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the blob is in the vault."""
        return self.path_of(sha256).is_file()

    def put(
        self,
        source: Path,
        *,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> StoredBlob:
        """Store a file's bytes once, hashing while copying; raises Cancelled when asked."""
        source = Path(source)
        if not source.is_file():
            raise Refused(f"no file at {source}")
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        temp = Path(temp_name)
        try:
            with open(fd, "wb") as out:
                digest, size = _copy_hashing(source, out, progress=progress, cancelled=cancelled)
                out.flush()
                os.fsync(out.fileno())
            return self._settle(temp, digest, size)
        finally:
            temp.unlink(missing_ok=True)

    def _settle(self, temp: Path, sha256: str, size: int) -> StoredBlob:
        """Move a fully written temporary file to its content address (unless already there)."""
        target = self.path_of(sha256)
        if target.is_file():
            return StoredBlob(sha256, size, target, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.chmod(READ_ONLY)
        os.replace(temp, target)
        _fsync_dir(target.parent)
        return StoredBlob(sha256, size, target, created=True)

    def remove(self, sha256: str) -> bool:
        """Delete a blob no record uses any more; True if it was there."""
        path = self.path_of(sha256)
        if not path.is_file():
            return False
        path.chmod(READ_ONLY | stat.S_IWUSR)
        path.unlink()
        return True

    def blobs(self) -> Iterator[str]:
        """The hash of every blob in the vault."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.iterdir()):
                    if SHA256_RE.match(path.name) and path.name.startswith(folder.name):
                        yield path.name

    def verify_blob(
        self, sha256: str, *, progress: Progress | None = None, cancelled: CancelCheck | None = None
    ) -> str | None:
        """None if the blob is present and hashes to its name, else what is wrong."""
        path = self.path_of(sha256)
        if not path.is_file():
            return "missing from the vault"
        actual, _ = hash_file(path, progress=progress, cancelled=cancelled)
        if actual != sha256:
            return f"content changed: it now hashes to {actual}"
        if path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            return "writable (vault files must be read-only)"
        return None

    def missing_blobs(self, expected: Iterable[str]) -> list[str]:
        """The hashes in ``expected`` that have no blob."""
        return sorted({s for s in expected if not self.has(s)})

    def extra_blobs(self, expected: Iterable[str]) -> list[str]:
        """Blobs in the vault that no record expects."""
        wanted = set(expected)
        return [s for s in self.blobs() if s not in wanted]


def hash_file(
    path: Path, *, progress: Progress | None = None, cancelled: CancelCheck | None = None
) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    with open(path, "rb") as source:
        digest = hashlib.sha256()
        size = _stream(source, path.stat().st_size, digest.update, progress, cancelled)
    return digest.hexdigest(), size


def _copy_hashing(
    source: Path, out, *, progress: Progress | None, cancelled: CancelCheck | None
) -> tuple[str, int]:
    digest = hashlib.sha256()

    def take(chunk: bytes) -> None:
        digest.update(chunk)
        out.write(chunk)

    with open(source, "rb") as handle:
        size = _stream(handle, source.stat().st_size, take, progress, cancelled)
    return digest.hexdigest(), size


def _stream(handle, total: int, take, progress, cancelled) -> int:
    done = 0
    while chunk := handle.read(CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled while reading the file")
        take(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, max(total, done))
    if progress is not None and done == 0:
        progress(0, 0)
    return done


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
