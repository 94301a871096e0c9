"""Facade section: ``shipments`` — one page of a case's shipments under the lens, with totals
over every matching row; and the check every lensed view makes of a lens's firms and datasets."""

from __future__ import annotations

from collections.abc import Mapping

from casebook.book.cases import find_case
from casebook.core.errors import NotFound, UsageError
from casebook.core.filters import EVERYTHING, PARSE_NAMES, ShipmentFilter
from casebook.store import shipments as db
from casebook.store.filters import unknown_uids

DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000
SORTS = tuple(db.PAGE_SORTS)


def check_lens(session, lens: ShipmentFilter | None, *, case_id: int) -> ShipmentFilter:
    """The lens (empty for None); NotFound naming the first firm or dataset uid that does not
    exist (a dataset of another case does not exist in this one)."""
    missing = unknown_uids(session, lens, case_id=case_id)
    if "firm" in missing:
        raise NotFound(f"no firm {missing['firm'][0]!r}")
    if "dataset" in missing:
        raise NotFound(f"no dataset {missing['dataset'][0]!r} in this case")
    return lens or EVERYTHING


def lens_from(lens: ShipmentFilter | None, filters: Mapping | None) -> ShipmentFilter:
    """The lens with a view's own ``filters`` (``PARSE_NAMES``) over it."""
    given = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    unknown = sorted(set(given) - set(PARSE_NAMES))
    if unknown:
        raise UsageError(f"unknown shipment filter {unknown[0]!r}; use {', '.join(PARSE_NAMES)}")
    for key, value in given.items():  # name the view's key of a bad value
        try:
            ShipmentFilter.parse(**{key: value})
        except UsageError as e:
            raise UsageError(f"{key}: {e.message}") from None
    return (lens or EVERYTHING).merged(ShipmentFilter.parse(**given))


class ShipmentsSection:
    """``shipments``: the lens's rows, a page at a time."""

    def shipments(
        self,
        *,
        case_ref: str,
        lens: ShipmentFilter | None = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        sort: str = "date",
    ) -> dict:
        """``{total, value_usd, limit, offset, rows}``: ``total`` and ``value_usd`` cover every
        shipment in the lens, ``rows`` the page (``store.shipments.PAGE_COLUMNS``)."""
        if sort not in SORTS:
            raise UsageError(f"unknown sort {sort!r}; use {', '.join(SORTS)}")
        if not 1 <= int(limit) <= MAX_LIMIT:
            raise UsageError(f"--limit must be 1 to {MAX_LIMIT:,}")
        if int(offset) < 0:
            raise UsageError("--offset must be 0 or more")
        with self._read() as session:
            case = find_case(session, case_ref)
            lens = check_lens(session, lens, case_id=case.id)
            total, value = db.lens_totals(session, case_id=case.id, lens=lens)
            rows = db.shipment_page(
                session, case_id=case.id, lens=lens, limit=int(limit), offset=int(offset), sort=sort
            )
        return {
            "total": total,
            "value_usd": None if value is None else round(value, 2),
            "limit": int(limit),
            "offset": int(offset),
            "rows": rows,
        }
