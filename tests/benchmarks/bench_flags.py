"""Benchmark (on demand): ``casebook flags`` and ``firms list`` on a 1M-shipment case.

    .venv/bin/python tests/benchmarks/bench_flags.py [--rows 1000000] [--runs 3] [--keep DIR]

Targets (issue 18): ``flags`` at most 0.5x the raw baseline's wall time, ``firms list`` at most
1 s, and the memory of ``flags`` not growing with the shipments (run it with ``--rows 3000000``
and compare the peak RSS). The case is ``bench_analysis.py``'s (5,000 firms, every kind of red
flag), its rollups built as an import builds them. The raw baseline of the same run:
``pandas.read_csv`` of the same rows written as a CSV + ``sqlite3.executemany`` into a bare
table. Each command runs as its own ``casebook`` process (wall, CPU and peak RSS from ``wait4``),
alternating with the baseline; medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_10m import casebook, measured  # noqa: E402
from bench_analysis import CASE_REF, _firms, _rows, build_store  # noqa: E402

COLUMNS = (
    "dataset,case,source_row,row_key,date,exporter,importer,origin,dispatch,destination,"
    "hs_code,hs6,description,brand,quantity,unit,net_weight,value,currency,value_usd"
).split(",")
RAW = """
import sqlite3, sys
import pandas as pd
frame = pd.read_csv(sys.argv[1], dtype={"hs_code": str, "hs6": str})
conn = sqlite3.connect(sys.argv[2])
conn.execute(f"CREATE TABLE raw ({', '.join(f'c{i}' for i in range(frame.shape[1]))})")
marks = ", ".join("?" * frame.shape[1])
conn.executemany(f"INSERT INTO raw VALUES ({marks})", frame.itertuples(index=False, name=None))
conn.commit()
print(len(frame))
"""


def write_csv(path: Path, rows: int, *, firms: int = 5000, seed: int = 7) -> None:
    """The rows ``build_store`` inserts (same seed, same order), as a UTF-8 CSV."""
    rng = random.Random(seed)
    _firms(firms, rng)  # as build_store does before its rows
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows(_rows(rows, 1, 1, firms, rng))


def _line(name: str, runs: list[dict]) -> str:
    wall = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    rss = statistics.median(r["rss_mb"] for r in runs)
    return f"{name:<14} wall {wall:7.2f} s  CPU {cpu:7.2f} s  peak RSS {rss:7.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store and CSV here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cb-flags-"))
    folder.mkdir(parents=True, exist_ok=True)
    db, csv_path, raw_db = folder / "case.db", folder / "rows.csv", folder / "raw.db"
    if not db.exists():
        started = time.perf_counter()
        build_store(db, args.rows)
        print(f"built {args.rows:,} shipments in {time.perf_counter() - started:.0f} s: {db}")
    if not csv_path.exists():
        write_csv(csv_path, args.rows)
    found: dict[str, list[dict]] = {"raw baseline": [], "flags": [], "firms list": []}
    commands = {
        "flags": casebook(db, "flags", "--case", CASE_REF, "--json"),
        "firms list": casebook(db, "firms", "list", "--case", CASE_REF, "--json"),
    }
    for run in range(args.runs):
        raw_db.unlink(missing_ok=True)
        found["raw baseline"].append(
            measured([sys.executable, "-c", RAW, str(csv_path), str(raw_db)])
        )
        for name, command in commands.items():
            found[name].append(measured(command))
        for name, runs in found.items():
            if runs[-1]["code"] != 0:
                raise SystemExit(f"{name} failed:\n{runs[-1]['err']}")
        print(
            f"run {run + 1}: "
            + ", ".join(f"{n} {r[-1]['seconds']:.2f} s" for n, r in found.items())
        )
    flagged = json.loads(found["flags"][-1]["out"])["firms"]
    firms = json.loads(found["firms list"][-1]["out"])["firms"]
    print(f"\n{args.rows:,} shipments; {len(flagged):,} firms flagged, {len(firms):,} firms listed")
    for name, runs in found.items():
        print(_line(name, runs))
    raw = statistics.median(r["seconds"] for r in found["raw baseline"])
    flags_s = statistics.median(r["seconds"] for r in found["flags"])
    firms_s = statistics.median(r["seconds"] for r in found["firms list"])
    print(f"flags / raw baseline (wall): {flags_s / raw:.2f} (target <= 0.5)")
    print(f"firms list: {firms_s:.2f} s (target <= 1 s)")
    raw_db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
