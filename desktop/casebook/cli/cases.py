"""``casebook case new|list|show|edit|grant|revoke``."""

from __future__ import annotations

from casebook.cli.findings import add_if_version
from casebook.core.domain import CASE_STATUSES, PRIORITIES
from casebook.core.terminal import terminal_safe as safe

ACCESS = ("owner", "editor", "viewer")


def register(sub, common) -> None:
    case = sub.add_parser("case", help="create, list, show and edit cases")
    verbs = case.add_subparsers(dest="verb", metavar="VERB", required=True)

    new = verbs.add_parser("new", parents=[common], help="create a case")
    new.add_argument("title")
    new.add_argument("--ref", help="reference (default CB-YYYY-NNN)")
    new.add_argument("--marking", help="handling marking, e.g. TLP:AMBER (the default)")
    new.add_argument("--summary", default="")
    new.add_argument("--priority", choices=PRIORITIES, default="medium")
    new.set_defaults(func=case_new, creates=True)

    lst = verbs.add_parser("list", parents=[common], help="list cases")
    lst.set_defaults(func=case_list)

    show = verbs.add_parser("show", parents=[common], help="show one case")
    show.add_argument("ref")
    show.set_defaults(func=case_show)

    edit = verbs.add_parser("edit", parents=[common], help="change a case")
    edit.add_argument("ref")
    edit.add_argument("--title")
    edit.add_argument("--summary")
    edit.add_argument("--status", choices=CASE_STATUSES)
    edit.add_argument("--priority", choices=PRIORITIES)
    edit.add_argument("--marking")
    add_if_version(edit)
    edit.set_defaults(func=case_edit)

    grant = verbs.add_parser(
        "grant", parents=[common], help="give a user access to a case (team store)"
    )
    grant.add_argument("ref")
    grant.add_argument("grantee", metavar="USER")
    grant.add_argument(
        "--as", dest="access", choices=ACCESS, required=True, help="owner, editor or viewer"
    )
    grant.set_defaults(func=case_grant)

    revoke = verbs.add_parser(
        "revoke", parents=[common], help="take a user's access to a case away (team store)"
    )
    revoke.add_argument("ref")
    revoke.add_argument("grantee", metavar="USER")
    revoke.set_defaults(func=case_revoke)


def _case_text(data: dict) -> str:
    lines = [
        f"{safe(data['ref'])}  {safe(data['title'])}",
        f"  marking:  {data['marking']}",
        f"  status:   {data['status']}   priority: {data['priority']}",
        f"  created:  {data['created']}   updated: {data['updated']}",
        f"  uid:      {data['uid']}",
    ]
    if data["summary"]:
        lines.append(f"  summary:  {safe(data['summary'])}")
    return "\n".join(lines)


def _list_text(data: dict) -> str:
    if not data["cases"]:
        return "No cases yet. Create one: casebook case new TITLE"
    rows = [
        f"{safe(c['ref']):<16} {c['marking']:<17} {c['status']:<9} {safe(c['title'])}"
        for c in data["cases"]
    ]
    return "\n".join([f"{'REF':<16} {'MARKING':<17} {'STATUS':<9} TITLE", *rows])


def case_new(ctx, args) -> None:
    from casebook.book.cases import case_json

    case = ctx.book.create_case(
        title=args.title,
        ref=args.ref,
        marking=args.marking,
        summary=args.summary,
        priority=args.priority,
    )
    ctx.emit(case_json(case), _case_text)


def case_list(ctx, args) -> None:
    from casebook.book.case_list import case_json

    ctx.emit({"cases": [case_json(c) for c in ctx.book.list_cases()]}, _list_text)


def case_show(ctx, args) -> None:
    from casebook.book.cases import case_json

    ctx.emit(case_json(ctx.book.get_case(args.ref)), _case_text)


def case_edit(ctx, args) -> None:
    from casebook.book.cases import case_json

    case = ctx.book.edit_case(
        args.ref,
        title=args.title,
        summary=args.summary,
        status=args.status,
        priority=args.priority,
        marking=args.marking,
        version=args.if_version,
    )
    ctx.emit(case_json(case), _case_text)


def case_grant(ctx, args) -> None:
    data = ctx.book.grant_case(args.ref, args.grantee, access=args.access)
    ctx.emit(data, lambda d: f"{safe(d['user'])} is {d['access']} of {safe(d['case_ref'])}")


def case_revoke(ctx, args) -> None:
    data = ctx.book.revoke_case(args.ref, args.grantee)
    ctx.emit(data, lambda d: f"{safe(d['user'])} no longer has access to {safe(d['case_ref'])}")
