"""The Shipments tab: the lens (HS prefix, date, countries, firm, dataset, text); copy; row
details."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop

from casebook.core.filters import ShipmentFilter
from casebook.ui.ops import Changes
from casebook.ui.shipments_tab import ShipmentsTab

TIMEOUT = 15_000
REF = "CB-S-1"
HEADER = (
    "Declaration No,Item No,Date,Exporter,Importer,Country of Origin,Country of Dispatch,"
    "HS Code,Goods Description,Value,Currency"
)
ROWS = [
    "D-1,1,2022-01-10,SHANDONG JINMA CO LTD,OOO TEHNOSTANOK,CN,CN,8458110000,CNC lathe,120000,USD",
    "D-1,2,2022-01-10,SHANDONG JINMA CO LTD,OOO TEHNOSTANOK,CN,TR,8537101000,CNC control,10000,USD",
    "D-2,1,2022-03-11,ACME MAKINA AS,OOO STANKI,JP,TR,8459610000,Milling machine,99000,USD",
    "D-3,1,2023-02-01,ACME MAKINA AS,OOO STANKI,DE,TR,8466930000,Spindle parts,500,USD",
]


@pytest.fixture
def tab(window, qtbot, tmp_path):
    book = window.host.book
    book.create_case(title="Shipments", ref=REF)
    path = tmp_path / "s.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    book.import_file(path, case_ref=REF)
    widget = ShipmentsTab(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    settle(widget)
    return widget


def settle(tab) -> None:
    """Until the tab's slice is counted (on the DB worker)."""
    deadline = time.monotonic() + 30
    while tab.model.counting and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    assert not tab.model.counting


def rows(tab) -> int:
    settle(tab)
    return tab.model.rowCount()


def test_origin_and_dispatch_side_by_side(tab):
    keys = [c.key for c in tab.model.columns]
    assert keys.index("dispatch") == keys.index("origin") + 1
    assert rows(tab) == 4 and tab.count.text() == "4 shipments"


def show(tab, **options) -> int:
    tab.set_lens(ShipmentFilter.parse(**options))
    return rows(tab)


def test_the_lens_by_hs_prefix_and_date(tab):
    assert show(tab, hs="845") == 2
    assert show(tab, hs="8458") == 1
    assert show(tab, hs="84") == 3
    assert show(tab, hs="84", date_from="2022-02") == 2
    assert show(tab, hs="84", date_from="2022-02", date_to="2022-12") == 1
    assert tab.model.index(0, 0).data() == "2022-03-11"
    assert "HS 84" in tab.showing.text() and "2022-02 to 2022-12" in tab.showing.text()
    assert show(tab) == 4 and tab.showing.text() == "The whole case"


def test_countries_firm_dataset_and_text(tab, window):
    assert show(tab, dispatch="TR", origin="CN,JP") == 2
    firm = next(f for f in window.host.book.list_firms(case_ref=REF) if f["name"] == "OOO STANKI")
    assert show(tab, firm=firm["uid"]) == 2
    [dataset] = window.host.book.list_datasets(case_ref=REF)
    assert show(tab, dataset=dataset["uid"], text="spindle") == 1


