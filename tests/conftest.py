"""Shared fixtures: a fresh store, and a way to run the command line in-process."""

from __future__ import annotations

import io
import json
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


# --- backends ------------------------------------------------------------------------------------
# `pytest --backends sqlite,postgresql` (or CASEBOOK_TEST_BACKENDS) runs every test that opens a
# store (it asks for `db_path`, `book` or `run_cli`) under the folders of `--pg-tests` once per
# backend: ids end in [sqlite] / [postgresql], and the PostgreSQL runs carry the `postgresql`
# mark. Each PostgreSQL test gets a fresh database, dropped after it. A server that cannot be
# reached FAILS those tests; it never skips them.

PG_DEFAULT_DIRS = "tests/store,tests/cli,tests/book"


def pytest_addoption(parser):
    group = parser.getgroup("casebook")
    group.addoption(
        "--backends",
        default=os.environ.get("CASEBOOK_TEST_BACKENDS", "sqlite"),
        help="store backends to run store tests on: sqlite, postgresql or both (comma list)",
    )
    group.addoption(
        "--pg-tests",
        default=os.environ.get("CASEBOOK_TEST_PG_DIRS", PG_DEFAULT_DIRS),
        help="test folders (comma list) whose store tests also run on PostgreSQL",
    )
    group.addoption(
        "--pg-server",
        default=os.environ.get(
            "CASEBOOK_TEST_PG", "postgresql:///postgres?host=/var/run/postgresql"
        ),
        help="a PostgreSQL URL whose role may create databases (its database: where to connect)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: the test runs on a PostgreSQL store")
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): tests SQLite's own machinery (pragmas, FTS5, the file): no "
        "PostgreSQL variant",
    )


def _backends(config) -> list[str]:
    chosen = [b.strip() for b in config.getoption("--backends").split(",") if b.strip()]
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown:
        raise pytest.UsageError(f"--backends: unknown {', '.join(sorted(unknown))}")
    return chosen or ["sqlite"]


def _on_pg_dirs(config, path: Path) -> bool:
    root = Path(str(config.rootpath))
    dirs = [d.strip() for d in config.getoption("--pg-tests").split(",") if d.strip()]
    return any(path.is_relative_to(root / d) for d in dirs)


def pytest_generate_tests(metafunc):
    if "store_backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("postgresql"):  # written for the server alone
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):  # SQLite's own machinery
        return
    backends = _backends(metafunc.config)
    if not _on_pg_dirs(metafunc.config, Path(str(metafunc.definition.path))):
        backends = [b for b in backends if b == "sqlite"] or ["sqlite"]
    params = [
        pytest.param(b, marks=[pytest.mark.postgresql] if b == "postgresql" else [], id=b)
        for b in backends
    ]
    if backends != ["sqlite"]:  # SQLite alone: ids stay as they were
        metafunc.parametrize("store_backend", params)


