"""The network of a case, apart from Qt: firms as nodes, trade aggregated into directed edges,
relationships as typed edges; deterministic layouts in the unit square; one style table.

The GUI (``ui/network_scene.py``) and the briefing draw the same picture from these three pieces:
``NetworkModel`` (what), ``layout_network`` (where, in [0, 1]²) and ``style_for`` (how). The GUI
maps the unit square onto a canvas of ``canvas_size(len(nodes))`` points; the layouts fill a
rectangle of the same area shaped like the GUI's view (``canvas``, centred on that square) and
keep each node's label box (``label_box``: its disc, LISTED badge and two lines of label, with a
gap) clear of every other node's; the GUI passes its own font metrics (``text_width``,
``line``) so that the boxes are the ones it draws. The briefing scales the positions to its
page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace

from casebook.core.domain import PERSON_KINDS
from casebook.core.filters import ShipmentFilter
from casebook.core.names import with_countries
from casebook.core.numbers import money
from casebook.store import network as db

LAYOUTS = ("force", "layered", "geographic", "timeline")  # the last two: chart_layouts.py
#: A node's label box, in canvas points: the disc and up to two lines of name under it (the
#: largest; ``label_box`` gives each node's own).
LABEL_BOX = (150.0, 58.0)
NAME_WIDTH = 150.0  # the GUI elides a label line at this width
LABEL_LINE = 14.0  # a label line's height (9-point text)
BADGE_HEIGHT = 13.0  # the LISTED badge above the disc
LABEL_GAP = 4.0  # clear space kept between two nodes' boxes
FACTS_EM = 0.85  # the facts line's font size, relative to the name's
MARGIN = 0.04
#: Below this many firms the layouts are compacted (see ``_compact``): the chart shrinks
#: around its labels, so that Fit shows them larger.
COMPACT_LIMIT = 200
#: ``text_width(text, em)``: a text's width in canvas points, ``em`` relative to the name font.
TextWidth = Callable[[str, float], float]
LAYER_TITLES = ("Makers", "Intermediaries", "Importers")
_MAKER_ROLES = {"manufacturer"}
_MIDDLE_ROLES = {"intermediary", "forwarder"}
_IMPORTER_ROLES = {"importer", "end user"}


@dataclass
class Node:
    """A firm of the case."""

    uid: str
    name: str
    native_name: str | None = None
    country: str | None = None
    role: str | None = None
    listed: bool = False
    score: float = 0.0
    shipments: int = 0
    value_usd: float = 0.0
    listings: list[dict] = field(default_factory=list)
    layer: int = 1  # 0 maker, 1 intermediary, 2 importer (role, else trade direction)
    subject: str = "firm"  # the record a node stands for; "person" once people are records
    id: int | None = field(default=None, repr=False, compare=False)
    #: The name as the chart shows it, where it differs from ``name``: with the country beside
    #: it when another firm of the chart has the same name (``tell_apart``).
    title: str | None = field(default=None, compare=False)

    @property
    def shown_name(self) -> str:
        """The name on the chart's label, tooltip and details pane (``title``, else ``name``)."""
        return self.title or self.name


@dataclass
class Edge:
    """A directed trade edge (exporter → importer, ``kind="trade"``) or a relationship."""

    source: str
    target: str
    kind: str
    value_usd: float = 0.0
    count: int = 0
    label: str = ""
    first: str | None = None
    last: str | None = None
    uid: str | None = None  # the relationship's uid
    share: float | None = None
    both_ways: bool = False  # an aggregated trade link (analysis/chart.py) with goods both ways

    @property
    def is_trade(self) -> bool:
        return self.kind == "trade"


@dataclass
class NetworkModel:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    case_ref: str | None = None
    filters: dict = field(default_factory=dict)
    #: The layout its positions come from, when it is printed as the Network tab shows it
    #: (``"timeline"``: the page has a date axis).
    layout: str | None = None

    def node(self, uid: str) -> Node | None:
        return next((n for n in self.nodes if n.uid == uid), None)

    def neighbours(self, uid: str) -> set[str]:
        out = {e.target for e in self.edges if e.source == uid}
        return out | {e.source for e in self.edges if e.target == uid}

    def to_json(self) -> dict:
        nodes = [
            {k: getattr(n, k) for k in ("uid", "name", "native_name", "country", "role")}
            | {"listed": n.listed, "score": n.score, "shipments": n.shipments}
            | {"value_usd": round(n.value_usd, 2)}
            for n in self.nodes
        ]
        edges = [
            {k: getattr(e, k) for k in ("source", "target", "kind", "count", "label")}
            | {"value_usd": round(e.value_usd, 2)}
            for e in self.edges
        ]
        return {"case": self.case_ref, "nodes": nodes, "edges": edges, "filters": self.filters}


# --- building -------------------------------------------------------------------------------


def trade_label(value_usd: float, count: int) -> str:
    return f"{money(value_usd, compact=True)} · {count:,}"


def relationship_text(kind: str, share: float | None, start: str | None, end: str | None) -> str:
    text = kind
    if share is not None:
        text += f" {share * 100 if share <= 1 else share:.0f}%"
    if start or end:
        text += f" ({start or '…'}–{end or ''})"
    return text


