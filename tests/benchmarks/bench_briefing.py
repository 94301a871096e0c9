"""Benchmark (on demand): a briefing with 5,000 shipments in its appendix; or, with
``--firms``, a case of that many firms; or, with ``--large``, a case of a million shipments.

    .venv/bin/python tests/benchmarks/bench_briefing.py [--rows 5000] [--runs 3]
    .venv/bin/python tests/benchmarks/bench_briefing.py --firms 10000
    .venv/bin/python tests/benchmarks/bench_briefing.py --large /tmp/1m.db [--large-rows 1000000]
    .venv/bin/python tests/benchmarks/bench_briefing.py --large /tmp/1m-links.db --spread-pairs

Target (issue 10): the whole briefing (``book.brief``: store reads, charts, network, every
section, the appendix) <= 2x the time ReportLab alone takes to build the same appendix table
with plain string cells, in the same run. Prints medians, pages and the ratio.

Target (issue 24, finding 7): a case of 10,000+ firms briefs in under a minute (it took 10
minutes and 1.7 GB with 8,247 firms). Each row has its own exporter and importer, so ``--firms
N`` imports N / 2 shipments. Prints the briefing's wall time and peak RSS (each measured in a
forked child process) beside ReportLab alone printing the same firm list and appendix as plain
string tables (in page-sized tables, its fastest way: one table of n rows costs n²).

Target (issue 18, briefing at any size): a case of 1M shipments (``--large PATH``: the store of
``bench_analysis.py``, built there if missing) briefs in <= 3x the raw baseline's wall time,
<= 1 GB peak RSS, <= 300 pages, the full table beside the PDF with its SHA-256 printed. The
baseline, in the same run, makes the same two outputs with the raw libraries: sqlite3 reads the
2,000 largest rows and ReportLab prints them as plain string tables; sqlite3 reads every row
(with its firms' names, by date) and ``csv.writer`` writes them. Each in a forked child.
``--spread-pairs`` builds the store (when missing) with each row between a random exporter and
importer of the 5,000 firms: ~920,000 trade links, as a real case of many small firms has
(the network page once read them all: 1.1 GB), and the firm groups as large as the rows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import multiprocessing
import random
import resource
import sqlite3
import statistics
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import text

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


def build_firms_store(folder: Path, firms: int) -> Casebook:
    """A case of ``firms`` firms: demo-like rows, each with its own exporter and importer."""
    rng = random.Random(7)
    syllables = ["ka", "ro", "mi", "ten", "sha", "vo", "lin", "dar", "pex", "qu", "zor", "bel"]

    def name(number: int, kind: str) -> str:
        word = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        return f"{word} {kind} {number:05d}"

    base = shipment_rows(seed=0)
    data = []
    for number in range(firms // 2):
        row = list(base[number % len(base)])
        row[0] = f"10702030/010122/{number:07d}"
        row[4], row[5] = name(number, "Machinery Trading"), ""
        row[7], row[8] = name(number, "Import Company"), ""
        data.append(row)
    path = folder / "firms.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    book = Casebook.open(folder / "firms.db", create=True)
    book.create_case(title=f"Benchmark: {firms:,} firms", ref=CASE_REF)
    book.import_file(path, case_ref=CASE_REF, preset="generic-en")
    return book


def plain_reportlab_chunked(tables: list[tuple[list, list]], out: Path) -> None:
    """ReportLab alone: each (header, rows) as plain string tables of 160 rows."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from casebook.briefing.fonts import CJK, register_fonts

    register_fonts()
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), CJK), ("FONTSIZE", (0, 0), (-1, -1), 6.8)])
    story = []
    for header, rows in tables:
        for start in range(0, len(rows), 160):
            table = Table([header, *rows[start : start + 160]], repeatRows=1)
            table.setStyle(style)
            story.append(table)
    SimpleDocTemplate(str(out), pagesize=A4, invariant=1).build(story)


