"""The Firms tab: firms with roles and identifiers, the merge queue, accept → merge, Undo → split."""

from __future__ import annotations

import pytest

from casebook.book.cases import find_case
from casebook.store import models as m
from casebook.ui.firms_tab import FirmsTab
from casebook.ui.table_model import ROW_ROLE

TIMEOUT = 15_000
REF = "CB-F-1"


@pytest.fixture
def tab(window, qtbot, editing):
    book = window.host.book
    book.create_case(title="Jinma", ref=REF)
    a = editing.add_firm(
        book, REF, "SHANDONG JINMA INDUSTRIAL CO LTD", native="山东金马工业有限公司"
    ).id
    b = editing.add_firm(book, REF, "JINMA SHANDONG IND CO").id
    editing.add_firm(book, REF, "OOO TEHNOSTANOK", country="RU", inn="7707083893", role="importer")
    with book.store.write() as session:
        case = find_case(session, REF)
        session.add(
            m.MergeSuggestion(case_id=case.id, firm_a_id=a, firm_b_id=b, score=0.86,
                              reason="same words in another order")
        )  # fmt: skip
    widget = FirmsTab(window.host, REF)
    window.host.changed.connect(widget.on_changes)  # what the case workspace does for its tabs
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)  # the firms are read on the worker
    return widget


def names(tab) -> list[str]:
    return sorted(r["name"] for r in tab.firms.rows)


def test_firms_show_native_names_roles_and_identifiers(tab):
    rows = {r["name"]: r for r in tab.firms.rows}
    assert rows["SHANDONG JINMA INDUSTRIAL CO LTD"]["native_name"] == "山东金马工业有限公司"
    assert rows["OOO TEHNOSTANOK"]["role"] == "importer"
    assert rows["OOO TEHNOSTANOK"]["identifier_list"] == ["ru_inn: 7707083893"]
    assert tab.count.text() == "3 firms"
    assert len(tab.queue.rows) == 1 and "1 open" in tab.queue_label.text()
    tab.filter.setText("tehno")
    assert tab.firm_proxy.rowCount() == 1


def test_accepting_a_suggestion_merges_and_undo_splits(tab, window, qtbot):
    tab.queue_view.selectRow(0)
    assert tab.accept_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        tab.accept_button.click()
    assert names(tab) == ["OOO TEHNOSTANOK", "SHANDONG JINMA INDUSTRIAL CO LTD"]
    kept = next(r for r in tab.firms.rows if r["name"].startswith("SHANDONG"))
    assert "JINMA SHANDONG IND CO" in kept["aliases"] and kept["merges"] == 1
    assert tab.queue.rows == []
    # An empty queue shrinks to its heading; the relationships above get the room.
    assert not tab.queue_view.isVisible() and tab.queue_pane.height() < 60
    stack = window.host.undo_stack
    assert stack.canUndo() and stack.undoText().startswith("Merge JINMA SHANDONG IND CO")
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        stack.undo()
    qtbot.waitUntil(lambda: len(tab.firms.rows) == 3 and len(tab.queue.rows) == 1, timeout=TIMEOUT)
    assert "JINMA SHANDONG IND CO" in names(tab)
    assert tab.queue_view.isVisible() and tab.accept_button.isVisible()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        stack.redo()
    qtbot.waitUntil(lambda: len(tab.firms.rows) == 2, timeout=TIMEOUT)


