"""GUI benchmark (on demand): every workspace tab's first content, and the longest stall.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui_tabs.py [--rows 1000000]
        [--runs 3] [--keep PATH]

Targets (issue 18), on a 1M-shipment case: every tab paints its first content within 1 s of
being opened; the window never blocks longer than 100 ms. The store is the one of
tests/benchmarks/bench_analysis.py (sqlite3 executemany, rollups, row tests), completed with what
an import also writes and that store lacks: the case's firm links (``casefirm``, which the Firms
tab lists and the case counts) and the shipments' search index.

Each run opens the store through ``ui.ops.Host`` and shows the case in a fresh
``ui.workspace.CaseWorkspace`` (as the main window does), then selects one tab as a click would
(the tab is built as it is first shown) and waits for its first content painted (defined per
tab in ``READY``). As the app does once its window is painted, matplotlib's import starts off
the GUI thread (``ui.charts.warm_up``) as the store opens; with ``--cold-charts`` it does not,
and the first Analysis opening waits for the whole import (a case opened and its Analysis tab
clicked within a second or two of the start). A QTimer ticking every 5 ms records
the gaps between its ticks all along: a gap is the event loop blocked. Printed: medians over the
runs against 1 s, the longest stall and the five longest with the tab and phase they fell in,
against 100 ms; and the raw baselines of the same run (a bare QTableView over 50 rows painted,
and each tab's first query in raw sqlite3).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 1.0
STALL_TARGET_S = 0.100


def _bench_analysis():
    spec = importlib.util.spec_from_file_location("bench_analysis", HERE / "bench_analysis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_store(path: Path, rows: int) -> None:
    """bench_analysis's store, plus the case's firm links and the search index of an import."""
    from casebook.store import search
    from casebook.store.engine import Store

    bench = _bench_analysis()
    bench.build_store(path, rows)
    con = sqlite3.connect(path)
    with con:
        case_id, dataset_id = con.execute(
            "SELECT case_id, id FROM dataset WHERE uid = 'benchds'"
        ).fetchone()
        # As the import's PartyWriter links them: each firm once, by its first role.
        con.execute(
            "INSERT OR IGNORE INTO casefirm (case_id, firm_id, role, notes)"
            " SELECT DISTINCT ?, exporter_id, 'supplier', '' FROM shipment WHERE case_id = ?",
            (case_id, case_id),
        )
        con.execute(
            "INSERT OR IGNORE INTO casefirm (case_id, firm_id, role, notes)"
            " SELECT DISTINCT ?, importer_id, 'importer', '' FROM shipment WHERE case_id = ?",
            (case_id, case_id),
        )
    con.close()
    with Store(path).write() as session:
        search.index_dataset(session, dataset_id=dataset_id, fresh=True)


# --- what "first content" is, per tab ----------------------------------------------------------


def _table_rows(view, count) -> tuple:
    """A table with rows: its viewport painted once ``count()`` is above zero."""
    return view.viewport(), lambda: count() > 0


def _signalled(signal, target) -> tuple:
    """Content a signal announces (a chart drawn, a read shown), then its widget painted."""
    fired: list[bool] = []
    signal.connect(lambda *_args: fired.append(True))
    return target, lambda: bool(fired)


def _network(tab) -> tuple:
    """The largest links drawn first (a large case), or the whole chart, then painted."""
    fired: list[bool] = []
    tab.largest_drawn.connect(lambda: fired.append(True))
    tab.drawn.connect(lambda: fired.append(True))
    return tab.view.viewport(), lambda: bool(fired)


#: Per tab key: the signal that says the tab's whole content is shown, where its first
#: content is less (the Network tab draws its largest links first): its time is printed too.
WHOLE = {"network": ("the whole chart drawn", lambda w: w.drawn)}


def _analysis(tab) -> tuple:
    fired: list[bool] = []
    for panel in tab.panels.values():
        panel.drawn.connect(lambda _key: fired.append(True))
    return tab, lambda: bool(fired)


#: Per tab key: (what first content means, (widget, ready()) for the tab widget). The time is
#: the first Paint of ``widget`` (or, for a tab widget, of anything in it) once ``ready()``.
READY = {
    "overview": (
        "the case's counts",
        lambda w: (w, lambda: w.counts["shipments"].text() != "0"),
    ),
    "shipments": (
        "the table's first page of rows",
        lambda w: _table_rows(w.view, w.model.rowCount),
    ),
    "firms": (
        "the firms table with rows",
        lambda w: _table_rows(w.firm_view, lambda: len(w.firms.rows)),
    ),
    "screening": ("lists and hits read and shown", lambda w: _signalled(w.refreshed, w)),
    "analysis": ("the first chart drawn", _analysis),
    "network": ("the largest links (or all) drawn", _network),
    "timeline": (
        "the grid with its first lanes",
        lambda w: (w.view.viewport(), lambda: w.data is not None),
    ),
    "evidence": ("the register read (empty here)", lambda w: _table_rows(w.view, lambda: 1)),
    "findings": ("the findings read (none here)", lambda w: (w, lambda: True)),
    "briefing": ("options ready (markings offered)", lambda w: (w, lambda: w.marking.count() > 0)),
    "datasets": ("the datasets table with rows", lambda w: _table_rows(w.table, w.table.rowCount)),
    "people": ("the persons read and shown", lambda w: (w.table.viewport(), lambda: w.ready)),
}


# --- the event loop watched ------------------------------------------------------------------


class Watch:
    """A 5 ms QTimer's gaps (the event loop blocked), each with the phases it fell in, and a
    sampler thread that records the GUI thread's Python stack while a gap lasts over 80 ms."""

    def __init__(self) -> None:
        import sys
        import threading

        from PySide6.QtCore import QTimer

        self.phases: list[tuple[float, str]] = [(time.perf_counter(), "start")]
        self.gaps: list[tuple[float, float, list[str], list[str]]] = []
        self.last = time.perf_counter()
        self._stacks: dict[str, int] = {}
        self._gui = threading.get_ident()
        self._frames = sys._current_frames
        self.timer = QTimer(interval=5, timeout=self._tick)
        self.timer.start()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def phase(self, label: str) -> None:
        self.phases.append((time.perf_counter(), label))

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        if gap > 0.020:
            during = [self._at(self.last)] + [p for t, p in self.phases if self.last < t <= now]
            stacks = sorted(self._stacks, key=self._stacks.get, reverse=True)[:2]
            self.gaps.append((gap, self.last, during, stacks))
        self._stacks = {}
        self.last = now

    def _at(self, moment: float) -> str:
        return [p for t, p in self.phases if t <= moment][-1]

    def _sample(self) -> None:
        import traceback

        while not self._stop.wait(0.01):
            if time.perf_counter() - self.last < 0.080:
                continue
            frame = self._frames().get(self._gui)
            if frame is None:
                continue
            lines = [
                f"{Path(f.filename).name}:{f.name}:{f.lineno}"
                for f in traceback.extract_stack(frame)
                if "casebook" in f.filename or "bench_gui_tabs" in f.filename
            ]
            key = " < ".join(reversed(lines[-4:]))
            self._stacks[key] = self._stacks.get(key, 0) + 1

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()


