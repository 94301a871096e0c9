"""An import stores the cleaned values exactly on both backends: on PostgreSQL the rows go in
by ``COPY``, whose text format gives backslashes, ``\\N`` (its NULL) and tabs a meaning of their
own — a classic source of mangled or vanished values."""

from __future__ import annotations

import csv

import pytest

HEADER = [
    "Date", "Exporter", "Exporter Country", "Importer", "Country of Dispatch", "HS Code",
    "Value USD", "Description",
]  # fmt: skip
ROWS = [
    ["2022-01-07", "Beta\tTools", "TR", "Лютик АО", "TR", "845811", "25", "TAB\there"],
    [
        "2022-02-08",
        "Gamma\\Ltd",
        "CN",
        "上海机床有限公司",
        "CN",
        "845811",
        "5",
        "line one\nline two",
    ],
    ["2022-03-09", "Gamma Ltd", "CN", "ООО Ромашка", "CN", "845961", "7", "back\\slash \\N \\t"],
    ["2022-03-10", "Gamma Ltd", "CN", "ООО Ромашка", "CN", "845961", "8", "\\N"],
    ["2022-03-11", "Gamma Ltd", "CN", "ООО Ромашка", "CN", "845961", "9", "数控车床 СТАНОК \r\n x"],
]


@pytest.fixture
def imported(run_cli, store_sql, tmp_path):
    path = tmp_path / "odd values.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *ROWS])
    assert run_cli("case", "new", "Exact", "--ref", "CB-X-1").code == 0
    done = run_cli("import", str(path), "--case", "CB-X-1", "--json")
    assert done.code == 0, done.err
    assert done.json["rows_imported"] == len(ROWS)
    return store_sql


def test_backslashes_null_markers_and_any_script_survive_the_bulk_insert(imported):
    # Whitespace runs (tab, newline) become one space when the file is cleaned, on both
    # backends; everything else arrives as written — "\N" is text, not a missing value.
    descriptions = imported("SELECT description FROM shipment ORDER BY source_row")
    assert [d for (d,) in descriptions] == [
        "TAB here",
        "line one line two",
        "back\\slash \\N \\t",
        "\\N",
        "数控车床 СТАНОК x",
    ]
    names = {n for (n,) in imported("SELECT name FROM firmalias")}
    assert names == {
        "Beta Tools", "Gamma\\Ltd", "Gamma Ltd", "Лютик АО", "上海机床有限公司", "ООО Ромашка",
    }  # fmt: skip
    values = imported("SELECT value_usd, date FROM shipment ORDER BY source_row")
    assert values == [(25.0, "2022-01-07"), (5.0, "2022-02-08"), (7.0, "2022-03-09"),
                      (8.0, "2022-03-10"), (9.0, "2022-03-11")]  # fmt: skip
