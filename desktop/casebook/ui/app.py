"""Starting the desktop application: Qt set-up, fonts, the main window, then the store."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from casebook import __version__
from casebook.ui import theme
from casebook.ui.settings import APPLICATION, ORGANISATION, Settings


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), shipped fonts, icon, and the theme the analyst chose."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Casebook")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("casebook")
    theme.load_fonts()
    theme.apply_fonts(app)
    app.setWindowIcon(theme.app_icon())
    theme.apply_theme(app, Settings().theme)
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)


class GuiThreadCollector(QObject):
    """Python's cycle collector runs in whichever thread happens to cross its threshold. When
    that is the DB worker and the garbage holds Qt objects (a closed dialog, a replaced tab),
    Qt destroys them outside the GUI thread and the process crashes (seen as a segfault in
    "Garbage-collecting" on the worker). So automatic collection is off, and the GUI thread
    collects on a timer, by the same thresholds and rules Python would use.

    The timer is short: a collection walks the young objects allocated since the last one, and
    a worker reading a million-shipment case allocates millions a second (a 500 ms timer made
    stalls of a second and more). The oldest generation is walked, as CPython does, only once
    the objects moved there since it last was are over a quarter of those it kept.

    Modules imported since the last tick (pandas on a chart's first read, networkx …, on any
    thread) live as long as the process: once the imports settled (no new module for a tick),
    every object then is frozen out of the full collections (``gc.freeze``), as opening the
    store and the matplotlib warm-up do for theirs. A full walk of pandas' objects, imported
    by the first chart read of a 1M case, stalled the window 0.16 s (issue 18). While modules
    are being imported (more than at the last tick) nothing is collected: the young
    generations filled with the imports' objects, and walking them again and again (each
    younger collection moving them up, then a full one) stalled the window 0.2-0.35 s during
    the matplotlib and pandas warm-up."""

    INTERVAL_MS = 50

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.long_lived_total = 0  # estimated: objects the last full collection kept
        self.long_lived_pending = 0  # estimated: objects moved to the oldest generation since
        self.middle = 0  # estimated: objects in the middle generation
        self.modules = len(sys.modules)  # loaded at the last tick
        self.frozen_modules = self.modules  # loaded at the last freeze
        gc.disable()
        self.timer = QTimer(self, interval=self.INTERVAL_MS, timeout=self.collect)
        self.timer.start()

    def collect(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold; what it found."""
        modules, self.modules = self.modules, len(sys.modules)
        if modules != self.modules:  # imports under way (any thread): nothing walked meanwhile
            return None
        if self.modules != self.frozen_modules:  # imports done: theirs kept for good
            gc.collect(1)  # not the young garbage with them
            gc.freeze()
            self.frozen_modules = self.modules
            self.long_lived_pending = self.middle = 0
            return 0
        counts = gc.get_count()
        young = counts[0] + self.middle  # gen0's count is its allocations less its frees
        if counts[2] > self.thresholds[2] and (
            self.long_lived_pending > self.long_lived_total // 4
        ):
            found = gc.collect(2)
            self.long_lived_total += self.long_lived_pending + young - found
            self.long_lived_total = max(0, self.long_lived_total)
            self.long_lived_pending = self.middle = 0
            return found
        if counts[1] > self.thresholds[1]:
            found = gc.collect(1)
            self.long_lived_pending += max(0, young - found)  # the survivors moved up
            self.middle = 0
            return found
        if counts[0] > self.thresholds[0]:
            found = gc.collect(0)
            self.middle += max(0, counts[0] - found)
            return found
        return None


class _FirstPaint(QObject):
    """Calls ``then()`` once, just after ``widget`` was first painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False


def run_gui(*, db: str | None = None, user: str | None = None, file: str | None = None) -> int:
    """Show the main window and run the Qt event loop until it closes."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    from casebook.ui.main_window import MainWindow

    window = MainWindow(user=user)
    # The store opens on the DB worker once the window is painted: its imports (SQLAlchemy)
    # and any schema upgrade never delay, or compete with, the first paint.
    if file and file.lower().endswith(".casebook"):  # a case bundle: import it once open
        from casebook.ui.exchange_actions import open_bundle_when_ready

        open_bundle_when_ready(window, os.path.abspath(file))
        file = None
    explicit = file or db or os.environ.get("CASEBOOK_DB")
    target = explicit or Settings().last_store
    # A named store or the default one is created when missing; a vanished recent one is not.
    create = bool(explicit) or target is None

    warming = []  # the matplotlib warm-up thread, once started

    def after_first_paint() -> None:
        from casebook.ui import charts

        window.open_store_at(target, create=create)
        warming.append(charts.warm_up())  # the Analysis tab's matplotlib, before a case opens

    _FirstPaint(window, after_first_paint)
    window.show()
    # Test hook (the packaging test of the frozen bundle): CASEBOOK_QUIT_AFTER_MS=N closes the
    # window N milliseconds after it is shown, which ends the event loop as a user's close would.
    if quit_after := os.environ.get("CASEBOOK_QUIT_AFTER_MS"):
        QTimer.singleShot(int(quit_after), window.close)
    code = app.exec()
    # Python tearing down while that thread is still importing (Qt's matplotlib canvas among
    # it) crashes the process: a window closed within its first second exited on SIGSEGV.
    for thread in warming:
        thread.join(timeout=120)
    return code
