"""The Datasets tab: file, kind, rows, hash, mapping; delete only after confirmation."""

from __future__ import annotations

import pytest

from casebook.ui.datasets_panel import DatasetsPanel

TIMEOUT = 15_000
REF = "CB-D-1"


@pytest.fixture
def panel(window, qtbot, tmp_path):
    book = window.host.book
    book.create_case(title="Datasets", ref=REF)
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
        "202307,CHN,X,RUS,845710,68000000\n202308,CHN,X,KAZ,845710,1000\n",
        encoding="utf-8",
    )
    book.import_trade(path, case_ref=REF)
    widget = DatasetsPanel(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)  # read on the worker
    return widget


def test_lists_datasets_with_hash_and_mapping(panel):
    assert panel.table.rowCount() == 1
    cells = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert cells[0] == "comtrade.csv" and cells[1] == "trade statistics" and cells[2] == "2"
    assert cells[5] == "comtrade"
    panel.table.selectRow(0)
    assert "SHA-256" in panel.detail.toPlainText()
    assert "primaryValue" in panel.detail.toPlainText()


def test_delete_asks_first(panel, window, qtbot, monkeypatch):
    panel.table.selectRow(0)
    monkeypatch.setattr(DatasetsPanel, "confirm_delete", classmethod(lambda c, p, d: False))
    panel.delete_button.click()
    assert len(window.host.book.list_datasets(case_ref=REF)) == 1
    monkeypatch.setattr(DatasetsPanel, "confirm_delete", classmethod(lambda c, p, d: True))
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.delete_button.click()
    assert panel.table.rowCount() == 0
    assert window.host.book.list_datasets(case_ref=REF) == []


def test_deleting_a_dataset_clears_the_undo_stack_and_says_so(panel, window, qtbot, monkeypatch):
    from casebook.ui import case_ops

    host = window.host
    with qtbot.waitSignal(host.undo_stack.indexChanged, timeout=TIMEOUT):
        case_ops.edit_case(host, {"ref": REF, "title": "Datasets"}, {"title": "Trade data"})
    panel.table.selectRow(0)
    monkeypatch.setattr(DatasetsPanel, "confirm_delete", classmethod(lambda c, p, d: True))
    with qtbot.waitSignal(host.message, timeout=TIMEOUT) as said:
        panel.delete_button.click()
    assert "earlier steps can no longer be undone" in said.args[0]
    assert "comtrade.csv" in said.args[0]
    assert host.undo_stack.count() == 0 and not host.undo_stack.canUndo()
    assert window.statusBar().currentMessage() == said.args[0]


def test_the_datasets_are_read_off_the_gui_thread_with_a_placeholder_meanwhile(
    window, qtbot, monkeypatch
):
    """The panel read its datasets on the GUI thread as the case opened (issue 18): it now
    says it is reading, the window stays live, and the list fills in when the read arrives."""
    import threading
    import time

    book = window.host.book
    book.create_case(title="Slow", ref=REF)
    gate, threads = threading.Event(), []
    case_datasets = book.case_datasets

    def slow_case_datasets(**kwargs):
        threads.append(threading.current_thread())
        gate.wait(timeout=3)  # a slow read, until the test lets it go
        return case_datasets(**kwargs)

    monkeypatch.setattr(book, "case_datasets", slow_case_datasets)
    started = time.perf_counter()
    widget = DatasetsPanel(window.host, REF)
    qtbot.addWidget(widget)
    widget.show()
    assert time.perf_counter() - started < 1.0  # built without waiting for the read
    assert widget.count.text() == "Reading datasets…" and not widget.ready
    qtbot.waitUntil(lambda: bool(threads), timeout=TIMEOUT)
    assert threads[0] is not threading.main_thread()
    gate.set()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)
    assert widget.count.text() == "0 datasets" and widget.table.rowCount() == 0
