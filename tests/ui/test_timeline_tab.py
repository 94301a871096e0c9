"""The Timeline tab: a lane per firm (or country) with each month's shipments, events as
markers, and a selected firm passed on to the Network tab."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from casebook.book import Casebook
from casebook.ui.main_window import MainWindow
from casebook.ui.timeline_tab import TimelineTab
from casebook.ui.worker import Job

TIMEOUT = 30_000
CSV = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,100000\n"
    "2022-01-20,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,50000\n"
    "2022-04-07,Beta Tools,Techno Stanok LLC,TR,RU,845961,25000\n"
)


@pytest.fixture
def opened(qtbot, tmp_path):
    data = tmp_path / "shipments.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Timeline", ref="CB-TL-1")
        book.import_file(data, case_ref="CB-TL-1")
        firms = {f["name"]: f["uid"] for f in book.list_firms(case_ref="CB-TL-1")}
        book.add_relationship(case_ref="CB-TL-1", from_uid=firms["Beta Tools"],
                              to_uid=firms["Acme Machine Co"], kind="supplier",
                              start="2022-02-10", end="2022-05-01")  # fmt: skip
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page.select("CB-TL-1"), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "timeline" in workspace._extra, timeout=TIMEOUT)
    tab: TimelineTab = workspace._extra["timeline"]
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.data is not None, timeout=TIMEOUT)
    return win, tab, firms


def test_the_timeline_shows_each_month_with_shipments(opened):
    _win, tab, firms = opened
    assert tab.months() == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05"]
    lanes = {lane["key"]: lane for lane in tab.lanes()}
    assert lanes[firms["Acme Machine Co"]]["months"]["2022-01"]["shipments"] == 2
    assert lanes[firms["Techno Stanok LLC"]]["months"]["2022-04"]["shipments"] == 1
    texts = {i.text() for i in tab.scene.items() if hasattr(i, "text")}
    assert {"2", "1"} <= texts  # the cells' counts are drawn
    tips = " ".join(i.toolTip() for i in tab.scene.items())
    assert "2022-01: 2 shipments" in tips and "supplier starts" in tips and "supplier ends" in tips
    assert tab.cell_at(*_centre(tab, firms["Acme Machine Co"], "2022-01")) == (
        firms["Acme Machine Co"], "2022-01"
    )  # fmt: skip


def _centre(tab, lane, month):
    return (tab.x_of(tab.months().index(month)) + tab.col / 2,
            tab.y_of(tab.lane_keys.index(lane)) + 10)  # fmt: skip


def test_lanes_per_country_and_zoom(opened, qtbot):
    _win, tab, _firms = opened
    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        tab.lanes_by.setCurrentIndex(1)
    assert {lane["key"] for lane in tab.lanes()} == {"CN", "TR", "RU"}
    width = tab.col
    tab.zoom(2.0)
    assert tab.col == 2 * width and tab.scene.sceneRect().width() > 0


def test_selecting_a_month_selects_the_firm_in_the_network_tab(opened, qtbot):
    win, tab, firms = opened
    workspace = win.page.workspace
    network = workspace._extra["network"]
    qtbot.waitUntil(lambda: network.complete and len(network.nodes) == 3, timeout=TIMEOUT)
    tab.select_cell(firms["Beta Tools"], "2022-04")
    assert "Beta Tools · 2022-04: 1 shipments" in tab.info.text()
    assert network.selected_uids() == [firms["Beta Tools"]]
    # And back: the network's selection highlights the lane here.
    network.select(firms["Acme Machine Co"])
    assert tab.selected[0] == firms["Acme Machine Co"]
    assert workspace.tabs.currentWidget() is tab


def test_the_case_workspace_leaves_room_for_the_case_list(opened):
    """No tab may demand the whole window: the Timeline's one-line hint made the workspace
    1,116 px wide at least, which squeezed the case list to 160 px in a 1,280 px window."""
    win, _tab, _firms = opened
    workspace = win.page.workspace
    widths = {
        workspace.tabs.tabText(i): workspace.tabs.widget(i).minimumSizeHint().width()
        for i in range(workspace.tabs.count())
    }
    assert max(widths.values()) <= 800, widths
    win.resize(1280, 800)
    assert win.page.split.sizes()[0] >= 300


def _many_lanes(count: int) -> dict:
    """Timeline data of ``count`` firms, each shipping once a month through 2022."""
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    cell = {"shipments": 1, "value_usd": 10.0}
    lanes = [
        {"key": f"f{i}", "label": f"Firm {i}", "country": "CN",
         "months": dict.fromkeys(months, cell)}
        for i in range(count)
    ]  # fmt: skip
    return {"months": months, "lanes": lanes, "events": []}


def test_thousands_of_lanes_are_drawn_without_blocking_the_window(opened, qtbot):
    """5,000 firms made some 100,000 cells, built in one go: seconds of a frozen window
    (issue 18). The first lanes show at once; the rest follow between repaints."""
    _win, tab, _firms = opened
    tab.data = _many_lanes(2000)

    def cells() -> int:
        return sum(1 for i in tab.scene.items() if "shipments" in i.toolTip())

    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        tab.draw()
        assert 0 < cells() < 2000 * 12  # the first lanes, and the loop free to paint them
    assert cells() == 2000 * 12
    assert tab.cell_at(*_centre(tab, "f1999", "2022-12")) == ("f1999", "2022-12")


def test_a_hidden_timeline_stops_drawing_until_shown_again(opened, qtbot):
    """A case closed (or another tab shown) while its timeline was drawing kept building
    lanes nobody saw, blocking the window of the tab opened next (issue 18)."""
    win, tab, _firms = opened
    tab.data = _many_lanes(2000)
    drawn = []
    tab.drawn.connect(lambda: drawn.append(True))

    def cells() -> int:
        return sum(1 for i in tab.scene.items() if "shipments" in i.toolTip())

    tab.draw()
    workspace = win.page.workspace
    workspace.tabs.setCurrentIndex(0)  # the Overview: the timeline is hidden
    qtbot.wait(50)  # a slice under way when hidden may end
    hidden = cells()
    qtbot.wait(400)
    assert cells() == hidden < 2000 * 12 and not drawn
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(drawn), timeout=TIMEOUT)
    assert cells() == 2000 * 12


def test_a_hidden_tab_reads_when_shown_or_once_the_worker_is_idle(opened, qtbot):
    """A case opening builds every tab: a hidden chart tab must not queue its read ahead of
    the tab the analyst opens (issue 18)."""
    win, _tab, _firms = opened
    hold = threading.Event()
    win.host.submit(Job(hold.wait), "Holding the worker")  # another tab's long read
    shown, hidden = TimelineTab(win.host, "CB-TL-1"), TimelineTab(win.host, "CB-TL-1")
    for tab in (shown, hidden):
        qtbot.addWidget(tab)
    qtbot.wait(50)
    assert not shown._loaded and not hidden._loaded  # nothing queued behind the long read
    shown.show()  # the analyst opens it: read at once
    assert shown._loaded and not hidden._loaded
    hold.set()
    qtbot.waitUntil(lambda: shown.data is not None and hidden.data is not None, timeout=TIMEOUT)
    assert shown.months() == hidden.months() == _tab.months()


def test_a_reply_for_a_lens_left_meanwhile_is_dropped(opened, qtbot):
    from casebook.core.filters import ShipmentFilter

    win, tab, firms = opened
    hold = threading.Event()
    win.host.submit(Job(hold.wait), "Holding the worker")
    drawn = []
    tab.drawn.connect(lambda: drawn.append(tab.lens))
    lens = ShipmentFilter.parse(firm=firms["Beta Tools"])
    tab.set_lens(ShipmentFilter.parse(dispatch="CN"))  # read queued behind the long one
    tab.set_lens(lens)  # changed again before the first reply
    hold.set()
    qtbot.waitUntil(lambda: not win.host.worker.busy and bool(drawn), timeout=TIMEOUT)
    qtbot.wait(200)
    assert drawn == [lens]  # the first reply was dropped, never drawn


# --- issue 20: the timeline opens on its data, markers clear of counts, contrast, names, zoom


@pytest.fixture
def late(qtbot, tmp_path):
    """Shipments in 2023 only, and a relationship that started in 2021: 22 empty months first."""
    data = tmp_path / "shipments.csv"
    data.write_text(
        "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
        "2023-01-05,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,100000\n"
        "2023-02-15,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,60000\n"
        "2023-02-16,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,1000\n"
        "2023-03-10,Beta Tools,Techno Stanok LLC,TR,RU,845961,25000\n"
        "2023-04-10,Beta Tools,Techno Stanok LLC,TR,RU,845961,8000\n",
        encoding="utf-8",
    )
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Timeline", ref="CB-TL-2")
        book.import_file(data, case_ref="CB-TL-2")
        firms = {f["name"]: f["uid"] for f in book.list_firms(case_ref="CB-TL-2")}
        book.add_relationship(case_ref="CB-TL-2", from_uid=firms["Beta Tools"],
                              to_uid=firms["Acme Machine Co"], kind="supplier",
                              start="2021-03-10", end="2023-02-15")  # fmt: skip
        person = book.add_person(case_ref="CB-TL-2", name="Ivan Petrov")
        book.add_person_link(case_ref="CB-TL-2", from_uid=person["uid"],
                             to_uid=firms["Acme Machine Co"], kind="director",
                             fields={"start": "2022-06-01", "end": "2023-03-31"})  # fmt: skip
        book.add_person_link(case_ref="CB-TL-2", from_uid=person["uid"],
                             to_uid=firms["Beta Tools"], kind="shareholder",
                             fields={"share": 40.0, "start": "2023-01-15"})  # fmt: skip
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page.select("CB-TL-2"), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "timeline" in workspace._extra, timeout=TIMEOUT)
    tab: TimelineTab = workspace._extra["timeline"]
    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.data is not None, timeout=TIMEOUT)
    return win, tab, firms, person


def _visible(tab):
    """The scene's x range of the grid in sight (the lane names cover the left of the view)."""
    rect = tab.view.mapToScene(tab.view.viewport().rect()).boundingRect()
    return rect.left() + 230.0, rect.right()


