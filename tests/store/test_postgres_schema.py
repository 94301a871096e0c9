"""The schema on a PostgreSQL server (issue 17): installed by the first command that creates
data, refused without the privilege it needs, and never downgraded."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from casebook.store.migrations import HEAD

pytestmark = pytest.mark.postgresql


def _sql(url: str, statement: str, *params):
    from casebook.core.location import parse_location

    loc = parse_location(url)
    with psycopg.connect(dbname=loc.dbname, host=loc.socket_dir or loc.host, autocommit=True) as c:
        cursor = c.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else None


def test_an_empty_database_gets_the_schema_from_the_first_creating_command(run_cli, pg_database):
    listed = run_cli("case", "list", "--json", db=pg_database)
    assert listed.code == 2 and "no store" in listed.err
    created = run_cli("case", "new", "Team case", "--ref", "CB-T-1", "--json", db=pg_database)
    assert created.code == 0, created.err
    assert _sql(pg_database, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert _sql(pg_database, "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
    trigram = _sql(
        pg_database, "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'"
    )
    names = {n for (n,) in trigram}
    # The descriptions' index covers their distinct texts, not every shipment (migration 0015).
    assert {"ix_trgm_shipmenttext_text", "ix_trgm_firm_name"} <= names
    assert "ix_trgm_shipment_description" not in names
    # SQLite's FTS5 table and triggers are not made on a server
    assert not _sql(pg_database, "SELECT 1 FROM pg_class WHERE relname = 'search_index'")
    assert run_cli("case", "list", "--json", db=pg_database).json["cases"][0]["ref"] == "CB-T-1"


def test_a_role_that_may_not_create_the_schema_exits_3_naming_the_privilege(
    run_cli, pg_database, monkeypatch
):
    from casebook.core.location import parse_location

    role, dbname = f"cb_ro_{uuid.uuid4().hex[:8]}", parse_location(pg_database).dbname
    _sql(pg_database, f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
    try:
        _sql(
            pg_database,
            f'GRANT CONNECT ON DATABASE "{dbname}" TO {role}',
        )
        monkeypatch.setenv("PGPASSWORD", f"pw-{role}")
        url = f"postgresql://{role}@127.0.0.1/{dbname}"
        result = run_cli("case", "new", "Team case", "--json", db=url)
        assert result.code == 3
        assert "CREATE on schema public" in result.err and result.out == ""
        assert not _sql(pg_database, "SELECT 1 FROM pg_class WHERE relname = 'alembic_version'")
    finally:
        _sql(pg_database, f"DROP OWNED BY {role}")
        _sql(pg_database, f"DROP ROLE {role}")


def test_a_schema_from_a_newer_casebook_is_refused_with_exit_3(run_cli, pg_database):
    assert run_cli("case", "new", "Team case", "--json", db=pg_database).code == 0
    _sql(pg_database, "UPDATE alembic_version SET version_num = '9999'")
    result = run_cli("case", "list", "--json", db=pg_database)
    assert result.code == 3 and "newer Casebook" in result.err


def test_a_database_holding_other_tables_is_not_taken_over(run_cli, pg_database):
    _sql(pg_database, "CREATE TABLE payroll (id integer)")
    result = run_cli("case", "new", "Team case", "--json", db=pg_database)
    assert result.code == 1 and "not a Casebook store" in result.err


def test_a_0012_store_is_upgraded_with_the_firm_search_function(run_cli, pg_database):
    """Migration 0013 on a store made at 0012: its firms are then found through
    ``casebook_firm_search``, which applies the same visibility as the firm policy."""
    from casebook.core.location import parse_location
    from casebook.store import migrations, postgres

    engine = postgres.create(parse_location(pg_database), immediate=False)
    try:
        migrations.upgrade(engine, "0012")
    finally:
        engine.dispose()
    function = "SELECT count(*) FROM pg_proc WHERE proname = 'casebook_firm_search'"
    assert _sql(pg_database, function) == [(0,)]
    rows = "SELECT prorows FROM pg_proc WHERE proname = 'casebook_shipment_matches'"
    assert _sql(pg_database, rows) == [(1000,)]
    _sql(
        pg_database,
        "INSERT INTO firm (uid, name, country, sort_key, created) "
        "VALUES ('f-1', 'OLD STORE LLC', 'RU', '', now())",
    )
    created = run_cli("case", "new", "Team case", "--ref", "CB-T-1", "--json", db=pg_database)
    assert created.code == 0, created.err
    assert _sql(pg_database, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert _sql(pg_database, function) == [(1,)]
    assert _sql(pg_database, rows) == [(20,)]  # planned as the few ids it mostly returns
    found = "SELECT title FROM casebook_firm_search(ARRAY['%store%'], '{}', NULL, 50)"
    assert _sql(pg_database, found) == [("OLD STORE LLC",)]


def test_a_0014_store_is_upgraded_to_search_its_cases_distinct_descriptions(run_cli, pg_database):
    """Migration 0015 on a store made at 0014 (its shipments without a text): each case gets its
    own row per distinct description, the trigram index covers those texts instead of every
    shipment's description, and the descriptions are found as before."""
    from casebook.core.location import parse_location
    from casebook.store import migrations, postgres

    engine = postgres.create(parse_location(pg_database), immediate=False)
    try:
        migrations.upgrade(engine, "0014")
    finally:
        engine.dispose()
    for ref in ("CB-OLD-1", "CB-OLD-2"):
        _sql(
            pg_database,
            'INSERT INTO "case" (uid, ref, title, summary, status, priority, marking, created, '
            "updated) VALUES (%s, %s, 'Старое дело', '', 'open', 'high', 'TLP:RED', now(), now())",
            ref,
            ref,
        )
    cases = dict(_sql(pg_database, 'SELECT ref, id FROM "case"'))
    long = "ВАЛ ШПИНДЕЛЯ " * 800  # over the ~2.7 KB a B-tree entry may hold
    rows = [
        ("CB-OLD-1", "СТАНОК ТОКАРНЫЙ 16К20"),
        ("CB-OLD-1", "СТАНОК ТОКАРНЫЙ 16К20"),
        ("CB-OLD-1", long),
        ("CB-OLD-2", "СТАНОК ТОКАРНЫЙ 16К20"),
        ("CB-OLD-2", ""),
    ]
    datasets = {}
    for ref, case_id in cases.items():
        [(datasets[ref],)] = _sql(
            pg_database,
            "INSERT INTO dataset (uid, case_id, kind, file_name, sha256, mapping, row_count, "
            "content_hash, imported, imported_by) VALUES (%s, %s, 'shipments', 'old.csv', '', "
            "'{}', 0, '', now(), '') RETURNING id",
            ref,
            case_id,
        )
    for n, (ref, description) in enumerate(rows, 1):
        _sql(
            pg_database,
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, description) "
            "VALUES (%s, %s, %s, '', %s)",
            datasets[ref],
            cases[ref],
            n,
            description,
        )
    assert _sql(pg_database, "SELECT count(*) FROM shipment WHERE text_id IS NOT NULL") == [(0,)]
    found = run_cli("search", "токарн", "--json", db=pg_database)
    assert found.code == 0, found.err
    assert _sql(pg_database, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    texts = (
        'SELECT c.ref, left(t.text, 21) FROM shipmenttext AS t JOIN "case" AS c ON c.id = t.case_id'
    )
    assert sorted(_sql(pg_database, texts)) == [
        ("CB-OLD-1", long[:21]),
        ("CB-OLD-1", "СТАНОК ТОКАРНЫЙ 16К20"),
        ("CB-OLD-2", "СТАНОК ТОКАРНЫЙ 16К20"),
    ]
    pointed = "SELECT count(*) FROM shipment WHERE (text_id IS NULL) = (description <> '')"
    assert _sql(pg_database, pointed) == [(0,)]
    trigram = "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'"
    names = {n for (n,) in _sql(pg_database, trigram)}
    assert "ix_trgm_shipmenttext_text" in names and "ix_trgm_shipment_description" not in names
    hits = [(r["case_ref"], r["title"]) for r in found.json["results"]]
    assert sorted(hits) == [("CB-OLD-1", "СТАНОК ТОКАРНЫЙ 16К20")] * 2 + [
        ("CB-OLD-2", "СТАНОК ТОКАРНЫЙ 16К20")
    ]
    spindle = run_cli("search", "шпинделя вал", "--json", db=pg_database).json["results"]
    assert [r["case_ref"] for r in spindle] == ["CB-OLD-1"]
