"""case access and row-level security (PostgreSQL team mode; nothing on SQLite)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:00:00

On a server every case is visible only to the roles granted it, and the server enforces it:
``psql`` and ``pg_dump --enable-row-security`` see what Casebook sees.

- Global roles are PostgreSQL group roles: ``casebook_admin`` (sees every case, adds users,
  grants anything), ``casebook_analyst`` (creates cases and writes the ones granted to it as
  owner or editor), ``casebook_viewer`` (reads what it is granted; holds no write privilege on
  any table, so an ``editor`` grant leaves it reading). A superuser and the owner of the tables
  (who installed the schema) are not subject to row-level security.
- ``caseaccess(case_id, role_name, access)``: access ``owner | editor | viewer``. The creator of
  a case becomes its owner (a trigger; ``case.created_by`` keeps the creating role). It is
  written only through ``casebook_grant`` / ``casebook_revoke`` (SECURITY DEFINER: an owner of
  the case or an admin), never directly.
- ``casebook_case_ids()`` / ``casebook_writable_case_ids()`` / ``casebook_firm_ids()``: STABLE
  SECURITY DEFINER functions returning the ids the calling role may see or write; every policy
  is ``case_id IN (SELECT casebook_case_ids())`` (a hashed set computed once per statement, so
  the indexes led by ``case_id`` stay usable on a million shipments).
- A firm is visible when a visible case holds it (``casefirm``), or when no case does; its
  aliases, identifiers and merges follow it. A person, an evidence link, a blob follow their
  case, evidence item or visible evidence. Sanctions lists are readable by every role.
- Audit events of a case follow the case; events of no case follow their firm, or are visible.
  ``casebook_audit_head()`` and ``casebook_audit_links()`` give every role the chain's head and
  links (hashes only) so appends stay linear and ``verify`` can check the links it cannot read.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GROUPS = ("casebook_admin", "casebook_analyst", "casebook_viewer")

#: Tables whose every row belongs to one case (``case_id`` NOT NULL).
CASE_TABLES = (
    "dataset",
    "shipment",
    "tradeflow",
    "casefirm",
    "evidence",
    "finding",
    "screeninghit",
    "casesetting",
    "chartposition",
    "figure",
    "person",
    "personlink",
    "shipmentrollup",
    "partyrollup",
    "traderollup",
    "unitvaluerollup",
    "rowtestrollup",
)

#: Tables readable by every role (reference data, not case data).
SHARED = ("sanctionslist", "listversion", "listedentity", "alembic_version")

SEES = "(SELECT casebook_case_ids())"
WRITES = "(SELECT casebook_writable_case_ids())"
FIRMS = "(SELECT casebook_firm_ids())"

#: table -> (who may read a row, who may write one[, who may insert one]): SQL conditions.
POLICIES = {
    **{t: (f"case_id IN {SEES}", f"case_id IN {WRITES}") for t in CASE_TABLES},
    # A new case is not in the table yet when its insert (and its RETURNING) are checked.
    "case": (
        f"id IN {SEES} OR (created_by = current_user AND casebook_case_unclaimed(id))",
        f"id IN {WRITES}",
        "casebook_may_write() AND created_by = current_user",
    ),
    "relationship": (
        f"CASE WHEN case_id IS NULL THEN from_firm_id IN {FIRMS} AND to_firm_id IN {FIRMS} "
        f"ELSE case_id IN {SEES} END",
        f"CASE WHEN case_id IS NULL THEN casebook_may_write() ELSE case_id IN {WRITES} END",
    ),
    "mergesuggestion": (
        f"CASE WHEN case_id IS NULL THEN firm_a_id IN {FIRMS} AND firm_b_id IN {FIRMS} "
        f"ELSE case_id IN {SEES} END",
        f"CASE WHEN case_id IS NULL THEN casebook_may_write() ELSE case_id IN {WRITES} END",
    ),
    "auditevent": (
        f"CASE WHEN case_id IS NOT NULL THEN case_id IN {SEES} "
        f"WHEN target_kind = 'firm' THEN target_uid IN (SELECT uid FROM firm) "
        "WHEN target_kind = 'person' THEN target_uid IN (SELECT uid FROM person) ELSE true END",
        f"CASE WHEN case_id IS NULL THEN casebook_may_write() ELSE case_id IN {WRITES} END",
    ),
    "evidencelink": (
        "evidence_id IN (SELECT id FROM evidence)",
        f"evidence_id IN (SELECT id FROM evidence WHERE case_id IN {WRITES})",
    ),
    # A new firm is not in the table yet when its insert's RETURNING is checked.
    "firm": (f"id IN {FIRMS} OR casebook_firm_unclaimed(id, merged_into)", "casebook_may_write()"),
    "firmalias": (f"firm_id IN {FIRMS}", "casebook_may_write()"),
    "firmidentifier": (f"firm_id IN {FIRMS}", "casebook_may_write()"),
    "firmmerge": (f"keep_id IN {FIRMS} OR other_id IN {FIRMS}", "casebook_may_write()"),
    "personmerge": ("keep_id IN (SELECT id FROM person)", "casebook_may_write()"),
    "shipmenttext": ("id IN (SELECT text_id FROM shipment)", "casebook_may_write()"),
    "evidenceblob": (
        "uploader = current_user OR sha256 IN (SELECT sha256 FROM evidence)",
        "casebook_may_write()",
    ),
    "evidenceblobchunk": ("sha256 IN (SELECT sha256 FROM evidenceblob)", "casebook_may_write()"),
    "caseaccess": (f"case_id IN {SEES}", "false"),
}

FUNCTIONS = """
CREATE FUNCTION casebook_is_admin() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT pg_has_role(current_user, 'casebook_admin', 'MEMBER')
          OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) $$;

