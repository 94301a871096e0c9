"""Facade section: paged, sorted, filtered views of a case's tables for the GUI's table models."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import aliased

from casebook.book.cases import find_case
from casebook.core.errors import UsageError
from casebook.store import models as m
from casebook.store.paging import PageColumn, PageSource, indexed_sorts

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Sorts after any date text that starts with the bound ("2023-12" covers "2023-12-31").
_DATE_END = "\x7f"
SHIPMENT_FILTERS = ("origin", "dispatch", "destination", "hs", "date_from", "date_to", "text")
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


def _country(value: object, what: str) -> str:
    code = str(value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise UsageError(f"{what} must be a two-letter country code, not {value!r}")
    return code


def _date(value: object, what: str) -> str:
    text = str(value or "").strip()
    if not _DATE_RE.match(text):
        raise UsageError(f"{what} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return text


def _like(text: object) -> str:
    escaped = str(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _shipment_where(filters: dict) -> list[ColumnElement]:
    c = m.Shipment.__table__.c
    where: list[ColumnElement] = []
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name in ("origin", "dispatch", "destination"):
            where.append(c[name] == _country(value, name))
        elif name == "hs":
            digits = re.sub(r"\D", "", str(value))
            if not digits:
                raise UsageError(f"hs must be digits, not {value!r}")
            where.append(c.hs6.startswith(digits[:6]))
        elif name == "date_from":
            where.append(c.date >= _date(value, name))
        elif name == "date_to":
            where.append(c.date <= _date(value, name) + _DATE_END)
        elif name == "text":
            pattern = _like(value)
            where.append(
                or_(
                    *(
                        c[col].like(pattern, escape="\\")
                        for col in ("description", "brand", "manufacturer", "declaration_no")
                    )
                )
            )
        else:
            raise UsageError(f"unknown shipment filter {name!r}; use {', '.join(SHIPMENT_FILTERS)}")
    return where


class BrowseSection:
    """Page sources for table views: count and fetch windows through the read engine."""

    def _case_id(self, case_ref: str) -> int:
        with self._read() as session:
            return find_case(session, case_ref).id

    def shipment_page_source(self, case_ref: str, *, filters: dict | None = None) -> PageSource:
        """The case's shipments, filtered by ``SHIPMENT_FILTERS``; sortable by indexed columns."""
        columns, joined = _shipment_columns()
        table = m.Shipment.__table__
        where = [table.c.case_id == self._case_id(case_ref), *_shipment_where(filters or {})]
        return PageSource(
            self.store.read_engine, table, columns, where=where, joined=joined, default_sort="date"
        )

    def firm_page_source(self, case_ref: str, *, filters: dict | None = None) -> PageSource:
        """The case's firms with their role; names sort by their sort key."""
        firm, link = m.Firm.__table__, m.CaseFirm.__table__
        table = link.join(firm, firm.c.id == link.c.firm_id)
        columns = [
            PageColumn("name", firm.c.name, firm.c.sort_key),
            PageColumn("native_name", firm.c.native_name),
            PageColumn("country", firm.c.country, firm.c.country),
            PageColumn("role", link.c.role),
            PageColumn("uid", firm.c.uid),
        ]
        where = [link.c.case_id == self._case_id(case_ref)]
        for name, value in (filters or {}).items():
            if value in (None, ""):
                continue
            if name == "country":
                where.append(firm.c.country == _country(value, name))
            elif name == "text":
                where.append(firm.c.name.like(_like(value), escape="\\"))
            else:
                raise UsageError(f"unknown firm filter {name!r}; use {', '.join(FIRM_FILTERS)}")
        return PageSource(
            self.store.read_engine, table, columns, where=where, key=firm.c.id, default_sort="name"
        )
