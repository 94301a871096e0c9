"""Flags of a whole case come from the rollups (issue 18) and say what the rows say: the same
firms, scores, reasons, counts, values and cited shipments as the same rules over the rows."""

from __future__ import annotations

import random

import pytest

from casebook.analysis import flags
from casebook.book.cases import find_case
from casebook.core.filters import ShipmentFilter
from casebook.store import redflags

REF = "CB-ROLLFLAGS"
NAMES = [
    ("Jinan Machine Tool Co", "CN"),
    ("Dalian Precision Works", "CN"),
    ("Osaka Seiki KK", "JP"),
    ("Stuttgart Werkzeug GmbH", "DE"),
    ("Global Trading Ltd", "AE"),
    ("ООО Станкоинвест", "RU"),
    ("АО Уралмаш", "RU"),
    ("ТД Промснаб", "RU"),
]
CODES = ["8457101000", "8458110000", "8466103800", "8207300000", "8459610000", "846610"]
TEXTS = ["CNC LATHE FANUC 0i-TF", "VERTICAL MACHINING CENTRE", "СТАНОК SIEMENS 828D", "GSK 980"]


def _row(rng: random.Random, firms: list, month: str) -> dict:
    origin = rng.choice(["CN", "CN", "CN", "JP", "DE", None])
    dispatch = origin if rng.random() < 0.7 else rng.choice(["TR", "KZ", "CN", "FR"])
    weight = rng.choice([None, round(rng.uniform(50, 500), 1)])
    return {
        "exporter": rng.choice(firms[:5] + [None]),
        "importer": rng.choice(firms[4:] + [None]),
        "date": rng.choice([None, f"{month}-{rng.randint(1, 28):02d}"])
        if rng.random() < 0.1
        else f"{month}-{rng.randint(1, 28):02d}",
        "origin": origin,
        "dispatch": dispatch,
        "hs_code": rng.choice(CODES),
        "description": rng.choice(TEXTS),
        "net_weight": weight,
        "value_usd": rng.choice([None, round(rng.lognormvariate(8, 0.4), 2)]),
    }


@pytest.fixture
def case(factory, book):
    """Three datasets over 2021-2023 with every kind of flag, the controller groups stored."""
    rng = random.Random(5)
    factory.case(REF)
    firms = [factory.firm(name, country) for name, country in NAMES]
    late = factory.firm("Shenzhen Newco Co", "CN")  # first seen after the invasion
    months = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
    for part in range(3):
        rows = [_row(rng, firms, rng.choice(months)) for _ in range(250)]
        if part == 1:  # a firm born in 2022 that grows fast, jumps and drives a country jump
            rows += [
                {**_row(rng, [late] * 9, m), "origin": "JP", "value_usd": v, "exporter": late}
                for m, v in zip(
                    months[16:24], [500, 600, 500, 400, 600, 90_000, 120_000, 800], strict=True
                )
            ]
        if part == 2:  # priced far above and below the HS6 median
            rows += [
                {
                    **_row(rng, firms, "2023-05"),
                    "hs_code": "8457101000",
                    "net_weight": 1.0,
                    "value_usd": v,
                }
                for v in (900_000.0, 0.5)
            ]
        factory.shipments(REF, rows)
    with book._write() as session:
        flags.store_row_tests(session, case_id=find_case(session, REF).id)
    return factory


def _all_datasets(book) -> ShipmentFilter:
    """A lens that keeps every shipment of the case, so flags read the rows."""
    return ShipmentFilter(datasets=tuple(d["uid"] for d in book.list_datasets(case_ref=REF)))


def test_whole_case_flags_equal_the_flags_from_the_rows(book, case):
    stored = book.flags(case_ref=REF)
    rows = book.flags(case_ref=REF, lens=_all_datasets(book))
    fired = {f["rule"] for firm in stored["firms"] for f in firm["flags"]}
    assert fired == {r.id for r in flags.RULES}, "the case must trip every rule"
    assert stored["firms"] == rows["firms"]


def test_whole_case_flags_read_no_shipment_rows_for_codes_routes_and_controllers(book, case):
    """The code, route and controller flags of a whole case come from the rollups."""
    with book._read() as session:
        case_id = find_case(session, REF).id
        ctx = flags.Context(session, case_id, flags.RULES, None)
        tests = {rid: t for rid, (t, _d) in ctx.row_tests.items() if rid != "unit_value"}
        stored = flags._stored(session, case_id, set(tests))
        assert set(stored) == {"foreign_controller"}
        seen: list[str] = []
        real = redflags._run

        def spy(session, sql, params):
            seen.append(sql)
            return real(session, sql, params)

        redflags._run = spy
        try:
            found = redflags.flagged_firms(session, case_id=case_id, tests=tests, stored=stored)
        finally:
            redflags._run = real
    assert all(found.values())
    assert seen and not any("FROM shipment" in sql for sql in seen)


def test_cited_shipments_are_the_firms_first_flagged_rows(book, case):
    """A flag cites shipments of that firm: at least one, at most 20 and no more than it counts."""
    result = book.flags(case_ref=REF)
    shipments = {s["uid"]: s for s in book.shipments(case_ref=REF, limit=10_000)["rows"]}
    for firm in result["firms"]:
        for flag in firm["flags"]:
            cited = flag["shipments"]
            assert 0 < len(cited) <= min(flags.SAMPLE, flag["shipment_count"])
            for ref in cited:
                row = shipments[f"{ref['dataset']}:{ref['row']}"]
                assert firm["uid"] in (row["exporter_uid"], row["importer_uid"])
