"""Alembic migrations shipped in the package; opening a store upgrades it to ``HEAD``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).resolve().parent
#: The newest schema revision; a test checks that it is Alembic's head. Opening a store at this
#: revision skips Alembic entirely, which keeps start-up fast.
HEAD = "0015"


def _config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this version of Casebook knows."""
    from alembic.script import ScriptDirectory

    return frozenset(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The store's schema revision, or None for a store without one."""
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store's schema to ``revision``."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
