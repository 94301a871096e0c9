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


ROLLED_CSV = (
    "Date,Exporter,Importer,Country of Origin,Country of Dispatch,HS Code,Value USD,Net Weight,"
    "Description\n"
    "2022-01-07,Beta Tools,Лютик АО,CN,TR,8458110000,25,100,СТАНОК ТОКАРНЫЙ\n"  # < 1 USD/kg
    "2022-01-09,Beta Tools,Лютик АО,CN,TR,8458110000,7.5,,СТАНОК ТОКАРНЫЙ\n"
    "2022-02-08,Gamma Ltd,,,CN,845811,,3,CNC LATHE\n"  # no importer, origin or value
    "2022-03-09,,ООО Ромашка,JP,,8466938000,1200.25,2.5,ФРЕЗА\n"  # no exporter
    "2022-03-09,Gamma Ltd,ООО Ромашка,JP,CN,,99,1,NO CODE\n"
)
GROUP_TABLES = ("shipmentrollup", "partyrollup", "traderollup", "unitvaluerollup", "firmrollup")


def _groups(url: str) -> dict[str, list[tuple]]:
    """Every group of each table without its row id, sorted."""
    found = {}
    for table in GROUP_TABLES:
        rows = sql_on(url, f"SELECT to_jsonb(t) - 'id' FROM {table} AS t")
        found[table] = sorted(str(sorted(r[0].items())) for r in rows)
    return found


def test_an_import_sums_its_groups_in_memory_and_they_are_those_of_the_rows(
    run_cli, pg_database, tmp_path, monkeypatch
):
    """A server import no longer groups the rows it just copied on the server (five passes
    over a million rows, 25 s): it sums them from its columns and sends them by COPY. The
    groups must be exactly those SQL makes from the stored rows — NULL origins, firms and
    values, unit values under 1 USD/kg (negative log bins), a row without a code."""
    from casebook.book import Casebook
    from casebook.store import rollups

    path = tmp_path / "rolled.csv"
    path.write_text(ROLLED_CSV, encoding="utf-8")
    assert run_cli("case", "new", "Team", "--ref", "CB-S-1", db=pg_database).code == 0

    def refused(*args, **kwargs):
        raise AssertionError("the import grouped the stored rows")

    with monkeypatch.context() as patched:
        patched.setattr(rollups, "build_dataset", refused)
        done = run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert done.code == 0, done.err
    at_import = _groups(pg_database)
    assert all(at_import.values())
    assert sql_on(pg_database, "SELECT min(bin) < 0 FROM unitvaluerollup") == [(True,)]
    for table in ("partyrollup", "traderollup"):  # written with ids taken from the sequence
        assert sql_on(
            pg_database,
            f"SELECT max(id) - min(id) + 1 = count(*), max(id) = (SELECT last_value "
            f"FROM {table}_id_seq) FROM {table}",
        ) == [(True, True)]
    with Casebook.open(pg_database) as book, book.store.write() as session:
        rollups.build_dataset(session, dataset_id=1)  # the groups SQL makes from the rows
        assert rollups.problems(session) == []
    assert _groups(pg_database) == at_import


def test_copy_text_of_groups_reads_back_as_the_values(pg_database):
    """The COPY text the groups are sent as: NULLs (None, NaN, no firm), text with tabs,
    backslashes and line ends, non-Latin text, exact floats and negative integers."""
    import numpy as np
    import psycopg

    from casebook.core.location import parse_location
    from casebook.store.server_rollups import _texts

    text = np.asarray(["a\tb", "c\\d", "e\nf\r", None, "Ромашка 公司", "\\N", ""], dtype=object)
    floats = np.asarray([0.1, 1 / 3, np.nan, -2.5e-7, 1e20, 123456789.12345679, 0.0])
    ints = np.asarray([-3, 0, 7, 2**40, -1, 5, 6], dtype=np.int64)
    loc = parse_location(pg_database)
    with psycopg.connect(dbname=loc.dbname, host=loc.socket_dir) as conn:
        conn.execute("CREATE TEMP TABLE t (s text, f double precision, i bigint)")
        rows = zip(_texts(text), _texts(floats), _texts(ints), strict=True)
        with conn.cursor().copy("COPY t (s, f, i) FROM STDIN") as copy:
            copy.write("".join("\t".join(r) + "\n" for r in rows))
        got = conn.execute("SELECT s, f, i FROM t").fetchall()
    want = [
        (s, None if f != f else f, i)
        for s, f, i in zip(text.tolist(), floats.tolist(), ints.tolist(), strict=True)
    ]
    assert got == want


def test_a_failure_while_the_indexes_build_leaves_no_rows_and_every_index(
    run_cli, pg_database, tmp_path, monkeypatch
):
    """The server builds the shipment indexes while the import formats its groups: a failure
    on either side — here, then there — leaves nothing of the import, the keys and indexes as
    before, and the store usable for the next import."""
    from casebook.store import postgres, server_rollups

    path = tmp_path / "three.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_cli("case", "new", "Team", "--ref", "CB-S-1", db=pg_database).code == 0
    before = sql_on(pg_database, KEYS_AND_INDEXES)

    def broken(column):
        raise RuntimeError("out of memory while formatting")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="formatting"):
        patched.setattr(server_rollups, "_texts", broken)
        run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert sql_on(pg_database, COUNTS) == [(0, 0, 0, 0, 0, 0)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before

    set_aside = postgres._set_aside

    def and_a_bad_index(cursor, rows):
        return ["CREATE INDEX ix_broken ON shipment (no_such_column)", *set_aside(cursor, rows)]

    with monkeypatch.context() as patched, pytest.raises(Exception, match="no_such_column"):
        patched.setattr(postgres, "_set_aside", and_a_bad_index)
        run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert sql_on(pg_database, COUNTS) == [(0, 0, 0, 0, 0, 0)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before

    done = run_cli("import", str(path), "--case", "CB-S-1", "--json", db=pg_database)
    assert done.code == 0, done.err
    assert sql_on(pg_database, COUNTS) == [(3, 1, 4, 3, 4, 4)]
    assert sql_on(pg_database, KEYS_AND_INDEXES) == before
