"""Issue 11 acceptance: one flipped byte in a blob, a deleted blob, an edited audit row and an
edited shipment value are each named precisely by ``verify``, which exits 1."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from casebook.book import Casebook


@pytest.fixture
def store(db_path, tmp_path, fill):
    with Casebook.open(db_path, user="tester", create=True) as book:
        filled = fill(book, tmp_path)
        blob = book.vault.path_of(filled.evidence_sha)
    return filled, blob


def _verify(run_cli):
    result = run_cli("verify", "--json")
    return result.code, result.json, result.err


def test_clean_store_verifies(run_cli, store):
    code, report, _ = _verify(run_cli)
    assert (code, report["problems"]) == (0, [])
    assert report["checked"]["shipments"] == 3 and report["checked"]["blobs"] == 1


def test_a_flipped_byte_in_a_blob(run_cli, store):
    filled, blob = store
    blob.chmod(blob.stat().st_mode | stat.S_IWUSR)
    data = bytearray(blob.read_bytes())
    data[5] ^= 0x01
    blob.write_bytes(bytes(data))
    blob.chmod(stat.S_IRUSR)
    code, report, err = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "vault" and problem["ref"] == f"{filled.ref}/E1"
    assert filled.evidence_sha in problem["detail"] and "content changed" in problem["detail"]
    assert filled.evidence_sha in err


def test_a_deleted_blob(run_cli, store):
    filled, blob = store
    os.chmod(blob, stat.S_IRWXU)
    blob.unlink()
    code, report, _ = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["ref"] == f"{filled.ref}/E1" and "missing from the vault" in problem["detail"]


def test_an_edited_audit_row(run_cli, store, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE auditevent SET after = json_set(after, '$.rows_imported', 2) "
                     "WHERE action = 'dataset.import'")  # fmt: skip
        event_id = conn.execute(
            "SELECT id FROM auditevent WHERE action = 'dataset.import'"
        ).fetchone()[0]
    code, report, _ = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "audit" and f"event {event_id}" in problem["ref"]
    assert "dataset.import" in problem["detail"] and "edited" in problem["detail"]


def test_an_edited_shipment_value(run_cli, store, db_path):
    filled, _ = store
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE shipment SET value_usd = 1.0 WHERE source_row = 3")
    code, report, _ = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "dataset" and problem["ref"] == filled.dataset_uid
    assert "dt-CB-X-1.csv" in problem["detail"] and "changed after import" in problem["detail"]


def test_an_edited_shipment_with_its_dataset_hash_rewritten(run_cli, store, db_path):
    """Rewriting the dataset's hash to match hides nothing: the audit chain holds the original."""
    filled, _ = store
    with Casebook.open(db_path) as book, book.store.write() as session:
        from sqlalchemy import text

        from casebook.store.shipments import stored_content_hash

        session.execute(text("UPDATE shipment SET value_usd = 1.0 WHERE source_row = 3"))
        dataset_id = session.execute(text("SELECT id FROM dataset")).scalar_one()
        forged = stored_content_hash(session, dataset_id=dataset_id)
        session.execute(text("UPDATE dataset SET content_hash = :h"), {"h": forged})
    code, report, _ = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["ref"] == filled.dataset_uid and "audit chain" in problem["detail"]


def test_a_deleted_shipment(run_cli, store, db_path):
    filled, _ = store
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DELETE FROM evidencelink WHERE target_kind = 'shipment'")
        conn.execute("DELETE FROM shipment WHERE source_row = 4")
    code, report, _ = _verify(run_cli)
    assert code == 1
    details = " | ".join(p["detail"] for p in report["problems"])
    assert "2 shipments stored, 3 imported" in details


def test_quick_check_names_a_missing_blob(db_path, store):
    filled, blob = store
    os.chmod(blob, stat.S_IRWXU)
    blob.unlink()
    with Casebook.open(db_path) as book:
        [problem] = book.quick_check()
    assert filled.evidence_sha in problem["detail"]
