"""A partner's bundle is hostile until proven otherwise (issue #24).

The attacker knows the UUIDs of a bundle we once sent them. Whatever they forge, a bundle writes
only inside its own case: local firms (their merges and identities) and other cases' records
are never changed, differences are conflicts; every record is checked against its schema
before anything is written; dataset rows must match their count and content hash; records.json
is streamed, and disk space is checked first."""

from __future__ import annotations

import importlib.util
import json
import tracemalloc
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from casebook.book import Casebook
from casebook.core.errors import Refused
from casebook.store import models as m


def _sibling(name: str):
    """A helper module beside this file (tests run with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zips = _sibling("zips")
members_of, rebuild = zips.members_of, zips.rebuild
assert_refused_and_untouched = zips.assert_refused_and_untouched


@pytest.fixture
def sent(book, filled, tmp_path) -> Path:
    """The bundle we once sent the attacker: they know every UUID in it."""
    out = tmp_path / "sent.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    return out


@pytest.fixture
def target(tmp_path):
    with Casebook.open(tmp_path / "target" / "t.db", create=True) as other:
        yield other


def new_uid() -> str:
    return uuid.uuid4().hex


def forge(path: Path, out: Path, change) -> Path:
    """A bundle whose records.json ``change(records)`` rewrote, with the members its records
    still call for (the manifest re-hashed to match: a well-forged bundle)."""
    members = members_of(path)
    records = json.loads(members["records.json"])
    change(records)
    members["records.json"] = json.dumps(records, ensure_ascii=False).encode()
    wanted = {"manifest.json", "records.json", "audit.jsonl"}
    if isinstance(records.get("datasets"), dict):
        wanted |= {f"shipments/{uid}.jsonl" for uid in records["datasets"]}
    if isinstance(records.get("evidence"), dict):
        wanted |= {f"blobs/{e.get('sha256')}" for e in records["evidence"].values()
                   if isinstance(e, dict)}  # fmt: skip
    return rebuild(out, {n: d for n, d in members.items() if n in wanted})


def new_case(records: dict, ref: str = "CB-EVIL-1") -> None:
    """Make the bundle carry a case of its own, holding none of the sent case's records."""
    records["case"] |= {"uid": new_uid(), "ref": ref, "title": "Harmless trade"}
    for table in ("datasets", "evidence", "relationships", "findings"):
        records[table] = {}
    records["links"] = []


def firm_uid(book: Casebook, name: str) -> str:
    return next(f["uid"] for f in book.list_firms() if f["name"] == name)


def bundle_events(book: Casebook) -> list[dict]:
    with book.store.read() as session:
        query = select(m.AuditEvent).where(m.AuditEvent.action == "bundle.open")
        return [e.after for e in session.exec(query)]


# --- 1. hiding a sanctioned firm ------------------------------------------------------------


def confirm_listed(book: Casebook, ref: str, tmp_path: Path) -> int:
    """Load a sanctions list naming ООО «Техностанок» by its INN, screen, confirm the hit."""
    entity = {
        "id": "NK-tehnostanok",
        "schema": "Company",
        "properties": {"name": ["ООО «Техностанок»"], "innCode": ["7707083893"]},
    }
    sanction = {
        "id": "NK-sanction",
        "schema": "Sanction",
        "properties": {"entity": ["NK-tehnostanok"], "program": ["RUSSIA-EO14024"]},
    }
    listing = tmp_path / "list.ftm.jsonl"
    listing.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in (entity, sanction)))
    book.load_list(listing, name="Test list", published="2024-01-01")
    hits = book.screen(case_ref=ref)
    hit = next(h for h in hits if h["firm_name"] == "OOO TEHNOSTANOK")
    book.review_hit(hit["id"], status="confirmed")
    return hit["id"]


