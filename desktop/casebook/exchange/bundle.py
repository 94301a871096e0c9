"""Case bundles (``.casebook``): one case as one zip a colleague can open.

Members: ``manifest.json`` (format, version, app version, created, case, counts, the chain head,
and the SHA-256 and size of every other member), ``records.json`` (the case, its firms,
datasets, evidence, links, relationships, findings and pinned figures, keyed by UUID; a
Casebook that does not know figures reads past them), ``shipments/<dataset
uid>.jsonl`` (a shipment dataset's rows; a shipment is ``DATASET_UID:ROW``), ``trade/<dataset
uid>.jsonl`` (a trade dataset's flows, in import order), ``blobs/<sha256>`` (the evidence files)
and ``audit.jsonl`` (the case's audit events, for the record). Each dataset's rows are checked
against its content hash as they go in.

Format versions: 1 had no ``trade/`` members (a trade dataset travelled as an empty
``shipments/`` member, so its flows were lost); 2 adds them. A bundle is written as version 2
only when it holds a trade dataset, so Casebooks that read only version 1 still open every other
bundle, and refuse one with trade flows as too new instead of losing them. A version-1 bundle's
trade datasets cannot be restored: opening it leaves them out, each with a conflict.

Opening merges into the current store. A bundle is untrusted (its author may know the UUIDs of
records here): it is checked whole before anything is written — the archive (``safety``), every
record against its kind's schema (``schema``, streamed: records.json is never held whole), the
references between records, merge chains (no loops), disk space — and it then writes only inside
its own case. Records are matched by UUID (so the same bundle twice changes nothing), firms also
by identifiers and name keys; a record that exists here is never changed (firms' names, merges
and identities included), and a record here of another case, or of none, is never taken for one
of the bundle's case. Differences are listed as conflicts. Every record it writes is named in
its audit event (``MergeResult.audit``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from casebook import __version__
from casebook.core.errors import Refused
from casebook.exchange import schema
from casebook.exchange.safety import (
    MANIFEST,
    MAX_MEMBERS,
    CheckedArchive,
    Limits,
    bounded_loads,
    check_free_space,
    open_checked,
    stream_items,
)
from casebook.store import bundles as rows
from casebook.store import firms as firms_store
from casebook.store import models as m
from casebook.store import network as network_store
from casebook.store import rollups, search
from casebook.store import trade as trade_store
from casebook.store.datasets import add_dataset
from casebook.store.shipments import insert_shipments, stored_content_hash
from casebook.vault import Vault, scratch_dir

FORMAT = "casebook-bundle"
VERSION = 2  # the newest format this Casebook reads
TRADE_VERSION = 2  # the first format whose bundles carry trade flows (``trade/`` members)
DATASET_KINDS = schema.DATASET_KINDS
UID = re.compile(r"[0-9a-f]{32}")
RECORDS = "records.json"
AUDIT = "audit.jsonl"
MAX_RECORDS = 1024**3  # bytes of records.json (streamed, one record at a time)
FIRM_CHUNK = 2_000  # firms merged per bulk lookup and insert
MAX_KEYED = 1_000_000  # records keyed by UUID: their UUIDs are held while the bundle is open
MAX_TABLE = {"datasets": MAX_MEMBERS, "evidence": MAX_MEMBERS}  # each calls for a member

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
FIGURE_FIELDS = ("position", "label", "measure", "filters", "created")
CHART_FIELDS = ("kind", "subject", "x", "y", "pinned", "group")
PERSON_FIELDS = ("name", "native_name", "aliases", "birth_date", "nationality", "identifiers",
                 "notes", "name_key", "sort_key", "created")  # fmt: skip
PERSON_LINK_ENDS = ("from_person", "from_firm", "to_person", "to_firm")
FIRM_COLUMNS = ("exporter_id", "importer_id", "exporter_orig_id", "importer_orig_id")


def _plain(obj, names) -> dict:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
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
    figures: dict[str, dict] = field(default_factory=dict)
    chart: list[dict] = field(default_factory=list)  # saved chart positions, pins, groups
    persons: dict[str, dict] = field(default_factory=dict)
    person_links: dict[str, dict] = field(default_factory=dict)
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
            "figures": len(self.figures),
            "chart": len(self.chart),
            "persons": len(self.persons),
            "person_links": len(self.person_links),
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
            "figures": self.figures,
            "chart": self.chart,
            "persons": self.persons,
            "person_links": self.person_links,
            "links": self.links,
        }


def gather(session: Session, case: m.Case) -> CaseRecords:
    """Everything of one case that travels in a bundle."""
    evidence = rows.case_records(session, m.Evidence, case_id=case.id)
    rels = rows.case_records(session, m.Relationship, case_id=case.id)
    findings = rows.case_records(session, m.Finding, case_id=case.id)
    figures = rows.case_records(session, m.Figure, case_id=case.id)
    persons = rows.case_records(session, m.Person, case_id=case.id)
    person_links = rows.case_records(session, m.PersonLink, case_id=case.id)
    datasets = rows.case_records(session, m.Dataset, case_id=case.id)
    case_firms = {cf.firm_id: cf for cf in rows.case_records(session, m.CaseFirm, case_id=case.id)}
    links = rows.evidence_links(session, evidence_ids=[e.id for e in evidence])
    firm_ids = set(case_firms) | rows.firm_ids_of_case_shipments(session, case_id=case.id)
    firm_ids |= {r.from_firm_id for r in rels} | {r.to_firm_id for r in rels}
    firm_ids |= {ln.target_id for ln in links if ln.target_kind == "firm"}
    firm_ids |= {i for k in person_links for i in (k.from_firm_id, k.to_firm_id) if i}
    named = [uid for f in figures for uid in f.filters.get("firm", [])]
    firm_ids |= {f["id"] for f in firms_store.firms_by_uid(session, uids=named).values()}
    firms = rows.firms_closed(session, ids=firm_ids)
    firm_uids = {f.id: f.uid for f in firms}
    aliases = rows.firm_aliases(session, firm_ids=list(firm_uids))
    idents = rows.firm_identifiers(session, firm_ids=list(firm_uids))
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
        "person": {p.id: p.uid for p in persons},
        "personlink": {k.id: k.uid for k in person_links},
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
    audit = rows.case_audit_events(session, case_id=case.id)
    chart = [
        {"kind": p["subject_kind"], "subject": p["subject_uid"], "x": p["x"], "y": p["y"],
         "pinned": bool(p["pinned"]), "group": p["group_name"]}
        for p in network_store.chart_positions(session, case_id=case.id)
        if p["subject_kind"] != "firm" or p["subject_uid"] in firm_json
    ]  # fmt: skip
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
        figures={f.uid: _plain(f, FIGURE_FIELDS) for f in figures},
        chart=chart,
        persons=_persons_json(persons, targets["person"]),
        person_links=_person_links_json(person_links, targets["person"], firm_uids),
        links=link_json,
        audit=audit,
        dataset_ids={d.uid: d.id for d in datasets},
        firm_uids=firm_uids,
    )


def _persons_json(persons: list[m.Person], uids: dict[int, str]) -> dict[str, dict]:
    return {
        p.uid: _plain(p, PERSON_FIELDS) | {"merged_into": uids.get(p.merged_into)} for p in persons
    }


def _person_links_json(links, person_uids: dict, firm_uids: dict) -> dict[str, dict]:
    out = {}
    for link in links:
        ends = {
            "from_person": person_uids.get(link.from_person_id),
            "from_firm": firm_uids.get(link.from_firm_id),
            "to_person": person_uids.get(link.to_person_id),
            "to_firm": firm_uids.get(link.to_firm_id),
        }
        out[link.uid] = _plain(link, REL_FIELDS) | ends
    return out


def shipment_lines(session: Session, records: CaseRecords, dataset_uid: str) -> Iterator[bytes]:
    """A dataset's shipments as JSON lines, firms by uid (no store-internal keys: the receiving
    store interns the descriptions itself)."""
    uids = records.firm_uids
    for row in rows.shipment_rows(session, dataset_id=records.dataset_ids[dataset_uid]):
        del row["dataset_id"], row["case_id"], row["text_id"]
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

#: records.json's tables (keyed by UUID; ``links`` is a list) and the kind of their records.
TABLES = {"firms": "firm", "datasets": "dataset", "evidence": "evidence",
          "relationships": "relationship", "findings": "finding", "figures": "figure",
          "persons": "person", "person_links": "person link",
          "links": "link", "chart": "chart position"}  # fmt: skip
#: The tables that are lists (their records have no UUID of their own).
LISTS = ("links", "chart")
ROW_GROWTH = 2  # bytes on disk per byte of a dataset member, at most (rows, indexes, search)


@dataclass
class Bundle:
    """A checked bundle: its archive and manifest, its case, its datasets, the UUIDs of its
    other records, and those records themselves, checked and spooled to a scratch folder (read
    back one at a time with ``records``) so that no table is ever held in memory whole."""

    archive: CheckedArchive
    sha256: str
    case: dict
    datasets: dict[str, str]  # uid -> kind
    uids: dict[str, set[str]]
    merged: dict[str, str]  # firm uid -> the bundle firm it is merged into
    spool: Path

    @property
    def manifest(self) -> dict:
        return self.archive.manifest

    @property
    def version(self) -> int:
        return self.manifest["format_version"]

    def records(self, table: str) -> Iterator[tuple[str, dict]]:
        """A table's records as (uid or position, record), checked again as they are read."""
        kind = TABLES[table]
        with open(self.spool / f"{table}.jsonl", encoding="utf-8") as lines:
            for line in lines:
                key, value = json.loads(line)
                yield key, schema.clean(kind, _label(kind, key), value)

    def close(self) -> None:
        self.archive.close()
        shutil.rmtree(self.spool, ignore_errors=True)


