"""Evidence files inside a PostgreSQL store, so a team shares one vault (issue 17).

Content-addressed as the folder vault is (``casebook.vault.Vault``, which SQLite stores keep):
one ``evidenceblob`` row per distinct SHA-256 and its bytes in ``evidenceblobchunk`` rows of
``CHUNK`` bytes, written and read a chunk at a time (a file is never held whole in memory).
A blob is written in its own transaction, apart from the records that name it, and becomes
visible whole at its commit; two writers of the same file store it once (the second waits on
the first's row, then finds it there). ``path_of`` gives a local read-only copy for what reads
files (previews, working copies, bundles), made from the database and checked against its hash.

The tables are made by migration 0003 on PostgreSQL only. Same methods as ``Vault``.
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

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from casebook.core.errors import Cancelled, Refused
from casebook.store import postgres

CHUNK = 1 << 20
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class StoredBlob:
    """The result of storing a file: its hash, size, a local copy's path, whether it was new."""

    sha256: str
    size: int
    path: Path
    created: bool


class ServerVault:
    """The evidence blobs of a server store, and a local folder of read-only copies."""

    def __init__(self, engine: Engine, folder: Path, *, opener: Callable):
        self.engine = engine  # an engine whose transactions take no write lock
        self.opener = opener  # (path, follow_symlinks) -> binary file; refuses links, FIFOs
        self.root = Path(folder) / "vault-copies"
        self.tmp = Path(folder) / "tmp"

    # --- writing ----------------------------------------------------------------------------

    def put(
        self,
        source: Path,
        *,
        follow_symlinks: bool = False,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> StoredBlob:
        """Store a regular file's bytes once: hashed in a first pass, streamed into the
        database in a second that hashes again (a file changed in between is refused)."""
        source = Path(source)
        with self.opener(source, follow_symlinks) as handle:
            sha256, size = _hash(handle, cancelled=cancelled)
            handle.seek(0)
            return self._put(handle, source, sha256, size, progress, cancelled)

    def _put(self, handle, source, sha256, size, progress, cancelled) -> StoredBlob:
        with self.engine.begin() as conn:
            new = conn.execute(
                text(
                    "INSERT INTO evidenceblob (sha256, size) VALUES (:sha, :size) "
                    "ON CONFLICT DO NOTHING RETURNING sha256"
                ),
                {"sha": sha256, "size": size},
            ).first()
            if new is not None:
                again = _stream_in(conn, handle, sha256, size, progress, cancelled)
                if again != sha256:
                    raise Refused(f"{source.name} changed while being added; add it again")
        return StoredBlob(sha256, size, self.path_of(sha256), created=new is not None)

    def remove(self, sha256: str) -> bool:
        """Delete a blob no record uses any more; True if it was there."""
        _check_sha(sha256)
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM evidenceblobchunk WHERE sha256 = :s"), {"s": sha256})
            gone = conn.execute(text("DELETE FROM evidenceblob WHERE sha256 = :s"), {"s": sha256})
        copy = self.root / sha256[:2] / sha256
        if copy.exists():
            copy.chmod(READ_ONLY | stat.S_IWUSR)
            copy.unlink()
        return gone.rowcount > 0

    # --- reading ----------------------------------------------------------------------------

    def has(self, sha256: str) -> bool:
        _check_sha(sha256)
        with self.engine.connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT 1 FROM evidenceblob WHERE sha256 = :s"), {"s": sha256}
                ).first()
            )

    def chunks(self, sha256: str, conn: Connection | None = None) -> Iterator[bytes]:
        """The blob's bytes, one chunk at a time (server-side cursor: never all at once)."""
        if conn is None:
            with self.engine.connect() as own:
                yield from self.chunks(sha256, own)
            return
        result = conn.execution_options(stream_results=True, max_row_buffer=4).execute(
            text("SELECT data FROM evidenceblobchunk WHERE sha256 = :s ORDER BY seq"),
            {"s": sha256},
        )
        for (data,) in result:
            yield bytes(data)

    def path_of(self, sha256: str) -> Path:
        """A local read-only copy of the blob, made from the database when missing and checked
        against its hash; a path that does not exist when the database has no such blob."""
        _check_sha(sha256)
        target = self.root / sha256[:2] / sha256
        if target.is_file():
            return target
        if not self.has(sha256):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".copy-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self.chunks(sha256):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise Refused(f"blob {sha256} is damaged in the database; run 'casebook verify'")
            os.chmod(name, READ_ONLY)
            os.replace(name, target)
        finally:
            if os.path.exists(name):
                os.unlink(name)
        return target

    def blobs(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT sha256 FROM evidenceblob ORDER BY sha256")).all()
        yield from (sha for (sha,) in rows)

    def verify_blob(
        self, sha256: str, *, progress: Progress | None = None, cancelled: CancelCheck | None = None
    ) -> str | None:
        """None if the blob is in the database whole and hashes to its name, else what is
        wrong (re-hashed from the database, chunk by chunk)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT size FROM evidenceblob WHERE sha256 = :s"), {"s": sha256}
            ).first()
            if row is None:
                return "missing from the vault"
            digest, size = hashlib.sha256(), 0
            for chunk in self.chunks(sha256, conn):
                if cancelled and cancelled():
                    raise Cancelled("verify cancelled")
                digest.update(chunk)
                size += len(chunk)
                if progress:
                    progress(size, row[0])
        if digest.hexdigest() != sha256:
            return f"content changed: it now hashes to {digest.hexdigest()}"
        if size != row[0]:
            return f"holds {size} bytes, recorded {row[0]}"
        return None

    def missing_blobs(self, expected: Iterable[str]) -> list[str]:
        have = set(self.blobs())
        return sorted({s for s in expected if s not in have})

    def extra_blobs(self, expected: Iterable[str]) -> list[str]:
        wanted = set(expected)
        return [s for s in self.blobs() if s not in wanted]

    def leftovers(self) -> list[Path]:
        """Nothing: a blob's transaction leaves it whole or not at all."""
        return []


def _stream_in(conn: Connection, handle, sha256: str, size: int, progress, cancelled) -> str:
    """Copy the file into chunk rows through COPY, hashing as it goes; the new hash."""
    digest, done = hashlib.sha256(), 0
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with postgres.copy_into(cursor, "evidenceblobchunk", "sha256, seq, data") as copy:
            seq = 0
            while chunk := handle.read(CHUNK):
                if cancelled and cancelled():
                    raise Cancelled("cancelled; nothing was added")
                digest.update(chunk)
                copy.write_row((sha256, seq, chunk))
                seq, done = seq + 1, done + len(chunk)
                if progress:
                    progress(done, size)
    return digest.hexdigest()


def _hash(handle, *, cancelled) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        if cancelled and cancelled():
            raise Cancelled("cancelled; nothing was added")
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _check_sha(sha256: str) -> None:
    if not SHA256_RE.match(sha256 or ""):
        raise Refused(f"not a SHA-256: {sha256!r}")
