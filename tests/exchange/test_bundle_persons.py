"""Issue 21: persons and their links travel in case bundles — a round trip into an empty store
compares equal; a forged person is refused before anything is written."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from casebook.book import Casebook


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


case_contents = _sibling("test_bundle").case_contents
zips = _sibling("zips")
INN = "773407989940"


def _people(book, filled) -> dict:
    ref = filled.ref
    ivan = book.add_person(case_ref=ref, name="Ivan Petrov", native_name="Иван Петров",
                           birth_date="1970", nationality="RU",
                           identifiers=[f"ru_inn:{INN}", "passport:4506 123456"],
                           notes="Named in the 2023 registry extract")  # fmt: skip
    olga = book.add_person(case_ref=ref, name="Olga Petrova", aliases=["О. Петрова"])
    gone = book.add_person(case_ref=ref, name="I. Petrov")
    book.merge_persons(keep=ivan["uid"], other=gone["uid"])
    first, second = filled.firm_uids[:2]
    book.add_relationship(case_ref=ref, from_uid=ivan["uid"], to_uid=first, kind="director",
                          start="2021-01-01", end="2023-06-30", notes="ЕГРЮЛ",
                          evidence=["E1"])  # fmt: skip
    book.add_relationship(case_ref=ref, from_uid=second, to_uid=olga["uid"],
                          kind="shareholder", share=40)  # fmt: skip
    book.add_relationship(case_ref=ref, from_uid=ivan["uid"], to_uid=olga["uid"], kind="family")
    return _shown(book, ref)


def _shown(book, ref: str) -> dict:
    """Persons (by name) and links (by uid: a bundle holds them keyed, not in order)."""
    links = sorted(book.list_person_links(case_ref=ref), key=lambda k: k["uid"])
    return {"persons": book.list_persons(case_ref=ref), "links": links}


def test_persons_and_their_links_round_trip(book, filled, tmp_path):
    made = _people(book, filled)
    assert len(made["persons"]) == 2 and len(made["links"]) == 3
    director = next(k for k in made["links"] if k["kind"] == "director")
    assert [e["id"] for e in director["evidence"]] == ["E1"] and director["notes"] == "ЕГРЮЛ"
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    with Casebook.open(tmp_path / "other.db", user="colleague", create=True) as other:
        opened = other.open_bundle(out)
        assert opened["conflicts"] == []
        assert opened["created"]["persons"] == 3 and opened["created"]["person_links"] == 3
        assert _shown(other, filled.ref) == made
        assert case_contents(other, filled.ref) == case_contents(book, filled.ref)
        again = other.open_bundle(out)
        assert again["created"]["persons"] == 0 and again["matched"]["persons"] == 3
        assert _shown(other, filled.ref) == made


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(identifiers={"ru_inn": "7707083893"}), "invalid ru_inn"),
        (lambda p: p.update(birth_date="15.12.1951"), "birth_date"),
        (lambda p: p.update(birth_date="1951-02-30"), "birth_date"),  # no such day
        (lambda p: p.update(birth_date="2999"), "birth_date"),  # not born yet
        (lambda p: p.update(merged_into="f" * 32), "merged into"),
    ],
)
def test_a_forged_person_is_refused(book, filled, tmp_path, change, message):
    _people(book, filled)
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    members = zips.members_of(out)
    records = json.loads(members["records.json"])
    change(next(iter(records["persons"].values())))
    members["records.json"] = json.dumps(records).encode()
    forged = zips.rebuild(tmp_path / "forged.casebook", members)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        zips.assert_refused_and_untouched(other, forged, message, tmp_path)


def test_ftm_export_writes_persons_directorships_and_ownerships_that_validate(
    book, filled, tmp_path
):
    ftm = pytest.importorskip("followthemoney")
    open_formats = _sibling("test_open_formats")
    made = _people(book, filled)
    out = tmp_path / "case.ftm.json"
    book.export_case(case_ref=filled.ref, out=out)
    entities = open_formats.ftm_entities(out)
    open_formats._validate_with_followthemoney(ftm, entities)
    by_schema: dict[str, list] = {}
    for e in entities:
        by_schema.setdefault(e["schema"], []).append(e)
    persons = {e["properties"]["name"][0]: e for e in by_schema["Person"]}
    assert set(persons) == {p["name"] for p in made["persons"]}  # the merged-away one is not
    ivan = persons["Ivan Petrov"]["properties"]
    assert ivan["innCode"] == [INN] and ivan["passportNumber"] == ["4506123456"]
    assert ivan["birthDate"] == ["1970"] and ivan["nationality"] == ["ru"]
    assert "Иван Петров" in ivan["alias"] and "I. Petrov" in ivan["alias"]
    [directorship] = by_schema["Directorship"]
    assert directorship["properties"]["director"] == [persons["Ivan Petrov"]["id"]]
    assert directorship["properties"]["startDate"] == ["2021-01-01"]
    [owned] = [o for o in by_schema["Ownership"] if o["properties"].get("role") == ["shareholder"]]
    assert owned["properties"]["owner"] == [persons["Olga Petrova"]["id"]]
    assert owned["properties"]["percentage"] == ["40"]
    assert by_schema["Family"][0]["properties"]["relative"] == [persons["Olga Petrova"]["id"]]