def test_reject_and_merge_by_hand_and_split(tab, window, qtbot, monkeypatch):
    tab.queue_view.selectRow(0)
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        tab.reject_button.click()
    assert tab.queue.rows == [] and len(tab.firms.rows) == 3
    monkeypatch.setattr(FirmsTab, "confirm_merge", classmethod(lambda cls, p, k, o: True))
    tab.firm_view.selectAll()
    tab.firm_view.selectionModel().clearSelection()
    for row in range(tab.firm_proxy.rowCount()):
        index = tab.firm_proxy.index(row, 0)
        if "JINMA" not in index.data():
            continue
        tab.firm_view.selectionModel().select(
            index, tab.firm_view.selectionModel().SelectionFlag.Select
            | tab.firm_view.selectionModel().SelectionFlag.Rows,
        )  # fmt: skip
    assert tab.merge_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        tab.merge_button.click()
    assert len(tab.firms.rows) == 2
    kept = next(r for r in tab.firms.rows if "JINMA" in r["name"])
    tab.firm_view.clearSelection()
    row = next(i for i in range(tab.firm_proxy.rowCount())
               if tab.firm_proxy.data(tab.firm_proxy.index(i, 0)) == kept["name"])  # fmt: skip
    tab.firm_view.selectRow(row)
    assert tab.selected_firms() == [kept], (tab.selected_firms(), kept)
    assert tab.split_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        tab.split_button.click()
    assert len(tab.firms.rows) == 3
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        window.host.undo_stack.undo()  # undo the split: merged again
    assert len(tab.firms.rows) == 2


def test_a_reload_keeps_the_selected_firm_and_its_relationships_section(tab, window, qtbot):
    from casebook.ui.ops import Changes

    tekhno = next(r for r in tab.firms.rows if r["name"] == "OOO TEHNOSTANOK")
    assert tab.reveal("firm", tekhno["uid"])
    assert "OOO TEHNOSTANOK — none recorded" in tab.rel_label.text()
    assert tab.rel_add.isEnabled() and not tab.rel_edit.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        window.host.notify(Changes(firms=True, case_ref=REF))
    assert tab.selected_firm()["uid"] == tekhno["uid"]
    assert "OOO TEHNOSTANOK" in tab.rel_label.text() and tab.rel_add.isEnabled()


@pytest.fixture
def demo_tab(window, qtbot):
    """The Firms tab of the demo case: names in their own scripts, one confirmed hit."""
    window.host.book.build_demo()
    widget = FirmsTab(window.host, "DEMO-CNC-RU")
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)  # the firms are read on the worker
    return widget


def _select_firm(tab, name: str) -> None:
    proxy = tab.firm_proxy
    row = next(
        r for r in range(proxy.rowCount())
        if proxy.data(proxy.index(r, 0), ROW_ROLE)["name"] == name
    )  # fmt: skip
    model = tab.firm_view.selectionModel()
    flags = model.SelectionFlag.ClearAndSelect | model.SelectionFlag.Rows
    model.select(proxy.index(row, 0), flags)  # this firm alone, whatever keys are held


def test_the_native_name_column_shows_only_when_a_firm_has_one(tab, demo_tab):
    from casebook.ui.firms_tab import NATIVE_COLUMN

    assert not tab.firm_view.isColumnHidden(NATIVE_COLUMN)  # 山东金马工业有限公司
    assert not any(f.get("native_name") for f in demo_tab.firms.rows)
    assert demo_tab.firm_view.isColumnHidden(NATIVE_COLUMN)


def test_a_listed_firm_names_the_list_and_version(demo_tab):
    _select_firm(demo_tab, "ООО «Техностанок»")
    text = demo_tab.detail.toPlainText()
    assert "confirmed screening hit on Casebook demo list (illustrative), version 1" in text
    _select_firm(demo_tab, "Kansai Machine Works Co., Ltd.")
    assert "Listed no" in " ".join(demo_tab.detail.toPlainText().split())


# --- numbers are never cut; flags and listings in the table (issue 19, item 3) -------------

BIG = (
    "Date,Exporter,Exporter country,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2023-05-05,Dalian Machine Tool Group,CN,Techno Stanok LLC,KZ,RU,845811,11440752301\n"
    "2023-06-05,Acme Machine Co,CN,Techno Stanok LLC,CN,RU,845811,1000\n"
    "2023-06-07,Acme Machine Co,TR,Techno Stanok LLC,TR,RU,845811,2000\n"
)


