"""Facade section: paged, sorted, filtered views of a case's tables for the GUI's table models."""

from __future__ import annotations

from sqlalchemy.orm import aliased

from casebook.book.cases import find_case
from casebook.book.shipments import check_lens, lens_from
from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter, clean_countries
from casebook.store import models as m
from casebook.store.filters import firms_in_lens, like_pattern, shipment_condition
from casebook.store.paging import PageColumn, PageSource, indexed_sorts

FIRM_FILTERS = ("country", "text")
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


def _shipment_columns() -> tuple[list[PageColumn], object]:
    s = m.Shipment.__table__
    exporter = aliased(m.Firm.__table__, name="exporter")
    importer = aliased(m.Firm.__table__, name="importer")
    joined = s.outerjoin(exporter, exporter.c.id == s.c.exporter_id).outerjoin(
        importer, importer.c.id == s.c.importer_id
    )
    c = s.c
    sorts = indexed_sorts(s, leading=("case_id",))
    shown = {"exporter": exporter.c.name, "importer": importer.c.name}
    columns = [PageColumn(k, shown.get(k, c.get(k)), sorts.get(k)) for k in SHIPMENT_COLUMNS]
    return columns, joined


class BrowseSection:
    """Page sources for table views: count and fetch windows through the read engine."""

    def shipment_page_source(
        self,
        case_ref: str,
        *,
        lens: ShipmentFilter | None = None,
        filters: dict | None = None,
    ) -> PageSource:
        """The case's shipments in the lens (with a view's own ``filters`` over it, keys as
        ``ShipmentFilter.parse``'s); sortable by indexed columns."""
        columns, joined = _shipment_columns()
        table = m.Shipment.__table__
        lens = lens_from(lens, filters)
        with self._read() as session:
            case_id = find_case(session, case_ref).id
            check_lens(session, lens, case_id=case_id)
        where = [shipment_condition(lens, case_id=case_id, alias=table.name)]
        return PageSource(
            self.store.read_engine, table, columns, where=where, joined=joined, default_sort="date"
        )

    def firm_page_source(
        self, case_ref: str, *, lens: ShipmentFilter | None = None, filters: dict | None = None
    ) -> PageSource:
        """The case's firms with their role; names sort by their sort key. ``filters``:
        ``country`` (a two-letter code) and ``text`` (in the name). Under a non-empty lens,
        only the firms that are exporter or importer of a shipment in it."""
        firm, link = m.Firm.__table__, m.CaseFirm.__table__
        table = link.join(firm, firm.c.id == link.c.firm_id)
        columns = [
            PageColumn("name", firm.c.name, firm.c.sort_key),
            PageColumn("native_name", firm.c.native_name),
            PageColumn("country", firm.c.country, firm.c.country),
            PageColumn("role", link.c.role),
            PageColumn("uid", firm.c.uid),
        ]
        given = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
        unknown = sorted(set(given) - set(FIRM_FILTERS))
        if unknown:
            raise UsageError(f"unknown firm filter {unknown[0]!r}; use {', '.join(FIRM_FILTERS)}")
        with self._read() as session:
            case_id = find_case(session, case_ref).id
            check_lens(session, lens, case_id=case_id)
        where = [link.c.case_id == case_id]
        if "country" in given:
            where.append(firm.c.country.in_(clean_countries(str(given["country"]), "country")))
        if "text" in given:
            where.append(firm.c.name.like(like_pattern(str(given["text"])), escape="\\"))
        if lens:
            where.append(firms_in_lens(lens, case_id=case_id, column="firm.id"))
        return PageSource(
            self.store.read_engine, table, columns, where=where, key=firm.c.id, default_sort="name"
        )
