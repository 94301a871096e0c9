"""chartposition: saved link-chart positions, pins and groups per case and subject

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-07 13:00:00

Positions saved before (the ``network.positions`` case setting) move into the table; the
setting keeps the name of the layout they came from.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SETTING = "network.positions"


def upgrade() -> None:
    op.create_table(
        "chartposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("group_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "subject_kind", "subject_uid"),
    )
    with op.batch_alter_table("chartposition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chartposition_case_id"), ["case_id"], unique=False)
    _move_saved_positions()


def _move_saved_positions() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, case_id, value FROM casesetting WHERE key = :key"), {"key": SETTING}
    ).fetchall()
    for setting_id, case_id, value in rows:
        data = json.loads(value) if isinstance(value, str) else (value or {})
        for uid, point in (data.get("positions") or {}).items():
            try:
                x, y = (float(v) for v in point)
            except (TypeError, ValueError):
                continue  # a damaged saved position is a view setting: drop it
            conn.execute(
                sa.text(
                    "INSERT INTO chartposition (case_id, subject_kind, subject_uid, x, y, pinned)"
                    " VALUES (:case, 'firm', :uid, :x, :y, 0)"
                ),
                {"case": case_id, "uid": str(uid), "x": x, "y": y},
            )
        layout = {"layout": data.get("layout")}
        conn.execute(
            sa.text("UPDATE casesetting SET value = :value WHERE id = :id"),
            {"value": json.dumps(layout), "id": setting_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("chartposition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chartposition_case_id"))
    op.drop_table("chartposition")
