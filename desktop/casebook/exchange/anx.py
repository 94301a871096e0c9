"""i2 Analyst's Notebook charts (ANX XML) out and in; docs/ANX.md lists what is read and written.

Written: the link chart (``analysis.chart``) as ``<Chart>`` with one ``<ChartItem>`` per firm
(``Label`` = the firm's name exactly, ``<End Y><Entity EntityId Identity>`` with the firm's uid,
an icon type by kind, identifiers, country and native name as attributes, ``XPosition``/``Y``
from the saved layout) and one per link (``<Link End1Id End2Id>`` naming the firms' uids; trade
with value, shipments and first and last date; a recorded relationship with kind, share and
dates). Read: the same shape from any ANX file, refused whole at the first item that does not
fit (the file and the item named).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from casebook.analysis.chart import KIND_TITLES, Chart
from casebook.analysis.network import Edge
from casebook.core.countries import clean_country
from casebook.core.errors import Refused
from casebook.core.identifiers import (
    PERSON_SCHEMES,
    SCHEMES,
    clean_identifier,
    clean_person_identifier,
)
from casebook.core.terminal import terminal_safe
from casebook.exchange.xmlfile import read_untrusted_xml, write_xml

#: ANX units per unit of the chart's square (saved positions are in [0, 1]², about).
SCALE = 1000.0
#: Entity type (icon) by kind: (type name, i2 standard icon file).
ICONS = {
    "manufacturer": ("Manufacturer", "Factory"),
    "intermediary": ("Intermediary", "Office"),
    "importer": ("Importer", "Warehouse"),
    "person": ("Person", "Person"),
}
TRADE_TYPE = "Trade"
# Attribute classes: (name, ANX type).
UID, COUNTRY, NATIVE, KIND = "Casebook uid", "Country", "Native name", "Kind"
VALUE, SHIPMENTS, FIRST, LAST = "Trade value USD", "Shipments", "First shipment", "Last shipment"
RELATION, SHARE, START, END, NOTES = "Relationship", "Share", "Start", "End", "Notes"
BORN, NATIONALITY = "Birth date", "Nationality"
ATTRIBUTE_CLASSES = [
    (UID, "AttText"), (COUNTRY, "AttText"), (NATIVE, "AttText"), (KIND, "AttText"),
    *[(label, "AttText") for label in SCHEMES.values()],
    (VALUE, "AttNumber"), (SHIPMENTS, "AttNumber"), (FIRST, "AttText"), (LAST, "AttText"),
    (RELATION, "AttText"), (SHARE, "AttNumber"), (START, "AttText"), (END, "AttText"),
    (NOTES, "AttText"), (BORN, "AttText"), (NATIONALITY, "AttText"),
    *[(label, "AttText") for label in PERSON_SCHEMES.values() if label not in SCHEMES.values()],
]  # fmt: skip
SCHEME_OF = {label: scheme for scheme, label in SCHEMES.items()} | {s: s for s in SCHEMES}
PERSON_SCHEME_OF = {label: s for s, label in PERSON_SCHEMES.items()} | {
    s: s for s in PERSON_SCHEMES
}
#: Where a person the saved layout does not place goes: this far off their first firm.
PERSON_OFFSET = (0.06, -0.08)
MAX_NAME = 2_000  # characters of an entity's label (the bundle schema's NAME)
MAX_ITEMS = 200_000  # chart items of one file


# --- writing ------------------------------------------------------------------------------------


def to_element(
    chart: Chart, firms: dict[str, dict], positions: dict, persons=(), person_links=()
) -> ET.Element:
    """The ANX document. ``firms``: uid → {identifiers: {scheme: value}, native_name};
    ``positions``: uid → (x, y) in units of the chart's square; ``persons`` and
    ``person_links``: the persons linked to the chart's firms and their links (as
    ``list_persons`` and ``list_person_links`` give them)."""
    root = ET.Element("Chart", IdReferenceLinking="false", Rigorous="true")
    classes = ET.SubElement(root, "AttributeClassCollection")
    for name, kind in ATTRIBUTE_CLASSES:
        ET.SubElement(classes, "AttributeClass", Name=name, Type=kind, ShowValue="false",
                      Visible="true")  # fmt: skip
    types = ET.SubElement(root, "EntityTypeCollection")
    for type_name, icon in ICONS.values():
        ET.SubElement(types, "EntityType", Name=type_name, IconFile=icon)
    link_types = ET.SubElement(root, "LinkTypeCollection")
    kinds = sorted({e.kind for e in chart.model.edges if not e.is_trade}
                   | {k["kind"] for k in person_links})  # fmt: skip
    for name in [TRADE_TYPE, *kinds]:
        ET.SubElement(link_types, "LinkType", Name=name)
    items = ET.SubElement(root, "ChartItemCollection")
    for node in chart.model.nodes:
        _entity_item(items, node, chart.kinds.get(node.uid, "intermediary"),
                     firms.get(node.uid, {}), positions.get(node.uid, (0.5, 0.5)))  # fmt: skip
    for person in persons:
        _person_item(items, person, _person_position(person["uid"], person_links, positions))
    for edge in chart.model.edges:
        _link_item(items, edge)
    for link in person_links:
        _person_link_item(items, link)
    return root


def _person_position(uid: str, links, positions: dict) -> tuple[float, float]:
    """A person's saved place, else beside the first firm they are linked to."""
    if uid in positions:
        return positions[uid]
    for k in links:
        other = (
            k["to_uid"] if k["from_uid"] == uid else k["from_uid"] if k["to_uid"] == uid else None
        )
        if other in positions:
            x, y = positions[other]
            return x + PERSON_OFFSET[0], y + PERSON_OFFSET[1]
    return 0.5, 0.5