def build_network(
    session,
    *,
    case_id: int,
    lens: ShipmentFilter | None = None,
    min_value: float = 0.0,
    scores: Mapping[str, float] | None = None,
    listed: Mapping[int, list[dict]] | None = None,
    case_ref: str | None = None,
    pairs: Collection[tuple[int, int]] | None = None,
    directions: Mapping[int, tuple] | None = None,
) -> NetworkModel:
    """The case's network: every firm of the case, trade edges of the lens's shipments
    (aggregated in SQL per exporter → importer pair, ``min_value`` USD at least), every
    relationship. With ``pairs`` (firm ids), only the trade between those firms is read, and
    ``directions`` (firm id → (sends, receives, …) of all the trade, as
    ``store.network.largest_trade_pairs`` gives them) places each firm in its layer."""
    scores, listed = scores or {}, listed or {}
    firms = db.case_firms(session, case_id=case_id)
    totals = db.firm_totals(session, case_id=case_id, lens=lens)
    nodes, uid_of = [], {}
    for fid, uid, name, native, country, role in firms:
        n, v = totals.get(fid, (0, 0.0))
        nodes.append(
            Node(
                uid=uid,
                name=name,
                native_name=native,
                country=country,
                role=role,
                listed=bool(listed.get(fid)),
                score=float(scores.get(uid, 0.0)),
                shipments=n,
                value_usd=v,
                listings=list(listed.get(fid, [])),
                id=fid,
            )
        )
        uid_of[fid] = uid
    edges = []
    for exp, imp, value, count, first, last in db.trade_edges(
        session, case_id=case_id, lens=lens, min_value=min_value, pairs=pairs
    ):
        if exp in uid_of and imp in uid_of:
            edges.append(
                Edge(
                    uid_of[exp],
                    uid_of[imp],
                    "trade",
                    float(value),
                    int(count),
                    trade_label(value, count),
                    first=first,
                    last=last,
                )
            )
    for uid, a, b, kind, share, start, end, _notes in db.relationships(session, case_id=case_id):
        if a in uid_of and b in uid_of and a != b:
            label = relationship_text(kind, share, start, end)
            edges.append(
                Edge(uid_of[a], uid_of[b], kind, label=label, first=start, last=end, uid=uid)
            )
            edges[-1].share = share
    tell_apart(nodes)
    model = NetworkModel(nodes=nodes, edges=edges, case_ref=case_ref)
    ends = None
    if directions is not None:
        ends = tuple(
            {uid_of[f] for f, way in directions.items() if way[side] and f in uid_of}
            for side in (0, 1)
        )
    layer = layers(model, ends)
    for node in nodes:
        node.layer = layer[node.uid]
    return model


def tell_apart(nodes: list[Node]) -> None:
    """Each firm's ``title``: its name with its country beside it where firms of ``nodes``
    share a name (as the Firms, Timeline and Analysis tabs list them), else None."""
    firms = [n for n in nodes if n.subject == "firm"]
    titles = with_countries([(n.name, n.country) for n in firms])
    for node, title in zip(firms, titles, strict=True):
        node.title = title if title != node.name else None


def with_persons(model: NetworkModel, persons: list[dict], links: list[dict]) -> NetworkModel:
    """The model with person nodes (``subject="person"``) and their links as edges labelled
    with the role: ``persons`` and ``links`` as ``list_persons`` and ``list_person_links``
    give them, for the persons linked to the model's firms."""
    nodes = [
        Node(uid=p["uid"], name=p["name"], native_name=p.get("native_name"),
             country=p.get("nationality"), role="person", subject="person")
        for p in persons
    ]  # fmt: skip
    shown = {n.uid for n in model.nodes} | {n.uid for n in nodes}
    edges = [
        Edge(k["from_uid"], k["to_uid"], k["kind"], label=_role_label(k), first=k.get("start"),
             last=k.get("end"), uid=k["uid"], share=k.get("share"))
        for k in links
        if {k["from_uid"], k["to_uid"]} <= shown
    ]  # fmt: skip
    return replace(model, nodes=[*model.nodes, *nodes], edges=[*model.edges, *edges])


def _role_label(link: dict) -> str:
    """``director``, ``beneficial owner 75%``: a person link's role as the edge says it."""
    share = f" {link['share']:g}%" if link.get("share") is not None else ""
    return f"{link['kind']}{share}"


def largest(model: NetworkModel, limit: int) -> NetworkModel:
    """The model cut to its ``limit`` firms of the most trade value (ties by uid, in model
    order), the persons linked to them and the edges between them; ``model`` itself when it
    has no more firms."""
    firms = [n for n in model.nodes if n.subject == "firm"]
    if len(firms) <= limit:
        return model
    top = sorted(firms, key=lambda n: (-n.value_usd, n.uid))[:limit]
    keep = {n.uid for n in top}
    ends = {e.source for e in model.edges if e.target in keep}
    ends |= {e.target for e in model.edges if e.source in keep}
    keep |= ends - {n.uid for n in firms}  # the persons linked to the firms kept
    return replace(
        model,
        nodes=[n for n in model.nodes if n.uid in keep],
        edges=[e for e in model.edges if e.source in keep and e.target in keep],
    )


# --- layout ---------------------------------------------------------------------------------


