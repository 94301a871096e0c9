"""The command-line contract for lists, screening and hit review (DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import store_exists

from casebook.book import Casebook
from casebook.book.cases import find_case
from casebook.store import models as m

HIT_FIELDS = {
    "id",
    "subject_kind",  # issue 21: firm | person
    "subject_uid",
    "subject_name",
    "subject_matched_name",
    "firm_uid",
    "firm_name",
    "firm_matched_name",
    "list",
    "version",
    "listed_uid",
    "listed_name",
    "matched_name",
    "programmes",
    "score",
    "reasons",
    "status",
}
LOAD_FIELDS = {"list", "version", "format", "published", "entities", "names"}
STANKOPROM = (
    '45631,"STANKOPROM OOO",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Tax ID No. 3661073772 (Russia); Registration Number 1163668096327 (Russia)."\r\n'
)


@pytest.fixture
def sdn(tmp_path: Path) -> Path:
    path = tmp_path / "sdn.csv"
    path.write_bytes(STANKOPROM.encode())
    return path


def add_firm(db_path: Path, *, case_ref: str, name: str, identifiers: dict | None = None) -> str:
    """A firm linked to the case, written straight into the store; returns its uid."""
    with Casebook.open(db_path, user="tester") as book, book.store.write() as session:
        firm = m.Firm(name=name)
        session.add(firm)
        session.flush()
        for scheme, value in (identifiers or {}).items():
            session.add(m.FirmIdentifier(firm_id=firm.id, scheme=scheme, value=value))
        session.add(m.CaseFirm(case_id=find_case(session, case_ref).id, firm_id=firm.id))
        return firm.uid


def test_lists_load_creates_the_store_and_prints_the_counts(run_cli, db_path, reference_dir):
    r = run_cli(
        "lists",
        "load",
        str(reference_dir / "ofac_sdn_2024-05-03_subset.csv"),
        "--alt",
        str(reference_dir / "ofac_alt_2025-01_subset.csv"),
        "--add",
        str(reference_dir / "ofac_add_2025-01_subset.csv"),
        "--published",
        "2024-05-03",
        "--json",
    )
    assert r.code == 0, r.err
    assert store_exists(db_path)
    assert LOAD_FIELDS <= set(r.json)
    assert r.json["list"] == "OFAC SDN" and r.json["format"] == "ofac"
    assert (r.json["version"], r.json["published"]) == (1, "2024-05-03")
    assert (r.json["entities"], r.json["names"]) == (3293, 14385)


def test_lists_shows_every_list_with_its_versions(run_cli, sdn):
    run_cli("lists", "load", str(sdn), "--name", "Watch list", "--format", "ofac")
    run_cli("lists", "load", str(sdn), "--name", "Watch list")
    r = run_cli("lists", "--json")
    assert r.code == 0, r.err
    [listed] = r.json["lists"]
    assert listed["name"] == "Watch list" and listed["version"] == 2
    assert [v["version"] for v in listed["versions"]] == [2, 1]


def test_lists_on_a_missing_store_exits_2(run_cli, db_path):
    r = run_cli("lists", "--json")
    assert r.code == 2 and r.out == "" and r.err.startswith("error:")
    assert not store_exists(db_path)


def test_a_file_that_is_no_list_is_refused(run_cli, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("just,some\ntext,here\n")
    r = run_cli("lists", "load", str(path), "--json")
    assert r.code == 1 and r.out == "" and r.err.startswith("error:")


def test_screen_json_has_exactly_the_design_shape(run_cli, db_path, reference_dir):
    run_cli("lists", "load", str(reference_dir / "ofac_sdn_2024-05-03_subset.csv"))
    run_cli("case", "new", "CNC via Turkey", "--ref", "CB-1")
    uid = add_firm(db_path, case_ref="CB-1", name="ООО «Станкопром»")
    add_firm(
        db_path,
        case_ref="CB-1",
        name="SINO MACHINERY CO LTD",
        identifiers={"cn_uscc": "91341000MA2NY77U6X"},
    )
    r = run_cli("screen", "--case", "CB-1", "--json")
    assert r.code == 0, r.err
    assert set(r.json) == {"hits"}
    assert all(set(hit) == HIT_FIELDS for hit in r.json["hits"])
    by_listed = {h["listed_name"]: h for h in r.json["hits"]}
    stankoprom = by_listed["STANKOPROM OOO"]
    assert stankoprom["firm_uid"] == uid and stankoprom["firm_matched_name"] == "ООО «Станкопром»"
    subject = [stankoprom[k] for k in ("subject_kind", "subject_uid", "subject_name")]
    assert subject == ["firm", uid, stankoprom["firm_name"]]  # issue 21: the firm is the subject
    assert stankoprom["list"] == "OFAC SDN" and stankoprom["listed_uid"] == "45631"
    assert stankoprom["programmes"] == ["RUSSIA-EO14024"] and stankoprom["status"] == "unreviewed"
    sino = by_listed["SINO MACHINERY CO., LTD."]
    assert any("91341000MA2NY77U6X" in reason for reason in sino["reasons"])


def test_screen_without_hits_exits_0(run_cli, db_path, sdn):
    run_cli("lists", "load", str(sdn))
    run_cli("case", "new", "CNC via Turkey", "--ref", "CB-1")
    add_firm(db_path, case_ref="CB-1", name="Harbin Machine Tool Factory")
    r = run_cli("screen", "--case", "CB-1", "--threshold", "0.9", "--json")
    assert r.code == 0, r.err
    assert r.json == {"hits": []}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--case", "CB-404"), 2),
        (("--case", "CB-1", "--list", "No such list"), 2),
        (("--case", "CB-1", "--threshold", "2"), 2),
    ],
)
def test_screen_usage_errors_exit_2(run_cli, sdn, args, code):
    run_cli("lists", "load", str(sdn))
    run_cli("case", "new", "CNC via Turkey", "--ref", "CB-1")
    r = run_cli("screen", *args, "--json")
    assert r.code == code and r.out == "" and r.err.startswith("error:")


def test_hits_review_confirms_and_a_new_screen_keeps_it(run_cli, db_path, sdn):
    run_cli("lists", "load", str(sdn))
    run_cli("case", "new", "CNC via Turkey", "--ref", "CB-1")
    add_firm(db_path, case_ref="CB-1", name="STANKOPROM LLC")
    [hit] = run_cli("screen", "--case", "CB-1", "--json").json["hits"]
    r = run_cli("hits", "review", str(hit["id"]), "--confirm", "--note", "same INN", "--json")
    assert r.code == 0, r.err
    assert set(r.json) >= HIT_FIELDS and r.json["status"] == "confirmed"
    run_cli("lists", "load", str(sdn))  # version 2, entry unchanged
    [again] = run_cli("screen", "--case", "CB-1", "--json").json["hits"]
    assert (again["id"], again["version"], again["status"]) == (hit["id"], 2, "confirmed")


@pytest.mark.parametrize(
    "args",
    [("999", "--dismiss"), ("not-a-number", "--confirm"), ("1",), ("1", "--confirm", "--dismiss")],
)
def test_hits_review_unknown_hit_or_bad_usage_exits_2(run_cli, sdn, args):
    run_cli("lists", "load", str(sdn))
    r = run_cli("hits", "review", *args, "--json")
    assert r.code == 2 and r.out == ""


def test_an_unrelated_file_of_the_same_format_is_a_list_of_its_own(run_cli, db_path, reference_dir):
    run_cli("lists", "load", str(reference_dir / "opensanctions_zala_aero_cluster.ftm.jsonl"))
    r = run_cli("lists", "load", str(reference_dir / "opensanctions_eu_fsf_sample.ftm.jsonl"))
    assert r.code == 0, r.err
    assert "Screening now uses" not in r.out
    shown = run_cli("lists")
    lines = [" ".join(line.split()) for line in shown.out.splitlines()]
    assert lines[1:] == [
        "OpenSanctions eu_fsf 1 2024-06-01 2 35",
        "OpenSanctions zala_aero_cluster 1 2026-04-29 8 215",
    ]
    listed = run_cli("lists", "--json").json["lists"]
    assert all(
        {"name", "format", "version", "published", "entities", "names"} <= set(x) for x in listed
    )
    run_cli("case", "new", "Drones", "--ref", "CB-1")
    add_firm(db_path, case_ref="CB-1", name="ZALA AERO GROUP")
    add_firm(db_path, case_ref="CB-1", name="Kalashnikov Concern")
    hits = run_cli(
        "screen", "--case", "CB-1", "--list", "OpenSanctions zala_aero_cluster", "--json"
    ).json["hits"]
    assert {h["firm_name"]: h["score"] for h in hits} == {
        "ZALA AERO GROUP": 1.0,
        "Kalashnikov Concern": 1.0,
    }


def test_csl_2019_after_csl_2025_keeps_both(run_cli, reference_dir):
    run_cli("lists", "load", str(reference_dir / "us_csl_consolidated_sample_2025.csv"))
    run_cli("lists", "load", str(reference_dir / "us_csl_sample_2019.csv"))
    listed = run_cli("lists", "--json").json["lists"]
    assert [(x["name"], x["version"]) for x in listed] == [
        ("US CSL consolidated_sample", 1),
        ("US CSL sample", 1),
    ]


def test_an_older_version_needs_force(run_cli, sdn):
    run_cli("lists", "load", str(sdn), "--published", "2024-06-01")
    r = run_cli("lists", "load", str(sdn), "--published", "2024-05-03", "--json")
    assert r.code == 1 and r.out == ""
    assert "older than OFAC SDN version 1" in r.err and "--force" in r.err
    r = run_cli("lists", "load", str(sdn), "--published", "2024-05-03", "--force", "--json")
    assert r.code == 0, r.err
    assert LOAD_FIELDS <= set(r.json) and r.json["version"] == 2
    assert r.json["replaces"] == {"version": 1, "published": "2024-06-01"}
    text = run_cli("lists", "load", str(sdn), "--published", "2024-05-03").out
    assert "version 3" in text and "instead of version 2 (2024-05-03)" in text


# --- persons (issue 21) ---------------------------------------------------------------------

ROTENBERG = "16669"  # ROTENBERG, Arkady Romanovich; DOB 15 Dec 1951; Tax ID No. 780619032880


def _person(run_cli, name: str, *args: str) -> str:
    r = run_cli("person", "add", name, "--case", "CB-1", *args, "--json")
    assert r.code == 0, r.err
    return r.json["uid"]


def test_persons_are_screened_against_listed_individuals_only(run_cli, db_path, reference_dir):
    assert run_cli("lists", "load", str(reference_dir / "ofac_sdn_2024-05-03_subset.csv")).code == 0
    run_cli("case", "new", "Owners", "--ref", "CB-1")
    same = _person(run_cli, "РОТЕНБЕРГ Аркадий Романович", "--birth-date", "1951-12-15")
    namesake = _person(run_cli, "Ротенберг Аркадий Романович", "--birth-date", "1969-12-15")
    by_inn = _person(run_cli, "Иванов Пётр", "--id", "ru_inn:780619032880")
    entity_named = _person(run_cli, "Stankoprom")  # an entity's name, not an individual's
    firm = add_firm(db_path, case_ref="CB-1", name="Rotenberg Arkady Romanovich")
    r = run_cli("screen", "--case", "CB-1", "--json")
    assert r.code == 0, r.err
    assert all(set(hit) == HIT_FIELDS for hit in r.json["hits"])
    people = [h for h in r.json["hits"] if h["subject_kind"] == "person"]
    on_rotenberg = {h["subject_uid"]: h for h in people if h["listed_uid"] == ROTENBERG}
    assert set(on_rotenberg) == {same, by_inn}
    hit = on_rotenberg[same]
    assert hit["subject_name"] == "РОТЕНБЕРГ Аркадий Романович"
    assert (hit["firm_uid"], hit["firm_name"], hit["firm_matched_name"]) == (None, None, None)
    assert "same birth date 1951-12-15" in hit["reasons"]
    assert on_rotenberg[by_inn]["score"] == 1.0
    assert namesake not in {h["subject_uid"] for h in people}
    assert entity_named not in {h["subject_uid"] for h in people}
    firm_hits = [h for h in r.json["hits"] if h["subject_kind"] == "firm"]
    assert all(h["listed_uid"] != ROTENBERG for h in firm_hits)  # individuals: persons only
    assert all(h["firm_uid"] == h["subject_uid"] for h in firm_hits)
    assert firm not in {h["subject_uid"] for h in people}
    # a person's hit is reviewed like a firm's, and the review survives a new screen
    r = run_cli("hits", "review", str(hit["id"]), "--confirm", "--note", "same DOB", "--json")
    assert r.code == 0, r.err
    assert r.json["status"] == "confirmed" and r.json["subject_uid"] == same
    again = run_cli("screen", "--case", "CB-1", "--json").json["hits"]
    [kept] = [h for h in again if h["subject_uid"] == same and h["listed_uid"] == ROTENBERG]
    assert kept["status"] == "confirmed" and kept["id"] == hit["id"]
