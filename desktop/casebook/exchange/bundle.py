"""Case bundles (``.casebook``): one case as one zip a colleague can open.

Members: ``manifest.json`` (format, version, app version, created, case, counts, the chain head,
and the SHA-256 and size of every other member), ``records.json`` (the case, its firms,
datasets, evidence, links, relationships and findings, keyed by UUID), ``shipments/<dataset
uid>.jsonl`` (a shipment dataset's rows; a shipment is ``DATASET_UID:ROW``), ``trade/<dataset
uid>.jsonl`` (a trade dataset's flows, in import order), ``blobs/<sha256>`` (the evidence files)
and ``audit.jsonl`` (the case's audit events, for the record). Each dataset's rows are checked
against its content hash as they go in.

Format versions: 1 had no ``trade/`` members (a trade dataset travelled as an empty
``shipments/`` member, so its flows were lost); 2 adds them. A bundle is written as version 2
only when it holds a trade dataset, so Casebooks that read only version 1 still open every other
bundle, and refuse one with trade flows as too new instead of losing them. A version-1 bundle's
trade datasets cannot be restored: opening it leaves them out, each with a conflict.

Opening merges into the current store: records are matched by UUID (so the same bundle twice
changes nothing), firms also by identifiers and name keys; nothing existing is overwritten —
differences are listed as conflicts. The archive is checked whole before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, func, select

from casebook import __version__
from casebook.core.errors import Refused
from casebook.exchange.safety import MANIFEST, CheckedArchive, Limits, open_checked
from casebook.store import bundles as rows
from casebook.store import models as m
from casebook.store import rollups, search
from casebook.store import trade as trade_store
from casebook.store.shipments import insert_shipments, stored_content_hash
from casebook.vault import Vault

FORMAT = "casebook-bundle"
VERSION = 2  # the newest format this Casebook reads
TRADE_VERSION = 2  # the first format whose bundles carry trade flows (``trade/`` members)
DATASET_KINDS = ("shipments", "trade")
RECORDS = "records.json"
AUDIT = "audit.jsonl"
MAX_RECORDS = 1024**3  # records.json is read whole; shipments stream from their own members

CASE_FIELDS = ("uid", "ref", "title", "summary", "status", "priority", "marking", "created",
               "updated")  # fmt: skip
FIRM_FIELDS = ("name", "native_name", "country", "address", "name_key", "sort_key", "created")
DATASET_FIELDS = ("kind", "file_name", "sha256", "encoding", "sheet", "preset", "mapping",
                  "row_count", "content_hash", "imported", "imported_by")  # fmt: skip
EVIDENCE_FIELDS = ("number", "title", "kind", "publisher", "url", "captured", "sha256",
                   "original_name", "size", "mime", "reliability", "credibility", "excerpt",
                   "notes", "text", "added", "added_by")  # fmt: skip
REL_FIELDS = ("kind", "share", "start", "end", "notes", "created")
FINDING_FIELDS = ("position", "text", "likelihood", "confidence", "created", "updated")
FIRM_COLUMNS = ("exporter_id", "importer_id", "exporter_orig_id", "importer_orig_id")
DATETIMES = {"created", "updated", "imported", "captured", "added"}


def _plain(obj, names) -> dict:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _revive(data: dict, names) -> dict:
    out = {}
    for name in names:
        value = data.get(name)
        if name in DATETIMES and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as exc:
                raise Refused(f"bundle record has a bad {name}: {value!r}") from exc
        out[name] = value
    return out


# --- export ------------------------------------------------------------------------------------


@dataclass
class CaseRecords:
    """A case's records, ready to write (``shipments`` is read per dataset while writing)."""

    case: dict
    firms: dict[str, dict]
    datasets: dict[str, dict]
    evidence: dict[str, dict]
    relationships: dict[str, dict]
    findings: dict[str, dict]
    links: list[dict]
    audit: list[dict]
    dataset_ids: dict[str, int] = field(default_factory=dict)
    firm_uids: dict[int, str] = field(default_factory=dict)

    def counts(self) -> dict:
        rows = {kind: 0 for kind in DATASET_KINDS}
        for d in self.datasets.values():
            rows[d["kind"]] = rows.get(d["kind"], 0) + (d["row_count"] or 0)
        return {
            "firms": len(self.firms),
            "datasets": len(self.datasets),
            "shipments": rows["shipments"],
            "trade_flows": rows["trade"],
            "evidence": len(self.evidence),
            "relationships": len(self.relationships),
            "findings": len(self.findings),
            "links": len(self.links),
            "audit_events": len(self.audit),
        }

    def json(self) -> dict:
        return {
            "case": self.case,
            "firms": self.firms,
            "datasets": self.datasets,
            "evidence": self.evidence,
            "relationships": self.relationships,
            "findings": self.findings,
            "links": self.links,
        }