def _person_item(items, person: dict, position) -> None:
    x, y = (round(float(v) * SCALE) for v in position)
    item = ET.SubElement(items, "ChartItem", Label=terminal_safe(person["name"]), XPosition=str(x))
    end = ET.SubElement(item, "End", X=str(x), Y=str(y))
    entity = ET.SubElement(end, "Entity", EntityId=person["uid"], Identity=person["uid"])
    ET.SubElement(ET.SubElement(entity, "Icon"), "IconStyle", Type=ICONS["person"][0])
    attributes = [(UID, person["uid"]), (KIND, KIND_TITLES["person"]),
                  (NATIVE, person.get("native_name")), (BORN, person.get("birth_date")),
                  (NATIONALITY, person.get("nationality"))]  # fmt: skip
    attributes += [
        (PERSON_SCHEMES[scheme], value)
        for scheme, value in sorted((person.get("identifiers") or {}).items())
        if scheme in PERSON_SCHEMES
    ]
    _attributes(item, attributes)


def _person_link_item(items, link: dict) -> None:
    item = ET.SubElement(items, "ChartItem", Label=terminal_safe(link.get("label") or link["kind"]))
    if link.get("start"):
        item.set("DateSet", "true")
        item.set("DateTime", f"{link['start'][:10]}T00:00:00")
    ends = ET.SubElement(item, "Link", End1Id=link["from_uid"], End2Id=link["to_uid"])
    ET.SubElement(ends, "LinkStyle", Type=link["kind"], ArrowStyle="ArrowOnHead", Strength="1")
    share = None if link.get("share") is None else _number(link["share"])
    _attributes(item, [(UID, link["uid"]), (RELATION, link["kind"]), (SHARE, share),
                       (START, link.get("start")), (END, link.get("end")),
                       (NOTES, link.get("notes"))])  # fmt: skip


def _entity_item(items, node, kind: str, facts: dict, position) -> None:
    x, y = (round(float(v) * SCALE) for v in position)
    # The name as `firms list` prints it: no control characters (XML 1.0 cannot hold them).
    item = ET.SubElement(items, "ChartItem", Label=terminal_safe(node.name), XPosition=str(x))
    end = ET.SubElement(item, "End", X=str(x), Y=str(y))
    entity = ET.SubElement(end, "Entity", EntityId=node.uid, Identity=node.uid)
    icon = ET.SubElement(entity, "Icon")
    ET.SubElement(icon, "IconStyle", Type=ICONS[kind][0])
    attributes = [(UID, node.uid), (KIND, KIND_TITLES[kind]), (COUNTRY, node.country),
                  (NATIVE, node.native_name or facts.get("native_name"))]  # fmt: skip
    attributes += [
        (SCHEMES[scheme], value)
        for scheme, value in sorted(facts.get("identifiers", {}).items())
        if scheme in SCHEMES
    ]
    _attributes(item, attributes)