def pytest_collection_modifyitems(config, items):
    """Tests written for PostgreSQL alone run only when it is among ``--backends``."""
    if "postgresql" in _backends(config):
        return
    kept = [item for item in items if not item.get_closest_marker("postgresql")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture
def store_backend() -> str:  # replaced by pytest_generate_tests' parameter
    return "sqlite"


def _admin_connect(url: str):
    import psycopg

    from casebook.core.location import parse_location

    loc = parse_location(url)
    try:
        return psycopg.connect(
            dbname=loc.dbname,
            user=loc.user,
            host=loc.host or loc.socket_dir,
            port=loc.port,
            autocommit=True,
        )
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL asked for (--backends) but not reachable at {url}: {exc}")


@pytest.fixture
def pg_database(request, tmp_path, monkeypatch):
    """A fresh, empty PostgreSQL database for one test: its ``postgresql://`` URL; dropped after."""
    import uuid

    server = request.config.getoption("--pg-server")
    admin = _admin_connect(server)
    prefix = os.environ.get("CASEBOOK_TEST_PG_PREFIX", "cb_test")  # who made it, on a shared server
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_dbname(server, name)
    monkeypatch.setenv("CASEBOOK_SERVER_FILES", str(tmp_path / "server-files"))
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def is_server(db) -> bool:
    """Whether ``db`` (a ``db_path`` value) is a PostgreSQL URL rather than a store file."""
    return isinstance(db, str) and "://" in db


class StoreTemplates:
    """Stores built once per session (per name and backend) and copied into a test's fresh
    ``db_path``: the file copied on SQLite; on PostgreSQL the test's empty database re-created
    from a template database (``CREATE DATABASE … TEMPLATE``), dropped at the session's end."""

    def __init__(self, config, tmp_path_factory) -> None:
        self.config, self.tmp_path_factory = config, tmp_path_factory
        self.made: dict[tuple[str, str], tuple[object, object]] = {}

    def copy(self, name: str, db, make):
        """Copy the template ``name`` into ``db`` (building it first with ``make(location)``,
        whose answer is kept); returns that answer."""
        from casebook.core.location import parse_location

        backend = "postgresql" if is_server(db) else "sqlite"
        if (name, backend) not in self.made:
            if backend == "sqlite":
                location = self.tmp_path_factory.mktemp(name) / f"{name}.db"
            else:
                import uuid

                prefix = os.environ.get("CASEBOOK_TEST_PG_PREFIX", "cb_test")
                dbname = f"{prefix}_tpl_{name}_{uuid.uuid4().hex[:8]}"
                with self._admin() as admin:
                    admin.execute(f'CREATE DATABASE "{dbname}"')
                location = _with_dbname(self.config.getoption("--pg-server"), dbname)
            self.made[name, backend] = (location, make(location))
        location, answer = self.made[name, backend]
        if backend == "sqlite":
            shutil.copyfile(location, db)
        else:
            target, source = parse_location(db).dbname, parse_location(location).dbname
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        return answer

    def _admin(self):
        return _admin_connect(self.config.getoption("--pg-server"))

    def close(self) -> None:
        from casebook.core.location import parse_location

        servers = [loc for (_, backend), (loc, _) in self.made.items() if backend == "postgresql"]
        if servers:
            with self._admin() as admin:
                for url in servers:
                    name = parse_location(url).dbname
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def store_templates(request, tmp_path_factory):
    """``store_templates.copy(name, db_path, make)``: see ``StoreTemplates``."""
    templates = StoreTemplates(request.config, tmp_path_factory)
    try:
        yield templates
    finally:
        templates.close()


def _with_dbname(server: str, dbname: str) -> str:
    from casebook.core.location import parse_location

    loc = parse_location(server)
    return str(
        type(loc)(
            dbname=dbname, user=loc.user, host=loc.host, port=loc.port, socket_dir=loc.socket_dir
        )
    )


@pytest.fixture
def db_path(tmp_path: Path, store_backend, request):
    """A store that does not exist yet: a file path on SQLite; on PostgreSQL the URL of a fresh,
    empty database (a ``str``)."""
    if store_backend == "postgresql":
        return request.getfixturevalue("pg_database")
    return tmp_path / "cases.db"


def sql_on(db, statement: str, params: tuple = ()) -> list[tuple]:
    """Run one statement (``?`` placeholders) on a store file or server database, outside
    Casebook (committed); its rows, if it returns any."""
    if is_server(db):
        import psycopg

        from casebook.core.location import parse_location

        loc = parse_location(db)
        host = loc.host or loc.socket_dir
        with psycopg.connect(
            dbname=loc.dbname, user=loc.user, host=host, port=loc.port, autocommit=True
        ) as c:
            cursor = c.execute(statement.replace("?", "%s"), params or None)
            return cursor.fetchall() if cursor.description else []
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(statement, params).fetchall()


def store_exists(db) -> bool:
    """Whether a store is there: the file, or the schema in the server database."""
    if is_server(db):
        return bool(sql_on(db, "SELECT to_regclass('alembic_version') IS NOT NULL")[0][0])
    return Path(db).exists()


@pytest.fixture
def store_sql(db_path):
    """``store_sql(statement, params)`` on the test's store, whichever its backend."""
    return lambda statement, params=(): sql_on(db_path, statement, params)


@pytest.fixture
def book(db_path):
    """An open, empty store."""
    from casebook.book import Casebook

    with Casebook.open(db_path, user="tester", create=True) as opened:
        yield opened


@pytest.fixture
def run_cli(db_path):
    """Run ``casebook --db <db_path> ARGS…`` in-process; returns code, stdout, stderr."""
    from casebook.__main__ import main

    def run(*args: str, db: Path | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        where = str(db or db_path)
        # On a server the audit user is the login role and --user is refused (exit 2).
        user = [] if "://" in where else ["--user", "tester"]
        argv = ["--db", where, *user, *args]
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
        return Result(code, out.getvalue(), err.getvalue())

    return run


REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference"


@pytest.fixture
def reference_dir() -> Path:
    """The public reference files in ``tests/fixtures/reference`` (``CASEBOOK_REFERENCE``
    overrides); a missing folder fails, it never skips."""
    folder = Path(os.environ.get("CASEBOOK_REFERENCE", REFERENCE))
    if not folder.is_dir():
        pytest.fail(f"reference files not found at {folder} (set CASEBOOK_REFERENCE)")
    return folder


def _demo(location) -> None:
    from casebook.cli import main

    user = [] if is_server(location) else ["--user", "tester"]  # a server's user is its login
    assert main(["--db", str(location), *user, "demo"]) == 0


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A store file holding the demo case, built once per test module through the CLI."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    _demo(db)
    return db


@pytest.fixture
def demo_db(request, db_path, store_templates):
    """The demo case: on SQLite one file per module; on PostgreSQL the test's own database,
    copied from a server template built once."""
    if not is_server(db_path):
        return request.getfixturevalue("demo_file")
    store_templates.copy("demo", db_path, _demo)
    return db_path