@pytest.mark.parametrize("known_by", ["uid", "identifiers"])
def test_a_bundle_cannot_merge_a_listed_local_firm_into_a_new_one(
    book, filled, sent, tmp_path, known_by
):
    confirm_listed(book, filled.ref, tmp_path)
    listed = firm_uid(book, "OOO TEHNOSTANOK")
    harmless = new_uid()
    key = listed if known_by == "uid" else new_uid()  # same INN, so the same firm

    def hide(records):
        new_case(records)
        firm = records["firms"][listed] | {"merged_into": harmless, "in_case": False}
        records["firms"] = {
            key: firm,
            harmless: firm | {"name": "Harmless Trading LLC", "native_name": None,
                              "name_key": "harmless trading", "sort_key": "harmless trading",
                              "merged_into": None, "in_case": True, "aliases": [],
                              "identifiers": []},
        }  # fmt: skip

    result = book.open_bundle(forge(sent, tmp_path / "forged.casebook", hide))

    assert [c["kind"] for c in result["conflicts"]] == ["firm"]
    assert "merged into" in result["conflicts"][0]["detail"]
    firms = {f["uid"]: f for f in book.list_firms()}
    assert listed in firms and firms[listed]["listed"]
    assert book.show_firm(listed)["merged_into"] is None
    book.screen(case_ref=filled.ref)
    assert any(
        h["firm_uid"] == listed and h["status"] == "confirmed"
        for h in book.list_hits(case_ref=filled.ref)
    )
    assert book.verify()["ok"]
    [event] = bundle_events(book)
    assert event["records"]["firms"] == [harmless]  # named, with the fields written
    assert "name" in event["fields"]["firms"]


def test_a_merge_loop_in_a_bundle_is_refused_whole(book, filled, sent, tmp_path):
    a, b = filled.firm_uids[:2]

    def loop(records):
        new_case(records)
        records["firms"][a]["merged_into"] = b
        records["firms"][b]["merged_into"] = a

    forged = forge(sent, tmp_path / "forged.casebook", loop)
    with pytest.raises(Refused, match="loop"):
        book.open_bundle(forged)
    assert {a, b} <= {f["uid"] for f in book.list_firms()}
    assert [c.ref for c in book.list_cases()] == [filled.ref]


def test_the_store_refuses_a_merge_that_closes_a_loop(book, filled):
    from casebook.store import merges

    a, b = filled.firm_uids[:2]
    book.merge_firms(keep=a, other=b)
    with book.store.write() as session:
        query = select(m.Firm.uid, m.Firm.id).where(m.Firm.uid.in_([a, b]))
        ids = {uid: fid for uid, fid in session.exec(query).all()}
        with pytest.raises(Refused, match="loop"):
            merges.merge_firm_rows(session, keep_id=ids[b], other_id=ids[a], actor="x")
    assert a in {f["uid"] for f in book.list_firms()}


# --- 2. forged citations in another case -------------------------------------------------------


def test_a_new_case_cannot_link_its_evidence_to_another_cases_finding(book, filled, sent, tmp_path):
    [finding] = book.list_findings(case_ref=filled.ref)
    before = [e["uid"] for e in finding["evidence"]]
    forged_evidence = new_uid()

    def cite(records):
        [(_, evidence)] = records["evidence"].items()
        findings = records["findings"]
        new_case(records)
        records["evidence"] = {forged_evidence: evidence | {"title": "Forged"}}
        records["findings"] = findings  # the other case's finding, by its UUID
        records["links"] = [{"evidence": forged_evidence, "target_kind": "finding",
                             "target": finding["uid"], "note": "proves it"}]  # fmt: skip

    result = book.open_bundle(forge(sent, tmp_path / "forged.casebook", cite))

    [after] = book.list_findings(case_ref=filled.ref)
    assert [e["uid"] for e in after["evidence"]] == before
    kinds = {c["kind"] for c in result["conflicts"]}
    assert {"finding", "link"} <= kinds
    assert book.list_findings(case_ref="CB-EVIL-1") == []
    assert result["created"]["links"] == 0


def test_a_bundle_of_a_known_case_adds_only_valid_findings_and_never_retitles(
    book, filled, sent, tmp_path
):
    def bad_finding(records):
        records["case"]["title"] = "Nothing to see here"
        records["findings"][new_uid()] = {"position": 9, "text": "All clear.",
                                          "likelihood": "certainly", "confidence": "high"}  # fmt: skip

    with pytest.raises(Refused, match="likelihood"):
        book.open_bundle(forge(sent, tmp_path / "bad.casebook", bad_finding))
    assert len(book.list_findings(case_ref=filled.ref)) == 1

    added = new_uid()

    def good_finding(records):
        records["case"]["title"] = "Nothing to see here"
        records["findings"][added] = {"position": 9, "text": "All clear.",
                                      "likelihood": "very unlikely", "confidence": "low"}  # fmt: skip

    result = book.open_bundle(forge(sent, tmp_path / "good.casebook", good_finding))
    assert book.get_case(filled.ref).title == "CNC lathes via Kyrgyzstan"
    assert any(c["kind"] == "case" and "title" in c["detail"] for c in result["conflicts"])
    [event] = bundle_events(book)
    assert event["records"] == {"findings": [added]}


