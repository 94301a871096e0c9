"""rollups: shipments summed per dataset by month and countries/code, and by month and firms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:20:00

The groups of the shipments already stored are built here (``store.rollups`` keeps them in step
from then on). The SQL is written out, not imported, so this revision stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TOTALS = "shipments, value_usd, valued, weight, weighed, first_date, min_id, max_id"
_SUMS = (
    "count(*), sum(value_usd), count(value_usd), sum(net_weight), count(net_weight), "
    "min(date), min(id), max(id)"
)


def _totals() -> list[sa.Column]:
    return [
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("valued", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("weighed", sa.Integer(), nullable=False),
        sa.Column("first_date", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("min_id", sa.Integer(), nullable=True),
        sa.Column("max_id", sa.Integer(), nullable=True),
    ]


def _keys() -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    ]


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "shipmentrollup",
        *_totals(),
        *_keys(),
        sa.Column("origin", text(), nullable=True),
        sa.Column("dispatch", text(), nullable=True),
        sa.Column("destination", text(), nullable=True),
        sa.Column("hs6", text(), nullable=True),
        sa.Column("hs_head", text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shipmentrollup", schema=None) as batch_op:
        batch_op.create_index("ix_shipmentrollup_case_month", ["case_id", "month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipmentrollup_dataset_id"), ["dataset_id"], unique=False
        )
    op.create_table(
        "partyrollup",
        *_totals(),
        *_keys(),
        sa.Column("exporter_id", sa.Integer(), nullable=True),
        sa.Column("importer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["exporter_id"], ["firm.id"]),
        sa.ForeignKeyConstraint(["importer_id"], ["firm.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("partyrollup", schema=None) as batch_op:
        batch_op.create_index("ix_partyrollup_case_month", ["case_id", "month"], unique=False)
        batch_op.create_index(batch_op.f("ix_partyrollup_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partyrollup_exporter_id"), ["exporter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partyrollup_importer_id"), ["importer_id"], unique=False
        )
    op.create_table(
        "rowtestrollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("test", text(), nullable=False),
        sa.Column("version", text(), nullable=False),
        sa.Column("detail", text(), nullable=True),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rowtestrollup", schema=None) as batch_op:
        batch_op.create_index("ix_rowtestrollup_case_test", ["case_id", "test"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rowtestrollup_dataset_id"), ["dataset_id"], unique=False
        )
    # Row tests need Casebook's own matchers: their totals are made on the next import, or by
    # `casebook verify --repair`; until then they are computed from the rows.
    op.execute(
        f"INSERT INTO shipmentrollup (case_id, dataset_id, month, origin, dispatch, destination, "
        f"hs6, hs_head, {_TOTALS}) SELECT case_id, dataset_id, substr(date, 1, 7), origin, "
        f"dispatch, destination, hs6, substr(hs_code, 1, 6), {_SUMS} FROM shipment "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    op.execute(
        f"INSERT INTO partyrollup (case_id, dataset_id, month, exporter_id, importer_id, "
        f"{_TOTALS}) SELECT case_id, dataset_id, substr(date, 1, 7), exporter_id, importer_id, "
        f"{_SUMS} FROM shipment GROUP BY 1, 2, 3, 4, 5"
    )


def downgrade() -> None:
    op.drop_table("rowtestrollup")
    op.drop_table("partyrollup")
    op.drop_table("shipmentrollup")
