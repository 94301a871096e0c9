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


# --- trade statistics -------------------------------------------------------------------------


@pytest.fixture
def trade_store(db_path, tmp_path, comtrade_csv):
    """A store with one trade dataset (four flows) in a case of its own."""
    with Casebook.open(db_path, user="tester", create=True) as book:
        book.create_case(title="China's CNC exports", ref="T-1")
        result = book.import_trade(comtrade_csv, case_ref="T-1")
    return result["dataset_uid"], comtrade_csv.name


def test_a_clean_trade_store_verifies_and_counts_its_flows(run_cli, trade_store):
    code, report, _ = _verify(run_cli)
    assert (code, report["problems"]) == (0, [])
    assert report["checked"]["trade_flows"] == 4 and report["checked"]["datasets"] == 1


def test_an_edited_trade_value(run_cli, trade_store, db_path):
    uid, name = trade_store
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE tradeflow SET value = value * 10 WHERE partner = 'KG'")
    code, report, err = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "dataset" and problem["ref"] == uid
    assert name in problem["detail"] and "changed after import" in problem["detail"]
    assert uid in err


def test_a_deleted_trade_flow(run_cli, trade_store, db_path):
    uid, name = trade_store
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM tradeflow WHERE period = '2023-07'")
    code, report, _ = _verify(run_cli)
    assert code == 1
    assert {p["ref"] for p in report["problems"]} == {uid}
    details = " | ".join(p["detail"] for p in report["problems"])
    assert name in details and "changed after import" in details
    assert "3 trade flows stored, 4 imported" in details


def test_an_added_trade_flow(run_cli, trade_store, db_path):
    uid, name = trade_store
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO tradeflow (dataset_id, case_id, source_row, reporter, partner, flow, "
            "product, product_level, period, value, currency) "
            "SELECT dataset_id, case_id, 9, 'CN', 'BY', 'export', product, product_level, "
            "period, 1e6, currency FROM tradeflow LIMIT 1"
        )
    code, report, _ = _verify(run_cli)
    assert code == 1
    assert {p["ref"] for p in report["problems"]} == {uid}
    assert "5 trade flows stored, 4 imported" in " | ".join(p["detail"] for p in report["problems"])


def test_an_edited_trade_flow_with_its_dataset_hash_rewritten(run_cli, trade_store, db_path):
    uid, _ = trade_store
    with Casebook.open(db_path) as book, book.store.write() as session:
        from sqlalchemy import text

        from casebook.store.trade import stored_content_hash

        session.execute(text("UPDATE tradeflow SET value = 1.0 WHERE partner = 'KG'"))
        dataset_id = session.execute(text("SELECT id FROM dataset")).scalar_one()
        forged = stored_content_hash(session, dataset_id=dataset_id)
        session.execute(text("UPDATE dataset SET content_hash = :h"), {"h": forged})
    code, report, _ = _verify(run_cli)
    assert code == 1
    [problem] = report["problems"]
    assert problem["ref"] == uid and "audit chain" in problem["detail"]


def test_a_trade_dataset_without_a_hash_is_named_as_unchecked(run_cli, trade_store, db_path):
    """A dataset with no recorded hash cannot be checked: verify says so, without failing."""
    uid, name = trade_store
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE dataset SET content_hash = ''")
    code, report, _ = _verify(run_cli)
    assert code == 0 and report["problems"] == []
    [note] = report["unchecked"]
    assert note["kind"] == "dataset" and note["ref"] == uid and name in note["detail"]
    text = run_cli("verify")
    assert text.code == 0 and f"not checked: trade flows of dataset {name}" in text.out


def test_verify_of_another_case_leaves_the_trade_dataset_alone(run_cli, trade_store, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE tradeflow SET value = 0")
    assert run_cli("case", "new", "Other", "--ref", "T-9").code == 0
    assert run_cli("verify", "--case", "T-9", "--json").code == 0
    assert run_cli("verify", "--case", "T-1", "--json").code == 1
