"""The Shipments tab: the case's shipments in a paged table (a million rows scroll), through
the case's lens.

The filter bar above the tabs chooses the shipments (``set_lens``); a click on a chart or a
timeline shows a narrower slice here (``CaseWorkspace.show_shipments``), named above the table
with a way back to the bar's filter. Columns sort where an index backs them (date, origin,
dispatch, HS6). The analyst's key columns come first (date, exporter, importer, origin, dispatch,
HS code, value in USD), so they are in view without scrolling sideways; the description takes
the width left over. Origin and dispatch sit side by side, so a "made in CN, shipped from TR"
row is seen at a glance. Ctrl+C copies the selected rows as tab-separated text; the pane on the
right shows the current row in full, with the file and row it came from.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.core.numbers import money
from casebook.core.words import plural
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.table_model import RIGHT, PagedTableModel, TableColumn, compact_money
from casebook.ui.table_view import PagedTableView
from casebook.ui.workspace import CaseWorkspace, WorkspaceTab

COLUMNS = [
    TableColumn("date", "Date", width=10),
    TableColumn("exporter", "Exporter", width=18),
    TableColumn("importer", "Importer", width=18),
    TableColumn("origin", "Origin", width=6),
    TableColumn("dispatch", "Dispatch", width=8),
    TableColumn("hs_code", "HS code", width=10),
    TableColumn(
        "value_usd", "Value (USD)", align=RIGHT, format=money, compact=compact_money, width=12
    ),
    TableColumn("description", "Description", width=28),
    TableColumn("value", "Value", align=RIGHT, width=11),
    TableColumn("currency", "Cur.", width=4),
    TableColumn("declaration_no", "Declaration", width=21),
    TableColumn("brand", "Brand", width=12),
]
#: The columns an analyst reads first: kept in view, before the long text.
KEY_COLUMNS = ("date", "exporter", "importer", "origin", "dispatch", "hs_code", "value_usd")
#: Widest usual values of the short key columns: these are sized to show them whole.
SAMPLES = {
    "date": "2022-12-31",
    "origin": "XX",
    "dispatch": "XX",
    "hs_code": "8466938000",
    "value_usd": "$888,888,888.88",
}
#: The long text column that takes the width the key columns leave (at least this many chars).
FILL_COLUMN, FILL_MIN_CHARS = "description", 16
#: The detail pane's share of the tab's width at first (at least ``DETAIL_MIN`` pixels).
DETAIL_SHARE, DETAIL_MIN = 0.24, 250
#: Rows of the current slice searched for a shipment another tab asks to show.
REVEAL_SCAN = 500
HINT = (
    '<p style="color:gray">Select a shipment to see it in full and the file and row it came '
    "from.</p>"
)


class ShipmentsTab(QWidget):
    """The lens named above a ``PagedTableView`` beside a detail pane."""

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.workspace: CaseWorkspace | None = None
        self.lens = EVERYTHING
        self.showing = QLabel(wordWrap=True)
        self.back = QPushButton("Back to the bar's filter")
        self.back.setToolTip("Show the shipments the filter bar above chooses")
        self.back.hide()
        self.copy = QPushButton("Copy rows")
        self.copy.setToolTip("Copy the selected rows as tab-separated text (Ctrl+C)")
        self.count = QLabel()
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #D93025;")
        self.view = PagedTableView()
        self._pending_reveal: str | None = None  # a shipment asked for while counting
        self.model = PagedTableModel(
            self._source(EVERYTHING), COLUMNS, counter=self._count_on_worker, parent=self
        )
        self.model.counted.connect(self._counted)
        self.view.setModel(self.model)
        self._size_key_columns()
        self.detail = QTextBrowser()
        self.detail.setHtml(HINT)  # wraps in a narrow pane (a placeholder would be cut)
        self._fill_by_hand = False
        self._filling = False
        self.view.viewport().installEventFilter(self)
        self.view.horizontalHeader().sectionResized.connect(self._section_resized)
        self._layout()
        self.back.clicked.connect(self._back_to_bar)
        self.copy.clicked.connect(self.copy_selected)
        QShortcut(QKeySequence.StandardKey.Copy, self.view, self.copy_selected)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._rebind_selection)
        self._show_lens()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.showing, 1)
        bar.addWidget(self.back)
        bar.addWidget(self.count)
        bar.addWidget(self.copy)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setSizes([900, 300])
        split.setStretchFactor(0, 1)
        split.setChildrenCollapsible(False)
        self._split_by_hand = False
        split.splitterMoved.connect(self._split_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.problem)
        self.problem.hide()
        layout.addWidget(split, 1)

    # --- the lens --------------------------------------------------------------------------

    def set_workspace(self, workspace: CaseWorkspace) -> None:
        self.workspace = workspace

    def _source(self, lens: ShipmentFilter):
        return self.host.book.shipment_page_source(self.ref, lens=lens)

    def _count_on_worker(self, source, done) -> None:
        """Count the slice on the DB worker (a lens on a million rows counts for a second;
        even the rollups' sum of the whole case took 0.2 s on the GUI thread, issue 18)."""

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.count.setText("")
                if not isinstance(exc, CasebookError):
                    self.host.present_error(exc)

        Op(self.host, lambda _book: source.count(), label="Counting shipments").success(
            done
        ).failure(failed).run()

    def _counted(self, _count: int) -> None:
        self._show_count()
        pending, self._pending_reveal = self._pending_reveal, None
        if pending is not None:
            self.reveal("shipment", pending)

    def set_lens(self, lens: ShipmentFilter) -> None:
        """Show exactly the shipments of ``lens`` (the bar's, or a slice another tab asked
        for); a lens the store refuses is explained, not raised."""
        if lens == self.lens:  # the slice shown (e.g. the bar's, told to a tab just built)
            self.problem.hide()  # its source was built once already: 30-50 ms on a 1M case
            self._show_lens()
            return
        try:
            source = self._source(lens)
        except CasebookError as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            return
        self.problem.hide()
        self.lens = lens
        self._pending_reveal = None
        self.model.set_source(source)
        self._show_lens()

    def _back_to_bar(self) -> None:
        if self.workspace is not None:
            self.set_lens(self.workspace.lens)

    def _show_lens(self) -> None:
        """Name the slice shown, and whether it is narrower than the bar's."""
        bar = self.workspace.lens if self.workspace is not None else self.lens
        words = self.workspace.describe(self.lens) if self.workspace else self.lens.describe()
        if self.lens != bar:
            self.showing.setText(f"<b>Showing:</b> {escape(words or 'the whole case')}")
        else:
            self.showing.setText(f"Filtered: {escape(words)}" if words else "The whole case")
        self.back.setVisible(self.lens != bar)
        self._show_count()

    def _show_count(self) -> None:
        if self.model.counting:
            self.count.setText("counting…")
        else:
            self.count.setText(plural(self.model.rowCount(), "shipment"))

    # --- rows ------------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.view.selectionModel().selectedRows()})

    def copy_selected(self) -> str:
        """Copy the selected rows (with a header line) as tab-separated text."""
        rows = self.selected_rows()
        if not rows:
            return ""
        lines = ["\t".join(c.title for c in self.model.columns)]
        for r in rows:
            cells = [self.model.index(r, c).data() or "" for c in range(len(self.model.columns))]
            lines.append("\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in cells))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        self.count.setText(
            f"{plural(len(rows), 'row')} copied — {plural(self.model.rowCount(), 'shipment')}"
        )
        return text

    def _rebind_selection(self) -> None:
        self.detail.setHtml(HINT)

    def _show_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.setHtml(HINT)
            return
        key = self.model.row_key(current.row())
        if key is None or self.host.book is None:
            return
        try:
            data = self.host.book.shipment_detail(key)
        except CasebookError as exc:
            self.detail.setPlainText(exc.message)
            return
        self.detail.setHtml(detail_html(data))

    # --- widths ----------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.fit_split()  # the real width is known only now

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.fit_split()

    def fit_split(self) -> None:
        """The detail pane ``DETAIL_SHARE`` of the width (until the analyst moves the
        splitter); the table the rest."""
        total = sum(self.split.sizes())
        if self._split_by_hand or total <= 0:
            return
        detail = max(DETAIL_MIN, int(total * DETAIL_SHARE))
        self.split.setSizes([max(total - detail, 0), detail])

    def _split_moved(self, *_args) -> None:
        self._split_by_hand = True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_description()
        return super().eventFilter(watched, event)

    def _size_key_columns(self) -> None:
        """Short key columns as wide as their widest usual value or title (with the sort
        arrow), measured in this font, not guessed in average characters."""
        metrics = self.view.fontMetrics()
        for i, column in enumerate(self.model.columns):
            sample = SAMPLES.get(column.key)
            if sample is not None:
                cell = metrics.horizontalAdvance(sample) + 16  # the cell's margins
                title = metrics.horizontalAdvance(column.title) + 26  # and the sort arrow
                self.view.setColumnWidth(i, max(cell, title))

    def fit_description(self) -> None:
        """The description column takes the width the columns before it leave (until the
        analyst sizes it by hand)."""
        keys = [c.key for c in self.model.columns]
        if self._fill_by_hand or FILL_COLUMN not in keys:
            return
        column = keys.index(FILL_COLUMN)
        before = sum(self.view.columnWidth(i) for i in range(column))
        least = FILL_MIN_CHARS * self.view.fontMetrics().averageCharWidth() + 16
        self._filling = True
        self.view.setColumnWidth(column, max(least, self.view.viewport().width() - before))
        self._filling = False

    def _section_resized(self, index: int, _old: int, _new: int) -> None:
        if self._filling:
            return
        if self.model.columns[index].key == FILL_COLUMN:
            self._fill_by_hand = True  # the analyst's width stays
        else:
            self.fit_description()

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "datasets"):
            self.model.refresh()
            self._show_count()

    def reveal(self, kind: str, uid: str) -> bool:
        """Select shipment ``uid`` (its id) when it is among the first rows of the slice."""
        if kind != "shipment":
            return False
        if self.model.counting:  # selected once the slice is counted (if among its first rows)
            self._pending_reveal = str(uid)
            return True
        for row in range(min(self.model.rowCount(), REVEAL_SCAN)):
            if str(self.model.row_key(row)) == str(uid):
                self.view.selectRow(row)
                self.view.scrollTo(self.model.index(row, 0))
                return True
        return False


