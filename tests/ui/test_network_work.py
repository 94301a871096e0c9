"""Working the link chart like an analyst: the selected firm's neighbours highlighted, a path
found between two firms, a group collapsed to one node, small trade links hidden by the slider,
a drag undone, and the arrangement (positions, pins, groups) back after the store is reopened
(issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from casebook.book import Casebook
from casebook.ui.main_window import MainWindow
from casebook.ui.network_items import GroupItem
from casebook.ui.network_tab import NetworkTab
from casebook.ui.network_work import DIM

TIMEOUT = 30_000
REF = "CB-WORK-1"
# A chain of large links Alpha → Bravo → Charlie → Delta, a short cut through Echo of small
# ones, and a pair (Foxtrot, Golf) joined only by a tiny link.
CSV = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Alpha Works,Bravo Trading,CN,HK,845811,100000\n"
    "2022-02-05,Bravo Trading,Charlie Supply,HK,KZ,845811,100000\n"
    "2022-03-05,Charlie Supply,Delta Stanok,KZ,RU,845811,100000\n"
    "2022-04-05,Alpha Works,Echo Partners,CN,AE,845811,5000\n"
    "2022-05-05,Echo Partners,Delta Stanok,AE,RU,845811,5000\n"
    "2022-06-05,Foxtrot Tools,Golf Import,TR,RU,845961,1000\n"
)


def make_store(path: Path, tmp: Path) -> dict[str, str]:
    data = tmp / "chain.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(path, user="tester", create=True) as book:
        book.create_case(title="Chain", ref=REF)
        book.import_file(data, case_ref=REF)
        return {f["name"].split()[0]: f["uid"] for f in book.list_firms(case_ref=REF)}


def open_chart(qtbot, path: Path, firms: int = 7) -> tuple[MainWindow, NetworkTab]:
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(path)
    qtbot.waitUntil(lambda: win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "network" in workspace._extra, timeout=TIMEOUT)
    tab: NetworkTab = workspace._extra["network"]
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.complete and len(tab.nodes) == firms, timeout=TIMEOUT)
    return win, tab


@pytest.fixture
def chain(qtbot, tmp_path):
    firms = make_store(tmp_path / "cases.db", tmp_path)
    win, tab = open_chart(qtbot, tmp_path / "cases.db")
    return win, tab, firms


def shown(tab) -> set[str]:
    return {uid for uid, item in tab.nodes.items() if item.isVisible()}


def name_of(tab, uid: str) -> str:
    return tab.nodes[uid].node.name.split()[0]


def test_selecting_a_firm_highlights_it_and_its_neighbours_and_dims_the_rest(chain):
    _win, tab, f = chain
    assert not tab.dimmed()
    tab.select(f["Bravo"])
    assert {name_of(tab, u) for u in tab.dimmed()} == {"Delta", "Echo", "Foxtrot", "Golf"}
    # The rest is drawn under the veil (showing at DIM), the highlighted items above it.
    veil = tab.veil
    assert veil.isVisible() and veil.colour.alphaF() == pytest.approx(1 - DIM, abs=0.01)
    assert tab.nodes[f["Alpha"]].zValue() > veil.zValue() > tab.nodes[f["Delta"]].zValue()
    lit = {(name_of(tab, e.edge.source), name_of(tab, e.edge.target))
           for e in tab.edge_items if e.zValue() > veil.zValue()}  # fmt: skip
    assert lit == {("Alpha", "Bravo"), ("Bravo", "Charlie")}
    tab.scene.clearSelection()
    assert not tab.dimmed() and not veil.isVisible()
    assert all(e.zValue() < veil.zValue() for e in [*tab.edge_items, *tab.nodes.values()])


def test_find_path_by_fewest_links_and_by_the_largest_links(chain, qtbot):
    _win, tab, f = chain
    assert not tab.path_button.isEnabled()
    tab.nodes[f["Alpha"]].setSelected(True)
    tab.nodes[f["Delta"]].setSelected(True)
    assert tab.path_button.isEnabled()
    with qtbot.waitSignal(tab.path_found, timeout=TIMEOUT) as found:
        tab.find_path("hops")
    assert [name_of(tab, u) for u in found.args[0]] == ["Alpha", "Echo", "Delta"]
    assert "Alpha Works → Echo Partners → Delta Stanok · 2 links" in tab.status.text()
    assert {name_of(tab, u) for u in tab.dimmed()} == {"Bravo", "Charlie", "Foxtrot", "Golf"}
    with qtbot.waitSignal(tab.path_found, timeout=TIMEOUT) as found:
        tab.find_path("value")
    assert [name_of(tab, u) for u in found.args[0]] == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert "3 links · $300 k of trade" in tab.status.text()
    # No path to a firm the chain never reaches: said, not raised.
    tab.scene.clearSelection()
    tab.nodes[f["Alpha"]].setSelected(True)
    tab.nodes[f["Golf"]].setSelected(True)
    with qtbot.waitSignal(tab.path_found, timeout=TIMEOUT) as found:
        tab.find_path("hops")
    assert found.args[0] == [] and "No path between" in tab.status.text()


def test_collapse_neighbours_hides_the_leaves_and_expand_brings_them_back(chain):
    _win, tab, f = chain
    tab.select(f["Foxtrot"])
    tab.collapse_selected()
    assert not tab.nodes[f["Golf"]].isVisible()
    tab.select(f["Bravo"])
    tab.collapse_selected()  # Alpha and Charlie have other links: they stay
    assert tab.nodes[f["Alpha"]].isVisible() and tab.nodes[f["Charlie"]].isVisible()
    tab.select(f["Foxtrot"])
    tab.expand_selected()
    assert tab.nodes[f["Golf"]].isVisible()


def test_a_group_is_a_box_that_collapses_to_one_node_and_undoes(chain, monkeypatch):
    from casebook.ui import network_work

    win, tab, f = chain
    monkeypatch.setattr(network_work.GroupName, "ask",
                        classmethod(lambda cls, parent, suggested: "Middlemen"))  # fmt: skip
    tab.nodes[f["Bravo"]].setSelected(True)
    tab.nodes[f["Charlie"]].setSelected(True)
    tab.group_button.click()
    box = tab.group_items["Middlemen"]
    assert isinstance(box, GroupItem) and box.scene() is tab.scene
    for uid in (f["Bravo"], f["Charlie"]):  # the box is drawn around both firms
        assert box.sceneBoundingRect().contains(tab.nodes[uid].sceneBoundingRect().center())
    assert tab.fold_button.isEnabled() and tab.fold_button.text() == "Collapse group"
    tab.fold_button.click()
    assert box.collapsed and box.isVisible()
    assert not tab.nodes[f["Bravo"]].isVisible() and not tab.nodes[f["Charlie"]].isVisible()
    # Every link of the group to the rest ends on the group's node (Alpha in, Delta out).
    assert {name_of(tab, n.node.uid) for n, _value in box.outside} == {"Alpha", "Delta"}
    assert {e for e in tab.edge_items if e.isVisible()} == {
        e for e in tab.edge_items
        if {name_of(tab, e.edge.source), name_of(tab, e.edge.target)} & {"Bravo", "Charlie"}
        == set()
    }  # fmt: skip
    tab.collapse_group("Middlemen", False)
    assert tab.nodes[f["Bravo"]].isVisible() and not box.collapsed
    assert win.host.undo_stack.undoText() == "Group 2 nodes as “Middlemen”"
    win.host.undo_stack.undo()
    assert tab.groups == {} and tab.group_items == {}
    win.host.undo_stack.redo()
    assert sorted(tab.groups["Middlemen"]) == sorted([f["Bravo"], f["Charlie"]])


def test_the_threshold_slider_hides_small_links_and_the_firms_they_leave_alone(chain, qtbot):
    _win, tab, f = chain
    assert tab.threshold_note.text() == "Hide trade links under $0"
    slider = tab.threshold_slider
    # The slider's steps are the chart's trade values: $1 k, $5 k, $100 k.
    assert tab.steps == [0.0, 5000.0, 100000.0] and slider.maximum() == 2
    with qtbot.waitSignal(tab.threshold_changed, timeout=TIMEOUT):
        slider.setValue(1)  # under $5 k: the $1 k link and the pair it joined
    assert shown(tab) == set(f.values()) - {f["Foxtrot"], f["Golf"]}
    assert tab.threshold_note.text() == "Hide trade links under $5 k: 1 link, 2 firms hidden"
    with qtbot.waitSignal(tab.threshold_changed, timeout=TIMEOUT):
        slider.setValue(2)  # under $100 k: Echo's links too
    assert {name_of(tab, u) for u in shown(tab)} == {"Alpha", "Bravo", "Charlie", "Delta"}
    assert tab.threshold_note.text() == "Hide trade links under $100 k: 3 links, 3 firms hidden"
    assert all(not e.isVisible() for e in tab.edge_items if e.edge.value_usd < 100000)
    with qtbot.waitSignal(tab.threshold_changed, timeout=TIMEOUT):
        slider.setValue(0)
    assert shown(tab) == set(f.values()) and all(e.isVisible() for e in tab.edge_items)


def test_a_drag_is_undone_and_redone_from_the_undo_stack(chain, qtbot):
    win, tab, f = chain
    tab.view.fit()
    item = tab.nodes[f["Delta"]]
    start = item.pos()
    at = tab.view.mapFromScene(item.scenePos())
    to = at + QPoint(60, 40)
    port = tab.view.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    for step in range(1, 6):
        QTest.mouseMove(port, at + (to - at) * step / 5)
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to)
    moved = item.pos()
    assert moved != start
    assert win.host.undo_stack.undoText() == "Move Delta Stanok"
    win.host.undo_stack.undo()
    assert item.pos() == start
    side = tab.side()
    book = win.host.book
    qtbot.waitUntil(lambda: book.load_positions(case_ref=REF).get(f["Delta"])
                    == pytest.approx((start.x() / side, start.y() / side), abs=1e-5),
                    timeout=TIMEOUT)  # fmt: skip
    win.host.undo_stack.redo()
    assert item.pos() == moved


def test_positions_pins_and_groups_are_back_after_reopening_the_store(qtbot, tmp_path):
    path = tmp_path / "cases.db"
    f = make_store(path, tmp_path)
    win, tab = open_chart(qtbot, path)
    side = tab.side()
    tab.drag_started()
    tab.nodes[f["Echo"]].place(0.1 * side, 0.9 * side)
    tab.node_moved()
    tab.select(f["Echo"])
    tab.toggle_pin()
    tab.scene.clearSelection()
    tab.nodes[f["Foxtrot"]].setSelected(True)
    tab.nodes[f["Golf"]].setSelected(True)
    tab.group_selected("Turkish pair")
    book = win.host.book

    def saved():
        nodes = {n["uid"]: n for n in book.chart_layout(case_ref=REF)["nodes"]}
        echo = nodes.get(f["Echo"], {})
        return (echo.get("x"), echo.get("y"), echo.get("pinned"),
                nodes.get(f["Golf"], {}).get("group"))  # fmt: skip

    qtbot.waitUntil(lambda: saved() == (0.1, 0.9, True, "Turkish pair"), timeout=TIMEOUT)
    win.close()

    again, tab = open_chart(qtbot, path)
    echo = tab.nodes[f["Echo"]]
    assert (echo.pos().x() / tab.side(), echo.pos().y() / tab.side()) == pytest.approx((0.1, 0.9))
    assert echo.pinned
    assert sorted(tab.groups["Turkish pair"]) == sorted([f["Foxtrot"], f["Golf"]])
    assert tab.group_items["Turkish pair"].isVisible()


def test_trade_links_are_as_wide_as_their_value_on_the_legends_scale(chain):
    _win, tab, _f = chain
    widths = {e.edge.value_usd: e.pen().widthF() for e in tab.edge_items if e.edge.is_trade}
    assert widths[1000.0] == 1.0 and widths[100000.0] == 7.0  # the chart's own range
    assert 1.0 < widths[5000.0] < 7.0
    assert "Trade $1 k → $100 k" in tab.legend_texts()


def test_the_details_pane_wraps_names_between_words(qapp):
    """The narrow pane broke "Machine" and the HS code inside the word ("Machin e", "84581 1")."""
    from PySide6.QtGui import QTextDocument

    from casebook.ui.network_panel import details_html

    details = {"uid": "u", "name": "Techno Stanok LLC", "country": "RU", "role": "importer",
               "evidence": [], "shipments": [
                   {"date": "2023-09-11", "exporter": "Kansai Machine Works Co., Ltd.",
                    "importer": "Techno Stanok LLC", "hs6": "845811", "value_usd": 11_100_000}]}  # fmt: skip
    doc = QTextDocument()
    doc.setHtml(details_html(details, None))
    doc.setTextWidth(120)
    doc.documentLayout()  # lay it out as narrow as a squeezed pane
    lines = []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(block.text()[line.textStart() : line.textStart() + line.textLength()])
        block = block.next()
    words = {"Kansai", "Machine", "Works", "845811", "2023-09-11"}
    for word in words:  # each word whole on one line
        assert any(word in line for line in lines), (word, lines)