def canvas_size(n_nodes: int) -> float:
    """The side of the square canvas, in points, that the unit square is drawn on: ~190 points
    a node's square root for small charts (room for every label at a readable zoom after Fit),
    tapering to 150 by 500 firms (a large chart is read zoomed in anyway)."""
    n = max(n_nodes, 1)
    per = 190.0 - 40.0 * min(1.0, max(0.0, (n - 50) / 450))
    return max(720.0, per * math.sqrt(n))


def canvas(n_nodes: int, aspect: float = 1.0) -> tuple[float, float]:
    """(width, height) in points of the rectangle a layout fills: the area of
    ``canvas_size``'s square, ``aspect`` times as wide as high (the shape of the view)."""
    side, stretch = canvas_size(n_nodes), math.sqrt(max(aspect, 0.1))
    return side * stretch, side / stretch


def text_width(text: str, em: float = 1.0) -> float:
    """A generous estimate of ``text``'s width in canvas points (screen pixels at zoom 1) in
    the label font scaled by ``em`` (9-point text is 12 pixels high at 96 dpi; no font metrics
    here: the GUI passes its own): wide East Asian characters a full em, others 0.62 em."""
    import unicodedata

    size = 12.0 * em
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return size * (wide + 0.62 * (len(text) - wide))


def facts_text(node: Node, score: float | None = None) -> str:
    """The label's second line: role · score · shipments (the score as the GUI shows it; with
    ``score=None`` a two-digit placeholder, as wide as most scores)."""
    facts = [node.role or "no role"]
    if score is None:
        facts.append("score 00")
    elif score:
        facts.append(f"score {score:g}")
    if node.shipments:
        facts.append(f"{node.shipments:,} shp")
    return " · ".join(facts)


def label_box(
    node: Node, *, text_width: TextWidth = text_width, line: float = LABEL_LINE
) -> tuple[float, float, float]:
    """(half width, top, bottom) of the node's box around its centre, in canvas points (y
    down): the disc, the LISTED badge above it, and the label's two lines of height ``line``
    under it (the name, then role · score · shipments, each elided at ``NAME_WIDTH``), as the
    GUI draws them; ``text_width`` measures a text (the GUI passes its font metrics)."""
    r = node_radius(node)
    name = text_width(node.shown_name, 1.0)
    facts = text_width(facts_text(node), FACTS_EM)
    width = min(NAME_WIDTH, max(name, facts)) + 4
    half = max(width / 2, r + 2, (0.4 * r + 44) if node.listed else 0.0)
    top = -(r + 1 + (BADGE_HEIGHT if node.listed else 0.0))
    bottom = r + 3 + 2 * line
    return half, top, bottom


def layer_of(role: str | None, sends: bool, receives: bool) -> int:
    """0 makers, 1 intermediaries, 2 importers: by the case role, else by trade direction."""
    if role in _MAKER_ROLES:
        return 0
    if role in _MIDDLE_ROLES:
        return 1
    if role in _IMPORTER_ROLES:
        return 2
    if sends and not receives:
        return 0
    if receives and not sends:
        return 2
    return 1


def layers(model: NetworkModel, ends: tuple[set, set] | None = None) -> dict[str, int]:
    """Each node's layer for the layered layout (``ends``: the uids that send and those that
    receive goods, when the model holds only part of the trade)."""
    sends = {e.source for e in model.edges if e.is_trade}
    receives = {e.target for e in model.edges if e.is_trade}
    if ends is not None:
        sends, receives = ends
    return {n.uid: layer_of(n.role, n.uid in sends, n.uid in receives) for n in model.nodes}


