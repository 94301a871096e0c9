"""Facade section: team mode — users, their global role, and who may see or change a case.

Only on a PostgreSQL server; a store file has one user, so these refuse there (exit 2).
"""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, Refused, UsageError
from casebook.store import team

ROLES = tuple(team.GROUPS)
ACCESS = team.ACCESS


def _server_only(what: str) -> UsageError:
    return UsageError(
        f"{what} needs a team store on a PostgreSQL server (--db postgresql://…); "
        "a store file has a single user"
    )


class TeamSection:
    """``team add-user``, ``case grant``, ``case revoke``, ``case access``."""

    def _team_write(self, what: str):
        if self.store.dialect != "postgresql":
            raise _server_only(what)
        return self._write()

    def add_user(self, name: str, *, role: str = "analyst") -> dict:
        """Create the login role ``name`` as an admin, analyst or viewer (or change the global
        role of an existing one); an admin sets its password with ``psql`` (``\\password``).
        Only an admin may."""
        if role not in ROLES:
            raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if not team.USER_RE.match(name or ""):
            raise UsageError(
                f"invalid user name {name!r}: a letter or _ first, then letters, digits, "
                "_ . @ - (at most 63)"
            )
        with self._team_write("team add-user") as session:
            if team.role_of(session) != "admin" or not team.may_add_users(session):
                raise Refused("only an admin may add users")
            created = team.add_user(session, user=name, role=role)
            self._audit(
                session,
                "team.add_user" if created else "team.set_role",
                "user",
                target_uid=name,
                after={"user": name, "role": role},
            )
        return {"user": name, "role": role}

    def grant_case(self, ref: str, user: str, *, access: str) -> dict:
        """Give ``user`` owner, editor or viewer access to a case; only an owner of the case
        or an admin may."""
        if access not in ACCESS:
            raise UsageError(f"unknown access {access!r}; use one of {', '.join(ACCESS)}")
        with self._team_write("case grant") as session:
            case = self._owned_case(session, ref, "grant")
            if not team.user_exists(session, user):
                raise NotFound(f"no user {user!r} on this server (add it: team add-user)")
            team.grant(session, case_id=case.id, user=user, level=access)
            self._audit(
                session,
                "case.grant",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                after={"user": user, "access": access},
            )
            return {"case_ref": case.ref, "user": user, "access": access}

    def revoke_case(self, ref: str, user: str) -> dict:
        """Take ``user``'s access to a case away; only an owner of the case or an admin may,
        and never the last owner's."""
        with self._team_write("case revoke") as session:
            case = self._owned_case(session, ref, "revoke")
            held = {g["user"]: g["access"] for g in team.grants(session, case_id=case.id)}
            if user not in held:
                raise NotFound(f"{user!r} holds no access to {case.ref}")
            owners = [u for u, level in held.items() if level == "owner"]
            if owners == [user]:
                raise Refused(f"{user} is the last owner of {case.ref}; grant another owner first")
            team.revoke(session, case_id=case.id, user=user)
            self._audit(
                session,
                "case.revoke",
                "case",
                target_uid=case.uid,
                case_id=case.id,
                before={"user": user, "access": held[user]},
            )
            return {"case_ref": case.ref, "user": user, "access": None}

    def case_access(self, ref: str) -> dict:
        """What the session's role may do on a case, and who holds which access to it."""
        if self.store.dialect != "postgresql":
            raise _server_only("case access")
        with self._read() as session:
            case = find_case(session, ref)
            return {
                "case_ref": case.ref,
                "user": self.user,
                "access": team.access(session, case_id=case.id),
                "grants": team.grants(session, case_id=case.id),
            }

    def _owned_case(self, session, ref: str, verb: str):
        case = find_case(session, ref)
        if team.access(session, case_id=case.id) != "owner":
            raise Refused(f"only an owner of {case.ref} or an admin may {verb} access to it")
        return case
