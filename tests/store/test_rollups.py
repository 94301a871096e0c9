"""Rollups answer exactly as the rows do, and stay so through imports, merges, splits, deletes,
bundles and the migration that builds them for older stores."""

from __future__ import annotations

import itertools
import random
import re
import sqlite3

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy import inspect as sa_inspect

from casebook.analysis import flags
from casebook.book import Casebook
from casebook.core.filters import ShipmentFilter
from casebook.store import migrations, redflags, rollups
from casebook.store import stats as sql

REF = "CB-ROLL-1"
HEADER = (
    "Date,Exporter,Importer,Importer INN,Country of Origin,Country of Dispatch,Destination,"
    "HS Code,Value USD,Net Weight,Description"
)
DESCRIPTIONS = [
    "CNC LATHE FANUC 0i-TF",
    "ТОКАРНЫЙ СТАНОК SIEMENS 828D",
    "MILLING MACHINE",
    "GSK 980",
]
EXPORTERS = ["Acme Machine Co", "ACME MACHINE CO LTD", "Beta Tools", "Shenzhen Gamma"]
IMPORTERS = [("ООО Ромашка", "7707083893"), ("Лютик АО", "7736050003"), ("Delta LLC", "")]


def _csv(rng: random.Random, rows: int) -> str:
    lines = [HEADER]
    for _ in range(rows):
        day = rng.choice(["2021-12-31", "2022-01-01", "2022-01-17", "2022-02-28", "2023-03-09"])
        importer, inn = rng.choice(IMPORTERS)
        value = rng.choice(["", f"{rng.uniform(1, 5000):.2f}"])
        weight = rng.choice(["", f"{rng.uniform(1, 90):.1f}"])
        code = rng.choice(["8458110000", "845811", "8457", "8466938000", "8207300000"])
        origin, dispatch = rng.choice(["CN", "JP", ""]), rng.choice(["CN", "TR", "KZ", ""])
        exporter, text = rng.choice(EXPORTERS), rng.choice(DESCRIPTIONS)
        lines.append(
            f"{day},{exporter},{importer},{inn},{origin},{dispatch},RU,{code},{value},{weight},"
            f"{text}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def imported(book, tmp_path):
    rng = random.Random(11)
    book.create_case(title="Rollups", ref=REF)
    for n in (1, 2):
        path = tmp_path / f"part{n}.csv"
        path.write_text(_csv(rng, 300), encoding="utf-8")
        book.import_file(path, case_ref=REF)
    return book


KEYS = [
    (),
    ("month",),
    ("month", "origin"),
    ("quarter", "dispatch"),
    ("year", "hs4"),
    ("hs2",),
    ("hs6", "destination"),
    ("exporter",),
    ("month", "importer"),
    ("exporter", "importer"),
]
FILTERS = [
    {},
    {"date_from": "2022-01", "date_to": "2022-02"},
    {"date_from": "2022-01-01", "date_to": "2022-02-28"},
    {"date_from": "2022", "date_to": "2022"},
    {"hs": ("8458",)},
    {"hs": ("845811", "84")},
    {"origin": ("CN", "XX")},
    {"datasets": "first"},
]


def _case_id(book) -> int:
    return book.get_case(REF).id


def _filters(book, given: dict) -> sql.Filters:
    """The filters of ``given`` (``datasets: "first"``: the case's first dataset)."""
    if given.get("datasets") == "first":
        given = {"datasets": (book.list_datasets(case_ref=REF)[0]["uid"],)}
    return sql.Filters(case_id=_case_id(book), lens=ShipmentFilter(**given))


def _groups(book, keys, given, measure, *, rows: bool) -> list[tuple]:
    """Groups from the rows (``rows``) or from whatever table the planner picks."""
    filters = _filters(book, given)
    with book.store.read() as session:
        picked = sql._ROWS if rows else sql._source(keys, filters, measure)
        original = sql._source
        sql._source = lambda *_a: picked
        try:
            found = sql.shipment_groups(session, keys=keys, filters=filters, measure=measure)
        finally:
            sql._source = original
    return sorted((_rounded(r) for r in found), key=repr)


def _rounded(row: tuple) -> tuple:
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def _assert_rollups_agree(book) -> int:
    """Every key set, filter and measure gives the same groups; returns how many used rollups."""
    used = 0
    for keys, given, measure in itertools.product(KEYS, FILTERS, ("value", "count", "weight")):
        filters = _filters(book, given)
        if sql._source(keys, filters, measure) is sql._ROWS:
            continue
        used += 1
        want = _groups(book, keys, given, measure, rows=True)
        assert _groups(book, keys, given, measure, rows=False) == want, (keys, given, measure)
    with book.store.read() as session:
        assert rollups.problems(session) == []
    return used


def test_rollups_answer_as_the_rows_do(imported):
    assert _assert_rollups_agree(imported) > 150


def test_quantity_day_bounds_and_long_codes_read_the_rows():
    f = sql.Filters(case_id=1)
    assert sql._source(("month",), f, "quantity") is sql._ROWS
    assert sql._source(
        ("month",), sql.Filters(case_id=1, lens=ShipmentFilter(date_from="2022-01-02")), "value"
    ) is (sql._ROWS)
    assert sql._source(
        ("month",), sql.Filters(case_id=1, lens=ShipmentFilter(date_to="2022-02-27")), "value"
    ) is (sql._ROWS)
    assert (
        sql._source((), sql.Filters(case_id=1, lens=ShipmentFilter(date_to="2024-02-29")), "value")
        is not sql._ROWS
    )
    assert (
        sql._source(
            ("origin",), sql.Filters(case_id=1, lens=ShipmentFilter(hs=("84581100",))), "value"
        )
        is sql._ROWS
    )
    assert sql._source(("brand",), f, "value") is sql._ROWS
    assert sql._source(("exporter", "origin"), f, "value") is sql._ROWS
    assert sql._source(("exporter",), f, "value") is sql._PARTY_ROLLUP
    assert sql._source(("month", "origin"), f, "value") is sql._COUNTRY_ROLLUP


def test_merge_split_and_delete_keep_rollups_in_step(imported):
    firms = {f["name"]: f["uid"] for f in imported.list_firms(case_ref=REF)}
    keep, other = firms["Beta Tools"], firms["Shenzhen Gamma"]
    imported.merge_firms(keep=keep, other=other)
    _assert_rollups_agree(imported)
    imported.split_firm(other)
    _assert_rollups_agree(imported)
    first = imported.list_datasets(case_ref=REF)[0]["uid"]
    imported.delete_dataset(first)
    _assert_rollups_agree(imported)


def test_stats_through_the_facade_read_no_shipment_rows(imported):
    """The unfiltered charts' totals come from the rollups (what makes a 1M-row case fast)."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(imported.store.read_engine, "before_cursor_execute", seen)
    try:
        for by in ("month,origin", "origin", "dispatch", "exporter", "importer", "hs6"):
            imported.stats(case_ref=REF, by=by, top=8)
        stats_statements = list(statements)
        imported.flags(case_ref=REF)
    finally:
        event.remove(imported.store.read_engine, "before_cursor_execute", seen)

    def scans_rows(statement: str) -> bool:
        return "GROUP BY" in statement and "FROM shipment s" in statement

    assert stats_statements and not any(scans_rows(s) for s in stats_statements)
    # Flags: the monthly activity of firms and origins comes from the rollups too (the row
    # rules, such as CHPL codes or unit values, still read rows).
    assert not any(scans_rows(s) and "substr(s.date, 1, 7)" in s for s in statements)


def test_problems_names_a_dataset_whose_groups_were_changed(imported):
    with imported.store.write() as session:
        session.connection().exec_driver_sql(
            "UPDATE shipmentrollup SET shipments = shipments + 1 "
            "WHERE id = (SELECT min(id) FROM shipmentrollup)"
        )
        found = rollups.problems(session)
    assert found == [{"table": "shipmentrollup", "dataset_id": 1}]
    with imported.store.write() as session:
        rollups.rebuild_all(session)
        assert rollups.problems(session) == []


def test_bundle_opened_elsewhere_has_its_rollups(imported, tmp_path):
    out = tmp_path / "case.casebook"
    imported.export_bundle(case_ref=REF, out=out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        other.open_bundle(out)
        _assert_rollups_agree(other)


@pytest.mark.sqlite_only("edits the store file")
def test_migration_builds_rollups_of_shipments_already_stored(imported):
    """A store at revision 0003 with shipments gets the same groups as an import makes."""
    path = imported.store.path
    made = _groups_stored(path)
    imported.close()
    _downgrade(path, "0005")  # what later revisions made
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE shipmentrollup")
        conn.execute("DROP TABLE partyrollup")
        conn.execute("DROP TABLE rowtestrollup")
        conn.execute("DROP TABLE figure")  # made by a later revision
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    migrations.upgrade(create_engine(f"sqlite:///{path}"))
    assert _groups_stored(path) == made
    assert all(made.values())


def _downgrade(path, revision: str) -> None:
    from alembic import command

    with create_engine(f"sqlite:///{path}").begin() as conn:
        command.downgrade(migrations._config(conn), revision)


def _groups_stored(path) -> dict[str, list]:
    """Each rollup's rows without their ids (which may differ), sums to a millionth of a
    dollar: a sum of the same values in another order may differ in its last bit (CI saw
    14059.42 and 14059.419999999998)."""

    def cell(value):
        return round(value, 6) if isinstance(value, float) else value

    with sqlite3.connect(path) as conn:
        found = {}
        for table in ("shipmentrollup", "partyrollup", "traderollup"):
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            found[table] = sorted(
                (
                    tuple(cell(v) for n, v in zip(names, row, strict=True) if n != "id")
                    for row in cursor
                ),
                key=repr,
            )
    return found


@pytest.mark.sqlite_only("edits the store file")
def test_verify_names_the_dataset_and_repair_rebuilds(imported, run_cli):
    path = imported.store.path
    imported.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM partyrollup WHERE id = (SELECT max(id) FROM partyrollup)")
    found = run_cli("verify", "--json", db=path)
    assert found.code == 1
    assert "totals behind charts" in found.err and "--repair" in found.err
    repaired = run_cli("verify", "--repair", "--json", db=path)
    assert repaired.code == 0, repaired.err


def _controllers(book) -> list[tuple]:
    with book.store.read() as session:
        case_id = _case_id(book)
        stored = flags.row_test_totals(session, case_id=case_id, test="foreign_controller")
        rows = redflags.row_test_totals(session, case_id=case_id, test=flags.controller_test())
    assert sorted(map(_rounded, stored)) == sorted(map(_rounded, rows))
    return stored


def _stored_controllers(book, version: str) -> list[tuple] | None:
    with book.store.read() as session:
        return rollups.row_test_totals(
            session, case_id=_case_id(book), test="foreign_controller", version=version
        )


def test_foreign_controller_totals_are_stored_at_import(imported, monkeypatch):
    found = {d.split("|")[0]: n for d, n, _v in _controllers(imported)}
    assert set(found) == {"FANUC", "Siemens"} and all(found.values())
    assert _stored_controllers(imported, flags.controller_version())
    # A new list of makers (another Casebook version) makes the stored totals stale: the
    # chart counts rows again until the next import or `verify --repair` stores them.
    monkeypatch.setitem(
        flags.STORED_TESTS, "foreign_controller", (flags.controller_test, lambda: "other")
    )
    assert _stored_controllers(imported, "other") is None
    _controllers(imported)
    imported.rebuild_rollups()
    assert _stored_controllers(imported, "other")
    imported.delete_dataset(imported.list_datasets(case_ref=REF)[0]["uid"])
    _controllers(imported)


@pytest.mark.sqlite_only("traces SQLite's statements")
def test_firm_totals_and_months_of_a_whole_case_read_the_firm_groups(imported):
    """The Firms list, the Network's node sizes and the Timeline's cells of the whole case come
    from the firm groups (each a full scan of a million rows before: 4 to 15 s, issue 18), and
    agree with the rows (which a lens still reads)."""
    from casebook.store import firms, network
    from casebook.store.sqlite import raw_connection

    case_id = _case_id(imported)
    every = ShipmentFilter(date_from="2000")  # every row is dated: the rows, through a lens
    statements: list[str] = []
    with imported.store.read() as session:
        conn = raw_connection(session)
        conn.set_trace_callback(statements.append)
        try:
            listed = firms.shipment_totals(session, case_id=case_id)
            totals = network.firm_totals(session, case_id=case_id, lens=None)
            months = network.monthly_by_firm(session, case_id=case_id)
        finally:
            conn.set_trace_callback(None)
        from_rows = network.firm_totals(session, case_id=case_id, lens=every)
        months_from_rows = network.monthly_by_firm(session, case_id=case_id, lens=every)
    assert statements and not any(re.search(r"FROM shipment\b", s) for s in statements)
    assert {k: _rounded(v) for k, v in listed.items()} == {
        k: _rounded(v) for k, v in from_rows.items()
    }
    assert {k: _rounded(v) for k, v in totals.items()} == {
        k: _rounded(v) for k, v in from_rows.items()
    }
    assert [_rounded(r) for r in months] == [_rounded(r) for r in months_from_rows]


def test_case_counts_sum_the_rollups_not_the_rows(imported):
    """Opening a case counts its shipments and lists its datasets with theirs; a million rows
    took a third of a second each time (issue 18)."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(imported.store.read_engine, "before_cursor_execute", seen)
    try:
        counts = imported.case_counts(REF)
        datasets = imported.list_datasets(case_ref=REF)
    finally:
        event.remove(imported.store.read_engine, "before_cursor_execute", seen)
    assert counts["shipments"] == 600 and counts["datasets"] == 2
    assert [d["shipments"] for d in datasets] == [300, 300]
    assert statements and not any(re.search(r"FROM shipment\b", s) for s in statements)


def _stored_groups(session, table: str) -> list[tuple]:
    """Every group of ``table`` without its row id, sorted (values rounded to 1e-6)."""
    cursor = rollups.raw_connection(session).execute(f"SELECT * FROM {table}")
    keep = [i for i, d in enumerate(cursor.description) if d[0] != "id"]
    rows = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return sorted((_rounded(r) for r in rows), key=repr)


def test_groups_written_at_import_equal_those_sql_makes_from_the_rows(imported):
    """The groups an import writes (the date and firm groups summed from its columns in memory)
    are those SQL makes again from the stored rows."""
    tables = ("shipmentrollup", "partyrollup", "traderollup", "unitvaluerollup")
    with imported.store.read() as session:
        at_import = {t: _stored_groups(session, t) for t in tables}
    assert all(at_import.values())
    with imported.store.write() as session:
        conn = rollups.raw_connection(session)
        for (dataset_id,) in conn.execute("SELECT id FROM dataset").fetchall():
            rollups.build_dataset(session, dataset_id=dataset_id)
    with imported.store.read() as session:
        for table in tables:
            assert _stored_groups(session, table) == at_import[table], table


# --- per-firm totals (``firmrollup``): the Firms list of a whole case -------------------------


def _firm_totals_from_rows(session, case_id: int | None) -> dict[int, tuple[int, float]]:
    """{firm id: (shipments as either party, their USD value)} summed over the shipments."""
    where = "WHERE case_id = ?" if case_id is not None else ""
    args = (case_id, case_id) if case_id is not None else ()
    cursor = rollups.raw_connection(session).execute(
        "SELECT fid, count(*), coalesce(sum(v), 0.0) FROM ("
        f"SELECT exporter_id AS fid, value_usd AS v FROM shipment {where} UNION ALL "
        f"SELECT importer_id, value_usd FROM shipment {where}) AS sides "
        "WHERE fid IS NOT NULL GROUP BY fid",
        args,
    )
    return {fid: (int(n), round(float(v), 6)) for fid, n, v in cursor}


def _assert_firm_totals_agree(book) -> dict[int, tuple[int, float]]:
    """The per-firm totals of the case and of the store, ``firms list`` and the Network's
    unfiltered node sizes equal the sums over the shipments; returns the case's."""
    from casebook.store import firms, network

    case_id = _case_id(book)
    with book.store.read() as session:
        rows = _firm_totals_from_rows(session, case_id)
        for got in (
            firms.shipment_totals(session, case_id=case_id),
            network.firm_totals(session, case_id=case_id, lens=None),
        ):
            assert {k: _rounded(v) for k, v in got.items()} == rows
        store_wide = firms.shipment_totals(session)
        assert {k: _rounded(v) for k, v in store_wide.items()} == _firm_totals_from_rows(
            session, None
        )
        assert rollups.problems(session) == []
        uids = {f["uid"]: f["id"] for f in firms.firm_rows(session, case_id=case_id)}
    for listed in book.list_firms(case_ref=REF):
        want = rows.get(uids[listed["uid"]], (0, 0.0))
        assert (listed["shipments"], listed["value_usd"]) == (want[0], round(want[1], 2))
    return rows


def test_firms_list_totals_agree_with_the_rows_through_merges_splits_and_deletes(
    imported, tmp_path
):
    """The per-firm totals answer as the shipments do after an import, a merge (an exporter
    into an importer too, so a firm ships to itself and counts on both sides), a split, a
    second case's import and a dataset's deletion."""
    before = _assert_firm_totals_agree(imported)
    assert len(before) == 6 and all(n for n, _v in before.values())
    firms = {f["name"]: f["uid"] for f in imported.list_firms(case_ref=REF)}
    imported.merge_firms(keep=firms["Beta Tools"], other=firms["Shenzhen Gamma"])
    merged = _assert_firm_totals_agree(imported)
    assert len(merged) == 5
    imported.merge_firms(keep=firms["Delta LLC"], other=firms["Beta Tools"])
    to_itself = _assert_firm_totals_agree(imported)
    assert len(to_itself) == 4
    imported.split_firm(firms["Beta Tools"])
    imported.split_firm(firms["Shenzhen Gamma"])
    assert _assert_firm_totals_agree(imported) == before
    imported.create_case(title="Other", ref="CB-ROLL-2")
    path = tmp_path / "other.csv"
    path.write_text(_csv(random.Random(5), 50), encoding="utf-8")
    imported.import_file(path, case_ref="CB-ROLL-2")
    assert _assert_firm_totals_agree(imported) == before
    imported.delete_dataset(imported.list_datasets(case_ref=REF)[0]["uid"])
    after = _assert_firm_totals_agree(imported)
    assert sum(n for n, _v in after.values()) == 2 * 300


def test_bundle_opened_elsewhere_has_its_firm_totals(imported, tmp_path):
    out = tmp_path / "case.casebook"
    imported.export_bundle(case_ref=REF, out=out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        other.open_bundle(out)
        totals = {f["uid"]: (f["shipments"], f["value_usd"]) for f in other.list_firms()}
        assert totals == {
            f["uid"]: (f["shipments"], f["value_usd"]) for f in imported.list_firms(case_ref=REF)
        }
        assert sum(n for n, _v in totals.values()) == 2 * 600
        with other.store.read() as session:
            assert rollups.problems(session) == []


@pytest.mark.sqlite_only("traces SQLite's statements")
def test_firms_list_of_a_case_reads_the_per_firm_totals_only(imported):
    """``firms list`` reads neither the shipments nor the firm groups by month and pair (as
    many as the shipments when firms pair at random: 2.3 s CPU on a million rows, issue 18)."""
    from casebook.store import firms
    from casebook.store.sqlite import raw_connection

    case_id, statements = _case_id(imported), []
    with imported.store.read() as session:
        conn = raw_connection(session)
        conn.set_trace_callback(statements.append)
        try:
            totals = firms.shipment_totals(session, case_id=case_id)
        finally:
            conn.set_trace_callback(None)
    assert totals and statements
    assert any("FROM firmrollup" in s for s in statements)
    assert not any(re.search(r"FROM (shipment|partyrollup)\b", s) for s in statements)


def test_problems_names_a_dataset_whose_firm_totals_were_changed(imported, store_sql):
    store_sql(
        "UPDATE firmrollup SET shipments = shipments + 1 WHERE id = (SELECT min(id) FROM firmrollup)"
    )
    with imported.store.read() as session:
        found = rollups.problems(session)
    assert found == [{"table": "firmrollup", "dataset_id": 1}]
    imported.rebuild_rollups()
    _assert_firm_totals_agree(imported)


def test_migration_0011_builds_the_firm_totals_of_a_0010_store(imported, store_backend):
    """A store at revision 0010 with shipments gets the per-firm totals an import makes (and on
    PostgreSQL the case tables' row-level security)."""
    from alembic import command

    engine = imported.store.engine
    with imported.store.read() as session:
        made = _stored_groups(session, "firmrollup")
    assert made
    with engine.begin() as conn:
        command.downgrade(migrations._config(conn), "0010")
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == "0010"
        assert not conn.dialect.has_table(conn, "firmrollup")
    migrations.upgrade(engine)
    with imported.store.read() as session:
        assert _stored_groups(session, "firmrollup") == made
    _assert_firm_totals_agree(imported)
    if store_backend == "postgresql":
        with engine.connect() as conn:
            secured = conn.exec_driver_sql(
                "SELECT relrowsecurity FROM pg_class WHERE relname = 'firmrollup'"
            ).scalar()
            policies = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_policies WHERE tablename = 'firmrollup'"
            ).scalar()
            viewers = conn.exec_driver_sql(
                "SELECT has_table_privilege('casebook_viewer', 'firmrollup', 'SELECT')"
            ).scalar()
        assert (secured, policies, viewers) == (True, 4, True)


def _trade_indexes(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traderollup'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'traderollup'"
    return {name for (name,) in conn.exec_driver_sql(sql) if "pkey" not in name}


def test_migration_0014_keeps_what_the_flags_read_of_a_0013_stores_trade_groups(
    imported, store_backend
):
    """A 0013 store's trade groups lose the measures nothing reads (and, on SQLite, their
    indexes): the groups' counts, values and sample rows stay, and so do the red flags."""
    from alembic import command

    engine = imported.store.engine
    kept = (
        "case_id, dataset_id, exporter_id, importer_id, hs6, cn8, origin, dispatch, "
        "shipments, value_usd, min_id"
    )
    before = imported.flags(case_ref=REF)
    with engine.begin() as conn:
        command.downgrade(migrations._config(conn), "0013")
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == "0013"
        columns = {c["name"] for c in sa_inspect(conn).get_columns("traderollup")}
        assert {"first_date", "weight", "max_id"} <= columns
        assert _trade_indexes(conn) == {"ix_traderollup_case_id", "ix_traderollup_dataset_id"}
        groups = sorted(
            (_rounded(r) for r in conn.exec_driver_sql(f"SELECT {kept} FROM traderollup")), key=repr
        )
    assert groups
    migrations.upgrade(engine)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa_inspect(conn).get_columns("traderollup")}
        assert columns == {"id", *kept.split(", ")}
        server = {"ix_traderollup_case_id", "ix_traderollup_dataset_id"}
        assert _trade_indexes(conn) == (server if store_backend == "postgresql" else set())
    with engine.connect() as conn:
        after = conn.exec_driver_sql(f"SELECT {kept} FROM traderollup")
        assert sorted((_rounded(r) for r in after), key=repr) == groups
    assert imported.flags(case_ref=REF) == before
    with imported.store.read() as session:
        assert rollups.problems(session) == []


def test_unit_value_bins_summed_in_memory_equal_sqls():
    """An import bins USD per kg from its columns in memory; the bins are those SQL makes from
    the stored rows (``ln``, SQLite's ``round`` half away from zero, rows without a positive
    value and weight or an HS6 left out), for values of every magnitude."""
    import numpy as np

    rng = random.Random(5)
    n = 20_000
    values = [rng.choice([None, 0.0, -3.0, 10 ** rng.uniform(-2, 9)]) for _ in range(n)]
    weights = [
        rng.choice([None, 0.0, 10 ** rng.uniform(-3, 6), float(rng.randint(1, 50))])
        for _ in range(n)
    ]
    codes = [rng.choice([None, "845811", "846693", "820730"]) for _ in range(n)]
    columns = {
        "value_usd": np.array([np.nan if v is None else v for v in values]),
        "net_weight": np.array([np.nan if w is None else w for w in weights]),
        "hs6": np.array(codes, dtype=object),
    }
    conn = sqlite3.connect(":memory:")
    rollups.ensure_ln(conn)
    conn.execute("CREATE TABLE shipment (hs6 TEXT, value_usd REAL, net_weight REAL)")
    conn.executemany(
        "INSERT INTO shipment VALUES (?, ?, ?)", zip(codes, values, weights, strict=True)
    )
    sql = (
        f"SELECT hs6, {rollups.UNIT_BIN}, count(*) FROM shipment WHERE {rollups.PRICED} "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    )
    made = rollups._unit_bins(columns)
    assert made == conn.execute(sql).fetchall()
    assert len(made) > 1000
