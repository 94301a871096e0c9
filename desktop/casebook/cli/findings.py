"""``casebook rel add|list|edit|delete``, ``casebook finding add|list|edit`` and ``casebook version``
(the version a save passes back with ``--if-version``: a stale one is refused, exit 1)."""

from __future__ import annotations

from casebook.core.domain import PERSON_KINDS, RELATIONSHIP_KINDS
from casebook.core.standards import Confidence, Likelihood
from casebook.core.terminal import terminal_safe as safe

#: The kinds of record with a version (``book.versions.VERSIONED``; not imported: the facade
#: is loaded only once a command runs).
VERSIONED = ("finding", "evidence", "relationship", "case", "firm")


def register(sub, common) -> None:
    rel = sub.add_parser("rel", help="relationships between firms and persons")
    rverbs = rel.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = rverbs.add_parser("add", parents=[common], help="record a relationship")
    add.add_argument("--case", metavar="REF", required=True)
    add.add_argument("from_uid", metavar="FROM_UID", help="a firm's or a person's uid")
    add.add_argument("to_uid", metavar="TO_UID", help="a firm's or a person's uid")
    add.add_argument(
        "--kind",
        required=True,
        help=f"firms: {', '.join(RELATIONSHIP_KINDS)}; with a person: {', '.join(PERSON_KINDS)}",
    )
    add.add_argument("--share", help="ownership (or shareholder's) share in percent")
    add.add_argument("--start", help="YYYY-MM-DD")
    add.add_argument("--end", help="YYYY-MM-DD")
    add.add_argument("--note", default="")
    add.add_argument("--evidence", default="", metavar="E3,E4", help="supporting evidence")
    add.set_defaults(func=rel_add)
    lst = rverbs.add_parser("list", parents=[common], help="a case's relationships")
    lst.add_argument("--case", metavar="REF", required=True)
    lst.set_defaults(func=rel_list)
    edit = rverbs.add_parser(
        "edit", parents=[common], help="change a relationship's kind, share, dates or note"
    )
    edit.add_argument("uid", metavar="UID", help="the relationship's uid (rel list)")
    edit.add_argument("--kind")
    edit.add_argument("--share", help="percent; an empty value clears it")
    edit.add_argument("--start", help="YYYY-MM-DD; an empty value clears it")
    edit.add_argument("--end", help="YYYY-MM-DD; an empty value clears it")
    edit.add_argument("--note")
    add_if_version(edit)
    edit.set_defaults(func=rel_edit)
    delete = rverbs.add_parser(
        "delete", parents=[common], help="delete a relationship and its evidence links"
    )
    delete.add_argument("uid", metavar="UID")
    delete.set_defaults(func=rel_delete)

    finding = sub.add_parser("finding", help="key judgments with ICD 203 language")
    fverbs = finding.add_subparsers(dest="verb", metavar="VERB", required=True)
    fadd = fverbs.add_parser("add", parents=[common], help="add a key judgment")
    fadd.add_argument("--case", metavar="REF", required=True)
    fadd.add_argument("text")
    fadd.add_argument(
        "--likelihood", required=True, help="ICD 203: " + ", ".join(t.term for t in Likelihood)
    )
    fadd.add_argument("--confidence", required=True, choices=[c.value for c in Confidence])
    fadd.add_argument("--evidence", default="", metavar="E3,E4", help="supporting evidence")
    fadd.set_defaults(func=finding_add)
    flist = fverbs.add_parser("list", parents=[common], help="a case's findings in order")
    flist.add_argument("--case", metavar="REF", required=True)
    flist.set_defaults(func=finding_list)
    fedit = fverbs.add_parser("edit", parents=[common], help="change a key judgment")
    fedit.add_argument("uid", metavar="UID")
    fedit.add_argument("--text")
    fedit.add_argument("--likelihood", help="ICD 203 term")
    fedit.add_argument("--confidence", choices=[c.value for c in Confidence])
    add_if_version(fedit)
    fedit.set_defaults(func=finding_edit)

    version = sub.add_parser(
        "version",
        parents=[common],
        help="a record's version, for a later save with --if-version",
    )
    version.add_argument("kind", choices=VERSIONED)
    version.add_argument("ref", metavar="UID", help="the record's uid (a case: its ref)")
    version.set_defaults(func=show_version)