def in_child(fn, *args) -> tuple[float, int]:
    """Run ``fn(*args)`` in a forked process: (wall seconds, that process's peak RSS in MB)."""
    queue = multiprocessing.get_context("fork").SimpleQueue()

    def run():
        start = time.perf_counter()
        fn(*args)
        wall = time.perf_counter() - start
        queue.put((wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))

    child = multiprocessing.get_context("fork").Process(target=run)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"child failed with exit code {child.exitcode}")
    return queue.get()


def firms_main(firms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        book = build_firms_store(folder, firms)
        listed = book.list_firms(case_ref=CASE_REF)
        print(
            f"firms in the case: {len(listed):,} (store built in {time.perf_counter() - started:.0f} s)"
        )
        data = book.briefing_data(case_ref=CASE_REF, sections="firms")
        firm_rows = [
            (f["name"], f.get("country") or "", f.get("role") or "", f"{f['shipments']:,}",
             f"{f['value_usd'] or 0:,.2f}")
            for f in data.firms
        ]  # fmt: skip
        appendix = raw_largest(book.store.path, CASE_REF, 2_000)
        out = folder / "brief.pdf"
        brief_wall, brief_rss = in_child(lambda: book.brief(case_ref=CASE_REF, out=out, force=True))
        pages = len(PdfReader(out).pages)
        tables = [(["Firm", "Country", "Role", "Shipments", "USD"], firm_rows)]
        tables.append(
            (["#", "Date", "Declaration", "Exp.", "Imp.", "O", "D", "HS", "USD"], appendix)
        )
        raw_wall, raw_rss = in_child(plain_reportlab_chunked, tables, folder / "raw.pdf")
        print(
            f"book.brief (whole briefing): {brief_wall:.1f} s, peak RSS {brief_rss:,} MB, {pages} pages"
        )
        print(
            f"ReportLab alone (same firm list and appendix, plain strings): {raw_wall:.1f} s, "
            f"peak RSS {raw_rss:,} MB"
        )
        verdict = "OK" if brief_wall < 60 else "TOO SLOW"
        print(f"ratio: {brief_wall / raw_wall:.2f}x time, {brief_rss / raw_rss:.2f}x memory; "
              f"target under 60 s: {verdict}")  # fmt: skip
        book.close()


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


RAW_LARGEST = """
SELECT s.id, s.date, s.declaration_no, e.name, i.name, s.origin, s.dispatch, s.hs_code, s.value_usd
FROM shipment s JOIN "case" c ON c.id = s.case_id
LEFT JOIN firm e ON e.id = s.exporter_id LEFT JOIN firm i ON i.id = s.importer_id
WHERE c.ref = ? ORDER BY s.value_usd DESC LIMIT ?
"""
RAW_TABLE = """
SELECT s.*, e.name, i.name FROM shipment s JOIN "case" c ON c.id = s.case_id
LEFT JOIN firm e ON e.id = s.exporter_id LEFT JOIN firm i ON i.id = s.importer_id
WHERE c.ref = ? ORDER BY s.date, s.id
"""


def raw_largest(path: Path, ref: str, limit: int) -> list[tuple]:
    """sqlite3 alone: the ``limit`` largest shipments as the appendix's plain strings."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(RAW_LARGEST, (ref, limit)).fetchall()
    finally:
        con.close()
    return [tuple("" if v is None else str(v) for v in row) for row in rows]


def raw_baseline(path: Path, ref: str, folder: Path) -> None:
    """The raw libraries making the briefing's two outputs: the 2,000 largest as a ReportLab
    table, every row (with its firms' names, by date) as a CSV file."""
    header = ["#", "Date", "Declaration", "Exp.", "Imp.", "O", "D", "HS", "USD"]
    plain_reportlab_chunked([(header, raw_largest(path, ref, 2_000))], folder / "raw.pdf")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = con.execute(RAW_TABLE, (ref,))
        with (folder / "raw.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            while chunk := cursor.fetchmany(5_000):
                writer.writerows(chunk)
    finally:
        con.close()


def spread_pairs(path: Path) -> None:
    """Each shipment of the store between a random exporter (of the first 3,000 firms) and
    importer (of the other 2,000), its firm groups and row tests built again."""
    from casebook.analysis import flags
    from casebook.store import rollups
    from casebook.store.engine import Store

    con = sqlite3.connect(path)
    with con:
        con.execute(
            "UPDATE shipment SET exporter_id = 1 + abs(random()) % 3000,"
            " importer_id = 3001 + abs(random()) % 2000"
        )
    con.close()
    with Store(path).write() as session:
        for (dataset_id,) in session.execute(text("SELECT id FROM dataset")).all():
            rollups.build_dataset(session, dataset_id=dataset_id)
        session.execute(text("DELETE FROM rowtestrollup"))
        for (case_id,) in session.execute(text('SELECT id FROM "case"')).all():
            flags.store_row_tests(session, case_id=case_id)
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.close()


def large_main(path: Path, rows: int, *, spread: bool = False) -> None:
    import bench_analysis

    if not path.exists():
        started = time.perf_counter()
        bench_analysis.build_store(path, rows)
        if spread:
            spread_pairs(path)
        print(f"built {rows:,} shipments in {time.perf_counter() - started:.0f} s: {path}")
    ref = bench_analysis.CASE_REF
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = folder / "brief.pdf"

        def brief():
            with Casebook.open(path, user="bench") as book:
                book.brief(case_ref=ref, out=out)

        brief_wall, brief_rss = in_child(brief)
        raw_wall, raw_rss = in_child(raw_baseline, path, ref, folder)
        pages = len(PdfReader(out).pages)
        table = folder / "brief.shipments.csv"
        digest = hashlib.sha256()
        with table.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        with table.open(encoding="utf-8-sig", newline="") as handle:
            table_rows = sum(1 for _ in csv.reader(handle)) - 1
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True)
        printed = digest.hexdigest() in text.stdout.decode("utf-8")
        mb = table.stat().st_size / 1e6
        print(f"book.brief of {table_rows:,} shipments: {brief_wall:.1f} s, peak RSS "
              f"{brief_rss:,} MB, {pages} pages; table file {mb:.0f} MB, SHA-256 printed in "
              f"the appendix: {printed}")  # fmt: skip
        print(f"raw baseline (sqlite3 top 2,000 + ReportLab table; sqlite3 every row + csv): "
              f"{raw_wall:.1f} s, peak RSS {raw_rss:,} MB")  # fmt: skip
        ok = brief_wall <= 3 * raw_wall and brief_rss <= 1024 and pages <= 300 and printed
        print(f"ratio: {brief_wall / raw_wall:.2f}x time (target <= 3x), {brief_rss:,} MB "
              f"(<= 1,024), {pages} pages (<= 300): {'OK' if ok else 'MISSED'}")  # fmt: skip


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--firms", type=int, help="a case of this many firms instead")
    parser.add_argument("--large", type=Path, help="brief the 1M-shipment store here")
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--spread-pairs", action="store_true", help="build --large with ~920,000 firm pairs"
    )
    args = parser.parse_args()
    if args.large:
        large_main(args.large, args.large_rows, spread=args.spread_pairs)
        return
    if args.firms:
        firms_main(args.firms)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = build_store(folder, args.rows)
        rows = raw_largest(book.store.path, CASE_REF, args.rows)
        brief_times, plain_times, pages = [], [], 0
        for run in range(args.runs):
            out, plain_out = folder / f"brief-{run}.pdf", folder / f"plain-{run}.pdf"
            brief = partial(book.brief, case_ref=CASE_REF, out=out, appendix_rows=args.rows)
            brief_times.append(timed(brief))
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
