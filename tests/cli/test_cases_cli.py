"""The command-line contract for cases (DESIGN.md), as outside scripts call it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import store_exists

CASE_FIELDS = {
    "uid",
    "ref",
    "title",
    "summary",
    "status",
    "priority",
    "marking",
    "created",
    "updated",
}


def test_case_new_prints_the_case_json(run_cli):
    r = run_cli(
        "case", "new", "CNC via Turkey", "--ref", "CB-2024-007", "--marking", "TLP:AMBER", "--json"
    )
    assert r.code == 0, r.err
    case = r.json
    assert set(case) == CASE_FIELDS
    assert case["ref"] == "CB-2024-007"
    assert case["title"] == "CNC via Turkey"
    assert case["marking"] == "TLP:AMBER"
    assert case["status"] == "open"
    assert case["created"].endswith("Z")


def test_case_list_returns_the_new_case(run_cli):
    made = run_cli("case", "new", "CNC via Turkey", "--ref", "CB-2024-007", "--json").json
    listed = run_cli("case", "list", "--json").json
    assert listed == {"cases": [made]}


def test_duplicate_ref_exits_1_with_one_error_line(run_cli):
    run_cli("case", "new", "First", "--ref", "CB-2024-007")
    r = run_cli("case", "new", "Second", "--ref", "CB-2024-007", "--json")
    assert r.code == 1
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "CB-2024-007" in lines[0]


def test_unknown_case_exits_2(run_cli):
    run_cli("case", "new", "First", "--ref", "CB-1")
    r = run_cli("case", "show", "NOPE", "--json")
    assert r.code == 2 and r.out == "" and r.err.startswith("error:")


def test_list_on_missing_store_exits_2_and_creates_nothing(run_cli, db_path):
    r = run_cli("case", "list", "--json")
    assert r.code == 2 and r.out == ""
    assert "no store" in r.err
    assert not store_exists(db_path)


def test_default_ref_counts_up_within_the_year(run_cli):
    first = run_cli("case", "new", "A", "--json").json["ref"]
    second = run_cli("case", "new", "B", "--json").json["ref"]
    assert first.startswith("CB-") and first.endswith("-001")
    assert second.endswith("-002")


def test_case_edit_changes_fields_and_keeps_others(run_cli):
    run_cli("case", "new", "Станки через Турцию", "--ref", "CB-RU-1", "--summary", "s")
    r = run_cli("case", "edit", "CB-RU-1", "--status", "active", "--marking", "tlp:red", "--json")
    assert r.code == 0, r.err
    assert r.json["status"] == "active"
    assert r.json["marking"] == "TLP:RED"
    assert r.json["title"] == "Станки через Турцию"
    assert r.json["summary"] == "s"


def test_unknown_marking_is_a_usage_error(run_cli):
    r = run_cli("case", "new", "X", "--marking", "TLP:PURPLE", "--json")
    assert r.code == 2 and "marking" in r.err


def test_legacy_white_marking_is_written_as_clear(run_cli):
    assert (
        run_cli("case", "new", "X", "--marking", "TLP:WHITE", "--json").json["marking"]
        == "TLP:CLEAR"
    )


def test_text_output_is_readable(run_cli):
    run_cli("case", "new", "北京精雕科技 数控机床", "--ref", "CB-CN-1")
    r = run_cli("case", "list")
    assert r.code == 0
    assert "CB-CN-1" in r.out and "北京精雕科技 数控机床" in r.out


def test_global_options_go_before_the_command(tmp_path):
    db = tmp_path / "x.db"
    r = subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(db), "case", "new", "T", "--json"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "casebook", "--version"], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stdout.startswith("casebook ")


def test_casebook_db_environment_variable_sets_the_default_store(tmp_path, monkeypatch):
    from casebook.__main__ import main

    db = tmp_path / "env.db"
    monkeypatch.setenv("CASEBOOK_DB", str(db))
    assert main(["case", "new", "Env", "--json"]) == 0
    assert db.exists()