CREATE FUNCTION casebook_may_write() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT casebook_is_admin() OR pg_has_role(current_user, 'casebook_analyst', 'MEMBER') $$;

-- The role asking is passed by its default (evaluated in the caller, where current_user is the
-- caller); a session may ask only for a role it is a member of.
CREATE FUNCTION casebook_case_ids(who name DEFAULT current_user) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT c.id FROM "case" AS c
  WHERE pg_has_role(session_user, who, 'MEMBER') AND (
        pg_has_role(who, 'casebook_admin', 'MEMBER')
     OR EXISTS (SELECT 1 FROM caseaccess AS a WHERE a.case_id = c.id AND a.role_name = who)
     OR (c.created_by = who AND NOT EXISTS (SELECT 1 FROM caseaccess AS a
                                             WHERE a.case_id = c.id)))
$$;

CREATE FUNCTION casebook_writable_case_ids(who name DEFAULT current_user) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT c.id FROM "case" AS c
  WHERE pg_has_role(session_user, who, 'MEMBER') AND (
        pg_has_role(who, 'casebook_admin', 'MEMBER')
     OR (pg_has_role(who, 'casebook_analyst', 'MEMBER') AND (
            EXISTS (SELECT 1 FROM caseaccess AS a WHERE a.case_id = c.id
                    AND a.access IN ('owner', 'editor') AND a.role_name = who)
         OR (c.created_by = who AND NOT EXISTS (SELECT 1 FROM caseaccess AS a
                                                 WHERE a.case_id = c.id)))))
$$;

CREATE FUNCTION casebook_firm_ids(who name DEFAULT current_user) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT f.id FROM firm AS f
  WHERE pg_has_role(session_user, who, 'MEMBER') AND (
        pg_has_role(who, 'casebook_admin', 'MEMBER')
     OR EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)
                AND cf.case_id IN (SELECT casebook_case_ids(who)))
     OR NOT EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)))
$$;

