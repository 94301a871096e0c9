"""``casebook export --case REF --out FILE [--force]``: the format follows the file's suffix.

Formats are a table of suffix → writer; each writer is ``fn(book, case_ref, out, force, lens)
-> {out, format, records, sha256}``. More formats (bundles, FollowTheMoney, XLSX, CSV) are added
as rows of ``FORMATS``. The filter options select the shipments of the formats that carry them
(ANX, GraphML, FtM, XLSX, CSV); a bundle carries the whole case, so filters there exit 2.
"""

from __future__ import annotations

from pathlib import Path

from casebook.cli.lens import add_filter_options, lens_of
from casebook.core.errors import Refused, UsageError


def _graphml(book, case_ref: str, out: Path, force: bool, lens) -> dict:
    return book.export_graphml(case_ref=case_ref, out=out, force=force, lens=lens)


def _exchange(book, case_ref: str, out: Path, force: bool, lens) -> dict:
    return book.export_case(case_ref=case_ref, out=out, force=force, lens=lens)


def _anx(book, case_ref: str, out: Path, force: bool, lens) -> dict:
    return book.export_anx(case_ref=case_ref, out=out, force=force, lens=lens)


#: File suffix (lower case, longest first wins) → writer.
FORMATS = {
    ".anx": _anx,
    ".graphml": _graphml,
    ".casebook": _exchange,
    ".ftm.json": _exchange,
    ".ftm.jsonl": _exchange,
    ".xlsx": _exchange,
    ".zip": _exchange,
}


def writer_for(out: Path):
    """The writer for a file name, by its longest matching suffix; UsageError when none."""
    name = out.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return FORMATS[suffix]
    known = ", ".join(sorted(FORMATS))
    raise UsageError(f"cannot tell the format of {out.name!r}; use a file ending in {known}")


def register(sub, common) -> None:
    export = sub.add_parser(
        "export",
        parents=[common],
        help="export a case (by suffix: .anx, .graphml, .casebook, .ftm.json, .ftm.jsonl, .xlsx, .zip)",
    )
    export.add_argument("--case", required=True, metavar="REF")
    export.add_argument("--out", required=True, metavar="FILE", help="e.g. case.graphml")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_filter_options(export)
    export.set_defaults(func=run_export)


def run_export(ctx, args) -> None:
    out = Path(args.out)
    write = writer_for(out)
    lens = lens_of(args)
    if out.exists() and not args.force:
        raise Refused(f"{out} exists; use --force to overwrite it")
    data = write(ctx.book, args.case, out, args.force, lens)
    ctx.emit(data, _text)


def _text(data: dict) -> str:
    return f"Wrote {data['out']} ({data['format']}, {data['records']:,} records)\nsha256 {data['sha256']}"