def _label(kind: str, key) -> str:
    return f"{RECORDS}: {kind} {key + 1}" if isinstance(key, int) else f"{RECORDS}: {kind} {key}"


def read_bundle(
    path: Path,
    *,
    limits: Limits = Limits(),
    scratch: Path | None = None,
    vault: Vault | None = None,
) -> Bundle:
    """Open and check a bundle whole (archive, manifest, hashes, every record against its schema,
    references between records, merge chains, disk space), or Refused; nothing is written but
    the spooled records in a scratch folder (``scratch``, else the system's)."""
    path = Path(path)
    archive = open_checked(path, format_name=FORMAT, max_version=VERSION, limits=limits)
    spool = None
    try:
        if scratch is not None:
            Path(scratch).mkdir(parents=True, exist_ok=True)
        spool = Path(tempfile.mkdtemp(prefix=".bundle-", dir=scratch))
        if vault is not None:
            check_free_space(scratch or spool, _space_needed(archive, vault), what=path.name)
        bundle = _read_records(archive, path.name, spool)
        bundle.sha256 = _sha_file(path)
        _check_members(bundle, path.name)
        _check_references(bundle)
        return bundle
    except BaseException:
        archive.close()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
        raise


def _space_needed(archive: CheckedArchive, vault: Vault) -> int:
    """Bytes opening the bundle may write: the spooled records, the rows, the new blobs."""
    needed = 0
    for name, entry in archive.members.items():
        if name == RECORDS:
            needed += entry["size"]
        elif name.startswith(("shipments/", "trade/")):
            needed += entry["size"] * ROW_GROWTH
        elif name.startswith("blobs/") and not vault.has(name[6:]):
            needed += entry["size"]
    return needed