def _wait_until(done, timeout: float = 120.0, what: str = "") -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError(f"{what} not done in {timeout:.0f} s")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)


def _idle(host) -> None:
    """Until the DB worker has finished every queued job (the tabs' later reads)."""
    from PySide6.QtCore import QCoreApplication

    _wait_until(lambda: not host.worker.busy, timeout=900.0)
    QCoreApplication.processEvents()


def open_tab(host, ref: str, key: str, watch: Watch) -> tuple[float, float]:
    """Open the case in a fresh workspace and select tab ``key`` at once, as a click would;
    (seconds the case opening blocked, seconds from the opening to first content painted)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from casebook.ui.analysis_tab import ChartCache
    from casebook.ui.workspace import CaseWorkspace

    ChartCache.of(host).tables.clear()  # each opening as the case's first of the session
    workspace = CaseWorkspace(host)
    workspace.resize(1400, 900)
    workspace.show()
    _idle(host)
    watch.phase(f"{key}: show_case")
    started = time.perf_counter()
    workspace.show_case(ref)
    opened = time.perf_counter() - started
    painted: list[float] = []
    probe_on: list[tuple] = []  # (tab widget, target, ready) once the tab is built

    whole: list[float] = []

    def built(widget) -> None:  # the tab is built on first show (or later: see TabPage)
        probe_on.append((widget, *READY[key][1](widget)))
        if key in WHOLE:
            WHOLE[key][1](widget).connect(lambda: whole.append(time.perf_counter() - started))

    class Probe(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt naming)
            if not painted and probe_on and event.type() == QEvent.Type.Paint:
                widget, target, ready = probe_on[0]
                if (obj is target or (target is widget and widget.isAncestorOf(obj))) and ready():
                    painted.append(time.perf_counter() - started)
            return False

    probe = Probe()
    app = QApplication.instance()
    app.installEventFilter(probe)
    watch.phase(f"{key}: tab selected, waiting for first content")
    if key == "overview":
        built(workspace.overview)
        workspace.tabs.setCurrentWidget(workspace.overview)
    else:  # as a click on the tab: it is built as it is first shown
        page = workspace._extra.pages[key]
        page.built.connect(built)
        workspace.tabs.setCurrentIndex(workspace.tabs.indexOf(page))
    try:
        _wait_until(lambda: bool(painted), what=f"{key}: first content")
    except TimeoutError:
        print("\n".join(f"{t - started:8.2f} s {p}" for t, p in watch.phases if t > started))
        raise
    app.removeEventFilter(probe)
    if PHASES:
        print("\n".join(f"{t - started:8.2f} s {p}" for t, p in watch.phases if t > started))
    watch.phase(f"{key}: the other tabs' reads finishing")
    _idle(host)
    if key in WHOLE:
        _wait_until(lambda: bool(whole), what=f"{key}: {WHOLE[key][0]}")
        WHOLE_TIMES.setdefault(key, []).append(whole[0])
    watch.phase(f"{key}: closing")
    workspace.close()
    workspace.deleteLater()
    # As the app's event loop would: processEvents() never runs a deferred delete, so every
    # workspace closed stayed alive (its tabs' data and scene items), and each full collection
    # walked all of them (327k live objects by the third round).
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    _idle(host)
    return opened, painted[0]


PHASES: list[bool] = []  # --phases: print each opening's phases up to its first content
WHOLE_TIMES: dict[str, list[float]] = {}  # per tab key: seconds to its whole content (WHOLE)


# --- baselines -----------------------------------------------------------------------------


def bare_table_painted() -> float:
    """A bare QTableView over a 50-row QStandardItemModel: seconds to its first paint."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    started = time.perf_counter()
    model = QStandardItemModel(50, 8)
    for r in range(50):
        for c in range(8):
            model.setItem(r, c, QStandardItem(f"cell {r}, {c} ЦЕНТР 立式"))
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 800)
    painted: list[float] = []

    class Probe(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt naming)
            if obj is view.viewport() and event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter() - started)
            return False

    probe = Probe()
    view.viewport().installEventFilter(probe)
    view.show()
    _wait_until(lambda: bool(painted))
    view.close()
    return painted[0]


