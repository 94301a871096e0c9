"""Benchmark (on demand): stats and red flags on a 1M-shipment store.

    .venv/bin/python tests/benchmarks/bench_analysis.py [--rows 1000000] [--keep PATH]

Targets (issue 6): month x origin stats <= 1.5x the raw SQL GROUP BY on the same table in the
same run; flags for all firms <= 10 s. Prints medians and ratios. The store gets its rollups as
an import builds them (``store.rollups``); ``stats`` reads them, so the raw GROUP BY is also
timed on the rollup table.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from casebook.analysis import flags
from casebook.book import Casebook
from casebook.book.cases import find_case
from casebook.store import rollups
from casebook.store.engine import Store

CASE_REF = "CB-BENCH-1"
ORIGINS = ["CN"] * 12 + ["JP", "DE", "TW", "KR", "IT", "CH", "US", "XX"]
HUBS = ["TR", "KZ", "AE", "AM", "KG", "HK", "CN"]
HS = [
    "8457101000",
    "8458110000",
    "8458910000",
    "8459610000",
    "8466938000",
    "8456110000",
    "8460290000",
    "8461500000",
    "8466103800",
    "8542310000",
    "8207300000",
    "8483109500",
]
WORDS = [
    "ЦЕНТР ОБРАБАТЫВАЮЩИЙ ВЕРТИКАЛЬНЫЙ С ЧПУ",
    "СТАНОК ТОКАРНЫЙ С ЧПУ",
    "立式加工中心",
    "CNC LATHE",
    "СТАНОК ФРЕЗЕРНЫЙ",
    "ЗАПАСНЫЕ ЧАСТИ ДЛЯ СТАНКОВ",
]
CONTROLS = [
    "",
    "",
    "",
    "",
    "FANUC 0i-MF",
    "SIEMENS 828D",
    "GSK 980TDi",
    "СИСТЕМА KND",
    "HEIDENHAIN TNC 640",
    "发那科",
]
FIRM_KINDS = [
    "Machine Tool Co",
    "Trading Ltd",
    "Precision Works",
    "ТД Станки",
    "Import & Export Co",
    "Heavy Industry",
    "Logistics LLC",
    "CNC Technology",
]


def _firms(n: int, rng: random.Random) -> list[tuple]:
    return [
        (f"benchfirm{i:05d}", f"Firm {i:05d} {rng.choice(FIRM_KINDS)}", f"firm {i:05d}")
        for i in range(1, n + 1)
    ]


def _months() -> list[str]:
    return [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]


def _rows(n: int, case_id: int, dataset_id: int, firms: int, rng: random.Random):
    months = _months()
    exporters, importers = firms * 3 // 5, firms - firms * 3 // 5
    for i in range(n):
        # Later months carry more trade, as in the story (China's share grows after 2022).
        month = months[min(35, int(rng.triangular(0, 36, 30)))]
        origin = rng.choice(ORIGINS)
        dispatch = origin if rng.random() < 0.85 else rng.choice(HUBS)
        hs = rng.choice(HS)
        value = None if rng.random() < 0.02 else round(rng.lognormvariate(10, 1.2), 2)
        weight = round(rng.lognormvariate(7, 1.0), 1)
        yield (
            dataset_id,
            case_id,
            i + 1,
            f"b{i}",
            f"{month}-{rng.randint(1, 28):02d}",
            1 + int(rng.paretovariate(1.2)) % exporters,
            exporters + 1 + int(rng.paretovariate(1.2) * 7) % importers,
            origin,
            dispatch,
            "RU",
            hs,
            hs[:6],
            f"{rng.choice(WORDS)} {rng.choice(CONTROLS)} МОДЕЛЬ {rng.randint(1, 400)}".strip(),
            rng.choice(["JINGDIAO", "HAAS", "DMG", None]),
            float(rng.randint(1, 5)),
            "шт",
            weight,
            value,
            "USD" if value else None,
            value,
        )


def build_store(path: Path, n: int, *, firms: int = 5000, seed: int = 7) -> None:
    """A store with one case of ``n`` shipments between ``firms`` firms, written by executemany."""
    rng = random.Random(seed)
    Store(path, create=True).close()
    with Casebook.open(path, user="bench") as book:
        book.create_case(title="Benchmark", ref=CASE_REF)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    with con:
        case_id = con.execute('SELECT id FROM "case" WHERE ref = ?', (CASE_REF,)).fetchone()[0]
        con.execute(
            "INSERT INTO dataset (uid, case_id, kind, file_name, sha256, mapping, row_count,"
            " content_hash, imported, imported_by) VALUES ('benchds', ?, 'shipments', 'bench.csv',"
            " '', '{}', ?, '', '2024-01-01 00:00:00', 'bench')",
            (case_id, n),
        )
        dataset_id = con.execute("SELECT id FROM dataset WHERE uid = 'benchds'").fetchone()[0]
        con.executemany(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES (?, ?, ?, '2024-01-01')",
            _firms(firms, rng),
        )
        con.execute(  # the case's firms, as an import links them
            "INSERT INTO casefirm (case_id, firm_id, notes) SELECT ?, id, '' FROM firm", (case_id,)
        )
        con.executemany(
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, date, exporter_id,"
            " importer_id, origin, dispatch, destination, hs_code, hs6, description, brand,"
            " quantity, unit, net_weight, value, currency, value_usd)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            _rows(n, case_id, dataset_id, firms, rng),
        )
    con.close()
    start = time.perf_counter()
    with Store(path).write() as session:  # as the import does once its rows are in
        rollups.build_dataset(session, dataset_id=dataset_id)
        flags.store_row_tests(session, case_id=case_id)
    print(f"rollups of {n:,} shipments built in {time.perf_counter() - start:.1f} s")
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.close()


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


RAW_SQL = {
    "shipment": "SELECT substr(date, 1, 7), origin, sum(value_usd), count(*) FROM shipment"
    " WHERE case_id = ? GROUP BY 1, 2",
    "shipmentrollup": "SELECT month, origin, sum(value_usd), sum(shipments) FROM shipmentrollup"
    " WHERE case_id = ? GROUP BY 1, 2",
}


def raw_group_by(path: Path, table: str = "shipment") -> list[tuple]:
    """The baseline: month x origin sums and counts straight from sqlite3 (rows or rollup)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        case_id = con.execute('SELECT id FROM "case" WHERE ref = ?', (CASE_REF,)).fetchone()[0]
        return con.execute(RAW_SQL[table], (case_id,)).fetchall()
    finally:
        con.close()