def test_the_timeline_opens_on_the_months_that_hold_the_shipments(late):
    """The range starts in 2021 (a relationship's start); the shipments are in 2023: they are
    in sight when the tab opens, not off to the right of 22 empty months."""
    _win, tab, _firms, _person = late
    assert tab.months()[0] == "2021-03"
    left, right = _visible(tab)
    first = tab.x_of(tab.periods().index("2023-01"))
    last = tab.x_of(tab.periods().index("2023-04")) + tab.col
    assert left - 1 <= first and last <= right + 1, (left, right, first, last)


def test_event_markers_never_cover_a_count(late):
    _win, tab, _firms, _person = late
    markers = [i for i in tab.scene.items() if i.data(0) == "event"]
    counts = [i for i in tab.scene.items() if hasattr(i, "text") and i.text().isdigit()]
    assert markers and counts
    # the supplier link ends on 2023-02-15 on a lane and month with shipments
    tips = " ".join(m.toolTip() for m in markers)
    assert "2023-02-15" in tips
    for marker in markers:
        for count in counts:
            box = marker.sceneBoundingRect().adjusted(1, 1, -1, -1)
            assert not box.intersects(count.sceneBoundingRect()), (marker.toolTip(), count.text())


def test_every_count_is_readable_on_its_cell(opened, qtbot):
    """White text on a light cell (a month worth 40–60 % of the largest) read at about 2.7:1;
    each count now takes black or white, whichever reads better: at least 4.5:1 (WCAG AA)."""
    from casebook.ui.timeline_tab import contrast

    _win, tab, _firms = opened
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    lanes = [{"key": f"f{r}", "label": f"Firm {r}", "country": "CN",
              "months": {mo: {"shipments": 7, "value_usd": float((r * 12 + i + 1) ** 2)}
                         for i, mo in enumerate(months)}} for r in range(4)]  # fmt: skip
    tab.data = {"lanes_by": "firm", "months": months, "lanes": lanes, "events": []}
    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        tab.draw()
    counts = [i for i in tab.scene.items() if hasattr(i, "text") and i.text() == "7"]
    assert len(counts) == 48
    for label in counts:
        under = [i for i in tab.scene.items(label.sceneBoundingRect().center())
                 if hasattr(i, "rect") and "shipments" in i.toolTip()]  # fmt: skip
        cell = under[0].brush().color()
        assert cell.alpha() == 255
        assert contrast(label.brush().color(), cell) >= 4.5, (under[0].toolTip(), cell.name())


