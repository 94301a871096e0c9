"""search over distinct shipment texts; smaller indexes for a million-row import

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 13:10:00

Customs descriptions repeat heavily (200,000 rows of an extract hold 20,000 distinct ones), so
the search index covers each distinct description once: ``shipmenttext`` holds them, each
shipment points to its own by ``text_id``, and on SQLite an FTS5 trigram table ``search_text``
(external content: it stores no copy of the texts) indexes them. The shipments' rows leave
``search_index``; a declaration number is looked for in the rows themselves, newest first.

Indexes that cost more than they serve go (the store must stay within twice the size of the
CSV it was imported from): ``ix_shipment_case_rowkey`` (a case's duplicate keys are read once
per import; a scan does) and every index of ``partyrollup`` (its groups are read by case, which
in a store of one or two cases is most of them; only deleting a dataset, a merge or a split
look groups up by dataset or firm). From now
on ``row_key`` is stored only when made from a row's content (``store.shipments``).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SPAN = 1 << 40


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "shipmenttext",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("text"),
    )
    op.add_column("shipment", sa.Column("text_id", sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO shipmenttext (text) SELECT DISTINCT description FROM shipment "
        "WHERE description IS NOT NULL AND description != ''"
    )
    op.execute(
        "UPDATE shipment SET text_id = (SELECT t.id FROM shipmenttext AS t "
        "WHERE t.text = shipment.description) WHERE description IS NOT NULL AND description != ''"
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index("ix_shipment_case_rowkey")
        batch_op.create_index(batch_op.f("ix_shipment_text_id"), ["text_id"], unique=False)
    with op.batch_alter_table("partyrollup", schema=None) as batch_op:
        batch_op.drop_index("ix_partyrollup_case_month")
        batch_op.drop_index("ix_partyrollup_dataset_id")
        batch_op.drop_index("ix_partyrollup_exporter_id")
        batch_op.drop_index("ix_partyrollup_importer_id")
    if _sqlite():
        op.execute(
            "CREATE VIRTUAL TABLE search_text USING fts5(text, content = 'shipmenttext', "
            "content_rowid = 'id', tokenize = 'trigram')"
        )
        op.execute("INSERT INTO search_text (search_text) VALUES ('rebuild')")
        op.execute(f"DELETE FROM search_index WHERE rowid BETWEEN {3 * SPAN} AND {4 * SPAN - 1}")
        op.execute("DROP VIEW IF EXISTS search_doc_shipment")


def downgrade() -> None:
    with op.batch_alter_table("partyrollup", schema=None) as batch_op:
        batch_op.create_index("ix_partyrollup_importer_id", ["importer_id"], unique=False)
        batch_op.create_index("ix_partyrollup_exporter_id", ["exporter_id"], unique=False)
        batch_op.create_index("ix_partyrollup_dataset_id", ["dataset_id"], unique=False)
        batch_op.create_index("ix_partyrollup_case_month", ["case_id", "month"], unique=False)
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_text_id"))
        batch_op.create_index("ix_shipment_case_rowkey", ["case_id", "row_key"], unique=False)
        batch_op.drop_column("text_id")
    op.drop_table("shipmenttext")
    # the view after the table is rebuilt: SQLite checks views when a table is renamed
    if _sqlite():
        op.execute("DROP TABLE IF EXISTS search_text")
        op.execute(
            f"""CREATE VIEW search_doc_shipment AS
            SELECT 3 * {SPAN} + s.id AS doc_id, s.id AS id, s.dataset_id AS dataset_id,
                   coalesce(s.description, '') AS title,
                   coalesce(s.declaration_no, '') || ' ' || coalesce(s.item_no, '') AS body,
                   s.case_id AS case_id
            FROM shipment AS s"""
        )
        op.execute(
            "INSERT INTO search_index (rowid, title, body, case_id) "
            "SELECT doc_id, title, body, case_id FROM search_doc_shipment"
        )
