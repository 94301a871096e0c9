"""``rel add`` with a person at either end (issue 21, step 2): the person kinds, shares only
for owners, dates and evidence; links that follow firm merges and splits, and person merges."""

from __future__ import annotations

import pytest

from casebook.book import Casebook
from casebook.store import models as m

CASE = "P-2"


def _firms(db_path, *names: str) -> list[str]:
    with Casebook.open(db_path) as book, book.store.write() as session:
        firms = [m.Firm(name=name) for name in names]
        session.add_all(firms)
    return [f.uid for f in firms]


@pytest.fixture
def ends(run_cli, db_path):
    assert run_cli("case", "new", "People", "--ref", CASE).code == 0
    people = [
        run_cli("person", "add", name, "--case", CASE, "--json").json["uid"]
        for name in ("Ivan Petrov", "Olga Petrova")
    ]
    return people, _firms(db_path, "OOO Vector", "Anka Trade")


def _rel(run_cli, *args):
    return run_cli("rel", "add", "--case", CASE, *args, "--json")


def test_a_person_directs_and_owns_a_firm_with_dates_and_evidence(run_cli, ends, tmp_path):
    (ivan, olga), (vector, anka) = ends
    doc = tmp_path / "egrul.txt"
    doc.write_text("ЕГРЮЛ: директор Петров Иван", encoding="utf-8")
    assert run_cli("evidence", "add", str(doc), "--case", CASE, "--grade", "B2").code == 0
    r = _rel(run_cli, ivan, vector, "--kind", "director", "--start", "2021-03-01", "--end",
             "2023-06-30", "--evidence", "E1")  # fmt: skip
    assert r.code == 0, r.err
    assert (r.json["from_kind"], r.json["to_kind"]) == ("person", "firm")
    assert (r.json["from_name"], r.json["to_name"]) == ("Ivan Petrov", "OOO Vector")
    assert (r.json["start"], r.json["end"]) == ("2021-03-01", "2023-06-30")
    assert [e["id"] for e in r.json["evidence"]] == ["E1"]
    # a firm at the from end, a person at the to end
    r = _rel(run_cli, anka, ivan, "--kind", "shareholder", "--share", "25")
    assert r.code == 0, r.err
    assert (
        r.json["share"] == 25.0 and r.json["label"] == "Anka Trade → Ivan Petrov (shareholder 25%)"
    )
    r = _rel(run_cli, ivan, olga, "--kind", "family")
    assert r.code == 0, r.err
    listed = run_cli("rel", "list", "--case", CASE, "--json").json["relationships"]
    assert [x["kind"] for x in listed] == ["director", "shareholder", "family"]
    shown = run_cli("person", "show", ivan, "--json").json
    assert [x["kind"] for x in shown["links"]] == ["director", "shareholder", "family"]
    people = run_cli("person", "list", "--case", CASE).out
    assert "Ivan Petrov → OOO Vector (director)" in people


@pytest.mark.parametrize(
    ("pick", "args", "message"),
    [
        (lambda p, f: (p[0], f[0]), ("--kind", "ownership"), "unknown relationship kind"),
        (lambda p, f: (p[0], f[0]), ("--kind", "director", "--share", "10"), "share"),
        (lambda p, f: (p[0], f[0]), ("--kind", "family"), "links two persons"),
        (lambda p, f: (p[0], p[1]), ("--kind", "director"), "links a person and a firm"),
        (lambda p, f: (p[0], p[0]), ("--kind", "associate"), "two different"),
        (lambda p, f: (p[0], f[0]), ("--kind", "shareholder", "--share", "140"), "0 to 100"),
        (lambda p, f: (p[0], "f" * 32), ("--kind", "director"), "no firm or person"),
    ],
)
def test_bad_person_links_exit_2(run_cli, ends, pick, args, message):
    r = _rel(run_cli, *pick(*ends), *args)
    assert r.code == 2 and r.out == "" and message in r.err


