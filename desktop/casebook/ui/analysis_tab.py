"""The Analysis tab: the case's trade-flow charts and its red flags.

Chart data comes from the facade (``book.chart``, ``book.flags``) on the DB worker, one op per
chart so each is drawn as soon as its table arrives; drawing is in ``ui.charts`` (matplotlib's
Qt canvas, imported when the tab is first built). Every chart and the flags show the case's
lens (the filter bar's ``ShipmentFilter``, named on each chart as "Filtered: …"). Hovering a bar
names its value; clicking it shows those rows in the Shipments tab (the lens narrowed by the
bar, through ``CaseWorkspace.show_shipments``). Every chart exports an image (PNG or SVG, with
the caption) and its data (CSV). A bar's or point's context menu pins it to the briefing as a
key figure ("Add to briefing…": the lens narrowed by the bar, its value, count or share; undoable).
The Flags panel lists firms by score with their reasons and jumps to their shipments.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QToolButton,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter
from casebook.core.names import with_countries
from casebook.core.words import plural
from casebook.ui import charts, theme
from casebook.ui.dialogs import ok_cancel
from casebook.ui.ops import Changes, Host, Op, read_only_flags
from casebook.ui.undo import FacadeCommand, Recreated
from casebook.ui.workspace import LensTab, WorkspaceTab, narrowed

SHARE_DEFAULT = "CN"
MAX_FLAGGED = 500  # firms listed in the Flags panel (highest scores first)
TWO_COLUMNS_FROM = 700  # pixels of chart area for two charts side by side
SELECT_A_FIRM = "Select a firm for its flags and the reasons behind them."


@dataclass
class ChartSpec:
    """One chart of the tab: the facade's chart name and options, and how to draw it."""

    key: str
    chart: str
    options: dict
    draw: Callable
    title: str
    draw_options: dict = field(default_factory=dict)
    measure: str = "value"  # what a figure pinned from this chart measures by default


def _specs(country: str) -> list[ChartSpec]:
    return [
        ChartSpec(
            "monthly",
            "monthly_by_country",
            {"field": "origin", "top": 8},
            charts.draw_monthly,
            "Monthly value by country of origin",
        ),
        ChartSpec(
            "share",
            "country_share",
            {"country": country, "field": "origin"},
            charts.draw_share,
            f"Share of {charts.country_label(country)} over time (country of origin)",
            {"country": country, "field_name": "origin"},
            measure="share",
        ),
        ChartSpec(
            "origin_dispatch",
            "origin_vs_dispatch",
            {"top": 10},
            charts.draw_origin_dispatch,
            "Country of origin vs country of dispatch",
        ),
        ChartSpec(
            "exporters",
            "top_parties",
            {"role": "exporter", "top": 10},
            charts.draw_top_parties,
            "Top exporters by value",
            {"role": "exporter"},
        ),
        ChartSpec(
            "importers",
            "top_parties",
            {"role": "importer", "top": 10},
            charts.draw_top_parties,
            "Top importers by value",
            {"role": "importer"},
        ),
        ChartSpec(
            "chpl",
            "chpl_tiers",
            {},
            charts.draw_counted_bars,
            "Common High Priority List items by tier",
            {"xlabel": "CHPL tier", "colour": charts.COLOURS[2]},
        ),
        ChartSpec(
            "controllers",
            "foreign_controllers",
            {},
            charts.draw_counted_bars,
            "Foreign control systems in Chinese machines, by maker country",
            {"xlabel": "Country of the control system's maker", "colour": charts.COLOURS[6]},
        ),
    ]


class ChartCache(QObject):
    """Chart tables already fetched for this store, until an op changes shipments or firms.

    A case's tab is rebuilt whenever the case is selected again; with the tables at hand it draws
    at once instead of scanning the shipments again.
    """

    def __init__(self, host: Host):
        super().__init__(host)
        self.tables: dict[tuple, object] = {}
        host.changed.connect(self._on_changes)

    @classmethod
    def of(cls, host: Host) -> ChartCache:
        cache = host.findChild(cls)
        return cache if cache is not None else cls(host)

    def key(self, ref: str, spec: ChartSpec, lens: ShipmentFilter) -> tuple:
        return (ref, lens, spec.chart, tuple(sorted(spec.options.items())))

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "datasets"):
            self.tables.clear()


