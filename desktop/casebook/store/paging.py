"""Paged, sorted, filtered reads over one table, for table views.

A ``PageSource`` answers two questions a windowed table model asks: how many rows match
(``count``) and which rows sit in a window (``fetch``). It reads through the store's read engine,
so views keep paging while the DB worker writes. Sorting is allowed only by index-backed
expressions (names by their sort key), with the primary key as tie-breaker so that windows never
overlap or skip rows.

Windows are fetched with ``LIMIT/OFFSET``; a window in the second half is fetched in reverse
order from the end, so the cost of any window is bounded by half the matching rows and jumping to
the last page is as cheap as the first. (Keyset paging would only help sequential reads; a
scrollbar jumps.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, FromClause, Select, Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from casebook.core.errors import UsageError


@dataclass(frozen=True)
class PageColumn:
    """One column of a page: its key, the expression shown, and how it sorts (or None).

    ``sort`` is an expression or a tuple of them that must match an index's column order after
    the filter columns (e.g. ``(origin, date)`` for an index on ``case_id, origin, date``), so
    SQLite walks the index instead of sorting.
    """

    key: str
    expr: ColumnElement
    sort: ColumnElement | tuple[ColumnElement, ...] | None = None

    @property
    def sortable(self) -> bool:
        return self.sort is not None

    def sort_exprs(self) -> tuple[ColumnElement, ...]:
        if self.sort is None:
            return ()
        return self.sort if isinstance(self.sort, tuple) else (self.sort,)


@dataclass
class PageSource:
    """A filtered table: ``count()`` matching rows and ``fetch()`` a sorted window of them."""

    engine: Engine
    table: FromClause
    columns: Sequence[PageColumn]
    where: Sequence[ColumnElement] = ()
    #: The table with the joins needed to show the columns (default: the table alone).
    joined: FromClause | None = None
    #: The unique tie-breaker and row key (default: the table's ``id``).
    key: ColumnElement | None = None
    #: The sort used when the caller gives none; it should be index-backed too.
    default_sort: str | None = None
    #: A cheaper query giving the same count (e.g. a sum over rollups), used instead of
    #: counting the matching rows.
    count_query: Select | None = None
    _count: int | None = field(default=None, init=False, repr=False)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def sortable(self) -> list[str]:
        """Keys of the columns that can be sorted (index-backed)."""
        return [c.key for c in self.columns if c.sortable]

    def count(self) -> int:
        """How many rows match the filters (cached until ``invalidate``)."""
        if self._count is None:
            query = self.count_query
            if query is None:
                query = select(func.count()).select_from(self.table).where(*self.where)
            with self.engine.connect() as conn:
                self._count = int(conn.execute(query).scalar_one())
        return self._count

    def invalidate(self) -> None:
        """Forget the cached count (the data changed)."""
        self._count = None

    def fetch(
        self, offset: int, limit: int, sort: str | None = None, descending: bool = False
    ) -> list[tuple]:
        """Rows ``offset`` … ``offset+limit-1`` in order: the ``keys`` values, then the row's key."""
        total = self.count()
        offset, limit = max(0, offset), max(0, min(limit, total - offset))
        if limit == 0:
            return []
        reverse = offset + limit / 2 > total / 2
        if reverse:
            offset, descending = total - offset - limit, not descending
        order = self._order(sort or self.default_sort, descending)
        # Deferred join: find the window's keys on the filtered table alone (an index-only walk
        # past the offset), then join only those rows for display.
        window = (
            select(self._pk())
            .select_from(self.table)
            .where(*self.where)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        )
        query = (
            select(*[c.expr.label(c.key) for c in self.columns], self._pk().label("_key"))
            .select_from(self.joined if self.joined is not None else self.table)
            .where(self._pk().in_(window.scalar_subquery()))
            .order_by(*order)
        )
        with self.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        return rows[::-1] if reverse else rows

    def _pk(self) -> ColumnElement:
        return self.key if self.key is not None else self.table.c.id

    def _order(self, sort: str | None, descending: bool) -> list[ColumnElement]:
        exprs: list[ColumnElement] = []
        if sort is not None:
            column = next((c for c in self.columns if c.key == sort), None)
            if column is None or not column.sortable:
                raise UsageError(f"column {sort!r} cannot be sorted (no index)")
            exprs.extend(column.sort_exprs())
        exprs.append(self._pk())
        return [e.desc() if descending else e.asc() for e in exprs]