def layout_network(
    model: NetworkModel,
    *,
    kind: str = "force",
    seed: int = 0,
    pinned: Mapping[str, tuple[float, float]] | None = None,
    aspect: float = 1.0,
    text_width: TextWidth = text_width,
    line: float = LABEL_LINE,
    compact: bool = False,
) -> dict[str, tuple[float, float]]:
    """Positions by node uid in units of the ``canvas_size`` square, the same for the same
    arguments: in [0, 1]² with ``aspect`` 1, else in the rectangle ``canvas(n, aspect)`` of the
    same area centred on the square (it reaches out past the square's long sides), so that
    saved positions mean the same whatever the view's shape later. ``pinned`` nodes keep their
    positions; the others are laid out around them. y grows downwards (screen order: the
    layered layout's first row is at the top); a PDF canvas flips it (y' = 1 - y). The label
    boxes (``label_box`` with ``text_width`` and ``line``) are kept apart; with ``compact``
    (and no pinned firm, below ``COMPACT_LIMIT`` firms) the chart is then drawn in around them
    (``_compact``).

    networkx computes both: Fruchterman–Reingold (``spring_layout``) for "force" and
    ``multipartite_layout`` over the role layers for "layered"; then label boxes are pushed
    apart. Neither needs SciPy (see ``_spring``)."""
    import numpy as np

    if kind not in LAYOUTS:
        raise ValueError(f"unknown layout {kind!r}; use {', '.join(LAYOUTS)}")
    uids = [n.uid for n in model.nodes]
    if not uids:
        return {}
    index = {u: i for i, u in enumerate(uids)}
    side = canvas_size(len(uids))
    width, height = canvas(len(uids), aspect)
    # Square units <-> the rectangle's own unit square (where the layouts work).
    offset = np.array([(side - width) / 2, (side - height) / 2])
    extent = np.array([width, height])
    given = {u: p for u, p in (pinned or {}).items() if u in index}
    pinned = {
        u: tuple((np.array(p, dtype=float) * side - offset) / extent)
        for u, p in (pinned or {}).items()
        if u in index
    }
    fixed = np.zeros(len(uids), dtype=bool)
    for u in pinned:
        fixed[index[u]] = True
    if kind == "layered":
        pos = _layered(model, uids, height)
    elif kind in ("geographic", "timeline"):
        from casebook.analysis import chart_layouts

        found = (chart_layouts.geographic(model, aspect=width / height) if kind == "geographic"
                 else chart_layouts.timeline(model))  # fmt: skip
        pos = np.array([found[u] for u in uids], dtype=float)
    else:
        pos = _spring(model, uids, seed, pinned)
    for u, (x, y) in pinned.items():
        pos[index[u]] = (x, y)
    boxes = np.array(
        [label_box(n, text_width=text_width, line=line) for n in model.nodes], dtype=float
    )
    boxes[:, 0] += LABEL_GAP / 2
    boxes[:, 1] -= LABEL_GAP / 2
    boxes[:, 2] += LABEL_GAP / 2
    boxes /= np.array([width, height, height])
    horizontal = kind != "layered"
    small = len(uids) < COMPACT_LIMIT  # crowded pairs settle slowly: more rounds while cheap
    pos, _clear = _separate(pos, fixed, boxes, horizontal=horizontal, rounds=400 if small else 120)
    if compact and not pinned and small and kind != "geographic":  # drawn in, no map
        pos = _compact(pos, fixed, boxes, horizontal=horizontal)
    pos = np.where(fixed[:, None], pos, np.clip(pos, 0.0, 1.0))
    pos = (pos * extent + offset) / side
    for u in pinned:  # exactly as given
        pos[index[u]] = given[u]
    return {
        u: (round(float(x), 6), round(float(y), 6)) for u, (x, y) in zip(uids, pos, strict=True)
    }


