"""The geographic and timeline layouts of the link chart (analysis/chart_layouts.py)."""

from __future__ import annotations

import math

import pytest

from casebook.analysis import chart_layouts as cl
from casebook.analysis.network import Edge, NetworkModel, Node, label_box, layout_network


def _model() -> NetworkModel:
    nodes = [
        Node("cn1", "Shenzhen Precision", country="CN", layer=0, value_usd=900.0),
        Node("cn2", "Dalian Machine", country="CN", layer=0, value_usd=500.0),
        Node("cn3", "Ningbo Tools", country="CN", layer=0, value_usd=100.0),
        Node("hk1", "Kowloon Trading", country="HK", layer=1, value_usd=700.0),
        Node("tr1", "Istanbul Makine", country="TR", layer=1, value_usd=300.0),
        Node("ru1", "Техно Станок", country="RU", layer=2, value_usd=800.0),
        Node("xx1", "Nowhere Ltd", country=None, layer=1),
        Node("p1", "Ivan Petrov", subject="person", role="person"),
    ]
    edges = [
        Edge("cn1", "hk1", "trade", 500.0, 2, first="2022-03-01", last="2022-05-01"),
        Edge("cn2", "hk1", "trade", 300.0, 1, first="2022-01-10", last="2022-01-10"),
        Edge("cn3", "tr1", "trade", 100.0, 1, first="2023-06-01", last="2023-06-01"),
        Edge("hk1", "ru1", "trade", 700.0, 3, first="2022-06-15", last="2023-01-01"),
        Edge("tr1", "ru1", "trade", 100.0, 1, first="2023-07-01", last="2023-07-01"),
        Edge("p1", "hk1", "director", first="2021-05-01", uid="l1"),
    ]
    return NetworkModel(nodes=nodes, edges=edges, case_ref="CB-1")


def test_every_listed_country_has_a_centroid():
    points = cl.centroids()
    assert len(points) >= 240
    lat, lon = points["RU"]
    assert 55 < lat < 65 and 95 < lon < 110
    assert cl.country_point("hk") == points["HK"]
    assert cl.country_point("EU") == points["BE"]  # the Union at Brussels
    assert cl.country_point("XX") is None and cl.country_point(None) is None


def test_the_geographic_layout_puts_firms_at_their_country_as_on_a_map():
    model = _model()
    pos = cl.geographic(model)
    assert set(pos) == {n.uid for n in model.nodes}
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in pos.values())
    # east is right, north is up (y grows downwards)
    assert pos["tr1"][0] < pos["ru1"][0] and pos["tr1"][0] < pos["cn1"][0]
    assert pos["ru1"][1] < pos["cn1"][1] < pos["hk1"][1]
    # the firms of one country are spread round its point, the largest at the centre, and
    # nearer each other than to the firms of another country
    centre = cl.project({c: cl.country_point(c) for c in ("CN", "HK", "TR", "RU")})["CN"]
    assert pos["cn1"] == pytest.approx(centre)
    cn = [pos[u] for u in ("cn1", "cn2", "cn3")]
    assert len(set(cn)) == 3
    spread = max(math.dist(a, b) for a in cn for b in cn)
    assert spread < math.dist(pos["cn1"], pos["tr1"])
    # a firm of no known country along the foot; a person without nationality by its firm
    assert pos["xx1"][1] == pytest.approx(1 - 0.04)
    assert math.dist(pos["p1"], pos["hk1"]) <= 0.05


