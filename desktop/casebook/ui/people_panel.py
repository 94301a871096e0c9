"""The People tab: the persons of a case (names in their own script, birth date, nationality,
identifiers) with their links to firms and persons, a filter box, adding a person, merging two
and splitting a merge again (each undoable, audited by the facade like ``person merge|split``).

A case holds tens of persons, not millions: the list is a ``RecordsModel`` read on the DB worker,
shown as the Firms tab shows firms (headers that sort, Ctrl+C copies the selected rows whole, a
filter box). Below the table, the selected person's particulars, then their links: the firm or
person at the other end, the role, the share, the dates, the supporting evidence and the notes,
with Add link…, Edit… and Delete… (the ``PersonLinkDialog``; each change goes through the facade's
``add_relationship``/``edit_relationship``/``delete_relationship`` — ``rel add|edit|delete`` — on
the DB worker, and is one undoable command). Importing registry tables is on the command line.
"""

from __future__ import annotations

import re
from html import escape, unescape

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt, Signal
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
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.placeholders import show_prompt
from casebook.ui.relationship_dialog import (
    PersonLinkDialog,
    add_with_notes,
    edit_fields,
    stored_values,
)
from casebook.ui.table_model import RIGHT, ROW_ROLE, RecordsModel, TableColumn
from casebook.ui.table_view import records_view
from casebook.ui.undo import FacadeCommand, Recreated, UndoOnlyCommand
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
LINK_HEADERS = ["With", "Role", "Share", "From", "To", "Evidence", "Notes"]
LINK_ROLE = Qt.ItemDataRole.UserRole + 1
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
        self._recreated = Recreated()  # links an undo re-created under a new uid
        self._pending_link: str | None = None  # a link to select once the links arrive
        self._firm_names: dict[str, str] = {}  # the case's firms as last read for the dialog
        self.link_label = QLabel()
        self.link_list = QTreeWidget()
        self.link_list.setHeaderLabels(LINK_HEADERS)
        self.link_list.setRootIsDecorated(False)
        self.link_list.setAlternatingRowColors(True)
        self.link_list.setWordWrap(False)
        self.link_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.link_list.header().setStretchLastSection(True)
        char = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate((36, 22, 7, 11, 11, 9)):
            self.link_list.setColumnWidth(column, chars * char + 16)
        self.link_add = QPushButton("Add link…")
        self.link_add.setToolTip(
            "Record a role of the selected person in a firm (director, shareholder …) or a tie "
            "to another person (associate, family)"
        )
        self.link_edit = QPushButton("Edit…")
        self.link_delete = QPushButton("Delete…")
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
        links = QWidget()
        link_bar = QHBoxLayout()
        link_bar.addWidget(self.link_label, 1)
        for button in (self.link_add, self.link_edit, self.link_delete):
            link_bar.addWidget(button)
        link_box = QVBoxLayout(links)
        link_box.setContentsMargins(0, 4, 0, 0)
        link_box.addLayout(link_bar)
        link_box.addWidget(self.link_list)
        split.addWidget(links)
        split.setSizes([300, 180, 220])  # room for the particulars and links of the person
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
        self.link_add.clicked.connect(self.add_link)
        self.link_edit.clicked.connect(self.edit_link)
        self.link_delete.clicked.connect(self.delete_link)
        self.link_list.itemDoubleClicked.connect(lambda *_: self.edit_link())
        self.link_list.currentItemChanged.connect(lambda *_: self._link_buttons())
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
        self._pending_link = None  # shown if it is the selected person's; else not waited for
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
            self.detail.setHtml(_detail_html(p, self.merges.get(p["uid"], 0)))
        elif len(chosen) == 2:
            show_prompt(self.detail, TWO_SELECTED)
        else:
            show_prompt(self.detail, SELECT_A_PERSON)
        self.merge_button.setEnabled(len(chosen) == 2)
        self.split_button.setEnabled(p is not None and self.merges.get(p["uid"], 0) > 0)
        self._show_links(p, mine, many=len(chosen) > 1)

    # --- the selected person's links (each change undoable) -------------------------------

    def _show_links(self, p: dict | None, mine: list[dict], *, many: bool = False) -> None:
        keep = self._pending_link or (self.selected_link() or {}).get("uid")
        self.link_list.clear()
        if p is None:
            who = "one person" if many else "a person"
            self.link_label.setText(f"<b>Links</b> — select {who} to see and edit their links")
            self._link_buttons()
            return
        height = self.table.verticalHeader().defaultSectionSize()
        for cells, link in link_rows(p, mine):
            row = QTreeWidgetItem(cells)
            row.setData(0, LINK_ROLE, link)
            row.setSizeHint(0, QSize(0, height))  # as tall as the person rows above
            row.setTextAlignment(2, RIGHT)
            row.setTextAlignment(5, RIGHT)
            row.setToolTip(0, cells[0])
            evidence = "\n".join(f"{e['id']} {e['title']}" for e in link["evidence"])
            row.setToolTip(5, evidence or "No evidence supports it yet")
            row.setToolTip(6, link["notes"] or "")
            self.link_list.addTopLevelItem(row)
            if keep == link["uid"]:
                self.link_list.setCurrentItem(row)
                self._pending_link = None
        n = len(mine)
        self.link_label.setText(
            f"<b>Links</b> of {escape(p['name'])} — "
            + (f"{plural(n, 'link')} in this case" if n else "none recorded in this case")
        )
        self._link_buttons()

    def link_texts(self) -> list[tuple[str, ...]]:
        """The Links section as shown (for tests and accessibility)."""
        items = (self.link_list.topLevelItem(i) for i in range(self.link_list.topLevelItemCount()))
        return [tuple(item.text(c) for c in range(len(LINK_HEADERS))) for item in items]

    def shown_text(self) -> str:
        """The particulars and the links of the selected person, as a reader sees them."""
        rows = [LINK_HEADERS, *self.link_texts()] if self.link_texts() else []
        label = unescape(re.sub(r"<[^>]+>", "", self.link_label.text()))
        lines = [self.detail.toPlainText(), label]
        return "\n".join(lines + ["\t".join(r) for r in rows])

    def selected_link(self) -> dict | None:
        item = self.link_list.currentItem()
        return item.data(0, LINK_ROLE) if item is not None else None

    def select_link(self, uid: str) -> bool:
        for i in range(self.link_list.topLevelItemCount()):
            item = self.link_list.topLevelItem(i)
            if item.data(0, LINK_ROLE)["uid"] == uid:
                self.link_list.setCurrentItem(item)
                return True
        return False

    def _link_buttons(self) -> None:
        chosen = self.selected_persons()
        self.link_add.setEnabled(len(chosen) == 1)
        has = len(chosen) == 1 and self.selected_link() is not None
        self.link_edit.setEnabled(has)
        self.link_delete.setEnabled(has)

    def _link_do(self, text: str, apply, revert) -> None:
        """Run ``apply`` on the worker; when it succeeds, push it as one undoable command and
        select the link it made or changed."""
        changes = Changes(persons=True, relationships=True, evidence=True, case_ref=self.ref)

        def pushed(result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )
            if isinstance(result, dict) and result.get("uid") and isValid(self):
                self._pending_link = self._recreated.current(result["uid"])
                if self.select_link(self._pending_link):
                    self._pending_link = None

        Op(self.host, apply, label=text, changes=changes).success(pushed).run()

    def _ask_link(self, person: dict, link: dict | None, then) -> None:
        """Read the case's firms and evidence on the worker, then ask; ``then(values)``."""
        ref = self.ref

        def work(book):
            return book.case_firms(case_ref=ref), book.list_evidence(case_ref=ref)

        def asked(result) -> None:
            if not isValid(self):
                return
            firms, evidence = result
            self._firm_names.update({f["uid"]: f["name"] for f in firms})
            persons = [q for q in self.persons if q["uid"] != person["uid"]]
            values = PersonLinkDialog.ask(
                self, person=person, firms=firms, persons=persons, evidence=evidence, link=link
            )
            if values is not None:
                then(values)

        Op(self.host, work, label="Reading the firms").success(asked).run()

    def add_link(self) -> None:
        person = self.selected()
        if person is None or len(self.selected_persons()) != 1:
            return
        ref, state = self.ref, {}

        def add(values: dict) -> None:
            def apply(book):
                link = book.add_relationship(case_ref=ref, **values)
                self._recreated.added(state, link["uid"])
                return link

            def revert(book):
                return book.delete_relationship(self._recreated.current(state["uid"]))

            self._link_do(f"Add link {self._link_words(values)}", apply, revert)

        self._ask_link(person, None, add)

    def edit_link(self) -> None:
        person, old = self.selected(), self.selected_link()
        if person is None or old is None:
            return
        before = stored_values(old)
        uid, ref = old["uid"], self.ref
        notes = {e["uid"]: e["note"] for e in old["evidence"]}

        def edit(values: dict) -> None:
            if values == before:
                return
            text = f"Edit link {self._link_words(values)}"
            if (values["from_uid"], values["to_uid"]) == (old["from_uid"], old["to_uid"]):
                added = [e for e in values["evidence"] if e not in notes]
                removed = [e for e in notes if e not in values["evidence"]]

                def change(book, target: dict, link: list, unlink: list):
                    current = self._recreated.current(uid)
                    changed = book.edit_relationship(current, **edit_fields(target))
                    for e in unlink:
                        book.unlink_evidence(e, "personlink", current)
                    for e in link:
                        book.link_evidence(e, "personlink", current, note=notes.get(e, ""))
                    return changed

                self._link_do(
                    text,
                    lambda book: change(book, values, added, removed),
                    lambda book: change(book, before, removed, added),
                )
                return

            # Another end: the facade keeps a link's ends, so it is recorded anew (added first,
            # so a refusal loses nothing) and the old one deleted, both audited.
            def replace(book, target: dict):
                current = self._recreated.current(uid)
                link = add_with_notes(book, ref, target, notes, "personlink")
                book.delete_relationship(current)
                self._recreated.moved(current, link["uid"])
                return link

            self._link_do(
                text, lambda book: replace(book, values), lambda book: replace(book, before)
            )

        self._ask_link(person, old, edit)

    def delete_link(self) -> None:
        person, link = self.selected(), self.selected_link()
        if person is None or link is None or not self.confirm_delete_link(self, link):
            return
        uid, ref = link["uid"], self.ref
        notes = {e["uid"]: e["note"] for e in link["evidence"]}

        def revert(book):
            restored = add_with_notes(book, ref, stored_values(link), notes, "personlink")
            self._recreated.moved(uid, restored["uid"])
            return restored

        self._link_do(
            f"Delete link {self._link_words(stored_values(link))}",
            lambda book: book.delete_relationship(self._recreated.current(uid)),
            revert,
        )

    def _link_words(self, values: dict) -> str:
        """``Volkov Sergei → director of Huaxin Ltd`` (``shareholder (25%) of``)."""
        names = {p["uid"]: p["name"] for p in self.persons}
        names.update(self._end_names())
        share = f" ({values['share']:g}%)" if values.get("share") is not None else ""
        first = names.get(values["from_uid"], "?")
        second = names.get(values["to_uid"], "?")
        return f"{first} → {values['kind']}{share} of {second}"

    def _end_names(self) -> dict[str, str]:
        """The names of the ends of the case's links, as read (firms included)."""
        out = {}
        for k in self.links:
            out[k["from_uid"]], out[k["to_uid"]] = k["from_name"], k["to_name"]
        out.update(self._firm_names)
        return out

    @classmethod
    def confirm_delete_link(cls, parent, link: dict) -> bool:
        """Ask before deleting a link (tests patch this)."""
        n = len(link["evidence"])
        links = f"\n\nIts {plural(n, 'evidence link')} go with it." if n else ""
        answer = QMessageBox.question(
            parent,
            "Delete link",
            f"Delete the link “{link['label']}”?{links}\n\nEdit → Undo brings it back.",
        )
        return answer == QMessageBox.StandardButton.Yes

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


