"""The store's scratch folder, ``<store>.files/tmp``: every temporary file Casebook writes while
it works (an incoming evidence file, a backup's database copy, a restore's staged store) lives
there, inside the store's folder, never beside an output file or a database.

Each piece of work gets its own entry, a folder made by ``scratch_dir``. Its owner holds a lock
on the entry's ``.owner`` file for as long as it works, so the sweep at the next start removes
what a killed process left behind and never what a running one (the GUI and the command line
on the same store) is still writing. A file the work must write outside the store's folder (a
backup copied to another disk) is named in the entry first, so the sweep removes it too.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which is lock enough
    fcntl = None

OWNER = ".owner"
OUTSIDE = ".outside"
READY = ".ready"


@contextmanager
def scratch_dir(tmp: Path, prefix: str) -> Iterator[Path]:
    """A fresh, locked folder in ``tmp`` for one piece of work; removed when the work ends."""
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    entry = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=tmp))
    owner = open(entry / OWNER, "wb")  # noqa: SIM115 - held open for the work's whole life
    try:
        if fcntl is not None:
            fcntl.flock(owner.fileno(), fcntl.LOCK_EX)
        yield entry
    finally:
        owner.close()
        _remove_entry(entry)


def note_outside(entry: Path, path: Path) -> None:
    """Record, before writing it, a file this work writes outside the store's folder."""
    with open(entry / OUTSIDE, "a", encoding="utf-8") as notes:
        notes.write(f"{Path(path).resolve()}\n")
        notes.flush()
        os.fsync(notes.fileno())


def mark_ready(entry: Path) -> None:
    """Record that the entry's work was checked and must be finished, not swept, if its owner
    dies (a restore between "verified" and "moved into place"); see ``ready_entries``."""
    with open(entry / READY, "wb") as marker:
        os.fsync(marker.fileno())


def ready_entries(tmp: Path, prefix: str) -> list[Path]:
    """Entries marked ready whose owner died before it finished their work."""
    tmp = Path(tmp)
    if not tmp.is_dir():
        return []
    return [
        entry
        for entry in sorted(tmp.glob(f"{prefix}-*"))
        if (entry / READY).is_file() and not _owned(entry)
    ]


def sweep(tmp: Path) -> list[Path]:
    """Remove what killed processes left in ``tmp``; returns the entries removed."""
    return [entry for entry in stale_entries(tmp) if _remove_entry(entry)]


def stale_entries(tmp: Path) -> list[Path]:
    """Entries of ``tmp`` that no running process owns (left by a killed one)."""
    tmp = Path(tmp)
    if not tmp.is_dir():
        return []
    return [
        entry
        for entry in sorted(tmp.iterdir())
        if not (entry / READY).is_file() and not _owned(entry)
    ]


def _owned(entry: Path) -> bool:
    """True while a running process holds the entry's lock."""
    owner = entry / OWNER
    if entry.is_symlink() or not entry.is_dir() or not owner.is_file():
        return False
    if fcntl is None:
        try:
            owner.unlink()  # fails while the owner holds it open
        except PermissionError:
            return True
        return False
    try:
        with open(owner, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except FileNotFoundError:  # its owner just finished and removed it
        return True
    return False


def _remove_entry(entry: Path) -> bool:
    """Remove an entry and the outside files it names; True when it is gone."""
    notes = entry / OUTSIDE
    if notes.is_file() and not entry.is_symlink():
        for line in notes.read_text(encoding="utf-8").splitlines():
            with suppress(FileNotFoundError):
                Path(line).unlink()
    remove_tree(entry)
    return not entry.exists() and not entry.is_symlink()


def remove_tree(path: Path) -> None:
    """Delete a file or folder tree, read-only files (vault blobs) included; never follows a
    link out of it."""
    path = Path(path)
    if path.is_symlink() or path.is_file():
        with suppress(FileNotFoundError):
            path.unlink()
        return
    if not path.exists():
        return

    def writable(func, name, _exc):
        with suppress(FileNotFoundError):  # another process removing the same leftover
            os.chmod(name, stat.S_IRWXU)
            func(name)

    shutil.rmtree(path, onerror=writable)
