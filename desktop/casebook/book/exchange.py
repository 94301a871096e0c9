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
    (".anx", "export_anx"),
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


class ChartImportSection:
    """``casebook import chart.anx``: an i2 Analyst's Notebook chart into a case."""

    def import_chart(self, file: str | Path, *, case_ref: str) -> dict:
        """Read an ANX chart into a case, all or nothing: its entities become firms (matched
        by identifier, else by name key and country; never merged by guess: an ambiguous or
        near match is a merge suggestion), its links relationships (trade links are left out:
        trade comes from shipments), each firm and relationship supported by the chart file
        as evidence; its positions become the case's saved chart when it has none."""
        from casebook.exchange import anx

        path = Path(file).expanduser()
        if not path.is_file():
            raise Refused(f"no chart file {path}")
        chart = anx.read_anx(path)
        persons = {e.key for e in chart.entities if e.kind == "person"}
        people = [_person_fields(e) for e in chart.entities if e.key in persons]
        chart.entities = [e for e in chart.entities if e.key not in persons]
        by_person = [ln for ln in chart.links if persons & {ln.end1, ln.end2}]
        person_links = [f for f in (_person_link_fields(ln, persons) for ln in by_person) if f]
        left_out = {"person_links_left_out": len(by_person) - len(person_links)}
        chart.links = [ln for ln in chart.links if not persons & {ln.end1, ln.end2}]
        rels = [_relationship_fields(link) for link in chart.links if not link.trade]
        with self._read() as session:
            find_case(session, case_ref)
        blob = self.vault.put(path)
        try:
            with self._write() as session:
                return self._write_chart(session, path, blob, chart, rels, case_ref,
                                         (people, person_links)) | left_out  # fmt: skip
        except BaseException:
            if blob.created:
                self._drop_unused_blob(blob.sha256)
            raise

    def _write_chart(self, session, path: Path, blob, chart, rels, case_ref: str, people) -> dict:
        from casebook.book.evidence import clean_evidence_fields
        from casebook.ingest.parties import PartyWriter
        from casebook.store import evidence as evidence_store
        from casebook.store import firms as firm_store
        from casebook.store import network as network_store
        from casebook.store import relationships as rel_store
        from casebook.vault.text import guess_mime

        case = find_case(session, case_ref)
        writer = PartyWriter(session, case_id=case.id)
        ids = writer.resolve_firms([(e.name, e.country, e.identifiers) for e in chart.entities])
        firm_of = {e.key: fid for e, fid in zip(chart.entities, ids, strict=True)}
        uids = firm_store.uids_of(session, ids=set(ids))
        evidence = evidence_store.get_evidence_by_content(
            session, case_id=case.id, sha256=blob.sha256
        )
        if evidence is None:
            fields = clean_evidence_fields(
                {"title": f"i2 chart {path.name}", "kind": "document",
                 "notes": "imported with casebook import"}
            )  # fmt: skip
            evidence = self._insert_evidence(session, case.id, fields, path=path, blob=blob,
                                             mime=guess_mime(blob.path, name=path.name),
                                             text="")  # fmt: skip
        for fid in sorted(set(ids)):
            self._link(session, evidence, "firm", uids[fid])
        known = {(r.from_firm_id, r.to_firm_id, r.kind)
                 for r in rel_store.list_relationships(session, case_id=case.id)}  # fmt: skip
        created = []
        for ends, fields in rels:
            a, b = firm_of[ends[0]], firm_of[ends[1]]
            if a == b or (a, b, fields["kind"]) in known:
                continue
            known.add((a, b, fields["kind"]))
            rel = rel_store.add_relationship(
                session, case_id=case.id, from_firm_id=a, to_firm_id=b, **fields
            )
            self._link(session, evidence, "relationship", rel.uid)
            created.append(rel.uid)
        placed = self._place_chart(session, network_store, case.id, chart, firm_of, uids)
        persons = self._write_people(session, case.id, evidence, *people, firm_of)
        result = {
            "case": case.ref,
            "file_name": path.name,
            "evidence_uid": evidence.uid,
            "entities": len(chart.entities),
            "firms_created": writer.created,
            "firms_matched": len(set(ids)) - writer.created,
            "merge_suggestions": writer.suggested,
            "relationships_created": len(created),
            "relationships_known": len(rels) - len(created),
            "trade_links_left_out": len(chart.links) - len(rels),
            "positions": placed,
            **persons,
        }
        self._audit(session, "chart.import", "case", target_uid=case.uid, case_id=case.id,
                    after=result | {"sha256": blob.sha256, "relationships": created,
                                    "firms": sorted(uids.values())})  # fmt: skip
        return result

    def _write_people(self, session, case_id: int, evidence, people, links, firm_of) -> dict:
        """The chart's persons (matched by personal identifier, else name key and birth date)
        and their links (added once), each supported by the chart file."""
        from casebook.store import persons as person_store

        counts = {"persons_created": 0, "persons_matched": 0, "person_links_created": 0}
        person_of = {}
        for key, fields in people:
            found = person_store.same_person(
                session, case_id=case_id, identifiers=fields["identifiers"],
                name_key=fields["name_key"], birth_date=fields["birth_date"],
            )  # fmt: skip
            counts["persons_matched" if found else "persons_created"] += 1
            person_of[key] = found or person_store.add_person(session, case_id=case_id, **fields)
            self._link(session, evidence, "person", person_of[key].uid)
        for ends, fields in links:
            sides = [
                (person_of[k].id, None) if k in person_of else (None, firm_of[k]) for k in ends
            ]
            if sides[0] == sides[1]:
                continue
            where = {"from_person_id": sides[0][0], "from_firm_id": sides[0][1],
                     "to_person_id": sides[1][0], "to_firm_id": sides[1][1],
                     "kind": fields["kind"]}  # fmt: skip
            if person_store.same_link(session, case_id=case_id, **where) is None:
                rest = {k: v for k, v in fields.items() if k != "kind"}
                link = person_store.add_link(session, case_id=case_id, **where, **rest)
                self._link(session, evidence, "personlink", link.uid)
                counts["person_links_created"] += 1
        return counts

    def _place_chart(self, session, network_store, case_id, chart, firm_of, uids) -> int:
        """The chart's positions as the case's saved chart, when the case has none."""
        if network_store.chart_positions(session, case_id=case_id):
            return 0
        rows = {}
        for e in chart.entities:
            if e.x is not None:
                uid = uids[firm_of[e.key]]
                rows[uid] = {"subject_kind": "firm", "subject_uid": uid, "x": round(e.x, 6),
                             "y": round(e.y, 6), "pinned": False, "group_name": None}  # fmt: skip
        network_store.replace_chart_positions(session, case_id=case_id, rows=list(rows.values()))
        return len(rows)


