"""Benchmark: import a generated 1,000,000-row Russian customs extract, against a raw baseline.

Run on demand (not part of the test suite):

    python tests/benchmarks/bench_import.py [--rows 1000000] [--keep DIR]

It writes a cp1251, ``;``-separated extract with decimal commas, NBSP thousands separators and
~5,000 firms spelled several ways, then times in the same run (1) the raw baseline,
``pandas.read_csv`` of the file plus ``sqlite3`` ``executemany`` of the same rows into a bare
table, and (2) ``Casebook.import_file`` end to end. Each runs in a child process so that its
peak RSS is its own. Generated files live in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "Номер ДТ",
    "Дата ДТ",
    "Направление",
    "Номер товара",
    "Отправитель",
    "Получатель",
    "ИНН получателя",
    "Страна отправления",
    "Страна происхождения",
    "Страна назначения",
    "Код ТН ВЭД",
    "Описание товара",
    "Товарный знак",
    "Производитель",
    "Количество",
    "Ед. изм.",
    "Вес нетто, кг",
    "Фактурная стоимость",
    "Валюта",
    "Статистическая стоимость, USD",
]
SYLLABLES = "про тех мет маш снаб стан инд ком торг лог сиб урал волг нев альф рус ст ром"
LATIN = {
    "про": "PRO", "тех": "TEKH", "мет": "MET", "маш": "MASH", "снаб": "SNAB", "стан": "STAN",
    "инд": "IND", "ком": "KOM", "торг": "TORG", "лог": "LOG", "сиб": "SIB", "урал": "URAL",
    "волг": "VOLG", "нев": "NEV", "альф": "ALF", "рус": "RUS", "ст": "ST", "ром": "ROM",
}  # fmt: skip
CN_WORDS = "SHANDONG JIANGSU ZHEJIANG DALIAN SHENYANG NINGBO WUXI HUATAI JINMA TENGZHOU".split()
CN_NAMES = "HUA XIN DA FENG LONG TAI SHENG YUAN HENG KANG JIN RUI BO HAI".split()
CN_PARTS = "PRECISION HEAVY INTELLIGENT DIGITAL NUMERICAL AUTOMATION MACHINERY EQUIPMENT".split()
COUNTRIES = ["КИТАЙ", "ЯПОНИЯ", "ГЕРМАНИЯ", "ТАЙВАНЬ (КИТАЙ)", "КОРЕЯ, РЕСПУБЛИКА", "ИТАЛИЯ"]
HUBS = ["КИТАЙ"] * 7 + ["ТУРЦИЯ", "ОБЪЕДИНЕННЫЕ АРАБСКИЕ ЭМИРАТЫ", "КАЗАХСТАН", "ГОНКОНГ"]
GOODS = [
    ("8458 11 000 0", "СТАНОК ТОКАРНЫЙ С ЧПУ"),
    ("8457 10 100 0", "ЦЕНТР ОБРАБАТЫВАЮЩИЙ ВЕРТИКАЛЬНЫЙ"),
    ("8459 61 100 0", "СТАНОК ФРЕЗЕРНЫЙ С ЧПУ"),
    ("8466 93 400 0", "ЧАСТИ СТАНКОВ"),
    ("8537 10 100 0", "СИСТЕМА ЧПУ"),
]


def inn(number: int) -> str:
    """A valid 10-digit INN (Russian taxpayer number) from a 9-digit body."""
    digits = [int(c) for c in f"{number:09d}"]
    check = sum(d * w for d, w in zip(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8], strict=True)) % 11 % 10
    return f"{number:09d}{check}"


def _russian_firms(rng: random.Random, count: int) -> list[tuple[list[str], str]]:
    syllables = SYLLABLES.split()
    seen, firms = set(), []
    while len(firms) < count:
        parts = rng.sample(syllables, 3)
        if tuple(parts) in seen:
            continue
        seen.add(tuple(parts))
        ru = "".join(parts).upper()
        lat = "".join(LATIN[p] for p in parts)
        spellings = [f'ООО "{ru}"', f"{ru} ООО", f"OOO {lat}", f"ООО «{ru}»"]
        firms.append((spellings[: rng.randint(1, 4)], inn(770_000_000 + len(firms))))
    return firms


def _chinese_firms(rng: random.Random, count: int) -> list[tuple[list[str], str]]:
    seen, firms = set(), []
    while len(firms) < count:
        words = (
            rng.choice(CN_WORDS),
            rng.choice(CN_NAMES) + rng.choice(CN_NAMES).lower(),
            *rng.sample(CN_PARTS, 2),
        )
        if words in seen:
            continue
        seen.add(words)
        base = " ".join(words)
        spellings = [f"{base} CO., LTD", f"{base.title()} Co Ltd", f"{base} CO.,LTD."]
        firms.append((spellings[: rng.randint(1, 3)], rng.choice(HUBS)))
    return firms


def _money(rng: random.Random) -> str:
    whole = rng.randint(1_000, 3_000_000)
    return f"{whole:,}".replace(",", "\u00a0") + f",{rng.randint(0, 99):02d}"


def write_extract(path: Path, rows: int, *, seed: int = 4) -> None:
    """A Russian-style customs extract: cp1251, ';', decimal comma, NBSP thousands."""
    rng = random.Random(seed)
    importers, exporters = _russian_firms(rng, 2500), _chinese_firms(rng, 2500)
    with path.open("w", encoding="cp1251", newline="") as f:
        f.write(";".join(HEADER) + "\r\n")
        for n in range(rows):
            day = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice((2021, 2022, 2023))}"
            names, tax = rng.choice(importers)
            shippers, hub = rng.choice(exporters)
            code, goods = rng.choice(GOODS)
            value = _money(rng)
            row = [
                f"10702070/{day[:2]}{day[3:5]}{day[8:]}/{n // 3:07d}",
                day,
                "ИМ",
                str(n % 3 + 1),
                rng.choice(shippers),
                rng.choice(names),
                tax if rng.random() < 0.7 else "",
                hub,
                rng.choice(COUNTRIES),
                "РОССИЯ",
                code,
                f"{goods} МОДЕЛЬ CK{rng.randint(1, 4000)}",
                rng.choice(("SMTCL", "DMTG", "HAAS", "FANUC", "SIEMENS")),
                rng.choice(("SHENYANG MACHINE TOOL", "DALIAN MACHINE TOOL", "TENGZHOU")),
                str(rng.randint(1, 10)),
                "ШТ",
                f"{rng.randint(100, 20000)},{rng.randint(0, 9)}",
                value,
                "CNY",
                value,
            ]
            f.write(";".join(row) + "\r\n")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process (wall time varies with the machine's load)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def store_bytes(db_path: Path) -> int:
    """The database file(s) (with -wal/-shm) and any folder of the store beside them."""
    total = 0
    for path in db_path.parent.glob(db_path.stem + "*"):
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
    return total


def run_baseline(csv_path: Path, db_path: Path) -> dict:
    """pandas.read_csv of the file + sqlite3 executemany of the same rows into a bare table."""
    import sqlite3

    import pandas as pd

    started, cpu = time.perf_counter(), _cpu_seconds()
    frame = pd.read_csv(csv_path, sep=";", encoding="cp1251")
    conn = sqlite3.connect(db_path)
    conn.execute(f"CREATE TABLE raw ({', '.join(f'c{i}' for i in range(frame.shape[1]))})")
    marks = ", ".join("?" * frame.shape[1])
    conn.executemany(f"INSERT INTO raw VALUES ({marks})", frame.itertuples(index=False, name=None))
    conn.commit()
    conn.close()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds() - cpu,
        "rows": len(frame),
        "peak_rss_mb": _peak_rss_mb(),
    }


class _Stages(logging.Handler):
    """Collects the importer's stage timings (its ``_Clock`` logs each at debug level)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stages: list[tuple[str, float, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("import stage") and len(record.args) == 3:
            self.stages.append(record.args)


