"""trade and unit-value rollups: shipments per dataset by firm pair, code and route, and by HS6
and unit-value bin; stored row tests per firm pair

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-07 13:10:00

The red flags over codes, countries and unit values read the new groups instead of every shipment
(issue 18); the groups of the shipments already stored are built here. The stored row tests gain the firm
pair and sample ids, so their old totals are dropped: they are made again on the next import or
by ``casebook verify --repair``, and computed from the rows until then. The SQL is written out,
not imported, so this revision stays as it was.
"""

from __future__ import annotations

import math
import sqlite3

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "traderollup",
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("valued", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("weighed", sa.Integer(), nullable=False),
        sa.Column("first_date", text(), nullable=True),
        sa.Column("min_id", sa.Integer(), nullable=True),
        sa.Column("max_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("exporter_id", sa.Integer(), nullable=True),
        sa.Column("importer_id", sa.Integer(), nullable=True),
        sa.Column("hs6", text(), nullable=True),
        sa.Column("cn8", text(), nullable=True),
        sa.Column("origin", text(), nullable=True),
        sa.Column("dispatch", text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["exporter_id"], ["firm.id"]),
        sa.ForeignKeyConstraint(["importer_id"], ["firm.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("traderollup", schema=None) as batch_op:
        batch_op.create_index("ix_traderollup_case_id", ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_traderollup_dataset_id"), ["dataset_id"], unique=False)
    op.create_table(
        "unitvaluerollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hs6", text(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unitvaluerollup", schema=None) as batch_op:
        batch_op.create_index("ix_unitvaluerollup_case_id", ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unitvaluerollup_dataset_id"), ["dataset_id"], unique=False
        )
    op.execute("DELETE FROM rowtestrollup")
    for name in ("exporter_id", "importer_id", "min_id"):
        op.add_column("rowtestrollup", sa.Column(name, sa.Integer(), nullable=True))
    _ensure_ln()
    op.execute(
        "INSERT INTO unitvaluerollup (case_id, dataset_id, hs6, bin, shipments) "
        "SELECT case_id, dataset_id, hs6, CAST(round(ln(value_usd / net_weight) * 50) AS INTEGER), "
        "count(*) FROM shipment WHERE hs6 IS NOT NULL AND value_usd > 0 AND net_weight > 0 "
        "GROUP BY 1, 2, 3, 4"
    )
    op.execute(
        f"INSERT INTO traderollup (case_id, dataset_id, exporter_id, importer_id, hs6, cn8, "
        f"origin, dispatch, {_TOTALS}) SELECT case_id, dataset_id, exporter_id, importer_id, hs6, "
        f"substr(hs_code, 1, 8), origin, dispatch, {_SUMS} FROM shipment "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )


def _ensure_ln() -> None:
    """SQLite built without math functions lacks ``ln``; supply it from Python then."""
    conn = op.get_bind().connection.driver_connection
    try:
        conn.execute("SELECT ln(2.0)")
    except sqlite3.OperationalError:
        conn.create_function("ln", 1, math.log, deterministic=True)


def downgrade() -> None:
    with op.batch_alter_table("rowtestrollup", schema=None) as batch_op:
        for name in ("min_id", "importer_id", "exporter_id"):
            batch_op.drop_column(name)
    op.execute("DELETE FROM rowtestrollup")
    op.drop_table("unitvaluerollup")
    op.drop_table("traderollup")
