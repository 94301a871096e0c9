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


KEYS_AND_INDEXES = (
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE contype = 'f' AND conrelid = ANY(ARRAY['shipment', 'shipmentrollup', 'partyrollup', "
    "'traderollup', 'unitvaluerollup']::regclass[]) "
    "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() AND tablename = 'shipment' ORDER BY 1, 2"
)
COUNTS = (
    "SELECT (SELECT count(*) FROM shipment), (SELECT count(*) FROM dataset), "
    "(SELECT count(*) FROM firm), (SELECT count(*) FROM partyrollup), "
    "(SELECT count(*) FROM firmalias), (SELECT count(*) FROM casefirm)"
)


def test_a_failing_import_leaves_no_rows_and_every_key_and_index_in_place(
    run_cli, pg_database, tmp_path, monkeypatch
):
    """A first import into an empty server store loads without the foreign keys and the
    shipment indexes and makes them again at the end (the table's owner may): a failure after
    the rows went in must leave nothing of the import, and the keys and indexes as before."""
    from casebook.store import rollups

    path = tmp_path / "three.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Team", "--ref", "CB-S-1", db=pg_database).code == 0
    before = sql_on(pg_database, KEYS_AND_INDEXES)
    assert len([r for r in before if r[0] == "shipment"]) >= 12  # 6 keys, 12 indexes at least

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone while summing")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="disk gone"):
        patched.setattr(rollups, "build_from_columns", broken)
        run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert sql_on(pg_database, COUNTS) == [(0, 0, 0, 0, 0, 0)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before

    done = run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert done.code == 0, done.err
    assert sql_on(pg_database, COUNTS) == [(3, 1, 4, 3, 4, 4)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before  # made again, under the same names
    # and enforced: a shipment naming a firm that does not exist is refused
    with pytest.raises(Exception, match="shipment_exporter_id_fkey"):
        sql_on(pg_database, "UPDATE shipment SET exporter_id = 999999")


def test_many_rows_of_a_plain_insert_go_in_whole_and_counted_as_before(pg_database):
    """An ``executemany`` of 100+ rows of a plain INSERT goes through COPY on a server (an
    import's firms, aliases and case links): the values exactly, duplicates in the batch and
    rows already stored skipped by ``ON CONFLICT DO NOTHING``, and the count of rows inserted
    reported as a row-by-row insert reports it (``merge_suggestions``, new aliases)."""
    from casebook.book import Casebook
    from casebook.store import firms

    names = [f"Firm {n} \\N\t«ООО» 公司" for n in range(150)]
    with Casebook.open(pg_database, create=True) as book, book.store.write() as session:
        ids = firms.insert_firms_with_uids(
            session,
            rows=[{"uid": f"u{n}", "name": name, "sort_key": name} for n, name in enumerate(names)],
        )
        assert len(ids) == 150
        aliases = [(ids[f"u{n}"], names[n], None, None) for n in range(150)]
        first = firms.insert_aliases(session, rows=aliases[:100] + aliases[:20])  # 20 twice
        again = firms.insert_aliases(session, rows=aliases)  # 100 already stored
        assert (first, again) == (100, 50)
    stored = sql_on(pg_database, "SELECT f.uid, a.name FROM firmalias AS a JOIN firm AS f "
                    "ON f.id = a.firm_id ORDER BY a.id")  # fmt: skip
    assert stored == [(f"u{n}", names[n]) for n in range(150)]  # in the order given
    assert sql_on(pg_database, "SELECT count(*) FROM pg_class WHERE relname LIKE 'many_%'") == [
        (0,)
    ]


def test_an_import_while_a_colleague_reads_does_not_wait_for_them(run_cli, pg_database, tmp_path):
    """A first import by the tables' owner asks for its locks without waiting: with another
    session's transaction open on the cases (an app reading), it takes the ordinary way (the
    keys checked row by row) instead of waiting for that reader or failing as busy."""
    import psycopg

    from casebook.core.location import parse_location

    path = tmp_path / "three.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Team", "--ref", "CB-S-1", db=pg_database).code == 0
    before = sql_on(pg_database, KEYS_AND_INDEXES)
    loc = parse_location(pg_database)
    with psycopg.connect(dbname=loc.dbname, host=loc.socket_dir, autocommit=False) as reader:
        reader.execute('SELECT count(*) FROM "case"').fetchone()  # its transaction stays open
        done = run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
        assert done.code == 0, done.err
        reader.rollback()
    assert sql_on(pg_database, COUNTS) == [(3, 1, 4, 3, 4, 4)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before