def test_firms_of_one_name_show_their_country(opened, qtbot):
    _win, tab, _firms = opened
    months = ["2022-01"]
    cell = {"2022-01": {"shipments": 1, "value_usd": 5.0}}
    tab.data = {"lanes_by": "firm", "months": months, "events": [], "lanes": [
        {"key": "a", "label": "Nova Trade Ltd", "country": "HK", "months": cell},
        {"key": "b", "label": "Nova Trade Ltd", "country": "TR", "months": cell},
        {"key": "c", "label": "Acme", "country": "CN", "months": cell}]}  # fmt: skip
    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        tab.draw()
    assert tab.lane_label("a") == "Nova Trade Ltd (HK)"
    assert tab.lane_label("b") == "Nova Trade Ltd (TR)"
    assert tab.lane_label("c") == "Acme"  # a name of its own stays as it is
    tab.select_cell("b", "2022-01")
    assert tab.info.text().startswith("Nova Trade Ltd (TR) · 2022-01")


def test_zoom_goes_from_years_to_days(late, qtbot):
    """Zooming out turns the months into years; zooming in, into days (read when first
    shown), with each day's shipments in its own column."""
    _win, tab, firms, _person = late
    assert tab.unit == "month"
    for _ in range(12):
        tab.zoom_out.click()
        if tab.unit == "year":
            break
    assert tab.unit == "year" and tab.periods() == ["2021", "2022", "2023"]
    cells = {i.toolTip() for i in tab.scene.items() if "shipments" in i.toolTip()}
    assert any("2023: 3 shipments" in t for t in cells)  # Acme's three 2023 shipments
    for _ in range(40):
        tab.zoom_in.click()
        if tab.unit == "day":
            break
    assert tab.unit == "day"
    qtbot.waitUntil(lambda: tab.days is not None, timeout=TIMEOUT)
    qtbot.waitUntil(
        lambda: any("2023-02-15: 1 shipments" in i.toolTip() for i in tab.scene.items()),
        timeout=TIMEOUT,
    )
    assert "2023-02-16" in tab.periods()
    assert tab.cell_at(*(tab.x_of(tab.periods().index("2023-02-15")) + 2,
                         tab.y_of(tab.lane_keys.index(firms["Acme Machine Co"])) + 20)) == (
        firms["Acme Machine Co"], "2023-02-15")  # fmt: skip
    # Ctrl+wheel zooms too
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    col = tab.col
    event = QWheelEvent(QPointF(400, 100), QPointF(400, 100), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    tab.view.wheelEvent(event)
    assert tab.col < col or tab.unit == "month"


# --- issue 21: the timeline shows persons' tenure


def test_a_persons_roles_are_bars_over_their_dates_in_their_own_lane(late):
    _win, tab, firms, person = late
    assert person["uid"] in tab.lane_keys
    assert tab.lane_label(person["uid"]) == "Ivan Petrov"
    r = tab.lane_keys.index(person["uid"])
    bars = {i.toolTip(): i.sceneBoundingRect() for i in tab.scene.items()
            if i.data(0) == "tenure"}  # fmt: skip
    director = next(b for t, b in bars.items() if "director of Acme Machine Co" in t)
    owner = next(b for t, b in bars.items() if "shareholder (40%) of Beta Tools" in t)
    for bar in (director, owner):  # in the person's lane
        assert tab.y_of(r) <= bar.top() and bar.bottom() <= tab.y_of(r + 1)
    # from the start date to the end date
    assert director.left() == pytest.approx(tab.x_of_date("2022-06-01"), abs=1.5)
    assert director.right() == pytest.approx(tab.x_of_date("2023-03-31", end=True), abs=1.5)
    # an open end runs to the end of the range; overlapping roles are in rows of their own
    assert owner.right() == pytest.approx(tab.x_of(len(tab.periods())), abs=1.5)
    assert not director.adjusted(0, 0.5, 0, -0.5).intersects(owner.adjusted(0, 0.5, 0, -0.5))
    texts = " ".join(i.text() for i in tab.scene.items() if hasattr(i, "text"))
    assert "director of Acme" in texts  # the role is written on its bar


def test_a_role_scrolled_in_under_the_lane_names_is_named_once_at_the_edge(late, qtbot):
    """Scrolled so that a role's bar begins under the lane names, its name is written at the
    grid's edge, over the bar's own label (the two were drawn on top of each other)."""
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

    from casebook.ui.timeline_tab import LABEL_WIDTH, TENURE_COLOUR, readable_on

    _win, tab, _firms, _person = late
    director = next(i.sceneBoundingRect() for i in tab.scene.items()
                    if i.data(0) == "tenure" and "director of Acme" in i.toolTip())  # fmt: skip
    bar = tab.view.horizontalScrollBar()
    bar.setValue(round(director.left() + 40 - LABEL_WIDTH))
    qtbot.wait(50)
    image = tab.view.viewport().grab().toImage()
    visible = tab.view.mapToScene(tab.view.viewport().rect()).boundingRect()
    assert visible.left() + LABEL_WIDTH > director.left() + 20  # the bar begins off to the left
    top = tab.view.mapFromScene(0, director.top()).y()
    edge = round(LABEL_WIDTH)
    right = min(round(director.right() - visible.left()), image.width())
    width, height = right - edge, round(director.height())

    ink = readable_on(QColor(TENURE_COLOUR))

    def inked(img, x0, y0) -> int:  # pixels nearer the text's colour than the bar's
        return sum(
            abs(QColor(img.pixel(x, y)).lightness() - ink.lightness()) < 60
            for x in range(x0, x0 + width)
            for y in range(y0, y0 + height)
        )

    small = QFont(tab.view.font())
    small.setPointSizeF(max(small.pointSizeF() * 0.8, 7.0))
    alone = QImage(width, height, QImage.Format.Format_RGB32)
    alone.fill(QColor(TENURE_COLOUR))
    painter = QPainter(alone)
    painter.setFont(small)
    painter.setPen(ink)
    text = QFontMetricsF(small).elidedText("director of Acme Machine Co", Qt.ElideRight, width - 6)
    painter.drawText(3, 0, width - 6, height, Qt.AlignmentFlag.AlignVCenter, text)
    painter.end()
    once = inked(alone, 0, 0)
    assert once > 20
    assert inked(image, edge, top) <= once * 1.25 + 5  # one text, not two on top of each other


def test_leaving_the_case_deletes_the_timelines_cells_after_the_tab_in_slices(opened, qtbot):
    """50,000 cells of a million-shipment case deleted with the tab at once froze the window
    (issue 18): the tab goes first, its scene's items a slice at a time from the event loop."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    win, tab, _firms = opened
    scene = tab.scene
    assert scene.items()
    win.page.workspace._drop_tabs()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert not shiboken6.isValid(tab)
    assert shiboken6.isValid(scene) and scene.items()  # not deleted with the tab
    qtbot.waitUntil(lambda: not shiboken6.isValid(scene), timeout=TIMEOUT)