def _graph(model: NetworkModel, uids: list[str]):
    """The undirected graph of the model (one edge per linked pair), nodes in model order."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(uids)
    graph.add_edges_from(
        (e.source, e.target)
        for e in model.edges
        if e.source != e.target and e.source in graph and e.target in graph
    )
    return graph


#: networkx's ``spring_layout`` switches to a SciPy sparse solver from this many nodes, whatever
#: its ``method`` (networkx 3.6: ``if len(G) >= 500 or method == "energy"``).
SPRING_DENSE_LIMIT = 500


def _spring(model: NetworkModel, uids: list[str], seed: int, pinned: dict):
    """Fruchterman–Reingold in the unit square. Below ``SPRING_DENSE_LIMIT`` nodes by networkx
    (``nx.spring_layout(method="force")``); from there on ``spring_layout`` would import SciPy
    (not shipped: ~100 MB of the bundle), and its dense numpy solver costs O(n²) a step (20 s
    for 2,000 firms), so ``_grid_spring`` computes the same forces with repulsion cut off at a
    few ideal distances (a test checks that SciPy stays unloaded). Firms without any link
    would drift far out and shrink the picture: they are brought back to the rim of the
    others."""
    import networkx as nx
    import numpy as np

    n = len(uids)
    if n == 1:
        return np.array([[0.5, 0.5]])
    graph = _graph(model, uids)
    k = 1.0 / math.sqrt(n)
    if n < SPRING_DENSE_LIMIT:
        found = nx.spring_layout(graph, k=k, pos=pinned or None, fixed=list(pinned) or None,
                                 seed=seed, scale=None, method="force")  # fmt: skip
        pos = np.array([found[u] for u in uids], dtype=float)
    else:  # a grid-based solver of the same forces: O(n) a step, not O(n²)
        rng = np.random.RandomState(seed)
        start = rng.rand(n, 2)
        index = {u: i for i, u in enumerate(uids)}
        for u, p in pinned.items():
            start[index[u]] = p
        links = np.array(
            [(index[a], index[b]) for a, b in graph.edges() if a != b], dtype=np.int64
        ).reshape(-1, 2)
        fixed = np.zeros(n, dtype=bool)
        for u in pinned:
            fixed[index[u]] = True
        pos = _grid_spring(start, links, k=k, fixed=fixed)
    if pinned:
        return pos
    alone = np.array([graph.degree(u) == 0 for u in uids])
    if alone.any() and not alone.all():
        centre = pos[~alone].mean(axis=0)
        rim = np.linalg.norm(pos[~alone] - centre, axis=1).max()
        out = pos[alone] - centre
        far = np.maximum(np.linalg.norm(out, axis=1), 1e-9)
        pos[alone] = centre + out * (np.minimum(far, rim) / far)[:, None]
    return _rescale(_even_out(pos))


def _grid_spring(pos, links, *, k: float, fixed, iterations: int = 50, reach: float = 2.0):
    """Fruchterman–Reingold as networkx's dense solver computes it (each step every node moves
    the temperature along its force: repulsion k²/d from the others, attraction d²/k along its
    links; the temperature cools linearly), except that a node is repelled only by the nodes
    within ``reach`` × k of it, found through a grid of cells that wide (the grid variant of
    Fruchterman and Reingold's paper), and by the farther ones through a grid (``_far_push``),
    so a step costs O(nodes + links), not O(nodes²): 2,000 firms are laid out in well under a
    second where the dense solver took 20 s. ``links`` is
    an (m, 2) array of node indices; ``fixed`` nodes do not move."""
    import numpy as np

    pos = np.array(pos, dtype=np.float64)
    n = len(pos)
    cut = reach * k
    src = np.concatenate([links[:, 0], links[:, 1]]) if len(links) else np.zeros(0, np.int64)
    dst = np.concatenate([links[:, 1], links[:, 0]]) if len(links) else np.zeros(0, np.int64)
    t = max(np.ptp(pos[:, 0]), np.ptp(pos[:, 1])) * 0.1
    dt = t / (iterations + 1)
    every = np.arange(n)
    for _ in range(iterations):
        i, j = _near_pairs(pos, cut, every)  # each pair once (i < j in the grid's order)
        x, y = pos[:, 0], pos[:, 1]
        dx, dy = x[i] - x[j], y[i] - y[j]
        d2 = dx * dx + dy * dy
        close = d2 < cut * cut
        i, j, dx, dy = i[close], j[close], dx[close], dy[close]
        scale = k * k / np.maximum(d2[close], 1e-4)
        px, py = dx * scale, dy * scale
        fx = np.bincount(i, px, n) - np.bincount(j, px, n)
        fy = np.bincount(i, py, n) - np.bincount(j, py, n)
        far = _far_push(pos, cut, k)
        fx += far[:, 0]
        fy += far[:, 1]
        if len(src):
            lx, ly = x[src] - x[dst], y[src] - y[dst]
            along = np.sqrt(lx * lx + ly * ly) / k
            fx -= np.bincount(src, lx * along, n)
            fy -= np.bincount(src, ly * along, n)
        force = np.stack([fx, fy], axis=1)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), 0.01)
        step = force * (t / length)[:, None]
        step[fixed] = 0.0
        pos += step
        t -= dt
        if np.linalg.norm(step) / n < 1e-4:
            break
    return pos


def _far_push(pos, near: float, k: float, size: int = 64):
    """The repulsion k²/d on each point from the points farther than ``near``, on a grid
    (particle–mesh): the points counted per cell of a ``size`` × ``size`` grid over their
    extent, the counts convolved (FFT) with the force of one point at each cell offset (none
    within ``near``), each point given its cell's force. O(points + size² log size)."""
    import numpy as np

    lo = pos.min(axis=0)
    h = max(float(np.ptp(pos, axis=0).max()), 1e-9) * (1 + 1e-6) / size
    cell = np.minimum(((pos - lo) / h).astype(np.int64), size - 1)
    counts = np.bincount(cell[:, 0] * size + cell[:, 1], minlength=size * size)
    padded = np.zeros((2 * size, 2 * size))
    padded[:size, :size] = counts.reshape(size, size)
    offsets = np.fft.fftfreq(2 * size, 1.0 / (2 * size)) * h  # 0, h, 2h, …, -2h, -h
    ox, oy = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = ox * ox + oy * oy
    scale = np.where(r2 >= near * near, k * k / np.maximum(r2, 1e-12), 0.0)
    density = np.fft.rfft2(padded)
    fx = np.fft.irfft2(density * np.fft.rfft2(ox * scale), padded.shape)
    fy = np.fft.irfft2(density * np.fft.rfft2(oy * scale), padded.shape)
    return np.stack([fx[cell[:, 0], cell[:, 1]], fy[cell[:, 0], cell[:, 1]]], axis=1)


def _near_pairs(pos, cell: float, every):
    """(i, j) index arrays of the pairs of distinct points in the same or neighbouring cells
    of a ``cell``-wide grid (a superset of the pairs closer than ``cell``), each pair once."""
    import numpy as np

    grid = np.floor((pos - pos.min(axis=0)) / cell).astype(np.int64)
    rows = int(grid[:, 1].max()) + 3
    key = grid[:, 0] * rows + grid[:, 1]
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    firsts, seconds = [], []
    # the own cell (later points only) and the four cells after it: each pair of cells once
    for dx, dy in ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1)):
        target = key + dx * rows + dy
        lo = np.searchsorted(ordered, target, "left")
        hi = np.searchsorted(ordered, target, "right")
        if dx == 0 and dy == 0:
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            lo = rank + 1  # the points after this one in its own cell
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        if not total:
            continue
        firsts.append(np.repeat(every, counts))
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        seconds.append(order[starts + np.arange(total)])
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def _even_out(pos):
    """Fruchterman–Reingold packs hubs and their neighbours in the centre and throws leaves
    far out, so that after scaling to the square most labels crowd a small middle. Each node
    keeps its direction from the centre and its rank in distance, but takes the radius that an
    even spread over the disc gives its rank (blended with its own), and the disc is widened
    towards the square's corners."""
    import numpy as np

    n = len(pos)
    if n < 3:
        return pos
    centre = np.median(pos, axis=0)
    out = pos - centre
    radius = np.linalg.norm(out, axis=1)
    top = radius.max()
    if top <= 1e-12:
        return pos
    rank = np.empty(n)
    rank[np.argsort(radius, kind="stable")] = np.arange(n)
    even = np.sqrt((rank + 0.5) / n)
    new = 0.25 * radius / top + 0.75 * even
    unit = out / np.maximum(radius, 1e-12)[:, None]
    # Disc -> square: stretch each direction by its 2-norm over its max-norm (half way).
    corner = np.linalg.norm(unit, axis=1) / np.maximum(np.abs(unit).max(axis=1), 1e-12)
    stretch = 1.0 + 0.5 * (corner - 1.0)
    return unit * (new * stretch)[:, None]


