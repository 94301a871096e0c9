"""Benchmark (on demand): team mode on PostgreSQL — import, search and stats over 1M shipments.

    .venv/bin/python tests/benchmarks/bench_postgres.py [--rows 1000000] [--server URL]
        [--prefix NAME] [--repeat 7] [--keep]

Targets (issue 17), each against a baseline measured in the same run on the same server:

* import: ``Casebook.import_file`` of the generated Russian customs extract (``bench_import``'s
  generator) into a fresh database <= 3x a raw ``COPY`` of the same rows (``pandas.read_csv``
  of the file, then ``COPY`` of its rows into a bare table of text columns) — wall time, since
  on a server most of the work is the server's, not this process's;
* search: median of ``bench_search``'s 3+ character queries over those shipments <= 50 ms,
  as the store's owner and as an analyst granted the case (``team add-user``, ``case grant``;
  row-level security applies to it), beside a raw ILIKE over the distinct descriptions of the
  same run; ``--search-only DB``
  repeats these timings on a database an earlier ``--keep`` run left;
* stats: ``stats --by month,origin`` <= 1.5x the raw ``GROUP BY`` of the shipment rows.

The server URL's role must be allowed to create databases; the two databases it creates
(``PREFIX_baseline``, ``PREFIX_store``) are dropped afterwards unless ``--keep``. The machine's
load average is printed with the figures (a shared machine slows both sides of each ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import write_extract  # noqa: E402
from bench_search import QUERIES  # noqa: E402

DEFAULT_SERVER = "postgresql:///postgres?host=/var/run/postgresql"
CASE_REF = "BENCH-PG-1"
RAW_GROUP_BY = (
    "SELECT substr(date, 1, 7), origin, sum(value_usd), count(*) FROM shipment"
    " WHERE case_id = %s GROUP BY 1, 2"
)


def _connect(url: str, *, autocommit: bool = True):
    import psycopg

    from casebook.core.location import parse_location

    loc = parse_location(url)
    return psycopg.connect(
        dbname=loc.dbname,
        user=loc.user,
        host=loc.host or loc.socket_dir,
        port=loc.port,
        autocommit=autocommit,
    )


def _database_url(server: str, name: str) -> str:
    from casebook.core.location import parse_location

    loc = parse_location(server)
    return str(
        type(loc)(
            dbname=name, user=loc.user, host=loc.host, port=loc.port, socket_dir=loc.socket_dir
        )
    )


def _fresh_database(server: str, name: str) -> str:
    with _connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return _database_url(server, name)


def _drop_database(server: str, name: str) -> None:
    with _connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- the two imports, each in a child process ----------------------------------------------------


def run_baseline(csv_path: Path, url: str) -> dict:
    """pandas.read_csv of the file + COPY of the same rows into a bare table of text columns."""
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", encoding="cp1251", dtype=str, keep_default_na=False)
    columns = [f"c{i}" for i in range(frame.shape[1])]
    with _connect(url, autocommit=False) as conn:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE TABLE raw ({', '.join(f'{c} text' for c in columns)})")
            with cursor.copy(f"COPY raw ({', '.join(columns)}) FROM STDIN") as copy:
                for row in frame.itertuples(index=False, name=None):
                    copy.write_row(row)
        conn.commit()
    return {"seconds": time.perf_counter() - started, "rows": len(frame)}


def run_import(csv_path: Path, url: str) -> dict:
    """Casebook.import_file end to end into a fresh server database (case creation not timed)."""
    from casebook.book import Casebook

    with Casebook.open(url, create=True) as book:
        book.create_case(title="Benchmark", ref=CASE_REF)
        started = time.perf_counter()
        result = book.import_file(csv_path, case_ref=CASE_REF)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "result": result}


def _child(kind: str, csv_path: Path, url: str) -> dict:
    args = [sys.executable, __file__, "--child", kind, str(csv_path), url]
    done = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- search and stats on the imported store --------------------------------------------------------


def time_search(url: str, repeat: int) -> dict[str, tuple[float, int]]:
    from casebook.book import Casebook

    out = {}
    with Casebook.open(url) as book:
        book.search(QUERIES[0])  # warm up: imports, connection, caches
        for query in QUERIES:
            seconds, found = _median(lambda q=query: book.search(q), repeat)
            out[query] = (seconds * 1000, len(found["results"]))
    return out


#: The raw baseline of a search: one ILIKE over the distinct descriptions (their trigram
#: index; since migration 0015 the shipments' descriptions have none of their own), newest 50
#: first, on a bare psycopg connection.
RAW_SEARCH = "SELECT id, text FROM shipmenttext WHERE text ILIKE %s ORDER BY id DESC LIMIT 50"


def time_raw_search(url: str, repeat: int) -> dict[str, float]:
    out = {}
    with _connect(url) as conn:
        conn.execute(RAW_SEARCH, ("%" + QUERIES[0] + "%",)).fetchall()
        for query in QUERIES:
            pattern = "%" + query + "%"
            seconds, _ = _median(
                lambda p=pattern: conn.execute(RAW_SEARCH, (p,), prepare=False).fetchall(), repeat
            )
            out[query] = seconds * 1000
    return out


#: The analyst's password, set by the benchmark on the role it makes (and drops after).
ANALYST_PASSWORD = "bench-analyst-pw"


def add_analyst(store: str, role: str) -> str:
    """A login role made as the team does it (``team add-user ROLE --role analyst``, ``case
    grant CASE ROLE --as editor``, a password set through ``psql``'s SQL): its URL over TCP to
    127.0.0.1, its password in ``PGPASSWORD``."""
    from casebook.__main__ import main
    from casebook.core.location import parse_location

    for argv in (
        ["team", "add-user", role, "--role", "analyst", "--json"],
        ["case", "grant", CASE_REF, role, "--as", "editor", "--json"],
    ):
        code = main(["--db", store, *argv])
        if code != 0:
            raise SystemExit(f"casebook {' '.join(argv)} failed ({code})")
    with _connect(store) as conn:
        conn.execute(f"ALTER ROLE {role} LOGIN PASSWORD '{ANALYST_PASSWORD}'")
    os.environ["PGPASSWORD"] = ANALYST_PASSWORD
    loc = parse_location(store)
    port = int(os.environ.get("PGPORT", "5432"))
    return f"postgresql://{role}@127.0.0.1:{port}/{loc.dbname}"


def drop_analyst(server: str, store_db: str, role: str) -> None:
    with _connect(_database_url(server, store_db)) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if exists:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def compare_search(store: str, role: str, repeat: int) -> None:
    """``Casebook.search`` as the store's owner (no row-level security) and as a granted
    analyst (row-level security applies), against the raw ILIKE baseline, in one run."""
    owner = time_search(store, repeat)
    raw = time_raw_search(store, repeat)
    analyst = time_search(add_analyst(store, role), repeat)
    for query, (ms, found) in owner.items():
        mine, seen = analyst[query]
        print(
            f"  {query!r:>16}: owner {ms:7.1f} ms ({found}); analyst {mine:7.1f} ms ({seen}); "
            f"raw {raw[query]:6.1f} ms"
        )
    medians = {
        "owner": statistics.median(ms for ms, _ in owner.values()),
        "analyst": statistics.median(ms for ms, _ in analyst.values()),
        "raw": statistics.median(raw.values()),
    }
    print(
        f"search median over 3+ character queries: owner {medians['owner']:.1f} ms, granted "
        f"analyst (row-level security) {medians['analyst']:.1f} ms (target <= 50 ms); raw ILIKE "
        f"baseline {medians['raw']:.1f} ms; analyst / raw "
        f"{medians['analyst'] / max(medians['raw'], 1e-9):.1f}; {_load()}"
    )


def time_stats(url: str, repeat: int) -> dict:
    from casebook.book import Casebook

    with _connect(url) as conn:
        conn.execute("ANALYZE")
        case_id = conn.execute('SELECT id FROM "case" WHERE ref = %s', (CASE_REF,)).fetchone()[0]
        conn.execute(RAW_GROUP_BY, (case_id,)).fetchall()  # warm the cache as stats will be
        raw_s, raw = _median(lambda: conn.execute(RAW_GROUP_BY, (case_id,)).fetchall(), repeat)
    with Casebook.open(url) as book:
        book.stats(case_ref=CASE_REF, by="month")  # warm up: pandas import, connection
        stats_s, stats = _median(lambda: book.stats(case_ref=CASE_REF, by="month,origin"), repeat)
    return {
        "raw_s": raw_s,
        "raw_groups": len(raw),
        "stats_s": stats_s,
        "stats_rows": len(stats["rows"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--server", default=os.environ.get("CASEBOOK_TEST_PG", DEFAULT_SERVER))
    parser.add_argument("--prefix", default="cb_bench_pg", help="names of the databases made")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--search-only",
        metavar="DB",
        help="only the search timings, on a database kept by an earlier --keep run",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, csv_path, url = args.child[0], Path(args.child[1]), args.child[2]
        out = (run_baseline if kind == "baseline" else run_import)(csv_path, url)
        print(json.dumps(out, default=str))
        return
    role = f"{args.prefix}_analyst"
    if args.search_only:
        print(f"before: {_load()}")
        try:
            compare_search(_database_url(args.server, args.search_only), role, args.repeat)
        finally:
            drop_analyst(args.server, args.search_only, role)
        return
    folder = Path(tempfile.mkdtemp(prefix="casebook-bench-pg-"))
    names = (f"{args.prefix}_baseline", f"{args.prefix}_store")
    try:
        csv_path = folder / "extract.csv"
        started = time.perf_counter()
        write_extract(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        print(f"before: {_load()}")
        base = _child("baseline", csv_path, _fresh_database(args.server, names[0]))
        print(f"raw COPY (read_csv + COPY):  {base['seconds']:7.1f} s wall ({base['rows']:,} rows)")
        store = _fresh_database(args.server, names[1])
        imp = _child("import", csv_path, store)
        print(f"casebook import:             {imp['seconds']:7.1f} s wall")
        print(f"ratio import / raw COPY: {imp['seconds'] / base['seconds']:.2f} (target <= 3)")
        print(f"after the imports: {_load()}")
        print(json.dumps(imp["result"], indent=2))

        try:
            compare_search(store, role, args.repeat)
        finally:
            drop_analyst(args.server, names[1], role)

        stats = time_stats(store, args.repeat)
        print(f"raw GROUP BY month x origin: {stats['raw_s']:.3f} s ({stats['raw_groups']} groups)")
        print(f"stats --by month,origin:     {stats['stats_s']:.3f} s ({stats['stats_rows']} rows)")
        print(f"ratio stats / raw: {stats['stats_s'] / stats['raw_s']:.2f} (target <= 1.5)")
        print(f"at the end: {_load()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not args.keep:
            for name in names:
                _drop_database(args.server, name)


if __name__ == "__main__":
    main()
