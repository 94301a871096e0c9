"""Benchmark (on demand): a briefing with 5,000 shipments in its appendix.

    .venv/bin/python tests/benchmarks/bench_briefing.py [--rows 5000] [--runs 3]

Target (issue 10): the whole briefing (``book.brief``: store reads, charts, network, every
section, the appendix) <= 2x the time ReportLab alone takes to build the same appendix table
with plain string cells, in the same run. Prints medians, pages and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from pypdf import PdfReader

from casebook.book import Casebook
from casebook.book.demo import HEADER, shipment_rows

CASE_REF = "CB-BENCH-BRIEF"


def build_store(folder: Path, rows: int) -> Casebook:
    """A case with ``rows`` demo-like shipments, imported through the real path."""
    data: list[list[str]] = []
    seed = 0
    while len(data) < rows:
        data += shipment_rows(seed=seed)
        seed += 1
    data = data[:rows]
    for number, row in enumerate(data, start=1):
        row[0] = f"10702030/{row[2].replace('-', '')[2:]}/{number:07d}"
    path = folder / "shipments.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    book = Casebook.open(folder / "bench.db", create=True)
    book.create_case(title="Benchmark: 5,000 shipments", ref=CASE_REF)
    book.import_file(path, case_ref=CASE_REF, preset="generic-en")
    return book


def plain_reportlab(rows: list[tuple], out: Path) -> None:
    """ReportLab alone: the appendix rows as plain string cells, header repeated."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from casebook.briefing.fonts import BOLD, CJK, register_fonts

    register_fonts()
    header = ["#", "Date", "Declaration", "Exporter", "Importer", "Orig.", "Disp.", "HS", "USD"]
    width = A4[0] - 100
    widths = [w * width for w in (0.05, 0.09, 0.17, 0.2, 0.18, 0.05, 0.05, 0.09, 0.12)]
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, 1), (-1, -1), CJK),
                ("FONTSIZE", (0, 0), (-1, -1), 6.8),
                ("LEADING", (0, 0), (-1, -1), 8.4),
            ]
        )
    )
    SimpleDocTemplate(str(out), pagesize=A4, invariant=1).build([table])


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = build_store(folder, args.rows)
        rows = book.briefing_data(case_ref=CASE_REF).shipments
        brief_times, plain_times, pages = [], [], 0
        for run in range(args.runs):
            out, plain_out = folder / f"brief-{run}.pdf", folder / f"plain-{run}.pdf"
            brief_times.append(timed(partial(book.brief, case_ref=CASE_REF, out=out)))
            plain_times.append(timed(partial(plain_reportlab, rows, plain_out)))
            pages = len(PdfReader(out).pages)
        brief, plain = statistics.median(brief_times), statistics.median(plain_times)
        print(f"shipments in appendix: {len(rows)}; briefing pages: {pages}")
        print(f"book.brief (whole briefing), median of {args.runs}: {brief:.2f} s")
        print(f"ReportLab alone (plain string table), median of {args.runs}: {plain:.2f} s")
        verdict = "OK" if brief <= 2 * plain else "TOO SLOW"
        print(f"ratio: {brief / plain:.2f}x (target <= 2x) {verdict}")
        book.close()


if __name__ == "__main__":
    main()
