"""trade groups keep only what the red flags read; on SQLite they have no index

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:00:00

The trade groups (0008) kept every measure of the other rollups, but the red flags read only
the count, the USD value and the lowest shipment id of each. An extract that pairs its firms
at random has as many trade groups as shipments (997,366 for 1M rows), so the unread measures
(``valued``, ``weight``, ``weighed``, ``first_date``, ``max_id``: 26 MB) and the two indexes
(by case and by dataset: 20 MB) held the store of a 1M-row import above twice its CSV (issue 18).

On SQLite the indexes go: a store holds one or a few cases, so a case's groups are most of
them and a scan reads them faster than the index did (as for ``partyrollup`` since 0006); only
deleting a dataset looks its groups up, by a scan. A PostgreSQL server holds many cases under
row-level security, so it keeps both indexes. The columns go on both. Downgrading makes the
measures again from the shipments.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DROPPED = ("valued", "weight", "weighed", "first_date", "max_id")
INDEXES = (("ix_traderollup_case_id", "case_id"), ("ix_traderollup_dataset_id", "dataset_id"))


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # SQLite: one copy of the table without the columns and indexes (five ALTER TABLE DROP
    # COLUMN would rewrite every group five times).
    with op.batch_alter_table("traderollup", recreate="always" if _sqlite() else "never") as batch:
        if _sqlite():
            for name, _ in INDEXES:
                batch.drop_index(name)
        for column in DROPPED:
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("traderollup", recreate="always" if _sqlite() else "never") as batch:
        batch.add_column(sa.Column("valued", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("weight", sa.Float(), nullable=True))
        batch.add_column(sa.Column("weighed", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("first_date", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("max_id", sa.Integer(), nullable=True))
        if _sqlite():
            for name, column in INDEXES:
                batch.create_index(name, [column], unique=False)
    # the groups made again from the shipments, with every measure (0008's SQL)
    op.execute("DELETE FROM traderollup")
    op.execute(
        "INSERT INTO traderollup (case_id, dataset_id, exporter_id, importer_id, hs6, cn8, "
        "origin, dispatch, shipments, value_usd, valued, weight, weighed, first_date, min_id, "
        "max_id) SELECT case_id, dataset_id, exporter_id, importer_id, hs6, "
        "substr(hs_code, 1, 8), origin, dispatch, count(*), sum(value_usd), count(value_usd), "
        "sum(net_weight), count(net_weight), min(date), min(id), max(id) FROM shipment "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