# --- 3. skipping row verification --------------------------------------------------------------


def _rows(members: dict) -> tuple[str, list[dict]]:
    name = next(n for n in members if n.startswith("shipments/"))
    return name, [json.loads(line) for line in members[name].decode().splitlines()]


def _with_rows(path: Path, out: Path, rows_change, *, content_hash: object = "keep") -> Path:
    members = members_of(path)
    name, rows = _rows(members)
    members[name] = "".join(json.dumps(r) + "\n" for r in rows_change(rows)).encode()
    records = json.loads(members["records.json"])
    if content_hash != "keep":
        for dataset in records["datasets"].values():
            dataset["content_hash"] = content_hash
    members["records.json"] = json.dumps(records).encode()
    return rebuild(out, members)


def _multiplied(rows):
    return [r | {"source_row": r["source_row"] + 1000 * n} for n in range(20) for r in rows]


@pytest.mark.parametrize(
    ("rows_change", "message"),
    [(lambda rows: rows, "content_hash is missing"),
     (_multiplied, "content_hash is missing"),
     (lambda rows: rows[:-1], "content_hash is missing")],
    ids=["no hash", "rows multiplied", "a row fewer"],
)  # fmt: skip
def test_a_dataset_without_its_content_hash_is_refused(
    target, sent, tmp_path, rows_change, message
):
    forged = _with_rows(sent, tmp_path / "forged.casebook", rows_change, content_hash=None)
    text = assert_refused_and_untouched(target, forged, message, tmp_path)
    assert "dataset" in text


def test_a_dataset_with_more_rows_than_its_record_is_refused(target, sent, tmp_path):
    forged = _with_rows(sent, tmp_path / "forged.casebook", lambda rows: rows + rows[-1:])
    assert_refused_and_untouched(target, forged, "rows", tmp_path)


def test_a_number_given_as_text_is_refused_even_when_the_hash_agrees(target, sent, tmp_path):
    """``"NaN"`` as text hashes like an empty value, so only the row's schema can catch it."""

    def nan(rows):
        rows[0]["value"] = "NaN"
        return rows

    forged = _with_rows(sent, tmp_path / "forged.casebook", nan)
    text = assert_refused_and_untouched(target, forged, "value is text, not a number", tmp_path)
    assert "line 1" in text


# --- 4. memory and disk exhaustion ---------------------------------------------------------------


def test_records_json_is_streamed_not_loaded_whole(sent, tmp_path):
    """A records.json of many small records costs far less memory than its size (loading it
    whole costs ~26 bytes per byte)."""
    from casebook.exchange.bundle import read_bundle

    def many(records):
        firm = next(iter(records["firms"].values()))
        for n in range(20_000):
            records["firms"][new_uid()] = firm | {"name": f"Firm {n}", "identifiers": [],
                                                  "in_case": False}  # fmt: skip

    forged = forge(sent, tmp_path / "big.casebook", many)
    size = len(members_of(forged)["records.json"])
    tracemalloc.start()
    try:
        read_bundle(forged).close()  # checked whole: every record read
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 6_000_000
    assert peak < size, f"peak {peak:,} bytes for a records.json of {size:,}"


def test_a_bundle_larger_than_the_free_disk_space_is_refused_first(
    target, sent, tmp_path, monkeypatch
):
    import shutil
    from collections import namedtuple

    from casebook.exchange import safety

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9, 10**6))
    text = assert_refused_and_untouched(target, sent, "bytes free", tmp_path)
    assert "needs" in text
    monkeypatch.setattr(safety, "DISK_RESERVE", 0)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**12, 0, 10**12))
    assert target.open_bundle(sent)["created"]["case"] == 1


# --- 8. type confusion: refusals, never tracebacks ---------------------------------------------

DEEP = 100_000


def _deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _first(table: str):
    def pick(records):
        return next(iter(records[table].values()))

    return pick


