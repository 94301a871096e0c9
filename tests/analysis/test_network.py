"""The network model, its layouts and styles (analysis/network.py) through the facade."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlmodel import select

from casebook.analysis.network import (
    Edge,
    NetworkModel,
    Node,
    canvas_size,
    label_box,
    layout_network,
    legend,
    style_for,
    trade_width,
)
from casebook.core.errors import NotFound, UsageError
from casebook.core.filters import ShipmentFilter
from casebook.store import models as m


@pytest.fixture
def case(factory, book):
    ref = factory.case("CB-NET-1")
    maker = factory.firm("Jinma Machine", "CN")
    hub = factory.firm("Istanbul Makina", "TR")
    buyer = factory.firm("Tekhnostanok", "RU")
    other = factory.firm("Uralmash", "RU")
    rows = [
        {"exporter": maker, "importer": hub, "date": "2022-01-10", "hs_code": "845811",
         "value_usd": 100_000.0, "dispatch": "CN", "description": "CNC lathe"},
        {"exporter": maker, "importer": hub, "date": "2022-03-10", "hs_code": "845811",
         "value_usd": 50_000.0, "dispatch": "CN", "description": "ТОКАРНЫЙ СТАНОК"},
        {"exporter": hub, "importer": buyer, "date": "2022-06-01", "hs_code": "845961",
         "value_usd": 140_000.0, "dispatch": "TR", "description": "токарный станок"},
        {"exporter": maker, "importer": buyer, "date": "2023-02-01", "hs_code": "853710",
         "value_usd": 500.0, "dispatch": "CN", "description": "relay"},
    ]  # fmt: skip
    factory.shipments(ref, rows)
    with book._write() as session:
        case_id = session.exec(select(m.Case.id).where(m.Case.ref == ref)).one()
        for firm, role in ((maker, "manufacturer"), (hub, "supplier"), (buyer, "importer")):
            session.add(m.CaseFirm(case_id=case_id, firm_id=firm.id, role=role))
    book.add_relationship(
        case_ref=ref, from_uid=buyer.uid, to_uid=other.uid, kind="ownership", share=0.51
    )
    shipped = [
        row | {"exporter": row["exporter"].uid, "importer": row["importer"].uid} for row in rows
    ]
    return {"ref": ref, "maker": maker.uid, "hub": hub.uid, "buyer": buyer.uid, "other": other.uid,
            "rows": shipped}  # fmt: skip


def edges(model):
    return {(e.source, e.target, e.kind): e for e in model.edges}


def test_network_has_the_case_firms_and_one_trade_edge_per_pair(book, case):
    model = book.network(case_ref=case["ref"])
    assert {n.uid for n in model.nodes} == {case[k] for k in ("maker", "hub", "buyer", "other")}
    found = edges(model)
    pair = found[(case["maker"], case["hub"], "trade")]
    assert (pair.value_usd, pair.count, pair.first, pair.last) == (
        150_000.0, 2, "2022-01-10", "2022-03-10"
    )  # fmt: skip
    assert pair.label == "$150 k · 2"
    assert (case["buyer"], case["other"], "ownership") in found
    assert found[(case["buyer"], case["other"], "ownership")].label.startswith("ownership 51%")
    hub = model.node(case["hub"])
    assert (hub.shipments, hub.value_usd, hub.country, hub.role) == (3, 290_000.0, "TR", "supplier")


def test_filters_change_the_trade_edges(book, case):
    ref = case["ref"]
    assert len([e for e in book.network(case_ref=ref).edges if e.is_trade]) == 3
    early = book.network(case_ref=ref, date_from="2022-01", date_to="2022-03")
    assert [(e.source, e.target) for e in early.edges if e.is_trade] == [
        (case["maker"], case["hub"])
    ]
    assert edges(early)[(case["maker"], case["hub"], "trade")].count == 2
    by_hs = book.network(case_ref=ref, hs="8459")
    assert [(e.source, e.target) for e in by_hs.edges if e.is_trade] == [
        (case["hub"], case["buyer"])
    ]
    big = book.network(case_ref=ref, min_value=1000)
    assert (case["maker"], case["buyer"], "trade") not in edges(big)
    # Relationships and firms stay whatever the filters.
    assert len(big.nodes) == 4 and any(not e.is_trade for e in big.edges)


#: Lenses and the shipments (of the fixture's rows) that each selects, decided here in Python.
LENSES = [
    (ShipmentFilter.parse(dispatch="CN"), lambda r: r["dispatch"] == "CN"),
    (ShipmentFilter.parse(text="станок"), lambda r: "станок" in r["description"].casefold()),
    (ShipmentFilter.parse(min_value=1000, date_to="2022"), lambda r: r["value_usd"] >= 1000),
    (ShipmentFilter.parse(hs="8458,8537"), lambda r: r["hs_code"][:4] in ("8458", "8537")),
    (ShipmentFilter(), lambda r: True),
]


@pytest.mark.parametrize(("lens", "picks"), LENSES)
def test_the_lens_picks_the_shipments_of_edges_firms_and_timeline(book, case, lens, picks):
    chosen = [r for r in case["rows"] if picks(r)]
    model = book.network(case_ref=case["ref"], lens=lens)
    pairs: dict[tuple[str, str], list[float]] = {}
    for r in chosen:
        pairs.setdefault((r["exporter"], r["importer"]), []).append(r["value_usd"])
    trade = {(e.source, e.target): (e.value_usd, e.count) for e in model.edges if e.is_trade}
    assert trade == {pair: (sum(values), len(values)) for pair, values in pairs.items()}
    for node in model.nodes:
        mine = [r["value_usd"] for r in chosen if node.uid in (r["exporter"], r["importer"])]
        assert (node.shipments, node.value_usd) == (len(mine), sum(mine))
    assert len(model.nodes) == 4  # firms and relationships stay whatever the lens
    assert model.filters["lens"] == lens.to_json() if lens else "lens" not in model.filters

    lanes = {lane["key"]: lane for lane in book.timeline(case_ref=case["ref"], lens=lens)["lanes"]}
    for uid, lane in lanes.items():
        mine = [r for r in chosen if uid in (r["exporter"], r["importer"])]
        months = {r["date"][:7] for r in mine}
        assert lane["months"] == {
            month: {
                "shipments": sum(r["date"][:7] == month for r in mine),
                "value_usd": sum(r["value_usd"] for r in mine if r["date"][:7] == month),
            }
            for month in months
        }


def test_the_charts_own_options_replace_the_lenses(book, case):
    lens = ShipmentFilter.parse(date_from="2023", hs="8537", dispatch="CN")
    model = book.network(case_ref=case["ref"], lens=lens, date_from="2022-01", hs="8458")
    assert [(e.source, e.target) for e in model.edges if e.is_trade] == [
        (case["maker"], case["hub"])
    ]
    assert model.filters["from"] == "2022-01" and model.filters["hs"] == ["8458"]
    with pytest.raises(UsageError, match="after"):
        book.network(case_ref=case["ref"], lens=ShipmentFilter.parse(date_to="2022"),
                     date_from="2023")  # fmt: skip


def test_a_lens_naming_an_unknown_firm_is_refused(book, case):
    lens = ShipmentFilter.parse(firm="F-NOPE")
    with pytest.raises(NotFound, match="F-NOPE"):
        book.network(case_ref=case["ref"], lens=lens)
    with pytest.raises(NotFound, match="F-NOPE"):
        book.timeline(case_ref=case["ref"], lens=lens)


def test_bad_filters_are_usage_errors(book, case):
    with pytest.raises(UsageError):
        book.network(case_ref=case["ref"], hs="abc")
    with pytest.raises(UsageError):
        book.network(case_ref=case["ref"], min_value=-1)
    with pytest.raises(NotFound):
        book.network(case_ref="CB-NOPE")


def test_layouts_are_in_the_unit_square_and_deterministic(book, case):
    model = book.network(case_ref=case["ref"])
    for kind in ("force", "layered"):
        first = layout_network(model, kind=kind, seed=3)
        assert first == layout_network(model, kind=kind, seed=3)
        assert set(first) == {n.uid for n in model.nodes}
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    with pytest.raises(ValueError):
        layout_network(model, kind="circle")


def test_layered_puts_makers_left_of_intermediaries_left_of_importers(book, case):
    pos = layout_network(book.network(case_ref=case["ref"]), kind="layered")
    assert pos[case["maker"]][0] < pos[case["hub"]][0] < pos[case["buyer"]][0]


def test_pinned_nodes_keep_their_positions(book, case):
    model = book.network(case_ref=case["ref"])
    pos = layout_network(model, pinned={case["hub"]: (0.25, 0.75)})
    assert pos[case["hub"]] == (0.25, 0.75)


def test_label_boxes_of_a_30_firm_layout_do_not_overlap():
    """Each node's own box (disc, LISTED badge, two label lines) stays clear of every other's."""
    nodes = [Node(uid=f"f{i}", name=f"Firm {i} Machine Tools Trading", listed=i % 7 == 0,
                  value_usd=10.0 ** (3 + i % 6), shipments=i) for i in range(30)]  # fmt: skip
    edges_ = [Edge(f"f{i}", f"f{(i * 7 + 3) % 30}", "trade", 1e5, 1) for i in range(60)]
    edges_ += [Edge("f0", f"f{i}", "trade", 1e6, 3) for i in range(1, 12)]  # a hub
    model = NetworkModel(nodes=nodes, edges=[e for e in edges_ if e.source != e.target])
    side = canvas_size(30)
    for kind in ("force", "layered"):
        boxes = _boxes(nodes, layout_network(model, kind=kind), side)
        assert _clashes(boxes) == [], kind


def _boxes(nodes, pos, side: float, **measure) -> list[tuple]:
    """Each node's label box (left, top, right, bottom) at its laid-out position."""
    boxes = []
    for node in nodes:
        half, top, bottom = label_box(node, **measure)
        x, y = pos[node.uid][0] * side, pos[node.uid][1] * side
        boxes.append((x - half, y + top, x + half, y + bottom))
    return boxes


