"""The Firms tab: the case's firms and the merge-suggestion queue.

Above, the firms (native-script name, aliases, identifiers, countries, role, shipment count and
value) with a detail pane; below, the suggestions the import made ("probably the same firm")
with Accept, Accept keeping the other, and Reject. Two firms selected can be merged by hand; a
firm that absorbed another can be split again. Every change is one undoable command (Edit →
Undo), audited by the facade like the CLI's ``firms merge`` and ``firms split``. Files dropped
on a firm's row go into the evidence vault linked to that firm (hashed on the DB worker).

Between them, the selected firm's relationships in this case (ownership with its share,
subsidiary, supplier, customer, distributor/agent, shared address or officer, other; dates,
notes, supporting evidence) with Add…, Edit… and Delete… — also undoable and audited, like
``rel add``; the Network tab redraws its relationship edges when told.

Under the case's lens (the filter bar) the list keeps the firms with shipments in the slice,
and says so above the list.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QObject,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.core.names import with_countries
from casebook.core.numbers import money
from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.evidence_tab import NOTICE_STYLE, add_evidence_files, local_files
from casebook.ui.findings_panel import evidence_label
from casebook.ui.ops import Changes, Host, Op, read_only_flags
from casebook.ui.placeholders import show_prompt
from casebook.ui.relationship_dialog import (
    RelationshipDialog,
    add_with_notes,
    direction_of,
    edit_fields,
    firm_label,
    kind_label,
    phrase,
    stored_values,
)
from casebook.ui.table_model import (
    RIGHT,
    ROW_ROLE,
    RecordsModel,
    TableColumn,
    compact_money,
)
from casebook.ui.table_view import records_view, text_room
from casebook.ui.undo import FacadeCommand, Recreated
from casebook.ui.workspace import CaseWorkspace, WorkspaceTab

FIRM_COLUMNS = [
    TableColumn("label", "Name"),
    TableColumn("score", "Flags", align=RIGHT),  # what an analyst looks for first: in view
    TableColumn("listed", "Listed"),
    TableColumn("native_name", "Native name"),
    TableColumn("countries", "Countries", format=lambda v: ", ".join(v or [])),
    TableColumn("role", "Role"),
    TableColumn("shipments", "Shipments", align=RIGHT),
    TableColumn("value_usd", "Value (USD)", align=RIGHT, format=money, compact=compact_money),
    TableColumn("identifier_list", "Identifiers", format=lambda v: "; ".join(v or [])),
    TableColumn(
        "aliases",
        "Aliases",
        align=RIGHT,
        format=lambda v: str(len(v or [])),
        sort=lambda v: len(v or []),
    ),
]
#: Initial widths in characters; numeric columns then widen to their widest value.
FIRM_WIDTHS = [28, 5, 6, 18, 9, 12, 10, 13, 26, 7]
QUEUE_COLUMNS = [
    TableColumn("score", "Score", align=RIGHT, format=lambda v: f"{v:.2f}"),
    TableColumn("a", "Firm", format=lambda v: _label(v)),
    TableColumn("b", "Probably the same as", format=lambda v: _label(v)),
    TableColumn("reason", "Why"),
]
NATIVE_COLUMN = [c.key for c in FIRM_COLUMNS].index("native_name")
REL_HEADERS = ["Kind", "This firm", "Other firm", "Share", "Start", "End", "Evidence", "Note"]
REL_ROLE = Qt.ItemDataRole.UserRole


def _aliases(firm: dict) -> str:
    return "\n".join(firm.get("aliases") or [])


def _label(firm: dict) -> str:
    text = firm["name"]
    if firm.get("native_name"):
        text += f" / {firm['native_name']}"
    if firm.get("country"):
        text += f" ({firm['country']})"
    return text


def _view(model) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return records_view(proxy), proxy


SELECT_A_FIRM = (
    "Select a firm to see its names, identifiers, countries, flags and cases "
    "(select two to merge them)."
)


class FirmsTab(QWidget):
    """See the module docstring; ``loaded`` fires after each reload (tests wait on it)."""

    loaded = Signal()
    scored = Signal()  # the red-flag scores arrived and are shown
    detail_shown = Signal(dict)  # the selected firm's ``firms show`` arrived
    evidence_added = Signal(object)  # EvidenceAdded, after a file dropped on a firm was added

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self._book = host.book  # the store this tab's case is in
        self.workspace: CaseWorkspace | None = None
        self.lens = EVERYTHING
        self.lens_label = QLabel(wordWrap=True)
        self.lens_label.hide()
        self.firms = RecordsModel(
            FIRM_COLUMNS,
            self,
            tips={"aliases": _aliases, "score": _flags_tip, "listed": _listed_text},
            colours={"listed": {True: "#C5221F"}},
        )
        self.scores: dict[str, dict] | None = None  # red flags by firm uid, read on the worker
        self.ready = False  # the firms were read and are shown
        self._reading = 0  # reads asked for; only the newest one's reply is shown
        self._pending_reveal: str | None = None  # a firm to select once the firms arrive
        self._scoring = False
        host.worker.busy_changed.connect(self._worker_busy)  # scores wanted: read when idle
        self._shown_firm: dict | None = None  # ``firms show`` of the firm in the detail pane
        self.queue = RecordsModel(QUEUE_COLUMNS, self)
        self.firm_view, self.firm_proxy = _view(self.firms)
        self.queue_view, self.queue_proxy = _view(self.queue)
        self.filter = QLineEdit(placeholderText="Filter firms by name, identifier, country…")
        self.filter.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.firm_proxy.setFilterFixedString)
        self.count = QLabel()
        self.merge_button = QPushButton("Merge selected…")
        self.merge_button.setToolTip("Select two firms: the second is merged into the first")
        self.split_button = QPushButton("Split")
        self.split_button.setToolTip("Undo the newest merge into the selected firm")
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Merge: the firm on the right becomes an alias of the left")
        self.accept_other = QPushButton("Accept, keep right")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Not the same firm; the pair is not suggested again")
        self.queue_label = QLabel()
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.notice = QLabel(wordWrap=True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        self.relationships: list[dict] = []  # the case's, all of them
        self.person_links: list[dict] = []  # the case's links with a person end (People tab)
        self._recreated = Recreated()  # relationships an undo re-created under a new uid
        self.rel_label = QLabel()
        self.rel_list = QTreeWidget()
        self.rel_list.setHeaderLabels(REL_HEADERS)
        self.rel_list.setRootIsDecorated(False)
        self.rel_list.setAlternatingRowColors(True)
        self.rel_list.setWordWrap(False)
        self.rel_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rel_list.header().setStretchLastSection(True)
        char = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate((18, 26, 40, 7, 11, 11, 9)):
            self.rel_list.setColumnWidth(column, chars * char + 16)
        self.rel_add = QPushButton("Add…")
        self.rel_add.setToolTip("Record a relationship between the selected firm and another")
        self.rel_edit = QPushButton("Edit…")
        self.rel_delete = QPushButton("Delete…")
        self.firm_view.viewport().setAcceptDrops(True)
        self.firm_view.viewport().installEventFilter(self)
        self.firm_view.setToolTip("Drop files on a firm to add them as evidence about it")
        self._layout()
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self.split_selected)
        self.accept_button.clicked.connect(lambda: self.accept_selected(keep_first=True))
        self.accept_other.clicked.connect(lambda: self.accept_selected(keep_first=False))
        self.reject_button.clicked.connect(self.reject_selected)
        self.rel_add.clicked.connect(self.add_relationship)
        self.rel_edit.clicked.connect(self.edit_relationship)
        self.rel_delete.clicked.connect(self.delete_relationship)
        self.rel_list.itemDoubleClicked.connect(lambda *_: self.edit_relationship())
        self.rel_list.currentItemChanged.connect(lambda *_: self._rel_buttons())
        self.firm_view.selectionModel().selectionChanged.connect(self._firm_selection)
        self.queue_view.selectionModel().selectionChanged.connect(self._queue_selection)
        self.reload()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        hint = QLabel("drop files on a firm to add evidence about it")
        hint.setForegroundRole(hint.palette().ColorRole.PlaceholderText)
        bar.addWidget(hint)
        bar.addWidget(self.count)
        bar.addWidget(self.merge_button)
        bar.addWidget(self.split_button)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.firm_view)
        top.addWidget(self.detail)
        top.setSizes([820, 300])
        top.setChildrenCollapsible(False)
        queue_bar = QHBoxLayout()
        queue_bar.addWidget(self.queue_label, 1)
        for button in (self.accept_button, self.accept_other, self.reject_button):
            queue_bar.addWidget(button)
        self.queue_pane = lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addLayout(queue_bar)
        lower_layout.addWidget(self.queue_view, 1)
        rel_bar = QHBoxLayout()
        rel_bar.addWidget(self.rel_label, 1)
        for button in (self.rel_add, self.rel_edit, self.rel_delete):
            rel_bar.addWidget(button)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 4, 0, 0)
        middle_layout.addLayout(rel_bar)
        middle_layout.addWidget(self.rel_list, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(bar)
        upper_layout.addWidget(self.lens_label)
        upper_layout.addWidget(self.notice)
        upper_layout.addWidget(top, 1)
        split.addWidget(upper)
        split.addWidget(middle)
        split.addWidget(lower)
        split.setSizes([440, 190, 170])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(split)

    # --- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the firms, the merge queue and the relationships on the DB worker (on a
        million-shipment case the firms' totals took seconds on the GUI thread, issue 18);
        shown when they arrive, then ``loaded`` fires. Until the first read arrives the
        table says it is reading."""
        if self.host.book is None:
            return
        self._reading += 1
        reading, ref, lens = self._reading, self.ref, self.lens
        if not self.ready:
            self.count.setText("Reading firms…")

        def work(book):
            firms = book.case_firms(case_ref=ref)
            if lens:  # only the firms with shipments in the lens
                source = book.firm_page_source(ref, lens=lens)
                keep = {row[4] for row in source.fetch(0, source.count(), "name")}
                firms = [f for f in firms if f["uid"] in keep]
            _add_listings(firms, book.list_hits(case_ref=ref, status="confirmed"))
            _add_labels(firms)
            queue = book.merge_queue(case_ref=ref)
            rels = book.list_relationships(case_ref=ref, versions=True)
            return firms, queue, rels, book.list_person_links(case_ref=ref)

        def done(result) -> None:
            if isValid(self) and reading == self._reading:
                self._show_read(*result)

        def failed(exc: BaseException) -> None:
            if isValid(self) and reading == self._reading:
                self.count.setText("")
                if not isinstance(exc, CasebookError):
                    self.host.present_error(exc)

        Op(self.host, work, label="Reading the firms").success(done).failure(failed).run()

    def _show_read(
        self,
        firms: list[dict],
        queue: list[dict],
        relationships: list[dict],
        person_links: list[dict] = (),
    ) -> None:
        keep = [f["uid"] for f in self.selected_firms()]
        if self._pending_reveal is not None:
            keep = [self._pending_reveal]
        self._shown_firm = None  # read again: a merge or an import changes its countries
        self._show_lens_label()
        _add_flags(firms, self.scores)
        self.firms.set_rows(firms)
        self.queue.set_rows(queue)
        self.relationships = relationships
        self.person_links = list(person_links)
        self.ready = True
        self._reselect(keep)
        if self._pending_reveal is not None:
            pending, self._pending_reveal = self._pending_reveal, None
            self.reveal("firm", pending)
        self._fit(self.firm_view, FIRM_WIDTHS)
        # Names are kept in their own script; a separate native name is rare. An empty column
        # for every firm only takes room.
        has_native = any(f.get("native_name") for f in firms)
        self.firm_view.setColumnHidden(NATIVE_COLUMN, not has_native)
        self._fit(self.queue_view, [6, 42, 42, 30])
        n, q = len(self.firms.rows), len(self.queue.rows)
        self.count.setText(plural(n, "firm"))
        self.queue_label.setText(
            f"<b>Merge suggestions</b> — {q:,} open"
            if q
            else "<b>Merge suggestions</b> — none open"
        )
        self._show_queue(bool(q))
        self._firm_selection()
        self._queue_selection()
        if self.scores is None and not self._scoring:
            self._read_scores()
        self.loaded.emit()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self._read_scores()

    def _worker_busy(self, busy: bool) -> None:
        if not busy and isValid(self):
            self._read_scores()

    def _read_scores(self) -> None:
        """Red flags scan every shipment: read on the worker, shown when they arrive. The
        scan waits until the tab is shown or the worker has nothing else to do, so that it
        never holds up the reads of the tab the analyst opens."""
        if self.scores is not None or self._scoring or self.host.book is not self._book:
            return  # a tab left behind by another store's opening asks that store nothing
        if not self.isVisible() and self.host.worker.busy:
            return  # asked again when shown or when the worker is idle
        ref = self.ref
        self._scoring = True
        Op(
            self.host,
            lambda book: read_only_flags(book.flags(case_ref=ref)),
            label="Scoring red flags",
        ).success(self._scores_arrived).failure(self._scores_failed).run()

    def _scores_failed(self, exc: BaseException) -> None:
        self._scoring = False
        self.host.present_error(exc)

    def _scores_arrived(self, result: dict) -> None:
        self._scoring = False
        self.scores = {f["uid"]: f for f in result["firms"]}
        _add_flags(self.firms.rows, self.scores)
        self.firms.rows_changed()
        self._fit(self.firm_view, FIRM_WIDTHS)
        self._show_detail()
        self.scored.emit()

    # --- the lens ---------------------------------------------------------------------------

    def set_workspace(self, workspace: CaseWorkspace) -> None:
        self.workspace = workspace

    def set_lens(self, lens: ShipmentFilter) -> None:
        """List only the firms with shipments in ``lens`` (the filter bar's)."""
        if lens == self.lens:
            return
        self.lens = lens
        self.reload()

    def _show_lens_label(self) -> None:
        """Name the lens above the firms (hidden without one)."""
        words = self.workspace.describe(self.lens) if self.workspace else self.lens.describe()
        self.lens_label.setText(
            f"<b>Filtered:</b> {_escape(words)} — the firms with shipments in this slice; "
            "their counts and values are the whole case's."
        )
        self.lens_label.setVisible(bool(self.lens))

    def _show_queue(self, shown: bool) -> None:
        """An empty merge queue shrinks to its heading, leaving the room to the lists above."""
        for widget in (self.queue_view, self.accept_button, self.accept_other, self.reject_button):
            widget.setVisible(shown)
        self.queue_pane.setMaximumHeight(
            16_777_215 if shown else self.queue_label.sizeHint().height() + 8
        )

    @staticmethod
    def _fit(view: QTableView, widths: list[int]) -> None:
        """Columns ``widths`` characters wide; a numeric one as wide as its widest value, so
        no digit is cut (a value dragged narrower shows in its compact unit)."""
        metrics = view.fontMetrics()
        char = metrics.averageCharWidth()
        model = view.model()
        for i, w in enumerate(widths):
            width = w * char + 16
            if model.headerData(
                i, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
            ) == int(RIGHT):
                widest = max((metrics.horizontalAdvance(t) for t in _longest(model, i)), default=0)
                width = max(width, widest + width - text_room(view, width))
            view.setColumnWidth(i, width)

    def _reselect(self, uids: list[str]) -> None:
        """Select the firms of ``uids`` again after a reload (those still in the case)."""
        model = self.firm_view.selectionModel()
        flags = model.SelectionFlag.Select | model.SelectionFlag.Rows
        for row, firm in enumerate(self.firms.rows):
            if firm["uid"] in uids:
                index = self.firm_proxy.mapFromSource(self.firms.index(row, 0))
                if index.isValid():
                    model.select(index, flags)

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("firms", "shipments", "datasets", "hits"):
            if changes.touches("firms", "shipments", "datasets"):
                self.scores = None  # scored again after the reload
            self.reload()
        elif changes.touches("relationships", "evidence"):
            self.reload_relationships()
        if changes.touches("persons") and not changes.touches(
            "firms", "shipments", "datasets", "hits"
        ):
            self.reload_people()

    def reload_people(self) -> None:
        """Read the case's person links on the DB worker; the firm's detail shows its people."""
        if self.host.book is None:
            return
        ref = self.ref

        def done(links: list[dict]) -> None:
            if isValid(self):
                self.person_links = links
                self._show_detail()

        Op(
            self.host, lambda book: book.list_person_links(case_ref=ref), label="Reading the people"
        ).success(done).failure(self._firm_failed).run()

    def reload_relationships(self) -> None:
        if self.host.book is None:
            return
        self.relationships = self.host.book.list_relationships(case_ref=self.ref, versions=True)
        self._show_relationships()
        self.loaded.emit()

    def selected_firms(self) -> list[dict]:
        rows = self.firm_view.selectionModel().selectedRows()
        return [self.firm_proxy.data(i, ROW_ROLE) for i in rows]

    def selected_suggestion(self) -> dict | None:
        rows = self.queue_view.selectionModel().selectedRows()
        return self.queue_proxy.data(rows[0], ROW_ROLE) if rows else None

    def _firm_selection(self, *_args) -> None:
        firms = self.selected_firms()
        self.merge_button.setEnabled(len(firms) == 2)
        self.split_button.setEnabled(len(firms) == 1 and firms[0].get("merges", 0) > 0)
        self._show_detail()
        if len(firms) == 1 and (self._shown_firm or {}).get("uid") != firms[0]["uid"]:
            self._read_firm(firms[0]["uid"])
        self._show_relationships()

    def _show_detail(self) -> None:
        firm = self.selected_firm()
        shown = (
            self._shown_firm
            if firm and (self._shown_firm or {}).get("uid") == firm["uid"]
            else None
        )
        if firm:
            people = [k for k in self.person_links if firm["uid"] in (k["from_uid"], k["to_uid"])]
            self.detail.setHtml(_detail_html(firm, shown, people))
        else:
            show_prompt(self.detail, SELECT_A_FIRM)

    def _read_firm(self, uid: str) -> None:
        """The firm's dispatch and destination countries (``firms show``), on the worker."""
        Op(self.host, lambda book: book.show_firm(uid), label="Reading the firm").success(
            self._firm_arrived
        ).failure(self._firm_failed).run()

    def _firm_failed(self, exc: BaseException) -> None:
        """A firm merged away meanwhile is gone from the list the reload shows; say nothing."""
        if not isinstance(exc, CasebookError):
            self.host.present_error(exc)

    def _firm_arrived(self, shown: dict) -> None:
        self._shown_firm = shown
        self._show_detail()
        self.detail_shown.emit(shown)

    def _queue_selection(self, *_args) -> None:
        has = self.selected_suggestion() is not None
        for button in (self.accept_button, self.accept_other, self.reject_button):
            button.setEnabled(has)

    # --- relationships of the selected firm ------------------------------------------------

    def selected_firm(self) -> dict | None:
        firms = self.selected_firms()
        return firms[0] if len(firms) == 1 else None

    def firm_relationships(self, uid: str) -> list[dict]:
        return [r for r in self.relationships if uid in (r["from_uid"], r["to_uid"])]

    def _show_relationships(self) -> None:
        keep = self.selected_relationship()
        firm = self.selected_firm()
        self.rel_list.clear()
        if firm is None:
            many = len(self.selected_firms()) > 1
            self.rel_label.setText(
                "<b>Relationships</b> — select "
                + ("one firm" if many else "a firm")
                + " to see and edit its relationships"
            )
            self._rel_buttons()
            return
        rels = self.firm_relationships(firm["uid"])
        labels = {f["uid"]: firm_label(f) for f in self.firms.rows}
        height = self.firm_view.verticalHeader().defaultSectionSize()
        for rel in rels:
            row = QTreeWidgetItem(relationship_row(rel, firm["uid"], labels))
            row.setData(0, REL_ROLE, rel)
            row.setSizeHint(0, QSize(0, height))  # as tall as the firm rows above
            row.setTextAlignment(3, RIGHT)
            row.setTextAlignment(6, RIGHT)
            row.setToolTip(1, f"{firm['name']} {row.text(1)} {row.text(2)}")
            row.setToolTip(2, row.text(2))
            evidence = "\n".join(evidence_label(e) for e in rel["evidence"])
            row.setToolTip(6, evidence or "No evidence supports it yet")
            row.setToolTip(7, rel["notes"] or "")
            self.rel_list.addTopLevelItem(row)
            if keep and keep["uid"] == rel["uid"]:
                self.rel_list.setCurrentItem(row)
        n = len(rels)
        self.rel_label.setText(
            f"<b>Relationships</b> of {_escape(firm['name'])} — "
            + (f"{n} in this case" if n else "none recorded in this case")
        )
        self._rel_buttons()

    def relationship_rows(self) -> list[tuple[str, ...]]:
        """The Relationships section as shown (for tests and accessibility)."""
        items = (self.rel_list.topLevelItem(i) for i in range(self.rel_list.topLevelItemCount()))
        return [tuple(item.text(c) for c in range(len(REL_HEADERS))) for item in items]

    def selected_relationship(self) -> dict | None:
        item = self.rel_list.currentItem()
        return item.data(0, REL_ROLE) if item is not None else None

    def select_relationship(self, uid: str) -> bool:
        for i in range(self.rel_list.topLevelItemCount()):
            item = self.rel_list.topLevelItem(i)
            if item.data(0, REL_ROLE)["uid"] == uid:
                self.rel_list.setCurrentItem(item)
                return True
        return False

    def _rel_buttons(self) -> None:
        firm = self.selected_firm()
        self.rel_add.setEnabled(firm is not None and len(self.firms.rows) > 1)
        has = firm is not None and self.selected_relationship() is not None
        self.rel_edit.setEnabled(has)
        self.rel_delete.setEnabled(has)

    def _rel_do(self, text: str, apply, revert) -> None:
        changes = Changes(relationships=True, evidence=True, case_ref=self.ref)

        def pushed(result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )
            if isinstance(result, dict) and result.get("uid"):
                self.select_relationship(self._recreated.current(result["uid"]))

        Op(self.host, apply, label=text, changes=changes).success(pushed).run()

    def _ask(self, firm: dict, relationship: dict | None = None) -> dict | None:
        evidence = self.host.book.list_evidence(case_ref=self.ref)
        return RelationshipDialog.ask(
            self, firm=firm, firms=self.firms.rows, evidence=evidence, relationship=relationship
        )

    def add_relationship(self) -> None:
        firm = self.selected_firm()
        if firm is None:
            return
        values = self._ask(firm)
        if values is None:
            return
        ref, state = self.ref, {}

        def apply(book):
            rel = book.add_relationship(case_ref=ref, **values)
            self._recreated.added(state, rel["uid"])
            return rel

        def revert(book):
            return book.delete_relationship(self._recreated.current(state["uid"]))

        self._rel_do(f"Add {kind_label(values['kind']).lower()} relationship", apply, revert)

    def edit_relationship(self) -> None:
        firm, old = self.selected_firm(), self.selected_relationship()
        if firm is None or old is None:
            return
        values = self._ask(firm, old)
        if values is None:
            return
        before = stored_values(old)
        if values == before:
            return
        uid, ref = old["uid"], self.ref
        notes = {e["uid"]: e["note"] for e in old["evidence"]}
        text = f"Edit {kind_label(old['kind']).lower()} relationship"
        if (values["from_uid"], values["to_uid"]) == (old["from_uid"], old["to_uid"]):
            added = [e for e in values["evidence"] if e not in notes]
            removed = [e for e in notes if e not in values["evidence"]]

            read = {"version": old.get("version")}  # checked by the first save only

            def change(book, target: dict, link: list, unlink: list, version=None):
                current = self._recreated.current(uid)
                rel = book.edit_relationship(current, **edit_fields(target), version=version)
                for e in unlink:
                    book.unlink_evidence(e, "relationship", current)
                for e in link:
                    book.link_evidence(e, "relationship", current, note=notes.get(e, ""))
                return rel

            self._rel_do(
                text,
                lambda book: change(book, values, added, removed, read.pop("version", None)),
                lambda book: change(book, before, removed, added),
            )
            return

        # Other ends: the facade keeps a relationship's firms, so it is recorded anew (added
        # first, so a refusal loses nothing) and the old one deleted, both audited.
        def replace(book, target: dict):
            current = self._recreated.current(uid)
            rel = add_with_notes(book, ref, target, notes)
            book.delete_relationship(current)
            self._recreated.moved(current, rel["uid"])
            return rel

        self._rel_do(text, lambda book: replace(book, values), lambda book: replace(book, before))

    def delete_relationship(self) -> None:
        firm, rel = self.selected_firm(), self.selected_relationship()
        if firm is None or rel is None or not self.confirm_delete_relationship(self, rel, firm):
            return
        uid, ref = rel["uid"], self.ref
        notes = {e["uid"]: e["note"] for e in rel["evidence"]}

        def revert(book):
            restored = add_with_notes(book, ref, stored_values(rel), notes)
            self._recreated.moved(uid, restored["uid"])
            return restored

        self._rel_do(
            f"Delete {kind_label(rel['kind']).lower()} relationship",
            lambda book: book.delete_relationship(self._recreated.current(uid)),
            revert,
        )

    @classmethod
    def confirm_delete_relationship(cls, parent, rel: dict, firm: dict) -> bool:
        """Ask before deleting a relationship (tests patch this)."""
        direction, _other, other_name = direction_of(rel, firm["uid"])
        n = len(rel["evidence"])
        links = f"\n\nIts {plural(n, 'evidence link')} go with it." if n else ""
        answer = QMessageBox.question(
            parent,
            "Delete relationship",
            f"Delete the relationship “{firm['name']} {phrase(rel['kind'], direction, rel['share'])}"
            f" {other_name}”?{links}\n\nEdit → Undo brings it back.",
        )
        return answer == QMessageBox.StandardButton.Yes

    # --- changes (each undoable) -----------------------------------------------------------

    def _changes(self) -> Changes:
        return Changes(firms=True, shipments=True, case_ref=self.ref)

    def _do(self, text: str, apply, revert) -> None:
        changes = self._changes()

        def pushed(_result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )

        Op(self.host, apply, label=text, changes=changes).success(pushed).run()

    def accept_selected(self, *, keep_first: bool = True) -> None:
        s = self.selected_suggestion()
        if s is None:
            return
        keep = s["a"] if keep_first else s["b"]
        other = s["b"] if keep_first else s["a"]
        sid = s["id"]
        self._do(
            f"Merge {other['name']} into {keep['name']}",
            lambda book: book.accept_suggestion(sid, keep=keep["uid"]),
            lambda book: book.reopen_suggestion(sid),
        )

    def reject_selected(self) -> None:
        s = self.selected_suggestion()
        if s is None:
            return
        sid = s["id"]
        self._do(
            f"Reject suggestion {s['a']['name']} / {s['b']['name']}",
            lambda book: book.dismiss_suggestion(sid),
            lambda book: book.reopen_suggestion(sid),
        )

    def merge_selected(self) -> None:
        firms = self.selected_firms()
        if len(firms) != 2:
            return
        keep, other = firms
        if not self.confirm_merge(self, keep, other):
            return
        k, o = keep["uid"], other["uid"]
        self._do(
            f"Merge {other['name']} into {keep['name']}",
            lambda book: book.merge_firms(keep=k, other=o),
            lambda book: book.split_firm(o),
        )

    def split_selected(self) -> None:
        firms = self.selected_firms()
        if len(firms) != 1:
            return
        uid = firms[0]["uid"]
        state: dict = {}

        def apply(book):
            result = book.split_firm(state.get("restored", uid))
            state.update(result)
            return result

        def revert(book):
            return book.merge_firms(keep=state["keep"], other=state["restored"])

        self._do(f"Split {firms[0]['name']}", apply, revert)

    # --- selecting (search box, other tabs) and evidence dropped on a firm ----------------

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a firm (the search box or another tab asked); True when the case has it."""
        if kind != "firm":
            return False
        if not self.ready:  # still reading: selected once the firms arrive
            self._pending_reveal = uid
            return True
        row = next((i for i, f in enumerate(self.firms.rows) if f["uid"] == uid), -1)
        if row < 0:
            return False
        index = self.firm_proxy.mapFromSource(self.firms.index(row, 0))
        if not index.isValid():  # the filter hides it
            self.filter.clear()
            index = self.firm_proxy.mapFromSource(self.firms.index(row, 0))
        # Exactly this firm, whatever keys are held: ``selectRow`` under Ctrl toggles, and the
        # row is often selected already (kept across the read that just arrived), so a Ctrl
        # held (or left pressed by an earlier key event) unselected it.
        model = self.firm_view.selectionModel()
        flags = model.SelectionFlag.ClearAndSelect | model.SelectionFlag.Rows
        model.setCurrentIndex(index, flags)
        self.firm_view.scrollTo(index)
        return True

    def firm_at(self, point: QPoint) -> dict | None:
        """The firm of the row under ``point`` (viewport coordinates)."""
        index = self.firm_view.indexAt(point)
        return self.firm_proxy.data(index, ROW_ROLE) if index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Drags of local files over the firm rows: accepted on a row, dropped → evidence."""
        kinds = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
        if watched is self.firm_view.viewport() and event.type() in kinds:
            point = event.position().toPoint()
            firm = self.firm_at(point) if local_files(event.mimeData()) else None
            if firm is None:
                event.ignore()
                # Enter must be accepted for moves to follow; a move off the rows is refused.
                if event.type() == QEvent.Type.DragEnter and local_files(event.mimeData()):
                    event.acceptProposedAction()
                return True
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.drop_files(local_files(event.mimeData()), firm)
            else:
                self.firm_view.selectRow(self.firm_view.indexAt(point).row())
            return True
        return super().eventFilter(watched, event)

    def drop_files(self, paths: list, firm: dict) -> int:
        """Add files to the vault linked to ``firm`` (asks for title and grade first)."""
        return add_evidence_files(
            self,
            self.host,
            self.ref,
            paths,
            link=("firm", firm["uid"]),
            done=lambda added: self._evidence_added(added, firm),
        )

    def _evidence_added(self, added, firm: dict) -> None:
        e = added.evidence
        again = " (already in the vault: same SHA-256)" if added.existing else ""
        self.notice.setText(
            f"{e['id']} “{e['title']}”{again} now supports {firm['name']}; "
            "the Evidence tab lists it."
        )
        self.notice.show()
        self.evidence_added.emit(added)

    @classmethod
    def confirm_merge(cls, parent, keep: dict, other: dict) -> bool:
        """Ask before a merge by hand (tests patch this)."""
        answer = QMessageBox.question(
            parent,
            "Merge firms",
            f"Merge “{other['name']}” into “{keep['name']}”?\n\nIts shipments, aliases and "
            "identifiers move to the kept firm. Edit → Undo or Split reverses it.",
        )
        return answer == QMessageBox.StandardButton.Yes