CONFUSIONS = [
    ("case title as a list", lambda r: r["case"].update(title=["a"]), "title is a list"),
    ("case title as a number", lambda r: r["case"].update(title=5), "title is a number"),
    ("case marking unknown", lambda r: r["case"].update(marking="TLP:PURPLE"), "marking"),
    ("case status as an object", lambda r: r["case"].update(status={"x": 1}), "status"),
    ("case uid not a UUID", lambda r: r["case"].update(uid="../../x"), "uid"),
    ("firm name as an object", lambda r: _first("firms")(r).update(name={"a": 1}), "name"),
    ("firm aliases as text", lambda r: _first("firms")(r).update(aliases="abc"), "aliases"),
    ("firm identifier value as a number",
     lambda r: _first("firms")(r).update(identifiers=[["ru_inn", 5]]), "identifiers"),
    ("firm country as a name", lambda r: _first("firms")(r).update(country="Russia"), "country"),
    ("firm in_case as text", lambda r: _first("firms")(r).update(in_case="yes"), "in_case"),
    ("share as text", lambda r: _first("relationships")(r).update(share="abc"), "share"),
    ("share past 100", lambda r: _first("relationships")(r).update(share=1e308), "share"),
    ("evidence number as text", lambda r: _first("evidence")(r).update(number="1"), "number"),
    ("evidence grade unknown", lambda r: _first("evidence")(r).update(reliability="Z"),
     "reliability"),
    ("finding position as true/false", lambda r: _first("findings")(r).update(position=True),
     "position"),
    ("dataset row count as text", lambda r: _first("datasets")(r).update(row_count="3"),
     "row_count"),
    ("link target kind unknown", lambda r: r["links"][0].update(target_kind="planet"),
     "target_kind"),
    ("link as text", lambda r: r["links"].__setitem__(0, "link"), "not a record"),
    ("firms as a list", lambda r: r.update(firms=[]), "not a table"),
    ("created not a date", lambda r: r["case"].update(created="yesterday"), "created"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in CONFUSIONS], ids=[c[0] for c in CONFUSIONS]
)
def test_type_confusions_are_refused_naming_the_field(target, sent, tmp_path, change, message):
    forged = forge(sent, tmp_path / "forged.casebook", change)
    assert_refused_and_untouched(target, forged, message, tmp_path)


def test_deep_nesting_in_a_record_is_refused(target, sent, tmp_path):
    members = members_of(sent)
    records = members["records.json"].replace(b'"notes": ""', b'"notes": ' + _deep_json(DEEP), 1)
    members["records.json"] = records
    forged = rebuild(tmp_path / "forged.casebook", members)
    assert_refused_and_untouched(target, forged, "nested deeper than", tmp_path)


def test_a_deep_manifest_is_refused_before_any_check(target, sent, tmp_path):
    import zipfile

    forged = tmp_path / "forged.casebook"
    with zipfile.ZipFile(forged, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", _deep_json(DEEP))
    assert_refused_and_untouched(target, forged, "nested deeper than", tmp_path)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("value", "abc", "value is text"), ("date", "yesterday", "date"),
     ("origin", ["CN"], "origin is a list"), ("source_row", 1.5, "source_row"),
     ("description", {"a": 1}, "description is an object"),
     ("value_usd", -5.0, "value_usd is -5"), ("value_usd", 1e308, "value_usd is 1e+308"),
     ("net_weight", -1, "net_weight is -1")],
)  # fmt: skip
def test_type_confusions_in_shipment_rows_are_refused(
    target, sent, tmp_path, column, value, message
):
    def change(rows):
        rows[-1][column] = value
        return rows

    forged = _with_rows(sent, tmp_path / "forged.casebook", change)
    assert_refused_and_untouched(target, forged, message, tmp_path)


@pytest.mark.parametrize("kind", ["finding", "relationship", "evidence"])
def test_a_link_to_a_record_the_bundle_does_not_hold_is_refused(target, sent, tmp_path, kind):
    stranger = new_uid()

    def dangle(records):
        link = records["links"][0]
        if kind == "evidence":
            link["evidence"] = stranger
        else:
            link.update(target_kind=kind, target=stranger)

    forged = forge(sent, tmp_path / "forged.casebook", dangle)
    assert_refused_and_untouched(target, forged, f"does not hold: {kind} {stranger}", tmp_path)


def test_more_records_than_a_bundle_may_hold_are_refused(target, sent, tmp_path, monkeypatch):
    """Their UUIDs are held while the bundle is open, so their number is bounded."""
    from casebook.exchange import bundle as bundles

    monkeypatch.setattr(bundles, "MAX_KEYED", 4)
    assert_refused_and_untouched(target, sent, "more records than a bundle may hold", tmp_path)