def chart_style(widget: QWidget) -> charts.Style:
    """Chart colours from the widget's palette (light or dark)."""
    palette = widget.palette()
    dark = theme.is_dark(palette)
    return charts.Style(
        fg=palette.color(palette.ColorRole.WindowText).name(),
        bg=palette.color(palette.ColorRole.Base).name(),
        grid="#4A4A4A" if dark else "#DADCE0",
        dark=dark,
    )


MEASURE_WORDS = {"value": "value", "count": "shipments", "share": "share"}
MEASURE_CHOICES = [
    ("value", "USD value of these shipments"),
    ("count", "Number of these shipments"),
    ("share", "Share of the period's value"),
]


def suggested_label(target: charts.Target, measure: str) -> str:
    """A figure's label as first offered: what was clicked, the measure, the period
    ("CN origin share, 2023-05")."""
    clicked = target.filters
    parts = [f"{clicked[k]} {k}" for k in ("origin", "dispatch", "destination") if k in clicked]
    if "hs" in clicked and target.label.startswith("Tier "):  # a CHPL tier: by its name
        parts.append(target.label.split(":")[0])
    elif "hs" in clicked:
        parts.append(f"HS {clicked['hs']}")
    if "firm" in clicked or not parts:  # a firm (or a tier, a maker): as the chart names it
        parts.insert(0, target.label.split(" · ")[0].split("\n")[0].strip())
    label = " ".join(parts + [MEASURE_WORDS[measure]])
    start, end = clicked.get("date_from"), clicked.get("date_to")
    if start or end:
        label += ", " + (start if start == end else f"{start or '…'} to {end or '…'}")
    return label


class FigureDialog(QDialog):
    """Label and measure of a figure pinned to the briefing."""

    def __init__(self, label: str, measure: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add to briefing")
        self.label = QLineEdit(label)
        self.label.setMinimumWidth(320)
        self.measure = QComboBox()
        for key, text in MEASURE_CHOICES:
            self.measure.addItem(text, key)
        self.measure.setCurrentIndex([k for k, _ in MEASURE_CHOICES].index(measure))
        buttons, ok = ok_cancel(self)
        self.label.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        form = QFormLayout(self)
        form.addRow("Label:", self.label)
        form.addRow("Figure:", self.measure)
        form.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget, label: str, measure: str) -> tuple[str, str] | None:
        """(label, measure), or None when cancelled (patched in tests)."""
        dialog = cls(label, measure, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.label.text().strip(), dialog.measure.currentData()


class ExportDialog:
    """Where to save an export (patched in tests)."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, name: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, name, filters)
        return Path(path) if path else None


def tab_note(note: str) -> str:
    """A chart's note as this tab should say it: the caption names the lens, so a clause about
    filters is dropped."""
    parts = [p.strip() for p in note.split(";")]
    kept = [p for p in parts if "filter" not in p.lower()]
    if not kept:
        return ""
    text = "; ".join(kept)
    return text if text.endswith((".", "!", "?")) else text + "."


@cache
def _canvas_class():
    """matplotlib's Qt canvas, passing the mouse wheel on to the scrolling chart grid (the
    charts do not zoom; the tab sets ``wheel_target``), so the grid scrolls while the pointer
    is over a chart.

    A chart is rendered off the GUI thread (``render_chart``): while ``off_thread`` says so
    (a chart is shown) a redraw asked by a resize goes there too, and a paint only copies the
    last rendered image (a chart took a second and more to draw on a busy machine, blocking
    the window, issue 18). A ``placeholder`` ("Loading…", an error) is painted by Qt, with no
    figure rendered at all."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from PySide6.QtGui import QImage, QPainter

    class WheelPassingCanvas(FigureCanvasQTAgg):
        wheel_target: QWidget | None = None
        off_thread: Callable[[], bool] | None = None
        placeholder: str | None = None

        def wheelEvent(self, event) -> None:  # noqa: N802 (Qt naming)
            if self.wheel_target is None:
                event.ignore()
                return
            QApplication.sendEvent(self.wheel_target, event)

        def draw_idle(self) -> None:
            if self.placeholder is not None:
                self.update()
                return
            if self.off_thread is not None and self.off_thread():
                return
            super().draw_idle()

        def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
            if self.placeholder is not None:
                painter = QPainter(self)
                try:
                    palette = self.palette()
                    painter.fillRect(self.rect(), palette.color(palette.ColorRole.Base))
                    painter.setPen(palette.color(palette.ColorRole.WindowText))
                    painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
                finally:
                    painter.end()
                return
            renderer = getattr(self, "renderer", None)
            if (
                renderer is None
                or getattr(self, "_draw_pending", False)
                or self.off_thread is None
                or not self.off_thread(check=True)
            ):
                super().paintEvent(event)
                return
            buf = memoryview(renderer.buffer_rgba())
            image = QImage(buf, buf.shape[1], buf.shape[0], QImage.Format.Format_RGBA8888)
            image.setDevicePixelRatio(self.device_pixel_ratio)
            painter = QPainter(self)
            try:
                painter.eraseRect(event.rect())
                painter.drawImage(0, 0, image)
            finally:
                painter.end()

    return WheelPassingCanvas