def test_the_timeline_layout_orders_firms_by_first_trade_and_layer():
    model = _model()
    pos = cl.timeline(model)
    assert cl.first_dates(model)["hk1"] == "2022-01-10"
    assert cl.first_dates(model)["p1"] == "2021-05-01"  # no trade: the directorship's start
    # across by first trade date
    assert pos["cn2"][0] < pos["cn1"][0] < pos["ru1"][0] < pos["cn3"][0]
    assert pos["cn2"][0] == pos["hk1"][0]  # the intermediary's first trade: Dalian's shipment
    assert pos["ru1"][0] < pos["tr1"][0]
    assert pos["cn2"][0] == pytest.approx(cl.DATED_FROM)  # the first trade, left
    assert pos["tr1"][0] == pytest.approx(1 - 0.04)  # the last, right
    assert pos["p1"][0] == pos["hk1"][0]  # a person over the firm it directs
    # down by layer: person, makers, intermediaries, importers
    assert pos["p1"][1] < min(pos[u][1] for u in ("cn1", "cn2", "cn3"))
    assert max(pos[u][1] for u in ("cn1", "cn2", "cn3")) < min(pos["hk1"][1], pos["tr1"][1])
    assert max(pos["hk1"][1], pos["tr1"][1]) < pos["ru1"][1]
    assert pos["xx1"][0] == cl.UNDATED_X  # no date: the column on the left


@pytest.mark.parametrize("kind", ["geographic", "timeline"])
def test_layout_network_lays_out_both_and_keeps_labels_apart(kind):
    model = _model()
    pos = layout_network(model, kind=kind, aspect=1.6)
    assert set(pos) == {n.uid for n in model.nodes}
    assert pos == layout_network(model, kind=kind, aspect=1.6)  # deterministic
    from casebook.analysis.network import canvas_size

    side = canvas_size(len(model.nodes))
    boxes = []
    for node in model.nodes:
        half, top, bottom = label_box(node)
        x, y = pos[node.uid][0] * side, pos[node.uid][1] * side
        boxes.append((x - half, y + top, x + half, y + bottom))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            assert min(overlap) <= 0.5, (a, b)
    if kind == "timeline":  # the boxes pushed apart: the dates still read across
        assert pos["cn2"][0] < pos["ru1"][0] < pos["tr1"][0]
    else:
        assert pos["tr1"][0] < pos["cn1"][0] and pos["ru1"][1] < pos["hk1"][1]


def test_the_timeline_date_axis_follows_the_firms_and_ticks_as_the_room_allows():
    import datetime as dt

    model = _model()
    pos = cl.timeline(model)
    scale = cl.date_scale(model, pos)
    # Straight from the layout, x is the first trade date: the axis puts each date there.
    for uid, date in cl.first_dates(model).items():
        if uid not in ("p1", "xx1"):
            assert scale.x(dt.date.fromisoformat(date).toordinal()) == pytest.approx(pos[uid][0])
    assert dt.date.fromordinal(scale.first) == dt.date(2022, 1, 10)
    assert dt.date.fromordinal(scale.last) == dt.date(2023, 6, 1)  # Istanbul's first
    # Firms placed against their dates (dragged so): no axis; nor with fewer than two dates.
    flipped = {uid: (1 - x, y) for uid, (x, y) in pos.items()}
    assert cl.date_scale(model, flipped) is None
    assert cl.date_scale(NetworkModel(nodes=model.nodes[:1]), pos) is None
    first, last = scale.first, scale.last
    years = cl.date_ticks(first, last, 0.1, 50)  # 36.5 points a year: every 2 years
    assert all(major and label.isdigit() and len(label) == 4 for _d, label, major in years)
    months = cl.date_ticks(first, last, 3.0, 50)  # 90 points a month: every month
    labels = [label for _d, label, _m in months]
    assert labels[:3] == ["2022", "Feb", "Mar"] and "2023" in labels and labels[-1] == "Jun"
    assert [dt.date.fromordinal(d).day for d, _l, _m in months] == [1] * len(months)
    days = cl.date_ticks(first, first + 40, 60.0, 50)  # 60 points a day: every day
    assert days[0][1] == "10 Jan 2022" and days[1][1] == "11"
    assert ("Feb 2022" in [label for _d, label, _m in days]) and len(days) == 41
    assert cl.date_ticks(last, first, 1.0, 50) == [] and cl.date_ticks(first, last, 0, 50) == []
