"""The largest trade links chosen in SQL (issue 18: a 1M-row case has ~900,000 links, and the
briefing's network page read them all to draw 40): the chart of the N largest links is the one
the whole chart thinned in Python gives — the links, their firms and layers, the firms dropped,
and the counts and values of what is hidden — and the briefing reads only those N pairs."""

from __future__ import annotations

import random

import pytest

from casebook.analysis.chart import Hidden, NetworkModel, _hide
from casebook.book.cases import find_case
from casebook.core.numbers import money
from casebook.store import network as db

REF = "CB-NET-TOP"
HEADER = "Date,Exporter,Importer,Country of Origin,Destination,HS Code,Value USD,Description"
WORDS = [
    "Acme", "Borealis", "Cobalt", "Dunmore", "Elbrus", "Fenwick", "Granite", "Harbour",
    "Ironside", "Juniper", "Kestrel", "Lindqvist", "Meridian", "Northwind", "Oakridge",
    "Pinnacle", "Quarry", "Redwood", "Saltire", "Tundra", "Umber", "Vantage", "Westmark",
    "Yarrow", "Zenith", "Ромашка", "Лютик", "Василёк", "深圳机床", "杭州精密",
]  # fmt: skip
FIRMS = [f"{word} Machinery" for word in WORDS]


def keep_largest_links(model: NetworkModel, count: int) -> tuple[NetworkModel, Hidden]:
    """The reference: the whole model thinned in Python to its ``count`` largest trade links
    (by value; ties by firm uids), without the firms only the others joined."""
    trade = sorted((e for e in model.edges if e.is_trade),
                   key=lambda e: (-e.value_usd, e.source, e.target))  # fmt: skip
    dropped = {id(e) for e in trade[max(count, 0) :]}
    return _hide(model, lambda e: id(e) in dropped)


@pytest.fixture
def case(book, tmp_path):
    """~300 links among 30 firms, goods both ways between some, many links of equal value
    (ties at the cut), rows without a value or an importer, and a relationship."""
    rng = random.Random(18)
    lines = [HEADER]
    for _ in range(1_200):
        exporter, importer = rng.sample(FIRMS, 2)
        if rng.random() < 0.05:
            importer = ""
        value = rng.choice(["", "1000", "2500.50", "40000", f"{rng.uniform(1, 90_000):.2f}"])
        day = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines.append(f"{day},{exporter},{importer},CN,RU,845811,{value},CNC LATHE")
    path = tmp_path / "trade.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    book.create_case(title="Many links", ref=REF)
    book.import_file(path, case_ref=REF)
    uids = {f["name"]: f["uid"] for f in book.list_firms(case_ref=REF)}
    book.add_relationship(
        case_ref=REF, from_uid=uids[FIRMS[0]], to_uid=uids[FIRMS[1]], kind="ownership"
    )
    return book


def edge_facts(edges) -> list[tuple]:
    return [
        (e.source, e.target, e.kind, round(e.value_usd, 4), e.count, e.first, e.last, e.both_ways)
        for e in edges
    ]


def hidden_facts(hidden) -> tuple:
    return (hidden.links, round(hidden.value_usd, 4), hidden.shipments, hidden.nodes)


def full_chart(book, threshold: float, links: int, date_from: str | None = None):
    """The chart as it was made before: every link read, then thinned in Python."""
    chart = book.link_chart(case_ref=REF, threshold=threshold, persons=True, date_from=date_from)
    model, smaller = keep_largest_links(chart.model, links)
    return chart, model, smaller


