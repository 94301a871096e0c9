"""The People tab: the persons of a case (names in their own script, birth date, nationality,
identifiers) with their links to firms and persons, a filter box, adding a person, merging two
and splitting a merge again (each undoable, audited by the facade like ``person merge|split``).

A case holds tens of persons, not millions, so the list is a small table filled from the facade
(as the Datasets tab is). The detail pane shows the selected person's links: the firm or person
at the other end, the role, the share and the dates. Adding links and importing registry tables
are on the command line for now.
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
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.placeholders import show_prompt
from casebook.ui.undo import FacadeCommand, UndoOnlyCommand
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["Name", "Native script", "Born", "Nationality", "Identifiers", "Links"]
LINK_HEADERS = ["With", "Role", "Share", "From", "To"]
SELECT_A_PERSON = (
    "Select a person to see their identifiers, their roles in firms and persons, with dates, "
    "and the notes on them."
)
TWO_SELECTED = "Two persons selected: Merge selected… merges the second into the first."


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
        self.links: list[dict] = []  # the case's person links (rel list shape)
        self.merges: dict[str, int] = {}  # uid -> merges into that person not undone
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The identifiers take the spare width; the link count stays by the row's other cells.
        header.setSectionResizeMode(HEADERS.index("Identifiers"), QHeaderView.ResizeMode.Stretch)
        self.detail = QTextBrowser()
        self.count = QLabel()
        self.add_button = QPushButton("Add person…")
        self.add_button.setToolTip("Add a director, owner or other person to this case")
        self.filter = QLineEdit(placeholderText="Filter persons by name, identifier, firm…")
        self.filter.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.setClearButtonEnabled(True)
        self.merge_button = QPushButton("Merge selected…")
        self.merge_button.setToolTip("Select two persons: the second is merged into the first")
        self.split_button = QPushButton("Split")
        self.split_button.setToolTip("Undo the newest merge into the selected person")
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count)
        bar.addWidget(self.merge_button)
        bar.addWidget(self.split_button)
        bar.addWidget(self.add_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([300, 300])  # room for the links of the selected person
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.table.itemSelectionChanged.connect(self._selected)
        self.add_button.clicked.connect(self.add_person)
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self.split_selected)
        self.filter.textChanged.connect(self._filter)
        self.reload()

    def reload(self) -> None:
        book = self.host.book
        if book is None:
            return
        chosen = [p["uid"] for p in self.selected_persons()]
        self.persons = book.list_persons(case_ref=self.ref)
        self.links = book.list_person_links(case_ref=self.ref)
        self.merges = book.person_merge_counts(case_ref=self.ref)
        self.table.blockSignals(True)
        self.table.clearSelection()
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
        self._filter()
        for row, p in enumerate(self.persons):  # the selection survives a reload
            if p["uid"] in chosen and not self.table.isRowHidden(row):
                self.table.selectionModel().select(
                    self.table.model().index(row, 0),
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )
        self.table.blockSignals(False)
        self._selected()
        self.loaded.emit()

    def _filter(self) -> None:
        """Hide the rows whose name, spellings, identifiers, nationality, birth date or links
        do not contain the filter text (any case)."""
        wanted = self.filter.text().strip().casefold()
        shown = 0
        for row, p in enumerate(self.persons):
            hide = bool(wanted) and wanted not in _haystack(p)
            self.table.setRowHidden(row, hide)
            shown += not hide
        total = len(self.persons)
        text = plural(total, "person")
        self.count.setText(text if shown == total else f"{shown:,} of {text}")

    def selected_persons(self) -> list[dict]:
        """The selected persons, top to bottom (hidden rows excluded)."""
        if not self.persons:
            return []
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [
            self.persons[r] for r in rows if r < len(self.persons) and not self.table.isRowHidden(r)
        ]

    def selected(self) -> dict | None:
        chosen = self.selected_persons()
        return chosen[0] if chosen else None

    def _selected(self) -> None:
        chosen = self.selected_persons()
        p = chosen[0] if len(chosen) == 1 else None
        mine = [k for k in self.links if p and p["uid"] in (k["from_uid"], k["to_uid"])]
        if p:
            self.detail.setHtml(_detail_html(p, mine, self.merges.get(p["uid"], 0)))
        elif len(chosen) == 2:
            show_prompt(self.detail, TWO_SELECTED)
        else:
            show_prompt(self.detail, SELECT_A_PERSON)
        self.merge_button.setEnabled(len(chosen) == 2)
        self.split_button.setEnabled(p is not None and self.merges.get(p["uid"], 0) > 0)

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a person (a search result) when it is one of the case's."""
        if kind != "person":
            return False
        for row, p in enumerate(self.persons):
            if p["uid"] == uid:
                if self.table.isRowHidden(row):
                    self.filter.clear()
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

    # --- merge and split (each undoable) ----------------------------------------------------

    def _do(self, text: str, apply, revert) -> None:
        """Run ``apply`` on the worker; when it succeeds, push it as one undoable command."""
        host = self.host
        # A merge moves links and screening hits to the kept person.
        changes = Changes(persons=True, relationships=True, hits=True, case_ref=self.ref)

        def pushed(_result) -> None:
            host.undo_stack.push(
                FacadeCommand(host, text, apply=apply, revert=revert, changes=changes)
            )

        Op(host, apply, label=text, changes=changes).success(pushed).run()

    def merge_selected(self) -> None:
        """Merge the second selected person into the first (asks first)."""
        chosen = self.selected_persons()
        if len(chosen) != 2:
            return
        keep, other = chosen
        if not self.confirm_merge(self, keep, other):
            return
        k, o = keep["uid"], other["uid"]
        self._do(
            f"Merge person {other['name']} into {keep['name']}",
            lambda book: book.merge_persons(keep=k, other=o),
            lambda book: book.split_person(o),
        )

    def split_selected(self) -> None:
        """Undo the newest merge into the selected person."""
        p = self.selected()
        if p is None or not self.merges.get(p["uid"]):
            return
        uid, state = p["uid"], {}

        def apply(book):
            result = book.split_person(state.get("restored", uid))
            state.update(result)
            return result

        def revert(book):
            return book.merge_persons(keep=state["keep"], other=state["restored"])

        self._do(f"Split person {p['name']}", apply, revert)

    @classmethod
    def confirm_merge(cls, parent, keep: dict, other: dict) -> bool:
        """Ask before a merge (tests patch this)."""
        answer = QMessageBox.question(
            parent,
            "Merge persons",
            f"Merge “{other['name']}” into “{keep['name']}”?\n\nTheir links, spellings, "
            "identifiers and screening hits move to the kept person. Edit → Undo or Split "
            "reverses it.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("persons", "firms", "relationships", "hits"):
            self.reload()


def _haystack(p: dict) -> str:
    """Everything the filter box matches in a person's row, folded."""
    parts = [p["name"], p["native_name"] or "", *p["aliases"], p["birth_date"] or ""]
    parts += [p["nationality"] or "", *p["identifiers"].values(), *p["links"]]
    return " ".join(parts).casefold()


def _share(value) -> str:
    return "" if value is None else f"{value:g} %"


def link_rows(p: dict, links: list[dict]) -> list[list[str]]:
    """The person's links seen from them: the other end (firm or person), role, share, dates."""
    rows = []
    for k in links:
        mine = "from" if k["from_uid"] == p["uid"] else "to"
        other = "to" if mine == "from" else "from"
        role = k["kind"].replace("_", " ")
        if mine == "to" and k[f"{other}_kind"] == "firm":  # a firm's link to the person
            role = f"{role} (from the firm)"
        rows.append([f"{k[f'{other}_name']} ({k[f'{other}_kind']})", role, _share(k["share"]),
                     k["start"] or "—", k["end"] or "—"])  # fmt: skip
    return sorted(rows, key=lambda r: (r[3] == "—", r[3], r[0]))


def _detail_html(p: dict, links: list[dict] | None = None, merges: int = 0) -> str:
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
    if merges:
        rows.append(("Merged persons", str(merges)))
    html = "".join(
        f"<tr><td style='color:gray'>{k}</td><td>{escape(str(v))}</td></tr>" for k, v in rows
    )
    found = link_rows(p, links or [])
    if not found:
        return f"<table cellspacing=3>{html}</table><p style='color:gray'>No links.</p>"
    head = "".join(f"<th align='left'>{h}</th>" for h in LINK_HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in found)
    return (
        f"<table cellspacing=3>{html}</table><p><b>Links</b></p>"
        f"<table cellspacing=0 cellpadding=4><tr>{head}</tr>{body}</table>"
    )


TAB = WorkspaceTab(
    key="people",
    title="People",
    factory=lambda host, ref: PeoplePanel(host, ref),
    shown=lambda counts: counts.get("persons", 0) > 0 or counts.get("firms", 0) > 0,
)