def test_sort_copy_and_row_details(tab, qtbot):
    date = [c.key for c in tab.model.columns].index("date")
    tab.view.sortByColumn(date, tab.view.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    qtbot.waitUntil(lambda: tab.model.index(0, date).data() == "2023-02-01", timeout=TIMEOUT)
    tab.view.selectRow(0)
    text = tab.copy_selected()
    assert text.splitlines()[0].startswith("Date\tExporter")
    assert "Spindle parts" in text.splitlines()[1]
    qtbot.waitUntil(lambda: "Source" in tab.detail.toPlainText(), timeout=TIMEOUT)
    detail = tab.detail.toPlainText()
    assert "s.csv, row 5" in detail and "ACME MAKINA AS" in detail
    assert "\nValue\n$500\nValue (USD)\n$500\n" in detail  # one rendering of money


def test_refreshes_after_an_import(tab, window, qtbot):
    window.host.notify(Changes(shipments=True, datasets=True, case_ref=REF))
    assert rows(tab) == 4


def test_key_columns_fit_a_1000_px_tab(tab, qtbot):
    """As in a 1440-px window on a 1600-px screen: value in USD in view without scrolling."""
    tab.resize(1000, 700)
    qtbot.waitUntil(lambda: tab.view.viewport().width() < 1000, timeout=TIMEOUT)
    keys = [c.key for c in tab.model.columns]
    view = tab.view
    assert keys[:7] == [
        "date",
        "exporter",
        "importer",
        "origin",
        "dispatch",
        "hs_code",
        "value_usd",
    ]
    usd = keys.index("value_usd")
    assert view.columnViewportPosition(usd) + view.columnWidth(usd) <= view.viewport().width()
    description = keys.index("description")
    right = view.columnViewportPosition(description) + view.columnWidth(description)
    assert right >= view.viewport().width() - 2  # the long text takes the rest
    assert "Select a shipment" in tab.detail.toPlainText()  # a hint that wraps, not cut


def test_codes_and_values_are_shown_whole(tab):
    keys = [c.key for c in tab.model.columns]
    metrics = tab.view.fontMetrics()
    for key, sample in (("hs_code", "8466938000"), ("value_usd", "$888,888,888.88")):
        assert tab.view.columnWidth(keys.index(key)) >= metrics.horizontalAdvance(sample) + 12


def test_one_shipment_is_counted_in_the_singular(tab):
    assert show(tab, hs="8458") == 1 and tab.count.text() == "1 shipment"


def test_a_value_wider_than_its_column_shows_a_compact_unit_never_cut_digits(tab, window, tmp_path):
    """Issue 19, item 3: "$11.4 bn" in the cell, every digit in its tooltip and text."""
    from PySide6.QtCore import Qt

    from casebook.ui.table_view import shown_text, text_room

    big = tmp_path / "big.csv"
    row = "D-9,1,2023-05-01,DALIAN MACHINE TOOL,OOO STANKI,CN,KZ,8458110000,Lathes,11440752301,USD"
    big.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    window.host.book.import_file(big, case_ref=REF)
    window.host.notify(Changes(shipments=True, datasets=True, case_ref=REF))
    keys = [c.key for c in tab.model.columns]
    line = next(
        r for r in range(rows(tab)) if tab.model.index(r, 1).data() == "DALIAN MACHINE TOOL"
    )
    view, metrics = tab.view, tab.view.fontMetrics()
    for key, full, short in (
        ("value_usd", "$11,440,752,301", "$11.4 bn"),
        ("value", "11,440,752,301", "11.4 bn"),
    ):
        cell = tab.model.index(line, keys.index(key))
        assert cell.data() == full and cell.data(Qt.ItemDataRole.ToolTipRole) == full
        shown = shown_text(view, cell)
        room = text_room(view, view.columnWidth(cell.column()))
        assert shown in (full, short) and metrics.horizontalAdvance(shown) <= room
        view.setColumnWidth(cell.column(), metrics.horizontalAdvance("$11,44"))
        assert shown_text(view, cell) == short


def test_the_whole_case_is_counted_from_the_rollups_not_row_by_row(window, qtbot, tmp_path):
    """Opening the tab on a million-row case counted every row on the GUI thread (a third of
    a second and more, issue 18): the whole case's count is the rollups' sum; a lens still
    counts its rows."""
    from sqlalchemy import event

    book = window.host.book
    book.create_case(title="Counted", ref=REF)
    path = tmp_path / "s.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    book.import_file(path, case_ref=REF)
    engine = book.store.read_engine
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.lower().split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        widget = ShipmentsTab(window.host, REF)
        qtbot.addWidget(widget)
        widget.resize(1400, 700)
        widget.show()
        assert widget.count.text() == "counting…"  # the count arrives from the worker
        settle(widget)
        assert widget.count.text() == "4 shipments"
        assert not [s for s in statements if "count(" in s and "from shipment " in s]
        assert any("sum(shipmentrollup.shipments)" in s for s in statements), statements
        statements.clear()
        widget.set_lens(ShipmentFilter.parse(origin="CN"))
        settle(widget)
        assert widget.count.text() == "2 shipments"
        assert any("count(" in s and "from shipment" in s for s in statements), statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_the_slice_shown_told_again_builds_no_new_source(tab, monkeypatch):
    """A tab just built is told the bar's lens, the slice it already shows: building its page
    source again (the statements of a 1M case's pages) held the window 30-50 ms more as the
    tab opened (issue 18)."""
    built = []
    real = tab.host.book.shipment_page_source
    monkeypatch.setattr(
        tab.host.book, "shipment_page_source", lambda *a, **k: built.append(1) or real(*a, **k)
    )
    tab.set_lens(tab.lens)
    assert built == [] and not tab.problem.isVisible()
    tab.set_lens(ShipmentFilter.parse(origin="CN"))
    assert built == [1] and rows(tab) == 2  # the two items of D-1
