"""GraphML export of a case's network (for Gephi, yEd, networkx): standard namespace, one node
per firm (id = firm uid), one directed edge per exporter → importer pair with value and count,
and the relationships as edges with their type; persons linked to those firms are nodes too
(``kind`` person, with birth date and nationality as ``country``), their links edges. Written
with the standard library."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from casebook.analysis.network import NetworkModel
from casebook.core.files import output_path
from casebook.exchange.xmlfile import write_xml

NS = "http://graphml.graphdrawing.org/xmlns"
SCHEMA = (
    "http://graphml.graphdrawing.org/xmlns/http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
)
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# (id, for, attr.name, attr.type)
NODE_KEYS = [
    ("kind", "string"),  # firm | person
    ("birth_date", "string"),
    ("name", "string"),
    ("native_name", "string"),
    ("country", "string"),
    ("role", "string"),
    ("listed", "boolean"),
    ("score", "double"),
    ("shipments", "int"),
    ("value_usd", "double"),
]
EDGE_KEYS = [
    ("kind", "string"),
    ("value_usd", "double"),
    ("count", "int"),
    ("label", "string"),
    ("first", "string"),
    ("last", "string"),
]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def to_element(
    model: NetworkModel, persons: Sequence[dict] = (), links: Sequence[dict] = ()
) -> ET.Element:
    """The GraphML document as an element tree."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    for scope, keys, prefix in (("node", NODE_KEYS, "n_"), ("edge", EDGE_KEYS, "e_")):
        for name, kind in keys:
            key = ET.SubElement(root, f"{{{NS}}}key")
            key.set("id", prefix + name)
            key.set("for", scope)
            key.set("attr.name", name)
            key.set("attr.type", kind)
    graph = ET.SubElement(root, f"{{{NS}}}graph")
    graph.set("id", model.case_ref or "case")
    graph.set("edgedefault", "directed")
    for node in model.nodes:
        el = ET.SubElement(graph, f"{{{NS}}}node")
        el.set("id", node.uid)
        _data(el, "n_kind", "firm")
        for name, _kind in NODE_KEYS[2:]:
            _data(el, "n_" + name, getattr(node, name))
    for person in persons:
        el = ET.SubElement(graph, f"{{{NS}}}node")
        el.set("id", person["uid"])
        values = {"kind": "person", "country": person["nationality"]}
        for name, _kind in NODE_KEYS:
            _data(el, "n_" + name, values.get(name, person.get(name)))
    for i, edge in enumerate(model.edges, start=1):
        el = ET.SubElement(graph, f"{{{NS}}}edge")
        el.set("id", edge.uid or f"t{i}")
        el.set("source", edge.source)
        el.set("target", edge.target)
        for name, _kind in EDGE_KEYS:
            value = getattr(edge, name)
            if name in ("value_usd", "count") and not edge.is_trade:
                continue
            _data(el, "e_" + name, value)
    for link in links:
        el = ET.SubElement(graph, f"{{{NS}}}edge")
        el.set("id", link["uid"])
        el.set("source", link["from_uid"])
        el.set("target", link["to_uid"])
        values = {"first": link["start"], "last": link["end"]}
        for name in ("kind", "label", "first", "last"):
            _data(el, "e_" + name, values.get(name, link.get(name)))
    return root


def _data(parent: ET.Element, key: str, value) -> None:
    text = _text(value)
    if text is None or text == "":
        return
    el = ET.SubElement(parent, f"{{{NS}}}data")
    el.set("key", key)
    el.text = text


def write_graphml(
    model: NetworkModel,
    out: Path,
    *,
    force: bool = False,
    persons: Sequence[dict] = (),
    links: Sequence[dict] = (),
) -> dict:
    """Write the model (and ``persons`` with their ``links``, in the ``person list`` and ``rel
    list`` shapes) to ``out`` atomically; ``{out, format, records, sha256}``."""
    out = output_path(out, force=force)
    digest = write_xml(to_element(model, persons, links), out, prefix=".graphml-")
    return {
        "out": str(out),
        "format": "graphml",
        "records": len(model.nodes) + len(model.edges) + len(persons) + len(links),
        "nodes": len(model.nodes) + len(persons),
        "edges": len(model.edges) + len(links),
        "sha256": digest,
    }
