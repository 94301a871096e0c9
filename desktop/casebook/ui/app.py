"""Starting the desktop application."""

from __future__ import annotations

import sys


def run_gui(*, db: str | None = None, user: str | None = None, file: str | None = None) -> int:
    """Show the main window and run the Qt event loop until it closes."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Casebook")
    window.setCentralWidget(QLabel("Casebook"))
    window.resize(1200, 800)
    window.show()
    return app.exec()
