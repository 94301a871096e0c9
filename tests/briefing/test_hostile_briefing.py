"""Issue 24, finding 7: one hostile row must not stop the briefing (huge cells, huge values)."""

from __future__ import annotations

import csv
import sqlite3

from pypdf import PdfReader

from casebook.book.demo import HEADER

REF = "CB-HOSTILE"


def _row(number: int, **values) -> list[str]:
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Declaration No": f"10702030/010122/{number:07d}",
            "Item No": "1",
            "Date": "2022-02-10",
            "Direction": "import",
            "Exporter": f"Exporter {number} Ltd",
            "Exporter Country": "CN",
            "Importer": "ООО Импортер",
            "Importer Country": "RU",
            "Country of Origin": "CN",
            "Country of Dispatch": "CN",
            "Country of Destination": "RU",
            "HS Code": "8458110000",
            "Goods Description": "CNC lathe",
            "Value USD": "1000",
        }
    )
    row.update(values)
    return [row[h] for h in HEADER]


def _case(book, tmp_path, rows) -> None:
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    book.create_case(title="Hostile rows", ref=REF)
    book.import_file(path, case_ref=REF, preset="generic-en")


def _text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_huge_cells_print_clipped_with_the_count_and_where_the_rest_is(book, tmp_path):
    long_name = "Великая Торговая Компания " * 200  # 5,200 characters
    description = "x" * 8000
    cell = "Ж" * 1_000_000
    rows = [
        _row(1, **{"Goods Description": description}),
        _row(2, **{"Exporter": long_name}),
        _row(3, **{"Importer": cell, "Value USD": "5"}),
    ]
    _case(book, tmp_path, rows)
    out = tmp_path / "b.pdf"
    result = book.brief(case_ref=REF, out=out)
    assert result["pages"] == len(PdfReader(out).pages) < 60
    text = _text(out)
    assert "more characters; full text: casebook export" in text
    assert "Великая Торговая Компания" in text


def test_values_whose_sum_overflows_still_print(book, db_path, tmp_path):
    # Imports and bundles refuse such values now; a store edited by hand and then repaired
    # (`verify --repair` rebuilds the rollups from the rows) can still hold them, and two of
    # 1e308 sum to infinity.
    _case(book, tmp_path, [_row(1), _row(2)])
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE shipment SET value_usd = 1e308, value = 1e308")
    book.rebuild_rollups()
    out = tmp_path / "b.pdf"
    book.brief(case_ref=REF, out=out)
    text = _text(out)
    assert "Exporter 1 Ltd" in text and "too large to sum" in text


def test_a_large_case_prints_the_largest_firms_in_detail_and_lists_the_rest(
    book, tmp_path, monkeypatch
):
    from casebook.book import briefing as facade
    from casebook.briefing import sections

    monkeypatch.setattr(sections, "FIRMS_IN_DETAIL", 2)
    monkeypatch.setattr(facade, "NETWORK_NODES", 3)
    rows = [_row(n, **{"Value USD": str(1000 * n)}) for n in range(1, 6)]
    _case(book, tmp_path, rows)
    out = tmp_path / "b.pdf"
    book.brief(case_ref=REF, out=out)
    text = _text(out)
    assert "6 firms in this case" in text and "the other 4 in a short list" in text
    assert "Other firms (4)" in text
    for number in range(1, 6):  # every firm is printed, in detail or in the list
        assert f"Exporter {number} Ltd" in text
    assert "Drawn: the 3 listed or largest (by trade) of the case's 6 firms" in text


def test_table_file_quotes_text_a_spreadsheet_would_run(book, tmp_path):
    formula = '=HYPERLINK("http://evil.example","click")'
    rows = [
        _row(1, **{"Exporter": formula, "Goods Description": "@SUM(A1:A9)"}),
        _row(2, **{"Goods Description": "-1+2 станка"}),
    ]
    _case(book, tmp_path, rows)
    result = book.brief(case_ref=REF, out=tmp_path / "b.pdf")
    with open(result["table"], encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["exporter"] for r in table] == ["'" + formula, "Exporter 2 Ltd"]
    assert [r["description"] for r in table] == ["'@SUM(A1:A9)", "'-1+2 станка"]
    assert [r["number"] for r in table] == ["1", "2"] and table[0]["value_usd"] == "1000.0"
