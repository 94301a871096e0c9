"""One lens, every view: for random filter combinations over a generated case, ``shipments``,
``stats`` (rows and rollups), the network, the timeline and red flags agree with pandas over
the same stored rows, filtered by an independent reading of the filter's meaning (dates as
calendar days, codes as prefixes, text in four columns ignoring case in Cyrillic too)."""

from __future__ import annotations

import math
import random
import sqlite3

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casebook.book import Casebook
from casebook.core.filters import ShipmentFilter

REF = "CB-LENS-1"
HEADER = (
    "Declaration No,Brand,Date,Exporter,Importer,Importer INN,Country of Origin,Country of Dispatch,Destination,"
    "HS Code,Value USD,Net Weight,Description"
)
DAYS = ["2021-12-31", "2022-01-01", "2022-01-17", "2022-02-15", "2022-02-28", "2022-06-30"]
DAYS += ["2022-07-01", "2023-03-09", "2023-03-31", "2023-12-31"]
CODES = ["8458110000", "845811", "8457", "8466938000", "8207300000", "8456"]
DESCRIPTIONS = [
    "Станок токарный с ЧПУ FANUC",
    "СТАНОК ФРЕЗЕРНЫЙ SIEMENS 828D",
    "станок шлифовальный",
    "CNC LATHE Fanuc 0i-TF",
    "milling machine",
    "Ёлочный станок 100%_off",
    "",
]
EXPORTERS = ["Acme Machine Co", "Beta Tools", "Shenzhen Gamma Precision", "Harbin Delta"]
IMPORTERS = [("ООО Ромашка", "7707083893"), ("Лютик АО", "7736050003"), ("Delta LLC", "")]
COUNTRIES = ["CN", "JP", "TR", "KZ", ""]


BRANDS = ["FANUC", "Siemens", "", "", "Хайдэнхайн"]


