"""Migrations and models agree; old stores upgrade without loss; newer stores are refused."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from casebook.book import Casebook
from casebook.core.errors import StoreTooNew
from casebook.store import migrations, search


def test_head_constant_is_alembics_head():
    script = ScriptDirectory.from_config(migrations._config())
    assert script.get_current_head() == migrations.HEAD


def test_migrations_create_exactly_the_models(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrations.upgrade(engine)
    with engine.connect() as conn:
        # The search index (FTS5 table, shadow tables, views) is not part of the SQLModel
        # metadata; indexes only a server has (``models.server_index``) are not made here.
        opts = {
            "include_name": lambda name, type_, parent: not search.is_search_object(name),
            "include_object": lambda obj, name, type_, reflected, compare_to: (
                obj.info.get("only", "sqlite") == "sqlite"
            ),
        }
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), SQLModel.metadata)
    assert diff == []


def test_store_made_by_first_migration_upgrades_without_loss(tmp_path):
    path = tmp_path / "old.db"
    migrations.upgrade(create_engine(f"sqlite:///{path}"), "0001")
    with sqlite3.connect(path) as conn:
        conn.execute(
            'INSERT INTO "case" (uid, ref, title, summary, status, priority, marking, created, updated)'
            " VALUES ('u1', 'CB-OLD-1', 'Старое дело', 's', 'open', 'high', 'TLP:RED',"
            " '2024-01-02 03:04:05', '2024-01-02 03:04:05')"
        )
        conn.execute(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES ('f1', 'ООО «Техностанок»', 'tekhnostanok', '2024-01-02')"
        )
    with Casebook.open(path) as book:
        case = book.get_case("CB-OLD-1")
        assert (case.title, case.priority, case.marking) == ("Старое дело", "high", "TLP:RED")
    with sqlite3.connect(path) as conn:
        assert (
            conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrations.HEAD
        )
        assert conn.execute("SELECT name FROM firm").fetchone()[0] == "ООО «Техностанок»"
        assert conn.execute("SELECT count(*) FROM casesetting").fetchone()[0] == 0


def test_store_from_a_newer_version_is_refused_with_exit_3(tmp_path, run_cli):
    path = tmp_path / "new.db"
    Casebook.open(path, create=True).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(StoreTooNew):
        Casebook.open(path)
    r = run_cli("case", "list", "--json", db=path)
    assert r.code == 3 and "newer" in r.err


def test_a_file_that_is_not_a_store_is_refused(tmp_path, run_cli):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    r = run_cli("case", "list", "--json", db=path)
    assert r.code == 1 and "not a Casebook store" in r.err


@pytest.mark.sqlite_only("WAL")
def test_store_uses_wal_and_foreign_keys(book):
    with book.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
