"""``casebook shipments`` and the shared filter options on ``stats``, ``flags``, ``brief`` and
``export``: one page with totals over every match, options refused by name, unknown uids as
unknown references, and a filtered briefing that says so."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from decimal import Decimal

import pytest
from tests.conftest import sql_on

REF = "DEMO-CNC-RU"


def _store(db, sql: str, params: tuple = ()) -> tuple:
    """One row read straight from the store (not through Casebook); the server's NUMERIC
    values as floats, as the JSON has them."""
    return tuple(float(v) if isinstance(v, Decimal) else v for v in sql_on(db, sql, params)[0])


def test_a_page_of_five_carries_the_totals_of_every_row(run_cli, demo_db):
    r = run_cli("shipments", "--case", REF, "--limit", "5", "--json", db=demo_db)
    assert r.code == 0, r.err
    count, value = _store(
        demo_db, "SELECT count(*), round(CAST(sum(value_usd) AS NUMERIC), 2) FROM shipment"
    )
    assert count > 5
    assert (r.json["total"], r.json["value_usd"]) == (count, value)
    assert (r.json["limit"], r.json["offset"]) == (5, 0)
    assert len(r.json["rows"]) == 5
    assert set(r.json["rows"][0]) == {
        "uid", "date", "declaration_no", "item_no", "exporter_uid", "exporter_name",
        "importer_uid", "importer_name", "origin", "dispatch", "destination", "hs_code",
        "description", "value_usd",
    }  # fmt: skip
    dates = [row["date"] for row in r.json["rows"]]
    assert dates == sorted(dates)  # --sort date is the default


def test_filters_select_the_rows_and_pages_do_not_overlap(run_cli, demo_db):
    args = ("shipments", "--case", REF, "--dispatch", "kz", "--from", "2023", "--json")
    count, value = _store(
        demo_db,
        "SELECT count(*), round(CAST(sum(value_usd) AS NUMERIC), 2) FROM shipment "
        "WHERE dispatch = 'KZ' AND date >= '2023-01-01'",
    )
    first = run_cli(*args, "--limit", "3", "--sort", "value", db=demo_db)
    second = run_cli(*args, "--limit", "3", "--offset", "3", "--sort", "value", db=demo_db)
    assert first.code == second.code == 0, first.err + second.err
    assert (first.json["total"], first.json["value_usd"]) == (count, value) and count > 6
    rows = first.json["rows"] + second.json["rows"]
    assert len({row["uid"] for row in rows}) == 6
    values = [row["value_usd"] for row in rows]
    assert values == sorted(values, reverse=True)  # largest first
    assert all(row["dispatch"] == "KZ" and row["date"] >= "2023" for row in rows)


def test_cyrillic_text_matches_in_any_case(run_cli, demo_db):
    lower = run_cli("shipments", "--case", REF, "--text", "станок", "--json", db=demo_db)
    upper = run_cli("shipments", "--case", REF, "--text", "СТАНОК", "--json", db=demo_db)
    assert lower.code == upper.code == 0
    assert lower.json["total"] == upper.json["total"] > 0


def test_the_readable_table_says_how_many_match(run_cli, demo_db):
    r = run_cli("shipments", "--case", REF, "--limit", "2", "--origin", "CN", db=demo_db)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("Shipments 1–2 of ") and "matching" in lines[0]
    assert lines[1].split()[:3] == ["DATE", "EXPORTER", "IMPORTER"]
    assert len(lines) == 4


def test_help_gives_the_default_limit(run_cli):
    r = run_cli("shipments", "--help")
    assert r.code == 0 and "default 100" in " ".join(r.out.split())


COMMANDS = [
    ("shipments",),
    ("stats",),
    ("flags",),
    ("brief", "--out", "{tmp}/b.pdf"),
    ("export", "--out", "{tmp}/e.xlsx"),
]
BAD = [
    ("--origin", "C1"),
    ("--from", "2023-13"),
    ("--to", "yesterday"),
    ("--hs", "lathes"),
    ("--min-value", "a lot"),
    ("--firm", "no/such"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("option,value", BAD)
def test_a_bad_filter_value_exits_2_naming_the_option(run_cli, demo_db, tmp_path, command, option, value):  # fmt: skip
    args = [a.format(tmp=tmp_path) for a in command]
    r = run_cli(*args[:1], "--case", REF, *args[1:], option, value, db=demo_db)
    assert r.code == 2
    assert r.err.startswith("error: ") and option in r.err
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unknown_firm_is_an_unknown_reference(run_cli, demo_db, tmp_path, command):
    elsewhere = run_cli("firms", "show", "nosuchfirm", db=demo_db)
    args = [a.format(tmp=tmp_path) for a in command]
    r = run_cli(*args[:1], "--case", REF, *args[1:], "--firm", "nosuchfirm", db=demo_db)
    assert r.code == elsewhere.code == 2
    assert "nosuchfirm" in r.err and r.err.startswith("error: ")


def test_an_unknown_dataset_is_named(run_cli, demo_db):
    r = run_cli("stats", "--case", REF, "--dataset", "nosuchset", db=demo_db)
    assert r.code == 2 and "nosuchset" in r.err


def test_stats_keeps_its_filters_field_and_adds_the_new_options(run_cli, demo_db):
    r = run_cli("stats", "--case", REF, "--by", "origin", "--text", "СТАНОК", "--min-value",
                "1000", "--origin", "cn", "--json", db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    f = r.json["filters"]
    assert (f["origin"], f["text"], f["min_value"], f["hs"], f["from"]) == (
        ["CN"],
        "СТАНОК",
        1000.0,
        [],
        None,
    )
    shipments = run_cli("shipments", "--case", REF, "--text", "станок", "--min-value", "1000",
                        "--origin", "CN", "--json", db=demo_db)  # fmt: skip
    assert sum(row["shipments"] for row in r.json["rows"]) == shipments.json["total"]


def test_a_bundle_with_filters_is_a_usage_error(run_cli, demo_db, tmp_path):
    r = run_cli("export", "--case", REF, "--out", str(tmp_path / "c.casebook"), "--origin",
                "CN", db=demo_db)  # fmt: skip
    assert r.code == 2 and "bundle" in r.err
    assert not (tmp_path / "c.casebook").exists()


def test_a_filtered_csv_export_carries_the_lens_shipments(run_cli, demo_db, tmp_path):
    out = tmp_path / "c.zip"
    r = run_cli("export", "--case", REF, "--out", str(out), "--dispatch", "KZ", "--json",
                db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    with zipfile.ZipFile(out) as zf:
        text = zf.read("shipments.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    (count,) = _store(demo_db, "SELECT count(*) FROM shipment WHERE dispatch = 'KZ'")
    assert len(rows) == count > 0 and {row["dispatch"] for row in rows} == {"KZ"}


def test_a_filtered_briefing_says_so_on_the_cover_and_in_every_command(run_cli, demo_db, tmp_path):
    out = tmp_path / "kz.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--dispatch", "KZ", "--from",
                "2023-01", "--sections", "bluf,trade,firms,shipments,appendix,provenance",
                "--json", db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    (count,) = _store(
        demo_db, "SELECT count(*) FROM shipment WHERE dispatch = 'KZ' AND date >= '2023-01'"
    )
    assert r.json["table_rows"] == count
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True)
    text = " ".join(text.stdout.decode("utf-8").split())
    cover = text[: text.index("Bottom line")]
    assert "Filtered: from 2023-01 · dispatch KZ" in cover
    commands = [c for c in text.split("casebook ")[1:] if c.startswith(("stats", "flags"))]
    assert len(commands) > 5
    for command in commands:  # a month's figure narrows the dates to its month
        assert "--dispatch KZ" in command[:120] and "--from 2023-" in command[:120], command


@pytest.mark.parametrize("option,value", [("--firm", "x1"), ("--min-value", "5"), ("--text", "a")])
def test_shipment_only_filters_on_trade_name_the_option(run_cli, demo_db, option, value):
    r = run_cli("stats", "--case", REF, "--source", "trade", option, value, db=demo_db)
    assert r.code == 2 and f"{option} does not apply to trade" in r.err
