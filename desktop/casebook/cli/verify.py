"""``casebook verify``."""

from __future__ import annotations

from casebook.cli.context import fail


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
        help="first rebuild what is derived from the rows: the totals behind charts, stats and "
        "flags, and the search index",
    )
    verify.set_defaults(func=run_verify)


def _text(report: dict) -> str:
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report["checked"].items())
    if report["ok"]:
        return f"OK — checked {counts}"
    lines = [f"PROBLEMS FOUND ({len(report['problems'])}) — checked {counts}"]
    lines += [f"  [{p['kind']}] {p['ref']}: {p['detail']}" for p in report["problems"]]
    return "\n".join(lines)


def run_verify(ctx, args) -> int:
    if args.repair:
        ctx.book.rebuild_rollups()
        ctx.book.rebuild_search_index()
    report = ctx.book.verify(case_ref=args.case)
    ctx.emit(report, _text)
    if report["ok"]:
        return 0
    # The report above is the result; stderr names each problem too, for scripts that only
    # read the error stream.
    fail(
        f"verify found {len(report['problems'])} problem(s)",
        [p["detail"] for p in report["problems"]],
    )
    return 1