def run_import(csv_path: Path, db_path: Path) -> dict:
    """Casebook.import_file end to end into a fresh store (case creation not timed)."""
    from casebook.book import Casebook

    stages = _Stages()
    logger = logging.getLogger("casebook.ingest.importer")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(stages)
    with Casebook.open(db_path, create=True, user="bench") as book:
        book.create_case(title="Benchmark", ref="BENCH-1")
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = book.import_file(csv_path, case_ref="BENCH-1")
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "result": result,
        "peak_rss_mb": _peak_rss_mb(),
        "store_bytes": store_bytes(db_path),
        "tables": _table_bytes(db_path),
        "stages": stages.stages,
    }


def _table_bytes(db_path: Path) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), largest first."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    return dict(rows)


def _child(kind: str, csv_path: Path, db_path: Path, profile: bool) -> dict:
    args = [sys.executable, __file__, "--child", kind, str(csv_path), str(db_path)]
    if profile:
        args.append("--profile")
    done = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_stages(run: dict) -> None:
    """Where the import's time goes, stage by stage (wall and CPU, share of the CPU)."""
    total = sum(cpu for _, _, cpu in run["stages"]) or 1.0
    print(f"{'import stage':20} {'wall s':>8} {'CPU s':>8} {'CPU %':>6}")
    for stage, wall, cpu in run["stages"]:
        print(f"{stage:20} {wall:8.2f} {cpu:8.2f} {100 * cpu / total:6.1f}")
    rest = run["cpu_seconds"] - total
    print(f"{'(outside stages)':20} {'':8} {rest:8.2f}")


