"""The Shipments tab: the case's shipments in a paged table, filtered by origin, HS code, text.

Shown only for cases that hold shipments. The shipments issue extends it (detail pane, more
filters) by registering its own ``WorkspaceTab`` under the key ``"shipments"``.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from casebook.core.errors import CasebookError
from casebook.ui import theme
from casebook.ui.ops import Changes, Host
from casebook.ui.table_model import RIGHT, PagedTableModel, TableColumn
from casebook.ui.table_view import PagedTableView
from casebook.ui.workspace import WorkspaceTab

COLUMNS = [
    TableColumn("date", "Date", width=10),
    TableColumn("declaration_no", "Declaration", width=21),
    TableColumn("exporter", "Exporter", width=24),
    TableColumn("importer", "Importer", width=24),
    TableColumn("origin", "Origin", width=6),
    TableColumn("dispatch", "Dispatch", width=8),
    TableColumn("hs6", "HS6", width=7),
    TableColumn("description", "Description", width=36),
    TableColumn("brand", "Brand", width=12),
    TableColumn("value_usd", "Value (USD)", align=RIGHT, width=12),
]


class ShipmentsTab(QWidget):
    """Filters above a ``PagedTableView``; the filters re-query, the view pages."""

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.origin = QLineEdit(placeholderText="Origin (CN)", maxLength=2)
        self.origin.setMaximumWidth(110)
        self.hs = QLineEdit(placeholderText="HS code (8457)")
        self.hs.setMaximumWidth(140)
        self.text = QLineEdit(placeholderText="Description, brand or declaration")
        self.text.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.text.setClearButtonEnabled(True)
        self.count = QLabel()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #D93025;")
        self.view = PagedTableView()
        self.model = PagedTableModel(self._source(), COLUMNS, parent=self)
        self.view.setModel(self.model)
        self._layout()
        # Re-query after typing pauses, not on every key.
        self._debounce = QTimer(self, singleShot=True, interval=250, timeout=self.apply_filters)
        for edit in (self.origin, self.hs, self.text):
            edit.textChanged.connect(self._debounce.start)
        self._show_count()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.origin)
        bar.addWidget(self.hs)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.problem)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def filters(self) -> dict:
        return {"origin": self.origin.text(), "hs": self.hs.text(), "text": self.text.text()}

    def _source(self, filters: dict | None = None):
        return self.host.book.shipment_page_source(self.ref, filters=filters or {})

    def apply_filters(self) -> None:
        """Re-query with the current filters; a half-typed filter is explained, not raised."""
        try:
            source = self._source({k: v for k, v in self.filters().items() if v})
        except CasebookError as exc:
            self.problem.setText(exc.message)
            return
        self.problem.setText("")
        self.model.set_source(source)
        self._show_count()

    def _show_count(self) -> None:
        self.count.setText(f"{self.model.rowCount():,} shipments")

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "datasets"):
            self.model.refresh()
            self._show_count()


TAB = WorkspaceTab(
    key="shipments",
    title="Shipments",
    factory=lambda host, ref: ShipmentsTab(host, ref),
    shown=lambda counts: counts.get("shipments", 0) > 0,
)
