"""The Screening tab driven like a user: load a list, screen, read a hit, confirm or dismiss it."""

from __future__ import annotations

import importlib.util
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from shiboken6 import isValid

from casebook.book import Casebook
from casebook.ui.main_window import MainWindow
from casebook.ui.screening_tab import (
    HIT_COLUMNS,
    LIST_COLUMNS,
    STATUS_COLUMN,
    LoadListDialog,
    ScreeningTab,
)
from casebook.ui.table_model import RecordsModel
from casebook.ui.worker import Job

SDN = "ofac_sdn_2024-05-03_subset.csv"
TIMEOUT = 60_000


def _factories():
    # The firm factory lives in tests/book/conftest.py; tests import by path (importlib mode).
    path = Path(__file__).parents[1] / "book" / "conftest.py"
    spec = importlib.util.spec_from_file_location("book_factories", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


add_case_firm = _factories().add_case_firm
_LOADED: dict[Path, Path] = {}


def _make_store(path: Path, *, sdn: Path | None = None) -> None:
    """Case CB-1 with STANKOPROM LLC and a firm no list names; the OFAC list when given."""
    with Casebook.open(path, user="tester", create=True) as book:
        book.create_case(title="CNC via Turkey", ref="CB-1")
        add_case_firm(book, case_ref="CB-1", name="STANKOPROM LLC", country="RU")
        add_case_firm(book, case_ref="CB-1", name="Qingdao Sunny Garden Furniture Co Ltd")
        if sdn is not None:
            book.load_list(sdn, published="2024-05-03")


@pytest.fixture
def store(tmp_path) -> Path:
    """A store with the case and its two firms, no lists."""
    _make_store(tmp_path / "cases.db")
    return tmp_path / "cases.db"


@pytest.fixture
def loaded_store(tmp_path, tmp_path_factory, reference_dir) -> Path:
    """The same store with the OFAC SDN subset loaded (built once, copied per test)."""
    if reference_dir not in _LOADED:
        template = tmp_path_factory.mktemp("screening") / "template.db"
        _make_store(template, sdn=reference_dir / SDN)
        _LOADED[reference_dir] = template
    shutil.copyfile(_LOADED[reference_dir], tmp_path / "cases.db")
    return tmp_path / "cases.db"


def _open(qtbot, path: Path) -> ScreeningTab:
    """The main window on ``path`` with case CB-1 selected and its Screening tab in front."""
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(path)
    qtbot.waitUntil(lambda: win.page.select("CB-1"), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "screening" in workspace._extra, timeout=TIMEOUT)
    tab = workspace._extra["screening"]
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.count.text() != "", timeout=TIMEOUT)  # the first read
    return tab


@pytest.fixture
def presented(monkeypatch):
    from casebook.ui.errors import ErrorDialog

    shown = []
    monkeypatch.setattr(
        ErrorDialog, "present", classmethod(lambda cls, parent, **kw: shown.append(kw))
    )
    return shown


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _screen(qtbot, tab: ScreeningTab) -> None:
    with qtbot.waitSignal(tab.refreshed, timeout=TIMEOUT, check_params_cb=lambda _l, h: h > 0):
        _click(qtbot, tab.screen_button)


def _cell(tab: ScreeningTab, row: int, key: str) -> str:
    column = [c.key for c in HIT_COLUMNS].index(key)
    return tab.proxy.index(row, column).data()


def _row_of(tab: ScreeningTab, firm: str) -> int:
    rows = [r for r in range(tab.proxy.rowCount()) if _cell(tab, r, "subject_name") == firm]
    assert rows, f"no hit for {firm}"
    return rows[0]