def _link_item(items, edge: Edge) -> None:
    item = ET.SubElement(items, "ChartItem", Label=terminal_safe(edge.label or edge.kind))
    if edge.first:
        item.set("DateSet", "true")
        item.set("DateTime", f"{edge.first[:10]}T00:00:00")
    link = ET.SubElement(item, "Link", End1Id=edge.source, End2Id=edge.target)
    if edge.is_trade:
        arrow = "ArrowOnBoth" if edge.both_ways else "ArrowOnHead"
        ET.SubElement(link, "LinkStyle", Type=TRADE_TYPE, ArrowStyle=arrow, Strength="1")
        _attributes(item, [(VALUE, _number(edge.value_usd)), (SHIPMENTS, str(edge.count)),
                           (FIRST, edge.first), (LAST, edge.last)])  # fmt: skip
        return
    ET.SubElement(link, "LinkStyle", Type=edge.kind, ArrowStyle="ArrowOnHead", Strength="1")
    share = None if edge.share is None else _number(edge.share)
    _attributes(item, [(UID, edge.uid), (RELATION, edge.kind), (SHARE, share),
                       (START, edge.first), (END, edge.last)])  # fmt: skip


def _number(value: float) -> str:
    return repr(round(float(value), 2))


def _attributes(item: ET.Element, pairs) -> None:
    pairs = [(name, terminal_safe(value)) for name, value in pairs if value not in (None, "")]
    if pairs:
        collection = ET.SubElement(item, "AttributeCollection")
        for name, value in pairs:
            ET.SubElement(collection, "Attribute", AttributeClass=name, Value=value)


def write_anx(
    chart: Chart, firms: dict[str, dict], positions: dict, out: Path, persons=(), person_links=()
) -> dict:
    """Write the chart to ``out`` atomically; ``{out, format, records, nodes, edges, persons,
    person_links, sha256}``."""
    persons, person_links = list(persons), list(person_links)
    root = to_element(chart, firms, positions, persons, person_links)
    digest = write_xml(root, out, prefix=".anx-")
    return {
        "out": str(out),
        "format": "anx",
        "records": len(chart.model.nodes)
        + len(chart.model.edges)
        + len(persons)
        + len(person_links),
        "nodes": len(chart.model.nodes),
        "edges": len(chart.model.edges),
        "persons": len(persons),
        "person_links": len(person_links),
        "hidden": chart.hidden.to_json(),
        "sha256": digest,
    }


# --- reading ------------------------------------------------------------------------------------


@dataclass
class AnxEntity:
    key: str  # the Identity (else EntityId) links name it by
    name: str
    country: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    x: float | None = None
    y: float | None = None
    ids: tuple[str, ...] = ()  # every id a link may use for it (EntityId and Identity)
    kind: str = "firm"  # "person" for a Person icon or kind
    native_name: str | None = None
    birth_date: str | None = None  # persons: as written, validated by the import
    nationality: str | None = None
    where: str = ""  # the chart item, for messages


@dataclass
class AnxLink:
    end1: str
    end2: str
    kind: str
    trade: bool = False
    share: str | None = None
    start: str | None = None
    end: str | None = None
    notes: str = ""
    where: str = ""


@dataclass
class AnxChart:
    entities: list[AnxEntity]
    links: list[AnxLink]


def read_anx(path: Path) -> AnxChart:
    """The chart's entities and links, every link's ends resolved to an entity; Refused naming
    the file and the chart item at the first that does not fit."""
    path = Path(path)
    root = read_untrusted_xml(path)
    if _local(root.tag) != "Chart":
        raise Refused(f"{path.name} is not an ANX chart: its root is <{_local(root.tag)[:40]}>, "
                      "not <Chart>")  # fmt: skip
    items = [el for el in root.iter() if _local(el.tag) == "ChartItem"]
    if len(items) > MAX_ITEMS:
        raise Refused(f"{path.name} is refused: more than {MAX_ITEMS:,} chart items")
    entities: list[AnxEntity] = []
    by_id: dict[str, AnxEntity] = {}
    links: list[tuple[ET.Element, str]] = []
    for n, item in enumerate(items, start=1):
        where = f"{path.name}: ChartItem {n}"
        if (label := item.get("Label")) is not None:
            where += f" ({label[:60]!r})"
        entity = _child(item, "Entity")
        if entity is not None:
            found = _entity(item, entity, where)
            for key in found.ids:
                if key in by_id and by_id[key] is not found:
                    raise Refused(f"{where}: entity id {key[:80]!r} is used twice")
                by_id[key] = found
            entities.append(found)
        elif _child(item, "Link") is not None:
            links.append((item, where))
    return AnxChart(entities, [_link(item, where, by_id) for item, where in links])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((el for el in element.iter() if _local(el.tag) == name), None)


