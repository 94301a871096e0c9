"""The shared filter options (DESIGN.md): the same flags on every command that reads a case's
shipments, parsed into one ``ShipmentFilter`` (``core.filters``), which names a bad option."""

from __future__ import annotations


def add_filter_options(parser, *, firm_dest: str = "firm", dataset_dest: str = "dataset") -> None:
    """Add ``--from --to --hs --origin --dispatch --destination --firm --dataset --text
    --min-value`` to a command (``stats`` keeps its older ``firms``/``datasets`` dests)."""
    group = parser.add_argument_group("filters (which shipments count)")
    group.add_argument(
        "--from", dest="date_from", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)"
    )
    group.add_argument("--to", dest="date_to", metavar="DATE", help="inclusive, like --from")
    group.add_argument("--hs", metavar="CODES", help="HS code prefixes, e.g. 8456,8457")
    group.add_argument("--origin", metavar="CC", help="countries of origin, e.g. CN,TR")
    group.add_argument("--dispatch", metavar="CC", help="countries of dispatch")
    group.add_argument("--destination", metavar="CC", help="countries of destination")
    group.add_argument(
        "--firm", dest=firm_dest, metavar="UIDS", help="firm uids, as exporter or importer"
    )
    group.add_argument("--dataset", dest=dataset_dest, metavar="UIDS", help="dataset uids")
    group.add_argument(
        "--text",
        metavar="TEXT",
        help="in the description, brand, maker or declaration number (any case, any script)",
    )
    group.add_argument(
        "--min-value", dest="min_value", metavar="USD", help="at least this value in USD"
    )


def lens_of(args):
    """The ``ShipmentFilter`` of a command's filter options (UsageError naming a bad one)."""
    from casebook.core.filters import ShipmentFilter

    return ShipmentFilter.from_options(args)