def _select(qtbot, tab: ScreeningTab, row: int) -> None:
    rect = tab.hits_view.visualRect(tab.proxy.index(row, 0))
    qtbot.mouseClick(tab.hits_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _review(qtbot, tab: ScreeningTab, button, note: str) -> None:
    tab.detail.note.clear()
    qtbot.keyClicks(tab.detail.note, note)
    with qtbot.waitSignal(tab.refreshed, timeout=TIMEOUT):
        _click(qtbot, button)


# --- tests --------------------------------------------------------------------------------------


def test_the_tab_is_shown_for_a_case_without_imports_and_asks_for_a_list(qtbot, store):
    tab = _open(qtbot, store)
    assert tab.count.text() == "No lists loaded yet"
    assert not tab.screen_button.isEnabled()
    assert not tab.detail.confirm.isEnabled()


def test_load_screen_and_confirm_a_hit_with_a_note(qtbot, store, reference_dir, monkeypatch):
    tab = _open(qtbot, store)
    values = {"path": str(reference_dir / SDN), "fmt": "ofac", "published": "2024-05-03"}
    monkeypatch.setattr(LoadListDialog, "ask", classmethod(lambda cls, parent, ok: ok(values)))
    with qtbot.waitSignal(tab.refreshed, timeout=TIMEOUT, check_params_cb=lambda n, _h: n == 1):
        _click(qtbot, tab.load_button)
    assert tab.lists_model.rows[0]["name"] == "OFAC SDN"
    assert tab.lists_model.rows[0]["published"] == "2024-05-03"

    _screen(qtbot, tab)
    firms = {_cell(tab, r, "subject_name") for r in range(tab.proxy.rowCount())}
    assert firms == {"STANKOPROM LLC"}
    row = _row_of(tab, "STANKOPROM LLC")
    assert _cell(tab, row, "matched_name") == "STANKOPROM OOO"
    assert _cell(tab, row, "status") == "unreviewed"

    _select(qtbot, tab, row)
    detail = tab.detail.text()
    assert "Reasons" in detail and "STANKOPROM OOO" in detail
    assert "RUSSIA-EO14024" in detail and "3661073772" in detail  # programme, listed Tax ID
    assert tab.selected_hit()["reasons"][0] in detail

    _review(qtbot, tab, tab.detail.confirm, "Same INN as the customs record")
    assert _cell(tab, _row_of(tab, "STANKOPROM LLC"), "status") == "confirmed"
    assert "Same INN as the customs record" in tab.detail.text()
    assert not tab.detail.confirm.isEnabled()
    [hit] = tab.host.book.list_hits(case_ref="CB-1", status="confirmed")
    assert (hit["subject_name"], hit["note"]) == (
        "STANKOPROM LLC",
        "Same INN as the customs record",
    )


def test_filter_by_status(qtbot, loaded_store):
    tab = _open(qtbot, loaded_store)
    _screen(qtbot, tab)
    _select(qtbot, tab, _row_of(tab, "STANKOPROM LLC"))
    _review(qtbot, tab, tab.detail.dismiss, "Different city")
    tab.status.setCurrentIndex(tab.status.findData("unreviewed"))
    assert tab.proxy.rowCount() == 0
    tab.status.setCurrentIndex(tab.status.findData("dismissed"))
    assert tab.proxy.rowCount() == 1
    assert tab.count.text() == "1 hits" or tab.count.text().startswith("1 ")


def test_changing_a_review_can_be_undone(qtbot, loaded_store):
    tab = _open(qtbot, loaded_store)
    _screen(qtbot, tab)
    _select(qtbot, tab, _row_of(tab, "STANKOPROM LLC"))
    _review(qtbot, tab, tab.detail.dismiss, "Different city")
    assert not tab.host.undo_stack.canUndo()  # the facade cannot make a hit unreviewed again
    _review(qtbot, tab, tab.detail.confirm, "Same INN after all")
    assert tab.host.undo_stack.canUndo()
    with qtbot.waitSignal(tab.refreshed, timeout=TIMEOUT):
        tab.host.undo_stack.undo()
    row = _row_of(tab, "STANKOPROM LLC")
    assert tab.proxy.index(row, STATUS_COLUMN).data() == "dismissed"
    assert "Different city" in tab.detail.text()


def test_results_arriving_after_a_case_switch_deleted_the_tab_are_dropped(qtbot, loaded_store):
    """Screen and re-read, switch case before the worker answers: the answers reach no
    deleted tab (an exception in a Qt callback fails the test under pytest-qt)."""
    with Casebook.open(loaded_store, user="tester") as book:
        book.create_case(title="Second case", ref="CB-2")
    tab = _open(qtbot, loaded_store)
    worker, gate = tab.host.worker, threading.Event()
    worker.submit(Job(lambda: gate.wait(TIMEOUT / 1000)))  # holds the worker's queue
    _click(qtbot, tab.screen_button)  # a screen with its progress dialog, then its re-read
    tab.refresh()
    assert tab.host.window.page.select("CB-2")
    qtbot.waitUntil(lambda: not isValid(tab), timeout=TIMEOUT)  # dropped and deleted
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy, timeout=TIMEOUT)
    assert tab.host.window.page.workspace.ref == "CB-2"
    assert tab.host.window.page.workspace.tab("screening") is not tab


