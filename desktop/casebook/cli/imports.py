"""``casebook import``, ``datasets list|delete`` and ``firms list|show|merge|split``."""

from __future__ import annotations

import sys

from casebook.core.terminal import terminal_safe as safe
from casebook.core.words import plural


def register(sub, common) -> None:
    imp = sub.add_parser(
        "import", parents=[common], help="import a shipments file (or an i2 .anx chart) into a case"
    )
    imp.add_argument("file")
    imp.add_argument("--case", required=True, metavar="REF")
    how = imp.add_mutually_exclusive_group()
    how.add_argument(
        "--preset", help="column preset (ru-customs, generic-en; trade: eurostat, comtrade)"
    )
    how.add_argument("--mapping", metavar="FILE.toml", help="a mapping file: column = field")
    imp.add_argument("--sheet", help="the XLSX sheet (default: every sheet the preset recognises)")
    imp.add_argument("--encoding", help="override the detected encoding, e.g. cp1251")
    imp.add_argument("--rates", metavar="FILE.csv", help="USD rates: month, currency, usd_per_unit")
    imp.add_argument("--skip-bad-rows", action="store_true", help="import the valid rows")
    imp.add_argument("--force", action="store_true", help="import a file already in the case")
    imp.set_defaults(func=run_import, creates=True)

    datasets = sub.add_parser("datasets", help="list and delete imported datasets")
    verbs = datasets.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=[common], help="a case's datasets")
    lst.add_argument("--case", required=True, metavar="REF")
    lst.set_defaults(func=datasets_list)
    delete = verbs.add_parser("delete", parents=[common], help="delete a dataset and its rows")
    delete.add_argument("uid")
    delete.set_defaults(func=datasets_delete)

    firms = sub.add_parser("firms", help="list, show, merge and split firms")
    verbs = firms.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=[common], help="firms (of a case, or all)")
    lst.add_argument("--case", metavar="REF")
    lst.set_defaults(func=firms_list)
    show = verbs.add_parser("show", parents=[common], help="one firm")
    show.add_argument("uid")
    show.set_defaults(func=firms_show)
    merge = verbs.add_parser("merge", parents=[common], help="merge OTHER into KEEP")
    merge.add_argument("keep")
    merge.add_argument("other")
    merge.set_defaults(func=firms_merge)
    split = verbs.add_parser("split", parents=[common], help="undo a recorded merge")
    split.add_argument("uid")
    split.set_defaults(func=firms_split)


def run_import(ctx, args) -> None:
    ctx.catch_interrupt()
    from casebook.book.persons import is_people_import
    from casebook.cli.trade import import_trade, is_trade

    if str(args.file).lower().endswith(".anx"):
        return import_chart(ctx, args)
    if is_people_import(args.mapping):
        return import_people(ctx, args)
    if is_trade(args):
        return import_trade(ctx, args)
    result = ctx.book.import_file(args.file, rates=args.rates, **import_options(ctx, args))
    ctx.emit(result, _import_text)
    report_rejects(ctx, result)


def import_chart(ctx, args) -> None:
    """An i2 Analyst's Notebook chart: firms and relationships, not rows."""
    from casebook.core.errors import UsageError

    given = [f"--{o.replace('_', '-')}" for o in ("preset", "mapping", "sheet", "encoding",
             "rates", "skip_bad_rows", "force") if getattr(args, o, None)]  # fmt: skip
    if given:
        raise UsageError(f"{', '.join(given)} do not apply to an ANX chart")
    result = ctx.book.import_chart(args.file, case_ref=args.case)
    ctx.emit(result, _chart_text)


def _chart_text(data: dict) -> str:
    return "\n".join([
        f"imported chart {safe(data['file_name'])} into {safe(data['case'])} "
        f"(evidence {data['evidence_uid']})",
        f"  firms: {data['firms_created']:,} new, {data['firms_matched']:,} known; "
        f"{data['merge_suggestions']:,} merge suggestions",
        f"  relationships: {data['relationships_created']:,} new, "
        f"{data['relationships_known']:,} already recorded",
        f"  trade links left out (trade comes from shipments): {data['trade_links_left_out']:,}",
        f"  positions saved: {data['positions']:,}",
        f"  persons: {data['persons_created']:,} new, {data['persons_matched']:,} known; "
        f"{data['person_links_created']:,} person links new",
        *([f"  person links of a kind Casebook does not know, left out: "
           f"{data['person_links_left_out']:,}"] if data.get("person_links_left_out") else []),
    ])  # fmt: skip


def import_people(ctx, args) -> None:
    if args.preset or getattr(args, "rates", None):
        from casebook.core.errors import UsageError

        raise UsageError("a people table takes its mapping file only (no --preset or --rates)")
    data = ctx.book.import_people(
        args.file, case_ref=args.case, mapping=args.mapping, sheet=args.sheet,
        encoding=args.encoding,
    )  # fmt: skip
    ctx.emit(data, _people_text)


def _people_text(d: dict) -> str:
    return (
        f"imported {d['rows_imported']:,} rows of officers and owners from {safe(d['file_name'])}\n"
        f"  persons: {d['persons_created']:,} new, {d['persons_matched']:,} known; "
        f"links: {d['links_created']:,} new\n"
        f"  firms: {d['firms_created']:,} new, {d['firms_matched']:,} known"
    )


