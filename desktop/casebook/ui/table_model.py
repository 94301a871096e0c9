"""A Qt table model over a paged facade query: a million rows without loading them.

``rowCount`` is the source's ``count()``; rows are fetched a page at a time when the view asks
for them and kept in a small LRU cache, so memory and work follow what is on screen. Sorting is
offered only for the source's index-backed columns. Later tabs use it like this::

    source = host.book.shipment_page_source(ref, filters={"origin": "CN"})
    model = PagedTableModel(source, SHIPMENT_COLUMNS)
    view = PagedTableView(); view.setModel(model)
    ...
    model.set_source(host.book.shipment_page_source(ref, filters=new_filters))  # filter
    model.refresh()  # after an op whose Changes touch the table

Short lists held in memory (firms, suggestions, screening lists and hits) use ``RecordsModel``
with the same ``TableColumn``s behind a sort/filter proxy.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from shiboken6 import isValid

from casebook.core.numbers import money

Index = QModelIndex | QPersistentModelIndex
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
KEY_ROLE = Qt.ItemDataRole.UserRole  # the row's primary key
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # what a proxy sorts a RecordsModel by
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # a RecordsModel's row, the whole dict
#: A number's short form ("$11.4 bn"), which a view shows when the full one does not fit its
#: column (the full one stays the cell's text, tooltip and copy): digits are never elided.
COMPACT_ROLE = Qt.ItemDataRole.UserRole + 3


class PageSourceLike(Protocol):
    """What the model needs from ``casebook.store.paging.PageSource``."""

    keys: list[str]

    def count(self) -> int: ...
    def fetch(self, offset: int, limit: int, sort: str | None, descending: bool) -> list: ...
    def sortable(self) -> list[str]: ...


#: Counts a source off the GUI thread: ``counter(source, done)`` calls ``done(count)`` later.
Counter = Callable[[PageSourceLike, Callable[[int], None]], None]


def format_value(value: Any) -> str:
    """Numbers with thousands separators, everything else as text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def compact_money(value: Any) -> str:
    """An amount in USD in three significant digits and a unit: ``$11.4 bn``."""
    return money(value, compact=True)


def compact_text(column: TableColumn, value: Any) -> str | None:
    """The short form of a numeric cell (``column.compact``, else a right-aligned number in
    three significant digits and a unit: ``1.23 m``), None for text."""
    if column.compact is not None:
        return column.compact(value)
    if column.align == RIGHT and isinstance(value, (int, float)) and not isinstance(value, bool):
        return money(value, "", compact=True)
    return None


@dataclass(frozen=True)
class TableColumn:
    """How one source key is shown: title, alignment, formatter, initial width in characters,
    and (in a ``RecordsModel``) the value it sorts by when not the value itself or its text;
    ``compact`` the short form shown when the full one does not fit (see ``compact_text``)."""

    key: str
    title: str
    align: Qt.AlignmentFlag = LEFT
    format: Callable[[Any], str] = format_value
    width: int = 12
    sort: Callable[[Any], Any] | None = None
    compact: Callable[[Any], str] | None = None


