"""The People tab: the persons of a case (names in their own script, birth date, nationality,
identifiers) with their links to firms and persons, and adding one (undoable).

A case holds tens of persons, not millions, so the list is a small table filled from the facade
(as the Datasets tab is); links, merges and the import of registry tables are on the command
line for now.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casebook.core.words import plural
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import UndoOnlyCommand
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["Name", "Native script", "Born", "Nationality", "Identifiers", "Links"]


class PersonDialog(QDialog):
    """Name, native-script name, birth date, nationality and identifiers of a new person."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add person")
        self.name = QLineEdit()
        self.native = QLineEdit()
        self.birth = QLineEdit()
        self.birth.setPlaceholderText("YYYY-MM-DD or YYYY")
        self.nationality = QLineEdit()
        self.nationality.setPlaceholderText("RU, CN, …")
        self.ids = QLineEdit()
        self.ids.setPlaceholderText("ru_inn:123456789012, passport:…")
        form = QFormLayout(self)
        for label, field in (("Name", self.name), ("Native script", self.native),
                             ("Birth date", self.birth), ("Nationality", self.nationality),
                             ("Identifiers", self.ids)):  # fmt: skip
            form.addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def fields(self) -> dict:
        """What the facade's ``add_person`` takes."""
        ids = [part.strip() for part in self.ids.text().split(",") if part.strip()]
        return {
            "name": self.name.text(),
            "native_name": self.native.text() or None,
            "birth_date": self.birth.text() or None,
            "nationality": self.nationality.text() or None,
            "identifiers": ids,
        }

    @classmethod
    def ask(cls, parent) -> dict | None:
        """The new person's fields, or None when cancelled (tests patch this)."""
        dialog = cls(parent)
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None


class PeoplePanel(QWidget):
    """See the module docstring; ``loaded`` fires after each reload."""

    loaded = Signal()

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.persons: list[dict] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.detail = QTextBrowser()
        self.count = QLabel()
        self.add_button = QPushButton("Add person…")
        self.add_button.setToolTip("Add a director, owner or other person to this case")
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        bar.addWidget(self.add_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([400, 200])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.table.itemSelectionChanged.connect(self._selected)
        self.add_button.clicked.connect(self.add_person)
        self.reload()

    def reload(self) -> None:
        book = self.host.book
        if book is None:
            return
        self.persons = book.list_persons(case_ref=self.ref)
        self.table.setRowCount(len(self.persons))
        for r, p in enumerate(self.persons):
            ids = ", ".join(f"{k} {v}" for k, v in p["identifiers"].items())
            cells = [p["name"], p["native_name"] or "", p["birth_date"] or "",
                     p["nationality"] or "", ids, str(len(p["links"]))]  # fmt: skip
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if c == 5:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 360))
        self.count.setText(plural(len(self.persons), "person"))
        self._selected()
        self.loaded.emit()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.persons[rows[0].row()] if rows else None

    def _selected(self) -> None:
        p = self.selected()
        self.detail.setHtml(_detail_html(p) if p else "")

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a person (a search result) when it is one of the case's."""
        if kind != "person":
            return False
        for row, p in enumerate(self.persons):
            if p["uid"] == uid:
                self.table.selectRow(row)
                return True
        return False

    def add_person(self) -> None:
        fields = PersonDialog.ask(self)
        if not fields:
            return
        host, ref = self.host, self.ref
        changes = Changes(persons=True, case_ref=ref)

        def added(person: dict) -> None:
            host.undo_stack.push(
                UndoOnlyCommand(
                    host,
                    f"Add person {person['name']}",
                    revert=lambda book: book.delete_person(person["uid"]),
                    changes=changes,
                )
            )

        Op(
            host,
            lambda book: book.add_person(case_ref=ref, **fields),
            label="Adding person",
            changes=changes,
        ).success(added).run()

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("persons", "firms", "relationships", "hits"):
            self.reload()


def _detail_html(p: dict) -> str:
    rows = [
        ("Name", p["name"]),
        ("Native script", p["native_name"] or "—"),
        ("Aliases", "; ".join(p["aliases"]) or "—"),
        ("Born", p["birth_date"] or "—"),
        ("Nationality", p["nationality"] or "—"),
        ("Identifiers", ", ".join(f"{k} {v}" for k, v in p["identifiers"].items()) or "—"),
        ("Notes", p["notes"] or "—"),
        ("Person", p["uid"]),
    ]
    rows += [("Link", label) for label in p["links"]]
    html = "".join(
        f"<tr><td style='color:gray'>{k}</td><td>{escape(str(v))}</td></tr>" for k, v in rows
    )
    return f"<table cellspacing=3>{html}</table>"


TAB = WorkspaceTab(
    key="people",
    title="People",
    factory=lambda host, ref: PeoplePanel(host, ref),
    shown=lambda counts: counts.get("persons", 0) > 0 or counts.get("firms", 0) > 0,
)
