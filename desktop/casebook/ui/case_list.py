"""The case list: a sortable, filterable table of cases with status and TLP marking colours."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casebook.core.domain import CASE_STATUSES, PRIORITIES
from casebook.ui import theme

COLUMNS = [
    ("ref", "Reference"),
    ("title", "Title"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("marking", "Marking"),
    ("updated", "Updated"),
]
SORT_ROLE = Qt.ItemDataRole.UserRole
CASE_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_COLOURS = {
    "open": "#2F7DE1",
    "active": "#1E9E55",
    "closed": "#8A8F98",
    "archived": "#B0B4BA",
}
PRIORITY_COLOURS = {"critical": "#D93025", "high": "#E37400"}
_MARKING_ORDER = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
Index = QModelIndex | QPersistentModelIndex


def local_time(iso: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO UTC timestamp in local time (default ``YYYY-MM-DD HH:MM``)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone().strftime(fmt)


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(8, 8, 16, 16)
    painter.end()
    return QIcon(pixmap)


class CaseListModel(QAbstractTableModel):
    """Cases as rows of plain dicts (``case_json`` shape)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cases: list[dict] = []
        self._dots = {status: _dot(colour) for status, colour in STATUS_COLOURS.items()}

    def set_cases(self, cases: list[dict]) -> None:
        self.beginResetModel()
        self.cases = list(cases)
        self.endResetModel()

    def row_of(self, ref: str) -> int:
        return next((i for i, c in enumerate(self.cases) if c["ref"] == ref), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        case = self.cases[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case, key)
        if role == SORT_ROLE:
            return self._sort_value(case, key)
        if role == CASE_ROLE:
            return case
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(case, key)
        if role == Qt.ItemDataRole.DecorationRole and key == "status":
            return self._dots.get(case["status"])
        if role == Qt.ItemDataRole.ForegroundRole and key == "priority":
            colour = PRIORITY_COLOURS.get(case["priority"])
            return QBrush(QColor(colour)) if colour else None
        return None

    def _tooltip(self, case: dict, key: str) -> str:
        if key == "marking":
            return f"{case['marking']}: {theme.marking_meaning(case['marking'])}"
        if key == "updated":
            return f"Updated {local_time(case['updated'])}"
        return f"{case['ref']} — {case['title']}"  # whole, however narrow the list

    def _display(self, case: dict, key: str) -> str:
        if key == "updated":
            return local_time(case["updated"], "%Y-%m-%d")
        value = case.get(key) or ""
        return value.capitalize() if key in ("status", "priority") else value

    def _sort_value(self, case: dict, key: str):
        if key == "status":
            return CASE_STATUSES.index(case["status"])
        if key == "priority":
            return PRIORITIES.index(case["priority"])
        if key == "marking":
            marking = case["marking"]
            return _MARKING_ORDER.index(marking) if marking in _MARKING_ORDER else -1
        return (case.get(key) or "").casefold()


class CaseFilterProxy(QSortFilterProxyModel):
    """Filters by text (reference or title) and status."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.status: str | None = None
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip().casefold()))

    def set_status(self, status: str | None) -> None:
        self._refilter(lambda: setattr(self, "status", status))

    def _refilter(self, change) -> None:
        # Qt 6.9 replaced invalidateFilter() by begin/endFilterChange(); support both.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        case = self.sourceModel().cases[row]
        if self.status and case["status"] != self.status:
            return False
        return not self.text or any(
            self.text in (case[k] or "").casefold() for k in ("ref", "title", "summary")
        )


class MarkingDelegate(QStyledItemDelegate):
    """Draws a marking as TLP 2.0 prescribes: its colour on a black chip."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        label = index.data(Qt.ItemDataRole.DisplayRole) or ""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style()
        style.drawControl(style.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        font = theme.scaled_font(option.font, 0.92, bold=True)
        painter.save()
        painter.setFont(font)
        width = min(painter.fontMetrics().horizontalAdvance(label) + 14, option.rect.width() - 8)
        height = min(painter.fontMetrics().height() + 4, option.rect.height() - 4)
        chip = QRectF(
            option.rect.x() + 4, option.rect.center().y() - height / 2 + 0.5, width, height
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.TLP_BLACK))
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(theme.marking_colour(label))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index):
        size = super().sizeHint(option, index)
        size.setWidth(size.width() + 24)
        return size


class CaseListPanel(QWidget):
    """Filter box, status filter and the table of cases."""

    case_selected = Signal(object)  # ref or None
    case_activated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = CaseListModel(self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(placeholderText="Filter by reference, title or summary")
        self.filter.setClearButtonEnabled(True)
        self.filter.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for status in CASE_STATUSES:
            self.status.addItem(status.capitalize(), status)
        self.view = self._make_view()
        self.setMinimumWidth(self.MIN_WIDTH)
        self.view.viewport().installEventFilter(self)  # keeps the title readable (_make_room)
        self._layout()
        self.filter.textChanged.connect(self.proxy.set_text)
        self.status.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status(self.status.currentData())
        )
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.activated.connect(lambda ix: self.case_activated.emit(self._ref_at(ix)))

    def _make_view(self) -> QTableView:
        view = QTableView()
        view.setModel(self.proxy)
        view.setItemDelegateForColumn(4, MarkingDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSortingEnabled(True)
        view.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return view

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    #: Columns given up, in this order, when the title would be narrower than the width
    #: beside each: updated, priority, status, then the marking (it stays in the case's banner).
    OPTIONAL = ((5, 180), (3, 180), (2, 180), (4, 110))
    TITLE_MIN = 180
    #: The list's least width: a reference and the start of a title on a 1024-pixel screen.
    MIN_WIDTH = 200

    def fit_columns(self) -> None:
        """Size the short columns to their contents; the title takes the rest."""
        for column in (0, 2, 3, 4, 5):
            self.view.resizeColumnToContents(column)
        self._make_room()

    def _make_room(self) -> None:
        """In a narrow pane the optional columns hide, so the title stays readable; they come
        back when the pane is wider."""
        header = self.view.horizontalHeader()
        for column, _title in self.OPTIONAL:
            header.showSection(column)
        room = self.view.viewport().width() - sum(header.sectionSize(c) for c in (0, 2, 3, 4, 5))
        for column, title in self.OPTIONAL:
            if room >= title:
                break
            room += header.sectionSize(column)
            header.hideSection(column)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt naming)
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._make_room()
        return False

    def set_cases(self, cases: list[dict]) -> None:
        """Replace the rows, keeping the selected case selected."""
        current = self.selected_ref()
        self.model.set_cases(cases)
        self.fit_columns()
        if current and not self.select(current):
            self.case_selected.emit(None)

    def select(self, ref: str) -> bool:
        """Select the case ``ref``; False when it is not shown."""
        row = self.model.row_of(ref)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def selected_ref(self) -> str | None:
        index = self.view.currentIndex()
        return self._ref_at(index) if index.isValid() else None

    def _ref_at(self, index: Index) -> str | None:
        case = self.proxy.data(index.siblingAtColumn(0), CASE_ROLE)
        return case["ref"] if case else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.case_selected.emit(self._ref_at(current) if current.isValid() else None)
