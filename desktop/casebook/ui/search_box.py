"""The search box (Ctrl+K): one query over cases, firms, shipments, evidence and findings.

Results come grouped by kind; Enter opens the highlighted one: a case opens its workspace, any
other item selects its case and the tab that shows it: a firm in the Firms tab, a shipment in
the Shipments tab (its day and firm shown, the row selected), evidence in the Evidence tab,
a finding in the Findings tab; otherwise any tab whose ``reveal`` knows the item.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTreeView,
    QVBoxLayout,
)

from casebook.core.errors import CasebookError
from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.ops import Op

GROUPS = [
    ("case", "Cases"),
    ("firm", "Firms"),
    ("shipment", "Shipments"),
    ("evidence", "Evidence"),
    ("finding", "Findings"),
    ("person", "Persons"),
]
RESULT_ROLE = Qt.ItemDataRole.UserRole
NAVIGATION_KEYS = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)


def group_items(results: list[dict]) -> list[QStandardItem]:
    """One heading item per kind that has results, the results as its children."""
    groups = []
    for kind, title in GROUPS:
        hits = [r for r in results if r["kind"] == kind]
        if not hits:
            continue
        more = "50+" if len(hits) >= 50 else str(len(hits))
        heading = QStandardItem(f"{title} · {more}")
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        heading.setFont(theme.scaled_font(heading.font(), 0.92, bold=True))
        for hit in hits:
            label = hit["title"] + (f"   {hit['case_ref']}" if hit["case_ref"] else "")
            child = QStandardItem(label)
            child.setEditable(False)
            child.setData(hit, RESULT_ROLE)
            if hit["snippet"] and hit["snippet"] != hit["title"]:
                child.setToolTip(hit["snippet"])
            heading.appendRow(child)
        groups.append(heading)
    return groups


class SearchBox(QFrame):
    """A popup with a line edit over grouped results."""

    results_shown = Signal()
    opened = Signal(str, str, str)  # kind, uid, case ref: after the item is shown

    def __init__(self, window: QMainWindow):
        super().__init__(window, Qt.WindowType.Popup)
        self.window_ = window
        self.host = window.host
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edit = QLineEdit(placeholderText="Search cases, firms, shipments, evidence, findings")
        self.edit.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.edit.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.view = QTreeView(headerHidden=True, rootIsDecorated=False)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the line edit
        self.status = QLabel()
        self.status.setForegroundRole(self.status.palette().ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self._seq = 0
        self._shown_text: str | None = None
        self._open_when_ready = False
        self._debounce = QTimer(self, singleShot=True, interval=180, timeout=self.run_search)
        self.edit.textChanged.connect(self._debounce.start)
        self.edit.returnPressed.connect(self.open_current)
        self.edit.installEventFilter(self)
        self.view.activated.connect(lambda index: self.open_index(index))
        self.view.clicked.connect(lambda index: self.open_index(index))

    @classmethod
    def for_window(cls, window: QMainWindow) -> SearchBox:
        """The window's search box, made on first use."""
        box = window.findChild(cls)
        return box if box is not None else cls(window)

    def popup(self) -> None:
        """Show the box across the top of the window, text selected for a new query."""
        width = min(720, max(420, self.window_.width() - 80))
        height = min(520, max(240, self.window_.height() - 120))
        top_left = self.window_.mapToGlobal(QPoint((self.window_.width() - width) // 2, 60))
        self.setGeometry(top_left.x(), top_left.y(), width, height)
        self.show()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self.edit.selectAll()

    # --- searching ------------------------------------------------------------------------

    def run_search(self) -> None:
        self._debounce.stop()
        text = self.edit.text().strip()
        self._seq += 1
        seq = self._seq
        if not text:
            self._show({"results": []}, seq, text)
            return
        Op(self.host, lambda book: book.search(text), label="Searching").success(
            lambda found: self._show(found, seq, text)
        ).failure(lambda exc: self._failed(exc, seq)).run()

    def _show(self, found: dict, seq: int, text: str) -> None:
        if seq != self._seq:  # an older query answered late
            return
        self.model.clear()
        for group in group_items(found["results"]):
            self.model.appendRow(group)
        self.view.expandAll()
        n = len(found["results"])
        self.status.setText(
            (f"{plural(n, 'result')} · Enter opens" if n else "Nothing found")
            if text
            else "Type to search; 3+ characters match inside words"
        )
        self._shown_text = text
        self._select_first()
        self.results_shown.emit()
        if self._open_when_ready:
            self._open_when_ready = False
            self.open_current()

    def _failed(self, exc: BaseException, seq: int) -> None:
        if seq == self._seq:
            message = exc.message if isinstance(exc, CasebookError) else str(exc)
            self.status.setText(message)
            self._open_when_ready = False

    def _select_first(self) -> None:
        if self.model.rowCount() and self.model.item(0).rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0, self.model.index(0, 0)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Up and Down move through the results while the cursor stays in the text."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            if event.key() in NAVIGATION_KEYS:
                self._step(1 if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) else -1)
                return True
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        rows = [
            self.model.index(c, 0, self.model.index(g, 0))
            for g in range(self.model.rowCount())
            for c in range(self.model.item(g).rowCount())
        ]
        if not rows:
            return
        current = self.view.currentIndex()
        at = next((i for i, idx in enumerate(rows) if idx == current), -1)
        self.view.setCurrentIndex(rows[max(0, min(len(rows) - 1, at + delta))])

    # --- opening --------------------------------------------------------------------------

    def open_current(self) -> None:
        """Open the highlighted result (searching first if the text changed since)."""
        if self._shown_text != self.edit.text().strip() or self._debounce.isActive():
            self._open_when_ready = True
            self.run_search()
            return
        self.open_index(self.view.currentIndex())

    def open_index(self, index) -> None:
        result = index.data(RESULT_ROLE) if index.isValid() else None
        if not result:
            return
        self.hide()
        if result["kind"] == "firm":
            uid = result["uid"]
            Op(
                self.host, lambda book: book.firm_case_refs(uid), label="Finding the firm's cases"
            ).success(lambda refs: self.show_in_case(result, self._pick(refs))).run()
        else:
            self.show_in_case(result, result["case_ref"])

    def _pick(self, refs: list[str]) -> str | None:
        page = self.window_.page
        current = page.selected_ref() if page is not None else None
        return current if current in refs else (refs[0] if refs else None)

    def show_in_case(self, result: dict, ref: str | None) -> None:
        """Select the case and, when one of its tabs shows this kind of item, that tab."""
        page, bar = self.window_.page, self.window_.statusBar()
        if page is None or ref is None:
            bar.showMessage(f"{result['title']} is in no case", 5000)
            return
        if not page.select(ref):
            page.cases.filter.clear()  # a filter hid the case
            if not page.select(ref):
                bar.showMessage(f"Case {ref} is not in the list", 5000)
                return
        workspace = page.workspace
        target = self._tab_showing(workspace, result)
        workspace.tabs.setCurrentIndex(max(0, workspace.tabs.indexOf(target)) if target else 0)
        bar.showMessage(f"Opened {result['kind']} {result['title']} in {ref}", 5000)
        self.opened.emit(result["kind"], result["uid"] or "", ref)

    def _tab_showing(self, workspace, result: dict):
        """The tab that now shows the result: the kind's own tab first (a firm opens in the
        Firms tab, not in the chart), else any tab that knows the item (``reveal``)."""
        kind, uid = result["kind"], result["uid"]
        if kind == "shipment":
            shown = show_shipment(workspace, result, self.host.book)
            return workspace.tab("shipments") if shown else None
        return workspace.tabs.currentWidget() if workspace.show(kind, uid, switch=True) else None


def show_shipment(workspace, result: dict, book) -> bool:
    """Show the result's day and firm in the Shipments tab and select its row; True when the
    row was found among the first rows."""
    from casebook.core.errors import CasebookError
    from casebook.core.filters import ShipmentFilter

    shipment_id = result.get("id")
    try:
        detail = book.shipment_detail(shipment_id)
    except CasebookError:
        return False
    firm = detail.get("exporter") or detail.get("importer")
    day = detail.get("date") or None
    lens = ShipmentFilter.parse(date_from=day, date_to=day, firm=firm["uid"] if firm else None)
    return workspace.show_shipments(lens) and workspace.show("shipment", str(shipment_id))
