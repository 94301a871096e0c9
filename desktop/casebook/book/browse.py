"""Facade section: paged, sorted, filtered views of a case's tables for the GUI's table models."""

from __future__ import annotations

from casebook.book.cases import find_case
from casebook.book.shipments import check_lens, lens_from
from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter, clean_countries
from casebook.store import paging
from casebook.store.paging import PageSource

FIRM_FILTERS = ("country", "text")


class BrowseSection:
    """Page sources for table views: count and fetch windows through the read engine."""

    def _lensed_case(self, case_ref: str, lens: ShipmentFilter | None) -> int:
        """The case's id, once the lens's firms and datasets are known to exist."""
        with self._read() as session:
            case_id = find_case(session, case_ref).id
            check_lens(session, lens, case_id=case_id)
        return case_id

    def shipment_page_source(
        self,
        case_ref: str,
        *,
        lens: ShipmentFilter | None = None,
        filters: dict | None = None,
    ) -> PageSource:
        """The case's shipments in the lens (with a view's own ``filters`` over it, keys as
        ``ShipmentFilter.parse``'s); sortable by indexed columns."""
        lens = lens_from(lens, filters)
        case_id = self._lensed_case(case_ref, lens)
        return paging.shipment_pages(self.store.read_engine, case_id=case_id, lens=lens)

    def firm_page_source(
        self, case_ref: str, *, lens: ShipmentFilter | None = None, filters: dict | None = None
    ) -> PageSource:
        """The case's firms with their role; names sort by their sort key. ``filters``:
        ``country`` (two-letter codes) and ``text`` (in the name). Under a non-empty lens,
        only the firms that are exporter or importer of a shipment in it."""
        given = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
        unknown = sorted(set(given) - set(FIRM_FILTERS))
        if unknown:
            raise UsageError(f"unknown firm filter {unknown[0]!r}; use {', '.join(FIRM_FILTERS)}")
        case_id = self._lensed_case(case_ref, lens)
        return paging.firm_pages(
            self.store.read_engine,
            case_id=case_id,
            lens=lens,
            countries=clean_countries(given.get("country"), "country"),
            name_text=str(given["text"]) if "text" in given else None,
        )
