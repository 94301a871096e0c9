"""An import on a PostgreSQL server leaves the planner what it needs to search right after."""

from __future__ import annotations

import pytest
from tests.conftest import sql_on

pytestmark = pytest.mark.postgresql

CSV = (
    "Date,Exporter,Exporter Country,Importer,Country of Dispatch,HS Code,Value USD,Description\n"
    "2022-01-07,Beta Tools,TR,Лютик АО,TR,845811,25,СТАНОК ТОКАРНЫЙ\n"
    "2022-02-08,Gamma Ltd,CN,Лютик АО,CN,845811,5,CNC LATHE\n"
    "2022-03-09,Gamma Ltd,CN,ООО Ромашка,CN,845961,7,СТАНОК ФРЕЗЕРНЫЙ\n"
)


def test_an_import_refreshes_the_server_statistics_of_the_tables_it_fills(
    run_cli, pg_database, tmp_path
):
    """Without them the planner took a search after a big import for one over an empty table
    and read every shipment in id order (seconds on 1M rows) instead of the trigram indexes."""
    path = tmp_path / "three.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Team", "--ref", "CB-S-1", db=pg_database).code == 0
    done = run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert done.code == 0, done.err
    assert done.json["rows_imported"] == 3
    counted = dict(
        sql_on(
            pg_database,
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('shipment', 'firm')",
        )
    )
    assert counted == {"shipment": 3, "firm": 4}  # -1 until the server has counted