def _csv(rng: random.Random, rows: int, part: int) -> str:
    lines = [HEADER]
    for n in range(rows):
        importer, inn = rng.choice(IMPORTERS)
        value = rng.choice(["", f"{rng.uniform(1, 5000):.2f}", f"{rng.uniform(1, 5000):.2f}"])
        weight = rng.choice(["", f"{rng.uniform(1, 90):.1f}"])
        origin, dispatch = rng.choice(COUNTRIES), rng.choice(COUNTRIES)
        destination = rng.choice(["RU", "RU", "BY", ""])
        lines.append(
            f"Dcl/{part}/{n:04d},{rng.choice(BRANDS)},{rng.choice(DAYS)},{rng.choice(EXPORTERS)},{importer},{inn},{origin},{dispatch},"
            f"{destination},{rng.choice(CODES)},{value},{weight},{rng.choice(DESCRIPTIONS)}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A case of three imported files (a few hundred shipments), and its rows as pandas reads
    them from the store's file, every row, unfiltered."""
    folder = tmp_path_factory.mktemp("lens")
    rng = random.Random(16)
    with Casebook.open(folder / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Lens", ref=REF)
        written = 0
        for n, rows in enumerate((150, 120, 90)):
            path = folder / f"part{n}.csv"
            path.write_text(_csv(rng, rows, n), encoding="utf-8")
            written += book.import_file(path, case_ref=REF)["rows_imported"]
        with sqlite3.connect(f"file:{book.path}?mode=ro", uri=True) as conn:
            frame = pd.read_sql_query(
                "SELECT s.date, s.hs_code, s.origin, s.dispatch, s.destination, s.description, "
                "s.brand, s.manufacturer, s.declaration_no, s.value_usd, s.source_row, d.uid AS dataset, e.uid AS exporter, "
                "i.uid AS importer FROM shipment s JOIN dataset d ON d.id = s.dataset_id "
                "LEFT JOIN firm e ON e.id = s.exporter_id LEFT JOIN firm i ON i.id = s.importer_id",
                conn,
            )
        assert len(frame) == written > 300
        assert frame["brand"].notna().any() and frame["declaration_no"].notna().all()
        firms = sorted(f["uid"] for f in book.list_firms(case_ref=REF))
        datasets = sorted(d["uid"] for d in book.list_datasets(case_ref=REF))
        yield book, frame, firms, datasets


# --- the oracle: the filter's meaning, read independently of store.filters ------------------


def _first_day(bound: str) -> pd.Timestamp:
    return pd.Period(bound).start_time


def _last_day(bound: str) -> pd.Timestamp:
    return pd.Period(bound).end_time.normalize()


def _contains(series: pd.Series, needle: str) -> pd.Series:
    folded = needle.casefold()
    return series.map(lambda v: isinstance(v, str) and folded in v.casefold())


def expected(frame: pd.DataFrame, lens: ShipmentFilter) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    days = pd.to_datetime(frame["date"], errors="coerce")
    if lens.date_from:
        keep &= days >= _first_day(lens.date_from)
    if lens.date_to:
        keep &= days <= _last_day(lens.date_to)
    if lens.hs:
        keep &= frame["hs_code"].map(
            lambda code: isinstance(code, str) and code.startswith(lens.hs)
        )
    for name in ("origin", "dispatch", "destination"):
        if getattr(lens, name):
            keep &= frame[name].fillna("XX").isin(getattr(lens, name))
    if lens.firms:
        keep &= frame["exporter"].isin(lens.firms) | frame["importer"].isin(lens.firms)
    if lens.datasets:
        keep &= frame["dataset"].isin(lens.datasets)
    if lens.text:
        columns = ("description", "brand", "manufacturer", "declaration_no")
        keep &= pd.concat([_contains(frame[c], lens.text) for c in columns], axis=1).any(axis=1)
    if lens.min_value is not None:
        keep &= frame["value_usd"] >= lens.min_value
    return frame[keep]


def _sum(values: pd.Series) -> float | None:
    """SQL's sum: None when no value is known."""
    known = values.dropna()
    return float(known.sum()) if len(known) else None


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.02)


# --- random filters ----------------------------------------------------------------------------

BOUNDS = [None, "2021", "2022", "2022-01", "2022-02-15", "2022-02-28", "2022-06", "2023-03-31"]


@st.composite
def lenses(draw, firms: list[str], datasets: list[str]) -> ShipmentFilter:
    def some(options):
        return draw(st.lists(st.sampled_from(options), max_size=2, unique=True))

    date_from, date_to = draw(st.sampled_from(BOUNDS)), draw(st.sampled_from(BOUNDS))
    assume(not (date_from and date_to and _first_day(date_from) > _last_day(date_to)))
    return ShipmentFilter.parse(
        date_from=date_from,
        date_to=date_to,
        hs=some(["84", "8458", "845811", "84581100", "8207", "8466938000"]),
        origin=some(["CN", "JP", "XX", "DE"]),
        dispatch=some(["CN", "TR", "KZ", "XX"]),
        destination=some(["RU", "BY", "XX"]) if draw(st.booleans()) else (),
        firm=some(firms) if draw(st.integers(0, 3)) == 0 else (),
        dataset=some(datasets) if draw(st.booleans()) else (),
        text=draw(
            st.sampled_from(
                [None, "станок", "СТАНОК", "fanuc", "ЁЛОЧ", "100%_", "lathe", "DCL/1/00", "хайд"]
            )
        ),
        min_value=draw(st.sampled_from([None, 0, 100, 2500.5])),
    )


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _lens_strategy(case):
    _book, _frame, firms, datasets = case
    return lenses(firms, datasets)


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_shipments_and_stats_count_the_lens(case, data):
    book, frame, _firms, _datasets = case
    lens = data.draw(_lens_strategy(case))
    want = expected(frame, lens)

    page = book.shipments(case_ref=REF, lens=lens, limit=5)
    assert page["total"] == len(want)
    assert _close(page["value_usd"], _sum(want["value_usd"]))
    assert len(page["rows"]) == min(5, len(want))
    listed = {(r["uid"].rsplit(":", 1)[0], int(r["uid"].rsplit(":", 1)[1])) for r in page["rows"]}
    assert listed <= set(zip(want["dataset"], want["source_row"], strict=True))

    by_month = book.stats(case_ref=REF, lens=lens, by="month", compare=False)["rows"]
    month = want["date"].str[:7]
    assert {r["month"]: r["shipments"] for r in by_month} == month.value_counts().to_dict()
    for row in by_month:
        assert _close(row["value_usd"], _sum(want["value_usd"][month == row["month"]]))
    assert sum(r["shipments"] for r in by_month) == len(want)

    by_origin = book.stats(case_ref=REF, lens=lens, by="origin")["rows"]
    origin = want["origin"].fillna("XX")
    assert {r["origin"]: r["shipments"] for r in by_origin} == origin.value_counts().to_dict()
    for row in by_origin:
        assert _close(row["value_usd"], _sum(want["value_usd"][origin == row["origin"]]))


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_every_flagged_shipment_lies_inside_the_lens(case, data):
    book, frame, _firms, _datasets = case
    lens = data.draw(_lens_strategy(case))
    want = expected(frame, lens)
    inside = set(zip(want["dataset"], want["source_row"], strict=True))
    for firm in book.flags(case_ref=REF, lens=lens)["firms"]:
        for flag in firm["flags"]:
            assert flag["shipment_count"] <= len(inside)
            for cited in flag["shipments"]:
                assert (cited["dataset"], cited["row"]) in inside, (lens, flag["rule"])


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_network_edges_sum_the_lens(case, data):
    book, frame, _firms, _datasets = case
    lens = data.draw(_lens_strategy(case))
    want = expected(frame, lens)
    traded = want[want["exporter"].notna() & want["importer"].notna()]
    model = book.network(case_ref=REF, lens=lens, scores=False)
    edges = [e for e in model.edges if e.kind == "trade"]
    assert sum(e.count for e in edges) == len(traded)
    assert _close(sum(e.value_usd for e in edges), float(traded["value_usd"].fillna(0).sum()))


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_timeline_sums_the_lens(case, data):
    book, frame, _firms, _datasets = case
    lens = data.draw(_lens_strategy(case))
    want = expected(frame, lens)
    want = want[want["date"].notna()]
    values = want["value_usd"].fillna(0)
    # Each shipment counts in its exporter's lane and in its importer's.
    total = float(values[want["exporter"].notna()].sum() + values[want["importer"].notna()].sum())
    lanes = book.timeline(case_ref=REF, lens=lens)["lanes"]
    cells = [cell for lane in lanes for cell in lane["months"].values()]
    drift = 0.01 * len(cells)  # each cell's value is rounded to cents as it adds up
    assert math.isclose(sum(c["value_usd"] for c in cells), total, abs_tol=0.02 + drift)
