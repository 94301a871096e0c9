"""Bundles carry trade statistics: a case with a trade dataset is handed over whole, its trade
flows checked against the dataset's content hash; bundles written before trade flows travelled
(format 1, no ``trade/`` members) still open, leaving their trade datasets out with a conflict."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from casebook.book import Casebook
from casebook.exchange.safety import Limits


def _sibling(name: str):
    """A helper module beside this file (tests run with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zips = _sibling("zips")
members_of, rebuild = zips.members_of, zips.rebuild
assert_refused_and_untouched = zips.assert_refused_and_untouched

EUROSTAT = "eurostat_eu_exports_machine_tool_cn8_to_ru_and_neighbours_2020-2022.xlsx"
BY = ("month,partner", "reporter,product", "flow,year")


def trade_figures(book: Casebook, ref: str) -> list[dict]:
    """``stats --source trade`` by several groupings (what a colleague would compare)."""
    return [book.stats(case_ref=ref, source="trade", by=by)["rows"] for by in BY]


def manifest_of(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


@pytest.fixture
def reference_trade(book, reference_dir):
    book.create_case(title="EU machine tools to Russia's neighbours", ref="T-2")
    result = book.import_trade(reference_dir / EUROSTAT, case_ref="T-2")
    return result


@pytest.fixture
def target(tmp_path):
    with Casebook.open(tmp_path / "target" / "t.db", user="colleague", create=True) as other:
        yield other


def test_round_trip_of_a_case_with_a_trade_dataset(book, reference_trade, target, tmp_path):
    out = tmp_path / "t2.casebook"
    book.export_case(case_ref="T-2", out=out)
    manifest = manifest_of(out)
    uid = reference_trade["dataset_uid"]
    assert manifest["format_version"] == 2
    assert f"trade/{uid}.jsonl" in manifest["members"]
    assert f"shipments/{uid}.jsonl" not in manifest["members"]
    assert manifest["counts"]["trade_flows"] == reference_trade["rows_imported"] == 6014
    assert manifest["counts"]["shipments"] == 0

    opened = target.open_bundle(out)
    assert opened["conflicts"] == []
    assert opened["created"]["datasets"] == 1
    assert opened["created"]["trade_flows"] == 6014
    assert trade_figures(target, "T-2") == trade_figures(book, "T-2")
    [here] = book.list_datasets(case_ref="T-2")
    [there] = target.list_datasets(case_ref="T-2")
    assert there["content_hash"] == here["content_hash"] and there["uid"] == uid
    report = target.verify()
    assert report["ok"], report["problems"]
    assert report["checked"]["trade_flows"] == 6014

    again = target.open_bundle(out)  # the same bundle twice changes nothing
    assert not any(again["created"].values()) and again["conflicts"] == []
    assert again["matched"]["datasets"] == 1
    assert trade_figures(target, "T-2") == trade_figures(book, "T-2")


def test_cli_round_trip_with_the_reference_file(run_cli, reference_dir, tmp_path):
    """The reviewer's steps: import, export, open-bundle in another store, same stats."""
    assert run_cli("case", "new", "Trade", "--ref", "T-2").code == 0
    assert run_cli("import", "--case", "T-2", str(reference_dir / EUROSTAT), "--json").code == 0
    out = tmp_path / "t2.casebook"
    assert run_cli("export", "--case", "T-2", "--out", str(out)).code == 0
    other = tmp_path / "other.db"
    opened = run_cli("open-bundle", str(out), "--json", db=other)
    assert opened.code == 0, opened.err
    assert opened.json["created"]["trade_flows"] == 6014
    args = ("stats", "--case", "T-2", "--source", "trade", "--by", "month,reporter", "--json")
    assert run_cli(*args, db=other).json["rows"] == run_cli(*args).json["rows"]
    assert run_cli("verify", "--json", db=other).code == 0


def test_a_case_with_shipments_and_trade_round_trips(book, filled, comtrade_csv, target, tmp_path):
    trade = book.import_trade(comtrade_csv, case_ref=filled.ref)
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    members = manifest_of(out)["members"]
    assert f"shipments/{filled.dataset_uid}.jsonl" in members
    assert f"trade/{trade['dataset_uid']}.jsonl" in members
    opened = target.open_bundle(out)
    assert opened["conflicts"] == []
    assert opened["created"]["shipments"] == 3 and opened["created"]["trade_flows"] == 4
    assert trade_figures(target, filled.ref) == trade_figures(book, filled.ref)
    assert target.verify()["ok"]


def test_a_bundle_without_trade_datasets_keeps_format_1(book, filled, tmp_path):
    """Older Casebooks read it as before: nothing in it needs the newer format."""
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    manifest = manifest_of(out)
    assert manifest["format_version"] == 1
    assert not any(name.startswith("trade/") for name in manifest["members"])


def as_format_1(bundle, path):
    """The bundle as a Casebook before trade flows travelled wrote it: an empty ``shipments/``
    member for each trade dataset, no ``trade/`` members, format version 1."""
    members = members_of(bundle)
    for name in [n for n in members if n.startswith("trade/")]:
        del members[name]
        members[f"shipments/{name[len('trade/') :]}"] = b""
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 1
    members["manifest.json"] = json.dumps(manifest).encode()
    return rebuild(path, members)


def test_an_old_bundle_opens_without_its_trade_dataset(
    book, filled, comtrade_csv, target, tmp_path
):
    trade = book.import_trade(comtrade_csv, case_ref=filled.ref)
    new = tmp_path / "new.casebook"
    book.export_case(case_ref=filled.ref, out=new)
    old = as_format_1(new, tmp_path / "old.casebook")

    opened = target.open_bundle(old)
    assert opened["created"]["shipments"] == 3 and opened["created"]["evidence"] == 1
    assert opened["created"]["datasets"] == 1 and opened["created"]["trade_flows"] == 0
    [conflict] = opened["conflicts"]
    assert conflict["kind"] == "dataset" and conflict["uid"] == trade["dataset_uid"]
    assert comtrade_csv.name in conflict["detail"] and "left out" in conflict["detail"]
    assert [d["uid"] for d in target.list_datasets(case_ref=filled.ref)] == [filled.dataset_uid]
    assert target.verify()["ok"], target.verify()["problems"]

    # A newer bundle of the same case brings the trade dataset in afterwards.
    later = target.open_bundle(new)
    assert later["created"]["datasets"] == 1 and later["created"]["trade_flows"] == 4
    assert later["conflicts"] == []
    assert trade_figures(target, filled.ref) == trade_figures(book, filled.ref)
    assert target.verify()["ok"]


def test_an_old_bundle_of_a_trade_only_case_opens_the_case_without_the_dataset(
    book, comtrade_csv, target, tmp_path
):
    """Even alone, the trade dataset is left out with a conflict, never opened empty."""
    book.create_case(title="Trade only", ref="T-3")
    book.import_trade(comtrade_csv, case_ref="T-3")
    new = tmp_path / "new.casebook"
    book.export_case(case_ref="T-3", out=new)
    opened = target.open_bundle(as_format_1(new, tmp_path / "old.casebook"))
    assert opened["created"]["case"] == 1 and opened["created"]["datasets"] == 0
    assert len(opened["conflicts"]) == 1
    assert target.list_datasets(case_ref="T-3") == []
    assert target.verify()["ok"]


def test_trade_rows_that_do_not_match_the_content_hash_are_refused_whole(
    book, comtrade_csv, target, tmp_path
):
    book.create_case(title="Trade only", ref="T-3")
    trade = book.import_trade(comtrade_csv, case_ref="T-3")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref="T-3", out=out)
    members = members_of(out)
    name = f"trade/{trade['dataset_uid']}.jsonl"
    lines = members[name].decode().splitlines()
    row = json.loads(lines[0])
    row["value"] = 1.0
    lines[0] = json.dumps(row)
    members[name] = ("\n".join(lines) + "\n").encode()
    hostile = rebuild(tmp_path / "h.casebook", members)  # the manifest re-hashed to match
    assert_refused_and_untouched(target, hostile, "do not match its content hash", tmp_path)
    assert target.list_cases() == []


@pytest.mark.parametrize(
    ("line", "message"),
    [(b"[1, 2, 3]\n", "not a record"), (b"{\"value\": \n", "not JSON"),
     (b'{"source_row": 1, "value": "lots"}\n', "value")],
)  # fmt: skip
def test_malformed_trade_lines_are_refused(book, comtrade_csv, target, tmp_path, line, message):
    book.create_case(title="Trade only", ref="T-3")
    trade = book.import_trade(comtrade_csv, case_ref="T-3")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref="T-3", out=out)
    members = members_of(out)
    members[f"trade/{trade['dataset_uid']}.jsonl"] += line
    hostile = rebuild(tmp_path / "h.casebook", members)
    assert_refused_and_untouched(target, hostile, message, tmp_path)


