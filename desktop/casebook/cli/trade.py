"""``casebook import`` of trade statistics (Eurostat, UN Comtrade, a mapped trade table)."""

from __future__ import annotations

from casebook.book.trade import is_trade_import
from casebook.cli.imports import import_options, report_rejects
from casebook.core.terminal import terminal_safe as safe


def is_trade(args) -> bool:
    """True when the file (or its preset or mapping file) is trade statistics."""
    return is_trade_import(args.file, preset=args.preset, mapping=args.mapping)


def import_trade(ctx, args) -> None:
    if getattr(args, "rates", None):
        from casebook.core.errors import UsageError

        raise UsageError("--rates applies to shipments, not trade statistics")
    result = ctx.book.import_trade(args.file, **import_options(ctx, args))
    ctx.emit(result, _text)
    report_rejects(ctx, result)


def _text(data: dict) -> str:
    sheets = data.get("sheets") or []
    lines = [
        f"imported {data['rows_imported']:,} trade flows ({data['preset']}) from "
        f"{data['rows_read']:,} rows in {data['seconds']:.1f} s (dataset {data['dataset_uid']})",
        f"  values not available (':' or empty): {data['values_missing']:,}",
        f"  left out (partner World):            {data['rows_skipped']:,}",
        f"  rejected (invalid):                  {data['rows_rejected']:,}",
    ]
    if sheets:
        lines.append(f"  sheets: {len(sheets)} ({safe(sheets[0])} … {safe(sheets[-1])})")
    if data["rejects_file"]:
        lines.append(f"  rejects: {data['rejects_file']}")
    return "\n".join(lines)