def _clashes(boxes: list[tuple]) -> list[tuple[int, int]]:
    """The pairs of boxes that overlap."""
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def test_force_layout_spreads_over_the_square():
    """No crowded middle with far-flung leaves: the nodes reach into every quarter."""
    nodes = [Node(uid=f"f{i}", name=f"F{i}") for i in range(30)]
    edges_ = [Edge("f0", f"f{i}", "trade", 1e5, 1) for i in range(1, 30)]
    edges_ += [Edge("f1", f"f{i}", "trade", 1e5, 1) for i in range(2, 8)]
    pos = layout_network(NetworkModel(nodes=nodes, edges=edges_), kind="force")
    quarters = {(x > 0.5, y > 0.5) for x, y in pos.values()}
    assert len(quarters) == 4
    near_middle = sum(1 for x, y in pos.values() if abs(x - 0.5) < 0.25 and abs(y - 0.5) < 0.25)
    assert near_middle <= 12  # a quarter of the area, at most ~40% of the firms


def test_styles():
    listed = style_for(Node(uid="a", name="A", listed=True))
    plain = style_for(Node(uid="b", name="B"))
    assert listed["badge"] and not plain["badge"] and listed["width"] > plain["width"]
    assert trade_width(1e3) == 1.0 and trade_width(1e9) == 8.0
    assert trade_width(1e5) < trade_width(1e7)
    own, shared = (
        style_for(Edge("a", "b", "ownership")),
        style_for(Edge("a", "b", "shared address")),
    )
    assert own["dash"] == "solid" and shared["pattern"] and own["colour"] != shared["colour"]
    assert [text for text, _ in legend()][:3] == ["Maker", "Intermediary", "Importer / end user"]


