"""``casebook shipments``: a case's shipments under the filters, a page at a time."""

from __future__ import annotations

import unicodedata

from casebook.cli.lens import add_filter_options, lens_of
from casebook.core.terminal import terminal_safe as safe

DEFAULT_LIMIT = 100  # book.shipments.DEFAULT_LIMIT (not imported: --help stays light)
#: Columns of the readable table: (heading, row key, width or None for the rest).
_COLUMNS = (
    ("DATE", "date", 10),
    ("EXPORTER", "exporter_name", 24),
    ("IMPORTER", "importer_name", 24),
    ("ORIG", "origin", 4),
    ("DISP", "dispatch", 4),
    ("DEST", "destination", 4),
    ("HS", "hs_code", 10),
    ("VALUE USD", "value_usd", 14),
    ("DESCRIPTION", "description", 40),
)


def register(sub, common) -> None:
    shipments = sub.add_parser(
        "shipments", parents=[common], help="list a case's shipments under the filters"
    )
    shipments.add_argument("--case", required=True, metavar="REF")
    add_filter_options(shipments)
    shipments.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"rows to list (default {DEFAULT_LIMIT}); total and value_usd count every match",
    )
    shipments.add_argument(
        "--offset", type=int, default=0, metavar="N", help="rows to skip first (default 0)"
    )
    shipments.add_argument(
        "--sort",
        choices=("date", "value"),
        default="date",
        help="row order: date (oldest first, the default) or value (largest first)",
    )
    shipments.set_defaults(func=run_shipments)


def run_shipments(ctx, args) -> None:
    data = ctx.book.shipments(
        case_ref=args.case,
        lens=lens_of(args),
        limit=args.limit,
        offset=args.offset,
        sort=args.sort,
    )
    ctx.emit(data, _text)


def _columns(char: str) -> int:
    """Terminal columns of a character: two for wide (CJK) ones."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut (with "…") and padded to ``width`` terminal columns."""
    used = sum(_columns(c) for c in text)
    if used > width:
        cut, used = "", 1
        for char in text:
            if used + _columns(char) > width:
                break
            cut, used = cut + char, used + _columns(char)
        text = cut + "…"
    pad = " " * (width - used)
    return pad + text if right else text + pad


def _cell(key: str, value, width: int) -> str:
    if value is None:
        text = "-" if key == "value_usd" else ""
    elif key == "value_usd":
        text = f"{value:,.2f}"
    else:
        text = " ".join(safe(value).split())
    return _fit(text, width, right=key == "value_usd")


def _text(data: dict) -> str:
    total, rows = data["total"], data["rows"]
    value = "no USD value" if data["value_usd"] is None else f"{data['value_usd']:,.2f} USD"
    if not rows:
        return f"No shipments listed; {total:,} match ({value})."
    first = data["offset"] + 1
    lines = [
        f"Shipments {first:,}–{first + len(rows) - 1:,} of {total:,} matching ({value} in all)",
        "  ".join(_fit(h, w, right=k == "value_usd") for h, k, w in _COLUMNS).rstrip(),
    ]
    for row in rows:
        cells = [_cell(key, row[key], width) for _, key, width in _COLUMNS]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