def _rescale(pos):
    import numpy as np

    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    scaled = (pos - lo) / span
    scaled[:, (hi - lo) <= 1e-9] = 0.5
    return MARGIN + scaled * (1 - 2 * MARGIN)


def _layered(model, uids, height: float):
    """Makers left, intermediaries centre, importers right, placed by networkx's
    ``multipartite_layout``. Within a layer the order follows the neighbours' mean position (a
    few sweeps: networkx does not reduce crossings); a long layer takes several columns, every
    other one half a row lower so that edges pass between."""
    import networkx as nx
    import numpy as np

    layer = layers(model)
    members: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for u in uids:
        members[layer[u]].append(u)
    neighbours = {u: [] for u in uids}
    for e in model.edges:
        if e.source in neighbours and e.target in neighbours:
            neighbours[e.source].append(e.target)
            neighbours[e.target].append(e.source)
    name = {n.uid: n.name.casefold() for n in model.nodes}
    order = {u: 0.0 for u in uids}
    for group in members.values():
        group.sort(key=lambda u: (-len(neighbours[u]), name[u], u))
        for i, u in enumerate(group):
            order[u] = (i + 0.5) / len(group)
    for _ in range(4):
        for group in members.values():
            for u in group:
                near = [order[v] for v in neighbours[u] if layer[v] != layer[u]]
                order[u] = sum(near) / len(near) if near else order[u]
            group.sort(key=lambda u: (order[u], name[u], u))
            for i, u in enumerate(group):
                order[u] = (i + 0.5) / len(group)
    per_column = max(4, int((1 - 2 * MARGIN) * height / (LABEL_BOX[1] + 14)))
    columns: dict[int, list[str]] = {}  # column number -> its nodes, top to bottom
    lower: set[str] = set()  # nodes of the columns set half a row lower
    for lay in sorted(members):
        group = members[lay]
        cols = math.ceil(len(group) / per_column)
        base = len(columns)
        for i, u in enumerate(group):
            columns.setdefault(base + i % cols, []).append(u)
            if cols > 1 and (i % cols) % 2:
                lower.add(u)
    found = nx.multipartite_layout(_graph(model, uids), subset_key=columns, scale=1.0)
    pos = np.array([found[u] for u in uids], dtype=float)
    if lower:
        tall = max(columns.values(), key=len)  # rows are evenly spaced: measure one
        row = abs(found[tall[1]][1] - found[tall[0]][1])
        for i, u in enumerate(uids):
            if u in lower:
                pos[i, 1] += row / 2
    return _rescale(pos)


def _compact(pos, fixed, boxes, *, horizontal: bool, steps: int = 24):
    """Draw the separated chart in towards its middle a step at a time, pushing the boxes
    apart again after each step, and keep the last arrangement whose boxes are all clear:
    Fruchterman–Reingold leaves wide empty spaces between the labels, and Fit can only enlarge
    what is tight. The longer side (in unit-square terms: the canvas has the view's shape) is
    drawn in first, its overlaps pushed out along the other axis, so that the chart keeps the
    canvas's shape; then both; then finer steps. The layered layout moves nodes up and down
    only and keeps its columns apart."""
    import numpy as np

    best = pos
    for step in (0.9, 0.97):
        for _ in range(steps):
            span = np.ptp(best, axis=0)
            x_only = ((step, 1.0), False, True)  # shrink x, push along y only
            y_only = ((1.0, step), True, False)
            both = ((step, step), True, True)
            if span[0] > 1.05 * span[1]:
                tries = (x_only, both, y_only)
            elif span[1] > 1.05 * span[0]:
                tries = (y_only, both, x_only)
            else:
                tries = (both, x_only, y_only)
            for shrink, along_x, along_y in tries:
                if not horizontal:
                    along_x, along_y = False, True
                centre = (best.min(axis=0) + best.max(axis=0)) / 2
                trial = centre + (best - centre) * np.array(shrink)
                trial, clear = _separate(trial, fixed, boxes, horizontal=along_x,
                                         vertical=along_y, rounds=200)  # fmt: skip
                if (clear and _smaller(trial, best)
                        and (horizontal or _columns_apart(trial, boxes))):  # fmt: skip
                    best = trial
                    break
            else:
                break
    return best


def _smaller(pos, than) -> bool:
    """Whether ``pos`` needs less room than ``than``: its longer side (then its area) smaller,
    in unit-square terms (the canvas has the view's shape)."""
    import numpy as np

    a, b = np.ptp(pos, axis=0), np.ptp(than, axis=0)
    if a.max() < b.max() - 1e-6:
        return True
    return a.max() <= b.max() + 1e-6 and a.prod() < b.prod() - 1e-9