RAW_SQL = {
    "overview": ["SELECT count(*) FROM shipment WHERE case_id = :case"],
    "shipments": [
        "SELECT count(*) FROM shipment WHERE case_id = :case",
        "SELECT * FROM shipment WHERE case_id = :case ORDER BY date, id LIMIT 100",
    ],
    "firms": [
        "SELECT f.uid, f.name, count(s.id), sum(s.value_usd) FROM casefirm AS c"
        " JOIN firm AS f ON f.id = c.firm_id LEFT JOIN shipment AS s"
        " ON s.exporter_id = f.id WHERE c.case_id = :case GROUP BY f.id"
    ],
    "analysis": [
        "SELECT month, origin, sum(value_usd), sum(shipments) FROM shipmentrollup"
        " WHERE case_id = :case GROUP BY 1, 2"
    ],
    "network": [
        "SELECT exporter_id, importer_id, count(*), sum(value_usd) FROM shipment"
        " WHERE case_id = :case GROUP BY 1, 2"
    ],
    "timeline": [
        "SELECT substr(date, 1, 7), exporter_id, count(*) FROM shipment"
        " WHERE case_id = :case GROUP BY 1, 2"
    ],
}


def raw_sql_times(path: Path, ref: str, runs: int) -> dict[str, float]:
    """Median seconds of each tab's first query in raw sqlite3 (read-only)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {}
    try:
        case_id = con.execute('SELECT id FROM "case" WHERE ref = ?', (ref,)).fetchone()[0]
        for key, queries in RAW_SQL.items():
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                for query in queries:
                    con.execute(query, {"case": case_id}).fetchall()
                times.append(time.perf_counter() - started)
            out[key] = statistics.median(times)
    finally:
        con.close()
    return out


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store here")
    parser.add_argument("--tabs", help="comma-separated tab keys (default: every tab shown)")
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="skip the untimed first opening (imports, page cache): the first tab pays them",
    )
    parser.add_argument(
        "--cold-charts",
        dest="warm_charts",
        action="store_false",
        help="do not start matplotlib's import with the store (the app does): Analysis waits",
    )
    parser.add_argument(
        "--phases", action="store_true", help="print each opening's phases (the worker's jobs)"
    )
    args = parser.parse_args()
    PHASES[:] = [True] if args.phases else []
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    import casebook.ui.cases_page  # noqa: F401  (registers the tabs, as the app does)
    from casebook.ui.app import configure_application
    from casebook.ui.ops import Host
    from casebook.ui.worker import Job
    from casebook.ui.workspace import TABS

    bench = _bench_analysis()
    path = args.keep or Path(tempfile.mkdtemp(prefix="cb-bench-")) / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        build_store(path, args.rows)
        print(f"built {args.rows:,} shipments in {time.perf_counter() - started:.1f} s: {path}")
    app = QApplication.instance() or QApplication([])
    configure_application(app)
    watch = Watch()
    watch.phase("opening the store")
    window = QWidget()
    host = Host(window, user="bench")
    host.open_store(path, create=False)
    if args.warm_charts:  # as run_gui does after the first paint, with the store's opening
        import threading

        from casebook.ui import charts

        warming = charts.warm_up()

        def warmed() -> None:  # the stalls its imports' GIL holds made fall before this phase
            warming.join()
            watch.phase("matplotlib and pandas warm-up done")

        threading.Thread(target=warmed, daemon=True).start()
    _wait_until(lambda: host.book is not None)
    _idle(host)
    host.worker.finished.connect(lambda job: watch.phase(f"  worker done: {job.label}"))
    if args.phases:  # when each job is queued and starts, too
        submit = host.worker.submit

        def logged(job):
            watch.phase(f"  worker queued: {job.label}")
            run = job.run

            def run_logged(task):
                watch.phase(f"  worker started: {job.label}")
                return run(task)

            job.run = run_logged
            return submit(job)

        host.worker.submit = logged
    # The bench's own read (which tabs the case shows), on the worker as the app's reads: on
    # the GUI thread it counted as a stall of the app's (0.1-0.2 s).
    found: list[dict] = []
    host.worker.submit(Job(lambda: found.append(host.book.case_counts(bench.CASE_REF)),
                           label="bench: case counts"))  # fmt: skip
    _wait_until(lambda: bool(found))
    _idle(host)
    counts = found[0]
    keys = ["overview"] + [t.key for t in TABS if t.shown(counts)]
    unknown = [k for k in keys if k not in READY]
    if unknown:  # a tab added since (e.g. People): say so rather than fail after minutes
        print(f"skipped (no first-content rule in READY): {', '.join(unknown)}", flush=True)
        keys = [k for k in keys if k in READY]
    if args.tabs:
        keys = [k for k in keys if k in args.tabs.split(",")]
    if args.warm_up:
        watch.phase("warm-up: one opening, untimed (imports, page cache)")
        open_tab(host, bench.CASE_REF, "overview", watch)
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    for _run in range(args.runs):
        for key in keys:
            results[key].append(open_tab(host, bench.CASE_REF, key, watch))
            opened, first = results[key][-1]
            print(f"  {key}: case opening {opened * 1000:.0f} ms, first content {first * 1000:.0f} ms",
                  flush=True)  # fmt: skip
    watch.phase("baselines")
    bare = statistics.median(bare_table_painted() for _ in range(args.runs))
    raw = raw_sql_times(path, bench.CASE_REF, args.runs)
    watch.stop()
    host.close()

    print(f"\n{counts.get('shipments', 0):,} shipments; medians of {args.runs} openings")
    print(f"{'tab':11s} {'first content':34s} {'case opening':>13s} {'painted':>9s}"
          f" {'target':>7s} {'raw SQL':>9s}")  # fmt: skip
    for key, times in results.items():
        opened = statistics.median(t[0] for t in times)
        first = statistics.median(t[1] for t in times)
        verdict = "ok" if first <= TARGET_S else "MISSED"
        raw_s = f"{raw[key] * 1000:7.1f}ms" if key in raw else ""
        print(
            f"{key:11s} {READY[key][0]:34s} {opened * 1000:10.0f} ms {first * 1000:6.0f} ms"
            f" {verdict:>7s} {raw_s:>9s}"
        )
    for key, times in WHOLE_TIMES.items():
        print(f"{key:11s} {WHOLE[key][0]:34s} {'':13s} {statistics.median(times) * 1000:6.0f} ms")
    print(f"baseline: bare QTableView over 50 QStandardItem rows painted {bare * 1000:.1f} ms")
    gaps = sorted(watch.gaps, reverse=True)
    longest = gaps[0][0] if gaps else 0.0
    verdict = "ok" if longest <= STALL_TARGET_S else "MISSED"
    over = sum(1 for g in gaps if g[0] > STALL_TARGET_S)
    print(
        f"\nlongest event-loop stall {longest * 1000:.0f} ms (target <= 100 ms: {verdict});"
        f" {over} stalls over 100 ms in the run"
    )
    for gap, _at, during, stacks in gaps[:5]:
        print(f"  {gap * 1000:7.0f} ms during {' -> '.join(during)}")
        for stack in stacks:
            print(f"             {stack}")
    for gap, _at, during, stacks in gaps[5:over]:  # the rest over 100 ms, a line each
        where = " | ".join(stack.split(" < ")[0] for stack in stacks)
        print(f"  {gap * 1000:7.0f} ms during {during[-1]}: {where}")


if __name__ == "__main__":
    main()
