"""Backups: the database copy and the vault's blobs in one zip, with a manifest of hashes.

Layout: ``manifest.json`` (format, version, app version, created, chain head, counts, members),
``casebook.db`` (an online-backup copy), ``vault/ab/abcdef…`` (the blobs the copy's evidence
names). Restoring extracts into a temporary folder beside the target, verifies, then moves.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from casebook import __version__
from casebook.core.errors import Refused
from casebook.exchange.safety import MANIFEST, CheckedArchive, Limits, open_checked
from casebook.vault import Vault

FORMAT = "casebook-backup"
VERSION = 1
DATABASE = "casebook.db"


def write_backup(
    out: Path, *, database: Path, vault: Vault, blobs: list[str], head_hash: str, counts: dict
) -> dict:
    """Write the backup zip to ``out`` (through a temporary file); returns {out, sha256, size}."""
    members: dict[str, dict] = {}
    temp = out.with_name(f".{out.name}.partial")
    temp.unlink(missing_ok=True)
    try:
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
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with open(out, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return {"out": str(out), "sha256": digest.hexdigest(), "size": out.stat().st_size}


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
