"""The plain data a briefing is drawn from; the facade (``book.briefing``) assembles it."""

from __future__ import annotations

from dataclasses import dataclass, field

SECTIONS = (
    "bluf",
    "trade",
    "network",
    "firms",
    "people",
    "shipments",
    "screening",
    "evidence",
    "appendix",
    "provenance",
)


@dataclass
class BriefingData:
    """Everything printed, already read from the store (no database access while drawing)."""

    case_ref: str
    title: str
    summary: str
    marking: str  # TLP label
    marking_colour: str
    marking_meaning: str
    date: str
    author: str
    head_hash: str
    illustrative: bool = False
    sections: tuple[str, ...] = SECTIONS
    findings: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    charts: list = field(default_factory=list)  # analysis.charts.ChartTable
    figures: list[dict] = field(default_factory=list)  # {label, value, filters}
    shares: list[tuple] = field(default_factory=list)  # (country, origin $, %, dispatch $, %)
    firms: list[dict] = field(default_factory=list)
    #: {name, native_name, birth_date, nationality, roles: [text], listings: [text]}
    people: list[dict] = field(default_factory=list)
    top_shipments: list[dict] = field(default_factory=list)
    shipments: list[dict] = field(default_factory=list)  # the appendix's: the largest
    #: (``store.shipment_table.largest_shipments``), each with its ``number`` in the table
    table: dict | None = None  # the full shipment table beside the PDF: {rows, sha256}
    hits: list[dict] = field(default_factory=list)
    dismissed: int = 0
    unreviewed: int = 0
    datasets: list[dict] = field(default_factory=list)
    network: object | None = None  # analysis.network.NetworkModel
    positions: dict = field(default_factory=dict)
    network_note: str = ""
    network_hidden: str = ""  # the links the page leaves out, in a sentence
    totals: dict = field(default_factory=dict)  # {shipments: the case's count}
    scores: dict = field(default_factory=dict)  # firm uid → red-flag score
    lens: object = None  # core.filters.ShipmentFilter: the shipments every figure counts
    filtered: str = ""  # the lens in words ("" for the whole case), printed on the cover
