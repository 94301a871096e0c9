"""``casebook export --case REF --out X.casebook`` and ``casebook open-bundle FILE``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from casebook.book import Casebook


@pytest.fixture
def filled_store(db_path, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "exchange_fixtures", Path(__file__).parents[1] / "exchange" / "conftest.py"
    )
    fixtures = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("exchange_fixtures", fixtures)
    spec.loader.exec_module(fixtures)
    with Casebook.open(db_path, user="tester", create=True) as book:
        return fixtures.fill_case(book, tmp_path)


def test_export_and_open_bundle_json(run_cli, filled_store, tmp_path):
    out = tmp_path / "case.casebook"
    r = run_cli("export", "--case", filled_store.ref, "--out", str(out), "--json")
    assert r.code == 0, r.err
    assert set(r.json) == {"out", "format", "records", "sha256"}
    assert r.json["format"] == "casebook"
    other = tmp_path / "other.db"
    r = run_cli("open-bundle", str(out), "--json", db=other)  # creates the missing store
    assert r.code == 0, r.err
    assert set(r.json) == {"case_ref", "created", "matched", "conflicts"}
    assert r.json["case_ref"] == filled_store.ref
    assert r.json["created"]["shipments"] == 3 and r.json["conflicts"] == []
    again = run_cli("open-bundle", str(out), "--json", db=other)
    assert again.code == 0 and not any(again.json["created"].values())
    assert run_cli("verify", "--json", db=other).code == 0


def test_export_refuses_to_overwrite_without_force(run_cli, filled_store, tmp_path):
    out = tmp_path / "case.casebook"
    out.write_text("keep")
    r = run_cli("export", "--case", filled_store.ref, "--out", str(out), "--json")
    assert (r.code, r.out, out.read_text()) == (1, "", "keep")
    r = run_cli("export", "--case", filled_store.ref, "--out", str(out), "--force", "--json")
    assert r.code == 0


def test_open_bundle_refuses_a_hostile_file_with_exit_1(run_cli, tmp_path):
    junk = tmp_path / "junk.casebook"
    junk.write_bytes(b"nope")
    r = run_cli("open-bundle", str(junk), "--json")
    assert (r.code, r.out) == (1, "")
    assert r.err.startswith("error:")


def test_export_of_an_unknown_case_exits_2(run_cli, filled_store, tmp_path):
    r = run_cli("export", "--case", "NOPE", "--out", str(tmp_path / "x.casebook"), "--json")
    assert r.code == 2