def relationship_row(rel: dict, firm_uid: str, labels: dict | None = None) -> list[str]:
    """A relationship as the Firms tab lists it, seen from ``firm_uid`` (``labels``: the
    case's firms as ``NAME / 本地名 (CN)`` by uid)."""
    direction, other, other_name = direction_of(rel, firm_uid)
    share = rel["share"]
    return [
        kind_label(rel["kind"]),
        phrase(rel["kind"], direction),
        (labels or {}).get(other) or other_name or "?",
        "" if share is None else f"{share:g} %",
        rel["start"] or "",
        rel["end"] or "",
        str(len(rel["evidence"])) if rel["evidence"] else "",
        " ".join((rel["notes"] or "").split()),
    ]


def _escape(text: str) -> str:
    from html import escape

    return escape(text or "")


def _longest(model, column: int, keep: int = 8) -> list[str]:
    """The ``keep`` longest texts of a numeric column, to measure: formatted from the records
    in Python, not asked of the view cell by cell and measured each (thousands of firms took
    seconds on the GUI thread, issue 18)."""
    source = model.sourceModel() if hasattr(model, "sourceModel") else model
    rows, columns = getattr(source, "rows", None), getattr(source, "columns", None)
    if rows is None or columns is None:
        texts = [model.index(r, column).data() or "" for r in range(model.rowCount())]
    else:
        spec = columns[column]
        texts = [spec.format(row.get(spec.key)) or "" for row in rows]
    return sorted(texts, key=len, reverse=True)[:keep]


