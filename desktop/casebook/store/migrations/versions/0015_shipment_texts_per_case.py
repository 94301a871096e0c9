"""a server searches shipments through its cases' distinct descriptions, as SQLite does

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:40:00

The trigram GIN index over every shipment's description was the largest part of a server
import (17-36 s of a 1M-row import's ~90 s) although customs descriptions repeat heavily
(1M rows of the benchmark hold about 20,000 distinct ones). On PostgreSQL the description's
trigram index now covers ``shipmenttext``, the distinct descriptions, as SQLite's FTS5 table
has since 0006, and each shipment points to its text by ``text_id``.

Row-level security: a description is case data. Each case has its own texts (``case_id``,
filled on a server; SQLite, one analyst's file, shares a text between its cases and leaves it
NULL), under the same policy as every case table, so a role reads only the texts of the cases
it sees, and an import never learns that another case holds a text (no uniqueness across
cases for it to run into). The unique B-tree of the texts goes on the server: it refused a
description over ~2.7 KB; the writers (one at a time, ``store.postgres.WRITE_LOCK``) add only
texts their case lacks. ``casebook_shipment_matches`` (0010) finds descriptions through the
texts. Existing shipments get their case's texts here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SEES = "(SELECT casebook_case_ids())"
WRITES = "(SELECT casebook_writable_case_ids())"

MATCHES = "casebook_shipment_matches(text, name)"

#: Through the texts: the visible shipments whose description (by its text), declaration or
#: item number matches an ILIKE pattern (a union: an OR with the texts' set would read every
#: shipment instead of using the indexes).
THROUGH_TEXTS = """
CREATE OR REPLACE FUNCTION casebook_shipment_matches(pattern text, who name DEFAULT current_user)
RETURNS SETOF integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT ROWS 20
AS $$
  SELECT s.id FROM shipment AS s
  WHERE s.text_id = ANY (ARRAY(SELECT t.id FROM shipmenttext AS t WHERE t.text ILIKE pattern
                               AND t.case_id IN (SELECT casebook_case_ids(who))))
  UNION
  SELECT s.id FROM shipment AS s
  WHERE (s.declaration_no ILIKE pattern OR s.item_no ILIKE pattern)
    AND s.case_id IN (SELECT casebook_case_ids(who))
$$;
"""

#: 0010's body (0013 set its ROWS 20).
THROUGH_ROWS = """
CREATE OR REPLACE FUNCTION casebook_shipment_matches(pattern text, who name DEFAULT current_user)
RETURNS SETOF integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT ROWS 20
AS $$
  SELECT s.id FROM shipment AS s
  WHERE (s.description ILIKE pattern OR s.declaration_no ILIKE pattern OR s.item_no ILIKE pattern)
    AND s.case_id IN (SELECT casebook_case_ids(who))
$$;
"""


#: New texts wait in the trigram index's pending list (GIN ``fastupdate``) until a vacuum, and
#: every search reads that list whole: 20,000 texts of an import made a search take 17 ms more
#: (0.2 ms once merged); building the index without the list cost 7 s per 20,000 texts. So an
#: import merges it at its end (26 ms for 20,000), through this function: only the index's
#: owner may, and analysts import too. It reads and returns nothing of any case.
CLEAN = """
CREATE FUNCTION casebook_texts_indexed() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT gin_clean_pending_list('ix_trgm_shipmenttext_text'::regclass) $$;
REVOKE EXECUTE ON FUNCTION casebook_texts_indexed() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION casebook_texts_indexed() TO casebook_admin, casebook_analyst;
"""


def _server() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _policies(reads: str, writes: str) -> None:
    for policy in ("read", "insert", "update", "delete"):
        op.execute(f"DROP POLICY IF EXISTS casebook_{policy} ON shipmenttext")
    op.execute(f"CREATE POLICY casebook_read ON shipmenttext FOR SELECT USING ({reads})")
    op.execute(f"CREATE POLICY casebook_insert ON shipmenttext FOR INSERT WITH CHECK ({writes})")
    op.execute(
        f"CREATE POLICY casebook_update ON shipmenttext FOR UPDATE USING ({writes}) "
        f"WITH CHECK ({writes})"
    )
    op.execute(f"CREATE POLICY casebook_delete ON shipmenttext FOR DELETE USING ({writes})")


def upgrade() -> None:
    op.add_column("shipmenttext", sa.Column("case_id", sa.Integer(), nullable=True))
    if not _server():
        return  # one analyst's file: its texts stay shared by its cases (FTS5, 0006)
    op.execute("UPDATE shipment SET text_id = NULL WHERE text_id IS NOT NULL")
    op.execute("DELETE FROM shipmenttext")
    op.execute("ALTER TABLE shipmenttext DROP CONSTRAINT IF EXISTS shipmenttext_text_key")
    op.execute(
        "INSERT INTO shipmenttext (case_id, text) SELECT DISTINCT case_id, description "
        "FROM shipment WHERE description <> ''"
    )
    op.execute(
        "UPDATE shipment AS s SET text_id = t.id FROM shipmenttext AS t "
        "WHERE t.case_id = s.case_id AND t.text = s.description AND s.description <> ''"
    )
    op.execute("CREATE INDEX ix_shipmenttext_case_id ON shipmenttext (case_id)")
    op.execute(
        "CREATE INDEX ix_trgm_shipmenttext_text ON shipmenttext USING gin (text gin_trgm_ops)"
    )
    op.execute("DROP INDEX IF EXISTS ix_trgm_shipment_description")
    _policies(f"case_id IN {SEES}", f"case_id IN {WRITES}")
    op.execute(THROUGH_TEXTS)
    op.execute(CLEAN)
    op.execute("ANALYZE shipmenttext")


def downgrade() -> None:
    if _server():
        op.execute(THROUGH_ROWS)
        op.execute("DROP FUNCTION IF EXISTS casebook_texts_indexed()")
        _policies("id IN (SELECT text_id FROM shipment)", "casebook_may_write()")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_trgm_shipment_description ON shipment "
            "USING gin (description gin_trgm_ops)"
        )
        op.execute("DROP INDEX IF EXISTS ix_trgm_shipmenttext_text")
        op.execute("DROP INDEX IF EXISTS ix_shipmenttext_case_id")
        # 0014's server leaves text_id NULL (its search reads the descriptions themselves)
        op.execute("UPDATE shipment SET text_id = NULL WHERE text_id IS NOT NULL")
        op.execute("DELETE FROM shipmenttext")
        op.execute("ALTER TABLE shipmenttext ADD CONSTRAINT shipmenttext_text_key UNIQUE (text)")
    with op.batch_alter_table("shipmenttext", schema=None) as batch_op:
        batch_op.drop_column("case_id")