def _read_records(archive: CheckedArchive, name: str, spool: Path) -> Bundle:
    """Stream records.json once: check each record, keep the UUIDs, spool the records."""
    if RECORDS not in archive.members:
        raise Refused(f"{name} is refused: no {RECORDS}")
    if archive.members[RECORDS]["size"] > MAX_RECORDS:
        raise Refused(f"{name} is refused: {RECORDS} is larger than {MAX_RECORDS} bytes")
    case: dict | None = None
    datasets: dict[str, str] = {}
    uids: dict[str, set[str]] = {table: set() for table in TABLES}
    merged: dict[str, str] = {}
    done: set[str] = set()
    last = None
    held = 0
    files = {table: open(spool / f"{table}.jsonl", "w", encoding="utf-8") for table in TABLES}
    try:
        with archive.stream(RECORDS) as source:
            shapes = {table: list if table in LISTS else dict for table in TABLES}
            items = stream_items(source, name=f"{name}: {RECORDS}", tables=shapes)
            for top, key, value in items:
                if top != last:
                    if top in done:
                        raise Refused(f"{name} is refused: {RECORDS} holds '{top}' twice")
                    done.add(top)
                    last = top
                if top == "case":
                    case = schema.clean("case", f"{RECORDS}: case", value)
                    continue
                if top not in TABLES:
                    continue  # a field this Casebook does not know: read within limits, unused
                kind = TABLES[top]
                if top not in LISTS:
                    if not isinstance(key, str) or not UID.fullmatch(key):
                        raise Refused(f"{RECORDS}: {kind} {_short(key)}: its key is not a UUID")
                    if key in uids[top]:
                        raise Refused(f"{RECORDS}: {kind} {key} appears twice")
                    held += 1
                    if held > MAX_KEYED or len(uids[top]) >= MAX_TABLE.get(top, MAX_KEYED):
                        raise Refused(f"{name} is refused: more records than a bundle may hold "
                                      f"({MAX_KEYED} in all, {MAX_TABLE.get(top, MAX_KEYED)} {top})")  # fmt: skip
                    uids[top].add(key)
                record = schema.clean(kind, _label(kind, key), value)
                if top == "datasets":
                    datasets[key] = record["kind"]
                elif top == "firms" and record["merged_into"]:
                    merged[key] = record["merged_into"]
                elif top == "evidence":
                    uids.setdefault("blobs", set()).add(record["sha256"])
                spooled = {k: value[k] for k in schema.SCHEMAS[kind] if k in value}
                files[top].write(json.dumps([key, spooled], ensure_ascii=False) + "\n")
    finally:
        for handle in files.values():
            handle.close()
    if case is None:
        raise Refused(f"{name} is refused: {RECORDS} has no case")
    return Bundle(archive, "", case, datasets, uids, merged, spool)


def _check_members(bundle: Bundle, name: str) -> None:
    """The archive holds exactly the members its records call for."""
    members = set(bundle.archive.members)
    expected = {RECORDS, AUDIT}
    expected |= {
        member_of(uid, {"kind": kind}, bundle.version) for uid, kind in bundle.datasets.items()
    }
    expected |= {f"blobs/{sha}" for sha in bundle.uids.get("blobs", ())}
    extra, missing = members - expected, expected - members - {AUDIT}
    if extra or missing:
        raise Refused(
            f"{name} is refused: members do not match its records",
            details=[f"unexpected member {n!r}" for n in sorted(extra)]
            + [f"missing member {n!r}" for n in sorted(missing)],
        )
    for member in members:
        if member.startswith("blobs/") and bundle.archive.members[member]["sha256"] != member[6:]:
            raise Refused(f"{name} is refused: {member} is not named by its hash")


def _check_references(bundle: Bundle) -> None:
    """Every UUID a record names is a record of the bundle; merge chains end."""
    firms = bundle.uids["firms"]
    for uid, into in bundle.merged.items():
        if into not in firms:
            raise Refused(
                f"{RECORDS}: firm {uid} is merged into {into}, which the bundle does not hold"
            )
    if cycle := merge_cycle(bundle.merged):
        raise Refused(f"{RECORDS}: firms merged into each other in a loop: {' -> '.join(cycle)}")
    for uid, rel in bundle.records("relationships"):
        if rel["from"] not in firms or rel["to"] not in firms:
            raise Refused(f"bundle relationship {uid} names a firm the bundle does not hold")
    persons = bundle.uids["persons"]
    for uid, person in bundle.records("persons"):
        if person["merged_into"] and person["merged_into"] not in persons:
            raise Refused(f"bundle person {uid} is merged into a person the bundle does not hold")
    for uid, link in bundle.records("person_links"):
        ends = [(link[f"{side}_person"], link[f"{side}_firm"]) for side in ("from", "to")]
        if any((p is None) == (f is None) for p, f in ends) or not any(p for p, _ in ends):
            raise Refused(f"bundle person link {uid}: each end is one person or one firm, "
                          "and one end at least a person")  # fmt: skip
        if any(p and p not in persons or f and f not in firms for p, f in ends):
            raise Refused(f"bundle person link {uid} names a record the bundle does not hold")
    for n, link in bundle.records("links"):
        if missing := _link_missing(bundle, link):
            raise Refused(f"bundle link {n + 1} names a record the bundle does not hold: {missing}")
    for n, place in bundle.records("chart"):
        if place["kind"] == "firm" and place["subject"] not in firms:
            raise Refused(f"bundle chart position {n + 1} names firm {place['subject']}, which "
                          "the bundle does not hold")  # fmt: skip