def test_screening_without_a_list_is_explained_not_raised(qtbot, store, presented):
    tab = _open(qtbot, store)
    tab.screen_button.setEnabled(True)  # as if a list were deleted behind the tab's back
    with qtbot.waitSignal(tab.host.worker.finished, timeout=TIMEOUT):
        _click(qtbot, tab.screen_button)
    qtbot.waitUntil(lambda: bool(presented), timeout=TIMEOUT)
    assert "no lists loaded" in presented[0]["message"]


def test_the_tables_are_sound_models(qtmodeltester):
    lists = RecordsModel(LIST_COLUMNS)
    lists.set_rows([{"name": "OFAC SDN", "version": 1, "published": None, "entities": 3}])
    qtmodeltester.check(lists)
    hits = RecordsModel(HIT_COLUMNS)
    hits.set_rows([{"id": 1, "subject_name": "A", "score": 0.9, "status": "confirmed"}])
    qtmodeltester.check(hits)


EU_269, EU_833 = "EU Regulation 269/2014", "EU Regulation 833/2014"


def _eu_state() -> dict:
    """Two EU lists whose names differ only at the end, and a hit of each status."""
    lists = [
        {"name": name, "version": 1, "entities": 900, "names": 3000, "records": 968}
        for name in (EU_269, EU_833)
    ]
    hits = [
        {
            "id": i,
            "subject_name": f"Firm number {i} Trading Limited Liability Company",
            "matched_name": f"Listed entity {i} Joint Stock Company",
            "list": name,
            "version": 1,
            "score": 0.9,
            "status": status,
        }
        for i, (name, status) in enumerate(
            [(EU_269, "unreviewed"), (EU_833, "confirmed"), (EU_269, "dismissed")], start=1
        )
    ]
    return {"lists": lists, "hits": hits}