def test_positions_are_saved_per_case(book, case):
    assert book.load_positions(case_ref=case["ref"]) == {}
    book.save_positions(case_ref=case["ref"], positions={case["hub"]: (0.1, 0.2)})
    book.save_positions(case_ref=case["ref"], positions={case["hub"]: (0.3, 0.4)})
    assert book.load_positions(case_ref=case["ref"]) == {case["hub"]: (0.3, 0.4)}
    assert book.load_layout(case_ref=case["ref"]) is None
    book.save_positions(case_ref=case["ref"], positions={}, layout="layered")
    assert book.load_layout(case_ref=case["ref"]) == "layered"
    with pytest.raises(UsageError):
        book.save_positions(case_ref=case["ref"], positions={}, layout="circle")


def test_firm_details_and_timeline(book, case):
    details = book.network_firm(case_ref=case["ref"], uid=case["hub"])
    assert details["name"] == "Istanbul Makina" and len(details["shipments"]) == 3
    assert details["shipments"][0]["value_usd"] == 140_000.0
    data = book.timeline(case_ref=case["ref"])
    assert data["months"][0] == "2022-01" and "2023-02" in data["months"]
    lanes = {lane["key"]: lane for lane in data["lanes"]}
    assert lanes[case["hub"]]["months"]["2022-06"] == {"shipments": 1, "value_usd": 140000.0}
    by_country = book.timeline(case_ref=case["ref"], lanes="country")
    assert {lane["key"] for lane in by_country["lanes"]} == {"CN", "TR", "RU"}


def big_model(n: int = 600) -> NetworkModel:
    nodes = [Node(uid=f"f{i:03d}", name=f"Firm {i}") for i in range(n)]
    links = {(i, (i * 7 + 3) % n) for i in range(n)} | {(i, (i * 13 + 5) % n) for i in range(n)}
    edges_ = [Edge(f"f{a:03d}", f"f{b:03d}", "trade", 1e5, 1) for a, b in sorted(links) if a != b]
    return NetworkModel(nodes=nodes, edges=edges_)


