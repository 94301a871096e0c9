"""The Timeline tab: shipments by month in a lane per firm (or per country), with dated
evidence, relationship start and end dates and listings as markers on their lanes.

One ``QGraphicsScene``: a column per month, a row per lane; a cell's shade and dot grow with the
month's value and it shows the number of shipments. Lane names and month headings are painted
in the view's foreground, so they stay in sight while scrolling. Zoom (the buttons, or Ctrl+wheel)
widens the months. Shipments are those of the case's lens (the filter bar), named above the
grid. Clicking a cell selects the lane's firm in the other tabs (the Network tab);
double-clicking shows that firm's shipments of that month in the Shipments tab.
"""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import UsageError
from casebook.core.numbers import money
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.workspace import LensTab, WorkspaceTab, narrowed

LABEL_WIDTH = 230.0
HEADER = 44.0
ROW = 30.0
LANES_PER_SLICE = 25  # lanes drawn per turn of the event loop (some 30 ms at most)
CASE_LANE = "__case__"
EVENT_COLOURS = {"evidence": "#1A73E8", "relationship": "#8430CE", "listing": "#C5221F"}
EVENT_TITLES = {"evidence": "Evidence", "relationship": "Relationship starts / ends",
                "listing": "Listed"}  # fmt: skip


class TimelineView(QGraphicsView):
    """The grid, with lane names and month headings painted on top (sticky)."""

    cell_clicked = Signal(str, str)  # lane key, month
    cell_activated = Signal(str, str)

    def __init__(self, tab: TimelineTab):
        super().__init__(QGraphicsScene(tab))
        self.tab = tab
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)

    def cell_at(self, pos) -> tuple[str, str] | None:
        point = self.mapToScene(pos)
        return self.tab.cell_at(point.x(), point.y())

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        cell = self.cell_at(event.position().toPoint())
        if cell:
            self.cell_clicked.emit(*cell)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        cell = self.cell_at(event.position().toPoint())
        if cell:
            self.cell_activated.emit(*cell)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.tab.zoom(1.2 if event.angleDelta().y() > 0 else 1 / 1.2)
            event.accept()
            return
        super().wheelEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        self.tab.paint_sticky(painter, self.mapToScene(self.viewport().rect()).boundingRect())