def _link_missing(bundle: Bundle, link: dict) -> str | None:
    """What a link names that the bundle does not hold, or None."""
    if link["evidence"] not in bundle.uids["evidence"]:
        return f"evidence {link['evidence']}"
    kind, target = link["target_kind"], link["target"]
    if kind == "shipment":
        dataset, _, row = target.partition(":")
        held = bool(row) and bundle.datasets.get(dataset) == "shipments"
    elif ":" in target:
        held = False
    elif kind == "case":
        held = target == bundle.case["uid"]
    else:
        table = {"firm": "firms", "relationship": "relationships", "finding": "findings",
                 "person": "persons", "personlink": "person_links"}[kind]  # fmt: skip
        held = target in bundle.uids[table]
    return None if held else f"{kind} {target}"


def merge_cycle(merged: dict[str, str]) -> list[str] | None:
    """A loop in ``merged`` (firm -> the firm it is merged into), as the firms on it, or None."""
    ended: set[str] = set()
    for start in merged:
        path, on_path = [], set()
        current = start
        while current in merged and current not in ended:
            if current in on_path:
                return path[path.index(current) :] + [current]
            path.append(current)
            on_path.add(current)
            current = merged[current]
        ended |= on_path
    return None


@dataclass
class MergeResult:
    case_ref: str
    created: dict = field(default_factory=dict)
    matched: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    new_blobs: list = field(default_factory=list)
    #: What the bundle wrote, by record, for its audit event: created uids by kind, and the
    #: firms it linked to the case, the merges it recorded and the evidence links it added.
    written: dict = field(default_factory=dict)

    def count(self, table: dict, kind: str, n: int = 1) -> None:
        table[kind] = table.get(kind, 0) + n

    def conflict(self, kind: str, uid: str, detail: str) -> None:
        self.conflicts.append({"kind": kind, "uid": uid, "detail": detail})

    def wrote(self, what: str, entry) -> None:
        self.written.setdefault(what, []).append(entry)

    def json(self) -> dict:
        kinds = ("case", "firms", "datasets", "shipments", "trade_flows", "evidence",
                 "relationships", "findings", "figures", "persons", "person_links",
                 "chart", "links")  # fmt: skip
        return {
            "case_ref": self.case_ref,
            "created": {k: self.created.get(k, 0) for k in kinds},
            "matched": {k: self.matched.get(k, 0) for k in kinds},
            "conflicts": self.conflicts,
        }

    def audit(self) -> dict:
        """Every record the bundle created or changed, with the fields it wrote."""
        fields = {"case": CASE_FIELDS, "firms": (*FIRM_FIELDS, "aliases", "identifiers"),
                  "datasets": DATASET_FIELDS, "evidence": EVIDENCE_FIELDS,
                  "relationships": (*REL_FIELDS, "from", "to"), "findings": FINDING_FIELDS,
                  "figures": FIGURE_FIELDS, "chart": CHART_FIELDS,
                  "persons": (*PERSON_FIELDS, "merged_into"),
                  "person_links": (*REL_FIELDS, *PERSON_LINK_ENDS),
                  "case_firms": ("role", "notes"), "merges": ("merged_into",),
                  "links": ("note",)}  # fmt: skip
        return {
            "records": self.written,
            "fields": {k: list(fields[k]) for k in self.written},
        }

    @property
    def changed(self) -> bool:
        return bool(self.written)


Audit = Callable[..., None]


def merge_bundle(session: Session, bundle: Bundle, *, vault: Vault, audit: Audit) -> MergeResult:
    """Merge a checked bundle into the store inside the caller's write transaction.

    The bundle writes only inside its own case: it creates records, and links firms to its case;
    a record that exists here (by UUID or identity) is never changed, and a record of another
    case (or of none) is never used as the case's own. Differences are conflicts, listed."""
    case, result = _merge_case(session, bundle.case)
    try:
        firm_ids = _merge_firms(session, bundle, case, result)
        dataset_ids = _merge_datasets(session, bundle, case, firm_ids, result, audit)
        ev_ids = _merge_evidence(session, bundle, case, result, vault)
        rel_ids = _merge_relationships(session, bundle, case, firm_ids, result)
        finding_ids = _merge_findings(session, bundle, case, result)
        person_ids = _merge_persons(session, bundle, case, result)
        plink_ids = _merge_person_links(session, bundle, case, firm_ids, person_ids, result)
        targets = {"case": {case.uid: case.id}, "firm": firm_ids, "relationship": rel_ids,
                   "finding": finding_ids, "person": person_ids,
                   "personlink": plink_ids}  # fmt: skip
        _merge_links(session, bundle, ev_ids, targets, dataset_ids, result)
        _merge_figures(session, bundle, case, firm_ids, dataset_ids, result)
        _merge_chart(session, bundle, case, firm_ids, result)
    except BaseException:
        for sha in result.new_blobs:
            vault.remove(sha)
        raise
    return result


