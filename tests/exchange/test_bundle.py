"""Case bundles: a round trip into an empty store compares equal; opening twice changes
nothing; matching by UUID and by identifiers; conflicts are listed, never overwritten."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlmodel import select

from casebook.book import Casebook
from casebook.core.errors import Refused
from casebook.exchange.bundle import VERSION, gather
from casebook.store import models as m


def case_contents(book: Casebook, ref: str) -> dict:
    """The case as comparable data (no store-local integer keys)."""
    from casebook.book.cases import find_case

    with book.store.read() as session:
        records = gather(session, find_case(session, ref))
        shipments = {}
        from casebook.exchange.bundle import shipment_lines

        for uid in records.datasets:
            for line in shipment_lines(session, records, uid):
                row = json.loads(line)
                shipments[f"{uid}:{row['source_row']}"] = row
    data = records.json()
    data["case"].pop("updated")
    return {**data, "shipments": shipments}


def export(book, ref, out):
    return book.export_case(case_ref=ref, out=out)


def test_round_trip_into_an_empty_store(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    result = export(book, filled.ref, out)
    assert result["format"] == "casebook" and result["out"] == str(out)
    with Casebook.open(tmp_path / "other.db", user="colleague", create=True) as other:
        opened = other.open_bundle(out)
        assert opened["case_ref"] == filled.ref
        assert opened["conflicts"] == []
        assert opened["created"]["shipments"] == 3 and opened["created"]["evidence"] == 1
        assert case_contents(other, filled.ref) == case_contents(book, filled.ref)
        assert other.vault.has(filled.evidence_sha)
        assert other.verify()["ok"], other.verify()["problems"]
        before = case_contents(other, filled.ref)
        with other.store.read() as session:
            events = len(list(session.exec(select(m.AuditEvent))))
        again = other.open_bundle(out)
        assert not any(again["created"].values())
        assert again["conflicts"] == []
        assert case_contents(other, filled.ref) == before
        with other.store.read() as session:
            assert len(list(session.exec(select(m.AuditEvent)))) == events
            actions = set(session.exec(select(m.AuditEvent.action)))
        assert {"bundle.open", "bundle.dataset"} <= actions


def test_manifest_lists_every_member_with_its_hash(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist()) - {"manifest.json"}
    assert set(manifest["members"]) == names
    assert manifest["format"] == "casebook-bundle" and manifest["format_version"] == 1
    assert manifest["case"]["ref"] == filled.ref
    assert manifest["counts"]["shipments"] == 3
    assert manifest["head_hash"] == book.head_hash()
    assert f"blobs/{filled.evidence_sha}" in names and "audit.jsonl" in names


def test_shipment_rows_travel_without_the_store_internal_keys(book, filled, tmp_path):
    """A bundle's shipment lines hold the schema's fields only: a store's own keys (dataset,
    case, interned description) mean nothing in another store and are not read back."""
    from casebook.exchange import schema

    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    with zipfile.ZipFile(out) as zf:
        member = next(n for n in zf.namelist() if n.startswith("shipments/"))
        rows = [json.loads(line) for line in zf.read(member).splitlines()]
    assert rows and all(set(row) == set(schema.SHIPMENT) for row in rows)


def test_opening_into_the_store_it_came_from_changes_nothing(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    before = case_contents(book, filled.ref)
    result = book.open_bundle(out)
    assert not any(result["created"].values()) and result["conflicts"] == []
    assert case_contents(book, filled.ref) == before


def test_local_changes_are_kept_and_listed_as_conflicts(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    book.edit_case(filled.ref, title="Renamed here")
    result = book.open_bundle(out)
    [conflict] = result["conflicts"]
    assert conflict["kind"] == "case" and "title" in conflict["detail"]
    assert book.get_case(filled.ref).title == "Renamed here"


def test_firms_match_by_identifier_in_a_store_that_already_knows_them(book, filled, tmp_path, fill):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        (tmp_path / "o").mkdir()
        fill(other, tmp_path / "o", ref="CB-OTHER")  # same firms (same INNs), other uids
        firms_before = len(other.list_firms())
        result = other.open_bundle(out)
        assert result["created"]["firms"] < 3 and result["matched"]["firms"] >= 2
        assert len(other.list_firms()) == firms_before + result["created"]["firms"]
        assert other.verify()["ok"]


def test_a_different_case_with_the_same_ref_is_a_conflict_that_refuses(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        other.create_case(title="Unrelated", ref=filled.ref)
        with pytest.raises(Refused, match="bundle conflict"):
            other.open_bundle(out)
        assert other.list_firms() == []


def test_newer_format_versions_are_refused(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    export(book, filled.ref, out)
    newer = tmp_path / "newer.casebook"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(newer, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["format_version"] = VERSION + 1
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        with pytest.raises(Refused, match="newer"):
            other.open_bundle(newer)
