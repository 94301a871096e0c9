"""Benchmark: a 10,000,000-row case end to end through the command line (run on demand).

    python tests/benchmarks/bench_10m.py [--rows 10000000] [--keep DIR]

Generates the Russian-format extract of ``bench_import.py`` at ten times the normal case
(about 2.4 GB, cp1251), then runs each step as its own ``casebook`` process and reports wall
time, CPU time and peak RSS per step: import, ``stats --by month,origin``, ``search``, ``flags``,
``firms list``, ``shipments --limit 5`` and ``brief``. The raw baseline of the same run: chunked
``pandas.read_csv`` + ``sqlite3.executemany`` of the same rows (whole-file ``read_csv`` would
need more memory than the machine has), and a raw ``GROUP BY`` month, origin over that table.
Nothing may fall over: every step must exit 0, print finite JSON, and the totals must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import store_bytes, write_extract  # noqa: E402

CHUNK = 200_000
RAW = """
import sqlite3, sys
import pandas as pd
csv, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db)
rows = 0
for frame in pd.read_csv(csv, sep=";", encoding="cp1251", dtype=str, chunksize={chunk}):
    if rows == 0:
        conn.execute(f"CREATE TABLE raw ({{', '.join(f'c{{i}}' for i in range(frame.shape[1]))}})")
        marks = ", ".join("?" * frame.shape[1])
    conn.executemany(f"INSERT INTO raw VALUES ({{marks}})", frame.itertuples(index=False, name=None))
    rows += len(frame)
conn.commit()
print(rows)
"""
RAW_GROUP = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute(
    "SELECT substr(c1, 7, 4) || '-' || substr(c1, 4, 2), c8, count(*), "
    "sum(CAST(replace(replace(replace(c19, char(160), ''), ' ', ''), ',', '.') AS REAL)) "
    "FROM raw GROUP BY 1, 2"
).fetchall()
print(len(rows))
"""


def measured(args: list[str]) -> dict:
    """One child process: its own wall time, CPU time and peak RSS (``wait4``), and its output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
            "code": os.waitstatus_to_exitcode(status),
            "out": out.read(),
            "err": err.read(),
        }


def casebook(db: Path, *words: str) -> list[str]:
    return [sys.executable, "-m", "casebook", "--db", str(db), *words]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="casebook-10m-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, db, raw_db = folder / "extract.csv", folder / "case.db", folder / "raw.db"
    failures: list[str] = []
    try:
        if not csv_path.exists():
            started = time.perf_counter()
            partial = csv_path.with_suffix(".part")  # a run stopped mid-way leaves no extract
            write_extract(partial, args.rows)
            partial.rename(csv_path)
            print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s")
        csv_mb = csv_path.stat().st_size / 1e6
        print(f"extract: {csv_mb:,.0f} MB")
        raw_db.unlink(missing_ok=True)
        raw = measured([sys.executable, "-c", RAW.format(chunk=CHUNK), str(csv_path), str(raw_db)])
        group = measured([sys.executable, "-c", RAW_GROUP, str(raw_db)])
        print(
            f"raw baseline: read+insert {raw['seconds']:.0f} s wall, {raw['cpu']:.0f} s CPU; "
            f"GROUP BY month, origin {group['seconds']:.1f} s"
        )
        for path in folder.glob("case.db*"):
            path.unlink()
        steps = [
            ("case new", casebook(db, "case", "new", "Ten million", "--ref", "TEN", "--json")),
            ("import", casebook(db, "import", str(csv_path), "--case", "TEN", "--json")),
            ("stats month×origin", casebook(db, "stats", "--case", "TEN", "--by",
                                            "month,origin", "--json")),
            ("search", casebook(db, "search", "ФРЕЗЕРНЫЙ", "--case", "TEN", "--json")),
            ("flags", casebook(db, "flags", "--case", "TEN", "--json")),
            ("firms list", casebook(db, "firms", "list", "--case", "TEN", "--json")),
            ("shipments --limit 5", casebook(db, "shipments", "--case", "TEN", "--limit", "5",
                                             "--json")),
            ("brief", casebook(db, "brief", "--case", "TEN", "--out", str(folder / "ten.pdf"),
                               "--force", "--json")),
        ]  # fmt: skip
        print(f"{'step':<22}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}  result")
        results = {}
        for name, command in steps:
            r = measured(command)
            results[name] = r
            note = ""
            if r["code"] != 0:
                failures.append(f"{name}: exit {r['code']}: {r['err'].strip()[-300:]}")
                note = f"FAILED exit {r['code']}"
            else:
                try:
                    data = json.loads(r["out"])
                except ValueError:
                    failures.append(f"{name}: not one JSON document")
                    data = {}
                note = _summary(name, data)
            print(f"{name:<22}{r['seconds']:>10.1f}{r['cpu']:>10.1f}{r['rss_mb']:>10.0f}  {note}")
        imported = results["import"]
        print(
            f"import: {imported['cpu'] / raw['cpu']:.2f}x raw CPU; store "
            f"{store_bytes(db) / 1e6:,.0f} MB = {store_bytes(db) / 1e6 / csv_mb:.2f}x the CSV; "
            f"stats {results['stats month×origin']['seconds'] / group['seconds']:.2f}x raw GROUP BY"
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print("FELL OVER:\n  " + "\n  ".join(failures))
        sys.exit(1)


def _summary(name: str, data: dict) -> str:
    if name == "import":
        return f"{data.get('rows_imported', data.get('rows'))} rows"
    if name.startswith("stats"):
        rows = data.get("rows", [])
        return f"{len(rows)} groups, ${sum(r.get('value_usd') or 0 for r in rows):,.0f}"
    if name.startswith("shipments"):
        return f"total {data.get('total')}, ${data.get('value_usd') or 0:,.0f}"
    if name == "brief":
        return f"{data.get('pages')} pages, table rows {data.get('table_rows')}"
    if name == "flags":
        firms = data.get("firms", [])
        return f"{sum(len(f['flags']) for f in firms)} flags on {len(firms)} firms"
    if name == "firms list":
        return f"{len(data.get('firms', []))} firms"
    if name == "search":
        return f"{len(data.get('results', []))} results"
    return ""


if __name__ == "__main__":
    main()
