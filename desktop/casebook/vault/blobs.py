"""Content-addressed, read-only storage of evidence files.

Each blob is a plain file holding the original bytes, named by their SHA-256 under a two-hex
folder (``vault/ab/abcdef…``), written once through a temporary file in the store's scratch
folder (``<store>.files/tmp``, see ``scratch``), fsync and rename, then made read-only. Nothing in
the vault is ever modified; a blob is only removed when no record uses it. Anything else found in
the vault (a blob no record names, a leftover of an older version's interrupted write) is
reported by ``leftovers`` for ``verify`` to name and ``verify --repair`` to remove.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from casebook.core.errors import Cancelled, Refused, write_refused
from casebook.vault.scratch import scratch_dir

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
    """The blob folder of one store, and the scratch folder its writes go through (by default
    ``tmp`` beside the vault, in the store's folder: the same disk, so a rename settles a blob)."""

    def __init__(self, root: Path, tmp: Path | None = None):
        self.root = Path(root)
        self.tmp = Path(tmp) if tmp is not None else self.root.parent / "tmp"

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
        follow_symlinks: bool = False,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> StoredBlob:
        """Store a regular file's bytes once, hashing while copying; raises Cancelled when asked.

        A symbolic link is refused unless ``follow_symlinks``; a device, FIFO or socket always
        (checked on the opened file, so nothing can swap the path in between)."""
        source = Path(source)
        with open_regular(source, follow_symlinks) as handle:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                with scratch_dir(self.tmp, "incoming") as work:
                    with open(work / "blob", "xb") as out:
                        digest, size = _copy_hashing(handle, out, progress, cancelled)
                        out.flush()
                        os.fsync(out.fileno())
                    return self._settle(work / "blob", digest, size)
            except OSError as exc:
                raise write_refused(exc, self.root.parent) from exc

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

    def leftovers(self) -> list[Path]:
        """What is in the vault but is not a blob: temporary files of an interrupted write
        (older versions wrote ``.incoming-*`` here; a bundle's blobs pass through it)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.iterdir()):
            if (
                path.is_symlink()
                or not path.is_dir()
                or not re.fullmatch(r"[0-9a-f]{2}", path.name)
            ):
                found.append(path)
                continue
            found += [
                inner
                for inner in sorted(path.iterdir())
                if inner.is_symlink()
                or not inner.is_file()
                or not (SHA256_RE.match(inner.name) and inner.name.startswith(path.name))
            ]
        return found


def hash_file(
    path: Path, *, progress: Progress | None = None, cancelled: CancelCheck | None = None
) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    with open(path, "rb") as source:
        digest = hashlib.sha256()
        size = _stream(source, path.stat().st_size, digest.update, progress, cancelled)
    return digest.hexdigest(), size


def _copy_hashing(source, out, progress: Progress | None, cancelled: CancelCheck | None):
    digest = hashlib.sha256()

    def take(chunk: bytes) -> None:
        digest.update(chunk)
        out.write(chunk)

    size = _stream(source, os.fstat(source.fileno()).st_size, take, progress, cancelled)
    return digest.hexdigest(), size


def open_regular(source: Path, follow_symlinks: bool):
    """``source`` opened for reading, or Refused: missing, a link (unless followed), or not a
    regular file. Non-blocking, so that a FIFO is refused instead of waiting for a writer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        if source.is_symlink():  # where O_NOFOLLOW does not exist
            raise symlink_refused(source)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise symlink_refused(source) from exc
        if exc.errno == errno.ENOENT:
            raise Refused(f"no file at {source}") from exc
        raise Refused(f"cannot read {source}: {exc.strerror or exc}") from exc
    kind = file_kind(os.fstat(fd).st_mode)
    if kind != "file":
        os.close(fd)
        raise Refused(f"{source} is {kind}, not a regular file; it was not added")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return open(fd, "rb")


def file_kind(mode: int) -> str:
    """``file``, or what else a path is, in words (``a FIFO``, ``a device``, …)."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def symlink_refused(source: Path) -> Refused:
    """The refusal of a symbolic link (it could point anywhere: ~/.ssh/id_rsa, /etc/shadow)."""
    try:
        target = os.readlink(source)
    except OSError:
        target = "?"
    return Refused(
        f"{source} is a symbolic link (to {target}); it was not added. Add the file itself, "
        "or use --follow-symlinks to add what it points to"
    )


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
