"""``casebook brief`` (the PDF briefing) and ``casebook demo`` (the demo case)."""

from __future__ import annotations

from casebook.cli.lens import add_filter_options, lens_of
from casebook.core.domain import APPENDIX_ROWS


def register(sub, common) -> None:
    brief = sub.add_parser("brief", parents=[common], help="print a case's briefing as a PDF")
    brief.add_argument("--case", required=True, metavar="REF", help="the case")
    brief.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    brief.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size")
    brief.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    brief.add_argument(
        "--top", type=int, default=15, metavar="N", help="shipments in the top-N table (15)"
    )
    brief.add_argument(
        "--appendix-rows",
        type=int,
        default=APPENDIX_ROWS,
        metavar="N",
        help=f"shipments listed in the appendix, the largest by value ({APPENDIX_ROWS:,}); every shipment "
        "goes to FILE.shipments.csv beside the PDF",
    )
    brief.add_argument(
        "--sections",
        metavar="LIST",
        help="comma-separated sections (default all): bluf, trade, network, firms, people, "
        "shipments, screening, evidence, appendix, provenance",
    )
    brief.add_argument("--author", metavar="NAME", help="the author on the cover (default: user)")
    brief.add_argument(
        "--marking", metavar="TLP:…", help="raise the handling marking (never below the case's)"
    )
    add_filter_options(brief)
    brief.set_defaults(func=run_brief)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="build the demo case (fictional firms); again: returns the existing one",
    )
    demo.set_defaults(func=run_demo, creates=True)


def run_brief(ctx, args) -> int:
    ctx.catch_interrupt()
    result = ctx.book.brief(
        case_ref=args.case,
        out=args.out,
        paper=args.paper,
        top=args.top,
        appendix_rows=args.appendix_rows,
        sections=args.sections,
        author=args.author,
        marking=args.marking,
        force=args.force,
        progress=ctx.progress("briefing"),
        cancelled=ctx.cancelled,
        lens=lens_of(args),
    )
    ctx.emit(result, _brief_text)
    return 0


def _brief_text(result: dict) -> str:
    text = f"wrote {result['out']} ({result['pages']} pages, sha256 {result['sha256']})"
    if result.get("table"):
        text += (
            f"\nwrote {result['table']} ({result['table_rows']:,} shipments, "
            f"{result['appendix_rows']:,} in the appendix; sha256 {result['table_sha256']})"
        )
    return text


def _demo_text(result: dict) -> str:
    verb = "built" if result.get("created") else "already present:"
    return (
        f"{verb} demo case {result['case_ref']} — {result['shipments']} shipments, "
        f"{result['firms']} firms, {result['evidence']} evidence items, "
        f"{result['findings']} findings (fictional firms, illustrative data)"
    )


def run_demo(ctx, args) -> int:
    ctx.catch_interrupt()
    result = ctx.book.build_demo(progress=ctx.progress("demo"), cancelled=ctx.cancelled)
    ctx.emit(result, _demo_text)
    return 0
