"""``casebook rel add|list`` and ``casebook finding add|list``."""

from __future__ import annotations

from casebook.core.domain import PERSON_KINDS, RELATIONSHIP_KINDS
from casebook.core.standards import Confidence, Likelihood
from casebook.core.terminal import terminal_safe as safe


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
    ctx.emit({"findings": ctx.book.list_findings(case_ref=args.case)}, _findings_text)
