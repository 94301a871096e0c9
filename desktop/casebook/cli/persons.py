"""``casebook person add|list|show|merge|split``: the people behind the firms."""

from __future__ import annotations

from casebook.core.terminal import terminal_safe as safe


def register(sub, common) -> None:
    person = sub.add_parser("person", help="people behind the firms: directors, owners …")
    verbs = person.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=[common], help="add a person to a case")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--case", metavar="REF", required=True)
    add.add_argument("--native", metavar="NAME", help="the name in its own script")
    add.add_argument("--birth-date", metavar="YYYY-MM-DD|YYYY")
    add.add_argument("--nationality", metavar="CC", help="ISO 3166-1 alpha-2")
    add.add_argument(
        "--id",
        dest="ids",
        action="append",
        default=[],
        metavar="SCHEME:VALUE",
        help="ru_inn (12-digit personal INN), passport, national_id, tax_id; repeatable",
    )
    add.add_argument("--alias", dest="aliases", action="append", default=[], metavar="NAME")
    add.add_argument("--note", default="")
    add.set_defaults(func=person_add)
    lst = verbs.add_parser("list", parents=[common], help="a case's persons")
    lst.add_argument("--case", metavar="REF", required=True)
    lst.set_defaults(func=person_list)
    show = verbs.add_parser("show", parents=[common], help="one person with their links")
    show.add_argument("uid", metavar="UID")
    show.set_defaults(func=person_show)
    merge = verbs.add_parser("merge", parents=[common], help="merge OTHER into KEEP")
    merge.add_argument("keep", metavar="KEEP")
    merge.add_argument("other", metavar="OTHER")
    merge.set_defaults(func=person_merge)
    split = verbs.add_parser("split", parents=[common], help="undo a person's newest merge")
    split.add_argument("uid", metavar="UID")
    split.set_defaults(func=person_split)


def person_add(ctx, args) -> None:
    data = ctx.book.add_person(
        case_ref=args.case,
        name=args.name,
        native_name=args.native,
        birth_date=args.birth_date,
        nationality=args.nationality,
        identifiers=args.ids,
        aliases=args.aliases,
        notes=args.note,
    )
    ctx.emit(data, _person_line)


def _person_line(p: dict) -> str:
    native = f" ({safe(p['native_name'])})" if p.get("native_name") else ""
    facts = [p["birth_date"] and f"born {p['birth_date']}", p["nationality"]]
    facts += [f"{k} {safe(v)}" for k, v in p["identifiers"].items()]
    tail = ", ".join(f for f in facts if f)
    return f"{p['uid']}  {safe(p['name'])}{native}" + (f"  {tail}" if tail else "")


def person_list(ctx, args) -> None:
    data = {"persons": ctx.book.list_persons(case_ref=args.case)}
    ctx.emit(data, _persons_text)


def _persons_text(data: dict) -> str:
    if not data["persons"]:
        return "No persons yet."
    lines = []
    for p in data["persons"]:
        lines.append(_person_line(p))
        lines += [f"    {safe(label)}" for label in p["links"]]
    return "\n".join(lines)


def person_show(ctx, args) -> None:
    ctx.emit(ctx.book.show_person(args.uid), _person_text)


def _person_text(p: dict) -> str:
    lines = [_person_line(p), f"  case:      {safe(p['case'])}"]
    if p.get("merged_into"):
        lines.append(f"  merged into {p['merged_into']}")
    lines += [f"  alias:     {safe(a)}" for a in p["aliases"]]
    for link in p["links"]:
        dates = " ".join(d for d in (link["start"], link["end"]) if d)
        lines.append(f"  {safe(link['label'])}  {dates}".rstrip())
    return "\n".join(lines)


def person_merge(ctx, args) -> None:
    data = ctx.book.merge_persons(keep=args.keep, other=args.other)
    ctx.emit(data, f"merged {data['other']} into {data['keep']} (merge {data['merge']})")


def person_split(ctx, args) -> None:
    data = ctx.book.split_person(args.uid)
    ctx.emit(data, f"split {data['restored']} from {data['keep']} again (merge {data['merge']})")
