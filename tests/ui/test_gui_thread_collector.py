"""Garbage cycles (which may hold Qt objects) are collected in the GUI thread, never on the DB
worker: a collection that destroyed a widget there crashed the test run with a segfault."""

from __future__ import annotations

import gc
import threading

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
    qtbot.waitUntil(lambda: bool(seen), timeout=3 * GuiThreadCollector.INTERVAL_MS)
    assert seen == [threading.main_thread().name]
