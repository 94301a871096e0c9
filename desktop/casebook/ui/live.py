"""The live app: what colleagues commit shows up without a manual refresh.

A thread of its own (never the UI thread) waits on the store's change listener — LISTEN/NOTIFY
on a server, a one-second timer on a store file — then reads the audit events after the last
one it saw and hands them to the UI thread, which turns them into ``Changes`` for the views.
"""

from __future__ import annotations

import threading
from dataclasses import fields
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from casebook.ui.ops import Changes

if TYPE_CHECKING:
    from casebook.book import Casebook
    from casebook.ui.ops import Host

#: Seconds between looks at a store file's audit head (a server notifies at once; this is
#: its fallback pace). Well under the 2 s in which a colleague's change must show.
INTERVAL_S = 0.5

#: The views an event's action touches, by the action's first word.
_TOUCHES = {
    "finding": ("findings",),
    "evidence": ("evidence", "findings", "relationships"),
    "relationship": ("relationships",),
    "person": ("persons", "relationships"),
    "case": ("case", "cases"),
    "dataset": ("datasets", "shipments", "firms", "cases"),
    "firm": ("firms", "relationships", "hits"),
    "hit": ("hits",),
    "screen": ("hits",),
    "figure": ("figures",),
}


def changes_of(events: list[dict]) -> list[Changes]:
    """The ``Changes`` that redraw what a batch of events touched, one per case."""
    by_case: dict[str | None, set[str]] = {}
    for event in events:
        flags = _TOUCHES.get(event["action"].split(".")[0])
        if flags is None:  # a bundle, a demo, a restore: everything of that case
            flags = tuple(f.name for f in fields(Changes) if f.name not in ("store", "case_ref"))
        by_case.setdefault(event["case_ref"], set()).update(flags)
    return [Changes(**dict.fromkeys(flags, True), case_ref=ref) for ref, flags in by_case.items()]


class LiveRefresh(QObject):
    """Watches one open store from a thread; ``arrived`` carries others' events (UI thread)."""

    arrived = Signal(object)  # list of event dicts, oldest first

    def __init__(self, host: Host, book: Casebook):
        super().__init__(host)
        self.host, self.book = host, book
        self._stop = threading.Event()
        self._listener = None
        self._thread = threading.Thread(target=self._run, name="casebook-live", daemon=True)
        self.arrived.connect(self._apply)

    def start(self) -> LiveRefresh:
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the thread (before its store closes); waits at most about one interval."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            self._listener = self.book.change_listener()
            last = self.book.audit_head_id()
        except Exception:  # noqa: BLE001 — no live view is better than a crash; the app works
            return
        while not self._stop.is_set():
            if not self._listener.wait(INTERVAL_S) or self._stop.is_set():
                break
            try:
                last, events = self.book.changes_after(last)
            except Exception:  # noqa: BLE001 — the store went away under us (closing)
                continue
            if events and not self._stop.is_set():
                self.arrived.emit(events)
        self._listener.close()

    def _apply(self, events: list[dict]) -> None:
        if self._stop.is_set() or self.host.book is not self.book:
            return
        for changes in changes_of(events):
            self.host.notify(changes)
        last = events[-1]
        where = f" in {last['case_ref']}" if last["case_ref"] else ""
        self.host.message.emit(f"{last['actor']} changed {last['action']}{where}")
