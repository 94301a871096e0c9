"""The link chart's model (analysis/chart.py) through the facade: one trade link per pair of
firms, a value threshold that hides small links and the firms they isolate, entity kinds."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter
from casebook.store import models as m


@pytest.fixture
def case(factory, book):
    ref = factory.case("CB-CH-1")
    maker = factory.firm("Jinma Machine", "CN")
    hub = factory.firm("Istanbul Makina", "TR")
    buyer = factory.firm("Tekhnostanok", "RU")
    small = factory.firm("Tiny Parts", "KZ")
    owner = factory.firm("Uralmash", "RU")
    rows = [
        {"exporter": maker, "importer": hub, "date": "2022-01-10", "value_usd": 100_000.0},
        {"exporter": maker, "importer": hub, "date": "2022-03-10", "value_usd": 50_000.0},
        {"exporter": hub, "importer": maker, "date": "2021-12-01", "value_usd": 20_000.0},
        {"exporter": hub, "importer": buyer, "date": "2022-06-01", "value_usd": 140_000.0},
        {"exporter": small, "importer": buyer, "date": "2023-02-01", "value_usd": 500.0},
    ]
    factory.shipments(ref, rows)
    with book._write() as session:
        case_id = session.exec(select(m.Case.id).where(m.Case.ref == ref)).one()
        roles = ((maker, "manufacturer"), (hub, "intermediary"), (buyer, "importer"), (small, None))
        for firm, role in roles:
            session.add(m.CaseFirm(case_id=case_id, firm_id=firm.id, role=role))
    book.add_relationship(case_ref=ref, from_uid=buyer.uid, to_uid=owner.uid, kind="ownership")
    return {"ref": ref, "maker": maker.uid, "hub": hub.uid, "buyer": buyer.uid,
            "small": small.uid, "owner": owner.uid}  # fmt: skip


def trade(chart):
    return {frozenset((e.source, e.target)): e for e in chart.model.edges if e.is_trade}


def test_trade_both_ways_between_two_firms_is_one_link(book, case):
    chart = book.link_chart(case_ref=case["ref"])
    links = trade(chart)
    assert len(links) == 3
    link = links[frozenset((case["maker"], case["hub"]))]
    assert (link.value_usd, link.count) == (170_000.0, 3)
    assert (link.first, link.last) == ("2021-12-01", "2022-03-10")
    # drawn the way most of the value went, and marked as going both ways
    assert (link.source, link.target, link.both_ways) == (case["maker"], case["hub"], True)
    assert link.label == "$170 k · 3"
    one_way = links[frozenset((case["hub"], case["buyer"]))]
    assert one_way.both_ways is False


def test_the_threshold_hides_small_links_and_the_firms_they_isolate(book, case):
    chart = book.link_chart(case_ref=case["ref"], threshold=1_000)
    uids = {n.uid for n in chart.model.nodes}
    assert case["small"] not in uids  # its only link was $500
    assert case["buyer"] in uids and case["owner"] in uids  # the relationship stays
    assert frozenset((case["small"], case["buyer"])) not in trade(chart)
    assert (chart.hidden.links, chart.hidden.value_usd, chart.hidden.shipments) == (1, 500.0, 1)
    assert chart.hidden.nodes == [case["small"]]
    assert chart.hidden.sentence() == (
        "1 smaller trade link worth $500 and 1 firm only they joined are not shown"
    )
    # a threshold above a link keeps firms that still have a relationship
    high = book.link_chart(case_ref=case["ref"], threshold=150_000)
    assert case["buyer"] in {n.uid for n in high.model.nodes}
    assert case["hub"] in {n.uid for n in high.model.nodes}  # $170 k link stays


def test_no_threshold_hides_nothing(book, case):
    chart = book.link_chart(case_ref=case["ref"])
    assert not chart.hidden and chart.hidden.sentence() == ""
    assert len(chart.model.nodes) == 5


def test_entity_kinds_come_from_the_case_role_else_the_trade_direction(book, case):
    kinds = book.link_chart(case_ref=case["ref"]).kinds
    assert kinds[case["maker"]] == "manufacturer"
    assert kinds[case["hub"]] == "intermediary"
    assert kinds[case["buyer"]] == "importer"
    assert kinds[case["small"]] == "manufacturer"  # only sends


def test_the_lens_selects_the_shipments_the_links_sum(book, case):
    lens = ShipmentFilter.parse(date_from="2022-01-01")
    link = trade(book.link_chart(case_ref=case["ref"], lens=lens))[
        frozenset((case["maker"], case["hub"]))
    ]
    assert (link.value_usd, link.count, link.both_ways) == (150_000.0, 2, False)


def test_a_negative_threshold_is_refused(book, case):
    with pytest.raises(UsageError, match="threshold"):
        book.link_chart(case_ref=case["ref"], threshold=-1)


def test_the_chart_json_carries_kinds_and_what_is_hidden(book, case):
    data = book.link_chart(case_ref=case["ref"], threshold=1_000).to_json()
    assert data["hidden"]["links"] == 1 and data["threshold"] == 1_000
    assert {n["kind"] for n in data["nodes"]} >= {"manufacturer", "intermediary", "importer"}
    assert any(e["both_ways"] for e in data["edges"])