@pytest.mark.parametrize("links", [0, 7, 40, 10_000])
@pytest.mark.parametrize("share", [0.0, 0.5])
@pytest.mark.parametrize("route", ["groups", "rows", "lens"])
def test_the_largest_links_chosen_in_sql_make_the_same_chart(
    case, links, share, route, monkeypatch
):
    """From the firm groups (the whole case), from the rows (when the groups would be slower
    or under a lens): the same chart as every link read and thinned."""
    if route == "rows":
        monkeypatch.setattr(db, "ROLLUP_END_SHARE", 0.0)
    date_from = "2023-04-01" if route == "lens" else None
    whole = case.link_chart(case_ref=REF, date_from=date_from)
    values = sorted(e.value_usd for e in whole.model.edges if e.is_trade)
    assert len(values) > 150
    threshold = values[int(len(values) * share)] if share else 0.0
    chart, model, smaller = full_chart(case, threshold, links, date_from)
    top = case.link_chart(
        case_ref=REF, threshold=threshold, persons=True, links=links, date_from=date_from
    )
    assert [(n.uid, n.layer) for n in top.model.nodes] == [(n.uid, n.layer) for n in model.nodes]
    assert edge_facts(top.model.edges) == edge_facts(model.edges)
    assert hidden_facts(top.hidden) == hidden_facts(chart.hidden)
    assert hidden_facts(top.smaller) == hidden_facts(smaller)
    assert top.kinds == {n.uid: chart.kinds[n.uid] for n in model.nodes}


@pytest.mark.parametrize("ties", [db.TIES, 0])
def test_ties_at_the_cut_are_ordered_as_the_whole_chart_orders_them(case, ties, monkeypatch):
    """Links of the same value as the last drawn are read too and ordered as the whole chart
    orders them (by firm uids), also when more of them tie than were read at first."""
    monkeypatch.setattr(db, "TIES", ties)
    whole = case.link_chart(case_ref=REF)
    trade = [e for e in whole.model.edges if e.is_trade]
    values = [e.value_usd for e in trade]
    # a cut inside a run of links of the same value
    cut = next(i for i in range(1, len(values)) if values[i] == values[i - 1] == values[i + 1])
    _chart, model, _smaller = full_chart(case, 0.0, cut)
    top = case.link_chart(case_ref=REF, persons=True, links=cut)
    assert edge_facts(top.model.edges) == edge_facts(model.edges)


def test_the_store_chooses_the_pairs_and_sums_the_rest(case):
    whole = case.link_chart(case_ref=REF)
    uid_of = {n.id: n.uid for n in whole.model.nodes}
    trade = [e for e in whole.model.edges if e.is_trade]
    threshold = trade[len(trade) // 3].value_usd
    over = [e for e in trade if e.value_usd >= threshold]
    with case._read() as session:
        case_id = find_case(session, REF).id
        chosen = db.largest_trade_pairs(
            session, case_id=case_id, lens=None, limit=25, threshold=threshold
        )
    assert {frozenset(uid_of[f] for f in p) for p in chosen.pairs[:25]} == {
        frozenset((e.source, e.target)) for e in over[:25]
    }
    assert chosen.above[0] == len(over) and chosen.below[0] == len(trade) - len(over)
    assert chosen.above[1] == pytest.approx(sum(e.value_usd for e in over))
    assert chosen.below[2] == sum(e.count for e in trade if e.value_usd < threshold)
    largest = {u: max(e.value_usd for e in trade if u in (e.source, e.target)) for u in uid_of.values()
               if any(u in (e.source, e.target) for e in trade)}  # fmt: skip
    assert {uid_of[f]: pytest.approx(v[2]) for f, v in chosen.firms.items()} == largest


def test_the_briefing_reads_only_the_links_it_draws(case, monkeypatch):
    read = []
    trade_edges = db.trade_edges

    def spy(*args, **kwargs):
        rows = trade_edges(*args, **kwargs)
        read.append({frozenset(row[:2]) for row in rows})
        return rows

    _chart, model, smaller = full_chart(case, 0.0, 40)
    monkeypatch.setattr(db, "trade_edges", spy)
    data = case.briefing_data(case_ref=REF, sections=["network"], network_links=40)
    assert read and all(len(pairs) <= 40 for pairs in read)
    assert {n.uid for n in data.network.nodes} == {n.uid for n in model.nodes}
    assert data.network_hidden == (
        f"And {smaller.links} smaller trade links worth "
        f"{money(smaller.value_usd, compact=True)} are not drawn."
    )
