"""``casebook search TEXT [--case REF]``."""

from __future__ import annotations

from itertools import groupby

from casebook.core.terminal import terminal_safe as safe


def register(sub, common) -> None:
    search = sub.add_parser("search", parents=[common], help="search everything in the store")
    search.add_argument("text")
    search.add_argument("--case", metavar="REF", help="only this case (and its firms)")
    search.set_defaults(func=run_search)


def _text(data: dict) -> str:
    if not data["results"]:
        return "No results."
    lines = []
    for kind, hits in groupby(data["results"], key=lambda r: r["kind"]):
        lines.append(f"{kind}:")
        for hit in hits:
            ref = f"[{safe(hit['case_ref'])}] " if hit["case_ref"] else ""
            lines.append(f"  {ref}{safe(hit['title'])}")
            if _shows_more(hit["snippet"], hit["title"]):
                lines.append(f"      {safe(hit['snippet'])}")
    return "\n".join(lines)


def _shows_more(snippet: str, title: str) -> bool:
    """True when the snippet (matches marked with [ ]) is not just a piece of the title."""
    plain = snippet.replace("[", "").replace("]", "").strip("… ")
    return bool(plain) and plain not in title


def run_search(ctx, args) -> None:
    ctx.emit(ctx.book.search(args.text, case_ref=args.case), _text)