def _columns_apart(pos, boxes) -> bool:
    """Whether no two boxes overlap in x while at different x (the layered layout's columns
    keep clear of each other)."""
    import numpy as np

    x, half = pos[:, 0], boxes[:, 0]
    dx = np.abs(x[:, None] - x[None, :])
    different = dx > 1e-6
    return not bool(np.any(different & (dx < half[:, None] + half[None, :])))


def _separate(
    pos, fixed, boxes, *, horizontal: bool = True, vertical: bool = True, rounds: int = 120
):
    """Push apart nodes whose boxes overlap (pinned nodes stay), along the axis of the smaller
    overlap (only sideways without ``vertical``, only up and down without ``horizontal``);
    vectorised rounds over the overlapping pairs only. ``boxes`` holds each node's
    (half width, top, bottom) around its position, in unit-square units. Returns the positions
    and whether every box came clear."""
    import numpy as np

    n = len(pos)
    if n < 2:
        return pos, True
    pos = pos.astype(np.float32)
    half = boxes[:, 0].astype(np.float32)
    top, bottom = boxes[:, 1].astype(np.float32), boxes[:, 2].astype(np.float32)
    mid = (top + bottom) / 2  # each box's centre below the node's position
    if n < SWEEP_LIMIT:
        reach_x = half[:, None] + half[None, :]
        reach_y = ((bottom - top)[:, None] + (bottom - top)[None, :]) / 2
    movable = (~fixed).astype(np.float32)
    height = bottom - top
    clear = False
    counts = []  # the overlapping pairs of each round (from ``STALL_LIMIT`` nodes)
    for done in range(rounds + 1):
        cy = pos[:, 1] + mid
        if n < SWEEP_LIMIT:
            dx = pos[:, 0, None] - pos[None, :, 0]
            dy = cy[:, None] - cy[None, :]
            close = (np.abs(dx) < reach_x) & (np.abs(dy) < reach_y)
            i, j = np.nonzero(np.triu(close, 1))
            pdx, pdy = dx[i, j], dy[i, j]
            rx, ry = reach_x[i, j], reach_y[i, j]
        else:
            i, j = _box_pairs(pos[:, 0], cy, half, height / 2)
            pdx, pdy = pos[i, 0] - pos[j, 0], cy[i] - cy[j]
            rx, ry = half[i] + half[j], (height[i] + height[j]) / 2
            close = (np.abs(pdx) < rx) & (np.abs(pdy) < ry)
            i, j, pdx, pdy, rx, ry = (
                i[close],
                j[close],
                pdx[close],
                pdy[close],
                rx[close],
                ry[close],
            )
        if not len(i):
            clear = True
            break
        if done == rounds:
            break
        if n >= STALL_LIMIT:  # a large chart's last overlaps rock to and fro: stop then
            counts.append(len(i))
            if len(counts) >= 2 * STALL_ROUNDS:
                last = sum(counts[-STALL_ROUNDS:])
                before = sum(counts[-2 * STALL_ROUNDS : -STALL_ROUNDS])
                if last > before * (1 - STALL_GAIN):
                    break
        ox, oy = rx - np.abs(pdx), ry - np.abs(pdy)
        if not vertical:
            along_x = np.ones(len(i), dtype=bool)
        else:
            along_x = (ox < oy) if horizontal else np.zeros(len(i), dtype=bool)
        # Same point: the pair separates by index.
        sx = np.where(pdx == 0, 1.0, np.sign(pdx)).astype(np.float32)
        sy = np.where(pdy == 0, 1.0, np.sign(pdy)).astype(np.float32)
        # Each of a pair moves half the overlap (a little more, so that it settles).
        mx = np.where(along_x, sx * (ox * 0.5 + 1e-4), 0.0).astype(np.float32)
        my = np.where(~along_x, sy * (oy * 0.5 + 1e-4), 0.0).astype(np.float32)
        push = np.zeros((n, 2), dtype=np.float32)
        np.add.at(push[:, 0], i, mx)
        np.add.at(push[:, 0], j, -mx)
        np.add.at(push[:, 1], i, my)
        np.add.at(push[:, 1], j, -my)
        pos += push * movable[:, None]
        inside = np.clip(pos, MARGIN / 2, 1 - MARGIN / 2)
        pos = np.where(fixed[:, None], pos, inside)  # pinned firms stay, even near a border
    return pos.astype(np.float64), clear


#: From this many nodes ``_separate`` finds the overlapping boxes by a sweep along one axis
#: (O(n log n + candidates) a round) instead of comparing every pair (O(n²): 6 s of 120 rounds
#: for 2,000 firms).
SWEEP_LIMIT = COMPACT_LIMIT
#: From this many nodes ``_separate`` stops once the overlapping pairs of the last
#: ``STALL_ROUNDS`` rounds are not ``STALL_GAIN`` (1 %) fewer than those of the rounds before them
#: (2,000 firms: the overlaps fell to ~1,250 in 40 rounds and then rocked between 1,200 and
#: 1,260 for the other 80, 0.25 s for nothing); while they still fall, it goes on. Smaller
#: charts take every round, as before.
STALL_LIMIT = SPRING_DENSE_LIMIT
STALL_ROUNDS = 10
STALL_GAIN = 0.01