def indexed_sorts(table: Table, *, leading: Sequence[str] = ()) -> dict[str, tuple]:
    """For each column an index can sort by after the ``leading`` filter columns, its sort tuple.

    Read from the table's declared indexes, so a changed index changes what views may sort by.
    """
    sorts: dict[str, tuple] = {}
    for index in table.indexes:
        names = [c.name for c in index.columns]
        if names[: len(leading)] != list(leading) or len(names) <= len(leading):
            continue
        rest = tuple(table.c[n] for n in names[len(leading) :])
        sorts.setdefault(rest[0].name, rest)
    return sorts


# --- the case's tables, as the GUI's table views page them ----------------------------------

SHIPMENT_COLUMNS = (
    "date",
    "declaration_no",
    "item_no",
    "exporter",
    "importer",
    "origin",
    "dispatch",
    "destination",
    "hs6",
    "hs_code",
    "description",
    "brand",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
)


def shipment_pages(engine: Engine, *, case_id: int, lens) -> PageSource:
    """The case's shipments in the lens (a ``core.filters.ShipmentFilter``), with their firms'
    names; sortable by the indexed columns."""
    from casebook.store.filters import shipment_condition
    from casebook.store.models import Firm, Shipment, ShipmentRollup

    s = Shipment.__table__
    exporter = aliased(Firm.__table__, name="exporter")
    importer = aliased(Firm.__table__, name="importer")
    joined = s.outerjoin(exporter, exporter.c.id == s.c.exporter_id).outerjoin(
        importer, importer.c.id == s.c.importer_id
    )
    sorts = indexed_sorts(s, leading=("case_id",))
    shown = {"exporter": exporter.c.name, "importer": importer.c.name}
    columns = [PageColumn(k, shown.get(k, s.c.get(k)), sorts.get(k)) for k in SHIPMENT_COLUMNS]
    where = [shipment_condition(lens, case_id=case_id, alias=s.name)]
    # The whole case: its count is the rollups' sum (kept in step by every writer), not a
    # count of a million rows (a third of a second, on the GUI thread, at every opening).
    rolled = ShipmentRollup.__table__
    counted = (
        None
        if lens
        else select(func.coalesce(func.sum(rolled.c.shipments), 0)).where(
            rolled.c.case_id == case_id
        )
    )
    return PageSource(
        engine, s, columns, where=where, joined=joined, default_sort="date", count_query=counted
    )


def firm_pages(
    engine: Engine,
    *,
    case_id: int,
    lens=None,
    countries: Sequence[str] = (),
    name_text: str | None = None,
) -> PageSource:
    """The case's firms with their role (names sort by their sort key): of these countries,
    with ``name_text`` in the name, and under a non-empty lens only the exporters and importers
    of its shipments."""
    from casebook.store.filters import firms_in_lens, like_pattern
    from casebook.store.models import CaseFirm, Firm

    firm, link = Firm.__table__, CaseFirm.__table__
    table = link.join(firm, firm.c.id == link.c.firm_id)
    columns = [
        PageColumn("name", firm.c.name, firm.c.sort_key),
        PageColumn("native_name", firm.c.native_name),
        PageColumn("country", firm.c.country, firm.c.country),
        PageColumn("role", link.c.role),
        PageColumn("uid", firm.c.uid),
    ]
    where = [link.c.case_id == case_id]
    if countries:
        where.append(firm.c.country.in_(countries))
    if name_text:
        where.append(firm.c.name.like(like_pattern(name_text), escape="\\"))
    if lens:
        where.append(firms_in_lens(lens, case_id=case_id, column=f"{firm.name}.id"))
    return PageSource(engine, table, columns, where=where, key=firm.c.id, default_sort="name")
