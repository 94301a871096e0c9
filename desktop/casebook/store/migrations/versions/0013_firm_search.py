"""search on a team server: firms found through a SECURITY DEFINER function

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00

A search by a role under row-level security read ``firm``, ``firmalias`` and
``firmidentifier`` through their policies: each computed ``casebook_firm_ids()`` (every firm
the role may see) and PostgreSQL will not apply ``ILIKE`` (not LEAKPROOF) before a policy, so
the trigram indexes went unused. ``casebook_firm_search`` finds the matching firms through
the trigram indexes, then keeps those the role may see by the policies' own rule (a firm held
by a visible case, or merged into one, or held by no case; its aliases follow it), for those
firms only. What a firm shared with an invisible case shows is the firm's own row and aliases,
as through the policies. A case filter must name a visible case. The shipments' match function
is planned as returning a few rows (see ``SHIPMENT_MATCHES``). Nothing on SQLite.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# words: ILIKE patterns each of which some searched column must hold (the first one is looked
# up through the trigram indexes); starts: escaped short words each of which must begin a word
# of the name (used when there is no word); case_ref: only firms this visible case holds.
FUNCTION = """
CREATE FUNCTION casebook_firm_search(words text[], starts text[], case_ref integer, lim integer,
                                     who name DEFAULT current_user)
RETURNS TABLE (id integer, case_id integer, title text, body text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
SET jit = off
AS $fn$ BEGIN
  -- EXECUTE plans the statement for these very patterns each time: a SQL function's generic
  -- plan read every firm and alias (no trigram index for an unknown pattern), and its cost
  -- estimate started the JIT compiler (60 ms). The statement's text is fixed: the values come
  -- in through USING only.
  RETURN QUERY EXECUTE $q$
  WITH matched AS (
    SELECT u.id FROM firm AS u WHERE $1 IS NULL
    UNION SELECT u.id FROM firm AS u WHERE u.name ILIKE $1
    UNION SELECT u.id FROM firm AS u WHERE u.native_name ILIKE $1
    UNION SELECT u.id FROM firm AS u WHERE u.address ILIKE $1
    UNION SELECT a.firm_id FROM firmalias AS a WHERE a.name ILIKE $1
    UNION SELECT i.firm_id FROM firmidentifier AS i WHERE i.value ILIKE $1),
  seen AS MATERIALIZED (SELECT casebook_case_ids($6) AS case_id)
  SELECT f.id, NULL::integer, f.name::text,
         coalesce(f.native_name, '') || ' ' || coalesce((SELECT string_agg(a.name, ' | ')
         FROM firmalias AS a WHERE a.firm_id = f.id), '') || ' ' || coalesce(f.address, '')
  FROM firm AS f
  WHERE f.id IN (SELECT m.id FROM matched AS m) AND f.merged_into IS NULL
    AND pg_has_role(session_user, $6, 'MEMBER')
    AND (pg_has_role($6, 'casebook_admin', 'MEMBER')
      OR EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)
                 AND cf.case_id IN (SELECT s.case_id FROM seen AS s))
      OR NOT EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)))
    AND ($4 IS NULL OR ($4 IN (SELECT s.case_id FROM seen AS s)
         AND f.id IN (SELECT cf.firm_id FROM casefirm AS cf WHERE cf.case_id = $4)))
    AND coalesce((SELECT bool_and(f.name ILIKE w OR f.native_name ILIKE w OR f.address ILIKE w
                  OR EXISTS (SELECT 1 FROM firmalias AS a WHERE a.firm_id = f.id
                             AND a.name ILIKE w)
                  OR EXISTS (SELECT 1 FROM firmidentifier AS i WHERE i.firm_id = f.id
                             AND i.value ILIKE w))
                  FROM unnest($2) AS w), true)
    AND coalesce((SELECT bool_and(f.name ILIKE s || '%' OR f.name ILIKE '% ' || s || '%')
                  FROM unnest($3) AS s), true)
  ORDER BY f.id DESC LIMIT $5
  $q$ USING words[1], words, starts, case_ref, lim, who;
END $fn$;
"""

SIGNATURE = "casebook_firm_search(text[], text[], integer, integer, name)"


#: The shipments' match function (0010) returns a few ids for most words; planned at the
#: default guess of 1,000 rows, a search joined them by reading the shipments newest first
#: down to the oldest match (163,000 rows of 200,000 for a number on 3 rows: 85 ms), where a
#: look-up of each id takes 1 ms. A broad word's many matches cost the function itself more.
SHIPMENT_MATCHES = "casebook_shipment_matches(text, name)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(f"ALTER FUNCTION {SHIPMENT_MATCHES} ROWS 20")
    # As 0010's functions: executable by every role (EXECUTE is PUBLIC's by default); the
    # groups are named so a REVOKE from PUBLIC elsewhere leaves them able to search.
    op.execute(
        f"GRANT EXECUTE ON FUNCTION {SIGNATURE} "
        "TO casebook_admin, casebook_analyst, casebook_viewer"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute(f"ALTER FUNCTION {SHIPMENT_MATCHES} ROWS 1000")
