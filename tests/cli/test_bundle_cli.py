"""``casebook export --case REF --out X.casebook`` and ``casebook open-bundle FILE``."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
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


def _zips():
    """tests/exchange/zips.py (tests run with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(
        "bundle_zips", Path(__file__).parents[1] / "exchange" / "zips.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refused_cleanly(r, *words: str) -> None:
    assert (r.code, r.out) == (1, ""), r.err
    assert r.err.startswith("error:") and "Traceback" not in r.err
    for word in words:
        assert word in r.err, r.err


def test_a_type_confusion_in_a_bundle_exits_1_naming_the_field(run_cli, filled_store, tmp_path):
    zips = _zips()
    out = tmp_path / "case.casebook"
    assert run_cli("export", "--case", filled_store.ref, "--out", str(out)).code == 0
    members = zips.members_of(out)
    records = json.loads(members["records.json"])
    next(iter(records["relationships"].values()))["share"] = "abc"
    members["records.json"] = json.dumps(records).encode()
    forged = zips.rebuild(tmp_path / "forged.casebook", members)
    other = tmp_path / "other.db"
    r = run_cli("open-bundle", str(forged), "--json", db=other)
    _refused_cleanly(r, "relationship", "share")
    assert run_cli("case", "list", "--json", db=other).json["cases"] == []


def test_a_deep_manifest_exits_1(run_cli, tmp_path):
    forged = tmp_path / "deep.casebook"
    with zipfile.ZipFile(forged, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", "[" * 100_000 + "]" * 100_000)
    _refused_cleanly(run_cli("open-bundle", str(forged), "--json"), "nested deeper")


def test_a_deep_ftm_line_exits_1(run_cli, tmp_path):
    deep = tmp_path / "deep.ftm.jsonl"
    entity = {"id": "x", "schema": "Company", "properties": {"name": ["A"]}}
    deep.write_text(json.dumps(entity) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    _refused_cleanly(run_cli("lists", "load", str(deep), "--json"), "line 2", "not JSON")
    deep.write_text("{" + '"a":[' * 100_000 + "]" * 100_000 + "}\n")
    _refused_cleanly(run_cli("lists", "load", str(deep), "--json"), "line 1")
