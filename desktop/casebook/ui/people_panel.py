"""The People tab: the persons of a case (names in their own script, birth date, nationality,
identifiers) with their links to firms and persons, a filter box, adding a person, merging two
and splitting a merge again (each undoable, audited by the facade like ``person merge|split``).

A case holds tens of persons, not millions: the list is a ``RecordsModel`` read on the DB worker,
shown as the Firms tab shows firms (headers that sort, Ctrl+C copies the selected rows whole, a
filter box). The detail pane shows the selected person's links: the firm or person
at the other end, the role, the share and the dates. Adding links and importing registry tables
are on the command line for now.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
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
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.placeholders import show_prompt
from casebook.ui.table_model import RIGHT, ROW_ROLE, RecordsModel, TableColumn
from casebook.ui.table_view import records_view
from casebook.ui.undo import FacadeCommand, UndoOnlyCommand
from casebook.ui.workspace import WorkspaceTab

PERSON_COLUMNS = [
    TableColumn("name", "Name"),
    TableColumn("native_name", "Native script"),
    TableColumn("birth_date", "Born"),
    TableColumn("nationality", "Nationality"),
    TableColumn("identifiers", "Identifiers", format=lambda v: _ids(v or {})),
    TableColumn(
        "links",
        "Links",
        align=RIGHT,
        format=lambda v: str(len(v or [])),
        sort=lambda v: len(v or []),
    ),
]
IDENTIFIERS_COLUMN = [c.key for c in PERSON_COLUMNS].index("identifiers")
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


class PersonFilter(QSortFilterProxyModel):
    """Keeps the persons whose names, spellings, identifiers, nationality, birth date or links
    contain the filter text (any case)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wanted = ""

    def set_text(self, text: str) -> None:
        self.wanted = text.strip().casefold()
        self.setFilterFixedString(self.wanted)  # filters again (by ``filterAcceptsRow``)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 (Qt naming)
        if not self.wanted:
            return True
        person = self.sourceModel().index(row, 0, parent).data(ROW_ROLE)
        return person is not None and self.wanted in _haystack(person)


class PeoplePanel(QWidget):
    """See the module docstring; ``loaded`` fires after each reload (tests wait on it)."""

    loaded = Signal()

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.model = RecordsModel(PERSON_COLUMNS, self, tips={"identifiers": _ids_tip})
        self.links: list[dict] = []  # the case's person links (rel list shape)
        self.merges: dict[str, int] = {}  # uid -> merges into that person not undone
        self.ready = False  # the persons were read and are shown
        self._reading = 0  # reads asked for; only the newest one's reply is shown
        self._pending_reveal: str | None = None  # a person to select once the persons arrive
        self.proxy = PersonFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = records_view(self.proxy)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setStretchLastSection(False)
        # The identifiers take the spare width; the link count stays by the row's other cells.
        self.table.horizontalHeader().setSectionResizeMode(
            IDENTIFIERS_COLUMN, QHeaderView.ResizeMode.Stretch
        )
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
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.add_button.clicked.connect(self.add_person)
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self.split_selected)
        self.filter.textChanged.connect(self._filter)
        self._selected()
        self.reload()

    @property
    def persons(self) -> list[dict]:
        """The case's persons as read (the facade's order, by name), shown or not."""
        return self.model.rows

    def reload(self) -> None:
        """Read the persons, their links and merges on the DB worker; shown when they arrive,
        then ``loaded`` fires."""
        if self.host.book is None:
            return
        self._reading += 1
        reading, ref = self._reading, self.ref
        if not self.ready:
            self.count.setText("Reading persons…")

        def work(book):
            return (
                book.list_persons(case_ref=ref),
                book.list_person_links(case_ref=ref),
                book.person_merge_counts(case_ref=ref),
            )

        def done(result) -> None:
            if isValid(self) and reading == self._reading:
                self._show_read(*result)

        def failed(exc: BaseException) -> None:
            if isValid(self) and reading == self._reading:
                self.count.setText("")
                if not isinstance(exc, CasebookError):  # the case went meanwhile: nothing to say
                    self.host.present_error(exc)

        Op(self.host, work, label="Reading the persons").success(done).failure(failed).run()

    def _show_read(self, persons: list[dict], links: list[dict], merges: dict) -> None:
        chosen = [p["uid"] for p in self.selected_persons()]
        if self._pending_reveal is not None:
            chosen = [self._pending_reveal]
        self.links, self.merges = links, merges
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        self.model.set_rows(persons)
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row, p in enumerate(persons):  # the selection survives a reload
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if p["uid"] in chosen and index.isValid():
                selection.select(index, flags)
        selection.blockSignals(False)
        self.table.viewport().update()
        self.ready = True
        if self._pending_reveal is not None:
            pending, self._pending_reveal = self._pending_reveal, None
            self.reveal("person", pending)
        self._fit()
        self._count()
        self._selected()
        self.loaded.emit()

    def _fit(self) -> None:
        """Columns as wide as their contents (a long name at most 360 pixels)."""
        for column in range(len(PERSON_COLUMNS)):
            if column != IDENTIFIERS_COLUMN:
                self.table.resizeColumnToContents(column)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 360))

    def _filter(self) -> None:
        self.proxy.set_text(self.filter.text())
        self._count()
        self._selected()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), len(self.persons)
        text = plural(total, "person")
        self.count.setText(text if shown == total else f"{shown:,} of {text}")

    def shown_persons(self) -> list[dict]:
        """The persons the table shows, top to bottom (sorted and filtered as it is)."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    def selected_persons(self) -> list[dict]:
        """The selected persons, top to bottom as shown (rows the filter hides excluded)."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in rows]

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
        """Select a person (a search result, a person on the chart); True when the case has
        them (or, while the persons are still being read, once they arrive)."""
        if kind != "person":
            return False
        if not self.ready:
            self._pending_reveal = uid
            return True
        row = next((i for i, p in enumerate(self.persons) if p["uid"] == uid), -1)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # the filter hides them
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        selection = self.table.selectionModel()
        selection.setCurrentIndex(
            index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

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


def _ids(identifiers: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in identifiers.items())


def _ids_tip(p: dict) -> str:
    return "\n".join(f"{k} {v}" for k, v in p["identifiers"].items())


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