def test_links_follow_a_firm_merge_and_split_and_a_person_merge(run_cli, ends):
    (ivan, olga), (vector, anka) = ends
    assert _rel(run_cli, ivan, anka, "--kind", "director").code == 0
    assert run_cli("firms", "merge", vector, anka).code == 0
    [link] = run_cli("person", "show", ivan, "--json").json["links"]
    assert link["to_uid"] == vector
    assert run_cli("firms", "split", anka).code == 0
    [link] = run_cli("person", "show", ivan, "--json").json["links"]
    assert link["to_uid"] == anka
    assert run_cli("person", "merge", olga, ivan).code == 0
    [link] = run_cli("person", "show", olga, "--json").json["links"]
    assert link["from_uid"] == olga
    assert run_cli("person", "split", ivan).code == 0
    [link] = run_cli("person", "show", ivan, "--json").json["links"]
    assert link["from_uid"] == ivan


@pytest.mark.parametrize(
    ("kind", "extra", "pick"),
    [
        ("officer", (), lambda p, f: (p[0], f[0])),
        ("beneficial owner", ("--share", "75"), lambda p, f: (p[0], f[0])),
        ("founder", (), lambda p, f: (f[1], p[1])),  # a firm at the from end
        ("employee", (), lambda p, f: (p[1], f[1])),
        ("associate", (), lambda p, f: (p[1], p[0])),
    ],
)
def test_every_person_kind_links_its_ends_with_dates(run_cli, ends, kind, extra, pick):
    """Each kind of issue 21 not covered above, with its dates, seen from the person."""
    first, second = pick(*ends)
    r = _rel(run_cli, first, second, "--kind", kind, "--start", "2020-04-01", "--end", "2022-12-31",
             *extra)  # fmt: skip
    assert r.code == 0, r.err
    assert (r.json["kind"], r.json["from_uid"], r.json["to_uid"]) == (kind, first, second)
    assert r.json["share"] == (75.0 if extra else None)
    person = second if first in ends[1] else first
    [link] = run_cli("person", "show", person, "--json").json["links"]
    assert (link["kind"], link["end"]) == (kind, "2022-12-31") and link["start"] == "2020-04-01"


def test_rel_edit_and_delete_change_a_person_link_and_person_show_follows(run_cli, ends):
    """The People tab's edits go through ``rel edit|delete``: kind, share, dates and note
    change, ends stay; a wrong share or dates exit 2 and leave the link as it was."""
    (ivan, _olga), (vector, _anka) = ends
    uid = _rel(run_cli, ivan, vector, "--kind", "director", "--start", "2021-03-01").json["uid"]
    r = run_cli("rel", "edit", uid, "--kind", "shareholder", "--share", "40", "--end",
                "2024-01-31", "--note", "ЕГРЮЛ выписка", "--json")  # fmt: skip
    assert r.code == 0, r.err
    assert (r.json["kind"], r.json["share"], r.json["start"], r.json["end"]) == (
        "shareholder", 40.0, "2021-03-01", "2024-01-31")  # fmt: skip
    assert (r.json["from_uid"], r.json["to_uid"], r.json["notes"]) == (
        ivan,
        vector,
        "ЕГРЮЛ выписка",
    )
    assert run_cli("rel", "edit", uid, "--share", "150").code == 2
    assert run_cli("rel", "edit", uid, "--end", "2020-01-01").code == 2  # before its start
    assert run_cli("rel", "edit", uid, "--kind", "family").code == 2  # a firm is at one end
    assert run_cli("rel", "edit", uid, "--kind", "director").code == 2  # a director has no share
    shown = run_cli("person", "show", ivan, "--json").json["links"]
    assert [(x["kind"], x["share"], x["end"]) for x in shown] == [
        ("shareholder", 40.0, "2024-01-31")
    ]
    r = run_cli("rel", "edit", uid, "--kind", "director", "--share", "", "--end", "", "--json")
    assert (r.json["kind"], r.json["share"], r.json["end"]) == ("director", None, None)
    r = run_cli("rel", "delete", uid, "--json")
    assert r.code == 0 and r.json["uid"] == uid
    assert run_cli("person", "show", ivan, "--json").json["links"] == []
    assert run_cli("rel", "delete", uid).code != 0
