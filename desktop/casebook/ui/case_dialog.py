"""The new/edit case dialog, validated as the analyst types."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.core.domain import CASE_STATUSES, PRIORITIES
from casebook.ui import theme
from casebook.ui.dialogs import ok_cancel


def marking_icon(label: str, size: int = 32) -> QIcon:
    """A black square with the marking's colour inside, as on a TLP label."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.TLP_BLACK))
    painter.drawRoundedRect(2, 2, size - 4, size - 4, 5, 5)
    painter.setBrush(theme.marking_colour(label))
    painter.drawEllipse(size // 4, size // 4, size // 2, size // 2)
    painter.end()
    return QIcon(pixmap)


def _combo(values: tuple[str, ...] | list[str], current: str) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(value.capitalize() if not value.startswith("TLP") else value, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class CaseDialog(QDialog):
    """Title, reference, marking, status, priority and summary of a case."""

    def __init__(self, parent: QWidget | None, *, case: dict | None = None, marking: str = ""):
        super().__init__(parent)
        self.case = case
        editing = case is not None
        case = case or {}
        self.setWindowTitle(f"Edit case {case['ref']}" if editing else "New case")
        self.title = QLineEdit(case.get("title", ""), placeholderText="What the case is about")
        self.ref = QLineEdit(case.get("ref", ""), placeholderText="Automatic (CB-YYYY-NNN)")
        self.ref.setReadOnly(editing)
        if editing:  # shown greyed: a reference never changes once evidence may cite it
            self.ref.setEnabled(False)
            self.ref.setToolTip("A case keeps its reference for life")
        self.marking = _combo(theme.marking_labels(), case.get("marking", marking or "TLP:AMBER"))
        for i in range(self.marking.count()):
            self.marking.setItemIcon(i, marking_icon(self.marking.itemData(i)))
        self.meaning = QLabel(wordWrap=True)
        self.meaning.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status = _combo(CASE_STATUSES, case.get("status", "open"))
        self.priority = _combo(PRIORITIES, case.get("priority", "medium"))
        self.summary = QPlainTextEdit(case.get("summary", ""))
        self.summary.setPlaceholderText("The question, the scope, what is known so far")
        self.summary.setTabChangesFocus(True)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #D93025;")
        self.buttons, self.ok = ok_cancel(self)
        self.ok.setText("Save" if editing else "Create case")
        self._layout()
        self._connect()
        self._show_meaning()
        self.validate()

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Title:", self.title)
        form.addRow("&Reference:", self.ref)
        form.addRow("&Marking:", self.marking)
        form.addRow("", self.meaning)
        form.addRow("&Status:", self.status)
        form.addRow("&Priority:", self.priority)
        form.addRow("S&ummary:", self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(max(560, self.sizeHint().width()), 460)

    def _connect(self) -> None:
        self.title.textChanged.connect(self.validate)
        self.ref.textChanged.connect(self.validate)
        self.marking.currentIndexChanged.connect(self._show_meaning)

    def _show_meaning(self) -> None:
        self.meaning.setText(theme.marking_meaning(self.marking.currentData()))

    def problem(self) -> str:
        """Why the entries cannot be saved, or "" when they can."""
        from casebook.book.cases import REF_RE, TITLE_MAX  # loaded with the open store

        title = " ".join(self.title.text().split())
        ref = self.ref.text().strip()
        if not title:
            return "A case needs a title."
        if len(title) > TITLE_MAX:
            return f"The title is longer than {TITLE_MAX} characters."
        if ref and not self.ref.isReadOnly() and not REF_RE.match(ref):
            return "A reference has letters, digits and . _ / - only, at most 40 characters."
        return ""

    def validate(self) -> bool:
        problem = self.problem()
        # An empty new form is not an error yet; say nothing until the analyst types.
        quiet = not self.title.text() and not self.ref.text()
        self.error.setText("" if quiet else problem)
        self.error.setVisible(bool(problem) and not quiet)
        self.ok.setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if self.validate():
            super().accept()

    def values(self) -> dict:
        """The entries as keyword arguments of ``create_case`` / ``edit_case``."""
        values = {
            "title": " ".join(self.title.text().split()),
            "summary": self.summary.toPlainText().strip(),
            "status": self.status.currentData(),
            "priority": self.priority.currentData(),
            "marking": self.marking.currentData(),
        }
        if self.case is None and self.ref.text().strip():
            values["ref"] = self.ref.text().strip()
        return values

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        on_accept: Callable[[dict], None],
        *,
        case: dict | None = None,
        marking: str = "",
    ) -> CaseDialog:
        """Open the dialog window-modally (no nested event loop); ``on_accept(values)`` on OK."""
        dialog = cls(parent, case=case, marking=marking)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_accept(dialog.values()))
        dialog.open()
        return dialog
