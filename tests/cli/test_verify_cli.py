"""``casebook verify``: clean on a fresh store, names an edited audit event."""

from __future__ import annotations

import sqlite3

import pytest
from tests.conftest import sql_on


def test_verify_is_ok_on_a_fresh_store(run_cli):
    run_cli("case", "new", "T", "--ref", "CB-1")
    r = run_cli("verify", "--json")
    assert r.code == 0, r.err
    assert r.json["ok"] is True
    assert r.json["problems"] == []
    assert r.json["checked"]["cases"] == 1
    assert r.json["checked"]["audit_events"] == 1


def test_verify_names_an_audit_event_edited_by_hand(run_cli, db_path):
    run_cli("case", "new", "T", "--ref", "CB-1")
    run_cli("case", "edit", "CB-1", "--title", "Renamed")
    run_cli("case", "new", "U", "--ref", "CB-2")
    sql_on(db_path, "UPDATE auditevent SET actor = 'mallory' WHERE id = 2")
    r = run_cli("verify", "--json")
    assert r.code == 1
    problems = r.json["problems"]
    assert len(problems) == 1
    assert problems[0]["kind"] == "audit"
    assert "event 2" in problems[0]["ref"] and "case.edit" in problems[0]["detail"]
    assert "event 2" in r.err


def test_verify_detects_a_deleted_audit_event(run_cli, db_path):
    for ref in ("CB-1", "CB-2", "CB-3"):
        run_cli("case", "new", "T", "--ref", ref)
    sql_on(db_path, "DELETE FROM auditevent WHERE id = 2")
    r = run_cli("verify", "--json")
    assert r.code == 1
    assert "event 3" in r.json["problems"][0]["ref"]


def test_verify_on_missing_store_exits_2(run_cli):
    assert run_cli("verify", "--json").code == 2


def test_verify_text_counts_in_words(run_cli):
    run_cli("case", "new", "T", "--ref", "CB-1")
    r = run_cli("verify")
    assert r.code == 0, r.err
    assert "checked 1 case, 0 firms" in r.out
    assert "1 audit event" in r.out and "1 cases" not in r.out


@pytest.mark.sqlite_only("leftovers in the vault folder")
def test_verify_reports_leftovers_and_repair_removes_orphans(run_cli, db_path, tmp_path):
    """Issue #24, finding 9: an interrupted evidence add left ``vault/.incoming-*`` (200 MB in
    the report) that verify did not name; an orphan blob made verify fail for good."""
    from casebook.book import Casebook

    run_cli("case", "new", "T", "--ref", "CB-1")
    doc = tmp_path / "doc.txt"
    doc.write_text("never recorded")
    with Casebook.open(db_path) as book:
        orphan = book.vault.put(doc).sha256
        leftover = book.vault.root / ".incoming-3hd81"
        leftover.write_bytes(b"\0" * 4096)
    r = run_cli("verify", "--json")
    assert r.code == 1 and str(leftover) in r.err and orphan in r.err
    r = run_cli("verify", "--repair", "--json")
    assert r.code == 0, r.err
    assert r.json["repaired"] == {"blobs": [orphan], "leftovers": [str(leftover)]}
    assert not leftover.exists()
    with sqlite3.connect(db_path) as conn:
        action, after = conn.execute(
            "SELECT action, after FROM auditevent ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert action == "vault.repair" and orphan in after