def _merge_case(session: Session, data: dict) -> tuple[m.Case, MergeResult]:
    uid, ref = data["uid"], data["ref"]
    case = rows.record_by_uid(session, m.Case, uid=uid)
    result = MergeResult(case_ref=ref)
    if case is not None:
        result.case_ref = case.ref
        result.count(result.matched, "case")
        for name in ("ref", "title", "summary", "status", "priority", "marking"):
            if data.get(name) != getattr(case, name):
                result.conflict(
                    "case",
                    uid,
                    f"case {case.ref}: {name} here is {_short(getattr(case, name))}, "
                    f"the bundle has {_short(data.get(name))} (kept)",
                )
        return case, result
    if rows.case_id_by_ref(session, ref=ref) is not None:
        raise Refused(
            f"bundle conflict: a different case already has the reference {ref}; "
            "rename that case and open the bundle again"
        )
    case = rows.add_record(session, m.Case, **data)
    result.count(result.created, "case")
    result.wrote("case", uid)
    return case, result


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…'"


def _merge_firms(session, bundle: Bundle, case: m.Case, result: MergeResult) -> dict[str, int]:
    """Firms, a chunk at a time in bulk (a large case holds hundreds of thousands): matched by
    uid, else by identity, else created; returns bundle uid -> firm id here."""
    ids: dict[str, int] = {}
    local_merges: dict[str, int | None] = {}  # matched by uid: its merge here, when it matters
    created_merged: set[str] = set()  # created firms the bundle has merged into another
    chunk: list[tuple[str, dict]] = []
    for item in bundle.records("firms"):
        chunk.append(item)
        if len(chunk) == FIRM_CHUNK:
            _firm_chunk(session, bundle, case, chunk, ids, local_merges, created_merged, result)
            chunk = []
    _firm_chunk(session, bundle, case, chunk, ids, local_merges, created_merged, result)
    _merge_chains(session, bundle, ids, local_merges, created_merged, result)
    return ids


def _firm_chunk(session, bundle, case, chunk, ids, local_merges, created_merged, result) -> None:
    by_uid = firms_store.firms_by_uid(session, uids=[uid for uid, _ in chunk])
    owners = firms_store.identifier_owners(
        session, pairs=[tuple(i) for uid, d in chunk if uid not in by_uid for i in d["identifiers"]]
    )
    keys = firms_store.live_firms_by_name_key(
        session,
        keys=[d["name_key"] for uid, d in chunk
              if uid not in by_uid and d["name_key"] and not d["identifiers"]],
    )  # fmt: skip
    owners = _live_ids(session, owners)
    new: list[dict] = []
    twins: dict[str, str] = {}  # uid -> the firm created earlier in this chunk it is
    made_pairs: dict[tuple, str] = {}  # identifiers and name keys of firms created in this chunk
    for uid, data in chunk:
        here = by_uid.get(uid)
        if here is not None:
            ids[uid] = here["id"]
            result.count(result.matched, "firms")
            for name in ("name", "country"):
                if here[name] != data[name]:
                    result.conflict(
                        "firm",
                        uid,
                        f"firm {here['name']!r}: {name} here is {_short(here[name])}, "
                        f"the bundle has {_short(data[name])} (kept)",
                    )
            if here["merged_into"] is not None or uid in bundle.merged:
                local_merges[uid] = here["merged_into"]
            continue
        pairs = [tuple(i) for i in data["identifiers"]]
        if not pairs and data["name_key"]:
            pairs = [("name_key", data["name_key"], data["country"])]
        match = next((owners[p] for p in pairs if p in owners), None)
        if match is None and data["name_key"] and not data["identifiers"]:
            match = next(
                (fid for fid, country in keys.get(data["name_key"], ())
                 if not data["country"] or not country or country == data["country"]),
                None,
            )  # fmt: skip
        twin = next((made_pairs[p] for p in pairs if p in made_pairs), None)
        result.count(result.matched if match or twin else result.created, "firms")
        if match is not None:
            ids[uid] = match
            if uid in bundle.merged:  # the live firm it matched is merged into none here
                local_merges[uid] = None
        elif twin is not None:
            twins[uid] = twin
        else:
            new.append({"uid": uid, **{k: data.get(k) for k in FIRM_FIELDS}})
            made_pairs.update(dict.fromkeys(pairs, uid))
            result.wrote("firms", uid)
            if uid in bundle.merged:
                created_merged.add(uid)
    created = firms_store.insert_firms_with_uids(session, rows=new) if new else {}
    ids.update(created)
    ids.update((uid, created[twin]) for uid, twin in twins.items())
    firms_store.insert_identifiers(
        session, rows=[(created[uid], s, v) for uid, d in chunk if uid in created
                       for s, v in d["identifiers"]],
    )  # fmt: skip
    firms_store.insert_aliases(
        session, rows=[(created[uid], n, k, c) for uid, d in chunk if uid in created
                       for n, k, c in d["aliases"]],
    )  # fmt: skip
    _case_firms(session, case, [(ids[uid], uid, d) for uid, d in chunk if d["in_case"]], result)


