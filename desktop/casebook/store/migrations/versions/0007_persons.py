"""persons: people behind the firms (issue 21) — persons, their links and merges; listed
entries' birth dates; screening hits on persons

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


SPAN = 1 << 40
# The search index (revision 0003) gains persons: kind code 6, names, aliases, identifiers.
PERSON_VIEW = f"""
    SELECT 6 * {SPAN} + p.id AS doc_id, p.id AS id, p.name AS title,
           coalesce(p.native_name, '') || ' ' || p.aliases || ' ' || p.identifiers
           || ' ' || coalesce(p.notes, '') AS body,
           p.case_id AS case_id
    FROM person AS p WHERE p.merged_into IS NULL"""
_REFRESH = (
    f"DELETE FROM search_index WHERE rowid = 6 * {SPAN} + NEW.id; "
    "INSERT INTO search_index (rowid, title, body, case_id) "
    "SELECT doc_id, title, body, case_id FROM search_doc_person WHERE id = NEW.id;"
)
_DELETE = f"DELETE FROM search_index WHERE rowid = 6 * {SPAN} + OLD.id;"
PERSON_TRIGGERS = {
    "search_person_ai": f"AFTER INSERT ON person BEGIN {_REFRESH} END",
    "search_person_au": "AFTER UPDATE OF name, native_name, aliases, identifiers, notes, "
    f"merged_into ON person BEGIN {_DELETE} {_REFRESH} END",
    "search_person_ad": f"AFTER DELETE ON person BEGIN {_DELETE} END",
}


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("native_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("birth_date", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("nationality", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sort_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_merged_into"), ["merged_into"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_uid"), ["uid"], unique=True)

    op.create_table(
        "personlink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=True),
        sa.Column("from_firm_id", sa.Integer(), nullable=True),
        sa.Column("to_person_id", sa.Integer(), nullable=True),
        sa.Column("to_firm_id", sa.Integer(), nullable=True),
        sa.Column("from_person_orig_id", sa.Integer(), nullable=True),
        sa.Column("to_person_orig_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("start", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("end", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["from_firm_id"],
            ["firm.id"],
        ),
        sa.ForeignKeyConstraint(
            ["from_person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_firm_id"],
            ["firm.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("personlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personlink_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_personlink_from_firm_id"), ["from_firm_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_personlink_from_person_id"), ["from_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_personlink_to_firm_id"), ["to_firm_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_personlink_to_person_id"), ["to_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_personlink_uid"), ["uid"], unique=True)

    op.create_table(
        "personmerge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("keep_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("undone", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["keep_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("personmerge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personmerge_keep_id"), ["keep_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personmerge_other_id"), ["other_id"], unique=False)

    with op.batch_alter_table("listedentity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("birth_dates", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("screeninghit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.alter_column("firm_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_screeninghit_person_id"), ["person_id"], unique=False)
        batch_op.create_foreign_key("fk_screeninghit_person_id", "person", ["person_id"], ["id"])

    if op.get_bind().dialect.name == "postgresql":  # searched by ILIKE over trigram indexes
        for column in ("name", "native_name"):
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_trgm_person_{column} ON person "
                f"USING gin ({column} gin_trgm_ops)"
            )
        return
    op.execute(f"CREATE VIEW search_doc_person AS {PERSON_VIEW}")
    for name, body in PERSON_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in PERSON_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP VIEW IF EXISTS search_doc_person")
        op.execute(f"DELETE FROM search_index WHERE rowid >= 6 * {SPAN} AND rowid < 7 * {SPAN}")
    with op.batch_alter_table("screeninghit", schema=None) as batch_op:
        batch_op.drop_constraint("fk_screeninghit_person_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_screeninghit_person_id"))
        batch_op.alter_column("firm_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("person_id")

    with op.batch_alter_table("listedentity", schema=None) as batch_op:
        batch_op.drop_column("birth_dates")

    with op.batch_alter_table("personmerge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personmerge_other_id"))
        batch_op.drop_index(batch_op.f("ix_personmerge_keep_id"))

    op.drop_table("personmerge")
    with op.batch_alter_table("personlink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personlink_uid"))
        batch_op.drop_index(batch_op.f("ix_personlink_to_person_id"))
        batch_op.drop_index(batch_op.f("ix_personlink_to_firm_id"))
        batch_op.drop_index(batch_op.f("ix_personlink_from_person_id"))
        batch_op.drop_index(batch_op.f("ix_personlink_from_firm_id"))
        batch_op.drop_index(batch_op.f("ix_personlink_case_id"))

    op.drop_table("personlink")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_uid"))
        batch_op.drop_index(batch_op.f("ix_person_name_key"))
        batch_op.drop_index(batch_op.f("ix_person_merged_into"))
        batch_op.drop_index(batch_op.f("ix_person_case_id"))

    op.drop_table("person")