class TimelineTab(LensTab, QWidget):
    """Lanes by firm or country, months across, events as markers."""

    drawn = Signal()
    cell_selected = Signal(str, str)  # lane key, month

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.data: dict | None = None
        self.col = 46.0  # month width: the zoom
        self.selected: tuple[str, str] | None = None
        self.lane_keys: list[str] = []
        self._generation = 0
        self._drawing = 0  # the draw in progress; a slice of an older one stops
        self.lanes_by = QComboBox()
        self.lanes_by.addItem("A lane per firm", "firm")
        self.lanes_by.addItem("A lane per country", "country")
        self.lanes_by.currentIndexChanged.connect(lambda _i: self.reload())
        self.zoom_in = QPushButton("+")
        self.zoom_out = QPushButton("−")
        for button, tip in ((self.zoom_in, "Wider months"), (self.zoom_out, "Narrower months")):
            button.setToolTip(tip + " (Ctrl+wheel)")
            button.setMaximumWidth(36)
        self.zoom_in.clicked.connect(lambda: self.zoom(1.25))
        self.zoom_out.clicked.connect(lambda: self.zoom(0.8))
        self.info = QLabel("Click a month to select its firm in the other tabs; double-click "
                           "for its shipments.")  # fmt: skip
        self.view = TimelineView(self)
        self.scene = self.view.scene()
        self.view.cell_clicked.connect(self.select_cell)
        self.view.cell_activated.connect(self.open_cell)
        self.legend = QLabel(self._legend_html())
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.hide()
        for label in (self.info, self.legend):  # may wrap: the tab must not set the window's width
            label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.lanes_by)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.info, 1)
        bar.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        # The lens (events stay: they are not shipments) is read once shown or when idle.
        self._defer_first_load(host)

    @staticmethod
    def _legend_html() -> str:
        marks = [
            "<span style='color:#1A73E8'>◆</span> evidence",
            "<span style='color:#8430CE'>▶</span>/<span style='color:#8430CE'>◀</span> "
            "relationship starts/ends",
            "<span style='color:#C5221F'>■</span> listed",
            "<span style='background:#1A73E8;color:white'>&nbsp;n&nbsp;</span> shipments",
        ]
        return " &nbsp; ".join(marks)

    # --- reading ----------------------------------------------------------------------------

    def reload(self) -> None:
        self._loaded = True
        self._generation += 1
        gen, ref, lanes, lens = self._generation, self.ref, self.lanes_by.currentData(), self.lens
        words = self.workspace.describe(lens) if self.workspace else lens.describe()
        self.caption.setText(f"Filtered: {words}")
        self.caption.setVisible(bool(words))
        Op(self.host, lambda book: book.timeline(case_ref=ref, lanes=lanes, lens=lens),
           label="Reading the timeline").success(lambda data: self._arrived(gen, data)).failure(
            self._failed).run()  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        """A refusal (the case went away meanwhile) is shown in the bar, not in a dialog."""
        from casebook.core.errors import CasebookError

        if isinstance(exc, CasebookError):
            self.info.setText(exc.message)
        else:
            self.host.present_error(exc)

    def _arrived(self, gen: int, data: dict) -> None:
        if not isValid(self) or gen != self._generation:  # the case was left meanwhile
            return
        self.data = data
        self.draw()

    # --- drawing ----------------------------------------------------------------------------

    def months(self) -> list[str]:
        return list(self.data["months"]) if self.data else []

    def lanes(self) -> list[dict]:
        if not self.data:
            return []
        lanes = list(self.data["lanes"])
        if any(e["lane"] is None for e in self.data["events"]):
            lanes.append({"key": CASE_LANE, "label": "Case (no firm)", "months": {}})
        return lanes

    def zoom(self, factor: float) -> None:
        self.col = min(160.0, max(18.0, self.col * factor))
        self.draw()

    def x_of(self, month_index: int) -> float:
        return LABEL_WIDTH + month_index * self.col

    def y_of(self, lane_index: int) -> float:
        return HEADER + lane_index * ROW

    def cell_at(self, x: float, y: float) -> tuple[str, str] | None:
        months = self.months()
        col, row = math.floor((x - LABEL_WIDTH) / self.col), math.floor((y - HEADER) / ROW)
        if 0 <= col < len(months) and 0 <= row < len(self.lane_keys):
            return self.lane_keys[row], months[col]
        return None

    def draw(self) -> None:
        """Lay the grid out, draw the first lanes at once and the rest in slices from the
        event loop: 5,000 firms make some 100,000 cells, seconds of item building that would
        block the window (issue 18). ``drawn`` is emitted once every lane is drawn."""
        self._drawing += 1
        self.scene.clear()
        months, lanes = self.months(), self.lanes()
        self.lane_keys = [lane["key"] for lane in lanes]
        width = self.x_of(len(months))
        grid = QPen(QColor("#DADCE0"), 0.6)
        for i, month in enumerate(months):
            x = self.x_of(i)
            pen = QPen(QColor("#9AA0A6"), 1.0) if month.endswith("-01") else grid
            self.scene.addLine(x, HEADER, x, self.y_of(len(lanes)), pen)
        self.scene.setSceneRect(QRectF(0, 0, width + 20, self.y_of(len(lanes)) + 20))
        top = max([c["value_usd"] for lane in lanes for c in lane["months"].values()] or [1.0])
        first = max(LANES_PER_SLICE, math.ceil(self.view.viewport().height() / ROW) + 1)
        self._draw_lanes(self._drawing, lanes, top, 0, first)

    def _draw_lanes(
        self, drawing: int, lanes: list[dict], top: float, start: int, stop: int
    ) -> None:
        """Lanes ``start`` to ``stop`` (shaded by their share of ``top``), then the next slice
        later unless drawn anew meanwhile; the events and the selection once the last lane is
        in."""
        if not isValid(self) or drawing != self._drawing:
            return
        months = self.months()
        column = {month: i for i, month in enumerate(months)}
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.8, 7.0))
        fm = QFontMetricsF(small)
        width = self.x_of(len(months))
        for r in range(start, min(stop, len(lanes))):
            lane, y = lanes[r], self.y_of(r)
            if r % 2:
                band = self.scene.addRect(QRectF(LABEL_WIDTH, y, width - LABEL_WIDTH, ROW),
                                          Qt.PenStyle.NoPen, QBrush(QColor(128, 128, 128, 22)))  # fmt: skip
                band.setZValue(-2)
            for month, cell in lane["months"].items():
                if month not in column:
                    continue
                i = column[month]
                share = math.sqrt(cell["value_usd"] / top) if top > 0 else 0.0
                colour = QColor("#1A73E8")
                colour.setAlphaF(0.18 + 0.8 * share)
                box = QRectF(self.x_of(i) + 2, y + 4, self.col - 4, ROW - 8)
                rect = self.scene.addRect(box, Qt.PenStyle.NoPen, QBrush(colour))
                rect.setToolTip(
                    f"{lane['label']} · {month}: {cell['shipments']:,} shipments, "
                    f"{money(cell['value_usd'], compact=True)}"
                )
                text = f"{cell['shipments']}"
                if fm.horizontalAdvance(text) < self.col - 6:
                    label = self.scene.addSimpleText(text, small)
                    label.setBrush(QColor("#FFFFFF") if share > 0.45 else QColor("#202124"))
                    label.setPos(box.center().x() - fm.horizontalAdvance(text) / 2,
                                 box.center().y() - fm.height() / 2)  # fmt: skip
        if stop < len(lanes):
            later = partial(self._draw_lanes, drawing, lanes, top, stop, stop + LANES_PER_SLICE)
            QTimer.singleShot(0, self, later)
            return
        self._draw_events(months, lanes)
        if self.selected:
            self._mark_selection()
        self.drawn.emit()

    def _draw_events(self, months: list[str], lanes: list[dict]) -> None:
        index = {key: i for i, key in enumerate(self.lane_keys)}
        stacked: dict[tuple, int] = {}
        for event in self.data["events"] if self.data else []:
            if event["month"] not in months:
                continue
            lane = CASE_LANE if event["lane"] is None else event["lane"]
            if lane not in index:
                continue
            i, r = months.index(event["month"]), index[lane]
            n = stacked.get((i, r), 0)
            stacked[(i, r)] = n + 1
            day = int(event["date"][8:10]) if len(event["date"]) >= 10 else 15
            x = self.x_of(i) + min(self.col - 6, max(6, (day / 31) * self.col))
            y = self.y_of(r) + 7 + (n % 3) * 7
            colour = QColor(EVENT_COLOURS.get(event["kind"], "#5F6368"))
            item = self.scene.addPolygon(_marker(event, x, y), QPen(QColor("#FFFFFF"), 0.8),
                                         QBrush(colour))  # fmt: skip
            item.setZValue(3)
            item.setToolTip(f"{event['date']} · {EVENT_TITLES.get(event['kind'], event['kind'])}"
                            f"\n{event['label']}")  # fmt: skip

    def _mark_selection(self) -> None:
        lane, month = self.selected
        if lane not in self.lane_keys or month not in self.months():
            return
        r, i = self.lane_keys.index(lane), self.months().index(month)
        outline = self.scene.addRect(QRectF(self.x_of(i), self.y_of(r), self.col, ROW),
                                     QPen(QColor("#FBBC04"), 2.5))  # fmt: skip
        outline.setZValue(4)
        row = self.scene.addRect(QRectF(LABEL_WIDTH, self.y_of(r), self.x_of(len(self.months()))
                                        - LABEL_WIDTH, ROW), Qt.PenStyle.NoPen,
                                 QBrush(QColor(251, 188, 4, 40)))  # fmt: skip
        row.setZValue(-1)

    def paint_sticky(self, painter: QPainter, visible: QRectF) -> None:
        """Lane names down the left edge and month headings along the top, wherever the view
        has scrolled to."""
        if not self.data:
            return
        palette = self.palette()
        back, fore = palette.color(palette.ColorRole.Base), palette.color(palette.ColorRole.Text)
        font = QFont(self.font())
        fm = QFontMetricsF(font)
        left, top = visible.left(), visible.top()
        painter.save()
        painter.setFont(font)
        painter.fillRect(QRectF(left, visible.top(), LABEL_WIDTH, visible.height()), back)
        for r, lane in enumerate(self.lanes()):
            y = self.y_of(r)
            if y + ROW < top + HEADER or y > visible.bottom():
                continue
            if self.selected and self.selected[0] == lane["key"]:
                painter.fillRect(QRectF(left, y, LABEL_WIDTH, ROW), QColor(251, 188, 4, 90))
            total = sum(c["shipments"] for c in lane["months"].values())
            name = fm.elidedText(str(lane["label"]), Qt.TextElideMode.ElideRight, LABEL_WIDTH - 60)
            painter.setPen(fore)
            painter.drawText(QRectF(left + 6, y, LABEL_WIDTH - 60, ROW),
                             Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
            painter.setPen(QColor("#5F6368"))
            painter.drawText(QRectF(left, y, LABEL_WIDTH - 6, ROW),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             f"{total:,}" if total else "")  # fmt: skip
        painter.fillRect(QRectF(left, top, visible.width(), HEADER), back)
        painter.setPen(QPen(QColor("#9AA0A6"), 1))
        painter.drawLine(QPointF(left, top + HEADER), QPointF(visible.right(), top + HEADER))
        painter.drawLine(
            QPointF(left + LABEL_WIDTH, top), QPointF(left + LABEL_WIDTH, visible.bottom())
        )
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.8, 7.0))
        sfm = QFontMetricsF(small)
        for i, month in enumerate(self.months()):
            x = self.x_of(i)
            if x < left + LABEL_WIDTH - 1 or x > visible.right():
                continue
            year, mm = month[:4], month[5:7]
            painter.setFont(small)
            painter.setPen(fore)
            short = mm if self.col < sfm.horizontalAdvance("2022-01") + 6 else month
            painter.drawText(QRectF(x, top + HEADER / 2, self.col, HEADER / 2),
                             Qt.AlignmentFlag.AlignCenter, short)  # fmt: skip
            if mm == "01" or i == 0:
                painter.setFont(font)
                painter.drawText(QRectF(x + 2, top + 2, 80, HEADER / 2),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, year)  # fmt: skip
        painter.setFont(font)
        painter.setPen(fore)
        by = "Firm" if self.data.get("lanes_by") == "firm" else "Country"
        painter.drawText(QRectF(left + 6, top, LABEL_WIDTH - 12, HEADER),
                         Qt.AlignmentFlag.AlignVCenter, f"{by} · shipments")  # fmt: skip
        painter.restore()

    # --- selection --------------------------------------------------------------------------

    def lane_label(self, key: str) -> str:
        lane = next((x for x in self.lanes() if x["key"] == key), None)
        return str(lane["label"]) if lane else key

    def select_cell(self, lane: str, month: str) -> None:
        """Select a lane's month: shown here, and the firm selected in the other tabs."""
        self.selected = (lane, month)
        cell = next((x["months"].get(month) for x in self.lanes() if x["key"] == lane), None)
        what = (f"{cell['shipments']:,} shipments, {money(cell['value_usd'], compact=True)}" if cell
                else "no shipments")  # fmt: skip
        self.info.setText(f"{self.lane_label(lane)} · {month}: {what}")
        self.draw()
        self.cell_selected.emit(lane, month)
        if (
            self.workspace
            and self.data
            and self.data.get("lanes_by") == "firm"
            and lane != CASE_LANE
        ):
            self.workspace.show("firm", lane)

    def open_cell(self, lane: str, month: str) -> None:
        """The Shipments tab showing the lane's firm in that month, within the lens."""
        clicked = {"date_from": month, "date_to": month}
        if self.data and self.data.get("lanes_by") == "firm" and lane != CASE_LANE:
            clicked["firm"] = lane  # a country lane is its firms' country: the month alone
        try:
            lens = narrowed(self.lens, clicked)
        except UsageError as exc:
            self.info.setText(exc.message)
            return
        if self.workspace is None or not self.workspace.show_shipments(lens):
            self.info.setText("This case has no Shipments tab to show the rows in.")

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a firm's lane (another tab asked); True when it has one."""
        if kind != "firm" or uid not in self.lane_keys:
            return False
        lane = self.data["lanes"][self.lane_keys.index(uid)] if self.data else None
        first = min(lane["months"]) if lane and lane["months"] else (self.months() or [""])[0]
        self.selected = (uid, first)
        self.draw()
        self.view.ensureVisible(QRectF(LABEL_WIDTH, self.y_of(self.lane_keys.index(uid)), 10, ROW))
        return True

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "relationships", "hits", "evidence", "datasets"):
            self.reload()


def _marker(event: dict, x: float, y: float) -> QPolygonF:
    s = 5.0
    if event["kind"] == "evidence":
        points = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
    elif event["kind"] == "relationship":
        ends = "ends" in event["label"]
        points = [(x + s, y - s), (x - s, y), (x + s, y + s)] if ends else [
            (x - s, y - s), (x + s, y), (x - s, y + s)]  # fmt: skip
    else:
        points = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    return QPolygonF([QPointF(a, b) for a, b in points])


TAB = WorkspaceTab(
    key="timeline",
    title="Timeline",
    factory=lambda host, ref: TimelineTab(host, ref),
    shown=lambda counts: counts.get("shipments", 0) > 0 or counts.get("relationships", 0) > 0,
)
