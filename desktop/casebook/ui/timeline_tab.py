"""The Timeline tab: shipments by month in a lane per firm (or per country), with dated
evidence, relationship start and end dates and listings as markers on their lanes.

One ``QGraphicsScene``: a column per period (year, month or day: the zoom), a row per lane; a
cell's shade grows with the period's value and it shows the number of shipments in black or
white, whichever reads better on it; event markers sit in a strip above the cells, so they never
cover a count. A person's links to firms (director, shareholder …) are bars over their dates in
the person's own lane. Lane names (with the country when two firms share a name) and period
headings are painted in the view's foreground, so they stay in sight while scrolling. The tab
opens on the periods that hold the shipments, fitted to the view. Zoom (the buttons, or
Ctrl+wheel) goes from years through months to days; days are read when first shown. Shipments
are those of the case's lens (the filter bar), named above the grid. Clicking a cell selects the lane's firm in the other tabs (the Network tab);
double-clicking shows that firm's shipments of that month in the Shipments tab.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from functools import partial

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import UsageError
from casebook.core.names import with_countries
from casebook.core.numbers import money
from casebook.ui import theme
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.scene_disposal import SceneDisposal
from casebook.ui.workspace import LensTab, WorkspaceTab, narrowed

LABEL_WIDTH = 230.0
HEADER = 44.0
ROW = 34.0
MARK_Y = 6.0  # the centre of the event markers' strip, under a lane's top edge
CELL_TOP = 12.0  # the cells start under the markers' strip: a marker never covers a count
SLICE_S = 0.030  # lanes are drawn for this long per turn of the event loop, then it runs
CASE_LANE = "__case__"
EVENT_COLOURS = {"evidence": "#1A73E8", "relationship": "#8430CE", "listing": "#C5221F"}
EVENT_TITLES = {"evidence": "Evidence", "relationship": "Relationship starts / ends",
                "listing": "Listed"}  # fmt: skip
CELL_COLOUR = "#1A73E8"
TENURE_COLOUR = "#A142F4"  # persons' violet, as on the chart
#: Column widths (points) of each unit of the zoom: below the least the next longer unit
#: takes over, above the most the next shorter one.
UNIT_WIDTHS = {"year": (18.0, 168.0), "month": (14.0, 300.0), "day": (10.0, 80.0)}
UNIT_DAYS = {"year": 365.25, "month": 30.44, "day": 1.0}
DEFAULT_COL = 46.0  # a month column, wide enough for a three-digit count
MAX_DAYS = 4000  # day columns drawn at most (some 11 years)


def _day(text: str | None, end: bool = False) -> dt.date | None:
    """A date of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the period's first day, or its last
    with ``end``), or None."""
    text = str(text or "")
    try:
        if len(text) >= 10:
            return dt.date.fromisoformat(text[:10])
        if len(text) == 7:
            first = dt.date(int(text[:4]), int(text[5:7]), 1)
            return _month_after(first) - dt.timedelta(days=1) if end else first
        if len(text) == 4:
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    except ValueError:
        return None
    return None


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))  # fmt: skip


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(back: QColor) -> QColor:
    """Black or white, whichever has more contrast on ``back`` (at least 4.58:1 on any colour)."""
    black, white = QColor("#000000"), QColor("#FFFFFF")
    return black if contrast(black, back) >= contrast(white, back) else white


def blend(colour: QColor, back: QColor, alpha: float) -> QColor:
    """``colour`` at ``alpha`` over ``back``, as an opaque colour."""
    return QColor.fromRgbF(*(alpha * a + (1 - alpha) * b for a, b in zip(
        (colour.redF(), colour.greenF(), colour.blueF()),
        (back.redF(), back.greenF(), back.blueF()), strict=True)))  # fmt: skip


def lane_titles(lanes: list[dict]) -> dict[str, str]:
    """Each lane's name as shown: a firm's name with its country when another lane has the
    same name (``Acme Ltd (CN)`` and ``Acme Ltd (HK)``)."""
    told = with_countries([(str(lane["label"]), lane.get("country")) for lane in lanes])
    return {
        lane["key"]: str(lane["label"]) if lane.get("person") or lane["key"] == CASE_LANE else label
        for lane, label in zip(lanes, told, strict=True)
    }


class TimelineView(QGraphicsView):
    """The grid, with lane names and month headings painted on top (sticky)."""

    cell_clicked = Signal(str, str)  # lane key, month
    cell_activated = Signal(str, str)

    def __init__(self, tab: TimelineTab):
        super().__init__(SceneDisposal.scene_for(tab))  # its cells go in slices after the tab
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
    """Lanes by firm or country (and a lane per linked person), periods across, events as
    markers."""

    drawn = Signal()
    cell_selected = Signal(str, str)  # lane key, period

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.data: dict | None = None
        self.days: dict | None = None  # lane key -> {YYYY-MM-DD: cell}, read when zoomed to days
        self.unit = "month"
        self.col = DEFAULT_COL  # a column's width: the zoom
        self.selected: tuple[str, str] | None = None
        self.lane_keys: list[str] = []
        self._periods: list[str] = []
        self._bars: list[tuple[QRectF, str]] = []
        self._starts: list[int] = []  # each period's first day (ordinal), and the day after
        self._generation = 0
        self._drawing = 0  # the draw in progress; a slice of an older one stops
        self._fit = True  # the next data read opens on the range that holds the shipments
        self._reading_days = False
        self._pending_reveal: str | None = None  # a firm asked for before the lanes were read
        self._resume = None  # the lanes left to draw, hidden meanwhile
        self.lanes_by = QComboBox()
        self.lanes_by.addItem("A lane per firm", "firm")
        self.lanes_by.addItem("A lane per country", "country")
        self.lanes_by.currentIndexChanged.connect(lambda _i: self.reload(fit=True))
        self.zoom_in = QPushButton("+")
        self.zoom_out = QPushButton("−")
        for button, tip in ((self.zoom_in, "Zoom in: towards days"),
                            (self.zoom_out, "Zoom out: towards years")):  # fmt: skip
            button.setToolTip(tip + " (Ctrl+wheel)")
            button.setMaximumWidth(36)
        self.zoom_in.clicked.connect(lambda: self.zoom(1.25))
        self.zoom_out.clicked.connect(lambda: self.zoom(0.8))
        self.info = QLabel("Click a period to select its firm in the other tabs; double-click "
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.legend)  # a row of its own: beside the buttons it wrapped mid-mark
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        # The lens (events stay: they are not shipments) is read once shown or when idle.
        self._defer_first_load(host)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        resume, self._resume = self._resume, None
        if resume is not None:
            QTimer.singleShot(0, self, resume)

    @staticmethod
    def _legend_html() -> str:
        marks = [
            "<span style='color:#1A73E8'>◆</span> evidence",
            "<span style='color:#8430CE'>▶</span>/<span style='color:#8430CE'>◀</span> "
            "relationship starts/ends",
            "<span style='color:#C5221F'>■</span> listed",
            f"<span style='color:{TENURE_COLOUR}'>▬</span> a person's role",
            "<span style='background:#1A73E8;color:white'>&nbsp;n&nbsp;</span> shipments",
        ]
        # Each mark kept whole on a line (a wrap falls between marks, never inside one).
        return " &nbsp; ".join(f"<span style='white-space:nowrap'>{m}</span>" for m in marks)

    # --- reading ----------------------------------------------------------------------------

    def lens_changed(self) -> None:
        self._fit = True

    def reload(self, *, fit: bool = False) -> None:
        self._loaded = True
        self._generation += 1
        self._fit = self._fit or fit
        gen, ref, lanes, lens = self._generation, self.ref, self.lanes_by.currentData(), self.lens
        words = self.workspace.describe(lens) if self.workspace else lens.describe()
        self.caption.setText(f"Filtered: {words}")
        self.caption.setVisible(bool(words))
        day = self.unit == "day"

        def work(book):
            data = book.timeline(case_ref=ref, lanes=lanes, lens=lens)
            days = book.timeline(case_ref=ref, lanes=lanes, lens=lens, unit="day") if day else None
            return data, days

        Op(self.host, work, label="Reading the timeline").success(
            lambda result: self._arrived(gen, *result)).failure(self._failed).run()  # fmt: skip

    def _read_days(self) -> None:
        """The day cells, once the zoom reaches days."""
        if self._reading_days:
            return
        self._reading_days = True
        gen, ref, lanes, lens = self._generation, self.ref, self.lanes_by.currentData(), self.lens
        self.info.setText("Reading the shipments by day…")
        Op(self.host, lambda book: book.timeline(case_ref=ref, lanes=lanes, lens=lens, unit="day"),
           label="Reading the timeline by day").success(
            lambda data: self._days_arrived(gen, data)).failure(self._failed).run()  # fmt: skip

    def _days_arrived(self, gen: int, data: dict) -> None:
        if not isValid(self):
            return
        self._reading_days = False
        if gen != self._generation:
            return
        self.days = {lane["key"]: lane["months"] for lane in data["lanes"]}
        self.info.setText("")
        self.draw()

    def _failed(self, exc: BaseException) -> None:
        """A refusal (the case went away meanwhile) is shown in the bar, not in a dialog."""
        from casebook.core.errors import CasebookError

        self._reading_days = False
        if isinstance(exc, CasebookError):
            self.info.setText(exc.message)
        else:
            self.host.present_error(exc)

    def _arrived(self, gen: int, data: dict, days: dict | None = None) -> None:
        if not isValid(self) or gen != self._generation:  # the case was left meanwhile
            return
        self.data = data
        self.days = {lane["key"]: lane["months"] for lane in days["lanes"]} if days else None
        pending, self._pending_reveal = self._pending_reveal, None
        lane = next((x for x in data["lanes"] if x["key"] == pending), None) if pending else None
        if lane is not None:  # selected in the first drawing, not drawn again
            self.selected = (pending, min(lane["months"], default=""))
        fit, self._fit = self._fit, False
        if fit:
            self.fit_to_data()
        else:
            self.draw()
        if lane is not None and pending in self.lane_keys:
            y = self.y_of(self.lane_keys.index(pending))
            self.view.ensureVisible(QRectF(LABEL_WIDTH, y, 10, ROW))

    # --- periods and zoom -------------------------------------------------------------------

    def months(self) -> list[str]:
        return list(self.data["months"]) if self.data else []

    def periods(self) -> list[str]:
        """The columns: years, months or days (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``)."""
        return self._periods

    def _lay_periods(self) -> None:
        months = self.months()
        self._periods, self._starts = [], []
        if not months:
            return
        first, last = _day(months[0]), _day(months[-1], end=True)
        if self.unit == "year":
            years = list(range(first.year, last.year + 1))
            self._periods = [f"{y:04d}" for y in years]
            self._starts = [dt.date(y, 1, 1).toordinal() for y in [*years, years[-1] + 1]]
        elif self.unit == "month":
            self._periods = months
            self._starts = [_day(m).toordinal() for m in months]
            self._starts.append(_month_after(_day(months[-1])).toordinal())
        else:
            start, stop = first.toordinal(), last.toordinal() + 1
            if stop - start > MAX_DAYS:  # from the first shipment day on
                busy = [d for cells in (self.days or {}).values() for d in cells]
                start = max(start, _day(min(busy)).toordinal()) if busy else start
                stop = min(stop, start + MAX_DAYS)
            self._starts = list(range(start, stop + 1))
            self._periods = [dt.date.fromordinal(o).isoformat() for o in range(start, stop)]

    def period_of(self, date: str) -> str:
        return str(date)[: {"year": 4, "month": 7, "day": 10}[self.unit]]

    def cells(self, lane: dict) -> dict:
        """The lane's cells by period of the current unit."""
        if self.unit == "month":
            return lane["months"]
        if self.unit == "day":
            return (self.days or {}).get(lane["key"], {})
        out: dict[str, dict] = {}
        for month, cell in lane["months"].items():
            total = out.setdefault(month[:4], {"shipments": 0, "value_usd": 0.0})
            total["shipments"] += cell["shipments"]
            total["value_usd"] += cell["value_usd"]
        return out

    def zoom(self, factor: float, anchor: float | None = None) -> None:
        """Widen (``factor`` > 1) or narrow the columns; past a unit's widest the columns
        become the next shorter unit (years → months → days), past its narrowest the next
        longer one. The day under ``anchor`` (a viewport x; default its middle) stays put."""
        viewport = self.view.viewport()
        anchor = viewport.width() / 2 if anchor is None else anchor
        scene_x = self.view.mapToScene(int(anchor), 0).x()
        day = self.ordinal_at(max(scene_x, LABEL_WIDTH)) if self._periods else None
        order = ["year", "month", "day"]
        unit, col = self.unit, self.col * factor
        while True:
            low, high = UNIT_WIDTHS[unit]
            i = order.index(unit)
            if col > high and i < 2:
                col, unit = col * UNIT_DAYS[order[i + 1]] / UNIT_DAYS[unit], order[i + 1]
            elif col < low and i > 0:
                col, unit = col * UNIT_DAYS[order[i - 1]] / UNIT_DAYS[unit], order[i - 1]
            else:
                break
        low, high = UNIT_WIDTHS[unit]
        self.unit, self.col = unit, min(high, max(low, col))
        if unit == "day" and self.days is None and self.data:
            self._read_days()
        self.draw()
        if day is not None:
            self.view.horizontalScrollBar().setValue(round(self.x_of_ordinal(day) - anchor))

    def fit_to_data(self) -> None:
        """Open on the periods that hold the shipments (else the events), their columns as
        wide as the view allows them (up to twice the default month), scrolled to the first."""
        lanes = self.data["lanes"] if self.data else []
        busy = sorted({m for lane in lanes for m in lane["months"]})
        if not busy:
            busy = sorted(e["month"] for e in (self.data or {}).get("events", []) if e["month"])
        width = max(self.view.viewport().width(), 400) - LABEL_WIDTH - 24
        self.unit, self.col = "month", DEFAULT_COL
        if busy:
            first, last = _day(busy[0]), _day(busy[-1])
            span = (last.year - first.year) * 12 + last.month - first.month + 1
            col = width / span
            if col < UNIT_WIDTHS["month"][0]:
                years = last.year - first.year + 1
                self.unit = "year"
                self.col = min(UNIT_WIDTHS["year"][1], max(UNIT_WIDTHS["year"][0], width / years))
            else:
                self.col = min(2 * DEFAULT_COL, col)
        self.draw()
        if busy and self._periods:
            x = self.x_of(self._periods.index(self.period_of(busy[0])))
            self.view.horizontalScrollBar().setValue(max(0, round(x - LABEL_WIDTH - 4)))
        self.view.verticalScrollBar().setValue(0)

    def x_of(self, index: int) -> float:
        return LABEL_WIDTH + index * self.col

    def x_of_ordinal(self, day: float) -> float:
        """The scene x of a day (a proleptic ordinal, fractions within the day)."""
        starts = self._starts
        if not starts:
            return LABEL_WIDTH
        day = min(max(day, starts[0]), starts[-1])
        lo, hi = 0, len(starts) - 2
        while lo < hi:  # the last period starting on or before the day
            mid = (lo + hi + 1) // 2
            if starts[mid] <= day:
                lo = mid
            else:
                hi = mid - 1
        return self.x_of(lo) + self.col * (day - starts[lo]) / (starts[lo + 1] - starts[lo])

    def x_of_date(self, date: str | None, *, end: bool = False) -> float | None:
        day = _day(date, end=end)
        return None if day is None else self.x_of_ordinal(day.toordinal() + (1 if end else 0))

    def ordinal_at(self, x: float) -> float:
        if not self._starts:
            return 0.0
        i = min(max(int((x - LABEL_WIDTH) // self.col), 0), len(self._starts) - 2)
        frac = (x - self.x_of(i)) / self.col
        return self._starts[i] + frac * (self._starts[i + 1] - self._starts[i])

    def y_of(self, lane_index: int) -> float:
        return HEADER + lane_index * ROW

    def cell_at(self, x: float, y: float) -> tuple[str, str] | None:
        periods = self.periods()
        col, row = math.floor((x - LABEL_WIDTH) / self.col), math.floor((y - HEADER) / ROW)
        if 0 <= col < len(periods) and 0 <= row < len(self.lane_keys):
            return self.lane_keys[row], periods[col]
        return None

    # --- lanes ------------------------------------------------------------------------------

    def lanes(self) -> list[dict]:
        """The firm (or country) lanes, a lane per person linked to a firm (their roles as
        bars: ``tenures``), and the case's own lane for events of no firm."""
        if not self.data:
            return []
        lanes = list(self.data["lanes"])
        people: dict[str, dict] = {}
        for tenure in self.data.get("tenures", []):
            lane = people.setdefault(tenure["person"], {
                "key": tenure["person"], "label": tenure["name"], "country": None,
                "months": {}, "person": True, "tenures": []})  # fmt: skip
            lane["tenures"].append(tenure)
        lanes += sorted(people.values(), key=lambda x: str(x["label"]).casefold())
        if any(e["lane"] is None for e in self.data["events"]):
            lanes.append({"key": CASE_LANE, "label": "Case (no firm)", "months": {}})
        return lanes

    def lane_titles(self) -> dict[str, str]:
        return lane_titles(self.lanes())

    # --- drawing ----------------------------------------------------------------------------

    def draw(self) -> None:
        """Lay the grid out, draw the first lanes at once and the rest in slices from the
        event loop: 5,000 firms make some 100,000 cells, seconds of item building that would
        block the window (issue 18). ``drawn`` is emitted once every lane is drawn."""
        started = time.perf_counter()
        self._drawing += 1
        self.scene.clear()
        self._bars: list[tuple[QRectF, str]] = []  # persons' roles, named again when scrolled
        self._lay_periods()
        periods, lanes = self.periods(), self.lanes()
        self.lane_keys = [lane["key"] for lane in lanes]
        width = self.x_of(len(periods))
        grid = QPen(QColor("#DADCE0"), 0.6)
        strong = QPen(QColor("#9AA0A6"), 1.0)
        for i, period in enumerate(periods):
            if self.col < 4 and not period.endswith("-01"):
                continue
            x = self.x_of(i)
            major = {"year": True, "month": period.endswith("-01"),
                     "day": period.endswith("-01")}[self.unit]  # fmt: skip
            self.scene.addLine(x, HEADER, x, self.y_of(len(lanes)), strong if major else grid)
        self.scene.setSceneRect(QRectF(0, 0, width + 20, self.y_of(len(lanes)) + 20))
        all_cells = [self.cells(lane) for lane in lanes]
        top = max([c["value_usd"] for cells in all_cells for c in cells.values()] or [1.0])
        self._draw_lanes(self._drawing, lanes, top, 0, started)

    def _draw_lanes(
        self, drawing: int, lanes: list[dict], top: float, start: int, started: float | None = None
    ) -> None:
        """Lanes from ``start`` (shaded by their share of ``top``) for ``SLICE_S`` from
        ``started`` (default: now), then the next slice later unless drawn anew meanwhile; the
        events and the selection once the last lane is in. (A fixed number of lanes per slice
        blocked the window 0.2 s on a million-shipment case: lanes full of cells.)"""
        if not isValid(self) or drawing != self._drawing:
            return
        deadline = (started if started is not None else time.perf_counter()) + SLICE_S
        periods = self.periods()
        column = {period: i for i, period in enumerate(periods)}
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.8, 7.0))
        fm = QFontMetricsF(small)
        width = self.x_of(len(periods))
        base, accent = self.palette().color(self.palette().ColorRole.Base), QColor(CELL_COLOUR)
        band_colour = QColor(128, 128, 128, 22)
        stop = len(lanes)
        for r in range(start, len(lanes)):
            if r > start and time.perf_counter() > deadline:
                stop = r
                break
            lane, y = lanes[r], self.y_of(r)
            if r % 2:
                band = self.scene.addRect(QRectF(LABEL_WIDTH, y, width - LABEL_WIDTH, ROW),
                                          Qt.PenStyle.NoPen, QBrush(band_colour))  # fmt: skip
                band.setZValue(-2)
            back = blend(QColor(128, 128, 128), base, 22 / 255) if r % 2 else base
            if lane.get("person"):
                self._draw_tenures(lane, y, small)
            for period, cell in self.cells(lane).items():
                if period not in column:
                    continue
                i = column[period]
                share = math.sqrt(cell["value_usd"] / top) if top > 0 else 0.0
                colour = blend(accent, back, 0.18 + 0.8 * share)  # opaque: its text is chosen
                box = QRectF(self.x_of(i) + 1, y + CELL_TOP, max(self.col - 2, 1.0),
                             ROW - CELL_TOP - 3)  # fmt: skip
                rect = self.scene.addRect(box, Qt.PenStyle.NoPen, QBrush(colour))
                rect.setToolTip(
                    f"{lane['label']} · {period}: {cell['shipments']:,} shipments, "
                    f"{money(cell['value_usd'], compact=True)}"
                )
                text = f"{cell['shipments']}"
                if fm.horizontalAdvance(text) < self.col - 6:
                    label = self.scene.addSimpleText(text, small)
                    label.setBrush(readable_on(colour))
                    label.setPos(box.center().x() - fm.horizontalAdvance(text) / 2,
                                 box.center().y() - fm.height() / 2)  # fmt: skip
        if stop < len(lanes):
            later = partial(self._draw_lanes, drawing, lanes, top, stop)
            if self.isVisible():
                QTimer.singleShot(0, self, later)
            else:  # the rest once shown again (a closed case's timeline stops drawing)
                self._resume = later
            return
        self._draw_events(periods, lanes)
        if self.selected:
            self._mark_selection()
        self.drawn.emit()

    def _draw_tenures(self, lane: dict, y: float, font: QFont) -> None:
        """A person's links to firms as bars from start to end (an open end runs to the
        range's end, an unknown start from its beginning), overlapping ones in rows."""
        fm = QFontMetricsF(font)
        left, right = self.x_of(0), self.x_of(len(self.periods()))
        spans = []
        for tenure in lane["tenures"]:
            x0 = self.x_of_date(tenure["start"]) if tenure["start"] else left
            x1 = self.x_of_date(tenure["end"], end=True) if tenure["end"] else right
            x0, x1 = x0 if x0 is not None else left, x1 if x1 is not None else right
            x0, x1 = max(x0, left), min(x1, right)  # a role begun before the range: from its start
            spans.append((x0, max(x1, x0 + 3), tenure))
        rows: list[float] = []  # each row's right end so far
        placed = []
        for x0, x1, tenure in sorted(spans, key=lambda s: (s[0], s[1])):
            row = next((i for i, end in enumerate(rows) if end <= x0), None)
            if row is None:
                rows.append(x1)
                row = len(rows) - 1
            rows[row] = x1
            placed.append((x0, x1, row, tenure))
        height = min(ROW - 6, (ROW - 6) / max(len(rows), 1))
        colour = QColor(TENURE_COLOUR)
        for x0, x1, row, tenure in placed:
            box = QRectF(x0, y + 3 + row * height, x1 - x0, height - 1)
            share = f" ({tenure['share']:g}%)" if tenure.get("share") is not None else ""
            role = f"{tenure['kind']}{share} of {tenure['firm_name']}"
            dates = f"{tenure['start'] or '…'} – {tenure['end'] or 'now'}"
            rect = self.scene.addRect(box, QPen(colour.darker(130), 0.8), QBrush(colour))
            rect.setZValue(1)
            rect.setToolTip(f"{tenure['name']}: {role}, {dates}")
            rect.setData(0, "tenure")
            self._bars.append((box, role))
            if box.height() >= fm.height() - 1:
                text = fm.elidedText(role, Qt.TextElideMode.ElideRight, box.width() - 6)
                if len(text) > 1:
                    label = self.scene.addSimpleText(text, font)
                    label.setBrush(readable_on(colour))
                    label.setPos(box.left() + 3, box.center().y() - fm.height() / 2)
                    label.setZValue(2)

    def _draw_events(self, periods: list[str], lanes: list[dict]) -> None:
        """Markers in the strip along each lane's top, above the cells (never on a count);
        those of one column side by side."""
        index = {key: i for i, key in enumerate(self.lane_keys)}
        column = {period: i for i, period in enumerate(periods)}
        stacked: dict[tuple, int] = {}
        for event in self.data["events"] if self.data else []:
            period = self.period_of(event["date"])
            if period not in column:
                continue
            lane = CASE_LANE if event["lane"] is None else event["lane"]
            if lane not in index:
                continue
            i, r = column[period], index[lane]
            n = stacked.get((i, r), 0)
            stacked[(i, r)] = n + 1
            x = self.x_of_date(event["date"])
            x = (x if x is not None else self.x_of(i) + self.col / 2) + n * 9
            if self.unit == "day" or len(str(event["date"])) < 10:
                x = self.x_of(i) + min(self.col / 2, 6.0) + n * 9
            colour = QColor(EVENT_COLOURS.get(event["kind"], "#5F6368"))
            item = self.scene.addPolygon(_marker(event, x, self.y_of(r) + MARK_Y),
                                         QPen(QColor("#FFFFFF"), 0.8), QBrush(colour))  # fmt: skip
            item.setZValue(3)
            item.setData(0, "event")
            item.setToolTip(f"{event['date']} · {EVENT_TITLES.get(event['kind'], event['kind'])}"
                            f"\n{event['label']}")  # fmt: skip

    def _mark_selection(self) -> None:
        lane, period = self.selected
        periods = self.periods()
        if lane not in self.lane_keys:
            return
        period = self.period_of(period) if self.period_of(period) in periods else period
        if period not in periods:
            return
        r, i = self.lane_keys.index(lane), periods.index(period)
        outline = self.scene.addRect(QRectF(self.x_of(i), self.y_of(r), self.col, ROW),
                                     QPen(QColor("#FBBC04"), 2.5))  # fmt: skip
        outline.setZValue(4)
        row = self.scene.addRect(QRectF(LABEL_WIDTH, self.y_of(r), self.x_of(len(periods))
                                        - LABEL_WIDTH, ROW), Qt.PenStyle.NoPen,
                                 QBrush(QColor(251, 188, 4, 40)))  # fmt: skip
        row.setZValue(-1)

    def paint_sticky(self, painter: QPainter, visible: QRectF) -> None:
        """Lane names down the left edge and period headings along the top, wherever the view
        has scrolled to."""
        if not self.data:
            return
        palette = self.palette()
        back, fore = palette.color(palette.ColorRole.Base), palette.color(palette.ColorRole.Text)
        count_colour = theme.muted(palette, on_base=True)  # #5F6368 read 2.6:1 on the dark
        font = QFont(self.font())
        fm = QFontMetricsF(font)
        left, top = visible.left(), visible.top()
        titles = self.lane_titles()
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
            title = titles.get(lane["key"], str(lane["label"]))
            name = fm.elidedText(title, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 60)
            painter.setPen(QColor(TENURE_COLOUR) if lane.get("person") else fore)
            painter.drawText(QRectF(left + 6, y, LABEL_WIDTH - 60, ROW),
                             Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
            painter.setPen(count_colour)
            painter.drawText(QRectF(left, y, LABEL_WIDTH - 6, ROW),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             f"{total:,}" if total else "")  # fmt: skip
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.8, 7.0))
        sfm = QFontMetricsF(small)
        edge = left + LABEL_WIDTH
        painter.setFont(small)
        painter.setPen(readable_on(QColor(TENURE_COLOUR)))
        for bar, role in self._bars:  # a role begun off to the left: named at the edge
            if bar.left() < edge < bar.right() - 20 and bar.height() >= sfm.height() - 1:
                room = QRectF(edge + 3, bar.top(), bar.right() - edge - 6, bar.height())
                if top + HEADER <= room.top() and room.bottom() <= visible.bottom():
                    text = sfm.elidedText(role, Qt.TextElideMode.ElideRight, room.width())
                    # Over the bar's own label, scrolled in under the edge: never two texts.
                    painter.fillRect(
                        bar.adjusted(edge - bar.left() + 1, 1, -1, -1), QColor(TENURE_COLOUR)
                    )
                    painter.drawText(room, Qt.AlignmentFlag.AlignVCenter, text)
        painter.setFont(font)
        painter.fillRect(QRectF(left, top, visible.width(), HEADER), back)
        painter.setPen(QPen(QColor("#9AA0A6"), 1))
        painter.drawLine(QPointF(left, top + HEADER), QPointF(visible.right(), top + HEADER))
        painter.drawLine(
            QPointF(left + LABEL_WIDTH, top), QPointF(left + LABEL_WIDTH, visible.bottom())
        )
        first = max(0, math.ceil((left - 0.5) / self.col))  # the first column in sight
        last = min(len(self._periods), math.ceil((visible.right() - LABEL_WIDTH) / self.col) + 1)
        for i in range(first, last):
            period = self._periods[i]
            x = self.x_of(i)
            painter.setFont(small)
            painter.setPen(fore)
            if self.unit == "year":
                heading, above = period, None
            elif self.unit == "month":
                wide = self.col >= sfm.horizontalAdvance("2022-01") + 6
                heading, above = (period if wide else period[5:7]), period[:4]
                above = above if period.endswith("-01") or i == first else None
            else:  # narrow days: the 1st, 10th and 20th only
                wide = self.col >= sfm.horizontalAdvance("00") + 2
                heading = period[8:10] if wide or period[8:10] in ("01", "10", "20") else ""
                above = period[:7] if period.endswith("-01") or i == first else None
            if heading:
                painter.drawText(QRectF(x - self.col, top + HEADER / 2, 3 * self.col, HEADER / 2),
                                 Qt.AlignmentFlag.AlignCenter, heading)  # fmt: skip
            if above:
                painter.setFont(font)
                painter.drawText(QRectF(x + 2, top + 2, 80, HEADER / 2),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, above)  # fmt: skip
        painter.setFont(font)
        painter.setPen(fore)
        painter.fillRect(QRectF(left, top, LABEL_WIDTH, HEADER), back)
        by = "Firm" if self.data.get("lanes_by") == "firm" else "Country"
        painter.drawText(QRectF(left + 6, top, LABEL_WIDTH - 12, HEADER),
                         Qt.AlignmentFlag.AlignVCenter, f"{by} · shipments")  # fmt: skip
        painter.restore()

    # --- selection --------------------------------------------------------------------------

    def lane_label(self, key: str) -> str:
        return self.lane_titles().get(key, key)

    def select_cell(self, lane: str, period: str) -> None:
        """Select a lane's period: shown here, and the firm selected in the other tabs."""
        self.selected = (lane, period)
        found = next((x for x in self.lanes() if x["key"] == lane), None)
        cell = self.cells(found).get(period) if found else None
        what = (f"{cell['shipments']:,} shipments, {money(cell['value_usd'], compact=True)}" if cell
                else "no shipments")  # fmt: skip
        if found and found.get("person"):
            what = f"{len(found['tenures'])} roles"
        self.info.setText(f"{self.lane_label(lane)} · {period}: {what}")
        self.draw()
        self.cell_selected.emit(lane, period)
        if (
            self.workspace
            and self.data
            and self.data.get("lanes_by") == "firm"
            and lane != CASE_LANE
            and not (found and found.get("person"))
        ):
            self.workspace.show("firm", lane)

    def open_cell(self, lane: str, period: str) -> None:
        """The Shipments tab showing the lane's firm in that period, within the lens."""
        clicked = {"date_from": period, "date_to": period}
        person = any(x["key"] == lane and x.get("person") for x in self.lanes())
        if self.data and self.data.get("lanes_by") == "firm" and lane != CASE_LANE and not person:
            clicked["firm"] = lane  # a country lane is its firms' country: the period alone
        try:
            lens = narrowed(self.lens, clicked)
        except UsageError as exc:
            self.info.setText(exc.message)
            return
        if self.workspace is None or not self.workspace.show_shipments(lens):
            self.info.setText("This case has no Shipments tab to show the rows in.")

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a firm's lane (another tab asked); True when it has one. Asked before the
        lanes were read, it is selected once they are (if it has one)."""
        if kind == "firm" and self.data is None:
            self._pending_reveal = uid
            return False
        if kind != "firm" or uid not in self.lane_keys or not self.data:
            return False
        lane = next((x for x in self.data["lanes"] if x["key"] == uid), None)
        cells = self.cells(lane) if lane else {}
        first = min(cells) if cells else (self.periods() or [""])[0]
        self.selected = (uid, first)
        self.draw()
        self.view.ensureVisible(QRectF(LABEL_WIDTH, self.y_of(self.lane_keys.index(uid)), 10, ROW))
        return True

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "relationships", "hits", "evidence", "datasets",
                           "persons"):  # fmt: skip
            self.reload()


def _marker(event: dict, x: float, y: float) -> QPolygonF:
    s = 4.5
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
