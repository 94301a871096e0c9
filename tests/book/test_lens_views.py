"""The facade's lensed views of the demo case: table pages, the Firms view, charts and every
method's refusal of a firm or dataset that does not exist."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.conftest import is_server

from casebook.book import Casebook
from casebook.book.demo import DEMO_REF
from casebook.core.errors import NotFound, UsageError
from casebook.core.filters import ShipmentFilter

KZ = ShipmentFilter.parse(dispatch="KZ")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    with Casebook.open(tmp_path_factory.mktemp("lens") / "c.db", user="t", create=True) as book:
        book.build_demo()
        yield book


def _build_demo(location) -> None:
    with Casebook.open(location, user="t", create=True) as book:
        book.build_demo()


@pytest.fixture
def demo(request, db_path, store_templates):
    """The demo case: on SQLite one store per module; on PostgreSQL the test's own database,
    copied from a server template built once."""
    if not is_server(db_path):
        yield request.getfixturevalue("demo_file")
        return
    store_templates.copy("lens-demo", db_path, _build_demo)
    with Casebook.open(db_path, user="t") as book:
        yield book


def test_the_shipment_table_pages_the_lens_and_a_view_filter_narrows_it(demo):
    everything = demo.shipments(case_ref=DEMO_REF, lens=KZ, limit=100_000)
    source = demo.shipment_page_source(DEMO_REF, lens=KZ)
    assert source.count() == everything["total"] > 0
    narrowed = demo.shipment_page_source(DEMO_REF, lens=KZ, filters={"origin": "JP"})
    japanese = [r for r in everything["rows"] if r["origin"] == "JP"]
    assert narrowed.count() == len(japanese) > 0


def test_the_firms_view_lists_the_parties_of_the_lens(demo):
    rows = demo.shipments(case_ref=DEMO_REF, lens=KZ, limit=100_000)["rows"]
    parties = {r["exporter_uid"] for r in rows} | {r["importer_uid"] for r in rows}
    source = demo.firm_page_source(DEMO_REF, lens=KZ)
    listed = {row[source.keys.index("uid")] for row in source.fetch(0, 1000)}
    assert listed == parties - {None}
    every = demo.firm_page_source(DEMO_REF)
    assert every.count() > len(listed)


def test_a_view_filter_with_a_bad_value_names_its_key(demo):
    with pytest.raises(UsageError, match="date_to"):
        demo.shipment_page_source(DEMO_REF, filters={"date_to": "2022-1x"})


def test_the_controllers_chart_follows_the_lens(demo):
    whole = demo.chart("foreign_controllers", case_ref=DEMO_REF)
    later = demo.chart(
        "foreign_controllers", case_ref=DEMO_REF, lens=ShipmentFilter.parse(date_from="2023-07")
    )
    count = whole.columns.index("shipments")
    assert 0 < sum(r[count] for r in later.rows) < sum(r[count] for r in whole.rows)


def test_the_timeline_and_network_of_a_lens_count_only_its_shipments(demo):
    """On PostgreSQL the lensed firm totals failed (a subquery in FROM without a name)."""
    rows = demo.shipments(case_ref=DEMO_REF, lens=KZ, limit=100_000)["rows"]
    months = {row["date"][:7] for row in rows if row["date"]}
    timeline = demo.timeline(case_ref=DEMO_REF, lens=KZ)
    lanes = [lane for lane in timeline["lanes"] if lane["months"]]
    assert lanes and {m for lane in lanes for m in lane["months"]} <= months
    counted = Counter(row["exporter_uid"] for row in rows)
    counted.update(row["importer_uid"] for row in rows)
    shown = {n.uid: n.shipments for n in demo.network(case_ref=DEMO_REF, lens=KZ).nodes}
    shown = {uid: n for uid, n in shown.items() if n}
    assert shown and shown == {uid: counted[uid] for uid in shown}


def test_flags_say_which_filter_they_count(demo):
    assert "filters" not in demo.flags(case_ref=DEMO_REF)
    assert demo.flags(case_ref=DEMO_REF, lens=KZ)["filters"] == {"dispatch": ["KZ"]}


UNKNOWN = ShipmentFilter.parse(firm="nosuchfirm")


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.shipments(case_ref=DEMO_REF, lens=UNKNOWN),
        lambda b: b.shipment_page_source(DEMO_REF, lens=UNKNOWN),
        lambda b: b.firm_page_source(DEMO_REF, lens=UNKNOWN),
        lambda b: b.stats(case_ref=DEMO_REF, lens=UNKNOWN),
        lambda b: b.chart("origin_vs_dispatch", case_ref=DEMO_REF, lens=UNKNOWN),
        lambda b: b.flags(case_ref=DEMO_REF, lens=UNKNOWN),
        lambda b: b.briefing_data(case_ref=DEMO_REF, lens=UNKNOWN),
    ],
    ids=["shipments", "page", "firms", "stats", "chart", "flags", "brief"],
)
def test_an_unknown_firm_is_not_found_by_its_uid(demo, call):
    with pytest.raises(NotFound, match="nosuchfirm"):
        call(demo)


def test_an_export_of_an_unknown_dataset_is_refused_before_writing(demo, tmp_path):
    lens = ShipmentFilter.parse(dataset="nosuchset")
    with pytest.raises(NotFound, match="nosuchset"):
        demo.export_case(case_ref=DEMO_REF, out=tmp_path / "c.xlsx", lens=lens)
    assert list(tmp_path.iterdir()) == []
