"""Help → About: version, the open store, and the licences of what Casebook ships."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook import __version__, resources
from casebook.ui import theme

#: Shipped third-party files and their licences (file name under resources/).
SHIPPED = [
    (
        "DejaVu fonts (Latin, Cyrillic)",
        "Bitstream Vera / DejaVu licence",
        "fonts/LICENSE-DejaVu.txt",
    ),
    ("WenQuanYi Micro Hei (Chinese)", "Apache 2.0 or GPLv3", "fonts/LICENSE-WenQuanYi.txt"),
]


def licence_texts() -> list[tuple[str, str, str]]:
    """(what, licence, full text) of every shipped file with a licence, plus reference data."""
    items = []
    for what, licence, name in SHIPPED:
        path = resources.path(*name.split("/"))
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        items.append((what, licence, text))
    items += _reference_notes()
    return items


def _reference_notes() -> list[tuple[str, str, str]]:
    # Reference data files document their source and terms in a README or a .source.txt.
    folder = resources.path("reference")
    notes = []
    if folder.is_dir():
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() in (".md", ".txt") or path.name.startswith("README"):
                notes.append((f"Reference data: {path.name}", "see text", _read(path)))
    return notes


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


class AboutDialog(QDialog):
    """Version, store path, licences."""

    def __init__(self, parent: QWidget | None, *, store: Path | None, head_hash: str = ""):
        super().__init__(parent)
        self.setWindowTitle("About Casebook")
        icon = QLabel()
        icon.setPixmap(theme.app_icon().pixmap(64, 64))
        store_text = html.escape(str(store)) if store else "no store open"
        head = f"<br>Audit chain head: <tt>{head_hash[:16]}…</tt>" if head_hash else ""
        intro = QLabel(
            f"<h2>Casebook {__version__}</h2>"
            "<p>Case management for investigators of dual-use technology supply chains.</p>"
            f"<p>Store: <tt>{store_text}</tt>{head}</p>"
            f"<p>Built with Qt for Python (PySide6 {pyside_version}), SQLite, SQLModel. "
            "Casebook is MIT-licensed.</p>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        tabs = QTabWidget()
        for what, licence, text in licence_texts():
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setFont(theme.mono_font())
            tabs.addTab(view, what)
            tabs.setTabToolTip(tabs.count() - 1, licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Shipped fonts and data, and their licences:"))
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.resize(720, 620)

    @classmethod
    def ask(cls, parent: QWidget, *, store: Path | None, head_hash: str = "") -> QDialog:
        """Open window-modally."""
        dialog = cls(parent, store=store, head_hash=head_hash)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