def _print_tables(run: dict) -> None:
    """Bytes of each table and index of the store (dbstat), largest first, with their share."""
    total = sum(run["tables"].values()) or 1
    for name, pages in run["tables"].items():
        if pages >= total / 1000:
            print(f"  {name:34} {pages / 1e6:8.1f} MB {100 * pages / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep generated files in this folder")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (stderr)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, csv_path, db_path = args.child[0], Path(args.child[1]), Path(args.child[2])
        if kind == "import" and args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            out = profiler.runcall(run_import, csv_path, db_path)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        else:
            out = (run_baseline if kind == "baseline" else run_import)(csv_path, db_path)
        print(json.dumps(out, default=str))
        return
    folder = Path(tempfile.mkdtemp(prefix="casebook-bench-"))
    try:
        csv_path = folder / "extract.csv"
        started = time.perf_counter()
        write_extract(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        base = _child("baseline", csv_path, folder / "baseline.db", False)
        imp = _child("import", csv_path, folder / "store.db", args.profile)
        _print_stages(imp)
        for label, run in (("baseline (read_csv + executemany)", base), ("casebook import", imp)):
            print(
                f"{label:34} {run['cpu_seconds']:6.1f} s CPU, {run['seconds']:6.1f} s wall, "
                f"peak RSS {run['peak_rss_mb']:.0f} MB"
            )
        print(
            f"CPU ratio import / baseline: {imp['cpu_seconds'] / base['cpu_seconds']:.2f} (target <= 3)"
        )
        print(f"wall ratio import / baseline: {imp['seconds'] / base['seconds']:.2f}")
        print(
            f"peak RSS import {imp['peak_rss_mb']:.0f} MB (target <= 1024), "
            f"{imp['peak_rss_mb'] / base['peak_rss_mb']:.2f} x the baseline's"
        )
        ratio = imp["store_bytes"] / (size * 1e6)
        print(f"store {imp['store_bytes'] / 1e6:.0f} MB = {ratio:.2f} x the CSV (target <= 2)")
        _print_tables(imp)
        print(json.dumps(imp["result"], indent=2))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(csv_path, args.keep / csv_path.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
