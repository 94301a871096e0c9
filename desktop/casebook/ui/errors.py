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


class StaleDialog(QMessageBox):
    """A save refused because a colleague changed the record since it was read: the message
    ("changed by alice at 14:02 — reload") and a Reload button."""

    def __init__(self, parent: QWidget | None, *, message: str):
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Changed by a colleague")
        self.setText(message)
        self.setInformativeText("Nothing was saved. Reload to see their version, then edit again.")
        self.reload_button = self.addButton("Reload", QMessageBox.ButtonRole.AcceptRole)
        self.setStandardButtons(QMessageBox.StandardButton.Close)
        self.setDefaultButton(self.reload_button)

    @classmethod
    def ask(cls, parent: QWidget | None, *, message: str) -> bool:
        """Show the refusal; True when the analyst chose Reload (tests patch this)."""
        dialog = cls(parent, message=message)
        dialog.exec()
        return dialog.clickedButton() is dialog.reload_button
