"""File → Connect to Server…: a ``postgresql://`` URL (checked as ``--db`` checks it), with the
servers connected to lately to pick from. Passwords are never typed here: libpq takes them
from ``PGPASSWORD`` or ``~/.pgpass``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from casebook.core.errors import UsageError
from casebook.core.location import ServerLocation, parse_location
from casebook.ui.settings import Settings

EXAMPLE = "postgresql://alice@db.example:5432/cases"


def check_url(text: str) -> str | None:
    """The problem with a server URL as typed, or None when it names a server database."""
    text = text.strip()
    if not text:
        return f"Give the server's URL, e.g. {EXAMPLE}"
    if "://" not in text:
        return f"Not a server URL (to open a store file use File → Open Store…); e.g. {EXAMPLE}"
    try:
        where = parse_location(text)
    except UsageError as exc:
        return exc.message.removeprefix("--db: ")
    if not isinstance(where, ServerLocation):
        return f"Not a server URL; e.g. {EXAMPLE}"
    return None


class ConnectDialog(QDialog):
    """The URL, typed or picked from the recent servers; OK only for a well-formed URL."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Connect to Server")
        self.url = QComboBox(editable=True)
        self.url.addItems(Settings().recent_servers)
        self.url.lineEdit().setPlaceholderText(EXAMPLE)
        self.url.setMinimumContentsLength(40)
        self.problem = QLabel(wordWrap=True)
        self.problem.setForegroundRole(self.problem.palette().ColorRole.PlaceholderText)
        hint = QLabel(
            "postgresql://[USER@][HOST][:PORT]/DATABASE[?host=SOCKETDIR]. The password comes "
            "from PGPASSWORD or ~/.pgpass, never from this box.",
            wordWrap=True,
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Server &URL:", self.url)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.url.editTextChanged.connect(self._check)
        self._check()

    def value(self) -> str:
        return self.url.currentText().strip()

    def _check(self) -> None:
        problem = check_url(self.value())
        self.problem.setText(problem if self.value() else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        """The URL to connect to, or None when cancelled (tests patch this)."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value()
