"""Preferences: the analyst's name (audit log, briefings), default marking, paper size."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.ui import theme
from casebook.ui.case_dialog import marking_icon
from casebook.ui.settings import PAPER_SIZES, Settings


class PreferencesDialog(QDialog):
    """Edits ``Settings``; saved on OK."""

    def __init__(self, parent: QWidget | None, *, os_user: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        settings = Settings()
        self.analyst = QLineEdit(settings.analyst, placeholderText=os_user or "Your name")
        self.marking = QComboBox()
        for label in theme.marking_labels():
            self.marking.addItem(marking_icon(label), label, label)
        self.marking.setCurrentIndex(max(0, self.marking.findData(settings.default_marking)))
        self.paper = QComboBox()
        for size in PAPER_SIZES:
            self.paper.addItem(size, size)
        self.paper.setCurrentIndex(max(0, self.paper.findData(settings.paper)))
        note = QLabel(
            "Your name is recorded in the audit log with every change you make, and printed "
            "on briefings. Leave it empty to use your login name."
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout()
        form.addRow("Analyst &name:", self.analyst)
        form.addRow("", note)
        form.addRow("Default &marking:", self.marking)
        form.addRow("&Paper size:", self.paper)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def save(self) -> None:
        settings = Settings()
        settings.analyst = self.analyst.text()
        settings.default_marking = self.marking.currentData()
        settings.paper = self.paper.currentData()

    @classmethod
    def ask(cls, parent: QWidget, on_saved: Callable[[], None], *, os_user: str = "") -> QDialog:
        """Open window-modally; settings are saved and ``on_saved()`` called on OK."""
        dialog = cls(parent, os_user=os_user)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(dialog.save)
        dialog.accepted.connect(on_saved)
        dialog.open()
        return dialog
