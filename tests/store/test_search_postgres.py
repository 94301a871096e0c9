"""Search on a PostgreSQL server under row-level security (issues 17, 18): the firms a role may
see are computed as sets (migration 0012), the same firms as the firm-by-firm function before."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.postgresql

#: migration 0010's ``casebook_firm_ids`` body, firm by firm, as a query for role ``%(who)s``.
ONE_BY_ONE = """
  SELECT f.id FROM firm AS f
  WHERE pg_has_role(session_user, %(who)s, 'MEMBER') AND (
        pg_has_role(%(who)s, 'casebook_admin', 'MEMBER')
     OR EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)
                AND cf.case_id IN (SELECT casebook_case_ids(%(who)s)))
     OR NOT EXISTS (SELECT 1 FROM casefirm AS cf WHERE cf.firm_id IN (f.id, f.merged_into)))
"""


def _connect(url: str):
    import psycopg

    from casebook.core.location import parse_location

    loc = parse_location(url)
    return psycopg.connect(
        dbname=loc.dbname, host=loc.socket_dir or loc.host, port=loc.port, autocommit=True
    )


def test_the_visible_firms_are_those_of_the_firm_by_firm_function(run_cli, pg_database):
    for ref in ("CB-A", "CB-B"):
        assert run_cli("case", "new", ref, "--ref", ref, db=pg_database).code == 0
    role = f"cb_firms_{uuid.uuid4().hex[:8]}"
    with _connect(pg_database) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN IN ROLE casebook_analyst")
        try:
            cases = dict(conn.execute('SELECT ref, id FROM "case"').fetchall())
            firms = {}
            for name in ("only A", "only B", "both", "no case", "merged into A", "into B"):
                firms[name] = conn.execute(
                    "INSERT INTO firm (uid, name, sort_key, created) "
                    "VALUES (%s, %s, '', now()) RETURNING id",
                    (uuid.uuid4().hex, name),
                ).fetchone()[0]
            conn.execute(
                "UPDATE firm SET merged_into = %s WHERE id = %s",
                (firms["only A"], firms["merged into A"]),
            )
            conn.execute(
                "UPDATE firm SET merged_into = %s WHERE id = %s",
                (firms["only B"], firms["into B"]),
            )
            links = [("CB-A", "only A"), ("CB-B", "only B"), ("CB-A", "both"), ("CB-B", "both")]
            for ref, name in links:
                conn.execute(
                    "INSERT INTO casefirm (case_id, firm_id, notes) VALUES (%s, %s, '')",
                    (cases[ref], firms[name]),
                )
            conn.execute(
                "INSERT INTO caseaccess (case_id, role_name, access) VALUES (%s, %s, 'viewer')",
                (cases["CB-A"], role),
            )
            seen = {i for (i,) in conn.execute("SELECT casebook_firm_ids(%s)", (role,))}
            before = {i for (i,) in conn.execute(ONE_BY_ONE, {"who": role})}
        finally:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")
    names = {n for n, i in firms.items() if i in seen}
    assert names == {"only A", "both", "no case", "merged into A"}
    assert seen & set(firms.values()) == before & set(firms.values())
