"""``casebook stats`` and ``casebook flags``."""

from __future__ import annotations

from casebook.cli.lens import add_filter_options, lens_of
from casebook.core.terminal import terminal_safe as safe

MEASURES = ("value", "count", "quantity", "weight")


def register(sub, common) -> None:
    stats = sub.add_parser("stats", parents=[common], help="totals by period, country, firm, code")
    stats.add_argument("--case", required=True, metavar="REF")
    stats.add_argument(
        "--by", default="", help="group keys, e.g. month,origin (quarter, year, dispatch, …)"
    )
    stats.add_argument("--source", choices=("shipments", "trade"), default="shipments")
    stats.add_argument("--measure", choices=MEASURES, default="value")
    stats.add_argument("--reporter", help="reporting countries (trade)")
    stats.add_argument("--partner", help="partner countries (trade)")
    stats.add_argument("--top", type=int, help="keep the top N groups, sum the rest as 'other'")
    add_filter_options(stats, firm_dest="firms", dataset_dest="datasets")
    stats.set_defaults(func=run_stats)

    flags = sub.add_parser("flags", parents=[common], help="red flags per firm of a case")
    flags.add_argument("--case", required=True, metavar="REF")
    add_filter_options(flags)
    flags.set_defaults(func=run_flags)


_TRADE_FILTERS = ("reporter", "partner")


def run_stats(ctx, args) -> None:
    extra = {name: getattr(args, name) for name in _TRADE_FILTERS if getattr(args, name)}
    data = ctx.book.stats(
        case_ref=args.case,
        by=args.by,
        source=args.source,
        measure=args.measure,
        top=args.top,
        lens=lens_of(args),
        **extra,
    )
    ctx.emit(data, _stats_text)


def _cell(column: str, value) -> str:
    if value is None:
        return "-"
    if column in ("share", "change"):
        return f"{value:+.1%}" if column == "change" else f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return safe(value)


def _stats_text(data: dict) -> str:
    rows = data["rows"]
    if not rows:
        return "No shipments match." if data["filters"]["source"] == "shipments" else "No rows."
    skip = {"exporter", "importer"}
    columns = [c for c in rows[0] if c not in skip]
    table = [[_cell(c, r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(t.ljust(w) for t, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def run_flags(ctx, args) -> None:
    ctx.emit(ctx.book.flags(case_ref=args.case, lens=lens_of(args)), _flags_text)


def _flags_text(data: dict) -> str:
    if not data["firms"]:
        return f"No red flags in {data['case']}."
    lines = []
    for firm in data["firms"]:
        lines.append(f"{firm['score']:>3}  {safe(firm['name'])}  ({firm['uid']})")
        for flag in firm["flags"]:
            lines.append(f"       {flag['title']}: {safe(flag['reason'])}")
    return "\n".join(lines)