def import_options(ctx, args) -> dict:
    """What shipment and trade imports take alike from ``casebook import``'s arguments."""
    return {
        "case_ref": args.case,
        "preset": args.preset,
        "mapping": args.mapping,
        "sheet": args.sheet,
        "encoding": args.encoding,
        "skip_bad_rows": args.skip_bad_rows,
        "force": args.force,
        "progress": ctx.progress("import"),
        "cancelled": ctx.cancelled,
    }


def report_rejects(ctx, result: dict) -> None:
    """Say on stderr where the rows set aside by ``--skip-bad-rows`` went."""
    if result["rows_rejected"] and not ctx.json:
        sys.stderr.write(
            f"{result['rows_rejected']} invalid rows left out: {result['rejects_file']}\n"
        )


def _import_text(data: dict) -> str:
    lines = [
        f"imported {data['rows_imported']:,} of {data['rows_read']:,} rows "
        f"in {data['seconds']:.1f} s (dataset {data['dataset_uid']})",
        f"  skipped (already in the case): {data['rows_skipped']:,}",
        f"  rejected (invalid):            {data['rows_rejected']:,}",
        f"  firms: {data['firms_created']:,} new, {data['firms_matched']:,} known; "
        f"{data['merge_suggestions']:,} merge suggestions",
    ]
    if data["rejects_file"]:
        lines.append(f"  rejects: {data['rejects_file']}")
    lines += [f"  warning: {safe(w)}" for w in data.get("warnings", [])]
    unmapped = data.get("unmapped_columns") or []
    if unmapped:
        names = ", ".join(f'"{safe(h)}"' for h in unmapped)
        lines.append(
            f"  warning: {plural(len(unmapped), 'column')} not imported (no field): {names}"
        )
    return "\n".join(lines)


def datasets_list(ctx, args) -> None:
    data = {"datasets": ctx.book.list_datasets(case_ref=args.case)}
    ctx.emit(data, _datasets_text)


def _datasets_text(data: dict) -> str:
    if not data["datasets"]:
        return "No datasets in this case. Import one: casebook import FILE --case REF"
    rows = [
        f"{d['uid']}  {d['kind']:<9} {d['rows']:>9,}  {d['imported']}  {safe(d['file_name'])}"
        for d in data["datasets"]
    ]
    return "\n".join([f"{'UID':<32}  {'KIND':<9} {'ROWS':>9}  {'IMPORTED':<20}  FILE", *rows])


def datasets_delete(ctx, args) -> None:
    data = ctx.book.delete_dataset(args.uid)
    ctx.emit(data, f"deleted dataset {data['uid']} and its {data['shipments']:,} shipments")


def firms_list(ctx, args) -> None:
    ctx.emit({"firms": ctx.book.list_firms(case_ref=args.case)}, _firms_text)


def _firms_text(data: dict) -> str:
    if not data["firms"]:
        return "No firms yet."
    rows = [
        f"{f['uid']}  {f['country'] or '--':<2}  {f['shipments']:>8,}  {f['value_usd']:>16,.2f}  "
        f"{'LISTED ' if f['listed'] else ''}{safe(f['name'])}"
        for f in data["firms"]
    ]
    head = f"{'UID':<32}  CC  {'SHIPMENTS':>8}  {'VALUE USD':>16}  NAME"
    return "\n".join([head, *rows])


def firms_show(ctx, args) -> None:
    ctx.emit(ctx.book.show_firm(args.uid), _firm_text)


def _firm_text(f: dict) -> str:
    lines = [
        f"{safe(f['name'])}  ({f['country'] or 'country unknown'})",
        f"  uid:       {f['uid']}",
    ]
    if f.get("native_name"):
        lines.append(f"  native:    {safe(f['native_name'])}")
    if f.get("merged_into"):
        lines.append(f"  merged into {f['merged_into']}")
    lines += [f"  {scheme}: {safe(value)}" for scheme, value in f["identifiers"].items()]
    lines.append(f"  shipments: {f['shipments']:,}   value USD: {f['value_usd']:,.2f}")
    for label, key in (
        ("dispatch:", "dispatch_countries"),
        ("destination:", "destination_countries"),
    ):
        if f.get(key):
            lines.append(f"  {label:<10} {', '.join(f[key])}")
    lines += [f"  alias:     {safe(a)}" for a in f["aliases"]]
    lines += [
        f"  case:      {safe(c['case'])} ({c['role'] or 'no role'})" for c in f.get("cases", [])
    ]
    lines += [
        f"  maybe same as {s['firm_uid']} {safe(s['firm_name'])} ({s['score']:.2f}: {s['reason']})"
        for s in f.get("suggestions", [])
    ]
    return "\n".join(lines)


def firms_merge(ctx, args) -> None:
    data = ctx.book.merge_firms(keep=args.keep, other=args.other)
    ctx.emit(data, f"merged {data['other']} into {data['keep']} (merge {data['merge']})")


def firms_split(ctx, args) -> None:
    data = ctx.book.split_firm(args.uid)
    ctx.emit(data, f"split {data['restored']} from {data['keep']} again (merge {data['merge']})")
