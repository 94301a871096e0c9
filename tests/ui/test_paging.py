"""Paged reads (store/paging.py through BrowseSection): windows, sorts and filters."""

from __future__ import annotations

import pytest

from casebook.book import Casebook
from casebook.core.errors import UsageError

CASE_REF = "CB-BULK-001"


@pytest.fixture(scope="module")
def small_book(tmp_path_factory, bulk):
    path = bulk.build_shipments(tmp_path_factory.mktemp("paging") / "small.db", 1001)
    with Casebook.open(path, user="tester") as book:
        yield book


def _all_pages(source, sort=None, descending=False, size=97):
    rows = []
    for offset in range(0, source.count(), size):
        rows += source.fetch(offset, size, sort, descending)
    return rows


@pytest.mark.parametrize("sort", [None, "origin", "hs6", "dispatch"])
@pytest.mark.parametrize("descending", [False, True])
def test_windows_tile_the_table_in_sorted_order(small_book, sort, descending):
    source = small_book.shipment_page_source(CASE_REF)
    rows = _all_pages(source, sort, descending)
    keys = [r[-1] for r in rows]
    assert len(keys) == 1001 and len(set(keys)) == 1001
    column = source.keys.index(sort or "date")
    pairs = [(r[column], r[-1]) for r in rows]
    assert pairs == sorted(pairs, reverse=descending)


def test_last_window_is_the_tail(small_book):
    source = small_book.shipment_page_source(CASE_REF)
    assert source.fetch(990, 50, "hs6") == _all_pages(source, "hs6")[990:]


def test_an_unindexed_column_cannot_be_sorted(small_book):
    source = small_book.shipment_page_source(CASE_REF)
    assert "description" not in source.sortable()
    with pytest.raises(UsageError):
        source.fetch(0, 10, "description")


def test_filters_narrow_the_count(small_book):
    source = small_book.shipment_page_source(
        CASE_REF, filters={"origin": "cn", "hs": "8457", "date_from": "2022", "text": "ЧПУ"}
    )
    rows = _all_pages(source)
    assert source.count() == len(rows) > 0
    origin, hs6 = source.keys.index("origin"), source.keys.index("hs6")
    assert all(r[origin] == "CN" and r[hs6].startswith("8457") for r in rows)


def test_an_unknown_filter_is_refused(small_book):
    with pytest.raises(UsageError):
        small_book.shipment_page_source(CASE_REF, filters={"colour": "red"})
