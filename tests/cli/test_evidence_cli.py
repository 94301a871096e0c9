"""The command-line contract for evidence, relationships, findings and search (DESIGN.md)."""

from __future__ import annotations

import hashlib

import pytest
from tests.conftest import store_exists

from casebook.book import Casebook
from casebook.store import models as m
from casebook.store import search
from casebook.store.engine import raw_connection

EVIDENCE_FIELDS = {"uid", "sha256", "title", "kind", "grade", "size", "original_name", "added"}


@pytest.fixture
def case(run_cli):
    assert run_cli("case", "new", "CNC via Turkey", "--ref", "CB-1").code == 0
    return "CB-1"


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "extract.pdf.txt"
    path.write_text("Registry extract: ООО «Техностанок»", encoding="utf-8")
    return path


def _firms(db_path, *names: str) -> list[str]:
    with Casebook.open(db_path) as book, book.store.write() as session:
        firms = [m.Firm(name=name) for name in names]
        session.add_all(firms)
    return [f.uid for f in firms]


def _shipments(db_path, case_ref: str, descriptions: list[str]) -> None:
    """A dataset inserted with plain SQL, then indexed the way a bulk import does it."""
    with Casebook.open(db_path) as book, book.store.write() as session:
        case_id = book.get_case(case_ref).id
        dataset = m.Dataset(case_id=case_id, file_name="gtd.csv", sha256="0" * 64)
        session.add(dataset)
        session.flush()
        raw_connection(session).executemany(
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, description) "
            "VALUES (?, ?, ?, '', ?)",
            [(dataset.id, case_id, n, text) for n, text in enumerate(descriptions, 1)],
        )
        search.index_dataset(session, dataset_id=dataset.id)


def test_evidence_add_prints_the_design_json(run_cli, case, doc):
    r = run_cli("evidence", "add", str(doc), "--case", case, "--grade", "B2", "--json")
    assert r.code == 0, r.err
    assert EVIDENCE_FIELDS <= set(r.json)
    assert r.json["sha256"] == hashlib.sha256(doc.read_bytes()).hexdigest()
    assert (r.json["grade"], r.json["id"], r.json["existing"]) == ("B2", "E1", False)


def test_evidence_add_creates_a_missing_store(run_cli, db_path, doc):
    r = run_cli("evidence", "add", str(doc), "--case", "CB-9", "--json")
    assert r.code == 2 and store_exists(db_path) and "CB-9" in r.err


def test_evidence_add_twice_returns_the_same_item(run_cli, case, doc):
    first = run_cli("evidence", "add", str(doc), "--case", case, "--json").json
    again = run_cli("evidence", "add", str(doc), "--case", case, "--json").json
    assert again["uid"] == first["uid"] and again["existing"] is True


def test_evidence_add_with_a_link_and_list(run_cli, db_path, case, doc):
    [firm] = _firms(db_path, "Техностанок")
    run_cli("evidence", "add", str(doc), "--case", case, "--link", f"firm:{firm}")
    listed = run_cli("evidence", "list", "--case", case, "--json").json["evidence"]
    assert [(e["id"], e["links"][0]["uid"]) for e in listed] == [("E1", firm)]


def test_bad_grade_exits_2_with_nothing_on_stdout(run_cli, case, doc):
    r = run_cli("evidence", "add", str(doc), "--case", case, "--grade", "Z9", "--json")
    assert r.code == 2 and r.out == "" and r.err.startswith("error:")


def test_evidence_link_adds_a_note(run_cli, db_path, case, doc):
    [firm] = _firms(db_path, "Техностанок")
    uid = run_cli("evidence", "add", str(doc), "--case", case, "--json").json["uid"]
    r = run_cli("evidence", "link", uid, f"firm:{firm}", "--note", "INN matches", "--json")
    assert r.code == 0, r.err
    assert r.json["links"][0]["note"] == "INN matches"


def test_rel_add_and_list(run_cli, db_path, case):
    a, b = _firms(db_path, "Holding", "Subsidiary")
    r = run_cli(
        "rel", "add", "--case", case, a, b, "--kind", "ownership", "--share", "75", "--json"
    )
    assert r.code == 0, r.err
    listed = run_cli("rel", "list", "--case", case, "--json").json["relationships"]
    assert [(x["from_uid"], x["to_uid"], x["share"]) for x in listed] == [(a, b, 75.0)]


def test_finding_add_with_evidence_and_list(run_cli, case, doc):
    run_cli("evidence", "add", str(doc), "--case", case, "--grade", "A2")
    r = run_cli(
        "finding",
        "add",
        "--case",
        case,
        "X very likely supplied Y.",
        "--likelihood",
        "very likely",
        "--confidence",
        "moderate",
        "--evidence",
        "E1",
        "--json",
    )
    assert r.code == 0, r.err
    [finding] = run_cli("finding", "list", "--case", case, "--json").json["findings"]
    assert finding["evidence"][0]["grade"] == "A2" and finding["warnings"] == []


def test_search_json_finds_cyrillic_substring_in_a_shipment(run_cli, db_path, case):
    _shipments(db_path, case, ["СТАНОК ТОКАРНЫЙ С ЧПУ МОД. 16К20", "ФРЕЗА КОНЦЕВАЯ"])
    r = run_cli("search", "танок", "--json")
    assert r.code == 0, r.err
    [hit] = r.json["results"]
    assert {"kind", "uid", "case_ref", "title", "snippet"} <= set(hit)
    assert hit["kind"] == "shipment" and hit["title"].startswith("СТАНОК ТОКАРНЫЙ")


def test_search_finds_chinese_firm(run_cli, db_path, case):
    [firm] = _firms(db_path, "北京精雕科技集团有限公司")
    r = run_cli("search", "精雕科", "--json")
    assert [(h["kind"], h["uid"]) for h in r.json["results"]] == [("firm", firm)]


def test_search_with_no_results_exits_0(run_cli, case):
    r = run_cli("search", "nothing-like-this", "--json")
    assert (r.code, r.json) == (0, {"results": []})


def test_search_text_output_groups_by_kind(run_cli, db_path, case):
    _firms(db_path, "Станкоимпорт")
    r = run_cli("search", "станк")
    assert r.code == 0 and r.out.splitlines() == ["firm:", "  Станкоимпорт"]


def test_verify_counts_blobs(run_cli, case, doc):
    run_cli("evidence", "add", str(doc), "--case", case)
    r = run_cli("verify", "--json")
    assert r.code == 0 and r.json["checked"]["blobs"] == 1


def test_evidence_add_of_a_symbolic_link_exits_1_unless_followed(run_cli, case, doc, tmp_path):
    """Issue #24, finding 6 (DESIGN.md: links, devices and FIFOs exit 1)."""
    link = tmp_path / "registry.pdf"
    link.symlink_to(doc)
    r = run_cli("evidence", "add", str(link), "--case", case, "--json")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("error: ") and "symbolic link" in r.err and "--follow-symlinks" in r.err
    r = run_cli("evidence", "add", str(link), "--case", case, "--follow-symlinks", "--json")
    assert r.code == 0, r.err
    shown = run_cli("evidence", "show", r.json["uid"], "--json").json
    assert str(doc.resolve()) in shown["notes"] and shown["original_name"] == "registry.pdf"


@pytest.mark.parametrize("special", ["/dev/null", "/dev/zero"])
def test_evidence_add_of_a_device_exits_1(run_cli, case, special):
    r = run_cli("evidence", "add", special, "--case", case, "--follow-symlinks")
    assert r.code == 1 and "device" in r.err, r.err