def _attribute_values(item: ET.Element) -> dict[str, str]:
    out = {}
    for el in item.iter():
        if _local(el.tag) == "Attribute" and el.get("AttributeClass"):
            out.setdefault(el.get("AttributeClass"), el.get("Value") or (el.text or "").strip())
    return out


def _entity(item: ET.Element, entity: ET.Element, where: str) -> AnxEntity:
    ids = tuple(dict.fromkeys(v for v in (entity.get("Identity"), entity.get("EntityId")) if v))
    if not ids:
        raise Refused(f"{where}: the entity has neither an EntityId nor an Identity")
    name = (item.get("Label") or entity.get("Identity") or "").strip()
    if not name:
        raise Refused(f"{where}: the entity has no name (an empty Label)")
    if len(name) > MAX_NAME:
        raise Refused(f"{where}: the name is longer than {MAX_NAME} characters")
    values = _attribute_values(item)
    found = AnxEntity(key=ids[0], name=name, ids=ids, where=where)
    icon = _child(entity, "IconStyle")
    if (icon is not None and icon.get("Type") == ICONS["person"][0]) or (
        values.get(KIND) == KIND_TITLES["person"]
    ):
        found.kind = "person"
    found.native_name = (values.get(NATIVE) or "").strip()[:MAX_NAME] or None
    if found.kind == "person":
        found.birth_date = values.get(BORN) or None
        found.nationality = values.get(NATIONALITY) or values.get(COUNTRY) or None
        found.identifiers = _identifiers(values, PERSON_SCHEME_OF, clean_person_identifier, where)
        found.x, found.y = _position(item, where)
        return found
    if values.get(COUNTRY):
        found.country = clean_country(values[COUNTRY])
        if found.country is None:
            raise Refused(f"{where}: Country {values[COUNTRY][:40]!r} is not a country")
    found.identifiers = _identifiers(values, SCHEME_OF, clean_identifier, where)
    found.x, found.y = _position(item, where)
    return found


def _identifiers(values: dict, schemes: dict, clean, where: str) -> dict[str, str]:
    """The identifier attributes (by label or scheme key), each validated; Refused at a bad one."""
    out = {}
    for label, value in values.items():
        scheme = schemes.get(label)
        if scheme and value:
            found = clean(scheme, value)
            if found is None:
                raise Refused(f"{where}: {label} {value[:40]!r} is not a valid identifier")
            out[scheme] = found
    return out


def _position(item: ET.Element, where: str) -> tuple[float | None, float | None]:
    end = _child(item, "End")
    x = item.get("XPosition") or (end.get("X") if end is not None else None)
    y = end.get("Y") if end is not None else None
    if x is None or y is None:
        return None, None
    try:
        x, y = float(x), float(y)
    except ValueError:
        raise Refused(
            f"{where}: its position ({x[:20]!r}, {y[:20]!r}) is not two numbers"
        ) from None
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 1e6 * SCALE:
        raise Refused(f"{where}: its position is out of range")
    return x / SCALE, y / SCALE


def _link(item: ET.Element, where: str, by_id: dict[str, AnxEntity]) -> AnxLink:
    link = _child(item, "Link")
    ends = []
    for name in ("End1Id", "End2Id"):
        ref = link.get(name)
        if not ref:
            raise Refused(f"{where}: the link has no {name}")
        if ref not in by_id:
            raise Refused(f"{where}: {name} {ref[:80]!r} names no entity of the chart")
        ends.append(by_id[ref].key)
    values = _attribute_values(item)
    style = _child(link, "LinkStyle")
    kind = values.get(RELATION) or (style.get("Type") if style is not None else None) or ""
    trade = kind == TRADE_TYPE or VALUE in values
    label = (item.get("Label") or "").strip()
    if not kind:
        kind = label or "other"
    return AnxLink(ends[0], ends[1], kind.strip(), trade=trade, share=values.get(SHARE) or None,
                   start=values.get(START) or None, end=values.get(END) or None,
                   notes=values.get(NOTES, ""), where=where)  # fmt: skip
