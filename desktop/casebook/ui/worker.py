"""The single DB worker thread: runs jobs in order, relays results back to the GUI thread.

Every write the GUI makes goes through here, so writes never interleave and the UI thread never
waits on the database's write lock. A job's callbacks run on the GUI thread (queued signal);
the job function itself must never touch a widget.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot


class Task:
    """What a long job sees: a progress callback and a cancel check (GUI or CLI alike)."""

    def __init__(self, report: Callable[[Job, int, int], None], job: Job):
        self._report = report
        self._job = job

    def progress(self, done: int, total: int) -> None:
        """Report progress; safe to call often."""
        self._report(self._job, done, total)

    def cancelled(self) -> bool:
        """True once the user asked to cancel; the job should raise ``Cancelled``."""
        return self._job.cancel_requested.is_set()


class Job:
    """One unit of work and its outcome."""

    def __init__(self, fn: Callable[..., Any], *, label: str = "", wants_task: bool = False):
        self.fn = fn
        self.label = label
        self.wants_task = wants_task
        self.cancel_requested = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.trace = ""
        self.on_done: Callable[[Any], None] | None = None
        self.on_error: Callable[[BaseException, str], None] | None = None
        self.on_progress: Callable[[int, int], None] | None = None
        #: Called instead of ``on_done`` when the job finished but the app closed before its
        #: result was delivered (e.g. close a store that opened just as the window closed).
        self.on_dropped: Callable[[Any], None] | None = None

    def cancel(self) -> None:
        """Ask the job to stop at its next cancel check."""
        self.cancel_requested.set()

    def run(self, task: Task) -> None:
        try:
            self.result = self.fn(task) if self.wants_task else self.fn()
        except BaseException as exc:  # relayed to the GUI thread's presenter, never lost
            self.error = exc
            self.trace = traceback.format_exc()


class DbWorker(QObject):
    """One background thread for database work; ``finished`` fires on the GUI thread."""

    finished = Signal(object)
    busy_changed = Signal(bool)
    _relay = Signal(object)
    _progress = Signal(object, int, int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casebook-db")
        self._pending: list[Job] = []
        self._closed = False
        # Queued: these signals are emitted on the worker thread, handled on this object's.
        self._relay.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def running(self) -> str:
        """The label of the job running now (the oldest not yet delivered); empty when idle."""
        return self._pending[0].label if self._pending else ""

    def submit(self, job: Job) -> Job:
        """Queue ``job``; its callbacks run on the GUI thread when it ends. After ``shutdown``
        (the app is quitting: a tab built in the last moment asks for its first page) the job
        is dropped, never run."""
        if self._closed:
            job.cancel()
            return job
        self._pending.append(job)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        task = Task(self._progress.emit, job)
        future = self._pool.submit(job.run, task)
        future.add_done_callback(lambda _f: self._relay.emit(job))
        return job

    @Slot(object)
    def _deliver(self, job: Job) -> None:
        if self._closed:  # shut down: what was pending was dropped there
            return
        self._pending.remove(job)
        try:
            if job.error is None:
                if job.on_done:
                    job.on_done(job.result)
            elif job.on_error:
                job.on_error(job.error, job.trace)
        finally:
            self.finished.emit(job)
            if not self._pending:
                self.busy_changed.emit(False)

    @Slot(object, int, int)
    def _deliver_progress(self, job: Job, done: int, total: int) -> None:
        if job.on_progress:
            job.on_progress(done, total)

    def cancel_all(self) -> None:
        """Ask every queued and running job to stop."""
        for job in self._pending:
            job.cancel()

    def shutdown(self) -> None:
        """Cancel what is pending, wait for the thread to finish and drop every result not yet
        delivered (on quit: no callback runs, and nothing is submitted, after this)."""
        self._closed = True
        self.cancel_all()
        self._pool.shutdown(wait=True, cancel_futures=False)
        dropped, self._pending = self._pending, []
        for job in dropped:
            if job.error is None and job.on_dropped is not None:
                job.on_dropped(job.result)