def _shown_text(view, index) -> str:
    """The cell's text as the view draws it: elided to the column's width by its delegate."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.initFrom(view)
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    room = view.columnWidth(index.column()) - 12  # the cell's margins
    return view.fontMetrics().elidedText(option.text, option.textElideMode, room)


def test_columns_fit_the_status_and_list_names_keep_their_numbers(qtbot, store):
    tab = _open(qtbot, store)
    tab.window().resize(1440, 900)
    tab._show(_eu_state())
    view, metrics = tab.hits_view, tab.hits_view.fontMetrics()
    status = tab.proxy.index(0, STATUS_COLUMN).column()
    assert view.columnWidth(status) >= metrics.horizontalAdvance("unreviewed") + 12
    right = view.columnViewportPosition(status) + view.columnWidth(status)
    assert right <= view.viewport().width()  # every column in view, status not cut

    list_column = [c.key for c in HIT_COLUMNS].index("list")
    rows = {tab.proxy.index(r, list_column).data(): r for r in range(tab.proxy.rowCount())}
    shown = {_shown_text(view, tab.proxy.index(r, list_column)) for r in rows.values()}
    assert len(shown) == 2 and all("/2014" in t for t in shown)  # 269 and 833 stay apart
    tip = tab.proxy.index(rows[EU_833], list_column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "EU Regulation 833/2014 version 1"

    lists = tab.lists_view
    names = {_shown_text(lists, tab.lists_model.index(r, 0)) for r in range(2)}
    assert names == {EU_269, EU_833}  # room for the whole name
    assert tab.count.text() == "3 hits"


ROTENBERG_RU = "РОТЕНБЕРГ Аркадий Романович"


def _kind_of(tab: ScreeningTab, name: str) -> str:
    return _cell(tab, _row_of(tab, name), "subject_kind")


def test_person_hits_appear_beside_firm_hits_and_are_reviewed_like_them(qtbot, loaded_store):
    """A person of the case (a director, in Cyrillic, with the listed birth date) hits the SDN
    individual; the hit is a row of its own marked Person, compared person against listed
    individual, and confirmed, dismissed and undone like a firm's."""
    with Casebook.open(loaded_store, user="tester") as book:
        book.add_person(case_ref="CB-1", name=ROTENBERG_RU, birth_date="1951-12-15")
    tab = _open(qtbot, loaded_store)
    _screen(qtbot, tab)
    assert _kind_of(tab, "STANKOPROM LLC") == "Firm"
    assert _kind_of(tab, ROTENBERG_RU) == "Person"
    row = _row_of(tab, ROTENBERG_RU)
    assert _cell(tab, row, "matched_name").startswith("ROTENBERG")
    assert (
        tab.hits_model.headerData(
            [c.key for c in HIT_COLUMNS].index("subject_kind"), Qt.Orientation.Horizontal
        )
        == "Kind"
    )

    _select(qtbot, tab, row)
    detail = tab.detail.text()
    assert "Person in the case" in detail and "Listed individual" in detail
    assert "1951-12-15" in detail  # born: the person's date beside the listed one
    assert "780619032880" in detail  # the listed personal INN
    assert tab.detail.confirm.isEnabled()

    _review(qtbot, tab, tab.detail.dismiss, "Checked the passport: another man")
    assert _cell(tab, _row_of(tab, ROTENBERG_RU), "status") == "dismissed"
    assert _cell(tab, _row_of(tab, "STANKOPROM LLC"), "status") == "unreviewed"
    _select(qtbot, tab, _row_of(tab, ROTENBERG_RU))
    _review(qtbot, tab, tab.detail.confirm, "Same birth date and patronymic")
    assert _cell(tab, _row_of(tab, ROTENBERG_RU), "status") == "confirmed"
    hits = tab.host.book.list_hits(case_ref="CB-1", status="confirmed", persons=True)
    assert [(h["subject_kind"], h["subject_name"], h["note"]) for h in hits] == [
        ("person", ROTENBERG_RU, "Same birth date and patronymic")
    ]
    assert tab.host.undo_stack.undoText().startswith(f"Confirm hit {ROTENBERG_RU}")
    with qtbot.waitSignal(tab.refreshed, timeout=TIMEOUT):
        tab.host.undo_stack.undo()
    assert _cell(tab, _row_of(tab, ROTENBERG_RU), "status") == "dismissed"


def test_the_review_note_keeps_room_for_its_prompt_in_a_small_window(qtbot, store):
    """Seen at 1024x700: the note box beside Confirm and Dismiss was 55 px wide ("Note o…")."""
    tab = _open(qtbot, store)
    tab.window().resize(922, 630)  # the window a 1024x700 screen first gets
    qtbot.wait(50)
    note = tab.detail.note
    prompt = note.fontMetrics().horizontalAdvance(note.placeholderText())
    assert note.width() >= prompt + 12, (note.width(), prompt)
    assert "why" in note.toolTip().lower()  # the longer prompt in its tooltip