def _relationship_fields(link) -> tuple[tuple[str, str], dict]:
    """A chart link as relationship fields; Refused naming the chart item when one is bad."""
    from casebook.book.findings import clean_relationship_fields
    from casebook.core.domain import RELATIONSHIP_KINDS

    kind = link.kind.casefold()
    notes = link.notes
    if kind not in RELATIONSHIP_KINDS:
        notes = f"{link.kind}: {notes}".strip(": ") if notes else link.kind
        kind = "other"
    if link.end1 == link.end2:
        raise Refused(f"{link.where}: the link joins an entity to itself")
    try:
        fields = clean_relationship_fields({"kind": kind, "share": link.share,
                                            "start": link.start, "end": link.end,
                                            "notes": notes[:2_000]})  # fmt: skip
    except UsageError as exc:
        raise Refused(f"{link.where}: {exc.message}") from None
    if fields["share"] is not None and fields["kind"] != "ownership":
        raise Refused(f"{link.where}: a share is given only for an ownership relationship")
    return (link.end1, link.end2), fields


def _person_fields(entity) -> tuple[str, dict]:
    """A person entity as a new person's fields; Refused naming the chart item when one is bad."""
    from casebook.book.persons import clean_person_fields

    try:
        return entity.key, clean_person_fields(
            name=entity.name, native_name=entity.native_name, birth_date=entity.birth_date,
            nationality=entity.nationality, identifiers=entity.identifiers,
        )  # fmt: skip
    except UsageError as exc:
        raise Refused(f"{entity.where}: {exc.message}") from None


def _person_link_fields(link, persons: set[str]) -> tuple[tuple[str, str], dict] | None:
    """A chart link with a person at an end as person-link fields; None for a kind Casebook
    does not know for persons (left out and counted); Refused when one is bad."""
    from casebook.book.findings import clean_relationship_fields
    from casebook.book.persons import clean_link_kind
    from casebook.core.domain import PERSON_KINDS

    if link.end1 == link.end2:
        raise Refused(f"{link.where}: the link joins an entity to itself")
    if link.trade or link.kind.casefold() not in PERSON_KINDS:
        return None
    try:
        fields = clean_relationship_fields({"share": link.share, "start": link.start,
                                            "end": link.end, "notes": link.notes[:2_000]})  # fmt: skip
        firm_end = not {link.end1, link.end2} <= persons
        fields["kind"] = clean_link_kind(link.kind, fields["share"], firm_end=firm_end)
    except UsageError as exc:
        raise Refused(f"{link.where}: {exc.message}") from None
    return (link.end1, link.end2), fields
