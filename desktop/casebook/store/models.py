"""The domain model of DESIGN.md as SQLModel tables (one SQLite file).

Records that travel in a case bundle carry a ``uid`` (UUID hex) besides their integer key;
shipments are identified by their dataset's uid and source row. Lists, dicts and sets are JSON
columns. Timestamps are timezone-aware UTC; dates of shipments are ISO ``YYYY-MM-DD`` text so
that ``substr(date, 1, 7)`` is the month without a function call per row.

Names to use in bulk SQL (they differ from some early requests): ``dataset.file_name``,
``dataset.imported``, ``shipment.net_weight`` (kg), ``firm.merged_into``, ``firm.created``,
``firmmerge.created`` / ``actor`` / ``undone``. One ``casefirm`` row per (case, firm); import sets
role "supplier" for exporters and "importer" for importers when the row is new and never
overwrites a role the analyst chose. Merges: ``shipment.exporter_orig_id`` / ``importer_orig_id``
keep the firm resolved at import and never change; a merge repoints ``exporter_id`` /
``importer_id``; a split restores them from the orig ids (so ``firmmerge.moved`` need not list
shipment ids, only aliases, identifiers and case links).
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig


class _Table(SQLModel):
    """The base of the tables: pydantic builds a table's validator and serializer when one is
    first used (``model_dump``), not when the class is defined. Rows are not validated at
    construction either way (SQLModel sets a table's fields as given). Every command that opens
    a store defines these tables, so their cost is part of its start: deferring the build saves
    about a tenth of its CPU time, and writing this module without ``from __future__ import
    annotations`` a further twentieth (SQLAlchemy and pydantic would evaluate each field's
    annotation string)."""

    model_config = SQLModelConfig(defer_build=True)


def new_uid() -> str:
    """A fresh UUID as 32 hex digits."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def _json(default: Any = None) -> Any:
    factory = (lambda: type(default)()) if default is not None else None
    if factory is None:
        return Field(default=None, sa_column=Column(JSON, nullable=True))
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


class Case(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    ref: str = Field(unique=True, index=True)
    title: str
    summary: str = ""
    status: str = "open"
    priority: str = "medium"
    marking: str = "TLP:AMBER"
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


class Firm(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    name: str
    native_name: str | None = None
    country: str | None = Field(default=None, index=True)
    address: str | None = None
    name_key: str | None = Field(default=None, index=True)
    sort_key: str = Field(default="", index=True)
    merged_into: int | None = Field(default=None, foreign_key="firm.id", index=True)
    created: datetime = Field(default_factory=utcnow)


class FirmAlias(_Table, table=True):
    """Every spelling of a firm ever seen; ``name_key`` drives resolution and screening."""

    __table_args__ = (UniqueConstraint("firm_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    name: str
    name_key: str | None = Field(default=None, index=True)
    country: str | None = None


class FirmIdentifier(_Table, table=True):
    """A validated identifier (``ru_inn``, ``ru_ogrn``, ``cn_uscc``, ``lei`` …) of a firm."""

    __table_args__ = (
        UniqueConstraint("firm_id", "scheme", "value"),
        Index("ix_firmidentifier_scheme_value", "scheme", "value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    scheme: str
    value: str


class CaseFirm(_Table, table=True):
    """A firm's role in a case and the case's own notes on it."""

    __table_args__ = (UniqueConstraint("case_id", "firm_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    role: str | None = None
    notes: str = ""


class FirmMerge(_Table, table=True):
    """A recorded merge of ``other`` into ``keep``; ``undone`` is set by a split."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    keep_id: int = Field(foreign_key="firm.id", index=True)
    other_id: int = Field(foreign_key="firm.id", index=True)
    moved: dict = _json({})
    created: datetime = Field(default_factory=utcnow)
    actor: str = ""
    undone: datetime | None = None


class MergeSuggestion(_Table, table=True):
    __table_args__ = (UniqueConstraint("firm_a_id", "firm_b_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    dataset_id: int | None = Field(default=None, foreign_key="dataset.id")
    firm_a_id: int = Field(foreign_key="firm.id", index=True)
    firm_b_id: int = Field(foreign_key="firm.id", index=True)
    score: float = 0.0
    reason: str = ""
    status: str = "open"  # open | accepted | dismissed
    created: datetime = Field(default_factory=utcnow)


class Dataset(_Table, table=True):
    """One imported file within one case."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = "shipments"  # shipments | trade
    file_name: str
    sha256: str = Field(index=True)
    encoding: str | None = None
    sheet: str | None = None
    preset: str | None = None
    mapping: dict = _json({})
    row_count: int = 0
    content_hash: str = ""
    imported: datetime = Field(default_factory=utcnow)
    imported_by: str = ""


class Shipment(_Table, table=True):
    __table_args__ = (
        Index("ix_shipment_case_date", "case_id", "date"),
        Index("ix_shipment_case_origin", "case_id", "origin"),
        Index("ix_shipment_case_dispatch", "case_id", "dispatch"),
        Index("ix_shipment_case_hs6", "case_id", "hs6"),
        Index("ix_shipment_dataset_row", "dataset_id", "source_row"),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id")
    case_id: int = Field(foreign_key="case.id")
    source_row: int
    # Duplicate key within a case, stored only when made from the row's content (no item
    # number); empty when declaration + item make it (``store.shipments.existing_row_keys``).
    row_key: str = ""
    declaration_no: str | None = None
    item_no: str | None = None
    date: str | None = None
    direction: str | None = None  # import | export
    exporter_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    importer_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    exporter_orig_id: int | None = Field(default=None, foreign_key="firm.id")
    importer_orig_id: int | None = Field(default=None, foreign_key="firm.id")
    origin: str | None = None
    dispatch: str | None = None
    destination: str | None = None
    hs_code: str | None = None
    hs6: str | None = None
    description: str | None = None
    brand: str | None = None
    manufacturer: str | None = None
    #: The description's row in ``shipmenttext`` (what the search index covers); derived, so
    #: neither bundles nor the content hash carry it.
    text_id: int | None = Field(default=None, index=True)
    quantity: float | None = None
    unit: str | None = None
    net_weight: float | None = None
    value: float | None = None
    currency: str | None = None
    value_usd: float | None = None


class ShipmentText(_Table, table=True):
    """One distinct shipment description: customs texts repeat heavily, so the search index
    covers each once (``store.search``) and shipments point here by ``text_id``.

    On a PostgreSQL server each case has its own texts (``case_id``, under the case tables'
    row-level security; the trigram index is over these texts) and ``text`` is not unique there
    (migration 0015); in an SQLite file the cases share them and ``case_id`` stays NULL."""

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(unique=True)
    case_id: int | None = None


class _Totals(_Table):
    """The measures of a group of shipments, summed at import so charts need not read rows."""

    shipments: int = 0
    value_usd: float | None = None  # sum; None when no row of the group has a USD value
    valued: int = 0  # rows with a USD value
    weight: float | None = None  # sum of net_weight (kg)
    weighed: int = 0  # rows with a net weight
    first_date: str | None = None
    min_id: int | None = None  # the group's lowest and highest shipment ids (sample rows)
    max_id: int | None = None


class ShipmentRollup(_Totals, table=True):
    """Shipments of one dataset summed by month, countries and code (``store.rollups``)."""

    __table_args__ = (Index("ix_shipmentrollup_case_month", "case_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    month: str | None = None  # substr(date, 1, 7)
    origin: str | None = None
    dispatch: str | None = None
    destination: str | None = None
    hs6: str | None = None
    hs_head: str | None = None  # substr(hs_code, 1, 6): HS prefixes up to 6 digits filter here


class PartyRollup(_Totals, table=True):
    """Shipments of one dataset summed by month, exporter and importer (``store.rollups``)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id")
    month: str | None = None
    exporter_id: int | None = Field(default=None, foreign_key="firm.id")
    importer_id: int | None = Field(default=None, foreign_key="firm.id")


def server_index(name: str, *columns: str) -> Index:
    """An index only a PostgreSQL store has (``info["only"]`` names the dialect; the migrations
    make it there alone)."""
    return Index(name, *columns, info={"only": "postgresql"}).ddl_if(dialect="postgresql")


class TradeRollup(_Table, table=True):
    """Shipments of one dataset summed by firm pair, code and route (``store.rollups``): the
    red flags over codes and countries read these groups, not every row.

    They keep only what the flags read: the count, the USD value and the lowest shipment id
    (a sample row). A file that pairs its firms at random has as many groups as rows, so each
    measure or index costs about as much as a column of the shipments. A SQLite store reads a
    case's groups with a scan (a store holds one or a few cases) and has no index on them,
    as for ``partyrollup``; a team server, holding many cases, has one by case and one by
    dataset (migration 0014)."""

    __table_args__ = (
        server_index("ix_traderollup_case_id", "case_id"),
        server_index("ix_traderollup_dataset_id", "dataset_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id")
    exporter_id: int | None = Field(default=None, foreign_key="firm.id")
    importer_id: int | None = Field(default=None, foreign_key="firm.id")
    hs6: str | None = None
    cn8: str | None = None  # substr(hs_code, 1, 8)
    origin: str | None = None
    dispatch: str | None = None
    shipments: int = 0
    value_usd: float | None = None  # sum; None when no row of the group has a USD value
    min_id: int | None = None  # the group's lowest shipment id (a sample row)


class FirmRollup(_Table, table=True):
    """Shipments of one dataset summed by firm and its side (``exporter`` or ``importer``)
    (``store.rollups``): the Firms list and the Network's node sizes of a whole case read these
    few thousand rows, where the firm groups by month and pair may be as many as the shipments."""

    __table_args__ = (Index("ix_firmrollup_case_id", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    role: str  # exporter | importer
    shipments: int = 0
    value_usd: float | None = None  # sum; None when no shipment of the group has a USD value


class UnitValueRollup(_Table, table=True):
    """Priced shipments of one dataset counted by HS6 and log bin of USD per kg
    (``store.rollups``): the medians behind the unit-value red flag, without sorting every row."""

    __table_args__ = (Index("ix_unitvaluerollup_case_id", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    hs6: str
    bin: int
    shipments: int = 0


class RowTestRollup(_Table, table=True):
    """Totals of one row test (a red flag over descriptions) per dataset, detail and firm pair.

    The row whose ``detail`` is None marks the dataset as tested with this ``version`` (of the
    test and its reference data); a dataset without it is tested on its rows again.
    """

    __table_args__ = (Index("ix_rowtestrollup_case_test", "case_id", "test"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    test: str
    version: str
    detail: str | None = None
    exporter_id: int | None = None
    importer_id: int | None = None
    shipments: int = 0
    value_usd: float | None = None
    min_id: int | None = None  # the group's lowest shipment id (a sample row)


class TradeFlow(_Table, table=True):
    """Aggregate trade statistics (Eurostat, UN Comtrade)."""

    __table_args__ = (Index("ix_tradeflow_case_period", "case_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    case_id: int = Field(foreign_key="case.id")
    source_row: int = 0
    reporter: str | None = None
    partner: str | None = None
    flow: str | None = None  # import | export
    product: str | None = None
    product_level: int | None = None
    period: str | None = None  # YYYY-MM or YYYY
    value: float | None = None
    currency: str | None = None


class Relationship(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    from_firm_id: int = Field(foreign_key="firm.id", index=True)
    to_firm_id: int = Field(foreign_key="firm.id", index=True)
    kind: str
    share: float | None = None
    start: str | None = None
    end: str | None = None
    notes: str = ""
    created: datetime = Field(default_factory=utcnow)


class Evidence(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    number: int = 0  # E1, E2 … within the case
    title: str
    kind: str = "document"
    publisher: str | None = None
    url: str | None = None
    captured: datetime | None = None
    sha256: str = Field(index=True)
    original_name: str | None = None
    size: int = 0
    mime: str | None = None
    reliability: str | None = None  # A–F
    credibility: str | None = None  # 1–6
    excerpt: str = ""
    notes: str = ""
    text: str = ""
    added: datetime = Field(default_factory=utcnow)
    added_by: str = ""


class EvidenceLink(_Table, table=True):
    """Evidence supports a case, firm, shipment, relationship or finding."""

    __table_args__ = (UniqueConstraint("evidence_id", "target_kind", "target_id"),)
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    target_kind: str
    target_id: int
    note: str = ""


class Finding(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    position: int = 0
    text: str
    likelihood: str | None = None
    confidence: str | None = None
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


class SanctionsList(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    format: str


class ListVersion(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    list_id: int = Field(foreign_key="sanctionslist.id", index=True)
    number: int = 1
    published: str | None = None
    loaded: datetime = Field(default_factory=utcnow)
    sha256: str = ""
    file_name: str = ""
    entities: int = 0
    names: int = 0


class ListedEntity(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="listversion.id", index=True)
    source_id: str = Field(index=True)
    kind: str = "entity"  # entity | individual | vessel | aircraft | other
    name: str
    aliases: list = _json([])
    weak_aliases: list = _json([])
    identifiers: dict = _json({})
    countries: list = _json([])
    addresses: list = _json([])
    programmes: list = _json([])
    listed_on: str | None = None
    remarks: str | None = None
    sublist: str | None = None
    screenable: bool = True
    content_hash: str = ""
    birth_dates: list = _json([])  # individuals: EDTF-like strings (ingest.lists.birth)


class ScreeningHit(_Table, table=True):
    """A firm's or a person's match with a listed entry (exactly one of ``firm_id`` and
    ``person_id`` is set; ``firm_name`` holds the subject's name that matched)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    entity_id: int = Field(foreign_key="listedentity.id", index=True)
    score: float
    firm_name: str
    matched_name: str
    reasons: list = _json([])
    status: str = "unreviewed"  # unreviewed | confirmed | dismissed
    note: str = ""
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    created: datetime = Field(default_factory=utcnow)


class AuditEvent(_Table, table=True):
    """One change, chained to the previous event by its hash."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    ts: str  # ISO 8601 UTC with microseconds, exactly as hashed
    actor: str
    action: str
    target_kind: str
    target_uid: str | None = None
    case_id: int | None = Field(default=None, index=True)
    before: dict | None = _json()
    after: dict | None = _json()
    prev_hash: str
    hash: str = Field(unique=True)


class CaseSetting(_Table, table=True):
    """A per-case view setting (network positions, chosen filters), JSON valued."""

    __table_args__ = (UniqueConstraint("case_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    key: str
    value: dict = _json({})


class ChartPosition(_Table, table=True):
    """Where the analyst put a subject (a firm; later a person) on the case's link chart: x and
    y in units of the chart's square (``analysis.network.layout_network``), whether it is
    pinned, and the group box it sits in (a name, or None)."""

    __table_args__ = (UniqueConstraint("case_id", "subject_kind", "subject_uid"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    subject_kind: str = "firm"
    subject_uid: str
    x: float
    y: float
    pinned: bool = False
    group_name: str | None = None


class Figure(_Table, table=True):
    """A key figure the analyst pinned to a case's briefing: a measure of the shipments a
    filter selects (``filters``: the filter's JSON, ``ShipmentFilter.to_json``), recomputed
    whenever it is shown."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    position: int = 0
    label: str
    measure: str = "value"  # value | count | share
    filters: dict = _json({})
    created: datetime = Field(default_factory=utcnow)


class Person(_Table, table=True):
    """A person of a case: director, owner, associate … (``PersonLink`` ties them to firms)."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    name: str
    native_name: str | None = None
    aliases: list = _json([])
    birth_date: str | None = None  # YYYY-MM-DD or YYYY
    nationality: str | None = None  # ISO 3166-1 alpha-2
    identifiers: dict = _json({})  # scheme -> value (ru_inn: 12 digits, passport, …)
    notes: str = ""
    name_key: str | None = Field(default=None, index=True)
    sort_key: str = ""
    merged_into: int | None = Field(default=None, foreign_key="person.id", index=True)
    created: datetime = Field(default_factory=utcnow)


class PersonLink(_Table, table=True):
    """A relationship with a person at one end or both: director, shareholder (``share`` %),
    beneficial owner … of a firm; associate or family of another person. Each end is a firm or
    a person; ``*_orig_id`` keep the person given when it was made, so a split restores it."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    from_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    from_firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    to_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    to_firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    from_person_orig_id: int | None = None
    to_person_orig_id: int | None = None
    kind: str
    share: float | None = None
    start: str | None = None
    end: str | None = None
    notes: str = ""
    created: datetime = Field(default_factory=utcnow)


class PersonMerge(_Table, table=True):
    """A recorded merge of person ``other`` into ``keep``; ``undone`` is set by a split."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    keep_id: int = Field(foreign_key="person.id", index=True)
    other_id: int = Field(foreign_key="person.id", index=True)
    moved: dict = _json({})
    created: datetime = Field(default_factory=utcnow)
    actor: str = ""
    undone: datetime | None = None