def gather(session: Session, case: m.Case) -> CaseRecords:
    """Everything of one case that travels in a bundle."""
    evidence = list(session.exec(select(m.Evidence).where(m.Evidence.case_id == case.id)))
    rels = list(session.exec(select(m.Relationship).where(m.Relationship.case_id == case.id)))
    findings = list(session.exec(select(m.Finding).where(m.Finding.case_id == case.id)))
    datasets = list(session.exec(select(m.Dataset).where(m.Dataset.case_id == case.id)))
    case_firms = {
        cf.firm_id: cf
        for cf in session.exec(select(m.CaseFirm).where(m.CaseFirm.case_id == case.id))
    }
    links = list(
        session.exec(
            select(m.EvidenceLink).where(m.EvidenceLink.evidence_id.in_([e.id for e in evidence]))
        )
    )
    firm_ids = set(case_firms) | rows.firm_ids_of_case_shipments(session, case_id=case.id)
    firm_ids |= {r.from_firm_id for r in rels} | {r.to_firm_id for r in rels}
    firm_ids |= {ln.target_id for ln in links if ln.target_kind == "firm"}
    firms = _firms_closed(session, firm_ids)
    firm_uids = {f.id: f.uid for f in firms}
    aliases: dict[int, list] = {}
    for a in session.exec(select(m.FirmAlias).where(m.FirmAlias.firm_id.in_(list(firm_uids)))):
        aliases.setdefault(a.firm_id, []).append([a.name, a.name_key, a.country])
    idents: dict[int, list] = {}
    for i in session.exec(
        select(m.FirmIdentifier).where(m.FirmIdentifier.firm_id.in_(list(firm_uids)))
    ):
        idents.setdefault(i.firm_id, []).append([i.scheme, i.value])
    firm_json = {}
    for f in firms:
        cf = case_firms.get(f.id)
        firm_json[f.uid] = _plain(f, FIRM_FIELDS) | {
            "merged_into": firm_uids.get(f.merged_into),
            "in_case": cf is not None,
            "role": cf.role if cf else None,
            "notes": cf.notes if cf else "",
            "aliases": sorted(aliases.get(f.id, []), key=lambda a: a[0]),
            "identifiers": sorted(idents.get(f.id, [])),
        }
    ev_uids = {e.id: e.uid for e in evidence}
    targets = {
        "case": {case.id: case.uid},
        "firm": firm_uids,
        "relationship": {r.id: r.uid for r in rels},
        "finding": {f.id: f.uid for f in findings},
        "shipment": rows.shipment_keys(
            session, ids=[ln.target_id for ln in links if ln.target_kind == "shipment"]
        ),
    }
    link_json = []
    for ln in links:
        target = targets.get(ln.target_kind, {}).get(ln.target_id)
        if target is not None:
            link_json.append(
                {
                    "evidence": ev_uids[ln.evidence_id],
                    "target_kind": ln.target_kind,
                    "target": target,
                    "note": ln.note,
                }
            )
    link_json.sort(key=lambda x: (x["evidence"], x["target_kind"], x["target"]))
    audit = [
        e.model_dump(mode="json")
        for e in session.exec(
            select(m.AuditEvent).where(m.AuditEvent.case_id == case.id).order_by(m.AuditEvent.id)
        )
    ]
    return CaseRecords(
        case=_plain(case, CASE_FIELDS),
        firms=firm_json,
        datasets={d.uid: _plain(d, DATASET_FIELDS) for d in datasets},
        evidence={e.uid: _plain(e, EVIDENCE_FIELDS) for e in evidence},
        relationships={
            r.uid: _plain(r, REL_FIELDS)
            | {"from": firm_uids[r.from_firm_id], "to": firm_uids[r.to_firm_id]}
            for r in rels
        },
        findings={f.uid: _plain(f, FINDING_FIELDS) for f in findings},
        links=link_json,
        audit=audit,
        dataset_ids={d.uid: d.id for d in datasets},
        firm_uids=firm_uids,
    )


