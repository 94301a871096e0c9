"""Team mode on a PostgreSQL server: login roles, their global role, and per-case access.

The rules live in the server (migration 0010): row-level security hides every row of a case a
role was not granted, and ``casebook_grant`` / ``casebook_revoke`` refuse anyone but an owner of
the case or an admin. The functions here only ask the server and name its answers.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import Session

#: Global roles -> the PostgreSQL group role a login is a member of.
GROUPS = {"admin": "casebook_admin", "analyst": "casebook_analyst", "viewer": "casebook_viewer"}
ACCESS = ("owner", "editor", "viewer")
#: A login role's name as ``team add-user`` accepts it (quoted anyway).
USER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$")


def login(session: Session) -> str:
    """The role the session acts as (``current_user``): the audit user on a server."""
    return str(session.execute(text("SELECT current_user")).scalar())


def role_of(session: Session, user: str | None = None) -> str | None:
    """The global role (admin, analyst, viewer) of ``user`` (default: the session's), or None
    for a role that is none of them; a superuser counts as admin."""
    row = session.execute(
        text(
            "SELECT r.rolsuper, pg_has_role(r.oid, 'casebook_admin', 'MEMBER'), "
            "pg_has_role(r.oid, 'casebook_analyst', 'MEMBER'), "
            "pg_has_role(r.oid, 'casebook_viewer', 'MEMBER') "
            "FROM pg_roles AS r WHERE r.rolname = coalesce(:user, current_user)"
        ),
        {"user": user},
    ).first()
    if row is None:
        return None
    superuser, admin, analyst, viewer = row
    if superuser or admin:
        return "admin"
    if analyst:
        return "analyst"
    return "viewer" if viewer else None


def user_exists(session: Session, user: str) -> bool:
    return bool(
        session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}).first()
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def may_add_users(session: Session) -> bool:
    """Whether the session's role may create login roles (a superuser, or CREATEROLE)."""
    return bool(
        session.execute(
            text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    )


def add_user(session: Session, *, user: str, role: str) -> bool:
    """Create the login role ``user`` (no password: an admin sets it with ``psql``), or change
    an existing one's global role; True when it was created. An admin gets CREATEROLE so that
    it may add users in turn."""
    created = not user_exists(session, user)
    name = _ident(user)
    if created:
        session.execute(text(f"CREATE ROLE {name} LOGIN"))
    session.execute(
        text(f"ALTER ROLE {name} {'CREATEROLE' if role == 'admin' else 'NOCREATEROLE'}")
    )
    for other, group in GROUPS.items():
        if other != role:
            session.execute(text(f"REVOKE {group} FROM {name}"))
    session.execute(text(f"GRANT {GROUPS[role]} TO {name}"))
    return created


def access(session: Session, *, case_id: int) -> str | None:
    """What the session's role may do on a case: ``owner``, ``editor`` (may change its data),
    ``viewer`` (may read), or None when it may not see it. A global viewer is a viewer of
    every case it sees, whatever its grant; an admin owns every case."""
    return session.execute(text("SELECT casebook_access(:c)"), {"c": case_id}).scalar()


def may_write(session: Session) -> bool:
    """Whether the session's role may create and change data (an admin or an analyst)."""
    return bool(session.execute(text("SELECT casebook_may_write()")).scalar())


def grants(session: Session, *, case_id: int) -> list[dict]:
    """Who holds which access to a case (what the session's role may see of it)."""
    rows = session.execute(
        text("SELECT role_name, access FROM caseaccess WHERE case_id = :c ORDER BY role_name"),
        {"c": case_id},
    )
    return [{"user": str(user), "access": level} for user, level in rows]


def grant(session: Session, *, case_id: int, user: str, level: str) -> None:
    """Give ``user`` ``level`` access to a case (replacing what it held); the server refuses
    anyone but an owner of the case or an admin."""
    session.execute(
        text("SELECT casebook_grant(:c, :u, :a)"), {"c": case_id, "u": user, "a": level}
    )


def revoke(session: Session, *, case_id: int, user: str) -> bool:
    """Take ``user``'s access to a case away; True when it held one."""
    return bool(
        session.execute(text("SELECT casebook_revoke(:c, :u)"), {"c": case_id, "u": user}).scalar()
    )


def audit_head(session: Session) -> str:
    """The audit chain's newest hash, whatever the role may read (hashes tell nothing)."""
    return str(session.execute(text("SELECT casebook_audit_head()")).scalar())


def audit_links(session: Session) -> list[tuple[int, str, str]]:
    """``(id, prev_hash, hash)`` of every audit event, in order, whatever the role may read."""
    return [tuple(r) for r in session.execute(text("SELECT * FROM casebook_audit_links()"))]