def rule_times(book: Casebook) -> dict[str, float]:
    """Seconds per rule, each on a fresh context."""
    out = {}
    with book._read() as session:
        case_id = find_case(session, CASE_REF).id
        for r in flags.RULES:
            start = time.perf_counter()
            flags.run_rules(session, case_id=case_id, only={r.id})
            out[r.id] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-"))
    path = args.keep or folder / "bench.db"
    if not path.exists():
        start = time.perf_counter()
        build_store(path, args.rows)
        print(f"built {args.rows:,} shipments in {time.perf_counter() - start:.1f} s: {path}")
    with Casebook.open(path, user="bench") as book:
        book.stats(case_ref=CASE_REF, by="month")  # warm up: pandas import, page cache
        raw_s, raw = _median(lambda: raw_group_by(path), args.repeat)
        stats_s, stats = _median(
            lambda: book.stats(case_ref=CASE_REF, by="month,origin"), args.repeat
        )
        roll_s, _ = _median(lambda: raw_group_by(path, "shipmentrollup"), args.repeat)
        print(f"raw GROUP BY month x origin: {raw_s:.3f} s ({len(raw)} groups)")
        print(f"  same on the rollup table:  {roll_s:.3f} s")
        print(f"stats --by month,origin:     {stats_s:.3f} s ({len(stats['rows'])} rows)")
        print(f"ratio stats / raw: {stats_s / raw_s:.2f} (target <= 1.5)")
        print(f"ratio stats / raw on the rollup: {stats_s / roll_s:.2f} (pandas shaping)")
        flags_s, result = _median(lambda: book.flags(case_ref=CASE_REF), max(1, args.repeat // 2))
        print(f"flags for all firms: {flags_s:.2f} s, {len(result['firms'])} firms flagged")
        print("  target <= 10 s")
        for rule_id, seconds in rule_times(book).items():
            print(f"  {rule_id:<20} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
