"""Table views: ``NumbersView`` never cuts a number and copies whole rows; ``PagedTableView``
(for ``PagedTableModel``) adds fixed row heights and sorting only where indexed."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from casebook.ui.table_model import COMPACT_ROLE, SORT_ROLE, PagedTableModel


def text_room(widget: QWidget | None, width: int) -> int:
    """The width a cell ``width`` pixels wide leaves its text (Qt's margin on either side)."""
    style = widget.style() if widget is not None else QGuiApplication.instance().style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
    return width - 2 * margin


class NumberDelegate(QStyledItemDelegate):
    """Elide text, never digits: a number wider than its cell is shown in its compact unit
    (``$11.4 bn`` for ``$11,440,752,301``); the full value stays the tooltip and the copy."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        compact = index.data(COMPACT_ROLE)
        if compact and option.fontMetrics.horizontalAdvance(option.text) > text_room(
            option.widget, option.rect.width()
        ):
            option.text = compact


def shown_text(view: QTableView, index: QModelIndex) -> str:
    """The text ``view`` paints in the cell at ``index`` (what the analyst reads)."""
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    option.widget = view
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text


class NumbersView(QTableView):
    """A table whose numbers are never cut (``NumberDelegate``) and whose Ctrl+C copies the
    selected rows, tab-separated with every digit (not only the current cell)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(NumberDelegate(self))

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.matches(QKeySequence.StandardKey.Copy) and self.selectionModel() is not None:
            QGuiApplication.clipboard().setText(self.selected_text())
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_text(self) -> str:
        """The selected rows as shown in full: one line each, visible columns tab-separated."""
        model = self.model()
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        columns = [c for c in range(model.columnCount()) if not self.isColumnHidden(c)]
        return "\n".join(
            "\t".join(str(model.index(r, c).data() or "") for c in columns) for r in rows
        )


def list_view(model: QAbstractItemModel) -> NumbersView:
    """A ``NumbersView`` of records, a line each: rows selected whole, nothing edited in place,
    alternating rows without a grid, headers on the left that the user may resize."""
    view = NumbersView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def records_view(proxy: QSortFilterProxyModel) -> NumbersView:
    """A ``list_view`` over a sort/filter proxy of a ``RecordsModel``: headers that sort (by
    ``SORT_ROLE``) and the facade's order until one is clicked."""
    proxy.setSortRole(SORT_ROLE)
    view = list_view(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    return view


class PagedTableView(NumbersView):
    """Never measures every row (fixed heights, no resize-to-contents), so 1M rows scroll."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.sortIndicatorChanged.connect(self._sort_requested)
        self.setSortingEnabled(True)

    def setModel(self, model) -> None:  # noqa: N802 (Qt naming)
        super().setModel(model)
        if isinstance(model, PagedTableModel):
            width = self.fontMetrics().averageCharWidth()
            for i, column in enumerate(model.columns):
                self.setColumnWidth(i, column.width * width + 16)
            self._show_indicator(model)

    def _sort_requested(self, column: int, _order: Qt.SortOrder) -> None:
        model = self.model()
        if isinstance(model, PagedTableModel) and not model.is_sortable(column):
            # Put the indicator back where the data really is sorted.
            self._show_indicator(model)

    def _show_indicator(self, model: PagedTableModel) -> None:
        header = self.horizontalHeader()
        keys = [c.key for c in model.columns]
        key = model.sort_key or getattr(model.source, "default_sort", None)
        header.blockSignals(True)
        if key in keys:
            order = (
                Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder
            )
            header.setSortIndicator(keys.index(key), order)
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