def link_rows(p: dict, links: list[dict]) -> list[tuple[list[str], dict]]:
    """The person's links seen from them: the other end (firm or person), role, share, dates,
    evidence count and notes; each with its link, the dated ones first by start."""
    rows = []
    for k in links:
        mine = "from" if k["from_uid"] == p["uid"] else "to"
        other = "to" if mine == "from" else "from"
        role = k["kind"].replace("_", " ")
        if mine == "to" and k[f"{other}_kind"] == "firm":  # a firm's link to the person
            role = f"{role} (from the firm)"
        evidence = k.get("evidence") or []
        cells = [f"{k[f'{other}_name']} ({k[f'{other}_kind']})", role, _share(k["share"]),
                 k["start"] or "—", k["end"] or "—", str(len(evidence)) if evidence else "",
                 " ".join((k.get("notes") or "").split())]  # fmt: skip
        rows.append((cells, k))
    return sorted(rows, key=lambda r: (r[0][3] == "—", r[0][3], r[0][0]))


def _detail_html(p: dict, merges: int = 0) -> str:
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
    return f"<table cellspacing=3>{html}</table>"


TAB = WorkspaceTab(
    key="people",
    title="People",
    factory=lambda host, ref: PeoplePanel(host, ref),
    shown=lambda counts: counts.get("persons", 0) > 0 or counts.get("firms", 0) > 0,
)