-- A case no role holds access to yet (its creator's, while it is being inserted).
CREATE FUNCTION casebook_case_unclaimed(case_ref integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT NOT EXISTS (SELECT 1 FROM caseaccess WHERE case_id = case_ref) $$;

-- A firm no case holds (nor the firm it was merged into): nobody's case data.
CREATE FUNCTION casebook_firm_unclaimed(firm_ref integer, merged integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT NOT EXISTS (SELECT 1 FROM casefirm WHERE firm_id IN (firm_ref, merged)) $$;

-- What the calling role may do on one case: owner | editor | viewer, or NULL (unseen).
CREATE FUNCTION casebook_access(case_ref integer, who name DEFAULT current_user) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT CASE
    WHEN NOT pg_has_role(session_user, who, 'MEMBER') THEN NULL
    WHEN pg_has_role(who, 'casebook_admin', 'MEMBER') THEN 'owner'
    WHEN case_ref NOT IN (SELECT casebook_case_ids(who)) THEN NULL
    WHEN case_ref IN (SELECT casebook_writable_case_ids(who)) THEN
         coalesce((SELECT max(a.access) FROM caseaccess AS a WHERE a.case_id = case_ref
                   AND a.access IN ('owner', 'editor') AND a.role_name = who), 'owner')
    ELSE 'viewer' END
$$;

CREATE FUNCTION casebook_case_created() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
AS $$ BEGIN
  INSERT INTO caseaccess (case_id, role_name, access, granted_by)
  VALUES (NEW.id, NEW.created_by, 'owner', NEW.created_by) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Grant (or change) a role's access to a case: the caller must own the case or be an admin.
CREATE FUNCTION casebook_grant(target integer, grantee name, level text,
                               who name DEFAULT current_user) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
AS $$ BEGIN
  IF level NOT IN ('owner', 'editor', 'viewer') THEN
    RAISE EXCEPTION 'unknown access %', level USING ERRCODE = '22023';
  END IF;
  IF casebook_access(target, who) IS DISTINCT FROM 'owner'
     OR (NOT pg_has_role(who, 'casebook_admin', 'MEMBER') AND NOT EXISTS (
         SELECT 1 FROM caseaccess WHERE case_id = target AND access = 'owner'
         AND role_name = who)
         AND NOT EXISTS (SELECT 1 FROM "case" WHERE id = target AND created_by = who
                         AND NOT EXISTS (SELECT 1 FROM caseaccess WHERE case_id = target))) THEN
    RAISE EXCEPTION 'only an owner of the case or an admin may grant' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grantee) THEN
    RAISE EXCEPTION 'no user %', grantee USING ERRCODE = '42704';
  END IF;
  INSERT INTO caseaccess (case_id, role_name, access, granted_by)
  VALUES (target, grantee, level, who)
  ON CONFLICT (case_id, role_name) DO UPDATE SET access = EXCLUDED.access,
      granted_by = EXCLUDED.granted_by, granted = now();
  RETURN level;
END $$;

CREATE FUNCTION casebook_revoke(target integer, grantee name,
                                who name DEFAULT current_user) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
AS $$ DECLARE gone integer; BEGIN
  IF casebook_access(target, who) IS DISTINCT FROM 'owner'
     OR (NOT pg_has_role(who, 'casebook_admin', 'MEMBER') AND NOT EXISTS (
         SELECT 1 FROM caseaccess WHERE case_id = target AND access = 'owner'
         AND role_name = who)) THEN
    RAISE EXCEPTION 'only an owner of the case or an admin may revoke' USING ERRCODE = '42501';
  END IF;
  IF (SELECT count(*) FROM caseaccess WHERE case_id = target AND access = 'owner'
      AND role_name <> grantee) = 0
     AND EXISTS (SELECT 1 FROM caseaccess WHERE case_id = target AND role_name = grantee
                 AND access = 'owner') THEN
    RAISE EXCEPTION 'the case would have no owner left' USING ERRCODE = '23514';
  END IF;
  DELETE FROM caseaccess WHERE case_id = target AND role_name = grantee;
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone > 0;
END $$;

-- The visible shipments whose searched columns match an ILIKE pattern. Under row-level
-- security PostgreSQL will not run ILIKE (not LEAKPROOF) before the policy, so a search could
-- not use the trigram indexes; in here (no RLS for the definer) it can, and the visible cases
-- are applied by hand.
CREATE FUNCTION casebook_shipment_matches(pattern text, who name DEFAULT current_user)
RETURNS SETOF integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
  SELECT s.id FROM shipment AS s
  WHERE (s.description ILIKE pattern OR s.declaration_no ILIKE pattern OR s.item_no ILIKE pattern)
    AND s.case_id IN (SELECT casebook_case_ids(who))
$$;

-- The audit chain's head and links for every role (hashes only: they tell nothing of a case).
CREATE FUNCTION casebook_audit_head() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT coalesce((SELECT hash FROM auditevent ORDER BY id DESC LIMIT 1), repeat('0', 64)) $$;

CREATE FUNCTION casebook_audit_links() RETURNS TABLE (id integer, prev_hash text, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$ SELECT e.id, e.prev_hash::text, e.hash::text FROM auditevent AS e ORDER BY e.id $$;
"""

FUNCTION_NAMES = (
    "casebook_shipment_matches(text, name)",
    "casebook_audit_links()",
    "casebook_audit_head()",
    "casebook_revoke(integer, name, name)",
    "casebook_grant(integer, name, text, name)",
    "casebook_case_created()",
    "casebook_access(integer, name)",
    "casebook_case_unclaimed(integer)",
    "casebook_firm_unclaimed(integer, integer)",
    "casebook_firm_ids(name)",
    "casebook_writable_case_ids(name)",
    "casebook_case_ids(name)",
    "casebook_may_write()",
    "casebook_is_admin()",
)


def _quoted(table: str) -> str:
    return f'"{table}"' if table == "case" else table


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # one user, one file: nothing to share or hide
    # Roles belong to the whole server: two databases set up at the same moment both find a
    # group missing, and the second CREATE ROLE (or GRANT) then fails on a duplicate key.
    for group in GROUPS:
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    op.execute(
        "DO $$ BEGIN IF NOT pg_has_role('casebook_analyst', 'casebook_viewer', 'MEMBER') "
        "THEN GRANT casebook_viewer TO casebook_analyst; END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    op.execute('ALTER TABLE "case" ADD COLUMN created_by name NOT NULL DEFAULT current_user')
    op.execute("ALTER TABLE evidenceblob ADD COLUMN uploader name NOT NULL DEFAULT current_user")
    op.execute(
        "CREATE TABLE caseaccess ("
        ' case_id integer NOT NULL REFERENCES "case" (id) ON DELETE CASCADE,'
        " role_name name NOT NULL,"
        " access text NOT NULL CHECK (access IN ('owner', 'editor', 'viewer')),"
        " granted timestamptz NOT NULL DEFAULT now(),"
        " granted_by name NOT NULL DEFAULT current_user,"
        " PRIMARY KEY (case_id, role_name))"
    )
    op.execute("CREATE INDEX ix_caseaccess_role_name ON caseaccess (role_name)")
    # Cases made before: their creator is unknown, so admins (and the schema's owner) hold them.
    op.execute(FUNCTIONS)
    op.execute(
        'CREATE TRIGGER casebook_case_owner AFTER INSERT ON "case" '
        "FOR EACH ROW EXECUTE FUNCTION casebook_case_created()"
    )
    op.execute("REVOKE EXECUTE ON FUNCTION casebook_grant(integer, name, text, name) FROM PUBLIC")
    op.execute("REVOKE EXECUTE ON FUNCTION casebook_revoke(integer, name, name) FROM PUBLIC")
    everyone = ", ".join(GROUPS)
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {everyone}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_schema()} TO {everyone}")
    writers = "casebook_admin, casebook_analyst"
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_schema()} TO {writers}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON caseaccess, alembic_version FROM {writers}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema()} TO {writers}")
    op.execute(
        "GRANT EXECUTE ON FUNCTION casebook_grant(integer, name, text, name), "
        f"casebook_revoke(integer, name, name) TO {everyone}"
    )
    for table, (reads, writes, *creates) in POLICIES.items():
        name = _quoted(table)
        inserts = creates[0] if creates else writes
        op.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY casebook_read ON {name} FOR SELECT USING ({reads})")
        op.execute(f"CREATE POLICY casebook_insert ON {name} FOR INSERT WITH CHECK ({inserts})")
        op.execute(
            f"CREATE POLICY casebook_update ON {name} FOR UPDATE USING ({writes}) "
            f"WITH CHECK ({writes})"
        )
        op.execute(f"CREATE POLICY casebook_delete ON {name} FOR DELETE USING ({writes})")


def _schema() -> str:
    from sqlalchemy import text

    name = op.get_bind().execute(text("SELECT current_schema()")).scalar()
    return '"' + str(name).replace('"', '""') + '"'


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        name = _quoted(table)
        for policy in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS casebook_{policy} ON {name}")
        op.execute(f"ALTER TABLE {name} DISABLE ROW LEVEL SECURITY")
    op.execute('DROP TRIGGER IF EXISTS casebook_case_owner ON "case"')
    op.execute("DROP TABLE caseaccess")
    for function in FUNCTION_NAMES:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("ALTER TABLE evidenceblob DROP COLUMN uploader")
    op.execute('ALTER TABLE "case" DROP COLUMN created_by')
    # The group roles are the cluster's, shared by its databases: they stay.
