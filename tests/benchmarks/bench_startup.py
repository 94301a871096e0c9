"""Command-line start-up benchmark (run on demand): median wall time of fresh interpreters.

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs 10] [--cases 20]

Targets (issue 18): ``casebook --version`` ≤ 5× ``python -c pass``; ``casebook case list``
(on a small store) ≤ 1.5× ``python -c "import sqlmodel"``. The baselines are measured in the same
run, interleaved with the commands, so that a busy machine slows both alike; the CPU time of
each child (user + system) is printed beside the wall time, as a check less sensitive to load.

Compiled bytecode is kept (in a temporary ``PYTHONPYCACHEPREFIX``, even when
``PYTHONDONTWRITEBYTECODE`` is set) and every command runs once before timing, as an installed
casebook would: otherwise each run would time compiling casebook's sources.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import casebook
from casebook.book import Casebook

DESKTOP = str(Path(casebook.__file__).resolve().parent.parent)


def _env(pycache: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    path = os.pathsep.join(p for p in (DESKTOP, env.get("PYTHONPATH")) if p)
    return env | {"PYTHONPATH": path, "PYTHONPYCACHEPREFIX": pycache}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall time and CPU time of one run of ``argv``."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cases", type=int, default=20, help="cases in the small store")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "small.db"
        with Casebook.open(db, user="bench", create=True) as book:
            for i in range(opts.cases):
                book.create_case(title=f"Case {i}: станки через Алматы 机床")
        env = _env(str(Path(tmp) / "pycache"))
        py = sys.executable
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "casebook --version": [py, "-m", "casebook", "--version"],
            'python -c "import sqlmodel"': [py, "-c", "import sqlmodel"],
            "casebook case list": [py, "-m", "casebook", "--db", str(db), "case", "list"],
        }
        for argv in commands.values():  # warm-up: bytecode written, files in the page cache
            _once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(opts.runs):
            for name, argv in commands.items():
                wall, cpu = _once(argv, env)
                times[name].append(wall)
                cpus[name].append(cpu)

    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpus.items()}
    print(f"median of {opts.runs} runs, fresh interpreter each ({sys.version.split()[0]})")
    print(f"  {'':<30} {'wall':>8}    {'CPU':>8}")
    for name, value in median.items():
        print(f"  {name:<30} {value * 1000:8.0f} ms {median_cpu[name] * 1000:8.0f} ms")
    checks = [
        ("casebook --version", "python -c pass", 5.0),
        ("casebook case list", 'python -c "import sqlmodel"', 1.5),
    ]
    for name, base, target in checks:
        ratio = median[name] / median[base]
        cpu_ratio = median_cpu[name] / median_cpu[base]
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(
            f"  {name} / {base}: {ratio:.2f}x wall (target ≤ {target}x) {verdict}; "
            f"{cpu_ratio:.2f}x CPU"
        )


if __name__ == "__main__":
    main()
