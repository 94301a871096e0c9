"""The one error presenter: a dialog with the message and, folded away, the details."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class ErrorDialog(QMessageBox):
    """A warning with the error's message and its details (row errors, traceback)."""

    def __init__(self, parent: QWidget | None, *, title: str, message: str, details: str = ""):
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(title)
        self.setText(message)
        if details:
            self.setDetailedText(details)
        self.setStandardButtons(QMessageBox.StandardButton.Close)

    @classmethod
    def present(
        cls, parent: QWidget | None, *, title: str, message: str, details: str = ""
    ) -> None:
        """Show the error; tests patch this one method."""
        dialog = cls(parent, title=title, message=message, details=details)
        dialog.exec()
