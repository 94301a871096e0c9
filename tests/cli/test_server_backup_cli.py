"""``backup`` and ``restore`` on a server store (issue 17): a pg_dump archive that pg_restore
takes back, evidence included; ``restore`` into a server is refused with the way to do it."""

from __future__ import annotations

import subprocess

import pytest
from tests.conftest import sql_on

from casebook.core.location import parse_location

pytestmark = pytest.mark.postgresql


def test_backup_writes_a_pg_dump_archive_that_pg_restore_takes_back(run_cli, pg_database, tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("Registry extract: ООО «Техностанок»", encoding="utf-8")
    run_cli("case", "new", "Team", "--ref", "CB-1", db=pg_database)
    run_cli("evidence", "add", str(doc), "--case", "CB-1", db=pg_database)
    out = tmp_path / "team.dump"
    result = run_cli("backup", "--out", str(out), "--json", db=pg_database)
    assert result.code == 0, result.err
    assert result.json["format"] == "pg_dump" and result.json["size"] == out.stat().st_size
    listing = subprocess.run(["pg_restore", "--list", str(out)], capture_output=True, text=True)
    assert "TABLE DATA public evidenceblobchunk" in listing.stdout
    copy = pg_database.replace(parse_location(pg_database).dbname, "restored_" + out.stem)
    loc = parse_location(copy)
    sql_on(pg_database, f'CREATE DATABASE "{loc.dbname}"')
    try:
        host = ["-h", loc.socket_dir or loc.host]
        subprocess.run(["pg_restore", *host, "-d", loc.dbname, str(out)], check=True)
        checked = run_cli("verify", "--json", db=copy)
        assert checked.code == 0, checked.err
        assert checked.json["checked"]["blobs"] == 1 and checked.json["checked"]["cases"] == 1
    finally:
        sql_on(pg_database, f'DROP DATABASE IF EXISTS "{loc.dbname}" WITH (FORCE)')


def test_restore_into_a_server_is_refused_naming_pg_restore(run_cli, pg_database, tmp_path):
    backup = tmp_path / "b.zip"
    backup.write_bytes(b"PK")
    result = run_cli("restore", str(backup), "--json", db=pg_database)
    assert result.code == 2 and "pg_restore" in result.err
