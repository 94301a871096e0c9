"""search on a team server: the visible firms computed as sets, not firm by firm

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:10:00

Every read of ``firm``, ``firmalias`` and ``firmidentifier`` by a role under row-level security
(migration 0010) first computes ``casebook_firm_ids()``, the firms the role may see. It looked
for each firm's case links one firm at a time, calling ``casebook_case_ids()`` again for each:
85–160 ms for 5,000 firms, most of a search's time on the server (and of ``firms list``).
The same set, computed once: the firms held by a visible case, those merged into one, and those
no case holds (5 ms). Nothing on SQLite.

The declaration numbers' trigram table of SQLite search needs no migration: the first import or
search rebuild makes it (``store.sqlite.index_declarations``).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SETS = """
CREATE OR REPLACE FUNCTION casebook_firm_ids(who name DEFAULT current_user) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  WITH seen AS (SELECT cf.firm_id FROM casefirm AS cf
                WHERE cf.case_id IN (SELECT casebook_case_ids(who)))
  SELECT f.id FROM firm AS f
  WHERE pg_has_role(session_user, who, 'MEMBER') AND (
        pg_has_role(who, 'casebook_admin', 'MEMBER')
     OR f.id IN (SELECT firm_id FROM seen)
     OR f.merged_into IN (SELECT firm_id FROM seen)
     OR NOT EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)))
$$;
"""

ONE_BY_ONE = """
CREATE OR REPLACE FUNCTION casebook_firm_ids(who name DEFAULT current_user) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT f.id FROM firm AS f
  WHERE pg_has_role(session_user, who, 'MEMBER') AND (
        pg_has_role(who, 'casebook_admin', 'MEMBER')
     OR EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)
                AND cf.case_id IN (SELECT casebook_case_ids(who)))
     OR NOT EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)))
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SETS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ONE_BY_ONE)
