"""The Timeline tab: a lane per firm (or country) with each month's shipments, events as
markers, and a selected firm passed on to the Network tab."""

from __future__ import annotations

import threading

import pytest

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


def test_thousands_of_lanes_are_drawn_without_blocking_the_window(opened, qtbot):
    """5,000 firms made some 100,000 cells, built in one go: seconds of a frozen window
    (issue 18). The first lanes show at once; the rest follow between repaints."""
    _win, tab, _firms = opened
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    cell = {"shipments": 1, "value_usd": 10.0}
    lanes = [
        {
            "key": f"f{i}",
            "label": f"Firm {i}",
            "country": "CN",
            "months": dict.fromkeys(months, cell),
        }
        for i in range(2000)
    ]
    tab.data = {"months": months, "lanes": lanes, "events": []}

    def cells() -> int:
        return sum(1 for i in tab.scene.items() if "shipments" in i.toolTip())

    with qtbot.waitSignal(tab.drawn, timeout=TIMEOUT):
        tab.draw()
        assert 0 < cells() < 2000 * 12  # the first lanes, and the loop free to paint them
    assert cells() == 2000 * 12
    assert tab.cell_at(*_centre(tab, "f1999", "2022-12")) == ("f1999", "2022-12")


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