@cache
def _render_pool():
    """The one thread charts are rendered in (in turn: matplotlib's figures are each safe in
    one thread at a time; its fonts are cached per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="casebook-charts")


def render_chart(spec: ChartSpec, table, style: charts.Style, caption: str, size, dpi, base_dpi):
    """A new figure of ``size`` inches with ``table`` drawn and rendered by Agg (off the GUI
    thread): (figure, renderer, renderer key, targets)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=dpi)
    figure._original_dpi = base_dpi  # what the Qt canvas scales by the screen's pixel ratio
    agg = FigureCanvasAgg(figure)
    targets = spec.draw(figure, table, style, **spec.draw_options)
    charts.caption(figure, style, caption)
    charts.fit(figure)
    agg.draw()
    return figure, agg.renderer, agg._lastKey, targets


class _Rendered(QObject):
    """Brings a chart rendered in the render thread back to its panel, on the GUI thread."""

    arrived = Signal(object, int, object, object)  # panel, request, result, error

    def __init__(self):
        super().__init__(QApplication.instance())
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def _deliver(panel, request: int, result, error) -> None:
        if isValid(panel):
            panel.install(request, result, error)


@cache
def _rendered() -> _Rendered:
    return _Rendered()


class ChartPanel(QFrame):
    """One chart: title, export buttons, the matplotlib canvas, hover and click."""

    filter_requested = Signal(dict)
    pin_requested = Signal(object)  # the charts.Target to add to the briefing
    drawn = Signal(str)  # the chart's key, after the canvas rendered a table

    def __init__(self, spec: ChartSpec, parent=None):
        super().__init__(parent)
        from matplotlib.figure import Figure

        self.spec = spec
        self.table = None
        self.caption = ""  # "Filtered: …" under a lens, drawn on the chart
        self.targets: list[charts.Target] = []
        self._pending = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(spec.title)
        self.title.setFont(theme.scaled_font(self.font(), 1.05, bold=True))
        self.title.setWordWrap(True)
        self.note = QLabel(wordWrap=True)
        self.note.setForegroundRole(self.note.foregroundRole().PlaceholderText)
        self.note.hide()
        self.image_button = QToolButton(text="Image…", toolTip="Export the chart as PNG or SVG")
        self.data_button = QToolButton(text="CSV…", toolTip="Export the chart's data as CSV")
        self.image_button.clicked.connect(self._ask_image)
        self.data_button.clicked.connect(self._ask_csv)
        for button in (self.image_button, self.data_button):
            button.setEnabled(False)
        self.figure = Figure(figsize=(6.0, 3.3), dpi=self.logicalDpiY() or 96)
        self.canvas = _canvas_class()(self.figure)
        self.canvas.off_thread = self._draw_off_thread
        self._request = 0  # renders asked of the render thread; only the newest one is shown
        # A fixed height: a note or a title wrapping elsewhere must not resize (and so re-render)
        # every chart of the grid.
        self.canvas.setFixedHeight(300)
        # Month ticks depend on the width: redraw once a resize settles.
        self._resized = QTimer(self, singleShot=True, interval=200, timeout=self.redraw)
        self._size = (0.0, 0.0)
        self._connect()
        self.canvas.placeholder = "Loading…"  # painted by Qt: no figure rendered for it
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.image_button)
        head.addWidget(self.data_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.canvas, 1)

    def _connect(self) -> None:
        """Hover, click, draw and resize of the canvas's figure (its callbacks live on it)."""
        self.canvas.mpl_connect("pick_event", self._on_pick)
        self.canvas.mpl_connect("button_press_event", self._on_press)
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self.canvas.mpl_connect("resize_event", self._on_resize)

    # --- data -----------------------------------------------------------------------------

    def set_table(self, table, *, title: str | None = None, caption: str = "") -> None:
        """Draw ``table`` (an ``analysis.charts.ChartTable``), captioned with its lens."""
        self.table = table
        self.caption = caption
        if title:
            self.title.setText(title)
        notes = " ".join(n for n in (tab_note(note) for note in table.notes) if n)
        self.note.setText(notes)
        self.note.setVisible(bool(notes))
        for button in (self.image_button, self.data_button):
            button.setEnabled(True)
        self.redraw()

    def redraw(self) -> None:
        """Draw the table in the render thread; the canvas shows it when it arrives (the last
        image, or the placeholder, until then)."""
        if self.table is None:
            return
        self._request += 1
        self._size = size = tuple(self.figure.get_size_inches())
        request, figure = self._request, self.figure
        args = (self.spec, self.table, chart_style(self), self.caption, size, figure.dpi)
        future = _render_pool().submit(render_chart, *args, figure._original_dpi)
        relay = _rendered()

        def done(f) -> None:
            error = f.exception()
            relay.arrived.emit(self, request, None if error else f.result(), error)

        future.add_done_callback(done)

    def install(self, request: int, result, error: BaseException | None) -> None:
        """Show a chart the render thread drew (the newest asked for only)."""
        if request != self._request or self.table is None:
            return
        if error is not None:
            self.show_error(f"Could not draw this chart: {_message(error)}")
            return
        figure, renderer, key, targets = result
        canvas = self.canvas
        canvas.placeholder = None
        canvas.figure = figure
        figure.set_canvas(canvas)
        canvas.renderer, canvas._lastKey = renderer, key
        self.figure, self.targets = figure, targets
        self._connect()
        canvas.update()
        self.drawn.emit(self.spec.key)

    def _draw_off_thread(self, *, check: bool = False) -> bool:
        """True while a chart is shown: the canvas then paints the last rendered image and a
        redraw it asks for (on resize) goes to the render thread once the resize settles."""
        if self.table is None:
            return False
        if not check:
            self._resized.start()
        return True

    def show_error(self, message: str) -> None:
        self.table = None
        self._request += 1
        self.targets = []
        self.canvas.placeholder = message
        self.canvas.update()
        self.drawn.emit(self.spec.key)

    def _on_resize(self, _event) -> None:
        # Margins and month ticks are set in inches when drawing: redo them for the new size.
        width, height = self.figure.get_size_inches()
        if (
            self.table is not None
            and max(abs(width - self._size[0]), abs(height - self._size[1])) > 0.2
        ):
            self._resized.start()

    def _on_draw(self, _event) -> None:
        if self._pending:
            self._pending = False
            self.drawn.emit(self.spec.key)

    # --- hover and click ------------------------------------------------------------------

    def target_at(self, event) -> charts.Target | None:
        """The bar or point under a matplotlib mouse event."""
        for target in self.targets:
            hit, info = target.artist.contains(event)
            if hit and (target.index is None or target.index in list(info.get("ind", ()))):
                return target
        return None

    def _on_motion(self, event) -> None:
        target = self.target_at(event) if event.inaxes else None
        if target is None:
            QToolTip.hideText()
            self.canvas.unsetCursor()
            return
        hint = "\nClick to show these shipments" if target.filters else ""
        QToolTip.showText(QCursor.pos(), target.label + hint, self.canvas)
        if target.filters:
            self.canvas.setCursor(Qt.CursorShape.PointingHandCursor)

    def _on_pick(self, event) -> None:
        ind = getattr(event, "ind", None)
        indexes = [] if ind is None else [int(i) for i in ind]
        for target in self.targets:
            if target.artist is event.artist and (target.index is None or target.index in indexes):
                self.activate(target)
                return

    def _on_press(self, event) -> None:
        if event.button != 3 or not event.inaxes:  # the right button: the context menu
            return
        target = self.target_at(event)
        if target is not None:
            self.menu_for(target).exec(QCursor.pos())

    def menu_for(self, target: charts.Target) -> QMenu:
        """The context menu of a bar or point: its shipments, or pin it to the briefing; for a
        bar no filter picks exactly (a control-system maker read from descriptions, "Other
        firms"), why neither is offered."""
        menu = QMenu(self)
        if not target.filters:
            why = menu.addAction(NO_FILTER)
            why.setEnabled(False)
            return menu
        menu.addAction(theme.icon("search"), "Show these shipments", lambda: self.activate(target))
        menu.addAction("Add to briefing…", lambda: self.pin_requested.emit(target))
        return menu

    def activate(self, target: charts.Target) -> None:
        """A click on ``target``: ask for its shipments."""
        if target.filters:
            self.filter_requested.emit(dict(target.filters))

    # --- export ---------------------------------------------------------------------------

    def export_image(self, path: Path) -> None:
        fmt = "svg" if path.suffix.lower() == ".svg" else "png"
        self.figure.savefig(path, format=fmt, dpi=150, facecolor=self.figure.get_facecolor())

    def export_csv(self, path: Path) -> None:
        # With a byte-order mark, spreadsheet programs read Cyrillic and Chinese names right.
        path.write_text(self.table.to_csv(), encoding="utf-8-sig", newline="")

    def _ask_image(self) -> None:
        name = f"{self.table.name}.png" if self.table else "chart.png"
        path = ExportDialog.ask(self, "Export chart", name, "PNG image (*.png);;SVG image (*.svg)")
        if path:
            self.export_image(path)

    def _ask_csv(self) -> None:
        if self.table is None:
            return
        path = ExportDialog.ask(self, "Export chart data", f"{self.table.name}.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)


class FlagsPanel(QWidget):
    """Firms by red-flag score; each opens to its flags and reasons."""

    firm_requested = Signal(str, str)  # uid, name

    def __init__(self, parent=None):
        super().__init__(parent)
        heading = QLabel("Red flags by firm")
        heading.setFont(theme.scaled_font(self.font(), 1.05, bold=True))
        self.status = QLabel("Checking red flags…", wordWrap=True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Firm / flag", "Score"])
        self.tree.setColumnCount(2)
        # A reason is a sentence: wrapped at word ends, never cut in the middle; whole in its tip.
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setMinimumWidth(280)
        # Rows as tall as their wrapped text (the tree sizes rows for one line), laid out again
        # when the column's width changes.
        self.tree.setItemDelegateForColumn(0, _WrappingDelegate(self.tree))
        self.tree.header().sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.ResizeToContents)
        self._firms: list[dict] = []
        self._labels: list[str] = []  # the firms' names as listed
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(self._current)
        self.detail = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_rows = QPushButton(theme.icon("search"), "Show this firm's shipments")
        self.show_rows.setEnabled(False)
        self.show_rows.clicked.connect(lambda: self._activated(self.tree.currentItem(), 0))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.show_rows)

    def set_flags(self, result: dict) -> None:
        self.tree.clear()
        firms = result.get("firms", [])
        shown = f" (the {MAX_FLAGGED:,} highest shown)" if len(firms) > MAX_FLAGGED else ""
        self.status.setText(
            f"{plural(len(firms), 'firm')} flagged{shown}, highest score first. Double-click a firm for "
            "its shipments."
            if firms
            else "No red flags in this case."
        )
        self._firms = firms[:MAX_FLAGGED]
        self._labels = _firm_labels(self._firms)
        for firm, label in zip(self._firms, self._labels, strict=True):
            item = QTreeWidgetItem(self.tree, [label, f"{firm['score']:g}"])
            for flag in firm["flags"]:
                text = f"{flag['title']}: {flag['reason']}"
                QTreeWidgetItem(item, [text, ""]).setToolTip(0, text)
        self.detail.setText(SELECT_A_FIRM if self._firms else "")

    def firm_of(self, item) -> dict | None:
        """The flagged firm of a row (a firm or one of its flags)."""
        if item is None:
            return None
        top = item.parent() or item
        index = self.tree.indexOfTopLevelItem(top)
        return self._firms[index] if 0 <= index < len(self._firms) else None

    def show_error(self, message: str) -> None:
        self.tree.clear()
        self.status.setText(f"Red flags could not be checked: {message}")

    def _current(self, item, _previous) -> None:
        self.show_rows.setEnabled(item is not None)
        firm = self.firm_of(item)
        if firm is None:
            self.detail.setText(SELECT_A_FIRM if self._firms else "")
            return
        flags = firm["flags"]
        if item.parent() is not None:
            flags = [flags[item.parent().indexOfChild(item)]]
        label = self._labels[self._firms.index(firm)]
        self.detail.setText(
            f"<b>{escape(label)}</b> · score {firm['score']:g}<br>"
            + "<br>".join(
                f"• <b>{escape(f['title'])}</b>: {escape(f['reason'])}"
                f" ({plural(f.get('shipment_count') or 0, 'shipment')})"
                for f in flags
            )
        )

    def _activated(self, item, _column) -> None:
        firm = self.firm_of(item)
        if firm:
            self.firm_requested.emit(firm["uid"], firm["name"] or firm["uid"])