def test_trade_members_obey_the_archive_limits(book, comtrade_csv, tmp_path):
    from casebook.core.errors import Refused
    from casebook.exchange.bundle import read_bundle

    book.create_case(title="Trade only", ref="T-3")
    book.import_trade(comtrade_csv, case_ref="T-3")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref="T-3", out=out)
    with pytest.raises(Refused) as caught:
        read_bundle(out, limits=Limits(total=100))
    assert "more than the limit" in " ".join(caught.value.details)


def test_a_missing_trade_member_is_refused(book, comtrade_csv, target, tmp_path):
    book.create_case(title="Trade only", ref="T-3")
    trade = book.import_trade(comtrade_csv, case_ref="T-3")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref="T-3", out=out)
    members = members_of(out)
    del members[f"trade/{trade['dataset_uid']}.jsonl"]
    hostile = rebuild(tmp_path / "h.casebook", members)
    assert_refused_and_untouched(target, hostile, "missing member", tmp_path)


def test_a_trade_line_longer_than_the_limit_is_refused(
    book, comtrade_csv, target, tmp_path, monkeypatch
):
    from casebook.exchange import safety

    book.create_case(title="Trade only", ref="T-3")
    book.import_trade(comtrade_csv, case_ref="T-3")
    out = tmp_path / "case.casebook"
    book.export_case(case_ref="T-3", out=out)
    monkeypatch.setattr(safety, "MAX_LINE", 40)
    assert_refused_and_untouched(target, out, "longer than 40 bytes", tmp_path)