def _add_listings(firms: list[dict], confirmed_hits: list[dict]) -> None:
    """Each firm's ``listings``: the lists (name, version) of its confirmed screening hits."""
    by_firm: dict[str, list[tuple[str, int | None, bool]]] = {}
    for hit in confirmed_hits:
        listing = (hit["list"], hit.get("version"), hit.get("current", True))
        if listing not in by_firm.setdefault(hit["firm_uid"], []):
            by_firm[hit["firm_uid"]].append(listing)
    for firm in firms:
        firm["listings"] = by_firm.get(firm["uid"], [])


def _listed_text(firm: dict) -> str:
    """ "yes — confirmed screening hit on OFAC SDN (version 3)", or "no"."""
    if not firm.get("listed"):
        return "no"
    listings = firm.get("listings") or []
    if not listings:
        return "yes — confirmed screening hit"
    names = [
        f"{name}, version {version}{'' if current else ' (an earlier one)'}"
        if version is not None
        else name
        for name, version, current in listings
    ]
    return "yes — confirmed screening hit on " + "; ".join(names)


def _add_labels(firms: list[dict]) -> None:
    """Each firm's ``label``: its name, and its country beside it where firms share a name."""
    labels = with_countries([(firm["name"], firm.get("country")) for firm in firms])
    for firm, label in zip(firms, labels, strict=True):
        firm["label"] = label


