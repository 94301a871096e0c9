"""GUI benchmarks (run on demand): start-up against a bare QMainWindow, 1M-row table paging.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui.py [--runs 7] [--rows 1000000]

Targets (issue 3): window shown ≤ 1.5× a bare PySide6 QMainWindow in the same run; a 1M-row
table's first page painted ≤ 1 s; scrolling to the end ≤ 1 s. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each child prints the wall-clock time (epoch) of its main window's first paint, and the
# seconds from its first line of code to it.
_PAINT_PROBE = """
import os, sys, time
T0 = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            app.removeEventFilter(self)
            print(f"{time.time():.6f} {time.perf_counter() - T0:.4f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
probe = Probe()
app.installEventFilter(probe)
"""
BARE = (
    _PAINT_PROBE
    + """
w = QMainWindow(); w.setWindowTitle("bare"); w.resize(1280, 800); w.show()
app.exec()
"""
)
# The bare window with a menu bar and a line of text: the first text drawn costs font and
# shaping set-up that the empty bare window never pays; shown for context.
BARE_TEXT = (
    _PAINT_PROBE
    + """
from PySide6.QtWidgets import QLabel
w = QMainWindow(); w.resize(1280, 800)
for name in ("&File", "&Edit", "&View", "&Help"):
    w.menuBar().addMenu(name)
w.setCentralWidget(QLabel("Opening store…")); w.statusBar().showMessage("Opening")
w.show()
app.exec()
"""
)
CASEBOOK_GUI = (
    _PAINT_PROBE
    + """
from casebook.ui.app import run_gui
run_gui(db=sys.argv[1])
"""
)
CASEBOOK_ENTRY = (
    _PAINT_PROBE
    + """
from casebook.__main__ import main
main(["--db", sys.argv[1]])
"""
)


def _child(code: str, *args: str) -> tuple[float, float]:
    """(seconds from spawn to first paint, seconds from the child's first line to it)."""
    env = dict(os.environ, XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="cbbench-"))
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(out.stderr)
    painted, inside = map(float, out.stdout.split()[:2])
    return painted - spawned, inside


def bench_startup(runs: int, db: Path) -> None:
    """Time to the main window's first paint: bare QMainWindow vs Casebook, interleaved."""
    children = {
        "bare QMainWindow": (BARE,),
        "bare + menus and a label": (BARE_TEXT,),
        "casebook (run_gui)": (CASEBOOK_GUI, str(db)),
        "casebook (entry point)": (CASEBOOK_ENTRY, str(db)),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in children}
    for _ in range(runs):  # interleaved, so load on the machine hits all alike
        for name, args in children.items():
            results[name].append(_child(*args))
    bare = [statistics.median(t[i] for t in results["bare QMainWindow"]) for i in (0, 1)]
    print("window shown (first paint of the main window), medians:")
    print(f"  {'':24s} {'from spawn':>12s} {'ratio':>6s} {'in process':>12s} {'ratio':>6s}")
    for name, times in results.items():
        spawn, inside = (statistics.median(t[i] for t in times) for i in (0, 1))
        print(
            f"  {name:24s} {spawn * 1000:9.1f} ms {spawn / bare[0]:5.2f}×"
            f" {inside * 1000:9.1f} ms {inside / bare[1]:5.2f}×"
        )


def _load_bulk():
    spec = importlib.util.spec_from_file_location(
        "million_rows", HERE.parent / "ui" / "million_rows.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wait_paint(widget, app) -> None:
    from PySide6.QtCore import QEvent, QEventLoop, QObject

    loop = QEventLoop()

    class Probe(QObject):
        def eventFilter(self, obj, event):
            if obj is widget and event.type() == QEvent.Type.Paint:
                loop.quit()
            return False

    probe = Probe()
    widget.installEventFilter(probe)
    widget.update()
    loop.exec()
    widget.removeEventFilter(probe)


def bench_table(runs: int, rows: int, folder: Path) -> None:
    """First page painted and scroll to the end, on a ``rows``-row shipments table."""
    from PySide6.QtWidgets import QApplication

    from casebook.book import Casebook
    from casebook.ui.app import configure_application
    from casebook.ui.table_model import PagedTableModel, TableColumn
    from casebook.ui.table_view import PagedTableView

    app = QApplication.instance() or QApplication([])
    configure_application(app)
    bulk = _load_bulk()
    path = folder / f"bench-{rows}.db"
    if not path.exists():
        started = time.perf_counter()
        bulk.build_shipments(path, rows)
        print(f"built {rows:,} shipments in {time.perf_counter() - started:.1f} s")
    keys = [
        "date",
        "declaration_no",
        "exporter",
        "importer",
        "origin",
        "hs6",
        "description",
        "value_usd",
    ]
    columns = [TableColumn(k, k.replace("_", " ").title()) for k in keys]
    first, last, middle = [], [], []
    with Casebook.open(path) as book:
        for _ in range(runs):
            started = time.perf_counter()
            model = PagedTableModel(book.shipment_page_source(bulk.CASE_REF), columns)
            view = PagedTableView()
            view.setModel(model)
            view.resize(1200, 800)
            view.show()
            _wait_paint(view.viewport(), app)
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            view.scrollToBottom()
            _wait_paint(view.viewport(), app)
            last.append(time.perf_counter() - started)
            assert view.rowAt(view.viewport().height() - 2) == rows - 1
            started = time.perf_counter()
            view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
            _wait_paint(view.viewport(), app)
            middle.append(time.perf_counter() - started)
            view.close()
            view.deleteLater()
    print(f"{rows:,}-row table (pages fetched on demand):")
    for name, times in (
        ("first page painted", first),
        ("scroll to end", last),
        ("jump to middle", middle),
    ):
        print(f"  {name:22s} median {statistics.median(times) * 1000:7.1f} ms   (target ≤ 1000 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the bulk store in between runs")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cbbench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "startup.db"
    subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(db), "case", "new", "Станки через Турцию"],
        check=True,
        capture_output=True,
    )
    bench_startup(args.runs, db)
    bench_table(args.runs, args.rows, folder)


if __name__ == "__main__":
    main()
