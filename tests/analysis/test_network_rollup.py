"""The whole case's trade edges read from the firm groups (``store.rollups``) are the edges the
rows give: values, shipment counts, first and last dates of every pair (issue 18)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from sqlmodel import select

from casebook.core.filters import ShipmentFilter
from casebook.store import models as m
from casebook.store import network as db
from casebook.store.engine import raw_connection


@pytest.fixture
def case(factory, book):
    ref = factory.case("CB-NET-ROLL")
    firms = [factory.firm(f"Firm {i}", "CN") for i in range(6)]
    rng = random.Random(7)
    datasets = []
    for _ in range(2):
        rows = []
        for _ in range(300):
            day = rng.choice(
                [None, *(f"2022-{mo:02d}-{d:02d}" for mo in range(1, 13) for d in (1, 9, 28))]
            )
            rows.append(
                {
                    "exporter": rng.choice([None, *firms]),
                    "importer": rng.choice([None, *firms]),
                    "date": day,
                    "value_usd": rng.choice([None, 0.5, 125.25, 10_000.0, 3.75]),
                    "hs_code": rng.choice(["845811", "85371090"]),
                }
            )
        factory.shipments(ref, rows, dataset=(ds := factory.dataset(ref)))
        datasets.append((ds.uid, rows))
    with book._read() as session:
        case_id = session.exec(select(m.Case.id).where(m.Case.ref == ref)).one()
    return {"id": case_id, "datasets": datasets}


def expected(rows: list[dict], min_value: float = 0.0) -> list[tuple]:
    """The edges worked out here in Python from the rows the fixture inserted."""
    pairs = defaultdict(list)
    for row in rows:
        if row["exporter"] and row["importer"]:
            pairs[(row["exporter"].id, row["importer"].id)].append(row)
    edges = []
    for (a, b), group in sorted(pairs.items()):
        value = sum(r["value_usd"] or 0 for r in group)
        dates = [r["date"] for r in group if r["date"]]
        if value >= min_value:
            edges.append(
                (a, b, value, len(group), min(dates, default=None), max(dates, default=None))
            )
    return edges


def rounded(edges) -> list[tuple]:
    return [(a, b, round(float(v), 6), int(n), first, last) for a, b, v, n, first, last in edges]


@pytest.mark.parametrize("min_value", [0.0, 20_000.0])
def test_rollup_edges_equal_the_rows(book, case, min_value):
    rows = [row for _, group in case["datasets"] for row in group]
    every_dataset = ShipmentFilter.parse(dataset=[uid for uid, _ in case["datasets"]])
    with book._read() as session:
        whole = db.trade_edges(session, case_id=case["id"], lens=None, min_value=min_value)
        from_rows = db.trade_edges(
            session, case_id=case["id"], lens=every_dataset, min_value=min_value
        )
    assert len(whole) > 20
    assert rounded(whole) == rounded(from_rows) == rounded(expected(rows, min_value))


def test_a_lens_reads_the_rows(book, case):
    uid, rows = case["datasets"][0]
    lens = ShipmentFilter.parse(dataset=[uid])
    with book._read() as session:
        assert rounded(db.trade_edges(session, case_id=case["id"], lens=lens)) == rounded(
            expected(rows)
        )


def test_the_whole_case_reads_the_groups_when_pairs_end_in_few_months(book, case, monkeypatch):
    """The groups answer (a change to them shows); when the months pairs end in hold too many
    rows, the rows answer."""
    with book._write() as session:
        raw_connection(session).execute(
            "UPDATE partyrollup SET value_usd = value_usd * 2 WHERE case_id = ?", (case["id"],)
        )
    rows = [row for _, group in case["datasets"] for row in group]
    doubled = [(a, b, v * 2, n, f, la) for a, b, v, n, f, la in expected(rows)]
    with book._read() as session:
        assert rounded(db.trade_edges(session, case_id=case["id"], lens=None)) == rounded(doubled)
    monkeypatch.setattr(db, "ROLLUP_END_SHARE", 0.0)
    with book._read() as session:
        assert rounded(db.trade_edges(session, case_id=case["id"], lens=None)) == rounded(
            expected(rows)
        )
