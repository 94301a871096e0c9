"""Ops: every database action of the GUI, run on the DB worker, reporting what changed.

The pattern (after Anki's ``CollectionOp``)::

    Op(host, lambda book: book.create_case(title=t), label="Creating case",
       changes=Changes(cases=True)).success(select_new_case).run()

``fn`` runs on the worker with the open ``Casebook``; on success the host emits ``changed``
with the op's ``Changes`` (views refresh only what the flags name), then ``success`` runs on the
GUI thread. Errors go to the one presenter unless ``failure`` is given; ``Cancelled`` is silent.
Long work takes a ``Task`` (``progress(done, total)``, ``cancelled()``)::

    Op(host, lambda book, task: book.import_file(..., progress=task.progress,
       cancelled=task.cancelled), changes=Changes(shipments=True, firms=True)
       ).with_progress("Importing shipments").run()

Later issues add ops and tabs; they need nothing else from this module.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from casebook.core.errors import Cancelled, CasebookError, StaleVersion
from casebook.core.users import os_user
from casebook.ui.worker import DbWorker, Job

if TYPE_CHECKING:  # the facade pulls in SQLAlchemy: imported on the worker, after first paint
    from casebook.book import Casebook


@dataclass(frozen=True)
class Changes:
    """What an op touched; each view redraws only when a flag it shows is set."""

    store: bool = False  # another store was opened: everything
    cases: bool = False  # the list of cases (added, removed, renamed, status, marking)
    case: bool = False  # the fields of ``case_ref``
    datasets: bool = False
    shipments: bool = False
    firms: bool = False
    evidence: bool = False
    findings: bool = False
    relationships: bool = False
    hits: bool = False
    figures: bool = False  # key figures pinned to the briefing
    persons: bool = False  # the people behind the firms and their links
    case_ref: str | None = None

    def touches(self, *names: str) -> bool:
        """True if any named flag (or ``store``) is set."""
        return self.store or any(getattr(self, n) for n in names)

    def for_case(self, ref: str) -> Changes:
        return replace(self, case_ref=ref)

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls) if f.name != "case_ref"})


class Host(QObject):
    """The open store as the GUI sees it: facade, DB worker, changes, undo, error presenter."""

    changed = Signal(object)  # Changes, after an op succeeded
    store_opened = Signal()
    busy_changed = Signal(bool, str)  # busy, label of the running op
    message = Signal(str)  # a passing word for the status bar (e.g. the undo stack was cleared)

    def __init__(self, parent: QWidget, *, user: str | None = None):
        super().__init__(parent)
        self.window = parent
        self.user = user  # --user on the command line wins over the preference
        self.book: Casebook | None = None
        self.worker = DbWorker(self)
        self.readers: list[threading.Thread] = []  # reads off the worker (the check on open)
        self.undo_stack = QUndoStack(self)
        self.live = None  # ui.live.LiveRefresh of the open store
        self.worker.busy_changed.connect(self._on_busy)
        self.worker.finished.connect(self._on_finished)

    # --- running --------------------------------------------------------------------------

    def submit(self, job: Job, label: str) -> Job:
        job.label = label
        return self.worker.submit(job)

    def _on_busy(self, busy: bool) -> None:
        self.busy_changed.emit(busy, self.worker.running)

    def _on_finished(self, _job: Job) -> None:
        if self.worker.busy:  # the next job runs now: the status names it, not the first one
            self.busy_changed.emit(True, self.worker.running)

    def present_error(self, exc: BaseException, trace: str = "") -> None:
        """The one place errors reach the user; a cancellation is silent."""
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, StaleVersion):
            from casebook.ui.errors import StaleDialog

            if StaleDialog.ask(self.window, message=exc.message):
                views = {
                    f.name: True for f in fields(Changes) if f.name not in ("store", "case_ref")
                }
                self.notify(Changes(**views, case_ref=exc.case_ref))
            return
        if isinstance(exc, CasebookError):
            title, message, details = "Casebook", exc.message, "\n".join(exc.details)
        else:  # a bug: say so plainly and keep the traceback for a report
            title = "Unexpected error"
            message = f"Something went wrong: {type(exc).__name__}: {exc}"
            details = trace
        from casebook.ui.errors import ErrorDialog

        ErrorDialog.present(self.window, title=title, message=message, details=details)

    def notify(self, changes: Changes) -> None:
        self.changed.emit(changes)

    # --- the store ------------------------------------------------------------------------

    def open_store(
        self, path: str | Path | None, *, create: bool = True, on_open: Callable | None = None
    ) -> Job:
        """Open (or create) a store on the worker, closing the current one first."""
        old, user = self.book, self.user or _analyst()

        def work():
            from casebook.book import Casebook, load_sections  # heavy: off the GUI thread

            load_sections()  # every section of the facade now, not on its first call's thread
            book = Casebook.open(path, user=user, create=create)
            book.identity()  # the server's login, asked here rather than on the UI thread
            if old is not None:  # only once the new store opened: a failure keeps the old one
                self.stop_live(old)
                self.wait_for_readers()
                old.close()
            # What opening imported (SQLAlchemy, the book's modules …) lives as long as the
            # process: kept out of the cycle collector's full walks on the GUI thread, which
            # took 0.2 s each for these alone on a busy machine (issue 18).
            gc.freeze()
            return book

        def done(book):
            self.book = book
            self.start_live(book)
            self.undo_stack.clear()
            self.store_opened.emit()
            self.notify(Changes(store=True))
            if on_open:
                on_open(book)

        job = Job(work)
        job.on_done, job.on_error = done, self.present_error
        job.on_dropped = lambda book: book.close()  # opened as the app quit
        return self.submit(job, "Opening store")

    def start_live(self, book: Casebook) -> None:
        """Show what colleagues commit to this store without a manual refresh."""
        from casebook.ui.live import LiveRefresh

        if self.live is not None:
            self.live.stop()
        self.live = LiveRefresh(self, book).start()

    def stop_live(self, book: Casebook | None = None) -> None:
        """Stop watching (``book``: only if it is the one watched) before its store closes."""
        live = self.live
        if live is not None and (book is None or live.book is book):
            live.stop()

    def set_analyst(self, name: str) -> None:
        """Record future changes under ``name`` (unless --user was given)."""
        if self.book is not None and not self.user:
            self.book.user = name or os_user()

    def wait_for_readers(self) -> None:
        """Let reads running in threads of their own finish before their store is closed
        (closing a SQLite connection under a running statement crashes the process)."""
        for thread in self.readers:
            thread.join()
        self.readers.clear()

    def close(self) -> None:
        """Finish the worker's queue and close the store (on quit)."""
        self.closed = True
        self.stop_live()
        self.worker.shutdown()
        if self.book is not None:
            self.wait_for_readers()
            self.book.close()
            self.book = None


