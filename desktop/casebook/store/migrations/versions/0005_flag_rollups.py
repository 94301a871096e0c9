"""flag rollups: row tests stored per firm pair, and priced shipments by HS6 and unit value

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:30:00

``flags`` reads each row test's groups per dataset, detail and firm pair, and the medians of USD
per kg from a histogram per dataset, instead of scanning the shipments. The row-test groups
stored before (per detail only) are dropped: the next import or ``casebook verify --repair``
stores them again, and until then they are found from the rows. The histogram of the shipments
already stored is built here (the SQL written out, so this revision stays as it was).
"""

from __future__ import annotations

import math
import sqlite3

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)


def _ensure_ln() -> None:
    conn = op.get_bind().connection.driver_connection
    try:
        conn.execute("SELECT ln(2.0)")
    except sqlite3.OperationalError:  # SQLite built without math functions
        conn.create_function("ln", 1, math.log, deterministic=True)


def upgrade() -> None:
    op.execute("DELETE FROM rowtestrollup")
    with op.batch_alter_table("rowtestrollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exporter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("importer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_rowtestrollup_exporter_id", "firm", ["exporter_id"], ["id"])
        batch_op.create_foreign_key("fk_rowtestrollup_importer_id", "firm", ["importer_id"], ["id"])
        batch_op.create_index(
            batch_op.f("ix_rowtestrollup_exporter_id"), ["exporter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rowtestrollup_importer_id"), ["importer_id"], unique=False
        )
    op.create_table(
        "unitvaluerollup",
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("valued", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("weighed", sa.Integer(), nullable=False),
        sa.Column("first_date", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("min_id", sa.Integer(), nullable=True),
        sa.Column("max_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hs6", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bin", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unitvaluerollup", schema=None) as batch_op:
        batch_op.create_index("ix_unitvaluerollup_case_hs6", ["case_id", "hs6"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unitvaluerollup_dataset_id"), ["dataset_id"], unique=False
        )
    _ensure_ln()
    op.execute(
        f"INSERT INTO unitvaluerollup (case_id, dataset_id, hs6, bin, {_TOTALS}) "
        "SELECT case_id, dataset_id, hs6, CAST(round(ln(value_usd / net_weight) * 50) AS INTEGER), "
        f"{_SUMS} FROM shipment WHERE hs6 IS NOT NULL AND value_usd > 0 AND net_weight > 0 "
        "GROUP BY 1, 2, 3, 4"
    )


def downgrade() -> None:
    op.drop_table("unitvaluerollup")
    with op.batch_alter_table("rowtestrollup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rowtestrollup_importer_id"))
        batch_op.drop_index(batch_op.f("ix_rowtestrollup_exporter_id"))
        batch_op.drop_constraint("fk_rowtestrollup_importer_id", type_="foreignkey")
        batch_op.drop_constraint("fk_rowtestrollup_exporter_id", type_="foreignkey")
        batch_op.drop_column("max_id")
        batch_op.drop_column("min_id")
        batch_op.drop_column("importer_id")
        batch_op.drop_column("exporter_id")