@pytest.fixture
def big_tab(window, qtbot, tmp_path):
    """A firm worth $11,440,752,301, and two firms named alike in different countries."""
    book = window.host.book
    book.create_case(title="Big", ref="CB-BIG")
    data = tmp_path / "big.csv"
    data.write_text(BIG, encoding="utf-8")
    book.import_file(data, case_ref="CB-BIG")
    widget = FirmsTab(window.host, "CB-BIG")
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready and widget.scores is not None, timeout=TIMEOUT)
    return widget


def _cell(tab, name: str, key: str):
    from casebook.ui.firms_tab import FIRM_COLUMNS

    proxy = tab.firm_proxy
    row = next(
        r for r in range(proxy.rowCount())
        if proxy.data(proxy.index(r, 0), ROW_ROLE)["name"] == name
    )  # fmt: skip
    return proxy.index(row, [c.key for c in FIRM_COLUMNS].index(key))


def _fits(view, index) -> bool:
    from casebook.ui.table_view import shown_text, text_room

    text = shown_text(view, index)
    return view.fontMetrics().horizontalAdvance(text) <= text_room(
        view, view.columnWidth(index.column())
    )


def test_a_firm_worth_billions_shows_every_digit_or_a_compact_unit(big_tab, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from casebook.ui.table_view import shown_text

    view, cell = big_tab.firm_view, _cell(big_tab, "Dalian Machine Tool Group", "value_usd")
    assert cell.data() == "$11,440,752,301"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "$11,440,752,301"
    assert shown_text(view, cell) == "$11,440,752,301" and _fits(view, cell)  # sized to fit
    view.setColumnWidth(cell.column(), view.fontMetrics().horizontalAdvance("$11,440,7"))
    assert shown_text(view, cell) == "$11.4 bn" and _fits(view, cell)  # never "11,440,752,…"
    view.selectRow(cell.row())
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "$11,440,752,301" in QGuiApplication.clipboard().text().split("\t")


def test_the_firms_table_shows_flag_scores_and_listed(big_tab, demo_tab, qtbot):
    from PySide6.QtCore import Qt

    from casebook.ui.firms_tab import FIRM_COLUMNS

    titles = [c.title for c in FIRM_COLUMNS]
    assert "Flags" in titles and "Listed" in titles
    qtbot.waitUntil(lambda: demo_tab.scores is not None, timeout=60_000)
    listed = _cell(demo_tab, "ООО «Техностанок»", "listed")
    assert listed.data() == "yes"
    assert "Casebook demo list" in listed.data(Qt.ItemDataRole.ToolTipRole)
    flagged = max(demo_tab.firms.rows, key=lambda f: f["score"])
    score = _cell(demo_tab, flagged["name"], "score")
    assert score.data() == f"{flagged['score']:,}" and flagged["score"] > 0
    reason = flagged["flags"][0]["reason"]
    assert reason in score.data(Qt.ItemDataRole.ToolTipRole)  # the full reason, never cut
    _select_firm(demo_tab, flagged["name"])
    assert reason in " ".join(demo_tab.detail.toPlainText().split())  # wrapped in the pane
    assert demo_tab.detail.lineWrapMode() != demo_tab.detail.LineWrapMode.NoWrap


def test_the_red_flags_stay_out_of_the_cycle_collectors_walks(demo_tab, qtbot):
    """A million-shipment case's flagged firms made 50,000 lists and dicts that each full
    collection on the GUI thread walked again, stalling the window (issue 18): the flags
    arrive as tuples of plain dicts: one without sampled shipments is never tracked."""
    import gc

    from PySide6.QtCore import Qt

    from casebook.ui.ops import read_only_flags

    qtbot.waitUntil(lambda: demo_tab.scores is not None, timeout=60_000)
    flagged = [f for f in demo_tab.scores.values() if f["flags"]]
    assert flagged and all(isinstance(f["flags"], tuple) for f in flagged)
    reason = flagged[0]["flags"][0]["reason"]
    assert reason in _cell(demo_tab, flagged[0]["name"], "score").data(Qt.ItemDataRole.ToolTipRole)
    result = read_only_flags(demo_tab.host.book.flags(case_ref=demo_tab.ref))
    gc.collect()
    flags = [flag for firm in result["firms"] for flag in firm["flags"]]
    assert [f["flags"] for f in result["firms"] if f["flags"]] == [f["flags"] for f in flagged]
    bare = [flag for flag in flags if not flag["shipments"]]  # most, on a 1M case: all
    assert bare and not any(gc.is_tracked(flag) for flag in bare)


def test_the_detail_pane_lists_dispatch_countries_and_shared_names_show_countries(big_tab, qtbot):
    labels = sorted(
        big_tab.firm_proxy.index(r, 0).data() for r in range(big_tab.firm_proxy.rowCount())
    )
    assert "Acme Machine Co (CN)" in labels and "Acme Machine Co (TR)" in labels
    assert "Dalian Machine Tool Group" in labels  # a unique name stands alone
    with qtbot.waitSignal(big_tab.detail_shown, timeout=TIMEOUT):
        _select_firm(big_tab, "Dalian Machine Tool Group")
    text = " ".join(big_tab.detail.toPlainText().split())
    assert "Ships from KZ" in text and "Receives in" not in text  # its country is CN
    with qtbot.waitSignal(big_tab.detail_shown, timeout=TIMEOUT):
        _select_firm(big_tab, "Techno Stanok LLC")
    assert "Receives in RU" in " ".join(big_tab.detail.toPlainText().split())


def test_the_firms_are_read_off_the_gui_thread_with_a_placeholder_meanwhile(
    window, qtbot, editing, monkeypatch
):
    """On a million-shipment case the firms' totals took seconds, read on the GUI thread as
    the tab was built (issue 18): the tab now says it is reading, the window stays live, and
    the firms fill in when the worker's read arrives."""
    import threading
    import time

    book = window.host.book
    book.create_case(title="Slow", ref=REF)
    editing.add_firm(book, REF, "OOO TEHNOSTANOK", country="RU", role="importer")
    gate, threads = threading.Event(), []
    case_firms = book.case_firms

    def slow_case_firms(**kwargs):
        threads.append(threading.current_thread())
        gate.wait(timeout=3)  # a slow read, until the test lets it go
        return case_firms(**kwargs)

    monkeypatch.setattr(book, "case_firms", slow_case_firms)
    started = time.perf_counter()
    widget = FirmsTab(window.host, REF)
    qtbot.addWidget(widget)
    widget.show()
    assert time.perf_counter() - started < 1.0  # built without waiting for the read
    assert widget.count.text() == "Reading firms…" and not widget.ready
    qtbot.waitUntil(lambda: bool(threads), timeout=TIMEOUT)
    assert threads[0] is not threading.main_thread()
    gate.set()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)
    assert [f["name"] for f in widget.firms.rows] == ["OOO TEHNOSTANOK"]
    assert widget.count.text() == "1 firm"


def test_a_tab_of_a_store_left_reads_nothing_from_the_next_one(
    tab, window, qtbot, tmp_path, monkeypatch
):
    """The red-flag scan waits for an idle worker. A Firms tab left behind when another store
    opened asked for its case's flags there, and the window showed "no case 'CB-…'" (CI)."""
    tab.scores, tab._scoring = None, False  # its scan still wanted, as on a busy case opening
    tab.hide()
    with qtbot.waitSignal(window.host.store_opened, timeout=TIMEOUT):
        window.open_store_at(tmp_path / "other.db", create=True)
    asked, submit = [], window.host.submit
    monkeypatch.setattr(
        window.host, "submit", lambda job, label: asked.append(label) or submit(job, label)
    )
    tab._worker_busy(False)  # the worker fell idle
    qtbot.wait(300)
    assert "Scoring red flags" not in asked and not tab._scoring
