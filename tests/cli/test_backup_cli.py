"""``casebook backup`` and ``casebook --db PATH restore FILE``: one zip with a manifest; a
restore refuses to overwrite without --force and verifies before it replaces anything."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import zipfile

import pytest

from casebook.book import Casebook

pytestmark = pytest.mark.sqlite_only(
    "the zip backup of a store file; a server backs up with pg_dump"
)


@pytest.fixture
def filled_store(db_path, tmp_path):
    """A store with a case, an import, evidence, a relationship and a finding."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "exchange_fixtures", Path(__file__).parents[1] / "exchange" / "conftest.py"
    )
    fixtures = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("exchange_fixtures", fixtures)
    spec.loader.exec_module(fixtures)
    with Casebook.open(db_path, user="tester", create=True) as book:
        filled = fixtures.fill_case(book, tmp_path)
    return filled


def _rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_backup_json_and_manifest(run_cli, filled_store, tmp_path, db_path):
    out = tmp_path / "backup.zip"
    r = run_cli("backup", "--out", str(out), "--json")
    assert r.code == 0, r.err
    assert set(r.json) == {"out", "sha256", "size"}
    assert r.json["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert r.json["size"] == out.stat().st_size
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
    sha = filled_store.evidence_sha
    assert names == {"manifest.json", "casebook.db", f"vault/{sha[:2]}/{sha}"}
    assert set(manifest["members"]) == names - {"manifest.json"}
    with Casebook.open(db_path) as book:
        assert manifest["head_hash"] == book.head_hash()
    assert manifest["counts"]["shipments"] == 3


def test_backup_refuses_to_overwrite_without_force(run_cli, filled_store, tmp_path):
    out = tmp_path / "backup.zip"
    out.write_text("precious")
    r = run_cli("backup", "--out", str(out), "--json")
    assert (r.code, r.out, out.read_text()) == (1, "", "precious")
    assert "--force" in r.err
    assert run_cli("backup", "--out", str(out), "--force", "--json").code == 0


def test_backup_while_another_connection_holds_a_read_transaction(
    run_cli, filled_store, tmp_path, db_path
):
    conn = sqlite3.connect(db_path)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM shipment").fetchone()
    try:
        assert run_cli("backup", "--out", str(tmp_path / "b.zip"), "--json").code == 0
    finally:
        conn.close()


def test_restore_into_a_new_store_verifies_and_matches(run_cli, filled_store, tmp_path, db_path):
    out = tmp_path / "backup.zip"
    run_cli("backup", "--out", str(out))
    target = tmp_path / "restored" / "copy.db"
    r = run_cli("restore", str(out), "--json", db=target)
    assert r.code == 0, r.err
    assert r.json["restored"] is True
    with Casebook.open(target) as book:
        assert book.verify()["ok"]
        assert book.vault.has(filled_store.evidence_sha)
    sql = "SELECT source_row, value_usd, description FROM shipment ORDER BY id"
    assert _rows(target, sql) == _rows(db_path, sql)
    assert _rows(target, "SELECT hash FROM auditevent") == _rows(
        db_path, "SELECT hash FROM auditevent"
    )
    assert run_cli("verify", "--json", db=target).code == 0


def test_restore_refuses_to_overwrite_without_force(run_cli, filled_store, tmp_path, db_path):
    out = tmp_path / "backup.zip"
    run_cli("backup", "--out", str(out))
    run_cli("case", "new", "After the backup", "--ref", "CB-LATER")
    r = run_cli("restore", str(out), "--json")
    assert (r.code, r.out) == (1, "")
    assert "--force" in r.err
    assert _rows(db_path, 'SELECT count(*) FROM "case"') == [(2,)]
    r = run_cli("restore", str(out), "--force", "--json")
    assert r.code == 0, r.err
    assert _rows(db_path, 'SELECT ref FROM "case"') == [("CB-X-1",)]
    assert run_cli("verify", "--json").code == 0


def test_restore_refuses_a_backup_whose_database_was_tampered(run_cli, filled_store, tmp_path):
    """The manifest is rewritten to match, so only verify (the audit chain) can tell."""
    out = tmp_path / "backup.zip"
    run_cli("backup", "--out", str(out))
    db_copy = tmp_path / "inner.db"
    with zipfile.ZipFile(out) as zf:
        db_copy.write_bytes(zf.read("casebook.db"))
        members = {n: zf.read(n) for n in zf.namelist()}
    with sqlite3.connect(db_copy) as conn:
        conn.execute("UPDATE auditevent SET actor = 'mallory' WHERE id = 1")
    conn.close()
    members["casebook.db"] = db_copy.read_bytes()
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["casebook.db"] = {
        "sha256": hashlib.sha256(members["casebook.db"]).hexdigest(),
        "size": len(members["casebook.db"]),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    target = tmp_path / "new.db"
    r = run_cli("restore", str(forged), "--json", db=target)
    assert (r.code, r.out) == (1, "")
    assert "does not verify" in r.err and "audit event 1" in r.err
    assert not target.exists()
    assert not list(tmp_path.glob(".casebook-restore-*"))


def test_restore_refuses_a_backup_whose_manifest_lies(run_cli, filled_store, tmp_path):
    out = tmp_path / "backup.zip"
    run_cli("backup", "--out", str(out))
    with zipfile.ZipFile(out) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["casebook.db"]["sha256"] = "0" * 64
    members["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    target = tmp_path / "new.db"
    r = run_cli("restore", str(forged), "--json", db=target)
    assert r.code == 1 and "does not match the manifest" in r.err
    assert not target.exists()


def test_restore_of_something_that_is_not_a_backup(run_cli, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    r = run_cli("restore", str(junk), "--json", db=tmp_path / "x.db")
    assert r.code == 1 and "not a readable zip" in r.err


def test_backup_keeps_its_temporary_copy_inside_the_stores_folder(
    run_cli, filled_store, tmp_path, db_path, monkeypatch
):
    """Issue #24, finding 9: a killed backup left ``.casebook-backup-*`` (a plaintext copy of
    the store) in the output folder. Every temporary file now lives in ``<store>.files/tmp``."""
    from casebook.store import backup as store_backup

    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    copies, beside_out = [], []
    real_backup = store_backup.backup_database

    def spy(source, target):
        real_backup(source, target)
        copies.append(target)
        beside_out.extend(out_dir.iterdir())

    monkeypatch.setattr(store_backup, "backup_database", spy)
    r = run_cli("backup", "--out", str(out_dir / "b.zip"), "--json")
    assert r.code == 0, r.err
    store_tmp = db_path.with_name(db_path.stem + ".files") / "tmp"
    assert copies and all(store_tmp in copy.parents for copy in copies)
    assert beside_out == [] and [p.name for p in out_dir.iterdir()] == ["b.zip"]
    assert list(store_tmp.iterdir()) == []


def test_a_restore_killed_while_moving_in_is_finished_by_the_next_start(
    run_cli, filled_store, tmp_path
):
    """Issue #24, finding 9: the database already replaced, the blobs not yet moved, then
    kill -9. The next start finishes the move (the restore was verified before it began)."""
    import subprocess

    out = tmp_path / "backup.zip"
    assert run_cli("backup", "--out", str(out)).code == 0
    target = tmp_path / "elsewhere" / "cases.db"
    target.parent.mkdir()
    with Casebook.open(target, create=True) as book:
        book.create_case(title="About to be replaced", ref="CB-OLD")
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from casebook.book import Casebook\n"
        "real = os.replace\n"
        "def dying(src, dst):\n"
        "    real(src, dst)\n"
        "    if Path(dst) == Path(sys.argv[2]):\n"
        "        os._exit(9)\n"
        "os.replace = dying\n"
        "Casebook.restore(sys.argv[1], db=sys.argv[2], force=True)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(out), str(target.resolve())])
    assert killed.returncode == 9
    with Casebook.open(target) as book:
        assert [c.ref for c in book.list_cases()] == [filled_store.ref]
        assert book.vault.has(filled_store.evidence_sha)
        assert book.verify()["ok"]
        assert list(book.vault.tmp.iterdir()) == []