class _WrappingDelegate(QStyledItemDelegate):
    """A tree column whose rows are as tall as their text wrapped at the column's width (Qt's
    tree asks a row's height without the width, so wrapped text was cut after one line)."""

    def __init__(self, tree: QTreeWidget):
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        levels = depth + (1 if self.tree.rootIsDecorated() else 0)
        width = self.tree.columnWidth(0) - self.tree.indentation() * levels - 8
        text = str(index.data() or "")
        box = self.tree.fontMetrics().boundingRect(
            QRect(0, 0, max(width, 40), 100_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(size.width(), max(size.height(), box.height() + 4))


NO_FILTER = "No filter picks exactly these shipments: they can be neither listed nor pinned"


def _firm_labels(firms: list[dict]) -> list[str]:
    """Each flagged firm's name as listed: with its country beside it where another listed
    firm has the same name ("Nova Trade Ltd (TR)", "Nova Trade Ltd (KZ)")."""
    labels = with_countries([(firm["name"], firm.get("country")) for firm in firms])
    return [label or firm["uid"] for label, firm in zip(labels, firms, strict=True)]


class AnalysisTab(LensTab, QWidget):
    """Charts (scrolling grid) beside the Flags panel."""

    charts_drawn = Signal(float)  # seconds from loading to the last chart drawn
    filter_requested = Signal(object)  # the ShipmentFilter a click asked the Shipments tab for

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.started = time.perf_counter()
        charts.setup()  # matplotlib, on first use
        self.host, self.ref = host, ref
        self.country = SHARE_DEFAULT
        self._generation = 0
        self._flags_later: dict | None = None
        self._recreated = Recreated()  # figures an undo or redo re-pinned under a new uid
        self.cache = ChartCache.of(host)
        self.specs = {s.key: s for s in _specs(self.country)}
        self.panels = {key: ChartPanel(spec) for key, spec in self.specs.items()}
        self._waiting = set(self.panels)  # charts not drawn yet: all, until loaded
        self.flags = FlagsPanel()
        self.countries = QComboBox(toolTip="The country whose share the second chart follows")
        self.countries.addItem(charts.country_label(self.country), self.country)
        self.countries.activated.connect(self._country_chosen)
        self.refresh = QPushButton(theme.icon("refresh"), "Refresh")
        self.refresh.clicked.connect(lambda: self.load(fresh=True))
        self.status = QLabel(wordWrap=True)
        self.status.setForegroundRole(self.status.foregroundRole().PlaceholderText)
        self._layout()
        for panel in self.panels.values():
            panel.filter_requested.connect(self.show_shipments)
            panel.pin_requested.connect(partial(self.add_to_briefing, panel))
            panel.drawn.connect(self._panel_drawn)
        self.flags.firm_requested.connect(self._show_firm)
        # Every chart and the flags of the lens, read once shown or when the worker is idle.
        self._defer_first_load(host)

    def reload(self) -> None:
        self.load()

    def lens_words(self) -> str:
        """The lens in words (firms and datasets by name when the workspace knows them)."""
        return self.workspace.describe(self.lens) if self.workspace else self.lens.describe()

    def _layout(self) -> None:
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setContentsMargins(0, 0, 6, 0)
        self.grid.setSpacing(8)
        self.columns = 0
        self._arrange(2)
        scroll = QScrollArea()
        self.scroll = scroll
        scroll.installEventFilter(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_host)
        for panel in self.panels.values():
            panel.canvas.wheel_target = scroll.viewport()
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(scroll)
        self.split.addWidget(self.flags)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([1000, 380])
        self.split.setChildrenCollapsible(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Share of:"))
        bar.addWidget(self.countries)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)

    def _arrange(self, columns: int) -> None:
        """The headline chart across the width, the others in ``columns`` columns."""
        if columns == self.columns:
            return
        self.columns = columns
        for i, panel in enumerate(self.panels.values()):
            self.grid.removeWidget(panel)
            if i == 0:
                self.grid.addWidget(panel, 0, 0, 1, columns)
            else:
                row, col = divmod(i - 1, columns)
                self.grid.addWidget(panel, row + 1, col)
        for col in range(2):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        # Side by side, charts narrower than this wrap their titles and squeeze their bars.
        if obj is self.scroll and event.type() == QEvent.Type.Resize:
            self._arrange(2 if self.scroll.width() >= TWO_COLUMNS_FROM else 1)
        return False

    # --- loading (on the DB worker) -------------------------------------------------------

    def load(self, *, fresh: bool = False) -> None:
        """Fetch every chart's table and the flags; each chart draws when its table arrives.

        Tables fetched before (and not changed since) are drawn from the cache unless ``fresh``.
        """
        if self.host.book is None:
            return
        if fresh:
            self.cache.tables.clear()
        self._loaded = True
        self._generation += 1
        self.started = time.perf_counter()
        self._waiting = set(self.panels)
        self.status.setText("Loading charts…")
        for key in self.panels:
            self._fetch(key)
        self._load_flags()

    def _load_flags(self) -> None:
        gen, lens = self._generation, self.lens
        cache_key = (self.ref, lens, "flags")
        if cache_key in self.cache.tables:  # listed once the charts are drawn (they come first)
            self._flags_later = self.cache.tables[cache_key]
            return

        def done(result: dict) -> None:
            self.cache.tables[cache_key] = result
            if self._current(gen):
                self.flags.set_flags(result)

        def failed(exc: BaseException) -> None:
            if self._current(gen):
                self.flags.show_error(_message(exc))

        self.flags.status.setText("Checking red flags…")
        Op(
            self.host,
            lambda book: read_only_flags(book.flags(case_ref=self.ref, lens=lens)),
            label="Checking red flags",
        ).success(done).failure(failed).run()

    def _fetch(self, key: str) -> None:
        spec, gen, ref, lens = self.specs[key], self._generation, self.ref, self.lens
        cache_key = self.cache.key(ref, spec, lens)
        if cache_key in self.cache.tables:
            QTimer.singleShot(0, partial(self._arrived, key, gen, self.cache.tables[cache_key]))
            return

        def work(book):
            return book.chart(spec.chart, case_ref=ref, lens=lens, **spec.options)

        Op(self.host, work, label="Loading chart").success(
            partial(self._arrived, key, gen)
        ).failure(partial(self._failed, key, gen)).run()

    def _current(self, gen: int) -> bool:
        """True if a result of load ``gen`` is still wanted (the tab may be gone by now)."""
        return isValid(self) and gen == self._generation

    def _arrived(self, key: str, gen: int, table) -> None:
        if not self._current(gen):
            return
        if key == "share" and table.name != f"share_origin_{self.country}":
            return  # an earlier country's table, overtaken by the analyst's new choice
        self.cache.tables[self.cache.key(self.ref, self.specs[key], self.lens)] = table
        words = self.lens_words()
        caption = f"Filtered: {words}" if words else ""
        self.panels[key].set_table(table, title=self.specs[key].title, caption=caption)
        if key == "monthly":
            self._fill_countries(table)

    def _failed(self, key: str, gen: int, exc: BaseException) -> None:
        if not self._current(gen):
            return
        self.panels[key].show_error(f"Could not load this chart: {_message(exc)}")

    def _panel_drawn(self, key: str) -> None:
        if key not in self._waiting:
            return
        self._waiting.discard(key)
        if not self._waiting:
            seconds = time.perf_counter() - self.started
            if self._flags_later is not None:
                QTimer.singleShot(0, partial(self.flags.set_flags, self._flags_later))
                self._flags_later = None
            self.status.setText(
                "Hover a bar for its value; click it to see those shipments; right-click it to "
                "add it to the briefing."
            )
            self.charts_drawn.emit(seconds)

    def _fill_countries(self, table) -> None:
        codes = [c for c in table.columns[1:] if c != charts.OTHER]
        if self.country not in codes:
            codes.append(self.country)
        self.countries.clear()
        for code in codes:
            self.countries.addItem(charts.country_label(code), code)
        self.countries.setCurrentIndex(codes.index(self.country))

    def _country_chosen(self, index: int) -> None:
        code = self.countries.itemData(index)
        if not code or code == self.country:
            return
        self.choose_country(code)

    def choose_country(self, code: str) -> None:
        """Follow ``code``'s share in the second chart."""
        self.country = code
        self.specs["share"] = next(s for s in _specs(code) if s.key == "share")
        self.panels["share"].spec = self.specs["share"]
        self._waiting.add("share")
        self._fetch("share")

    # --- to the Shipments tab -------------------------------------------------------------

    def show_shipments(self, clicked: dict) -> None:
        """The Shipments tab showing what a clicked bar stands for, within the lens."""
        try:
            lens = narrowed(self.lens, clicked)
        except UsageError as exc:
            self.status.setText(exc.message)
            return
        self.filter_requested.emit(lens)
        if self.workspace is None or not self.workspace.show_shipments(lens):
            self.status.setText("This case has no Shipments tab to show the rows in.")

    # --- to the briefing ------------------------------------------------------------------

    def add_to_briefing(self, panel: ChartPanel, target: charts.Target) -> None:
        """Pin what ``target`` stands for (the lens narrowed by it) as a key figure, once the
        analyst named it; undoable."""
        try:
            lens = narrowed(self.lens, target.filters)
        except UsageError as exc:
            self.status.setText(exc.message)
            return
        measure = panel.spec.measure
        asked = FigureDialog.ask(self, suggested_label(target, measure), measure)
        if asked is None:
            return
        label, measure = asked
        ref, state = self.ref, {}
        changes = Changes(figures=True, case_ref=ref)

        def apply(book):
            figure = book.add_figure(case_ref=ref, label=label, measure=measure, lens=lens)
            self._recreated.added(state, figure["uid"])
            return figure

        def revert(book):
            return book.remove_figure(self._recreated.current(state["uid"]))

        def pinned(figure: dict) -> None:
            text = f"Add figure “{label}” to the briefing"
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )
            if isValid(self):
                self.status.setText(f"Added to the briefing: {label} ({figure['shown']}).")

        Op(self.host, apply, label="Adding to the briefing", changes=changes).success(pinned).run()

    def _show_firm(self, uid: str, _name: str) -> None:
        self.show_shipments({"firm": uid})

    # --- refresh --------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "datasets"):
            self.load(fresh=True)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.PaletteChange:
            for panel in self.panels.values():
                panel.redraw()
        super().changeEvent(event)


def _message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc)


TAB = WorkspaceTab(
    key="analysis",
    title="Analysis",
    factory=lambda host, ref: AnalysisTab(host, ref),
    warming=charts.warming,  # matplotlib, imported off the GUI thread before the tab is built
    shown=lambda counts: counts.get("shipments", 0) > 0,
)
