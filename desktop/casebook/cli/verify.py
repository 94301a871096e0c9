"""``casebook verify``."""

from __future__ import annotations

from casebook.cli.context import fail
from casebook.core.words import plural

#: What each check counted, in words (singular, plural) where "s" is not the plural.
NOUNS = {"evidence": ("evidence item", "evidence items")}


def register(sub, common) -> None:
    verify = sub.add_parser(
        "verify", parents=[common], help="check the store for damage and tampering"
    )
    verify.add_argument(
        "--case", metavar="REF", help="only this case's records (where a check allows)"
    )
    verify.add_argument(
        "--repair",
        action="store_true",
        help="first rebuild what is derived from the rows (the totals behind charts, stats and "
        "flags, and the search index) and remove blobs no evidence names and leftovers of "
        "interrupted writes (audited)",
    )
    verify.set_defaults(func=run_verify)


def _counted(key: str, n: int) -> str:
    """``1 case``, ``32 audit events``: a count of the report's ``checked`` in words."""
    words = key.replace("_", " ")
    one, many = NOUNS.get(key, (words.removesuffix("s"), words))
    return plural(n, one, many)


def _text(report: dict) -> str:
    counts = ", ".join(_counted(k, n) for k, n in report["checked"].items())
    if report["ok"]:
        lines = [f"OK — checked {counts}"]
    else:
        lines = [f"PROBLEMS FOUND ({len(report['problems']):,}) — checked {counts}"]
        lines += [f"  [{p['kind']}] {p['ref']}: {p['detail']}" for p in report["problems"]]
    lines += [f"  not checked: {p['detail']}" for p in report.get("unchecked", ())]
    repaired = report.get("repaired") or {}
    lines += [f"  removed: blob {sha} (no evidence named it)" for sha in repaired.get("blobs", ())]
    lines += [
        f"  removed: {path} (left by an interrupted write)"
        for path in repaired.get("leftovers", ())
    ]
    return "\n".join(lines)


def run_verify(ctx, args) -> int:
    repaired = None
    if args.repair:
        ctx.book.rebuild_rollups()
        ctx.book.rebuild_search_index()
        repaired = ctx.book.repair_vault()
    report = ctx.book.verify(case_ref=args.case)
    if repaired is not None:
        report["repaired"] = repaired
    ctx.emit(report, _text)
    if report["ok"]:
        return 0
    # The report above is the result; stderr names each problem too, for scripts that only
    # read the error stream.
    fail(
        f"verify found {plural(len(report['problems']), 'problem')}",
        [p["detail"] for p in report["problems"]],
    )
    return 1