def add_if_version(parser) -> None:
    """``--if-version V``: save only if the record is still at version V (else exit 1)."""
    parser.add_argument(
        "--if-version",
        dest="if_version",
        metavar="VERSION",
        help="save only if nobody changed the record since this version (casebook version …)",
    )


def _refs(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _rel_line(r: dict) -> str:
    dates = " ".join(d for d in (r["start"], r["end"]) if d)
    evidence = ", ".join(e["id"] for e in r["evidence"])
    return f"{r['uid'][:8]}  {safe(r['label'])}  {dates}  {evidence}".rstrip()


def _rels_text(data: dict) -> str:
    if not data["relationships"]:
        return "No relationships yet."
    return "\n".join(_rel_line(r) for r in data["relationships"])


def _finding_lines(f: dict) -> list[str]:
    lines = [
        f"{f['position']}. {safe(f['text'])}",
        f"   {f['likelihood']}; {f['confidence']} confidence",
    ]
    lines += [
        f"   {e['id']} [{e['grade'] or 'not graded'}] {safe(e['title'])}" for e in f["evidence"]
    ]
    lines += [f"   warning: {safe(w)}" for w in f["warnings"]]
    return lines


def _findings_text(data: dict) -> str:
    if not data["findings"]:
        return "No findings yet."
    return "\n".join(line for f in data["findings"] for line in _finding_lines(f))


def rel_add(ctx, args) -> None:
    rel = ctx.book.add_relationship(
        case_ref=args.case,
        from_uid=args.from_uid,
        to_uid=args.to_uid,
        kind=args.kind,
        share=args.share,
        start=args.start,
        end=args.end,
        notes=args.note,
        evidence=_refs(args.evidence),
    )
    ctx.emit(rel, _rel_line)


def rel_list(ctx, args) -> None:
    rels = ctx.book.list_relationships(case_ref=args.case)
    rels += ctx.book.list_person_links(case_ref=args.case)
    ctx.emit({"relationships": rels}, _rels_text)


def rel_edit(ctx, args) -> None:
    rel = ctx.book.edit_relationship(
        args.uid,
        kind=args.kind,
        share=args.share,
        start=args.start,
        end=args.end,
        notes=args.note,
        version=args.if_version,
    )
    ctx.emit(rel, _rel_line)


def rel_delete(ctx, args) -> None:
    ctx.emit(ctx.book.delete_relationship(args.uid), lambda r: f"Deleted {_rel_line(r)}")


def finding_add(ctx, args) -> None:
    finding = ctx.book.add_finding(
        case_ref=args.case,
        text=args.text,
        likelihood=args.likelihood,
        confidence=args.confidence,
        evidence=_refs(args.evidence),
    )
    ctx.emit(finding, lambda f: "\n".join(_finding_lines(f)))


def finding_list(ctx, args) -> None:
    findings = ctx.book.list_findings(case_ref=args.case, versions=True)
    ctx.emit({"findings": findings}, _findings_text)


def finding_edit(ctx, args) -> None:
    finding = ctx.book.edit_finding(
        args.uid,
        text=args.text,
        likelihood=args.likelihood,
        confidence=args.confidence,
        version=args.if_version,
    )
    finding["version"] = ctx.book.record_version("finding", finding["uid"])["version"]
    ctx.emit(finding, lambda f: "\n".join(_finding_lines(f)))


def show_version(ctx, args) -> None:
    ctx.emit(
        ctx.book.record_version(args.kind, args.ref),
        lambda v: f"{v['version']}  {v['actor'] or '-'}  {v['at'] or '-'}",
    )
