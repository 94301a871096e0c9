"""Evidence files in a PostgreSQL store (issue 17): in the database, content-addressed, in
chunks, shared by every analyst of the server, re-hashed there by ``verify``."""

from __future__ import annotations

import hashlib
import os

import psycopg
import pytest

from casebook.book import Casebook
from casebook.core.location import parse_location
from casebook.store import blobs

pytestmark = pytest.mark.postgresql


def _sql(url: str, statement: str):
    loc = parse_location(url)
    with psycopg.connect(dbname=loc.dbname, host=loc.socket_dir or loc.host, autocommit=True) as c:
        cursor = c.execute(statement)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def big_file(tmp_path):
    """A file of 2.5 chunks."""
    path = tmp_path / "registry-extract.bin"
    path.write_bytes(os.urandom(blobs.CHUNK * 2 + blobs.CHUNK // 2))
    return path


def test_a_file_is_stored_once_in_chunks_in_the_database(run_cli, pg_database, big_file, tmp_path):
    for ref in ("CB-1", "CB-2"):
        assert run_cli("case", "new", ref, "--ref", ref, db=pg_database).code == 0
        added = run_cli("evidence", "add", str(big_file), "--case", ref, "--json", db=pg_database)
        assert added.code == 0, added.err
    sha = hashlib.sha256(big_file.read_bytes()).hexdigest()
    assert added.json["sha256"] == sha
    assert _sql(pg_database, "SELECT sha256, size FROM evidenceblob") == [
        (sha, big_file.stat().st_size)
    ]
    assert _sql(pg_database, "SELECT seq FROM evidenceblobchunk ORDER BY seq") == [(0,), (1,), (2,)]
    # no vault folder on this machine holds the file as the store's copy
    assert not list((tmp_path / "server-files").glob("*.files/vault"))


def test_a_colleague_on_another_machine_opens_the_same_evidence(
    run_cli, pg_database, big_file, tmp_path, monkeypatch
):
    run_cli("case", "new", "Shared", "--ref", "CB-1", db=pg_database)
    uid = run_cli("evidence", "add", str(big_file), "--case", "CB-1", "--json", db=pg_database)
    monkeypatch.setenv("CASEBOOK_SERVER_FILES", str(tmp_path / "colleague"))
    with Casebook.open(pg_database, user="colleague") as book:
        copy = book.open_evidence(uid.json["uid"], folder=tmp_path)
        assert copy.path.read_bytes() == big_file.read_bytes()


def test_verify_rehashes_the_blobs_in_the_database(run_cli, pg_database, big_file):
    run_cli("case", "new", "Shared", "--ref", "CB-1", db=pg_database)
    run_cli("evidence", "add", str(big_file), "--case", "CB-1", db=pg_database)
    clean = run_cli("verify", "--json", db=pg_database)
    assert clean.code == 0 and clean.json["checked"]["blobs"] == 1
    _sql(
        pg_database,
        "UPDATE evidenceblobchunk SET data = overlay(data placing '\\x00'::bytea from 7 for 1) "
        "WHERE seq = 1",
    )
    damaged = run_cli("verify", "--json", db=pg_database)
    assert damaged.code == 1
    assert "content changed" in damaged.err


def test_deleting_the_last_evidence_removes_its_blob(run_cli, pg_database, big_file):
    run_cli("case", "new", "Shared", "--ref", "CB-1", db=pg_database)
    uid = run_cli("evidence", "add", str(big_file), "--case", "CB-1", "--json", db=pg_database)
    with Casebook.open(pg_database, user="tester") as book:
        book.delete_evidence(uid.json["uid"])
    assert _sql(pg_database, "SELECT count(*) FROM evidenceblob") == [(0,)]
    assert _sql(pg_database, "SELECT count(*) FROM evidenceblobchunk") == [(0,)]
