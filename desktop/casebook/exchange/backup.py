"""Backups: the database copy and the vault's blobs in one zip, with a manifest of hashes.

Layout: ``manifest.json`` (format, version, app version, created, chain head, counts, members),
``casebook.db`` (an online-backup copy), ``vault/ab/abcdef…`` (the blobs the copy's evidence
names). Every temporary file (the database copy, the zip being written, a restore's staged
store) lives in the store's scratch folder (``vault.scratch``), never beside the output: a
killed backup leaves no plaintext copy of the store where the backup was going.

Restoring extracts into a scratch entry, verifies, marks it ready, then moves the database and
the blobs into place; a restore killed after "ready" is finished by the next start
(``resume_restores``), one killed before it leaves the store as it was.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from casebook import __version__
from casebook.core.errors import Refused
from casebook.exchange.safety import MANIFEST, CheckedArchive, Limits, open_checked
from casebook.store.backup import evidence_hashes, remove_database
from casebook.vault import Vault, write_refused
from casebook.vault.scratch import mark_ready, note_outside, ready_entries, remove_tree

FORMAT = "casebook-backup"
VERSION = 1
DATABASE = "casebook.db"


def write_backup(
    out: Path,
    *,
    work: Path,
    database: Path,
    vault: Vault,
    blobs: list[str],
    head_hash: str,
    counts: dict,
) -> dict:
    """Write the backup zip in ``work`` (a scratch entry), then move it to ``out``; returns
    {out, sha256, size}. A full or read-only disk is one error naming the place."""
    try:
        _write_zip(work / "backup.zip", database, vault, blobs, head_hash, counts)
    except OSError as exc:
        raise write_refused(exc, work.parent) from exc
    try:
        _place(work / "backup.zip", out, work)
    except OSError as exc:
        raise write_refused(exc, out) from exc
    digest = hashlib.sha256()
    with open(out, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return {"out": str(out), "sha256": digest.hexdigest(), "size": out.stat().st_size}


def _write_zip(temp: Path, database, vault, blobs, head_hash, counts) -> None:
    members: dict[str, dict] = {}
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        members[DATABASE] = _add_file(zf, DATABASE, database)
        for sha in blobs:
            path = vault.path_of(sha)
            if not path.is_file():
                raise Refused(f"blob {sha} is missing from the vault; run 'casebook verify'")
            name = f"vault/{sha[:2]}/{sha}"
            members[name] = _add_file(zf, name, path)
            if members[name]["sha256"] != sha:
                raise Refused(f"blob {sha} is damaged; run 'casebook verify'")
        manifest = {
            "format": FORMAT,
            "format_version": VERSION,
            "app_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "head_hash": head_hash,
            "counts": counts,
            "members": members,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))

    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())


def _place(temp: Path, out: Path, work: Path) -> None:
    """Move the finished zip to ``out``: a rename on the same disk; else a copy through a
    partial file beside ``out`` that the scratch entry names, so a kill leaves nothing there
    after the next start."""
    try:
        os.replace(temp, out)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = out.with_name(f".{out.name}.partial")
    note_outside(work, partial)
    try:
        with open(temp, "rb") as source, open(partial, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _add_file(zf: zipfile.ZipFile, name: str, path: Path) -> dict:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source, zf.open(name, "w", force_zip64=True) as target:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def open_backup(path: Path, *, limits: Limits = Limits()) -> CheckedArchive:
    """The backup archive, checked whole (names, sizes, manifest, hashes), or Refused."""
    archive = open_checked(path, format_name=FORMAT, max_version=VERSION, limits=limits)
    names = set(archive.members)
    if DATABASE not in names:
        archive.close()
        raise Refused(f"{Path(path).name} is refused: no {DATABASE} in the backup")
    for name in names - {DATABASE}:
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != "vault" or not parts[2].startswith(parts[1]):
            archive.close()
            raise Refused(f"{Path(path).name} is refused: unexpected member {name!r}")
        if archive.members[name]["sha256"] != parts[2]:
            archive.close()
            raise Refused(f"{Path(path).name} is refused: blob {name!r} is not named by its hash")
    return archive


def staged_paths(stage: Path, target: Path) -> tuple[Path, Path]:
    """Where a restore into ``target`` stages its database and vault inside ``stage``."""
    return stage / target.name, stage / (target.stem + ".files") / "vault"


def commit_restore(stage: Path, target: Path) -> None:
    """Mark a verified staged restore ready, then move it into place."""
    mark_ready(stage)
    finish_restore(stage, target)


def resume_restores(target: Path) -> None:
    """Finish the restores into ``target`` that were verified but killed while moving in."""
    tmp = target.with_name(target.stem + ".files") / "tmp"
    for stage in ready_entries(tmp, "restore"):
        finish_restore(stage, target)
        remove_tree(stage)


def finish_restore(stage: Path, target: Path) -> None:
    """Move a staged, verified restore into place; safe to run again after a kill at any step:
    the database replaces the old one (its WAL removed first), the blobs join the vault, and
    blobs the restored database does not name leave it."""
    staged, staged_vault = staged_paths(stage, target)
    if staged.exists():
        remove_database(target)
        os.replace(staged, target)
    vault = Vault(target.with_name(target.stem + ".files") / "vault")
    if staged_vault.is_dir():
        for sha in Vault(staged_vault).blobs():
            destination = vault.path_of(sha)
            if not destination.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(Vault(staged_vault).path_of(sha), destination)
    for sha in vault.extra_blobs(evidence_hashes(target)):
        vault.remove(sha)


def extract_backup(archive: CheckedArchive, *, database: Path, vault_root: Path) -> None:
    """Extract into a fresh database path and vault folder (each member re-hashed)."""
    archive.copy_to(DATABASE, database)
    for name in sorted(archive.members):
        if name == DATABASE:
            continue
        _, folder, sha = name.split("/")
        target = vault_root / folder / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        archive.copy_to(name, target)
        target.chmod(0o444)
