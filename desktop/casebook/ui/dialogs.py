"""What the app's dialogs share."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton


def ok_cancel(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton]:
    """An OK / Cancel box wired to ``dialog``'s accept and reject: the box (for the layout)
    and its OK button (to disable while an entry is wrong, or to rename)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, buttons.button(QDialogButtonBox.StandardButton.Ok)