def test_layouts_of_600_firms_need_no_scipy():
    """networkx's spring_layout takes SciPy from 500 nodes on; the app does not ship SciPy, so
    the layouts must run (and import nothing of SciPy) on larger charts, in a fresh process."""
    code = """
import sys
import casebook.analysis.network as net
nodes = [net.Node(uid=f"f{i}", name=f"Firm {i}") for i in range(600)]
edges = [net.Edge(f"f{i}", f"f{(i * 7 + 3) % 600}", "trade", 1e5, 1) for i in range(600)]
model = net.NetworkModel(nodes=nodes, edges=edges)
for kind in net.LAYOUTS:
    assert len(net.layout_network(model, kind=kind, seed=1)) == 600, kind
assert net.layout_network(model, pinned={"f1": (0.2, 0.3)})["f1"] == (0.2, 0.3)
assert "scipy" not in sys.modules, sorted(m for m in sys.modules if "scipy" in m)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_600_firm_layouts_are_deterministic_and_keep_firms_in_view():
    model = big_model(600)
    model.nodes.append(Node(uid="alone", name="No links"))  # drifts out without the rim rule
    for kind in ("force", "layered"):
        first = layout_network(model, kind=kind, seed=2)
        assert first == layout_network(model, kind=kind, seed=2)
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    pos = layout_network(model, kind="force", seed=2)
    xs = sorted(x for x, _ in pos.values())
    # The linked firms fill the square: the lone firm did not squeeze them into a corner.
    assert xs[-10] - xs[10] > 0.6


def test_a_compact_layout_in_the_views_shape_keeps_labels_apart_and_is_tighter():
    """With the GUI's arguments (its view's shape, its text widths, compact) the label boxes
    stay clear, the chart takes the view's shape, and it needs less room than without
    ``compact``; pinned positions are unit-square positions whatever the aspect."""
    nodes = [Node(uid=f"f{i}", name=f"Firm {i} Machine Tools Trading", listed=i % 7 == 0,
                  value_usd=10.0 ** (3 + i % 6), shipments=i) for i in range(30)]  # fmt: skip
    edges_ = [Edge(f"f{i}", f"f{(i * 7 + 3) % 30}", "trade", 1e5, 1) for i in range(60)]
    model = NetworkModel(nodes=nodes, edges=[e for e in edges_ if e.source != e.target])
    measured = []

    def width(text: str, em: float) -> float:
        measured.append(em)
        return 6.5 * em * len(text)

    side = canvas_size(30)

    def extent(pos):
        boxes = _boxes(nodes, pos, side, text_width=width, line=15.0)
        w = max(b[2] for b in boxes) - min(b[0] for b in boxes)
        h = max(b[3] for b in boxes) - min(b[1] for b in boxes)
        return _clashes(boxes), w, h

    args = {"aspect": 1.6, "text_width": width, "line": 15.0}
    loose = extent(layout_network(model, **args))
    tight = extent(layout_network(model, compact=True, **args))
    assert {1.0, 0.85} <= set(measured)  # names and facts measured by the caller
    assert loose[0] == [] and tight[0] == []
    assert tight[1] * tight[2] < 0.8 * loose[1] * loose[2]
    assert tight[1] > 1.2 * tight[2]  # wider than high, like the view
    pinned = layout_network(model, pinned={"f1": (0.1, 0.9)}, compact=True, **args)
    assert pinned["f1"] == (0.1, 0.9)


def test_label_boxes_stop_pushing_once_the_overlaps_stop_falling(monkeypatch):
    """From ``STALL_LIMIT`` firms, boxes that cannot all come clear (here 600 boxes of twice the
    square's area) are pushed only while their overlaps still fall: 120 rounds of rocking to
    and fro took 0.25 s of the 2,000-firm chart for nothing; what is left overlaps no more
    than after all of them."""
    import numpy as np

    from casebook.analysis import network

    rng = np.random.default_rng(3)
    n = 600
    assert n >= network.STALL_LIMIT
    pos = rng.random((n, 2))
    boxes = np.column_stack([np.full(n, 0.04), np.full(n, -0.01), np.full(n, 0.03)])
    fixed = np.zeros(n, dtype=bool)
    rounds = []
    pairs = network._box_pairs

    def counted(*args):
        rounds.append(1)
        return pairs(*args)

    def overlapping(p) -> int:
        cy = p[:, 1] + (boxes[:, 1] + boxes[:, 2]) / 2
        half_h = (boxes[:, 2] - boxes[:, 1]) / 2
        i, j = pairs(p[:, 0], cy, boxes[:, 0], half_h)
        return int(np.sum((np.abs(p[i, 0] - p[j, 0]) < boxes[i, 0] + boxes[j, 0])
                          & (np.abs(cy[i] - cy[j]) < half_h[i] + half_h[j])))  # fmt: skip

    monkeypatch.setattr(network, "_box_pairs", counted)
    early, _clear = network._separate(pos, fixed, boxes, rounds=120)
    stopped_after = len(rounds)
    monkeypatch.setattr(network, "STALL_LIMIT", 10**9)  # every round, as below the limit
    rounds.clear()
    full, _clear = network._separate(pos, fixed, boxes, rounds=120)
    assert len(rounds) == 121 and stopped_after < 80
    assert overlapping(early) <= overlapping(full) * 1.05
