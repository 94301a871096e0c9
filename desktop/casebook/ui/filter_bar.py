"""The filter bar of a case: one lens (``ShipmentFilter``) over every tab, above the tabs.

Dates, HS prefixes, countries (comma lists), a firm picked from the case's firms (typed in any
script: the list matches any part of the name), a dataset, text and a minimum value. Enter in
any box (or Apply) applies; Clear shows the whole case. A value the filter refuses is named
beside the bar and changes nothing. The bar wraps into more rows when the case is narrow, and
folds away to one line (the lens in words) behind its Filter button.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casebook.core.errors import UsageError
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.ui.filter_edit import filter_edit

#: The case's firms offered in the firm box (by name; a larger case can still type a uid).
FIRM_CHOICES = 5000
#: The text boxes of the bar: attribute, placeholder, tooltip.
BOXES = (
    ("date_from", "From (2023-01)", "First date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD"),
    ("date_to", "To (2023-12)", "Last date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD"),
    ("hs", "HS (8456,8457)", "HS code prefixes, comma-separated: 84, 8457, 845710 …"),
    ("origin", "Origin (CN)", "Countries of origin, two-letter codes: CN or CN,JP"),
    ("dispatch", "Dispatch (KZ)", "Countries of dispatch, two-letter codes: TR,AE"),
    ("destination", "Destination (RU)", "Countries of destination, two-letter codes"),
    ("text", "Goods or brand text", "Text in the description or the brand (any case)"),
    ("min_value", "Min. USD value", "Only shipments worth at least this many US dollars"),
)
ALL_DATASETS = "All datasets"


class FlowLayout(QLayout):
    """Widgets left to right, wrapping to a new row when the width runs out."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing

    def addItem(self, item) -> None:  # noqa: N802 (Qt naming)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 (Qt naming)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 (Qt naming)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # noqa: N802 (Qt naming)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt naming)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt naming)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt naming)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt naming)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items (when ``move``); returns the height they take at this width."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


