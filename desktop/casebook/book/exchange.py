"""Facade section: backups and restore, case bundles, and exports in open formats."""

from __future__ import annotations

from pathlib import Path

from casebook.book.cases import find_case
from casebook.book.shipments import check_lens
from casebook.core.errors import Refused, UsageError
from casebook.core.files import output_path
from casebook.core.filters import ShipmentFilter
from casebook.core.location import ServerLocation, parse_location
from casebook.exchange import backup as backup_zip
from casebook.store import audit
from casebook.store.engine import Store, default_location
from casebook.vault import scratch_dir

#: Export suffixes (longest first) → facade method.
EXPORTS = [
    (".casebook", "export_bundle"),
    (".ftm.jsonl", "export_ftm"),
    (".ftm.json", "export_ftm"),
    (".xlsx", "export_xlsx"),
    (".zip", "export_csv_zip"),
]


class ExchangeSection:
    """``backup``, ``restore`` (a class method: the store may not exist), bundles, exports."""

    def backup(self, *, out: str | Path, force: bool = False) -> dict:
        """A consistent copy of the store (online backup API) and its vault as one zip."""
        from casebook.store import backup as store_backup

        out = output_path(out, force=force)
        if self.store.dialect == "postgresql":
            return self._server_backup(out)
        with scratch_dir(self.vault.tmp, "backup") as temp:  # never a plaintext copy beside out
            database = temp / backup_zip.DATABASE
            for _attempt in range(3):
                store_backup.backup_database(self.path, database)
                blobs = store_backup.evidence_hashes(database)
                # A blob is removed only after its last record is deleted, so a copy taken
                # before such a delete may name a blob that has just gone: take it again.
                if all(self.vault.has(sha) for sha in blobs):
                    break
            head, counts = store_backup.copy_summary(database)
            return backup_zip.write_backup(
                out,
                work=temp,
                database=database,
                vault=self.vault,
                blobs=blobs,
                head_hash=head,
                counts=counts,
            )

    def _server_backup(self, out: Path) -> dict:
        """A server store's backup: ``pg_dump``'s custom format (evidence included); restore
        it with ``pg_restore``."""
        from casebook.store import postgres

        return postgres.dump_to(self.store.location, out) | {"format": "pg_dump"}

    def auto_backup(self, *, keep: int = 5) -> dict:
        """A backup into ``<store>.files/backups/``, keeping the newest ``keep`` of them."""
        from datetime import UTC, datetime

        folder = self.folder / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        result = self.backup(out=folder / f"{self.path.stem}-{stamp}.zip")
        kept = sorted(folder.glob(f"{self.path.stem}-*.zip"))
        for old in kept[: max(len(kept) - max(keep, 1), 0)]:
            old.unlink(missing_ok=True)
        return result

    def export_bundle(self, *, case_ref: str, out: str | Path, force: bool = False) -> dict:
        """Write a case as a ``.casebook`` bundle; the ``export`` JSON."""
        from casebook.exchange import bundle as bundles

        out = output_path(out, force=force)
        with self._read() as session:
            case = find_case(session, case_ref)
            records = bundles.gather(session, case)
            head = audit.head_hash(session)
            return bundles.write_bundle(session, records, out, vault=self.vault, head_hash=head)

    def export_ftm(
        self,
        *,
        case_ref: str,
        out: str | Path,
        force: bool = False,
        lens: ShipmentFilter | None = None,
    ) -> dict:
        """Write a case as FollowTheMoney entities, one per line (shipments: the lens's)."""
        from casebook.exchange import ftm

        return self._export_with(ftm.write_ftm, case_ref, out, force, lens)

    def export_xlsx(
        self,
        *,
        case_ref: str,
        out: str | Path,
        force: bool = False,
        lens: ShipmentFilter | None = None,
    ) -> dict:
        """Write a case as a workbook (firms, shipments, evidence, findings, relationships)."""
        from casebook.exchange import spreadsheet

        return self._export_with(spreadsheet.write_xlsx, case_ref, out, force, lens)

    def export_csv_zip(
        self,
        *,
        case_ref: str,
        out: str | Path,
        force: bool = False,
        lens: ShipmentFilter | None = None,
    ) -> dict:
        """Write a case as a zip of CSV files (the workbook's tables)."""
        from casebook.exchange import spreadsheet

        return self._export_with(spreadsheet.write_csv_zip, case_ref, out, force, lens)

    def _export_with(self, writer, case_ref: str, out: str | Path, force: bool, lens) -> dict:
        from casebook.exchange import bundle as bundles

        out = output_path(out, force=force)
        with self._read() as session:
            case = find_case(session, case_ref)
            lens = check_lens(session, lens, case_id=case.id)
            records = bundles.gather(session, case)
            return writer(session, records, out, lens=lens)

    def export_case(
        self,
        *,
        case_ref: str,
        out: str | Path,
        force: bool = False,
        lens: ShipmentFilter | None = None,
    ) -> dict:
        """Export a case; the format follows the file name (see ``EXPORTS``). A bundle carries
        the whole case: a ``lens`` there is a usage error."""
        name = Path(out).name.lower()
        for suffix, method in EXPORTS:
            if name.endswith(suffix) and len(name) > len(suffix):
                if method == "export_bundle":
                    if lens:
                        raise UsageError(
                            "a .casebook bundle carries the whole case; drop the filters"
                        )
                    return self.export_bundle(case_ref=case_ref, out=out, force=force)
                return getattr(self, method)(case_ref=case_ref, out=out, force=force, lens=lens)
        raise Refused(f"cannot tell the export format of {Path(out).name!r}")

    def open_bundle(self, file: str | Path) -> dict:
        """Merge a ``.casebook`` bundle into this store: checked whole first, then written only
        inside its own case, every record it writes named in its audit event."""
        from casebook.analysis import flags
        from casebook.exchange import bundle as bundles

        file = Path(file).expanduser()
        if not file.is_file():
            raise Refused(f"no bundle file {file}")
        # The records are spooled in a locked folder of the store's tmp/: a killed open leaves
        # only what the next start sweeps.
        with scratch_dir(self.vault.tmp, "bundle") as scratch:
            bundle = bundles.read_bundle(file, scratch=scratch, vault=self.vault)
            try:
                with self._write() as session:
                    result = bundles.merge_bundle(
                        session, bundle, vault=self.vault, audit=self._audit
                    )
                    if result.changed:
                        case_id = bundles.case_id_of(session, result.case_ref)
                        flags.store_row_tests(session, case_id=case_id)
                        self._audit(
                            session,
                            "bundle.open",
                            "case",
                            target_uid=bundle.case["uid"],
                            case_id=case_id,
                            after={
                                "file_name": file.name,
                                "sha256": bundle.sha256,
                                "bundle_head_hash": bundle.manifest.get("head_hash"),
                                "created": result.json()["created"],
                                "conflicts": len(result.conflicts),
                                **result.audit(),
                            },
                        )
            finally:
                bundle.close()
        return result.json()

    @classmethod
    def restore(
        cls, file: str | Path, *, db: str | Path | None = None, force: bool = False
    ) -> dict:
        """Restore a backup into ``db`` (created when missing; replaced only with ``force``).

        Everything is checked first (the archive's names, sizes and hashes), extracted into
        the target's scratch folder, opened and verified; only then does it replace the store
        (``backup_zip.commit_restore``: a kill from there on is finished by the next start).
        """
        file = Path(file).expanduser()
        if not file.is_file():
            raise Refused(f"no backup file {file}")
        target = parse_location(db) if db else default_location()
        if isinstance(target, ServerLocation):
            raise UsageError(
                f"restore: {target} is a server store; restore a server with pg_restore "
                '(docs/ARCHITECTURE.md, "Two backends")'
            )
        target = target.resolve()
        if target.is_dir():
            raise Refused(f"{target} is a folder, not a store")
        if target.exists() and not force:
            raise Refused(f"{target} exists; use --force to replace it with the backup")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.stem + ".files") / "tmp"
        with backup_zip.open_backup(file) as archive, scratch_dir(tmp, "restore") as temp:
            manifest = archive.manifest
            staged, staged_vault = backup_zip.staged_paths(temp, target)
            backup_zip.extract_backup(archive, database=staged, vault_root=staged_vault)
            report = _verify_staged(cls, staged, manifest)
            backup_zip.commit_restore(temp, target)
        return {
            "db": str(target),
            "restored": True,
            "head_hash": manifest["head_hash"],
            "checked": report["checked"],
        }


def _verify_staged(cls, staged: Path, manifest: dict) -> dict:
    book = cls(Store(staged))
    try:
        report = book.verify()
        head = book.head_hash()
    finally:
        book.close()
    if not report["ok"]:
        raise Refused(
            "the backup does not verify; nothing was restored",
            details=[p["detail"] for p in report["problems"]],
        )
    if head != manifest.get("head_hash"):
        raise Refused(
            f"the backup's audit chain ends at {head}, its manifest says "
            f"{manifest.get('head_hash')}; nothing was restored"
        )
    return report
