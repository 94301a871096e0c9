"""``casebook team add-user`` (team mode on a PostgreSQL server)."""

from __future__ import annotations

from casebook.core.terminal import terminal_safe as safe

ROLES = ("admin", "analyst", "viewer")


def register(sub, common) -> None:
    team = sub.add_parser("team", help="users of a team store (PostgreSQL server)")
    verbs = team.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser(
        "add-user",
        parents=[common],
        help="create a login role on the server (its password: set by an admin with psql)",
    )
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="analyst", help="global role (analyst)")
    add.set_defaults(func=team_add_user)


def team_add_user(ctx, args) -> None:
    data = ctx.book.add_user(args.name, role=args.role)
    ctx.emit(
        data,
        lambda d: (
            f"User {safe(d['user'])} is {d['role']}; set the password with psql "
            f"(\\password {safe(d['user'])})"
        ),
    )
