"""``casebook demo`` and ``casebook brief``: JSON shapes, refusals and exit codes."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys

REF = "DEMO-CNC-RU"


def test_demo_json_shape(run_cli, tmp_path):
    r = run_cli("demo", "--json", db=tmp_path / "new.db")
    assert r.code == 0, r.err
    assert set(r.json) >= {"case_ref", "shipments", "firms", "evidence", "findings"}
    assert r.json["case_ref"] == REF and r.json["created"] is True


def test_demo_again_returns_the_existing_case(run_cli, demo_db):
    r = run_cli("demo", "--json", db=demo_db)
    assert r.code == 0, r.err
    assert r.json["created"] is False and r.json["case_ref"] == REF


def test_brief_writes_the_pdf(run_cli, demo_db, tmp_path):
    out = tmp_path / "b.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--json", db=demo_db)
    assert r.code == 0, r.err
    table = tmp_path / "b.shipments.csv"
    assert set(r.json) == {
        "out",
        "pages",
        "sha256",
        "table",
        "table_sha256",
        "table_rows",
        "appendix_rows",
    }
    assert r.json["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert r.json["pages"] > 5
    assert r.json["table"] == str(table)
    assert r.json["table_sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert r.json["table_rows"] == len(rows) == r.json["appendix_rows"]  # all fit in 2,000
    assert r.json["table_sha256"] in pdf_text(out)


def pdf_text(path) -> str:
    """The PDF's text as poppler's pdftotext reads it (one line per printed line)."""
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def appendix_text(path) -> str:
    text = pdf_text(path)
    return text[text.rindex("Appendix A: shipments") : text.index("Appendix B")]


def test_appendix_rows_lists_the_largest_and_says_how_many_are_left_out(run_cli, demo_db, tmp_path):
    out = tmp_path / "five.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--appendix-rows", "5", "--json",
                db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    table = tmp_path / "five.shipments.csv"
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = len(rows)
    assert r.json["table_rows"] == total > 5 and r.json["appendix_rows"] == 5
    text = appendix_text(out)
    assert f"The 5 largest of {total:,} shipments" in text
    assert f"{total - 5:,} shipments are left out" in text
    assert r.json["table_sha256"] in text
    ranked = sorted(rows, key=lambda row: -float(row["value_usd"] or 0))
    for row in ranked[:5]:  # each listed under its number in the full table
        assert f"{float(row['value_usd']):,.2f}" in text and row["number"] in text
    assert f"{float(ranked[5]['value_usd']):,.2f}" not in text


def test_appendix_rows_zero_lists_none_but_the_table_travels(run_cli, demo_db, tmp_path):
    out = tmp_path / "none.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--appendix-rows", "0", "--json",
                db=demo_db)  # fmt: skip
    assert r.code == 0, r.err
    assert r.json["appendix_rows"] == 0 and r.json["table_rows"] > 0
    text = appendix_text(out)
    assert f"None of the case's {r.json['table_rows']:,} shipments is listed here" in text
    assert r.json["table_sha256"] in text and "Declaration" not in text


def test_negative_appendix_rows_is_a_usage_error(run_cli, demo_db, tmp_path):
    out = tmp_path / "x.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--appendix-rows", "-1", db=demo_db)
    assert r.code == 2 and "--appendix-rows" in r.err
    assert list(tmp_path.iterdir()) == []


def test_existing_table_file_is_refused_without_force(run_cli, demo_db, tmp_path):
    table = tmp_path / "b.shipments.csv"
    table.write_bytes(b"keep me")
    r = run_cli("brief", "--case", REF, "--out", str(tmp_path / "b.pdf"), db=demo_db)
    assert r.code == 1 and "b.shipments.csv" in r.err
    assert table.read_bytes() == b"keep me" and sorted(tmp_path.iterdir()) == [table]
    r = run_cli("brief", "--case", REF, "--out", str(tmp_path / "b.pdf"), "--force", db=demo_db)
    assert r.code == 0, r.err
    assert table.read_bytes() != b"keep me" and "b.shipments.csv" in r.out


def test_existing_out_is_refused_without_force(run_cli, demo_db, tmp_path):
    out = tmp_path / "b.pdf"
    out.write_bytes(b"keep me")
    r = run_cli("brief", "--case", REF, "--out", str(out), "--json", db=demo_db)
    assert r.code == 1 and r.out == "" and "error:" in r.err
    assert out.read_bytes() == b"keep me"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--force", "--json", db=demo_db)
    assert r.code == 0, r.err


def test_marking_can_be_raised(run_cli, demo_db, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "red.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--marking", "TLP:RED", db=demo_db)
    assert r.code == 0, r.err
    assert all("TLP:RED" in p.extract_text() for p in PdfReader(out).pages)


def test_marking_below_the_cases_is_a_usage_error(run_cli, demo_db, tmp_path):
    out = tmp_path / "clear.pdf"
    r = run_cli("brief", "--case", REF, "--out", str(out), "--marking", "TLP:CLEAR", db=demo_db)
    assert r.code == 2 and "below" in r.err
    assert not out.exists()


def test_unknown_case_is_exit_2(run_cli, demo_db, tmp_path):
    r = run_cli("brief", "--case", "NOPE", "--out", str(tmp_path / "x.pdf"), db=demo_db)
    assert r.code == 2


def test_sections_top_author_and_letter_paper(run_cli, demo_db, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "short.pdf"
    args = ["--sections", "bluf,shipments", "--top", "3", "--author", "A. Analyst"]
    r = run_cli("brief", "--case", REF, "--out", str(out), "--paper", "letter", *args, db=demo_db)
    assert r.code == 0, r.err
    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "A. Analyst" in text and "top 3 by value" in text
    assert "Appendix A" not in text and "Evidence register" not in text
    assert not (tmp_path / "short.shipments.csv").exists()  # no appendix, no table file


def test_unknown_section_is_a_usage_error(run_cli, demo_db, tmp_path):
    out = str(tmp_path / "x.pdf")
    r = run_cli("brief", "--case", REF, "--out", out, "--sections", "gossip", db=demo_db)
    assert r.code == 2


def test_same_store_same_day_gives_the_same_bytes(run_cli, demo_db, tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    run_cli("brief", "--case", REF, "--out", str(a), db=demo_db)
    run_cli("brief", "--case", REF, "--out", str(b), db=demo_db)
    assert a.read_bytes() == b.read_bytes()


def test_demo_stats_match_the_published_story(demo_db):
    cmd = [sys.executable, "-m", "casebook", "--db", str(demo_db), "stats", "--case", REF]
    cmd += ["--by", "month,origin", "--from", "2023-07", "--to", "2023-07", "--json"]
    rows = json.loads(subprocess.run(cmd, capture_output=True, check=True).stdout)["rows"]
    china = next(r for r in rows if r["origin"] == "CN")
    assert china["value_usd"] == 68_000_000 and round(china["share"], 2) == 0.57
