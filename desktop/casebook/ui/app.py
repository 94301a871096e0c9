"""Starting the desktop application: Qt set-up, fonts, the main window, then the store."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from casebook import __version__
from casebook.ui import theme
from casebook.ui.settings import APPLICATION, ORGANISATION


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), shipped fonts, icon; the palette stays the system's."""
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Casebook")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("casebook")
    theme.load_fonts()
    theme.apply_fonts(app)
    app.setWindowIcon(theme.app_icon())


def run_gui(*, db: str | None = None, user: str | None = None, file: str | None = None) -> int:
    """Show the main window and run the Qt event loop until it closes."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    from casebook.ui.main_window import MainWindow
    from casebook.ui.settings import Settings

    window = MainWindow(user=user)
    window.show()
    # The store opens on the DB worker once the window is up: its imports (SQLAlchemy) and
    # any schema upgrade never delay the first paint.
    explicit = file or db or os.environ.get("CASEBOOK_DB")
    target = explicit or Settings().last_store
    # A named store or the default one is created when missing; a vanished recent one is not.
    create = bool(explicit) or target is None
    QTimer.singleShot(0, lambda: window.open_store_at(target, create=create))
    if os.environ.get("CASEBOOK_QUIT_AFTER_SHOW"):  # benchmarks: time to first paint
        QTimer.singleShot(0, app.quit)
    return app.exec()
