"""Centred messages for empty states: a new store, no case selected, a store opening."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.ui import theme


class Placeholder(QWidget):
    """An icon, a heading, a line of text and optional buttons, centred."""

    def __init__(self, icon: QIcon | None, heading: str, text: str = "", parent=None):
        super().__init__(parent)
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        if icon is not None:
            self.picture.setPixmap(icon.pixmap(72, 72))
            self.picture.setMinimumSize(72, 72)
        self.heading = QLabel(heading, alignment=Qt.AlignmentFlag.AlignCenter)
        self.heading.setFont(theme.scaled_font(self.font(), 1.5, bold=True))
        self.text = QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.text.setVisible(bool(text))
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        # A column of bounded width keeps wrapped text readable and centred.
        body = QWidget()
        # A fixed width lets the wrapped text compute its height (a shrinking box clips it).
        body.setFixedWidth(480)
        column = QVBoxLayout(body)
        column.addWidget(self.picture)
        column.addSpacing(8)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        column.addSpacing(16)
        column.addLayout(self.buttons)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def add_button(self, text: str, slot: Callable, *, icon: QIcon | None = None) -> QPushButton:
        button = QPushButton(icon or QIcon(), text)
        button.setMinimumHeight(button.sizeHint().height() + 8)
        button.clicked.connect(slot)
        self.buttons.insertWidget(self.buttons.count(), button)
        return button

    def finish_buttons(self) -> None:
        """Centre the buttons once all are added."""
        self.buttons.addStretch(1)


class EmptyStore(Placeholder):
    """A store without cases: the way in."""

    def __init__(self, on_create: Callable, on_demo: Callable | None = None, parent=None):
        super().__init__(
            theme.app_icon(),
            "No cases yet",
            "A case holds the shipments, firms, evidence and key judgments of one "
            "investigation, under one handling marking.",
            parent,
        )
        self.create = self.add_button("Create a case…", on_create, icon=theme.icon("case-new"))
        self.create.setDefault(True)
        # Hook for the demo issue: pass on_demo once the facade can build the demo case;
        # until then no button is shown rather than a dead one.
        self.demo = self.add_button("Open demo case", on_demo) if on_demo else None
        self.finish_buttons()


def show_prompt(view: QTextEdit, text: str) -> None:
    """Say in an empty detail pane what to select, wrapped, in a muted colour (QTextEdit's own
    placeholder text is drawn on one line, cut in a narrow pane). Shown again in the new
    theme's colour after a theme switch, as long as the pane still shows it."""
    colour = theme.muted(view.palette(), on_base=True).name()
    view.setHtml(f"<p style='color: {colour}'>{escape(text)}</p>")
    view.setProperty(_PROMPT, text)
    if not view.property(_WATCHED):
        view.setProperty(_WATCHED, True)
        view.installEventFilter(_prompt_watcher())


_PROMPT, _WATCHED = "casebook_prompt", "casebook_prompt_watched"


class _PromptWatcher(QObject):
    """Shows a pane's prompt again in the palette's colours after a theme switch."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.PaletteChange and isinstance(obj, QTextEdit):
            text = obj.property(_PROMPT)
            if text and obj.toPlainText() == text:
                show_prompt(obj, text)
        return False


_watcher: _PromptWatcher | None = None


def _prompt_watcher() -> _PromptWatcher:
    global _watcher
    if _watcher is None:
        _watcher = _PromptWatcher(QApplication.instance())
    return _watcher