def _box_pairs(x, y, half_w, half_h):
    """(i, j) with i < j of the boxes (centre ``x``, ``y``, half sizes ``half_w``, ``half_h``)
    that may overlap: those whose extents overlap along the axis (x or y) that gives fewer
    such pairs, found by sorting the boxes along it (sweep and prune)."""
    import numpy as np

    n = len(x)
    best = None
    for along, half in ((x, half_w), (y, half_h)):
        order = np.argsort(along, kind="stable")
        ordered = along[order]
        # every box after a in the order that starts before a's far side plus the widest half
        hi = np.searchsorted(ordered, ordered + half[order] + half.max(), "left")
        counts = np.maximum(hi - np.arange(n) - 1, 0)
        total = int(counts.sum())
        if best is None or total < best[0]:
            best = (total, order, counts)
    total, order, counts = best
    a = np.repeat(np.arange(n), counts)
    b = a + 1 + (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))
    i, j = order[a], order[b]
    return np.minimum(i, j), np.maximum(i, j)


# --- style ----------------------------------------------------------------------------------

ROLE_COLOURS = {
    0: "#1A73E8",  # makers: blue
    1: "#E37400",  # intermediaries: orange
    2: "#188038",  # importers: green
}
LISTED_COLOUR = "#C5221F"
TRADE_COLOUR = "#5F6B7A"
PERSON_COLOUR = "#A142F4"  # persons: violet, drawn as a head and shoulders
RELATIONSHIP_STYLES = {
    "ownership": ("#8430CE", "solid"),
    "subsidiary": ("#8430CE", "dash"),
    "supplier": ("#007B83", "dash"),
    "customer": ("#007B83", "dash"),
    "distributor": ("#007B83", "dashdot"),
    "shared address": ("#B06000", "dot"),
    "shared officer": ("#B06000", "dot"),
}
#: Dash patterns in multiples of the line width (Qt and ReportLab take the same lists).
DASHES = {"solid": None, "dash": [5, 3], "dot": [1, 2], "dashdot": [5, 2, 1, 2]}


def trade_width(value_usd: float) -> float:
    """Line width in points: 1 at $1k or less, +1.2 per tenfold, 8 at most."""
    return round(min(8.0, max(1.0, 1.0 + 1.2 * math.log10(max(value_usd, 1.0) / 1e3))), 2)


def node_radius(node: Node) -> float:
    """Node radius in points: 9 without trade, up to 20 for the largest traders."""
    if node.value_usd <= 0:
        return 9.0
    return round(min(20.0, 9.0 + 1.6 * max(0.0, math.log10(node.value_usd / 1e3))), 2)


def style_for(item: Node | Edge) -> dict:
    """How to draw a node or an edge: ``colour`` (stroke), ``fill``, ``width``, ``dash`` (name)
    and ``pattern`` (dash list or None); nodes also ``radius`` and ``badge`` (listed colour)."""
    if isinstance(item, Node) and item.subject == "person":
        return {"colour": "#202124", "fill": PERSON_COLOUR, "width": 1.0, "dash": "solid",
                "pattern": None, "radius": 10.0, "badge": None, "shape": "person"}  # fmt: skip
    if isinstance(item, Node):
        fill = ROLE_COLOURS.get(item.layer, ROLE_COLOURS[1])
        listed = item.listed
        return {
            "colour": LISTED_COLOUR if listed else "#202124",
            "fill": fill,
            "width": 3.0 if listed else 1.0,
            "dash": "solid",
            "pattern": None,
            "radius": node_radius(item),
            "badge": LISTED_COLOUR if listed else None,
        }
    if item.is_trade:
        return {
            "colour": TRADE_COLOUR,
            "fill": None,
            "width": trade_width(item.value_usd),
            "dash": "solid",
            "pattern": None,
            "arrow": True,
        }
    colour, dash = RELATIONSHIP_STYLES.get(item.kind, ("#80868B", "dot"))
    if item.kind in PERSON_KINDS:
        colour, dash = PERSON_COLOUR, "dash"
    return {
        "colour": colour,
        "fill": None,
        "width": 2.0,
        "dash": dash,
        "pattern": DASHES[dash],
        "arrow": item.kind in ("ownership", "subsidiary", "supplier", "customer", "distributor"),
    }


def legend() -> list[tuple[str, dict]]:
    """(text, style) rows of the legend: node colours, listed badge, trade and relationships."""
    rows = [
        ("Maker", {"kind": "node", "fill": ROLE_COLOURS[0]}),
        ("Intermediary", {"kind": "node", "fill": ROLE_COLOURS[1]}),
        ("Importer / end user", {"kind": "node", "fill": ROLE_COLOURS[2]}),
        ("Listed (confirmed hit)", {"kind": "node", "fill": "#FFFFFF", "colour": LISTED_COLOUR}),
        ("Trade: value · shipments", style_for(Edge("a", "b", "trade", 1e6)) | {"kind": "edge"}),
    ]
    for kind in ("ownership", "subsidiary", "supplier", "shared address"):
        label = kind if kind != "supplier" else "supplier / customer"
        rows.append((label.capitalize(), style_for(Edge("a", "b", kind)) | {"kind": "edge"}))
    return rows
