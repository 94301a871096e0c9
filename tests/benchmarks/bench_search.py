"""Search benchmark (run on demand): 1M shipments and 5,000 evidence texts, median query time.

    .venv/bin/python tests/benchmarks/bench_search.py [--shipments 1000000] [--evidence 5000]
        [--store bench.db]  # time the queries on a store an earlier run left (its path printed)

Target (issues 8, 18): median ≤ 50 ms for queries of 3+ characters. Also prints what indexing a
dataset costs next to inserting its rows, the ratio a shipment import pays for search, and a
raw baseline measured in the same run: per query, a bare ``sqlite3`` connection asking the
trigram tables themselves (the distinct descriptions', the other records', and for a number the
declaration numbers') for their newest 50 matches and their text, with no ranking, grouping,
labels or snippets.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from casebook.book import Casebook
from casebook.store import models as m
from casebook.store import search
from casebook.store.engine import raw_connection

GOODS = [
    "СТАНОК ТОКАРНЫЙ С ЧПУ",
    "СТАНОК ФРЕЗЕРНЫЙ ВЕРТИКАЛЬНЫЙ",
    "ОБРАБАТЫВАЮЩИЙ ЦЕНТР",
    "СТАНОК ШЛИФОВАЛЬНЫЙ",
    "ЧАСТИ СТАНКОВ: ШПИНДЕЛЬ",
    "СИСТЕМА ЧПУ",
    "ФРЕЗА КОНЦЕВАЯ ТВЕРДОСПЛАВНАЯ",
    "ПОДШИПНИК ШАРИКОВЫЙ",
    "CNC LATHE",
    "VERTICAL MACHINING CENTER",
    "数控车床",
    "立式加工中心",
]
BRANDS = [
    "JINGDIAO",
    "HAAS",
    "DMG MORI",
    "FANUC",
    "SIEMENS",
    "GSK",
    "KND",
    "DALIAN",
    "SMTCL",
    "NO BRAND",
]
WORDS = (
    "контракт поставка грузополучатель оплата транзит склад таможня счёт инвойс отгрузка "
    "invoice shipment consignee payment warehouse transit customs registry director owner "
    "公司 有限 集团 科技 机床 贸易 进出口"
).split()
QUERIES = [
    "танок",
    "токарн",
    "фрезер",
    "精雕科",
    "加工中心",
    "HAAS",
    "16К20",
    "0012345",
    "шпиндел",
    "consignee",
    "грузополучат",
    "Jingdiao",
    "zzqxw",
    "ЧПУ",
    "обрабатыва",
]
SHORT = ["ст", "HA", "精"]


def _description(rng: random.Random, n: int) -> str:
    model = f"{rng.choice('ABCDKMV')}{rng.choice('КМ')}{rng.randint(10, 99)}{rng.choice('ABKМ')}{rng.randint(1, 40)}"
    return f"{rng.choice(GOODS)} МОД. {model} {rng.choice(BRANDS)} ЗАВ.№ {n:08d}"


def insert_shipments(book: Casebook, case_id: int, count: int) -> tuple[float, float]:
    rng = random.Random(1)
    with book.store.write() as session:
        dataset = m.Dataset(case_id=case_id, file_name="bench.csv", sha256="0" * 64)
        session.add(dataset)
        session.flush()
        rows = (
            (
                dataset.id,
                case_id,
                n,
                f"{n:032x}",
                f"10702070/{rng.randint(1, 28):02d}0{rng.randint(1, 9)}2{rng.randint(2, 4)}/{n:07d}",
                "1",
                _description(rng, n),
            )
            for n in range(1, count + 1)
        )
        started = time.perf_counter()
        raw_connection(session).executemany(
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, declaration_no, item_no,"
            " description) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        search.index_dataset(session, dataset_id=dataset.id)
        indexed = time.perf_counter() - started
    return inserted, indexed


def insert_evidence(book: Casebook, case_id: int, count: int) -> float:
    rng = random.Random(2)
    started = time.perf_counter()
    with book.store.write() as session:
        raw_connection(session).executemany(
            "INSERT INTO evidence (uid, case_id, number, title, kind, sha256, size, excerpt, notes,"
            " text, added, added_by) VALUES (?, ?, ?, ?, 'document', ?, 0, '', '', ?, '2024-01-01', 'b')",
            (
                (
                    f"{n:032x}",
                    case_id,
                    n,
                    f"Document {n} {rng.choice(BRANDS)}",
                    f"{n:064x}",
                    " ".join(rng.choice(WORDS) for _ in range(600)),
                )
                for n in range(1, count + 1)
            ),
        )
    return time.perf_counter() - started


def insert_firms(book: Casebook, count: int) -> float:
    """Firms with two aliases each; the search triggers index them row by row."""
    rng = random.Random(3)
    started = time.perf_counter()
    with book.store.write() as session:
        conn = raw_connection(session)
        conn.executemany(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES (?, ?, '', '2024-01-01')",
            (
                (f"f{n:031x}", f"ООО {rng.choice(WORDS).title()}{n} {rng.choice(BRANDS)}")
                for n in range(count)
            ),
        )
        conn.execute(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES ('jd', '北京精雕科技集团有限公司', '', '2024-01-01')"
        )
        conn.executemany(
            "INSERT INTO firmalias (firm_id, name) SELECT id, ? FROM firm WHERE uid = ?",
            ((f"{kind} {n}", f"f{n:031x}") for n in range(count) for kind in ("TOO", "LLC")),
        )
    return time.perf_counter() - started


def time_queries(book: Casebook, queries: list[str], repeats: int) -> dict[str, float]:
    timings = {}
    for query in queries:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            book.search(query)
            samples.append((time.perf_counter() - started) * 1000)
        timings[query] = statistics.median(samples)
    return timings


def raw_query(conn: sqlite3.Connection, query: str) -> int:
    """What a search needs at the least from the trigram tables: their newest 50 matches, with
    the text a hit shows."""
    phrase = " AND ".join(f'"{w}"' for w in query.split())
    found = conn.execute(
        "SELECT t.text FROM search_text JOIN shipmenttext AS t ON t.id = search_text.rowid "
        "WHERE search_text MATCH ? ORDER BY search_text.rowid DESC LIMIT 50",
        (phrase,),
    ).fetchall()
    found += conn.execute(
        "SELECT rowid, title, body FROM search_index WHERE search_index MATCH ? "
        "ORDER BY rowid DESC LIMIT 50",
        (phrase,),
    ).fetchall()
    if set(query) <= set("0123456789/-"):
        grams = search.sqlite.declaration_trigrams(query)
        found += conn.execute(
            "SELECT s.declaration_no FROM search_declaration AS d JOIN shipment AS s "
            "ON s.id = d.rowid WHERE search_declaration MATCH ? AND instr(s.declaration_no, ?) "
            "ORDER BY d.rowid DESC LIMIT 50",
            (grams, query),
        ).fetchall()
    return len(found)


def time_raw(path: Path, queries: list[str], repeats: int) -> dict[str, float]:
    timings = {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        raw_query(conn, queries[0])  # warm up, as the facade's search is
        for query in queries:
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                raw_query(conn, query)
                samples.append((time.perf_counter() - started) * 1000)
            timings[query] = statistics.median(samples)
    finally:
        conn.close()
    return timings


def report(path: Path, repeats: int) -> None:
    """Time the queries on the store at ``path``: the facade's search, then the raw baseline."""
    with Casebook.open(path) as book:
        book.search(QUERIES[0])  # warm up: imports, connection, caches
        long = time_queries(book, QUERIES, repeats)
        raw = time_raw(path, QUERIES, repeats)
        for query, ms in long.items():
            found = len(book.search(query)["results"])
            print(f"  {query!r:>16}: {ms:7.1f} ms  ({found} results); raw {raw[query]:6.1f} ms")
        median, raw_median = statistics.median(long.values()), statistics.median(raw.values())
        print(
            f"median over 3+ character queries: {median:.1f} ms (target 50 ms); raw baseline "
            f"{raw_median:.1f} ms; ratio {median / max(raw_median, 1e-9):.1f}; load {_load()}"
        )
        for query, ms in time_queries(book, SHORT, 3).items():
            print(f"  short {query!r:>10}: {ms:7.1f} ms")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--evidence", type=int, default=5_000)
    parser.add_argument("--firms", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--store", type=Path, default=None, help="time queries on this store")
    args = parser.parse_args()
    if args.store:
        report(args.store, args.repeats)
        return
    folder = Path(tempfile.mkdtemp(dir=args.folder))
    with Casebook.open(folder / "bench.db", user="bench", create=True) as book:
        case = book.create_case(title="Benchmark", ref="CB-BENCH")
        firms_s = insert_firms(book, args.firms)
        print(
            f"firms: {args.firms} firms + {2 * args.firms} aliases, indexed by triggers, "
            f"in {firms_s:.1f} s ({firms_s / (3 * args.firms) * 1e6:.0f} µs a row)"
        )
        inserted, indexed = insert_shipments(book, case.id, args.shipments)
        print(
            f"shipments: insert {inserted:.1f} s, index_dataset {indexed:.1f} s "
            f"(index/insert ratio {indexed / inserted:.2f})"
        )
        print(
            f"evidence: {args.evidence} texts inserted and indexed in {insert_evidence(book, case.id, args.evidence):.1f} s"
        )
        print(f"store size: {(folder / 'bench.db').stat().st_size / 1e6:.0f} MB ({folder})")
    report(folder / "bench.db", args.repeats)


if __name__ == "__main__":
    main()
