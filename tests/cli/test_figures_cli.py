"""``casebook figures add|list|remove`` (issue 19, item 5): the CLI contract's JSON shapes and
exit codes, a share as a fraction of the same period's total, and audited changes."""

from __future__ import annotations

import pytest
from tests.conftest import sql_on

REF = "DEMO-CNC-RU"


def _sum(db, where: str) -> tuple:
    """Count and USD value of the demo's shipments that match ``where``, read straight from
    the store."""
    return sql_on(db, f"SELECT count(*), sum(value_usd) FROM shipment WHERE {where}")[0]


def test_a_share_is_a_fraction_of_the_same_periods_total(run_cli, demo_db):
    r = run_cli("figures", "add", "--case", REF, "--label", "Chinese share, 2023", "--origin",
                "CN", "--from", "2023", "--to", "2023", "--measure", "share", "--json",
                db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    assert set(r.json) >= {"uid", "label", "value", "command"}
    _, part = _sum(demo_db, "origin = 'CN' AND date BETWEEN '2023-01-01' AND '2023-12-31'")
    _, whole = _sum(demo_db, "date BETWEEN '2023-01-01' AND '2023-12-31'")
    assert r.json["value"] == round(part / whole, 6) and 0 < r.json["value"] < 1
    assert r.json["label"] == "Chinese share, 2023" and len(r.json["uid"]) == 32
    assert r.json["command"] == (
        f"casebook stats --case {REF} --from 2023 --to 2023 --origin CN; "
        f"casebook stats --case {REF} --from 2023 --to 2023"
    )
    r = run_cli("figures", "list", "--case", REF, db=demo_db)
    assert r.code == 0, r.err
    assert f"Chinese share, 2023: {part / whole * 100:.1f}%" in r.out


def test_value_and_count_and_list_and_remove(run_cli, demo_db):
    count, value = _sum(demo_db, "dispatch = 'KZ'")
    made = []
    for measure, expected in (("value", round(value, 2)), ("count", count)):
        r = run_cli("figures", "add", "--case", REF, "--label", f"Via Kazakhstan ({measure})",
                    "--dispatch", "KZ", "--measure", measure, "--json", db=demo_db)  # fmt: skip
        assert r.code == 0, r.err
        assert r.json["value"] == expected
        assert r.json["command"] == f"casebook stats --case {REF} --dispatch KZ"
        made.append(r.json["uid"])
    listed = run_cli("figures", "list", "--case", REF, "--json", db=demo_db)
    assert listed.code == 0, listed.err
    by_uid = {f["uid"]: f for f in listed.json["figures"]}
    assert [by_uid[u]["value"] for u in made] == [round(value, 2), count]
    gone = run_cli("figures", "remove", made[0], "--json", db=demo_db)
    assert gone.code == 0, gone.err
    assert gone.json["uid"] == made[0]
    listed = run_cli("figures", "list", "--case", REF, "--json", db=demo_db)
    assert made[0] not in {f["uid"] for f in listed.json["figures"]}
    actions = sql_on(
        demo_db, "SELECT action FROM auditevent WHERE target_uid = ? ORDER BY id", (made[0],)
    )
    assert [tuple(a) for a in actions] == [("figure.add",), ("figure.remove",)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("add", "--case", REF, "--label", "x", "--measure", "weight"), 2, "unknown measure"),
        (("add", "--case", REF, "--label", " "), 2, "needs a label"),
        (("add", "--case", REF, "--label", "x", "--origin", "Atlantis"), 2, "--origin"),
        (("add", "--case", REF, "--label", "x", "--firm", "f" * 32), 2, "no firm"),
        (("add", "--case", "NO-SUCH", "--label", "x"), 2, "no case"),
        (("list", "--case", "NO-SUCH"), 2, "no case"),
        (("remove", "0" * 32), 2, "no figure"),
    ],
)
def test_bad_input_exits_with_the_contracts_code_and_prints_no_json(
    run_cli, demo_db, args, code, message
):
    r = run_cli("figures", *args, "--json", db=demo_db)
    assert r.code == code
    assert r.out == ""
    assert r.err.startswith("error: ") and message in r.err


def test_pinned_figures_travel_in_a_bundle_from_the_command_line(run_cli, demo_db, tmp_path):
    r = run_cli("figures", "add", "--case", REF, "--label", "Via Kazakhstan", "--dispatch", "KZ",
                "--measure", "count", "--json", db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    pinned = r.json
    out = tmp_path / "case.casebook"
    assert run_cli("export", "--case", REF, "--out", str(out), "--json", db=demo_db).code == 0
    other = tmp_path / "colleague.db"
    opened = run_cli("open-bundle", str(out), "--json", db=other)
    assert opened.code == 0, opened.err
    mine = run_cli("figures", "list", "--case", REF, "--json", db=demo_db).json["figures"]
    assert opened.json["created"]["figures"] == len(mine) and opened.json["conflicts"] == []
    listed = run_cli("figures", "list", "--case", REF, "--json", db=other)
    assert listed.code == 0, listed.err
    assert listed.json["figures"] == mine  # the same figures, recomputed to the same values
    figure = next(f for f in listed.json["figures"] if f["uid"] == pinned["uid"])
    assert (figure["label"], figure["value"]) == ("Via Kazakhstan", pinned["value"])
    assert "Via Kazakhstan: " in run_cli("figures", "list", "--case", REF, db=other).out


@pytest.mark.sqlite_only("a store file: missing, or written by a newer Casebook")
def test_a_missing_store_exits_2_and_a_newer_one_exits_3(run_cli, tmp_path):
    import sqlite3

    from casebook.book import Casebook

    missing = tmp_path / "nowhere.db"
    for args in (("list", "--case", REF), ("add", "--case", REF, "--label", "x")):
        r = run_cli("figures", *args, "--json", db=missing)
        assert (r.code, r.out) == (2, ""), r.err
        assert not missing.exists()  # reading commands never create a store
    newer = tmp_path / "newer.db"
    Casebook.open(newer, create=True).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    r = run_cli("figures", "add", "--case", REF, "--label", "x", "--json", db=newer)
    assert (r.code, r.out) == (3, "") and "newer" in r.err
