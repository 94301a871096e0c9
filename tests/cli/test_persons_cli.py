"""``casebook person add|list|show|merge|split`` (issue 21, step 1): the JSON shape of
DESIGN.md, validated birth dates, nationalities and personal identifiers, merges that a split
undoes, and audited changes."""

from __future__ import annotations

import pytest
from tests.conftest import sql_on

INN = "773407989940"  # a valid 12-digit personal INN (checksummed)


@pytest.fixture
def case(run_cli):
    r = run_cli("case", "new", "People", "--ref", "P-1", "--json")
    assert r.code == 0, r.err
    return "P-1"


def _add(run_cli, *args):
    r = run_cli("person", "add", *args, "--json")
    assert r.code == 0, r.err
    return r.json


def test_add_prints_the_person_in_the_contracts_shape(run_cli, case):
    p = _add(run_cli, "ROTENBERG, Arkady Romanovich", "--case", case, "--native",
             "Ротенберг Аркадий Романович", "--birth-date", "1951-12-15", "--nationality", "ru",
             "--id", f"ru_inn:{INN}", "--id", "passport:45 06 123456")  # fmt: skip
    contract = ("uid", "name", "native_name", "birth_date", "nationality", "identifiers")
    assert len(p["uid"]) == 32 and int(p["uid"], 16) >= 0
    assert {k: p[k] for k in contract if k != "uid"} == {
        "name": "ROTENBERG, Arkady Romanovich",
        "native_name": "Ротенберг Аркадий Романович",
        "birth_date": "1951-12-15",
        "nationality": "RU",
        "identifiers": {"ru_inn": INN, "passport": "4506123456"},
    }
    # the DESIGN.md additions; fields are added, never renamed
    assert set(p) - set(contract) == {"aliases", "notes", "merged_into", "created"}
    year_only = _add(run_cli, "Ivan Petrov", "--case", case, "--birth-date", "1970")
    assert year_only["birth_date"] == "1970"
    listed = run_cli("person", "list", "--case", case, "--json")
    assert listed.code == 0, listed.err
    assert [q["name"] for q in listed.json["persons"]] == ["Ivan Petrov", p["name"]]
    shown = run_cli("person", "show", p["uid"])
    assert shown.code == 0 and "Ротенберг Аркадий Романович" in shown.out and INN in shown.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--id", "ru_inn:7707083893"), "12-digit personal INN"),  # a firm's INN
        (("--id", "ru_inn:773407989941"), "12-digit personal INN"),  # bad checksum
        (("--id", "ogrn:1027700132195"), "unknown identifier scheme"),
        (("--id", "passport"), "SCHEME:VALUE"),
        (("--birth-date", "15/13/1951"), "birth date"),
        (("--nationality", "Atlantis"), "nationality"),
    ],
)
def test_bad_values_exit_2_naming_the_value(run_cli, case, args, message):
    r = run_cli("person", "add", "Someone", "--case", case, *args, "--json")
    assert r.code == 2 and r.out == "" and message in r.err


def test_unknown_case_or_person_exits_2(run_cli, case):
    assert run_cli("person", "add", "A", "--case", "NOPE", "--json").code == 2
    assert run_cli("person", "show", "f" * 32, "--json").code == 2


def test_merge_moves_spellings_and_identifiers_and_split_restores_them(run_cli, case, db_path):
    keep = _add(run_cli, "Arkady Rotenberg", "--case", case)
    other = _add(run_cli, "Ротенберг А. Р.", "--case", case, "--id", f"ru_inn:{INN}",
                 "--birth-date", "1951")  # fmt: skip
    merged = run_cli("person", "merge", keep["uid"], other["uid"], "--json")
    assert merged.code == 0, merged.err
    shown = run_cli("person", "show", keep["uid"], "--json").json
    assert shown["identifiers"] == {"ru_inn": INN} and shown["birth_date"] == "1951"
    assert "Ротенберг А. Р." in shown["aliases"]
    names = [p["uid"] for p in run_cli("person", "list", "--case", case, "--json").json["persons"]]
    assert names == [keep["uid"]]
    again = run_cli("person", "merge", keep["uid"], other["uid"], "--json")
    assert again.code == 1 and "already merged" in again.err
    split = run_cli("person", "split", other["uid"], "--json")
    assert split.code == 0, split.err
    assert split.json["restored"] == other["uid"]
    shown = run_cli("person", "show", keep["uid"], "--json").json
    assert (shown["identifiers"], shown["birth_date"], shown["aliases"]) == ({}, None, [])
    assert run_cli("person", "show", other["uid"], "--json").json["merged_into"] is None
    actions = [a for (a,) in sql_on(db_path, "SELECT action FROM auditevent ORDER BY id")]
    people = [a for a in actions if a.startswith("person")]
    assert people == ["person.add", "person.add", "person.merge", "person.split"]


def test_search_finds_a_person_by_any_spelling_or_identifier(run_cli, case):
    p = _add(run_cli, "Arkady Rotenberg", "--case", case, "--native", "Ротенберг Аркадий",
             "--alias", "ROTENBERG, Arkady Romanovich", "--id", f"ru_inn:{INN}")  # fmt: skip
    for text in ("Ротенберг", "Romanovich", INN[:6]):
        r = run_cli("search", text, "--case", case, "--json")
        assert r.code == 0, r.err
        found = [x for x in r.json["results"] if x["kind"] == "person"]
        assert [(x["uid"], x["case_ref"], x["title"]) for x in found] == [
            (p["uid"], case, "Arkady Rotenberg")
        ], text
    other = _add(run_cli, "Rotenberg Boris", "--case", case)
    assert run_cli("person", "merge", p["uid"], other["uid"]).code == 0
    r = run_cli("search", "Boris", "--json")
    assert [x["uid"] for x in r.json["results"] if x["kind"] == "person"] == [p["uid"]]


def test_a_case_holding_persons_is_not_deleted_as_empty(book):
    book.create_case(title="People only", ref="P-9")
    book.add_person(case_ref="P-9", name="Ivan Petrov")
    from casebook.core.errors import Refused

    with pytest.raises(Refused, match="1 persons"):
        book.delete_case("P-9")
    assert book.case_counts("P-9")["persons"] == 1


def test_a_person_is_deleted_only_while_nothing_names_it(book):
    from casebook.core.errors import Refused

    book.create_case(title="People", ref="P-8")
    ivan = book.add_person(case_ref="P-8", name="Ivan Petrov")
    olga = book.add_person(case_ref="P-8", name="Olga Petrova")
    book.add_relationship(case_ref="P-8", from_uid=ivan["uid"], to_uid=olga["uid"], kind="family")
    with pytest.raises(Refused, match="1 relationships"):
        book.delete_person(olga["uid"])
    lone = book.add_person(case_ref="P-8", name="Nobody")
    assert book.delete_person(lone["uid"])["name"] == "Nobody"
    assert [p["name"] for p in book.list_persons(case_ref="P-8")] == ["Ivan Petrov", "Olga Petrova"]
