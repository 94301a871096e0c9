"""Alembic environment: runs on the connection that ``casebook.store.migrations`` passes in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import casebook.store.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Casebook migrations run only through casebook.store.migrations.upgrade()")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
