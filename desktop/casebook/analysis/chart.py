"""The link chart an analyst works in, built on the network model: the trade between two firms
as one link whatever its direction (value, shipments, first and last date), a value threshold
that hides the smaller trade links and the firms they leave alone (and says what it hid), and
each entity's kind (the icon an i2 or Maltego user expects).

The GUI, the ANX export and the briefing's network page all draw from ``chart_model``, so that
a link hidden on one is hidden on the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casebook.analysis.network import Edge, NetworkModel, Node, trade_label

#: Entity kinds by the node's layer (role, else trade direction); a person record will add
#: "person" (``kind_of``), and addresses and vessels will follow as subjects of their own.
KINDS = ("manufacturer", "intermediary", "importer")
KIND_TITLES = {
    "manufacturer": "Manufacturer",
    "intermediary": "Intermediary / trader",
    "importer": "Importer / end user",
    "person": "Person",
}


def kind_of(node: Node) -> str:
    """The entity kind of a chart node: a person (once people are records: ``subject``), else
    the firm's layer — manufacturer, intermediary or importer."""
    if node.subject == "person":
        return "person"
    return KINDS[node.layer] if 0 <= node.layer < len(KINDS) else "intermediary"


@dataclass
class Hidden:
    """What a value threshold took off the chart."""

    links: int = 0
    value_usd: float = 0.0
    shipments: int = 0
    nodes: list[str] = field(default_factory=list)  # uids of the firms left alone

    def __bool__(self) -> bool:
        return bool(self.links or self.nodes)

    def sentence(self) -> str:
        """e.g. "23 trade links under the threshold worth $1.2 m and 4 firms only they joined
        are hidden" (empty when nothing is hidden)."""
        from casebook.core.numbers import money
        from casebook.core.words import plural

        if not self:
            return ""
        text = f"{plural(self.links, 'smaller trade link')} worth {money(self.value_usd, compact=True)}"
        if self.nodes:
            text += f" and {plural(len(self.nodes), 'firm')} only they joined"
        return text + " are not shown"

    def to_json(self) -> dict:
        return {"links": self.links, "value_usd": round(self.value_usd, 2),
                "shipments": self.shipments, "nodes": list(self.nodes)}  # fmt: skip


@dataclass
class Chart:
    """The chart's model (aggregated, thresholded), each node's kind, and what is hidden."""

    model: NetworkModel
    kinds: dict[str, str]
    hidden: Hidden
    threshold: float = 0.0
    #: the links over the threshold past the largest drawn (``largest_links_chart``)
    smaller: Hidden = field(default_factory=Hidden)

    def to_json(self) -> dict:
        data = self.model.to_json()
        for node in data["nodes"]:
            node["kind"] = self.kinds.get(node["uid"])
        for edge, src in zip(data["edges"], self.model.edges, strict=True):
            edge |= {"first": src.first, "last": src.last, "both_ways": src.both_ways}
        return data | {"threshold": self.threshold, "hidden": self.hidden.to_json()}


def aggregate_trade(edges: list[Edge]) -> list[Edge]:
    """One trade link per pair of firms: A → B and B → A summed (value, shipments; first and
    last date the earliest and latest), drawn in the direction that carried more value, with
    ``both_ways`` set when goods went both ways. Relationships are kept as they are."""
    links: dict[frozenset, Edge] = {}
    forward: dict[frozenset, float] = {}  # value sent in the first-seen direction
    out: list[Edge] = []
    for edge in edges:
        if not edge.is_trade:
            out.append(edge)
            continue
        key = frozenset((edge.source, edge.target))
        link = links.get(key)
        if link is None:
            links[key] = Edge(edge.source, edge.target, "trade", edge.value_usd, edge.count,
                              first=edge.first, last=edge.last)  # fmt: skip
            forward[key] = edge.value_usd
            continue
        if (edge.source, edge.target) == (link.source, link.target):
            forward[key] += edge.value_usd
        else:
            link.both_ways = True
        link.value_usd += edge.value_usd
        link.count += edge.count
        link.first = min(filter(None, (link.first, edge.first)), default=None)
        link.last = max(filter(None, (link.last, edge.last)), default=None)
    for key, link in links.items():
        if forward[key] * 2 < link.value_usd:  # the other way carried more
            link.source, link.target = link.target, link.source
        link.label = trade_label(link.value_usd, link.count)
    trade = sorted(links.values(), key=lambda e: (-e.value_usd, e.source, e.target))
    return trade + out


def apply_threshold(model: NetworkModel, threshold: float) -> tuple[NetworkModel, Hidden]:
    """The model without the trade links worth less than ``threshold`` USD, and without the
    firms that only those links joined to the chart (a firm that had no link at all, or keeps a
    relationship, stays); with what was hidden."""
    if threshold <= 0:
        return model, Hidden()
    return _hide(model, lambda e: e.is_trade and e.value_usd < threshold)


