"""Hostile bundles and backups: each is refused whole, before anything is written."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from casebook.book import Casebook
from casebook.core.errors import Refused
from casebook.exchange.bundle import read_bundle
from casebook.exchange.safety import Limits, member_name_problem


@pytest.fixture
def bundle(book, filled, tmp_path):
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    return out


@pytest.fixture
def target(tmp_path):
    with Casebook.open(tmp_path / "target" / "t.db", create=True) as other:
        yield other


def _sibling(name: str):
    """A helper module beside this file (tests run with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zips = _sibling("zips")
members_of, entry, rebuild = zips.members_of, zips.entry, zips.rebuild
assert_refused_and_untouched = zips.assert_refused_and_untouched


def test_member_climbing_out_with_dot_dot(target, bundle, tmp_path):
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[("../evil.txt", b"x")])
    assert_refused_and_untouched(target, hostile, "climbs out", tmp_path)


def test_member_with_an_absolute_path(target, bundle, tmp_path):
    info = zipfile.ZipInfo("placeholder")
    info.filename = f"{tmp_path}/evil-abs.txt"  # ZipInfo() strips a leading slash; set it after
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[(info, b"x")])
    assert_refused_and_untouched(target, hostile, "absolute path", tmp_path)


def test_member_with_a_windows_path(target, bundle, tmp_path):
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[("..\\evil.txt", b"x")])
    assert_refused_and_untouched(target, hostile, "backslash", tmp_path)


def test_symlink_member(target, bundle, tmp_path):
    info = zipfile.ZipInfo("blobs/evil-link")
    info.external_attr = 0o120777 << 16
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[(info, b"/etc/passwd")])
    assert_refused_and_untouched(target, hostile, "symbolic link", tmp_path)


def test_member_not_in_the_manifest(target, bundle, tmp_path):
    members = members_of(bundle)
    hostile = rebuild(tmp_path / "h.casebook", members, extra=[("evil.txt", b"x")], relist=False)
    assert_refused_and_untouched(target, hostile, "not in the manifest", tmp_path)


def test_member_in_the_manifest_but_not_in_the_records(target, bundle, tmp_path):
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[("evil.txt", b"x")])
    assert_refused_and_untouched(target, hostile, "unexpected member", tmp_path)


def test_zip_bomb_by_ratio(target, bundle, tmp_path):
    bomb = b"\0" * (64 * 1024 * 1024)
    hostile = rebuild(tmp_path / "h.casebook", members_of(bundle), extra=[("evil-bomb", bomb)])
    assert hostile.stat().st_size < 1024 * 1024
    assert_refused_and_untouched(target, hostile, "zip bomb", tmp_path)


def test_zip_bomb_by_total_size(bundle, tmp_path):
    with pytest.raises(Refused) as caught:
        read_bundle(bundle, limits=Limits(total=1000))
    assert "more than the limit" in " ".join(caught.value.details)


def test_duplicate_member_names(target, bundle, tmp_path):
    members = members_of(bundle)
    hostile = rebuild(
        tmp_path / "h.casebook", members, extra=[("records.json", members["records.json"])]
    )
    assert_refused_and_untouched(target, hostile, "duplicate name", tmp_path)


def test_manifest_whose_hash_lies(target, bundle, tmp_path):
    members = members_of(bundle)
    members["records.json"] = members["records.json"].replace(b"CNC lathes", b"CNC lathez")
    hostile = rebuild(tmp_path / "h.casebook", members, relist=False)
    text = assert_refused_and_untouched(target, hostile, "does not match the manifest", tmp_path)
    assert "records.json" in text


def test_manifest_whose_size_lies(target, bundle, tmp_path):
    members = members_of(bundle)
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["records.json"]["size"] += 1
    members["manifest.json"] = json.dumps(manifest).encode()
    hostile = rebuild(tmp_path / "h.casebook", members, relist=False)
    assert_refused_and_untouched(target, hostile, "manifest says", tmp_path)


def test_blob_not_named_by_its_hash(target, bundle, filled, tmp_path):
    members = members_of(bundle)
    members[f"blobs/{filled.evidence_sha}"] = b"swapped document"
    hostile = rebuild(tmp_path / "h.casebook", members)
    assert_refused_and_untouched(target, hostile, "not named by its hash", tmp_path)


def test_consistent_bundle_naming_an_unknown_firm_is_rolled_back_whole(target, bundle, tmp_path):
    """Well-formed and hash-correct, but a shipment names a firm the bundle does not hold: the
    merge fails inside its transaction, so the case, firms and blobs written so far vanish."""
    members = members_of(bundle)
    name = next(n for n in members if n.startswith("shipments/"))
    lines = members[name].decode().splitlines()
    row = json.loads(lines[-1])
    row["exporter_id"] = "f" * 32
    lines[-1] = json.dumps(row)
    members[name] = ("\n".join(lines) + "\n").encode()
    hostile = rebuild(tmp_path / "h.casebook", members)
    assert_refused_and_untouched(target, hostile, "does not hold", tmp_path)


def test_not_a_zip_at_all(target, tmp_path):
    junk = tmp_path / "junk.casebook"
    junk.write_bytes(b"PK\x03\x04 but not really")
    assert_refused_and_untouched(target, junk, "not a readable zip", tmp_path)


def test_a_backup_is_not_a_bundle(book, filled, target, tmp_path):
    backup = tmp_path / "b.zip"
    book.backup(out=backup)
    assert_refused_and_untouched(target, backup, "not a casebook-bundle", tmp_path)


@pytest.mark.parametrize(
    "name", ["../x", "/x", "a/../../x", "C:/x", "a\\b", "a//b", "./x", "", "a/"]
)
def test_unsafe_member_names(name):
    assert member_name_problem(name)


@pytest.mark.parametrize("name", ["records.json", "blobs/" + "a" * 64, "shipments/u.jsonl"])
def test_safe_member_names(name):
    assert member_name_problem(name) is None


def test_records_larger_than_the_limit_are_refused(bundle, monkeypatch):
    from casebook.exchange import bundle as bundles

    monkeypatch.setattr(bundles, "MAX_RECORDS", 100)
    with pytest.raises(Refused, match="larger than"):
        bundles.read_bundle(bundle)