class PagedTableModel(QAbstractTableModel):
    """Rows from a ``PageSource``, fetched in pages on demand."""

    source_changed = Signal()
    counted = Signal(int)  # the count arrived (with ``counter``)

    def __init__(
        self,
        source: PageSourceLike,
        columns: Sequence[TableColumn],
        *,
        page_size: int = 200,
        max_pages: int = 24,
        counter: Counter | None = None,
        parent=None,
    ):
        """``counter(source, done)``, when given, counts ``source`` off the GUI thread and calls
        ``done(count)`` back on it: until then the model has no rows and ``counting`` is True
        (a lens on a million rows takes a second to count; issue 18)."""
        super().__init__(parent)
        self._counter = counter
        self.counting = False
        self.columns = list(columns)
        self.page_size, self.max_pages = page_size, max_pages
        self.sort_key: str | None = None
        self.descending = False
        self.pages_fetched = 0
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._source = source
        self._bind(source)

    # --- source -----------------------------------------------------------------------------

    def _bind(self, source: PageSourceLike) -> None:
        self._source = source
        self._positions = [source.keys.index(c.key) for c in self.columns]
        self._sortable = set(source.sortable())
        if self.sort_key not in self._sortable:
            self.sort_key, self.descending = None, False
        self._pages.clear()
        if self._counter is None:
            self._count = source.count()
            return
        self._count, self.counting = 0, True
        self._counter(source, partial(self._counted, source))

    def _counted(self, source: PageSourceLike, count: int) -> None:
        """The count of ``source`` arrived: its rows appear (dropped if the source changed)."""
        if source is not self._source or not isValid(self):
            return
        self.counting = False
        if count > 0:
            self.beginInsertRows(QModelIndex(), 0, count - 1)
            self._count = count
            self.endInsertRows()
        self.counted.emit(count)

    @property
    def source(self) -> PageSourceLike:
        return self._source

    def set_source(self, source: PageSourceLike) -> None:
        """Show another query (new filters), keeping the sort when it still applies."""
        self.beginResetModel()
        self._bind(source)
        self.endResetModel()
        self.source_changed.emit()

    def refresh(self) -> None:
        """Re-read the count and drop cached pages (the data changed)."""
        if hasattr(self._source, "invalidate"):
            self._source.invalidate()
        self.set_source(self._source)

    @property
    def cached_rows(self) -> int:
        """How many rows are held in memory now."""
        return sum(len(p) for p in self._pages.values())

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self.columns) and self.columns[column].key in self._sortable

    # --- rows -------------------------------------------------------------------------------

    def _row(self, row: int) -> tuple | None:
        number, offset = divmod(row, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._source.fetch(
                number * self.page_size, self.page_size, self.sort_key, self.descending
            )
            self.pages_fetched += 1
            self._pages[number] = page
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def row_key(self, row: int) -> Any:
        """The primary key of row ``row`` (for selection and detail views)."""
        values = self._row(row)
        return values[-1] if values else None

    # --- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count:
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = self._row(index.row())
            return column.format(values[self._positions[index.column()]]) if values else None
        if role == COMPACT_ROLE:
            values = self._row(index.row())
            return compact_text(column, values[self._positions[index.column()]]) if values else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == KEY_ROLE:
            return self.row_key(index.row())
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return None if self.is_sortable(section) else f"{column.title}: not sortable"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by an index-backed column; other columns are ignored."""
        if not self.is_sortable(column):
            return
        key, descending = self.columns[column].key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return
        # A reset, not a layout change: a windowed table cannot map old rows to new ones.
        self.beginResetModel()
        self.sort_key, self.descending = key, descending
        self._pages.clear()
        self.endResetModel()


class RecordsModel(QAbstractTableModel):
    """A short list of dicts held in memory (firms, merge suggestions, lists, hits) shown
    through ``TableColumn``s, for a sort/filter proxy set to sort by ``SORT_ROLE``.

    Numbers sort as numbers (a missing one in a right-aligned column below all of them),
    anything else by its text ignoring case. ``tips`` gives a column's tooltip from the row
    (else the cell's text, which an elided cell needs); ``colours`` maps a column's values to
    text colours. ``KEY_ROLE`` is the row's ``id``, ``ROW_ROLE`` the row itself.
    """

    def __init__(
        self,
        columns: Sequence[TableColumn],
        parent=None,
        *,
        tips: dict[str, Callable[[dict], str]] | None = None,
        colours: dict[str, dict[Any, str]] | None = None,
    ):
        super().__init__(parent)
        self.columns = list(columns)
        self.tips = dict(tips or {})
        self.colours = dict(colours or {})
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rows_changed(self) -> None:
        """The rows' dicts were updated in place (a late read added a field): redraw them."""
        if self.rows:
            last = self.index(len(self.rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt naming)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        value = row.get(column.key)
        if role == Qt.ItemDataRole.ToolTipRole and column.key in self.tips:
            return self.tips[column.key](row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.format(value)
        if role == COMPACT_ROLE:
            return compact_text(column, value)
        if role == SORT_ROLE:
            return self._sort_value(column, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ForegroundRole and column.key in self.colours:
            colour = self.colours[column.key].get(value)
            return QColor(colour) if colour else None
        if role == KEY_ROLE:
            return row.get("id")
        if role == ROW_ROLE:
            return row
        return None

    @staticmethod
    def _sort_value(column: TableColumn, value: Any) -> Any:
        if column.sort is not None:
            return column.sort(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if value is None and column.align == RIGHT:
            return -math.inf
        return column.format(value).casefold()

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.columns[section].align)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