def _live_ids(session, owners: dict) -> dict:
    """The same mapping, each firm replaced by the live firm it was merged into."""
    live = firms_store.canonical_ids(session, owners.values())
    return {pair: live.get(fid, fid) for pair, fid in owners.items()}


def _case_firms(session, case, firms: list[tuple[int, str, dict]], result) -> None:
    """Link the bundle's firms to its case (a firm linked already keeps its role and notes)."""
    roles = firms_store.case_firm_roles(session, case_id=case.id, ids=[f for f, _, _ in firms])
    rows = []
    for fid, uid, data in firms:
        if fid not in roles:
            roles[fid] = data["role"]
            rows.append((fid, data["role"], data["notes"]))
            result.wrote("case_firms", uid)
        elif data["role"] and roles[fid] != data["role"]:
            result.conflict(
                "firm", uid, f"firm {uid}: role here {roles[fid]!r}, bundle {data['role']!r} (kept)"
            )
    firms_store.insert_case_firms(session, case_id=case.id, rows=rows)


def _merge_chains(session, bundle, ids, local_merges, created_merged, result) -> None:
    """Record the bundle's merges of the firms it created; a firm that was here already keeps
    its own merge (or none), a difference being a conflict."""
    for uid in sorted(created_merged):
        into = bundle.merged[uid]
        if ids[into] != ids[uid]:
            firms_store.set_merged_into(session, firm_id=ids[uid], into_id=ids[into])
            result.wrote("merges", [uid, into])
    here_uids = firms_store.uids_of(session, ids=[i for i in local_merges.values() if i])
    for uid, here in sorted(local_merges.items()):
        into = bundle.merged.get(uid)
        if here != (ids[into] if into else None):
            result.conflict(
                "firm",
                uid,
                f"firm {uid}: merged into {here_uids.get(here, 'no firm')} here, into "
                f"{into or 'no firm'} in the bundle (kept)",
            )


def _merge_datasets(session, bundle, case, firm_ids, result, audit) -> dict[str, int]:
    """The case's datasets: new ones created with their rows checked; returns uid -> id of the
    datasets of this case (a dataset of another case here is left out, a conflict)."""
    ids: dict[str, int] = {}
    for uid, data in bundle.records("datasets"):
        dataset = rows.record_by_uid(session, m.Dataset, uid=uid)
        if dataset is not None:
            if dataset.case_id != case.id:
                result.conflict("dataset", uid, f"dataset {dataset.file_name} belongs to another "
                                "case here; left out of this one")  # fmt: skip
                continue
            result.count(result.matched, "datasets")
            if dataset.content_hash != data["content_hash"]:
                result.conflict(
                    "dataset",
                    uid,
                    f"dataset {dataset.file_name}: its rows here differ from the bundle's (kept)",
                )
        elif data["kind"] == "trade" and bundle.version < TRADE_VERSION:
            result.conflict(
                "dataset",
                uid,
                f"dataset {data['file_name']}: its trade flows are not in this bundle "
                f"(format {bundle.version}, written before bundles carried trade statistics), "
                "so it was left out; import the file again, or ask for a bundle from a newer "
                "Casebook",
            )
            continue
        else:
            dataset = add_dataset(session, uid=uid, case_id=case.id, **data)
            if dataset.kind == "trade":
                count = _insert_trade(session, bundle, dataset, case)
                result.count(result.created, "trade_flows", count)
            else:
                count = _insert_shipments(session, bundle, dataset, case, firm_ids)
                result.count(result.created, "shipments", count)
            result.count(result.created, "datasets")
            result.wrote("datasets", uid)
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
        ids[uid] = dataset.id
    return ids


def _rows_match(dataset: m.Dataset, count: int, stored_hash: str, what: str) -> None:
    """A created dataset's rows are exactly those its record describes, or Refused."""
    if count != dataset.row_count:
        raise Refused(
            f"bundle dataset {dataset.file_name}: {count} {what}, its record says "
            f"{dataset.row_count}"
        )
    if stored_hash != dataset.content_hash:
        raise Refused(
            f"bundle dataset {dataset.file_name}: its {what} do not match its content hash"
        )


def _insert_shipments(session, bundle, dataset, case, firm_ids) -> int:
    count = insert_shipments(
        session,
        rows=_shipment_tuples(bundle, dataset.uid, dataset.id, case.id, firm_ids),
        total=dataset.row_count,
    )
    _rows_match(dataset, count, stored_content_hash(session, dataset_id=dataset.id), "rows")
    search.index_dataset(session, dataset_id=dataset.id, fresh=True)
    rollups.build_dataset(session, dataset_id=dataset.id)
    return count


def _json_rows(bundle: Bundle, name: str, kind: str) -> Iterator[dict]:
    """The rows of a JSON-lines member, streamed within the archive's limits, each checked
    against its kind's schema."""
    for number, line in enumerate(bundle.archive.lines(name), start=1):
        try:
            row = bounded_loads(line, name=f"{name}, line {number}")
        except ValueError as exc:
            raise Refused(f"{name}, line {number}: not JSON") from exc
        if not isinstance(row, dict):
            raise Refused(f"{name}, line {number}: not a record")
        yield schema.clean(kind, f"{name}, line {number}", row)


