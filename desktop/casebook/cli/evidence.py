"""``casebook evidence add|list|show|link|unlink``."""

from __future__ import annotations

from casebook.core.domain import EVIDENCE_KINDS
from casebook.core.terminal import terminal_safe


def register(sub, common) -> None:
    evidence = sub.add_parser("evidence", help="add, list and link evidence files")
    verbs = evidence.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", parents=[common], help="store a file in the vault")
    add.add_argument("file")
    add.add_argument("--case", metavar="REF", required=True)
    add.add_argument("--title")
    add.add_argument("--grade", help="Admiralty grade, e.g. B2")
    add.add_argument(
        "--link", action="append", default=[], metavar="KIND:UID", help="e.g. firm:UID (repeatable)"
    )
    add.add_argument("--url")
    add.add_argument("--kind", choices=EVIDENCE_KINDS)
    add.add_argument("--publisher")
    add.add_argument("--captured", metavar="ISO8601", help="when the source was captured")
    add.add_argument("--excerpt", default="")
    add.add_argument("--notes", default="")
    add.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="if FILE is a symbolic link, add what it points to (its target goes in the notes)",
    )
    add.set_defaults(func=evidence_add, creates=True)

    lst = verbs.add_parser("list", parents=[common], help="a case's evidence register")
    lst.add_argument("--case", metavar="REF", required=True)
    lst.set_defaults(func=evidence_list)

    show = verbs.add_parser("show", parents=[common], help="one evidence item")
    show.add_argument("ref", help="uid, or E3 with --case")
    show.add_argument("--case", metavar="REF")
    show.set_defaults(func=evidence_show)

    link = verbs.add_parser("link", parents=[common], help="record what evidence supports")
    link.add_argument("uid")
    link.add_argument(
        "target", metavar="KIND:UID", help="case:REF, firm:UID, shipment:DATASET:ROW, …"
    )
    link.add_argument("--note", default="")
    link.set_defaults(func=evidence_link)

    unlink = verbs.add_parser("unlink", parents=[common], help="remove a link")
    unlink.add_argument("uid")
    unlink.add_argument("target", metavar="KIND:UID")
    unlink.set_defaults(func=evidence_unlink)


def _target(text: str) -> tuple[str, str]:
    from casebook.core.errors import UsageError

    kind, sep, ref = text.partition(":")
    if not sep or not ref:
        raise UsageError(f"a link target is KIND:UID, e.g. firm:3f2a…, not {text!r}")
    return kind.strip().lower(), ref.strip()


def _item_text(data: dict) -> str:
    lines = [
        f"{data['id']}  {data['title']}",
        f"  grade:    {data['grade'] or 'not graded'}   kind: {data['kind']}",
        f"  file:     {data['original_name']} ({data['size']:,} bytes)",
        f"  sha256:   {data['sha256']}",
        f"  uid:      {data['uid']}",
    ]
    if data.get("existing"):
        lines.append("  (the same content was already in this case: linked to the existing item)")
    for link in data.get("links", []):
        note = f" — {link['note']}" if link["note"] else ""
        lines.append(f"  supports: {link['kind']} {link['label']}{note}")
    return "\n".join(lines)


def _list_text(data: dict) -> str:
    if not data["evidence"]:
        return "No evidence yet. Add a file: casebook evidence add FILE --case REF"
    rows = [
        f"{e['id']:<5} {e['grade'] or '--':<5} {e['sha256'][:12]}  {terminal_safe(e['title'])}"
        for e in data["evidence"]
    ]
    return "\n".join([f"{'ID':<5} {'GRADE':<5} {'SHA256':<12}  TITLE", *rows])


def evidence_add(ctx, args) -> None:
    ctx.catch_interrupt()
    added = ctx.book.add_evidence(
        args.file,
        case_ref=args.case,
        title=args.title,
        kind=args.kind,
        grade=args.grade,
        url=args.url,
        publisher=args.publisher,
        captured=args.captured,
        excerpt=args.excerpt,
        notes=args.notes,
        links=args.link,
        follow_symlinks=args.follow_symlinks,
        progress=ctx.progress("Hashing"),
        cancelled=ctx.cancelled,
    )
    ctx.emit(added.json(), _item_text)


def evidence_list(ctx, args) -> None:
    ctx.emit({"evidence": ctx.book.list_evidence(case_ref=args.case)}, _list_text)


def evidence_show(ctx, args) -> None:
    ctx.emit(ctx.book.show_evidence(args.ref, case_ref=args.case), _item_text)


def evidence_link(ctx, args) -> None:
    kind, ref = _target(args.target)
    ctx.emit(ctx.book.link_evidence(args.uid, kind, ref, note=args.note), _links_text)


def evidence_unlink(ctx, args) -> None:
    kind, ref = _target(args.target)
    ctx.book.unlink_evidence(args.uid, kind, ref)
    ctx.emit({"uid": args.uid, "unlinked": {"kind": kind, "uid": ref}}, "Unlinked.")


def _links_text(data: dict) -> str:
    lines = [f"{data['uid']} supports:"]
    lines += [f"  {link['kind']:<12} {link['label']}" for link in data["links"]]
    return "\n".join(lines)