class FilterBar(QWidget):
    """The lens of one case, edited; ``applied(lens)`` when the analyst applies a valid one."""

    applied = Signal(object)  # ShipmentFilter

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: dict[str, str] = {}  # firm and dataset uids -> names, for describe()
        self.edits: dict[str, QLineEdit] = {}
        flow = FlowLayout(spacing=6)
        for name, placeholder, tip in BOXES:
            edit = filter_edit(placeholder, tip)
            edit.setObjectName(name)
            edit.returnPressed.connect(self.apply)
            self.edits[name] = edit
        self.firms: dict[str, str] = {}  # the firm box's choices: shown name -> uid
        self.firm = filter_edit(
            "Firm (any part of its name)",
            "Only shipments of this firm, as exporter or importer: type any part of its name, "
            "in any script, and pick it from the list",
        )
        self.firm.setObjectName("firm")
        self._firm_names = QStringListModel(self)
        completer = QCompleter(self._firm_names, self.firm)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(lambda _text: self.apply())
        self.firm.setCompleter(completer)
        self.firm.returnPressed.connect(self.apply)
        self.dataset = QComboBox(toolTip="Only shipments of this imported file")
        self.dataset.setMinimumContentsLength(14)
        self.dataset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dataset.activated.connect(lambda _i: self.apply())
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Show only these shipments in every tab (Enter)")
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Show the whole case")
        self.clear_button.clicked.connect(self.clear)
        for widget in (
            *(self.edits[n] for n in ("date_from", "date_to", "hs", "origin", "dispatch")),
            self.edits["destination"],
            self.firm,
            self.dataset,
            self.edits["text"],
            self.edits["min_value"],
            self.apply_button,
            self.clear_button,
        ):
            flow.addWidget(widget)
        self.summary = QLabel(
            wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #D93025;")
        self.problem.setAccessibleName("Filter problem")
        self.problem.hide()
        # The boxes fold away (one line: the lens in words) so the tabs keep their height.
        # A link, not a button: the header line keeps the height of its text.
        self.toggle = QLabel(textFormat=Qt.TextFormat.RichText)
        self.toggle.setToolTip("Show or hide the filter boxes")
        self.toggle.linkActivated.connect(lambda _link: self.set_expanded(self.boxes.isHidden()))
        self.toggle.installEventFilter(self)  # the link's colour follows the theme
        self.boxes = QWidget()
        self.boxes.setLayout(flow)
        flow.setContentsMargins(0, 0, 0, 0)
        self.boxes.hide()
        # The toggle and the lens in words: the workspace places them in the case's header line.
        self.head = QWidget()
        head = QHBoxLayout(self.head)
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.toggle)
        head.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(3)
        layout.addWidget(self.boxes)
        layout.addWidget(self.problem)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.lens = EVERYTHING
        self.show_lens(EVERYTHING)
        self.set_expanded(False)

    def set_expanded(self, expanded: bool) -> None:
        """Show (or fold away) the filter boxes."""
        self.boxes.setVisible(expanded)
        self.setVisible(expanded)  # folded, the bar takes no height below the header
        self._show_toggle()

    def _show_toggle(self) -> None:
        """The link in the palette's link colour, named: a label's rich text keeps the colour
        of the palette it was parsed under (dark blue on the dark theme after a switch)."""
        colour = self.toggle.palette().color(QPalette.ColorRole.Link).name()
        arrow = "▸" if self.boxes.isHidden() else "▾"
        self.toggle.setText(f"<a href='filter' style='color: {colour}'>Filter {arrow}</a>")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt naming)
        if obj is self.toggle and event.type() == QEvent.Type.PaletteChange:
            self._show_toggle()
        return super().eventFilter(obj, event)

    # --- choices ---------------------------------------------------------------------------

    def set_choices(self, firms: list[tuple[str, str]], datasets: list[tuple[str, str]]) -> None:
        """The case's firms and datasets as ``(uid, name)``; names also label the lens."""
        self.names = {uid: name for uid, name in (*firms, *datasets)}
        self.firms = {name: uid for uid, name in firms}
        self._firm_names.setStringList(list(self.firms))
        self.dataset.clear()
        self.dataset.addItem(ALL_DATASETS, None)
        for uid, name in datasets:
            self.dataset.addItem(name, uid)
        self.show_lens(self.lens)

    def describe(self, lens: ShipmentFilter | None = None) -> str:
        """``lens`` (default: the bar's) in words, firms and datasets by name."""
        return (self.lens if lens is None else lens).describe(self.names)

    # --- reading and showing a lens --------------------------------------------------------

    def read(self) -> ShipmentFilter:
        """The lens the boxes describe; UsageError names the box that is wrong."""
        values = {name: edit.text() for name, edit in self.edits.items()}
        return ShipmentFilter.parse(
            **values, firm=self._firm_uid(), dataset=self.dataset.currentData() or ""
        )

    def _firm_uid(self) -> str:
        """The uid of the firm the box names: its whole name as listed, a part of one name
        only (any case, any script), or a uid."""
        text = " ".join(self.firm.text().split())
        if not text:
            return ""
        if text in self.firms:
            return self.firms[text]
        if text in self.names:
            return text
        needle = text.casefold()
        matches = [uid for name, uid in self.firms.items() if needle in name.casefold()]
        if len(matches) != 1:
            what = "no firm" if not matches else f"{len(matches)} firms"
            raise UsageError(f"--firm: {what} of this case named like “{text}”; pick one")
        return matches[0]

    def apply(self) -> bool:
        """Apply the boxes: True when the lens was valid (and so applied)."""
        try:
            lens = self.read()
        except UsageError as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            self.set_expanded(True)
            return False
        self.problem.hide()
        self.show_lens(lens)
        self.applied.emit(lens)
        return True

    def clear(self) -> None:
        self.show_lens(EVERYTHING)
        self.problem.hide()
        self.applied.emit(EVERYTHING)

    def show_lens(self, lens: ShipmentFilter) -> None:
        """Fill the boxes from ``lens`` (another case's, or one restored) without applying."""
        self.lens = lens
        values = {
            "date_from": lens.date_from,
            "date_to": lens.date_to,
            "hs": ",".join(lens.hs),
            "origin": ",".join(lens.origin),
            "dispatch": ",".join(lens.dispatch),
            "destination": ",".join(lens.destination),
            "text": lens.text,
            "min_value": None if lens.min_value is None else f"{lens.min_value:g}",
        }
        for name, edit in self.edits.items():
            edit.setText(values[name] or "")
        self.firm.setText(", ".join(self.names.get(uid, uid) for uid in lens.firms))
        uid = lens.datasets[0] if lens.datasets else None
        index = self.dataset.findData(uid) if uid else 0
        if index < 0:  # a dataset removed since
            self.dataset.addItem(uid, uid)
            index = self.dataset.count() - 1
        self.dataset.setCurrentIndex(index)
        words = self.describe(lens)
        self.summary.setText(f"Showing: {words}" if words else "Showing the whole case")
        self.problem.hide()
