"""Factories for analysis tests: cases, firms, datasets, shipments and trade flows, by SQL.

They do not go through the importer, so analysis tests stand on their own.
"""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from casebook.store import models as m
from casebook.store import rollups
from casebook.store.engine import raw_connection

SHIPMENT_FIELDS = (
    "date origin dispatch destination hs_code description brand manufacturer "
    "quantity unit net_weight value currency value_usd"
).split()


class Factory:
    """Builds test data in an open ``Casebook``."""

    def __init__(self, book):
        self.book = book
        self._rows = itertools.count(1)

    def case(self, ref: str = "CB-T-1") -> str:
        self.book.create_case(title=f"Case {ref}", ref=ref)
        return ref

    def firm(self, name: str, country: str | None = None) -> m.Firm:
        with self.book._write() as session:
            firm = m.Firm(name=name, country=country, sort_key=name.casefold())
            session.add(firm)
            session.flush()
            return firm

    def dataset(self, case_ref: str, *, kind: str = "shipments") -> m.Dataset:
        with self.book._write() as session:
            case = session.exec(select(m.Case).where(m.Case.ref == case_ref)).one()
            n = next(self._rows)
            ds = m.Dataset(case_id=case.id, kind=kind, file_name=f"t{n}.csv", sha256=f"{n:064x}")
            session.add(ds)
            session.flush()
            return ds

    def shipments(self, case_ref: str, rows: list[dict], *, dataset: m.Dataset | None = None):
        """Insert shipments (``exporter``/``importer`` as Firm objects); returns their ids."""
        ds = dataset or self.dataset(case_ref)
        values = [self._shipment(ds, row) for row in rows]
        columns = ["dataset_id", "case_id", "source_row", "row_key", "exporter_id", "importer_id"]
        columns += ["hs6"]
        columns += SHIPMENT_FIELDS
        sql = (
            f"INSERT INTO shipment ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        with self.book._write() as session:
            conn = raw_connection(session)
            first = conn.execute("SELECT coalesce(max(id), 0) FROM shipment").fetchone()[0]
            conn.executemany(sql, values)
            rollups.build_dataset(session, dataset_id=ds.id)  # as an import does
        return list(range(first + 1, first + 1 + len(values)))

    def _shipment(self, ds: m.Dataset, row: dict) -> tuple:
        unknown = set(row) - set(SHIPMENT_FIELDS) - {"exporter", "importer"}
        assert not unknown, f"unknown shipment fields {unknown}"
        code = row.get("hs_code")
        ids = [getattr(row.get(k), "id", None) for k in ("exporter", "importer")]
        hs6 = code[:6] if code and len(code) >= 6 else None
        defaults = {"destination": "RU"}
        fields = [row.get(f, defaults.get(f)) for f in SHIPMENT_FIELDS]
        row_no = next(self._rows)
        return (ds.id, ds.case_id, row_no, f"{ds.id}-{row_no}", *ids, hs6, *fields)

    def trade(self, case_ref: str, rows: list[dict]) -> None:
        """Insert trade flows (reporter, partner, flow, product, period, value, currency)."""
        ds = self.dataset(case_ref, kind="trade")
        cols = ["reporter", "partner", "flow", "product", "period", "value", "currency"]
        with self.book._write() as session:
            for row in rows:
                session.add(
                    m.TradeFlow(
                        dataset_id=ds.id,
                        case_id=ds.case_id,
                        source_row=next(self._rows),
                        product_level=len(row.get("product") or ""),
                        **{c: row.get(c) for c in cols},
                    )
                )


@pytest.fixture
def factory(book) -> Factory:
    return Factory(book)
