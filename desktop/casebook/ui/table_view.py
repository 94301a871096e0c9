"""A table view suited to ``PagedTableModel``: fixed row heights, sort only where indexed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from casebook.ui.table_model import PagedTableModel


class PagedTableView(QTableView):
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
