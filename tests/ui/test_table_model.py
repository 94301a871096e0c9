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
    assert isinstance(tab, ShipmentsTab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1001)  # counted on the worker
    from casebook.core.filters import ShipmentFilter

    window.page.workspace.set_lens(ShipmentFilter.parse(origin="CN"))
    qtbot.waitUntil(lambda: 0 < tab.model.rowCount() < 1001)
    assert tab.count.text() == f"{tab.model.rowCount():,} shipments"


def test_a_model_counted_off_the_gui_thread_has_rows_once_the_count_arrives(qtbot):
    """With a ``counter`` the model has no rows (``counting``) until the count arrives; a
    count for a source replaced meanwhile is dropped."""
    from casebook.ui.table_model import PagedTableModel, TableColumn

    class Source:
        keys = ["n"]

        def __init__(self, total):
            self.total = total

        def count(self):
            raise AssertionError("counted on the GUI thread")

        def fetch(self, offset, limit, sort=None, descending=False):
            return [(i, i) for i in range(offset, min(offset + limit, self.total))]

        def sortable(self):
            return []

    asked = []
    first, second = Source(1000), Source(7)
    model = PagedTableModel(
        first, [TableColumn("n", "N")], counter=lambda s, done: asked.append((s, done))
    )
    assert model.counting and model.rowCount() == 0
    model.set_source(second)
    with qtbot.waitSignal(model.counted) as arrived:
        asked[0][1](1000)  # late: the first source's count
        asked[1][1](7)
    assert arrived.args == [7] and model.rowCount() == 7 and not model.counting
    assert model.index(6, 0).data() == "6"


# --- the in-memory records model (firms, suggestions, screening lists and hits) -------------


def _records():
    from casebook.ui.firms_tab import FIRM_COLUMNS
    from casebook.ui.table_model import RecordsModel

    model = RecordsModel(FIRM_COLUMNS, tips={"aliases": lambda row: "\n".join(row["aliases"])})
    model.set_rows(
        [
            {"id": 1, "name": "beta", "label": "beta", "shipments": 10, "value_usd": 9_500_000.0,
             "aliases": ["B1", "B2", "B3"]},
            {"id": 2, "name": "Alpha", "label": "Alpha", "shipments": 9, "value_usd": None, "aliases": []},
            {"id": 3, "name": "gamma", "label": "gamma", "shipments": 100, "value_usd": 12_000.5,
             "aliases": [f"G{i}" for i in range(10)]},
        ]
    )  # fmt: skip
    return model


def _sorted_ids(model, key: str) -> list:
    from PySide6.QtCore import QSortFilterProxyModel

    from casebook.ui.table_model import KEY_ROLE, SORT_ROLE

    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort([c.key for c in model.columns].index(key))
    return [proxy.index(r, 0).data(KEY_ROLE) for r in range(proxy.rowCount())]


def test_records_sort_numbers_as_numbers_and_text_ignoring_case(qtmodeltester):
    model = _records()
    qtmodeltester.check(model)
    assert _sorted_ids(model, "shipments") == [2, 1, 3]  # 9 < 10 < 100, not "10" < "100" < "9"
    assert _sorted_ids(model, "value_usd") == [2, 3, 1]  # no value first
    assert _sorted_ids(model, "aliases") == [2, 1, 3]  # by how many: 0, 3, 10
    assert _sorted_ids(model, "label") == [2, 1, 3]  # Alpha, beta, gamma


def test_records_show_money_whole_right_aligned_with_tips():
    from casebook.ui.table_model import ROW_ROLE

    model = _records()
    value = [c.key for c in model.columns].index("value_usd")
    aliases = [c.key for c in model.columns].index("aliases")
    cell = model.index(0, value)
    assert cell.data() == "$9,500,000"
    assert model.index(1, value).data() == "—"
    assert model.index(2, value).data() == "$12,000.50"
    assert cell.data(Qt.ItemDataRole.TextAlignmentRole) == int(RIGHT)
    assert model.headerData(
        value, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
    ) == int(RIGHT)
    assert model.index(0, aliases).data() == "3"
    assert model.index(0, aliases).data(Qt.ItemDataRole.ToolTipRole) == "B1\nB2\nB3"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "beta"  # elided text in full
    assert model.index(1, 0).data(ROW_ROLE)["name"] == "Alpha"


def test_records_colour_a_column_by_value():
    from casebook.ui.screening_tab import HIT_COLUMNS, STATUS_COLOURS
    from casebook.ui.table_model import RecordsModel

    model = RecordsModel(HIT_COLUMNS, colours={"status": STATUS_COLOURS})
    model.set_rows([{"id": 7, "status": "confirmed"}, {"id": 8, "status": "unreviewed"}])
    status = [c.key for c in HIT_COLUMNS].index("status")
    colour = model.index(0, status).data(Qt.ItemDataRole.ForegroundRole)
    assert colour.name().upper() == STATUS_COLOURS["confirmed"]
    assert model.index(1, status).data(Qt.ItemDataRole.ForegroundRole) is None
