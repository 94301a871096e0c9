"""per-firm rollup: each dataset's shipments summed by firm and side (exporter or importer)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00

``firms list`` summed the firm groups by month and pair (``partyrollup``) per firm: as many
groups as shipments when an extract pairs its firms at random (2.3 s CPU on a million rows,
issue 18). The per-firm totals are a few thousand rows; those of the shipments already stored
are made here from their firm groups, as an import makes them. On PostgreSQL the new table gets
the grants and row-level security policies of the other case tables (0010). The SQL is written
out, not imported, so this revision stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SEES = "(SELECT casebook_case_ids())"
WRITES = "(SELECT casebook_writable_case_ids())"


def upgrade() -> None:
    op.create_table(
        "firmrollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("firmrollup", schema=None) as batch_op:
        batch_op.create_index("ix_firmrollup_case_id", ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_firmrollup_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_firmrollup_firm_id"), ["firm_id"], unique=False)
    for role, column in (("exporter", "exporter_id"), ("importer", "importer_id")):
        op.execute(
            "INSERT INTO firmrollup (case_id, dataset_id, firm_id, role, shipments, value_usd) "
            f"SELECT case_id, dataset_id, {column}, '{role}', sum(shipments), sum(value_usd) "
            f"FROM partyrollup WHERE {column} IS NOT NULL GROUP BY 1, 2, 3"
        )
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    """The grants and policies 0010 gave every table whose rows belong to one case."""
    op.execute("GRANT SELECT ON firmrollup TO casebook_admin, casebook_analyst, casebook_viewer")
    writers = "casebook_admin, casebook_analyst"
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON firmrollup TO {writers}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE firmrollup_id_seq TO {writers}")
    reads, writes = f"case_id IN {SEES}", f"case_id IN {WRITES}"
    op.execute("ALTER TABLE firmrollup ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY casebook_read ON firmrollup FOR SELECT USING ({reads})")
    op.execute(f"CREATE POLICY casebook_insert ON firmrollup FOR INSERT WITH CHECK ({writes})")
    op.execute(
        f"CREATE POLICY casebook_update ON firmrollup FOR UPDATE USING ({writes}) "
        f"WITH CHECK ({writes})"
    )
    op.execute(f"CREATE POLICY casebook_delete ON firmrollup FOR DELETE USING ({writes})")


def downgrade() -> None:
    op.drop_table("firmrollup")  # its policies and grants go with it
