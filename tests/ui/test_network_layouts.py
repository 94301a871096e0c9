"""The Network tab's geographic and timeline layouts (issue 20, "Layouts that tell the
story"): chosen in the layout box, laid out on the worker, kept with the case."""

from __future__ import annotations

import pytest

from casebook.book import Casebook
from casebook.ui.main_window import MainWindow
from casebook.ui.network_tab import NetworkTab

TIMEOUT = 30_000
CSV = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,100000\n"
    "2022-03-07,Beta Tools,Techno Stanok LLC,TR,RU,845961,25000\n"
    "2023-03-08,Acme Machine Co,Beta Tools,CN,TR,845961,70000\n"
)


@pytest.fixture
def opened(qtbot, tmp_path):
    data = tmp_path / "shipments.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Layouts", ref="CB-LY-1")
        book.import_file(data, case_ref="CB-LY-1")
        firms = {f["name"]: f["uid"] for f in book.list_firms(case_ref="CB-LY-1")}
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page.select("CB-LY-1"), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "network" in workspace._extra, timeout=TIMEOUT)
    tab: NetworkTab = workspace._extra["network"]
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.complete and len(tab.nodes) == 3, timeout=TIMEOUT)
    return win, tab, firms, tmp_path / "cases.db"


def _choose(tab, qtbot, kind: str) -> dict:
    before = tab.positions()
    index = tab.layout_choice.findData(kind)
    assert index >= 0, kind
    tab.layout_choice.setCurrentIndex(index)
    tab.layout_choice.activated.emit(index)
    qtbot.waitUntil(lambda: tab.positions() != before, timeout=TIMEOUT)
    return tab.positions()


def test_the_geographic_layout_places_firms_as_on_a_map(opened, qtbot):
    _win, tab, firms, db = opened
    pos = _choose(tab, qtbot, "geographic")
    acme, beta, techno = (pos[firms[n]] for n in ("Acme Machine Co", "Beta Tools",
                                                  "Techno Stanok LLC"))  # fmt: skip
    assert beta[0] < techno[0] and beta[0] < acme[0]  # Türkiye west of Russia and China
    assert techno[1] < acme[1]  # Russia's centroid north of China's (y grows downwards)
    qtbot.waitUntil(lambda: not tab._save_timer.isActive(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not tab.host.worker.busy, timeout=TIMEOUT)
    with Casebook.open(db, user="tester") as book:
        assert book.load_layout(case_ref="CB-LY-1") == "geographic"  # kept with the case


def test_the_timeline_layout_reads_left_to_right_in_time(opened, qtbot):
    _win, tab, firms, _db = opened
    pos = _choose(tab, qtbot, "timeline")
    acme, beta = pos[firms["Acme Machine Co"]], pos[firms["Beta Tools"]]
    techno = pos[firms["Techno Stanok LLC"]]
    assert acme[0] < beta[0]  # first trade 2022-01 against 2022-03
    assert acme[1] < beta[1] < techno[1]  # maker, intermediary, importer