def _analyst() -> str | None:
    from casebook.ui.settings import Settings

    return Settings().analyst or None


class Op:
    """One database action on the worker; see the module docstring."""

    def __init__(
        self,
        host: Host,
        fn: Callable[..., Any],
        *,
        label: str = "Working",
        changes: Changes | Callable[[Any], Changes] | None = None,
    ):
        self.host = host
        self.fn = fn
        self.label = label
        self.changes = changes
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress_parent: QWidget | None = None
        self._book: Casebook | None = None

    def success(self, callback: Callable[[Any], None]) -> Op:
        """Run ``callback(result)`` on the GUI thread after views were told what changed."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        """Handle errors here instead of the presenter (``Cancelled`` still never arrives)."""
        self._failure = callback
        return self

    def with_progress(self, parent: QWidget | None = None) -> Op:
        """Show a cancellable progress dialog; ``fn`` is called as ``fn(book, task)``."""
        self._progress_parent = parent or self.host.window
        return self

    def run(self) -> Job | None:
        """Queue the op on the DB worker (nothing, once the window has closed)."""
        book = self.host.book
        if book is None:
            # A result that arrives while the window closes may ask for a follow-up read;
            # there is nothing left to read it from, and nobody to show it to.
            if getattr(self.host, "closed", False):
                return None
            raise RuntimeError("no store is open")
        self._book = book
        wants_task = self._progress_parent is not None
        job = Job(lambda *task: self.fn(book, *task), wants_task=wants_task)
        job.on_done, job.on_error = self._done, self._error
        if wants_task:
            self._attach_progress(job)
        return self.host.submit(job, self.label)

    def _stale(self) -> bool:
        """A read of a store the window has since left (another store opened meanwhile): its
        answer, or its failure on the closed store, is nobody's any more. A write's failure is
        still told."""
        return self.changes is None and self.host.book is not self._book

    def _done(self, result: Any) -> None:
        if self._stale():
            return
        changes = self.changes(result) if callable(self.changes) else self.changes
        if changes is not None:
            self.host.notify(changes)
        if self._success and _alive(self._success):
            self._success(result)

    def _error(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, Cancelled) or self._stale():
            return
        if self._failure:
            if _alive(self._failure):
                self._failure(exc)
        else:
            self.host.present_error(exc, trace)

    def _attach_progress(self, job: Job) -> None:
        from PySide6.QtWidgets import QProgressDialog

        dialog = QProgressDialog(f"{self.label}…", "Cancel", 0, 0, self._progress_parent)
        dialog.setWindowTitle(self.label)
        dialog.setMinimumDuration(400)  # quick jobs finish before a dialog flashes up
        dialog.canceled.connect(job.cancel)

        def progress(done: int, total: int) -> None:
            if not isValid(dialog):  # deleted with its parent tab: the op runs on unseen
                return
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)

        job.on_progress = progress
        for name in ("on_done", "on_error"):
            callback = getattr(job, name)
            setattr(job, name, _closing(dialog, callback))


def _alive(callback: Callable) -> bool:
    """False when the widget the callback belongs to was deleted while the op ran (its tab was
    dropped on a case switch): the reply has nobody left to show it to.

    The owner is the ``self`` of a bound method, or the ``self`` a closure defined in a method
    captured (``lambda rows: self._show(gen, rows)``)."""
    owner = getattr(callback, "__self__", None)
    code, cells = getattr(callback, "__code__", None), getattr(callback, "__closure__", None)
    if owner is None and code is not None and cells and "self" in code.co_freevars:
        try:
            owner = cells[code.co_freevars.index("self")].cell_contents
        except ValueError:  # an empty cell
            owner = None
    return not isinstance(owner, QObject) or isValid(owner)


def _closing(dialog: QWidget, callback: Callable) -> Callable:
    def wrapped(*args):
        if isValid(dialog):  # deleted with its parent tab while the op ran
            dialog.reset()
            dialog.deleteLater()
        callback(*args)

    return wrapped


def read_only_flags(result: dict) -> dict:
    """``book.flags()``'s result with each firm's flags and each flag's sampled shipments as
    tuples: the tabs only read them, and made of tuples, strings and numbers the flags leave
    the cycle collector's walks. A million-shipment case's 5,000 flagged firms made 47,000
    lists and dicts that each full collection on the GUI thread walked again (issue 18).
    Called on the worker."""
    for firm in result.get("firms", []):
        firm["flags"] = tuple(_plain(flag) for flag in firm["flags"])
    return result


def _plain(value):
    """``value`` with its lists as tuples, its dicts made anew: a dict of strings, numbers and
    empty tuples is never tracked (a flag without sampled shipments: all of them on the
    issue's 1M case)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_plain(item) for item in value)
    return value
