"""Garbage cycles (which may hold Qt objects) are collected in the GUI thread, never on the DB
worker: a collection that destroyed a widget there crashed the test run with a segfault."""

from __future__ import annotations

import gc
import threading

import pytest

from casebook.ui.app import GuiThreadCollector


class _Cycle:
    """A reference cycle that records the thread its collection ran in."""

    def __init__(self, seen: list[str]):
        self.me, self.seen = self, seen

    def __del__(self):
        self.seen.append(threading.current_thread().name)


def test_cycles_made_anywhere_are_collected_in_the_gui_thread(qtbot, qapp):
    assert qapp.findChild(GuiThreadCollector) is not None  # the autouse fixture configured it
    assert not gc.isenabled()
    seen: list[str] = []
    _Cycle(seen)

    kept: list = []

    def allocate_a_lot():  # far past the thresholds that would start a collection here
        kept.extend([] for _ in range(50_000))

    worker = threading.Thread(target=allocate_a_lot, name="worker")
    worker.start()
    worker.join()
    assert seen == []  # nothing was collected on the worker
    qtbot.waitUntil(lambda: bool(seen), timeout=max(2000, 3 * GuiThreadCollector.INTERVAL_MS))
    assert seen == [threading.main_thread().name]


def test_the_oldest_generation_is_walked_only_once_it_grew_by_a_quarter(qapp, monkeypatch):
    """A full collection walks every object (seconds on a million-shipment case): as CPython
    does, it runs only once the objects moved to the oldest generation since the last one are
    over a quarter of those it kept, not every time the younger ones were collected ten times."""
    collector = qapp.findChild(GuiThreadCollector)
    gc.collect()
    collector.long_lived_total = len(gc.get_objects(generation=2))
    collector.long_lived_pending = collector.middle = 0
    for _ in range(collector.thresholds[2] + 1):
        gc.collect(1)  # each counts once towards the oldest generation's threshold
    for _ in range(collector.thresholds[1] + 1):
        gc.collect(0)  # and towards the middle one's
    assert gc.get_count()[2] > collector.thresholds[2]
    walked: list[int] = []
    collect = gc.collect
    monkeypatch.setattr(
        gc, "collect", lambda generation=2: walked.append(generation) or collect(generation)
    )
    collector.collect()
    assert walked == [1]  # the old generation did not grow: the young ones only
    kept = [[] for _ in range(collector.long_lived_total // 4 + 10_000)]
    more = []
    for _ in range(3 * collector.thresholds[1]):  # these survive and move up …
        more.append([[] for _ in range(1000)])
        collector.collect()
        if 2 in walked:
            break
    assert 2 in walked  # … and are walked with all the others
    assert len(kept) > 10_000


def test_what_opening_a_store_loaded_is_left_out_of_full_collections(window):
    """The modules an open store imported (SQLAlchemy, the book) live as long as the process:
    frozen out of the full collections, which walked them on the GUI thread every time."""
    from casebook.book import Casebook

    assert gc.get_freeze_count() > 0
    assert not any(obj is Casebook for obj in gc.get_objects(generation=2))


@pytest.fixture
def settled():
    """No import under way: an earlier test's charts warm-up (matplotlib, then pandas) done."""
    from casebook.ui import charts

    for thread in charts._warm_up:
        thread.join(120)


def test_what_a_late_import_loaded_is_left_out_of_full_collections(qapp, monkeypatch, settled):
    """pandas imported by a chart's first read (on the worker) was walked by every later full
    collection on the GUI thread: once the imports settle, their objects are frozen."""
    import sys
    import types

    collector = qapp.findChild(GuiThreadCollector)
    for attempt in range(5):  # again if a thread of an earlier test imported meanwhile
        collector.collect()
        collector.collect()  # settled: nothing new since the last tick
        frozen = gc.get_freeze_count()
        loaded = len(sys.modules)
        module = types.ModuleType(f"_late_{attempt}")  # a module not loaded before
        exec("def late():\n    pass\n", module.__dict__)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        collector.collect()  # a module more: maybe still importing
        waiting = gc.get_freeze_count()
        collector.collect()  # no new one since: frozen
        if len(sys.modules) == loaded + 1 and waiting == frozen:
            break  # nothing else imported or froze meanwhile (an earlier test's store opening)
    assert waiting == frozen
    assert gc.get_freeze_count() > frozen
    assert not any(obj is module.late for obj in gc.get_objects())


def test_nothing_is_walked_while_modules_are_being_imported(qapp, monkeypatch, settled):
    """The matplotlib and pandas warm-up (a thread of its own) fills the young generations
    with objects that live as long as the process: walking them on every tick while it ran
    stalled the window 0.2-0.35 s at a time. While modules keep arriving nothing is
    collected; once they settle, they are frozen, and collecting resumes."""
    import sys
    import types

    collector = qapp.findChild(GuiThreadCollector)
    collector.collect()
    collector.collect()  # settled
    walked: list[int] = []
    collect = gc.collect
    monkeypatch.setattr(
        gc, "collect", lambda generation=2: walked.append(generation) or collect(generation)
    )
    kept = []
    for i in range(3):  # a module more each tick (as an import adds them), after many objects
        kept.append([[] for _ in range(20 * collector.thresholds[0])])
        monkeypatch.setitem(sys.modules, f"_imported_{i}", types.ModuleType(f"_imported_{i}"))
        assert gc.get_count()[0] > collector.thresholds[0]
        assert collector.collect() is None
    assert walked == []
    frozen = gc.get_freeze_count()
    collector.collect()  # no module more since: frozen, and collecting goes on
    assert gc.get_freeze_count() > frozen and walked == [1]
    kept.append([[] for _ in range(20 * collector.thresholds[0])])
    collector.collect()
    assert walked[1:] == [0]
