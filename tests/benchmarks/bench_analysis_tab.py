"""Benchmark (on demand): the Analysis tab's charts drawn after it opens, on a 1M-shipment store.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_analysis_tab.py [--rows 1000000]
        [--runs 5] [--keep PATH]

Target (issue 6): the Analysis tab's charts drawn <= 1 s after it opens. Each run builds a new
tab (as selecting the case does) and times it to its ``charts_drawn`` signal: every chart's
table fetched through the facade on the DB worker and its canvas rendered. Printed: medians of
the first chart drawn and of all charts drawn, with the tables fetched fresh (the first opening)
and from the store's chart cache (opening the case again); the first run also pays matplotlib's
import. The store is the one of tests/benchmarks/bench_analysis.py (sqlite3 executemany).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _bench_analysis():
    spec = importlib.util.spec_from_file_location("bench_analysis", HERE / "bench_analysis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wait(signal, timeout: float = 600.0) -> list:
    """Run the event loop until ``signal`` fires; its arguments."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, got, fired_once = QEventLoop(), [], []

    def fired(*args):
        got.extend(args)
        fired_once.append(True)
        loop.quit()

    signal.connect(fired)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    signal.disconnect(fired)
    if not fired_once:
        raise TimeoutError("no signal")
    return got


def _idle(host) -> None:
    """Wait until the DB worker has finished every queued job (the flags ops of the last run)."""
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()
    while host.worker.busy:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    QCoreApplication.processEvents()


def open_once(host, ref: str) -> tuple[float, float]:
    """(first chart drawn, all charts drawn) in seconds for one new tab."""
    from casebook.ui.analysis_tab import AnalysisTab

    started = time.perf_counter()
    first: list[float] = []
    tab = AnalysisTab(host, ref)
    for panel in tab.panels.values():
        panel.drawn.connect(lambda _key: first or first.append(time.perf_counter() - started))
    tab.resize(1400, 1000)
    tab.show()
    _wait(tab.charts_drawn)
    total = time.perf_counter() - started
    tab.close()
    tab.deleteLater()
    return first[0], total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store here")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    import casebook.ui.cases_page  # noqa: F401  (the tabs, as the app registers them)
    from casebook.ui.app import configure_application
    from casebook.ui.ops import Host

    bench = _bench_analysis()
    path = args.keep or Path(tempfile.mkdtemp(prefix="cb-bench-")) / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        bench.build_store(path, args.rows)
        print(f"built {args.rows:,} shipments in {time.perf_counter() - started:.1f} s: {path}")
    app = QApplication.instance() or QApplication([])
    configure_application(app)
    window = QWidget()
    host = Host(window, user="bench")
    job = host.open_store(path, create=False)
    _wait(host.store_opened)
    del job
    cache = None
    fresh, cached = [], []
    for run in range(args.runs):
        if cache is not None:
            cache.tables.clear()
        fresh.append(open_once(host, bench.CASE_REF))
        _idle(host)
        from casebook.ui.analysis_tab import ChartCache

        cache = ChartCache.of(host)
        cached.append(open_once(host, bench.CASE_REF))
        if run == 0:
            print(f"first run (matplotlib imported): all charts drawn {fresh[0][1]:.2f} s")
        # Each tab's flags op follows its chart ops on the one worker; let them finish untimed.
        _idle(host)
    for name, times in (("tables fetched", fresh[1:] or fresh), ("tables cached", cached)):
        first = statistics.median(t[0] for t in times)
        total = statistics.median(t[1] for t in times)
        print(
            f"{name:15s} first chart drawn {first:6.2f} s   all charts drawn {total:6.2f} s"
            "   (target <= 1 s)"
        )
    host.close()


if __name__ == "__main__":
    main()