def _add_flags(firms: list[dict], scores: dict[str, dict] | None) -> None:
    """Each firm's red-flag ``score`` and ``flags`` (None until the scores arrive)."""
    for firm in firms:
        flagged = None if scores is None else scores.get(firm["uid"])
        firm["score"] = None if scores is None else (flagged or {}).get("score", 0)
        firm["flags"] = None if scores is None else (flagged or {}).get("flags", ())


def _flags_tip(firm: dict) -> str:
    """The firm's red flags in full, one per paragraph (the cell shows only the score)."""
    if firm.get("flags") is None:
        return "Red flags: being scored…"
    if not firm["flags"]:
        return "No red flag"
    return "\n\n".join(f"{f['title']}: {f['reason']}" for f in firm["flags"])


#: Facts that are numbers, kept on one line: a narrow pane wraps text, never digits.
_NUMBERS = ("Shipments", "Value (USD)", "Red-flag score")
_NOWRAP = " style='white-space:nowrap'"


def _detail_html(firm: dict, shown: dict | None = None, people=()) -> str:
    """The detail pane; ``shown`` (``firms show``) adds, once read, the countries its shipments
    leave from (as exporter) and arrive in (as importer); ``people``, the firm's person links
    (directors, owners …: edited on the People tab), read-only."""
    from html import escape

    parts = [f"<h3>{escape(firm['name'])}</h3>"]
    if firm.get("native_name"):
        parts.append(f"<p style='font-size:13pt'>{escape(firm['native_name'])}</p>")
    facts = [
        ("Countries", ", ".join(firm.get("countries") or []) or "—"),
        ("Role", firm.get("role") or "—"),
        ("Shipments", f"{firm['shipments']:,}"),
        ("Value (USD)", money(firm["value_usd"])),
        ("Listed", _listed_text(firm)),
        ("Merged firms", str(firm.get("merges") or 0)),
    ]
    if shown is not None:  # as exporter, as importer; a trader may ship from several
        facts[1:1] = [
            (title, ", ".join(shown[key]))
            for title, key in (
                ("Ships from", "dispatch_countries"),
                ("Receives in", "destination_countries"),
            )
            if shown.get(key)
        ]
    if firm.get("score") is not None:
        facts.append(("Red-flag score", f"{firm['score']:g}"))
    # One line per fact, label then value: a narrow pane wraps between words, never inside
    # a word or a number.
    parts.append(
        "".join(
            f"<p style='margin:2px 0'><b>{k}</b> "
            f"<span{_NOWRAP if k in _NUMBERS else ''}>{escape(v)}</span></p>"
            for k, v in facts
        )
    )
    if people:  # the people behind it first: they are what an investigator looks for next
        items = "".join(f"<li>{escape(_person_role(k, firm['uid']))}</li>" for k in people)
        parts.append(
            f"<p><b>People</b> <span style='color:gray'>(edit on the People tab)</span></p><ul>{items}</ul>"
        )
    if firm.get("flags"):
        items = "".join(
            f"<li><b>{escape(f['title'])}</b>: {escape(f['reason'])}</li>" for f in firm["flags"]
        )
        parts.append(f"<p><b>Red flags</b></p><ul>{items}</ul>")
    if firm.get("identifier_list"):
        items = "".join(f"<li>{escape(i)}</li>" for i in firm["identifier_list"])
        parts.append(f"<p><b>Identifiers</b></p><ul>{items}</ul>")
    if firm.get("aliases"):
        items = "".join(f"<li>{escape(a)}</li>" for a in firm["aliases"])
        parts.append(f"<p><b>Aliases</b></p><ul>{items}</ul>")
    parts.append(f"<p style='color:gray'>uid {firm['uid']}</p>")
    return "".join(parts)


def _person_role(link: dict, firm_uid: str) -> str:
    """``Lin Haoran — director, 2021-06-01 – now``: a person's link to the firm, in words."""
    end = "from" if link["to_uid"] == firm_uid else "to"
    share = f" {link['share']:g}%" if link["share"] is not None else ""
    dates = ""
    if link["start"] or link["end"]:
        dates = f", {link['start'] or '…'} – {link['end'] or 'now'}"
    return f"{link[f'{end}_name']} — {link['kind']}{share}{dates}"


TAB = WorkspaceTab(
    key="firms",
    title="Firms",
    factory=lambda host, ref: FirmsTab(host, ref),
    shown=lambda counts: counts.get("firms", 0) > 0,
)