def _shipment_tuples(bundle, uid, dataset_id, case_id, firm_ids) -> Iterator[tuple]:
    name = f"shipments/{uid}.jsonl"
    for row in _json_rows(bundle, name, "shipment"):
        row["dataset_id"], row["case_id"] = dataset_id, case_id
        for column in FIRM_COLUMNS:
            firm = row[column]
            if firm is not None and firm not in firm_ids:
                raise Refused(f"{name}: names firm {firm}, which the bundle does not hold")
            row[column] = firm_ids.get(firm) if firm else None
        yield tuple(row.get(c) for c in rows.COLUMNS)


def _insert_trade(session, bundle: Bundle, dataset: m.Dataset, case: m.Case) -> int:
    """Insert a trade dataset's flows and check them against its content hash and row count."""
    name = member_of(dataset.uid, {"kind": "trade"}, bundle.version)
    count = trade_store.insert_flows(
        session,
        dataset_id=dataset.id,
        case_id=case.id,
        rows=(
            tuple(r[c] for c in rows.TRADE_COLUMNS) for r in _json_rows(bundle, name, "trade flow")
        ),
        total=dataset.row_count,
    )
    stored = trade_store.stored_content_hash(session, dataset_id=dataset.id)
    _rows_match(dataset, count, stored, "trade flows")
    return count


def _merge_evidence(session, bundle, case, result, vault: Vault) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in bundle.records("evidence"):
        item = rows.record_by_uid(session, m.Evidence, uid=uid)
        if item is not None and item.case_id != case.id:
            result.conflict("evidence", uid, f"evidence {uid} belongs to another case here; "
                            "left out of this one")  # fmt: skip
            continue
        if item is None:
            item = rows.evidence_with_hash(session, case_id=case.id, sha256=data["sha256"])
        if item is not None:
            result.count(result.matched, "evidence")
            if item.sha256 != data["sha256"]:
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
        data["number"] = rows.free_evidence_number(session, case_id=case.id, number=data["number"])
        item = rows.add_record(session, m.Evidence, uid=uid, case_id=case.id, **data)
        ids[uid] = item.id
        result.count(result.created, "evidence")
        result.wrote("evidence", uid)
    return ids


def _put_blob(bundle: Bundle, sha: str, vault: Vault) -> None:
    with scratch_dir(vault.tmp, "blob") as temp:
        path = temp / "blob"
        bundle.archive.copy_to(f"blobs/{sha}", path)
        stored = vault.put(path)
    if stored.sha256 != sha:
        raise Refused(f"bundle blob {sha} does not hash to its name")


def _merge_relationships(session, bundle, case, firm_ids, result) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in bundle.records("relationships"):
        rel = rows.record_by_uid(session, m.Relationship, uid=uid)
        if rel is not None and rel.case_id != case.id:
            result.conflict("relationship", uid, f"relationship {uid} belongs to another case "
                            "here (or to none); left out of this one")  # fmt: skip
            continue
        if rel is not None:
            result.count(result.matched, "relationships")
        else:
            rel = rows.add_record(
                session,
                m.Relationship,
                uid=uid,
                case_id=case.id,
                from_firm_id=firm_ids[data.pop("from")],
                to_firm_id=firm_ids[data.pop("to")],
                **data,
            )
            result.count(result.created, "relationships")
            result.wrote("relationships", uid)
        ids[uid] = rel.id
    return ids


def _merge_persons(session, bundle, case, result) -> dict[str, int]:
    """Persons by uid (one of another case here is a conflict, left out); a created person's
    merge into another of the bundle is recorded as the bundle has it."""
    ids: dict[str, int] = {}
    merges: list[tuple[int, str]] = []
    for uid, data in bundle.records("persons"):
        person = rows.record_by_uid(session, m.Person, uid=uid)
        if person is not None and person.case_id != case.id:
            result.conflict("person", uid, f"person {uid} belongs to another case here; "
                            "left out of this one")  # fmt: skip
            continue
        into = data.pop("merged_into")
        if person is not None:
            result.count(result.matched, "persons")
            if person.name != data["name"]:
                result.conflict("person", uid, f"person {person.name} is named "
                                f"{_short(data['name'])} in the bundle (kept)")  # fmt: skip
        else:
            person = rows.add_record(session, m.Person, uid=uid, case_id=case.id, **data)
            result.count(result.created, "persons")
            result.wrote("persons", uid)
            if into:
                merges.append((person.id, into))
        ids[uid] = person.id
    for person_id, into in merges:
        if into in ids:
            rows.set_person_merged(session, person_id=person_id, into_id=ids[into])
    return ids


def _merge_person_links(session, bundle, case, firm_ids, person_ids, result) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in bundle.records("person_links"):
        link = rows.record_by_uid(session, m.PersonLink, uid=uid)
        if link is not None and link.case_id != case.id:
            result.conflict("person link", uid, f"person link {uid} belongs to another case "
                            "here; left out of this one")  # fmt: skip
            continue
        if link is None:
            ends = {name: data.pop(name) for name in PERSON_LINK_ENDS}
            found = {
                f"{name}_id": (person_ids if name.endswith("person") else firm_ids).get(value)
                for name, value in ends.items()
                if value
            }
            if len(found) != sum(1 for v in ends.values() if v) or None in found.values():
                result.conflict("person link", uid, f"person link {uid} names a person left "
                                "out; not added")  # fmt: skip
                continue
            link = rows.add_record(session, m.PersonLink, uid=uid, case_id=case.id,
                                   **found, **_orig_ids(found), **data)  # fmt: skip
            result.count(result.created, "person_links")
            result.wrote("person_links", uid)
        else:
            result.count(result.matched, "person_links")
        ids[uid] = link.id
    return ids