def _hide(model: NetworkModel, drop) -> tuple[NetworkModel, Hidden]:
    """The model without the edges ``drop`` picks and the firms only they linked."""
    hidden = Hidden()
    kept = []
    for edge in model.edges:
        if drop(edge):
            hidden.links += 1
            hidden.value_usd += edge.value_usd
            hidden.shipments += edge.count
        else:
            kept.append(edge)
    if not hidden.links:
        return model, hidden
    linked_before = {u for e in model.edges for u in (e.source, e.target)}
    linked_after = {u for e in kept for u in (e.source, e.target)}
    alone = linked_before - linked_after
    hidden.nodes = [n.uid for n in model.nodes if n.uid in alone]
    thinned = NetworkModel(
        nodes=[n for n in model.nodes if n.uid not in alone],
        edges=kept,
        case_ref=model.case_ref,
        filters=model.filters,
    )
    return thinned, hidden


def chart_model(model: NetworkModel, *, threshold: float = 0.0) -> Chart:
    """The chart of a network model: trade aggregated per pair of firms, links under
    ``threshold`` USD hidden with the firms they isolate, each node's kind."""
    if threshold < 0:
        raise ValueError("the threshold must not be negative")
    aggregated = NetworkModel(
        nodes=list(model.nodes),
        edges=aggregate_trade(model.edges),
        case_ref=model.case_ref,
        filters=model.filters,
    )
    shown, hidden = apply_threshold(aggregated, threshold)
    kinds = {n.uid: kind_of(n) for n in shown.nodes}
    return Chart(model=shown, kinds=kinds, hidden=hidden, threshold=float(threshold))


def largest_links_chart(
    model: NetworkModel,
    *,
    count: int,
    threshold: float,
    above: tuple[int, float, int],
    below: tuple[int, float, int],
    firms: Mapping[int, tuple],
) -> Chart:
    """What ``chart_model(whole, threshold=threshold)`` thinned to its ``count`` largest trade
    links (by value; ties by firm uids) gives, from a ``model`` whose trade is only that of the
    largest pairs and of those tied with the last (``store.network.largest_trade_pairs``: its ``above``, ``below`` and ``firms``
    describe the whole case's links): the ``count`` largest links, the firms that only the
    others joined taken off, ``Chart.hidden`` the links under the threshold and
    ``Chart.smaller`` the smaller ones over it."""
    if threshold < 0:
        raise ValueError("the threshold must not be negative")
    count = max(count, 0)
    edges = aggregate_trade(model.edges)  # by value, ties by firm uids
    trade = [e for e in edges if e.is_trade]
    kept = trade[:count]
    others = [e for e in edges if not e.is_trade]
    hidden = Hidden(links=below[0], value_usd=below[1], shipments=below[2])
    links = above[0] - len(kept)
    smaller = Hidden(
        links=links,
        value_usd=above[1] - sum(e.value_usd for e in kept) if links else 0.0,
        shipments=above[2] - sum(e.count for e in kept) if links else 0,
    )
    linked = {u for e in [*kept, *others] for u in (e.source, e.target)}
    for node in model.nodes:
        if node.id not in firms or node.subject != "firm" or node.uid in linked:
            continue
        if threshold > 0 and firms[node.id][2] < threshold:
            hidden.nodes.append(node.uid)  # only links under the threshold joined it
        else:
            smaller.nodes.append(node.uid)
    alone = {*hidden.nodes, *smaller.nodes}
    shown = NetworkModel(
        nodes=[n for n in model.nodes if n.uid not in alone],
        edges=[*kept, *others],
        case_ref=model.case_ref,
        filters=model.filters,
    )
    kinds = {n.uid: kind_of(n) for n in shown.nodes}
    return Chart(shown, kinds, hidden, threshold=float(threshold), smaller=smaller)


def find_path(edges: list[Edge], source: str, target: str, *, by: str = "hops") -> list[str]:
    """The uids on a shortest path from ``source`` to ``target`` over ``edges`` (either
    direction), ``by`` "hops" (fewest links) or "value" (through the links that carry the most
    value: each trade link weighs 1 / its value, a relationship as much as the largest trade
    link); empty when they are not connected."""
    import networkx as nx

    if by not in ("hops", "value"):
        raise ValueError(f"unknown path measure {by!r}; use hops or value")
    largest = max((e.value_usd for e in edges if e.is_trade), default=1.0) or 1.0
    graph = nx.Graph()
    for edge in edges:
        weight = 1.0 / max(edge.value_usd if edge.is_trade else largest, 1.0)
        before = graph.get_edge_data(edge.source, edge.target)
        if before is None or weight < before["weight"]:
            graph.add_edge(edge.source, edge.target, weight=weight)
    try:
        return list(nx.shortest_path(graph, source, target,
                                     weight="weight" if by == "value" else None))  # fmt: skip
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
