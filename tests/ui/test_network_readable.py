"""The link chart readable and quick at scale (issue 20): trade between two firms is one link
whatever the dataset or direction, a firm's label is whole unless it would cover another's,
selecting a firm raises its neighbourhood over one veil instead of touching every item, and
the threshold touches only what it hides or shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QTransform
from tests.ui.test_network_work import REF, TIMEOUT, make_store, name_of, open_chart

from casebook.book import Casebook
from casebook.ui.network_items import NodeItem
from casebook.ui.network_scene import label_scale
from casebook.ui.network_tab import NetworkTab

FIRST = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Alpha Works,Bravo Trading,CN,HK,845811,100000\n"
    "2022-03-05,Bravo Trading,Charlie Supply,HK,KZ,845811,40000\n"
)
SECOND = (  # another dataset: Alpha → Bravo again, and goods back from Bravo to Alpha
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-06-05,Alpha Works,Bravo Trading,CN,HK,845811,50000\n"
    "2023-02-05,Bravo Trading,Alpha Works,HK,CN,845811,20000\n"
)


def test_trade_between_two_firms_from_two_datasets_both_ways_is_one_link(qtbot, tmp_path):
    for name, text in (("first.csv", FIRST), ("second.csv", SECOND)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Two datasets", ref=REF)
        book.import_file(tmp_path / "first.csv", case_ref=REF)
        book.import_file(tmp_path / "second.csv", case_ref=REF)
    _win, tab = open_chart(qtbot, tmp_path / "cases.db", 3)
    names = {uid: item.node.name for uid, item in tab.nodes.items()}
    pairs = [frozenset((names[e.edge.source], names[e.edge.target])) for e in tab.edge_items]
    assert sorted(map(sorted, pairs)) == [["Alpha Works", "Bravo Trading"],
                                          ["Bravo Trading", "Charlie Supply"]]  # fmt: skip
    link = next(e for e in tab.edge_items if "Alpha Works" in {names[e.edge.source],
                                                               names[e.edge.target]})  # fmt: skip
    # One link: the value and shipments of both datasets and both ways, first to last date,
    # drawn the way most of the value went.
    assert (names[link.edge.source], names[link.edge.target]) == ("Alpha Works", "Bravo Trading")
    assert link.edge.value_usd == 170_000 and link.edge.count == 3 and link.edge.both_ways
    assert link.edge.label == "$170 k · 3"
    assert "⇄" in link.toolTip() and "2022-01-05 – 2023-02-05" in link.toolTip()
    assert link.bend == 0.0  # a straight line, no parallel curve beside it


LONG = "Northern Precision Machine Tool Import and Export Trading Company Limited"


def _place(tab, where: dict) -> None:
    """Put the nodes at scene points, as a drag would, and let the labels fit again."""
    for uid, (x, y) in where.items():
        tab.nodes[uid].place(x, y)
    tab.labels_due()
    tab.place_edge_labels()


def _zoom(qtbot, tab, zoom: float) -> None:
    """Show the chart at ``zoom`` (as the wheel leaves it once the gesture ends) and wait for
    the labels fitted again."""
    view = tab.view
    if tab.label_scale == label_scale(zoom):
        view.setTransform(QTransform.fromScale(zoom, zoom))
        return
    with qtbot.waitSignal(tab.labels_fitted, timeout=TIMEOUT):
        view.setTransform(QTransform.fromScale(zoom, zoom))
        view.settled.emit(view.zoom())


def _long_names(qtbot, tmp_path):
    csv = (
        "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
        f"2022-01-05,{LONG},Bravo Trading,CN,HK,845811,100000\n"
        f"2022-02-05,Southern {LONG},Bravo Trading,CN,HK,845811,90000\n"
        "2022-03-05,Bravo Trading,Charlie Supply,HK,KZ,845811,50000\n"
    )
    (tmp_path / "long.csv").write_text(csv, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Long names", ref=REF)
        book.import_file(tmp_path / "long.csv", case_ref=REF)
    _win, tab = open_chart(qtbot, tmp_path / "cases.db", 4)
    _zoom(qtbot, tab, 1.0)
    return tab


def test_a_label_is_whole_unless_it_would_cover_another_firms(qtbot, tmp_path):
    tab = _long_names(qtbot, tmp_path)
    by_name = {item.node.name: item for item in tab.nodes.values()}
    north, south = by_name[LONG], by_name[f"Southern {LONG}"]
    bravo, charlie = by_name["Bravo Trading"], by_name["Charlie Supply"]
    assert north.full_width > 300  # far wider than the 150 points a label was always cut at
    # Far apart (inside the chart's sides, which a whole label does not widen): both whole.
    _place(tab, {north.node.uid: (0, 0), south.node.uid: (0, 600),
                 bravo.node.uid: (-800, 300), charlie.node.uid: (800, 300)})  # fmt: skip
    assert north.name == LONG and south.name == f"Southern {LONG}"
    assert not north.elided and north.plate_rect.width() >= north.full_width
    # Side by side, just far enough apart for the more valuable firm's whole label: the
    # other's whole label would cover it, so that one gives way (cut with "…").
    _place(tab, {south.node.uid: (north.full_width / 2 + south.min_width / 2 + 20, 0)})
    assert north.name == LONG and south.elided and south.name.endswith("…")
    plates = [item.plate_rect.translated(item.pos()) for item in (north, south)]
    assert not plates[0].intersects(plates[1])
    assert not any(plates[1].intersects(r) for r in north.obstacles())
    # Selected (as on hover) the cut label is drawn whole, over its neighbour's.
    south.setSelected(True)
    assert south.boundingRect().width() >= south.full_width
    assert south.zValue() > north.zValue()
    south.setSelected(False)
    assert south.boundingRect().width() < south.full_width


def test_zoomed_in_a_cut_label_shows_whole_at_its_screen_size(qtbot, tmp_path):
    tab = _long_names(qtbot, tmp_path)
    by_name = {item.node.name: item for item in tab.nodes.values()}
    north, south = by_name[LONG], by_name[f"Southern {LONG}"]
    bravo, charlie = by_name["Bravo Trading"], by_name["Charlie Supply"]
    _place(tab, {north.node.uid: (0, 0), bravo.node.uid: (-800, 300),
                 charlie.node.uid: (800, 300),
                 south.node.uid: (north.full_width / 2 + south.min_width / 2 + 20, 0)})  # fmt: skip
    view = tab.view

    def on_screen(item) -> QRectF:
        return view.mapFromScene(item.plate_rect.translated(item.pos())).boundingRect()

    assert south.elided and south.name.endswith("…")  # no room at 1x
    height = on_screen(south).height()
    # Zoomed in 2.5x the firms are 2.5 times as far apart on screen, the labels as large as
    # they were: the cut one has room now and shows its whole name.
    _zoom(qtbot, tab, 2.5)
    assert south.name == f"Southern {LONG}" and not south.elided
    assert north.name == LONG
    assert on_screen(south).height() == pytest.approx(height, abs=1.5)
    assert on_screen(south).width() == pytest.approx(south.full_width + 4, abs=2)
    assert not on_screen(north).intersects(on_screen(south))
    # Back at 1x it gives way again.
    _zoom(qtbot, tab, 1.0)
    assert south.elided and south.name.endswith("…")


@pytest.fixture
def chain(qtbot, tmp_path):
    firms = make_store(tmp_path / "cases.db", tmp_path)
    win, tab = open_chart(qtbot, tmp_path / "cases.db")
    return win, tab, firms


def test_selecting_a_firm_rebuilds_nothing_and_raises_only_its_neighbourhood(chain, monkeypatch):
    _win, tab, f = chain
    items = set(map(id, tab.scene.items()))
    built = []
    monkeypatch.setattr(NodeItem, "set_node", lambda self, *a: built.append(self))
    before = {id(i): i.zValue() for i in tab.scene.items()}
    tab.select(f["Bravo"])
    changed = {id(i) for i in tab.scene.items() if i.zValue() != before[id(i)]}
    # Bravo, Alpha and Charlie and the two links between them; nothing else touched or built.
    raised = {id(tab.nodes[f[n]]) for n in ("Alpha", "Bravo", "Charlie")}
    raised |= {id(e) for e in tab.nodes[f["Bravo"]].edges}
    assert changed == raised and len(raised) == 5
    assert set(map(id, tab.scene.items())) == items and not built
    assert {name_of(tab, u) for u in tab.dimmed()} == {"Delta", "Echo", "Foxtrot", "Golf"}


def test_a_threshold_step_visits_only_the_firms_it_hides(chain, qtbot, monkeypatch):
    _win, tab, f = chain
    seen = []
    original = NetworkTab._show_node
    monkeypatch.setattr(NetworkTab, "_show_node",
                        lambda self, item: (seen.append(name_of(self, item.node.uid)),
                                            original(self, item)))  # fmt: skip
    with qtbot.waitSignal(tab.threshold_changed, timeout=TIMEOUT):
        tab.threshold_slider.setValue(1)  # under $5 k: the $1 k link and the pair it joined
    assert sorted(seen) == ["Foxtrot", "Golf"]
    assert not tab.nodes[f["Foxtrot"]].isVisible() and tab.nodes[f["Alpha"]].isVisible()