def _orig_ids(found: dict) -> dict:
    """The persons a link was made with (a later split puts it back on them)."""
    return {
        "from_person_orig_id": found.get("from_person_id"),
        "to_person_orig_id": found.get("to_person_id"),
    }


def _merge_findings(session, bundle, case, result) -> dict[str, int]:
    ids: dict[str, int] = {}
    for uid, data in bundle.records("findings"):
        finding = rows.record_by_uid(session, m.Finding, uid=uid)
        if finding is not None and finding.case_id != case.id:
            result.conflict("finding", uid, f"finding {uid} belongs to another case here; "
                            "left out of this one")  # fmt: skip
            continue
        if finding is not None:
            result.count(result.matched, "findings")
            if finding.text != data["text"]:
                result.conflict("finding", uid, f"finding {finding.position} reads differently "
                                "here than in the bundle (kept)")  # fmt: skip
        else:
            finding = rows.add_record(session, m.Finding, uid=uid, case_id=case.id, **data)
            result.count(result.created, "findings")
            result.wrote("findings", uid)
        ids[uid] = finding.id
    return ids


def _merge_figures(session, bundle, case, firm_ids, dataset_ids, result) -> None:
    """Pinned figures, their filters naming the firms as they are here (a bundle firm may be
    one of ours, matched by identity); a figure whose filter names a firm or dataset left out
    is left out too, a conflict."""
    local = firms_store.uids_of(session, ids=set(firm_ids.values()))
    for uid, data in bundle.records("figures"):
        figure = rows.record_by_uid(session, m.Figure, uid=uid)
        if figure is not None and figure.case_id != case.id:
            result.conflict("figure", uid, f"figure {uid} belongs to another case here; "
                            "left out of this one")  # fmt: skip
            continue
        if figure is not None:
            result.count(result.matched, "figures")
            if (figure.label, figure.measure) != (data["label"], data["measure"]):
                result.conflict("figure", uid, f"figure “{figure.label}” reads differently "
                                "here than in the bundle (kept)")  # fmt: skip
            continue
        filters = dict(data["filters"])
        firms = [local.get(firm_ids.get(f)) for f in filters.get("firm", [])]
        datasets = filters.get("dataset", [])
        if None in firms or any(d not in dataset_ids for d in datasets):
            result.conflict("figure", uid, f"figure “{data['label']}” names a firm or dataset "
                            "left out; not added")  # fmt: skip
            continue
        if firms:
            filters["firm"] = firms
        rows.add_record(
            session, m.Figure, uid=uid, case_id=case.id, **(data | {"filters": filters})
        )
        result.count(result.created, "figures")
        result.wrote("figures", uid)


def _merge_chart(session, bundle, case, firm_ids, result) -> None:
    """The bundle's chart positions, when the case here has none saved: an analyst's own
    arrangement is never moved by someone else's (the bundle's is then matched, not used)."""
    places = [place for _n, place in bundle.records("chart")]
    if not places:
        return
    if network_store.chart_positions(session, case_id=case.id):
        result.count(result.matched, "chart", len(places))
        return
    local = firms_store.uids_of(session, ids=set(firm_ids.values()))
    saved = {}
    for place in places:
        uid = place["subject"]
        if place["kind"] == "firm":
            uid = local.get(firm_ids.get(uid))  # the firm as it is here (matched by identity)
            if uid is None:
                continue
        saved[(place["kind"], uid)] = {
            "subject_kind": place["kind"], "subject_uid": uid, "x": place["x"],
            "y": place["y"], "pinned": place["pinned"], "group_name": place["group"],
        }  # fmt: skip
    network_store.replace_chart_positions(session, case_id=case.id, rows=list(saved.values()))
    result.count(result.created, "chart", len(saved))
    for kind, uid in saved:
        result.wrote("chart", [kind, uid])


def _merge_links(session, bundle, ev_ids, targets, dataset_ids, result) -> None:
    """Links between the case's own records; one touching a record left out is a conflict."""
    for n, link in bundle.records("links"):
        kind, target = link["target_kind"], link["target"]
        evidence = ev_ids.get(link["evidence"])
        if kind == "shipment":
            dataset, _, row = target.partition(":")
            if dataset in dataset_ids:
                target_id = rows.shipment_id(
                    session, dataset_id=dataset_ids[dataset], source_row=int(row)
                )
                if target_id is None:
                    raise Refused(f"bundle link {n + 1} names shipment {target}, which the "
                                  "bundle does not hold")  # fmt: skip
            else:
                target_id = None
        else:
            target_id = targets[kind].get(target)
        if evidence is None or target_id is None:
            result.conflict("link", link["evidence"], f"the link from evidence {link['evidence']} "
                            f"to {kind} {target} touches a record left out; not added")  # fmt: skip
            continue
        if rows.has_link(session, evidence_id=evidence, target_kind=kind, target_id=target_id):
            result.count(result.matched, "links")
            continue
        rows.add_record(session, m.EvidenceLink, evidence_id=evidence, target_kind=kind,
                        target_id=target_id, note=link["note"])  # fmt: skip
        result.count(result.created, "links")
        result.wrote("links", [link["evidence"], kind, target])


def case_id_of(session: Session, ref: str) -> int | None:
    """The id of the case with this reference."""
    return rows.case_id_by_ref(session, ref=ref)
