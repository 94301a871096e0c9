"""The paged table model: Qt's model contract, sorting by indexes, and a million rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casebook.book import Casebook
from casebook.ui.table_model import RIGHT, PagedTableModel, TableColumn
from casebook.ui.table_view import PagedTableView

MILLION = 1_000_000
COLUMNS = [
    TableColumn("date", "Date", width=10),
    TableColumn("exporter", "Exporter", width=20),
    TableColumn("origin", "Origin", width=4),
    TableColumn("hs6", "HS6", width=7),
    TableColumn("description", "Description", width=30),
    TableColumn("value_usd", "Value (USD)", align=RIGHT),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory, bulk):
    path = bulk.build_shipments(tmp_path_factory.mktemp("model") / "small.db", 1001)
    with Casebook.open(path, user="tester") as book:
        yield book


@pytest.fixture(scope="session")
def million(tmp_path_factory, bulk):
    path = bulk.build_shipments(tmp_path_factory.mktemp("million") / "million.db", MILLION)
    with Casebook.open(path, user="tester") as book:
        yield book


def _model(book, **filters) -> PagedTableModel:
    return PagedTableModel(book.shipment_page_source("CB-BULK-001", filters=filters), COLUMNS)


def test_the_model_passes_qtmodeltester(qtmodeltester, small):
    qtmodeltester.check(_model(small), force_py=True)


def test_an_empty_filter_result_passes_qtmodeltester(qtmodeltester, small):
    model = _model(small, origin="ZZ")
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_sorting_applies_to_indexed_columns_only(small):
    model = _model(small)
    model.sort(2, Qt.SortOrder.DescendingOrder)  # origin: indexed
    assert model.sort_key == "origin" and model.descending
    assert model.index(0, 2).data() == "TW"
    model.sort(4)  # description: no index, ignored
    assert model.sort_key == "origin"


def test_a_new_filter_changes_the_rows(small):
    model = _model(small)
    model.set_source(small.shipment_page_source("CB-BULK-001", filters={"origin": "CN"}))
    assert 0 < model.rowCount() < 1001
    assert {model.index(r, 2).data() for r in range(model.rowCount())} == {"CN"}


def test_a_million_rows_page_without_loading_them(qtbot, million):
    model = _model(million)
    view = PagedTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == MILLION
    view.scrollToBottom()
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 2) == MILLION - 1)
    last = model.index(MILLION - 1, 0)
    assert view.visualRect(last).isValid()
    assert model.index(MILLION - 1, 0).data() >= model.index(0, 0).data()
    # Only windows were read: the first page and the last, never the table.
    assert model.pages_fetched <= 4
    assert model.cached_rows <= model.page_size * model.max_pages


def test_the_shipments_tab_appears_for_a_case_with_shipments(qtbot, small, tmp_path):
    from casebook.ui.main_window import MainWindow
    from casebook.ui.shipments_tab import ShipmentsTab

    window = MainWindow(user="tester")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.open_store_at(small.path, create=False)
    qtbot.waitUntil(lambda: window.page.workspace.ref == "CB-BULK-001")
    tabs = window.page.workspace.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[0] == "Overview" and "Shipments" in titles
    tab = tabs.widget(titles.index("Shipments"))
    assert isinstance(tab, ShipmentsTab) and tab.model.rowCount() == 1001
    qtbot.keyClicks(tab.origin, "CN")
    qtbot.waitUntil(lambda: 0 < tab.model.rowCount() < 1001)
    assert tab.count.text() == f"{tab.model.rowCount():,} shipments"