def detail_html(d: dict) -> str:
    """A shipment in full: goods, parties, countries, money, and its source."""

    def party(p):
        if not p:
            return "—"
        return f"{escape(p['name'])} ({escape(p.get('country') or '—')})"

    def num(v, digits=2):
        return "" if v is None else f"{v:,.{digits}f}"

    src = d["source"]
    rows = [
        ("Date", d.get("date")),
        ("Declaration", " / ".join(x for x in (d.get("declaration_no"), d.get("item_no")) if x)),
        ("Direction", d.get("direction")),
        ("Exporter", party(d.get("exporter"))),
        ("Importer", party(d.get("importer"))),
        ("Origin", d.get("origin")),
        ("Dispatch", d.get("dispatch")),
        ("Destination", d.get("destination")),
        ("HS code", d.get("hs_code")),
        ("Brand", d.get("brand")),
        ("Manufacturer", d.get("manufacturer")),
        ("Quantity", f"{num(d.get('quantity'), 0)} {d.get('unit') or ''}".strip()),
        ("Net weight (kg)", num(d.get("net_weight"))),
        ("Value", money(d.get("value"), d.get("currency") or "")),
        ("Value (USD)", money(d.get("value_usd"))),
    ]
    table = "".join(
        f"<tr><td style='color:gray'>{k}</td><td>{v if k in ('Exporter', 'Importer') else escape(str(v or '—'))}</td></tr>"  # noqa: E501
        for k, v in rows
    )
    sheet = f", sheet {escape(src['sheet'])}" if src.get("sheet") else ""
    return (
        f"<p><b>{escape(d.get('description') or '(no description)')}</b></p>"
        f"<table cellspacing=3>{table}</table>"
        f"<p style='margin-top:8px'><b>Source</b><br>{escape(src['file_name'])}{sheet}, "
        f"row {src['row']}<br><span style='color:gray'>dataset {src['dataset']}<br>"
        f"SHA-256 {src['sha256'][:16]}…</span></p>"
    )


TAB = WorkspaceTab(
    key="shipments",
    title="Shipments",
    factory=lambda host, ref: ShipmentsTab(host, ref),
    shown=lambda counts: counts.get("shipments", 0) > 0,
)
