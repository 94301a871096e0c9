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

from sqlalchemy import ColumnElement, FromClause, Table, func, select
from sqlalchemy.engine import Engine

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
