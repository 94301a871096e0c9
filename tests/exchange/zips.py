"""Helpers for tests that forge bundles (loaded by path: tests run with --import-mode=importlib): read a bundle's members, write them back as a new zip, and check
that opening a hostile bundle is refused with nothing written."""

from __future__ import annotations

import hashlib
import json
import warnings
import zipfile

import pytest

from casebook.core.errors import Refused


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def entry(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def rebuild(path, members, *, extra=(), relist=True):
    """Write ``members`` (+ ``extra`` (ZipInfo|name, bytes) pairs) as a new zip; with
    ``relist`` the manifest lists every member with its true hash (a well-forged bundle)."""
    manifest = json.loads(members["manifest.json"])
    if relist:
        manifest["members"] = {n: entry(d) for n, d in members.items() if n != "manifest.json"}
        for info, data in extra:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            manifest["members"][name] = entry(data)
    members = dict(members, **{"manifest.json": json.dumps(manifest).encode()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
            for info, data in extra:
                zf.writestr(info, data)
    return path


def assert_refused_and_untouched(target, path, match, tmp_path):
    with pytest.raises(Refused) as caught:
        target.open_bundle(path)
    text = caught.value.message + " " + " ".join(caught.value.details)
    assert match in text, text
    assert target.list_cases() == [] if hasattr(target, "list_cases") else True
    assert target.list_firms() == []
    assert list(target.vault.blobs()) == []
    assert not list(tmp_path.rglob("evil*"))
    assert target.verify()["ok"]
    return text