def _firms_closed(session: Session, ids: set[int]) -> list[m.Firm]:
    """The firms, plus the firms they were merged into (transitively)."""
    found: dict[int, m.Firm] = {}
    todo = set(ids)
    while todo:
        batch = list(todo)
        todo = set()
        for firm in session.exec(select(m.Firm).where(m.Firm.id.in_(batch))):
            found[firm.id] = firm
            if firm.merged_into and firm.merged_into not in found:
                todo.add(firm.merged_into)
    return sorted(found.values(), key=lambda f: f.id)


def shipment_lines(session: Session, records: CaseRecords, dataset_uid: str) -> Iterator[bytes]:
    """A dataset's shipments as JSON lines, firms by uid."""
    uids = records.firm_uids
    for row in rows.shipment_rows(session, dataset_id=records.dataset_ids[dataset_uid]):
        del row["dataset_id"], row["case_id"]
        for column in FIRM_COLUMNS:
            row[column] = uids.get(row[column])
        yield (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode()


def trade_lines(session: Session, records: CaseRecords, dataset_uid: str) -> Iterator[bytes]:
    """A trade dataset's flows as JSON lines, in import order."""
    for row in rows.trade_rows(session, dataset_id=records.dataset_ids[dataset_uid]):
        yield (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode()


def member_of(uid: str, dataset: dict, version: int) -> str:
    """The member holding a dataset's rows in a bundle of this format version."""
    if dataset.get("kind") == "trade" and version >= TRADE_VERSION:
        return f"trade/{uid}.jsonl"
    return f"shipments/{uid}.jsonl"


def write_bundle(
    session: Session, records: CaseRecords, out: Path, *, vault: Vault, head_hash: str
) -> dict:
    """Write the bundle through a temporary file; returns {out, format, records, sha256}."""
    members: dict[str, dict] = {}
    has_trade = any(d["kind"] == "trade" for d in records.datasets.values())
    version = TRADE_VERSION if has_trade else 1
    temp = out.with_name(f".{out.name}.partial")
    temp.unlink(missing_ok=True)
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            _put(zf, members, RECORDS, [_dumps(records.json())])
            for uid, dataset in sorted(records.datasets.items()):
                lines = trade_lines if dataset["kind"] == "trade" else shipment_lines
                _put(zf, members, member_of(uid, dataset, version), lines(session, records, uid))
            for sha in sorted({e["sha256"] for e in records.evidence.values()}):
                path = vault.path_of(sha)
                if not path.is_file():
                    raise Refused(f"blob {sha} is missing from the vault; run 'casebook verify'")
                _put(zf, members, f"blobs/{sha}", _file_chunks(path))
                if members[f"blobs/{sha}"]["sha256"] != sha:
                    raise Refused(f"blob {sha} is damaged; run 'casebook verify'")
            _put(
                zf,
                members,
                AUDIT,
                (
                    (json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n").encode()
                    for e in records.audit
                ),  # fmt: skip
            )
            manifest = {
                "format": FORMAT,
                "format_version": version,
                "app_version": __version__,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "case": {k: records.case[k] for k in ("uid", "ref", "title")},
                "counts": records.counts(),
                "head_hash": head_hash,
                "members": members,
            }
            zf.writestr(MANIFEST, _dumps(manifest))
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return {
        "out": str(out),
        "format": "casebook",
        "records": sum(v for k, v in records.counts().items() if k != "audit_events"),
        "sha256": _sha_file(out),
    }


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _put(zf: zipfile.ZipFile, members: dict, name: str, chunks) -> None:
    digest = hashlib.sha256()
    size = 0
    with zf.open(name, "w", force_zip64=True) as target:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    members[name] = {"sha256": digest.hexdigest(), "size": size}


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in _file_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


# --- open --------------------------------------------------------------------------------------


@dataclass
class Bundle:
    """A checked bundle: its archive, manifest and parsed records."""

    archive: CheckedArchive
    records: dict
    sha256: str

    @property
    def manifest(self) -> dict:
        return self.archive.manifest

    @property
    def version(self) -> int:
        return self.manifest["format_version"]

    def close(self) -> None:
        self.archive.close()


def read_bundle(path: Path, *, limits: Limits = Limits()) -> Bundle:
    """Open and check a bundle whole (archive, manifest, hashes, record shapes), or Refused."""
    path = Path(path)
    archive = open_checked(path, format_name=FORMAT, max_version=VERSION, limits=limits)
    try:
        records = _parse_records(archive, path.name, archive.manifest["format_version"])
        return Bundle(archive, records, _sha_file(path))
    except BaseException:
        archive.close()
        raise


def _parse_records(archive: CheckedArchive, name: str, version: int) -> dict:
    members = set(archive.members)
    if RECORDS not in members:
        raise Refused(f"{name} is refused: no {RECORDS}")
    if archive.members[RECORDS]["size"] > MAX_RECORDS:
        raise Refused(f"{name} is refused: {RECORDS} is larger than {MAX_RECORDS} bytes")
    try:
        records = json.loads(archive.read(RECORDS))
    except ValueError as exc:
        raise Refused(f"{name} is refused: {RECORDS} is not valid JSON") from exc
    problems = []
    if not isinstance(records, dict) or not isinstance(records.get("case"), dict):
        raise Refused(f"{name} is refused: {RECORDS} has no case")
    for key in ("firms", "datasets", "evidence", "relationships", "findings"):
        table = records.get(key)
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in table.items()
        ):
            problems.append(f"{RECORDS}: '{key}' is not a table keyed by UUID")
    if not isinstance(records.get("links"), list):
        problems.append(f"{RECORDS}: 'links' is not a list")
    if not problems:
        problems += [
            f"{RECORDS}: dataset {uid} has an unknown kind {d.get('kind')!r}"
            for uid, d in records["datasets"].items()
            if d.get("kind") not in DATASET_KINDS
        ]
    if problems:
        raise Refused(f"{name} is refused: malformed records", details=problems)
    expected = {RECORDS, AUDIT}
    expected |= {member_of(uid, d, version) for uid, d in records["datasets"].items()}
    expected |= {f"blobs/{e.get('sha256')}" for e in records["evidence"].values()}
    extra, missing = members - expected, expected - members - {AUDIT}
    if extra or missing:
        raise Refused(
            f"{name} is refused: members do not match its records",
            details=[f"unexpected member {n!r}" for n in sorted(extra)]
            + [f"missing member {n!r}" for n in sorted(missing)],
        )
    for member in members:
        if member.startswith("blobs/") and archive.members[member]["sha256"] != member[6:]:
            raise Refused(f"{name} is refused: {member} is not named by its hash")
    return records


@dataclass
class MergeResult:
    case_ref: str
    created: dict = field(default_factory=dict)
    matched: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    new_blobs: list = field(default_factory=list)

    def count(self, table: dict, kind: str, n: int = 1) -> None:
        table[kind] = table.get(kind, 0) + n

    def conflict(self, kind: str, uid: str, detail: str) -> None:
        self.conflicts.append({"kind": kind, "uid": uid, "detail": detail})

    def json(self) -> dict:
        kinds = ("case", "firms", "datasets", "shipments", "trade_flows", "evidence",
                 "relationships", "findings", "links")  # fmt: skip
        return {
            "case_ref": self.case_ref,
            "created": {k: self.created.get(k, 0) for k in kinds},
            "matched": {k: self.matched.get(k, 0) for k in kinds},
            "conflicts": self.conflicts,
        }

    @property
    def changed(self) -> bool:
        return any(self.created.values())


Audit = Callable[..., None]


def merge(session: Session, bundle: Bundle, *, vault: Vault, audit: Audit) -> MergeResult:
    """Merge a checked bundle into the store inside the caller's write transaction."""
    r = bundle.records
    case, result = _merge_case(session, r["case"])
    try:
        firm_ids = _merge_firms(session, r["firms"], case, result)
        ship_ids = _merge_datasets(session, bundle, case, firm_ids, result, audit)
        ev_ids = _merge_evidence(session, bundle, case, result, vault)
        rel_ids = _merge_relationships(session, r["relationships"], case, firm_ids, result)
        finding_ids = _merge_findings(session, r["findings"], case, result)
        targets = {"case": {case.uid: case.id}, "firm": firm_ids, "relationship": rel_ids,
                   "finding": finding_ids, "shipment": ship_ids}  # fmt: skip
        _merge_links(session, r["links"], ev_ids, targets, result)
    except BaseException:
        for sha in result.new_blobs:
            vault.remove(sha)
        raise
    return result


def _merge_case(session: Session, data: dict) -> tuple[m.Case, MergeResult]:
    uid, ref = data.get("uid"), data.get("ref")
    if not isinstance(uid, str) or not isinstance(ref, str) or not ref.strip():
        raise Refused("the bundle's case has no uid or reference")
    case = session.exec(select(m.Case).where(m.Case.uid == uid)).first()
    result = MergeResult(case_ref=ref)
    if case is not None:
        result.case_ref = case.ref
        result.count(result.matched, "case")
        for name in ("ref", "title", "summary", "status", "priority", "marking"):
            if data.get(name) != getattr(case, name):
                result.conflict(
                    "case",
                    uid,
                    f"case {case.ref}: {name} here is {getattr(case, name)!r}, "
                    f"the bundle has {data.get(name)!r} (kept)",
                )
        return case, result
    if session.exec(select(m.Case).where(m.Case.ref == ref)).first() is not None:
        raise Refused(
            f"bundle conflict: a different case already has the reference {ref}; "
            "rename that case and open the bundle again"
        )
    case = m.Case(**_revive(data, CASE_FIELDS))
    session.add(case)
    session.flush()
    result.count(result.created, "case")
    return case, result


def _merge_firms(session, firms: dict, case: m.Case, result: MergeResult) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in sorted(firms.items()):
        firm = session.exec(select(m.Firm).where(m.Firm.uid == uid)).first()
        how = "uid"
        if firm is None:
            firm, how = _firm_by_identity(session, data), "identity"
        if firm is None:
            firm = m.Firm(uid=uid, **_revive(data, FIRM_FIELDS))
            if not firm.name:
                raise Refused(f"bundle firm {uid} has no name")
            session.add(firm)
            session.flush()
            for scheme, value in data.get("identifiers") or []:
                session.add(m.FirmIdentifier(firm_id=firm.id, scheme=scheme, value=value))
            for name, key, country in data.get("aliases") or []:
                session.add(m.FirmAlias(firm_id=firm.id, name=name, name_key=key, country=country))
            result.count(result.created, "firms")
        else:
            result.count(result.matched, "firms")
            if how == "uid" and firm.name != data.get("name"):
                result.conflict(
                    "firm",
                    uid,
                    f"firm {firm.name!r} is named {data.get('name')!r} in the bundle (kept)",
                )
        ids[uid] = firm.id
        if data.get("in_case"):
            _case_firm(session, case, firm, data, result)
    session.flush()
    for uid, data in firms.items():
        target = data.get("merged_into")
        if target and target in ids:
            firm = session.get(m.Firm, ids[uid])
            if firm.merged_into is None and firm.id != ids[target] and firm.uid == uid:
                firm.merged_into = ids[target]
                session.add(firm)
    return ids


def _firm_by_identity(session: Session, data: dict) -> m.Firm | None:
    """A firm already in the store with one of the identifiers, else the same name key."""
    for scheme, value in data.get("identifiers") or []:
        row = session.exec(
            select(m.FirmIdentifier).where(
                m.FirmIdentifier.scheme == scheme, m.FirmIdentifier.value == value
            )
        ).first()
        if row is not None:
            return _live(session, session.get(m.Firm, row.firm_id))
    key = data.get("name_key")
    if key and not data.get("identifiers"):
        query = select(m.Firm).where(m.Firm.name_key == key, m.Firm.merged_into.is_(None))
        for firm in session.exec(query):
            if not data.get("country") or not firm.country or firm.country == data["country"]:
                return firm
    return None


def _live(session: Session, firm: m.Firm) -> m.Firm:
    seen = set()
    while firm.merged_into and firm.id not in seen:
        seen.add(firm.id)
        firm = session.get(m.Firm, firm.merged_into)
    return firm


def _case_firm(session, case, firm, data, result) -> None:
    link = session.exec(
        select(m.CaseFirm).where(m.CaseFirm.case_id == case.id, m.CaseFirm.firm_id == firm.id)
    ).first()
    if link is None:
        session.add(
            m.CaseFirm(
                case_id=case.id,
                firm_id=firm.id,
                role=data.get("role"),
                notes=data.get("notes") or "",
            )  # fmt: skip
        )
    elif data.get("role") and link.role != data.get("role"):
        result.conflict(
            "firm",
            firm.uid,
            f"firm {firm.name!r}: role here {link.role!r}, bundle {data.get('role')!r} (kept)",
        )


def _merge_datasets(session, bundle, case, firm_ids, result, audit) -> dict[str, int]:
    ship_ids: dict[str, int] = {}
    for uid, data in sorted(bundle.records["datasets"].items()):
        dataset = session.exec(select(m.Dataset).where(m.Dataset.uid == uid)).first()
        if dataset is not None:
            result.count(result.matched, "datasets")
            if dataset.content_hash != data.get("content_hash"):
                result.conflict(
                    "dataset",
                    uid,
                    f"dataset {dataset.file_name}: its rows here differ from the bundle's (kept)",
                )
        elif data.get("kind") == "trade" and bundle.version < TRADE_VERSION:
            result.conflict(
                "dataset",
                uid,
                f"dataset {data.get('file_name')}: its trade flows are not in this bundle "
                f"(format {bundle.version}, written before bundles carried trade statistics), "
                "so it was left out; import the file again, or ask for a bundle from a newer "
                "Casebook",
            )
            continue
        else:
            dataset = m.Dataset(uid=uid, case_id=case.id, **_revive(data, DATASET_FIELDS))
            session.add(dataset)
            session.flush()
            if dataset.kind == "trade":
                count = _insert_trade(session, bundle, dataset, case)
                result.count(result.created, "trade_flows", count)
            else:
                count = insert_shipments(
                    session,
                    rows=_shipment_tuples(bundle, uid, dataset.id, case.id, firm_ids),
                    total=dataset.row_count or 0,
                )
                if dataset.content_hash and (
                    stored_content_hash(session, dataset_id=dataset.id) != dataset.content_hash
                ):
                    raise Refused(
                        f"bundle dataset {dataset.file_name}: its rows do not match its content "
                        "hash"
                    )
                search.index_dataset(session, dataset_id=dataset.id, fresh=True)
                rollups.build_dataset(session, dataset_id=dataset.id)
                result.count(result.created, "shipments", count)
            result.count(result.created, "datasets")
            audit(
                session,
                "bundle.dataset",
                "dataset",
                target_uid=uid,
                case_id=case.id,
                after={
                    "file_name": dataset.file_name,
                    "kind": dataset.kind,
                    "content_hash": dataset.content_hash,
                    "rows": count,
                },  # fmt: skip
            )
        if dataset.kind != "trade":
            for row, sid in rows.shipment_ids_by_row(session, dataset_id=dataset.id).items():
                ship_ids[f"{uid}:{row}"] = sid
    return ship_ids


def _json_rows(bundle: Bundle, name: str) -> Iterator[dict]:
    """The rows of a JSON-lines member, streamed within the archive's limits."""
    for line in bundle.archive.lines(name):
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise Refused(f"{name}: a line is not JSON") from exc
        if not isinstance(row, dict):
            raise Refused(f"{name}: a line is not a record")
        yield row


def _shipment_tuples(bundle, uid, dataset_id, case_id, firm_ids) -> Iterator[tuple]:
    name = f"shipments/{uid}.jsonl"
    for row in _json_rows(bundle, name):
        row["dataset_id"], row["case_id"] = dataset_id, case_id
        for column in FIRM_COLUMNS:
            firm = row.get(column)
            if firm is not None and firm not in firm_ids:
                raise Refused(f"{name}: names firm {firm}, which the bundle does not hold")
            row[column] = firm_ids.get(firm) if firm else None
        yield tuple(row.get(c) for c in rows.COLUMNS)


#: What each trade-flow column may hold in a bundle (None is allowed but for ``source_row``).
_TRADE_TYPES = {"source_row": (int,), "product_level": (int,), "value": (int, float)}


def _trade_tuples(bundle: Bundle, name: str) -> Iterator[tuple]:
    for row in _json_rows(bundle, name):
        values = tuple(row.get(c) for c in rows.TRADE_COLUMNS)
        for column, value in zip(rows.TRADE_COLUMNS, values, strict=True):
            types = _TRADE_TYPES.get(column, (str,))
            if (value is None and column != "source_row") or (
                isinstance(value, types) and not isinstance(value, bool)
            ):
                continue
            raise Refused(f"{name}: a flow's {column} is {value!r}")
        yield values


def _insert_trade(session, bundle: Bundle, dataset: m.Dataset, case: m.Case) -> int:
    """Insert a trade dataset's flows and check them against its content hash and row count."""
    count = trade_store.insert_flows(
        session,
        dataset_id=dataset.id,
        case_id=case.id,
        rows=_trade_tuples(bundle, member_of(dataset.uid, {"kind": "trade"}, bundle.version)),
        total=dataset.row_count or 0,
    )
    if dataset.content_hash and (
        trade_store.stored_content_hash(session, dataset_id=dataset.id) != dataset.content_hash
    ):
        raise Refused(
            f"bundle dataset {dataset.file_name}: its trade flows do not match its content hash"
        )
    if dataset.row_count is not None and count != dataset.row_count:
        raise Refused(
            f"bundle dataset {dataset.file_name}: {count} trade flows, its record says "
            f"{dataset.row_count}"
        )
    return count


def _merge_evidence(session, bundle, case, result, vault: Vault) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in sorted(
        bundle.records["evidence"].items(), key=lambda x: x[1].get("number") or 0
    ):
        item = session.exec(select(m.Evidence).where(m.Evidence.uid == uid)).first()
        if item is None:
            item = session.exec(
                select(m.Evidence).where(
                    m.Evidence.case_id == case.id, m.Evidence.sha256 == data.get("sha256")
                )
            ).first()
        if item is not None:
            result.count(result.matched, "evidence")
            if item.sha256 != data.get("sha256"):
                result.conflict(
                    "evidence",
                    uid,
                    f"E{item.number} here holds another file than the bundle's (kept)",
                )
            ids[uid] = item.id
            continue
        sha = data["sha256"]
        if not vault.has(sha):
            _put_blob(bundle, sha, vault)
            result.new_blobs.append(sha)
        fields = _revive(data, EVIDENCE_FIELDS)
        taken = session.exec(
            select(m.Evidence.id).where(
                m.Evidence.case_id == case.id, m.Evidence.number == fields["number"]
            )
        ).first()
        if taken is not None or not isinstance(fields["number"], int):
            last = session.exec(
                select(func.max(m.Evidence.number)).where(m.Evidence.case_id == case.id)
            ).one()
            fields["number"] = (last or 0) + 1
        item = m.Evidence(uid=uid, case_id=case.id, **fields)
        session.add(item)
        session.flush()
        ids[uid] = item.id
        result.count(result.created, "evidence")
    return ids


def _put_blob(bundle: Bundle, sha: str, vault: Vault) -> None:
    vault.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=vault.root, prefix=".bundle-") as temp:
        path = Path(temp) / "blob"
        bundle.archive.copy_to(f"blobs/{sha}", path)
        stored = vault.put(path)
    if stored.sha256 != sha:
        raise Refused(f"bundle blob {sha} does not hash to its name")


def _merge_relationships(session, rels: dict, case, firm_ids, result) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in sorted(rels.items()):
        rel = session.exec(select(m.Relationship).where(m.Relationship.uid == uid)).first()
        if rel is not None:
            result.count(result.matched, "relationships")
        else:
            if data.get("from") not in firm_ids or data.get("to") not in firm_ids:
                raise Refused(f"bundle relationship {uid} names a firm the bundle does not hold")
            rel = m.Relationship(
                uid=uid,
                case_id=case.id,
                from_firm_id=firm_ids[data["from"]],
                to_firm_id=firm_ids[data["to"]],
                **_revive(data, REL_FIELDS),
            )
            session.add(rel)
            session.flush()
            result.count(result.created, "relationships")
        ids[uid] = rel.id
    return ids


def _merge_findings(session, findings: dict, case, result) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in sorted(findings.items(), key=lambda x: x[1].get("position") or 0):
        finding = session.exec(select(m.Finding).where(m.Finding.uid == uid)).first()
        if finding is not None:
            result.count(result.matched, "findings")
            if finding.text != data.get("text"):
                result.conflict("finding", uid, f"finding {finding.position} reads differently "
                                "here than in the bundle (kept)")  # fmt: skip
        else:
            finding = m.Finding(uid=uid, case_id=case.id, **_revive(data, FINDING_FIELDS))
            session.add(finding)
            session.flush()
            result.count(result.created, "findings")
        ids[uid] = finding.id
    return ids


def _merge_links(session, links: list, ev_ids, targets, result) -> None:
    for link in links:
        if not isinstance(link, dict):
            raise Refused("bundle link is not a record")
        kind = link.get("target_kind")
        evidence = ev_ids.get(link.get("evidence"))
        target = targets.get(kind, {}).get(link.get("target"))
        if evidence is None or target is None:
            raise Refused(f"bundle link names a record the bundle does not hold: {link}")
        exists = session.exec(
            select(m.EvidenceLink.id).where(
                m.EvidenceLink.evidence_id == evidence,
                m.EvidenceLink.target_kind == kind,
                m.EvidenceLink.target_id == target,
            )
        ).first()
        if exists is not None:
            result.count(result.matched, "links")
            continue
        session.add(m.EvidenceLink(evidence_id=evidence, target_kind=kind, target_id=target,
                                   note=link.get("note") or ""))  # fmt: skip
        result.count(result.created, "links")
    session.flush()


def case_id_of(session: Session, ref: str) -> int | None:
    """The id of the case with this reference."""
    return session.exec(select(m.Case.id).where(m.Case.ref == ref)).first()
