"""``casebook figures add|list|remove``: the key figures pinned to a case's briefing."""

from __future__ import annotations

from casebook.cli.lens import add_filter_options, lens_of
from casebook.core.terminal import terminal_safe as safe


def register(sub, common) -> None:
    figures = sub.add_parser("figures", help="key figures pinned to a case's briefing")
    verbs = figures.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=[common], help="pin a figure of the filtered shipments")
    add.add_argument("--case", metavar="REF", required=True)
    add.add_argument("--label", required=True, help="what the briefing calls the figure")
    add.add_argument(
        "--measure",
        default="value",
        help="value (USD), count (shipments) or share (of the same period's value)",
    )
    add_filter_options(add)
    add.set_defaults(func=figures_add)
    lst = verbs.add_parser("list", parents=[common], help="a case's figures, recomputed now")
    lst.add_argument("--case", metavar="REF", required=True)
    lst.set_defaults(func=figures_list)
    rm = verbs.add_parser("remove", parents=[common], help="unpin a figure")
    rm.add_argument("uid", metavar="UID")
    rm.set_defaults(func=figures_remove)


def _figure_lines(f: dict) -> str:
    lines = [f"{f['uid'][:8]}  {safe(f['label'])}: {f['shown']}", f"          {safe(f['command'])}"]
    if f.get("problem"):
        lines.append(f"          warning: {safe(f['problem'])}")
    return "\n".join(lines)


def _figures_text(data: dict) -> str:
    if not data["figures"]:
        return f"No figures pinned to {safe(data['case'])}."
    return "\n".join(_figure_lines(f) for f in data["figures"])


def figures_add(ctx, args) -> None:
    figure = ctx.book.add_figure(
        case_ref=args.case, label=args.label, measure=args.measure, lens=lens_of(args)
    )
    ctx.emit(figure, _figure_lines)


def figures_list(ctx, args) -> None:
    figures = ctx.book.list_figures(case_ref=args.case)
    ctx.emit({"case": args.case, "figures": figures}, _figures_text)


def figures_remove(ctx, args) -> None:
    removed = ctx.book.remove_figure(args.uid)
    ctx.emit(removed, lambda f: f"Removed figure {f['uid'][:8]} ({safe(f['label'])}).")
