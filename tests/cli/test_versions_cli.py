"""Optimistic concurrency: a save made on a stale version of a record is refused (exit 1,
"changed by NAME at HH:MM — reload"), never a lost update; on both backends."""

from __future__ import annotations

import re

import pytest

from casebook.book import Casebook
from casebook.core.errors import StaleVersion

STALE = re.compile(r"changed by (\w+) at \d\d:\d\d — reload")


def _case_with_finding(run_cli) -> str:
    assert run_cli("case", "new", "Team", "--ref", "CB-T-1", "--json").code == 0
    made = run_cli(
        "finding", "add", "--case", "CB-T-1", "The firm is likely a front.",
        "--likelihood", "likely", "--confidence", "low", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    return made.json["uid"]


def test_second_save_on_a_stale_version_is_refused(run_cli, db_path):
    uid = _case_with_finding(run_cli)
    [listed] = run_cli("finding", "list", "--case", "CB-T-1", "--json").json["findings"]
    read = listed["version"]
    assert run_cli("version", "finding", uid, "--json").json["version"] == read
    with Casebook.open(db_path, user="alice") as alice:  # alice saves first, on what she read
        alice.edit_finding(uid, text="Alice's judgment: likely a front.", version=read)
        who = alice.identity()["login"]  # on a server, the login role (the audit user there)

    late = run_cli("finding", "edit", uid, "--text", "Tester's text", "--if-version", read)

    assert late.code == 1
    assert late.out == ""
    assert STALE.search(late.err).group(1) == who, late.err
    [kept] = run_cli("finding", "list", "--case", "CB-T-1", "--json").json["findings"]
    assert kept["text"] == "Alice's judgment: likely a front."  # no lost update


def test_a_save_on_the_current_version_goes_through_and_moves_it(run_cli):
    uid = _case_with_finding(run_cli)
    read = run_cli("version", "finding", uid, "--json").json["version"]
    saved = run_cli("finding", "edit", uid, "--confidence", "high", "--if-version", read, "--json")
    assert saved.code == 0, saved.err
    assert saved.json["confidence"] == "high"
    assert saved.json["version"] != read
    again = run_cli("finding", "edit", uid, "--confidence", "low", "--if-version", read)
    assert again.code == 1 and STALE.search(again.err)
    # without a version the save goes ahead, as in single-user use
    assert run_cli("finding", "edit", uid, "--confidence", "low").code == 0


def test_case_edit_on_a_stale_version_is_refused(run_cli, db_path):
    run_cli("case", "new", "Team", "--ref", "CB-T-2")
    read = run_cli("version", "case", "CB-T-2", "--json").json["version"]
    with Casebook.open(db_path, user="alice") as alice:
        alice.edit_case("CB-T-2", title="Renamed by alice", version=read)
        who = alice.identity()["login"]
    late = run_cli("case", "edit", "CB-T-2", "--title", "Mine", "--if-version", read)
    assert late.code == 1
    assert f"case CB-T-2 was changed by {who} at" in late.err
    assert run_cli("case", "show", "CB-T-2", "--json").json["title"] == "Renamed by alice"


def test_evidence_and_relationship_saves_check_versions(db_path, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("minutes of the board")
    with Casebook.open(db_path, user="tester", create=True) as book:
        book.create_case(title="Team", ref="CB-T-3")
        item = book.add_evidence(source, case_ref="CB-T-3").json()
        [listed] = book.list_evidence(case_ref="CB-T-3", versions=True)
        with Casebook.open(db_path, user="alice") as alice:
            alice.edit_evidence(item["uid"], title="Board minutes", version=listed["version"])
            who = alice.identity()["login"]
        with pytest.raises(StaleVersion, match=f"changed by {who} at"):
            book.edit_evidence(item["uid"], title="Mine", version=listed["version"])
        assert book.show_evidence(item["uid"])["title"] == "Board minutes"


def test_an_unknown_version_kind_is_a_usage_error(run_cli):
    run_cli("case", "new", "Team", "--ref", "CB-T-4")
    assert run_cli("version", "thing", "CB-T-4").code == 2
