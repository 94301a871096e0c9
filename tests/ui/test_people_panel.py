"""The People tab (issue 21): a case's persons in their own script with their links; adding one
through the dialog, merging two and splitting them again (each undoable), the filter box."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from casebook.ui.people_panel import PERSON_COLUMNS, PeoplePanel, PersonDialog

TIMEOUT = 15_000
REF = "CB-P-1"


def _add_case_firm():
    # The firm factory lives in tests/book/conftest.py; tests import by path (importlib mode).
    path = Path(__file__).parents[1] / "book" / "conftest.py"
    spec = importlib.util.spec_from_file_location("book_factories", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.add_case_firm


@pytest.fixture
def panel(window, qtbot):
    book = window.host.book
    book.create_case(title="People", ref=REF)
    ivan = book.add_person(case_ref=REF, name="Ivan Petrov", native_name="Иван Петров",
                           birth_date="1970", identifiers=["ru_inn:773407989940"])  # fmt: skip
    olga = book.add_person(case_ref=REF, name="Olga Petrova")
    book.add_relationship(case_ref=REF, from_uid=ivan["uid"], to_uid=olga["uid"], kind="family")
    return _open(window, qtbot)


@pytest.fixture
def firm_panel(window, qtbot):
    """Two spellings of one director of two firms (one as shareholder, with dates), and a third
    person."""
    book = window.host.book
    book.create_case(title="People", ref=REF)
    add_case_firm = _add_case_firm()
    alpha = add_case_firm(book, case_ref=REF, name="Alpha Trading LLC", country="AE")
    beta = add_case_firm(book, case_ref=REF, name="Beta Machinery LLC", country="TR")
    ivan = book.add_person(case_ref=REF, name="Ivan Petrov", birth_date="1970-03-02")
    vanya = book.add_person(case_ref=REF, name="Ivan Petrov Sergeevich", native_name="Иван Петров",
                            identifiers=["ru_inn:773407989940"])  # fmt: skip
    book.add_person(case_ref=REF, name="Lin Haoran", nationality="HK")
    book.add_relationship(case_ref=REF, from_uid=ivan["uid"], to_uid=alpha.uid,
                          kind="director", start="2021-04-01", end="2023-06-30")  # fmt: skip
    book.add_relationship(case_ref=REF, from_uid=vanya["uid"], to_uid=beta.uid,
                          kind="shareholder", share=51, start="2022-01-15")  # fmt: skip
    return _open(window, qtbot)


def _open(window, qtbot) -> PeoplePanel:
    """The panel on the case, once its persons (read on the worker) are shown."""
    widget = PeoplePanel(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)
    return widget


def _row(panel: PeoplePanel, name: str) -> int:
    """The row of the table (as sorted and filtered) that shows ``name``."""
    return next(r for r, p in enumerate(panel.shown_persons()) if p["name"] == name)


def _select(panel: PeoplePanel, *names: str) -> None:
    panel.table.clearSelection()
    model, selection = panel.table.model(), panel.table.selectionModel()
    for name in names:
        selection.select(
            model.index(_row(panel, name), 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )


def _shown(panel: PeoplePanel) -> list[str]:
    return [p["name"] for p in panel.shown_persons()]


def _cells(panel: PeoplePanel, row: int) -> list[str]:
    model = panel.table.model()
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_lists_persons_with_native_names_identifiers_and_links(panel):
    assert panel.count.text() == "2 persons"
    cells = _cells(panel, 0)
    assert cells[:4] == ["Ivan Petrov", "Иван Петров", "1970", ""]
    assert cells[4] == "ru_inn 773407989940" and cells[5] == "1"
    assert panel.reveal("person", panel.persons[1]["uid"])
    text = panel.shown_text()
    assert "Olga Petrova" in text
    assert "Ivan Petrov (person)" in text and "family" in text  # the link, seen from Olga
    assert not panel.reveal("firm", panel.persons[1]["uid"])


def test_the_detail_shows_each_link_with_firm_role_share_and_dates(firm_panel):
    _select(firm_panel, "Ivan Petrov")
    text = firm_panel.shown_text()
    assert all(h in text for h in ("With", "Role", "Share", "From", "To"))
    assert "Alpha Trading LLC (firm)" in text and "director" in text
    assert "2021-04-01" in text and "2023-06-30" in text
    assert "Beta Machinery LLC" not in text  # the other spelling's link, until they are merged
    _select(firm_panel, "Ivan Petrov Sergeevich")
    text = firm_panel.shown_text()
    assert "Beta Machinery LLC (firm)" in text and "shareholder" in text
    assert "51 %" in text and "2022-01-15" in text


def test_merge_two_selected_persons_then_undo_redo_and_split(
    firm_panel, window, qtbot, monkeypatch
):
    panel, stack = firm_panel, window.host.undo_stack
    asked = []
    monkeypatch.setattr(
        PeoplePanel, "confirm_merge",
        classmethod(lambda cls, parent, keep, other: asked.append((keep["name"], other["name"])) or True),
    )  # fmt: skip
    _select(panel, "Ivan Petrov")
    assert not panel.merge_button.isEnabled() and not panel.split_button.isEnabled()
    _select(panel, "Ivan Petrov", "Ivan Petrov Sergeevich")
    assert panel.merge_button.isEnabled()
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.merge_button.click()
    assert asked == [("Ivan Petrov", "Ivan Petrov Sergeevich")]
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Lin Haoran"]
    assert panel.count.text() == "2 persons"
    _select(panel, "Ivan Petrov")
    text = panel.shown_text()
    assert "Alpha Trading LLC (firm)" in text and "Beta Machinery LLC (firm)" in text
    assert "773407989940" in text and "Иван Петров" in text  # what the other brought
    assert panel.split_button.isEnabled()
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == "Merge person Ivan Petrov Sergeevich into Ivan Petrov"

    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.undo()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Ivan Petrov Sergeevich", "Lin Haoran"]  # fmt: skip
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.redo()
    assert len(panel.persons) == 2

    _select(panel, "Ivan Petrov")
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.split_button.click()
    assert len(panel.persons) == 3
    _select(panel, "Ivan Petrov")
    assert "Beta Machinery LLC" not in panel.shown_text()
    assert not panel.split_button.isEnabled()
    qtbot.waitUntil(lambda: stack.count() == 2, timeout=TIMEOUT)
    assert stack.undoText() == "Split person Ivan Petrov"
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.undo()  # merged again
    assert len(panel.persons) == 2
    assert window.host.book.person_merge_counts(case_ref=REF) == {panel.persons[0]["uid"]: 1}


def test_a_declined_merge_changes_nothing(firm_panel, window, monkeypatch):
    monkeypatch.setattr(PeoplePanel, "confirm_merge", classmethod(lambda cls, *a: False))
    _select(firm_panel, "Ivan Petrov", "Lin Haoran")
    firm_panel.merge_button.click()
    assert len(window.host.book.list_persons(case_ref=REF)) == 3
    assert window.host.undo_stack.count() == 0


def test_the_filter_box_matches_names_scripts_identifiers_and_firms(firm_panel):
    panel = firm_panel
    panel.filter.setText("petrov")
    assert _shown(panel) == ["Ivan Petrov", "Ivan Petrov Sergeevich"]
    assert panel.count.text() == "2 of 3 persons"
    panel.filter.setText("иван")
    assert _shown(panel) == ["Ivan Petrov Sergeevich"]
    panel.filter.setText("773407989940")
    assert _shown(panel) == ["Ivan Petrov Sergeevich"]
    panel.filter.setText("alpha trading")
    assert _shown(panel) == ["Ivan Petrov"]
    panel.filter.setText("nobody")
    assert _shown(panel) == [] and panel.count.text() == "0 of 3 persons"
    lin = next(p for p in panel.persons if p["name"] == "Lin Haoran")
    assert panel.reveal("person", lin["uid"])
    assert panel.filter.text() == "" and len(_shown(panel)) == 3  # revealed: filter cleared
    assert [p["name"] for p in panel.selected_persons()] == ["Lin Haoran"]


def test_add_person_and_undo_it(panel, window, qtbot, monkeypatch):
    fields = {"name": "Lin Haoran", "native_name": "林浩然", "birth_date": "1979-04-12",
              "nationality": "HK", "identifiers": []}  # fmt: skip
    monkeypatch.setattr(PersonDialog, "ask", classmethod(lambda cls, parent: fields))
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.add_button.click()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Lin Haoran", "Olga Petrova"]
    assert _cells(panel, 1)[1] == "林浩然"
    stack = window.host.undo_stack
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == "Add person Lin Haoran"
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.undo()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Olga Petrova"]


def test_the_detail_says_what_to_select_when_no_one_is_selected(panel):
    panel.table.clearSelection()
    text = panel.shown_text()
    assert text.startswith("Select a person") and "roles" in text


# --- the table conventions of the Firms tab -------------------------------------------------


@pytest.fixture
def born_panel(window, qtbot):
    """Three persons born in different years, one with two links."""
    book = window.host.book
    book.create_case(title="People", ref=REF)
    firm = _add_case_firm()(book, case_ref=REF, name="Alpha Trading LLC", country="AE")
    names = {"Yuri Borisov": "1985", "Arkady Rotenberg": "1951-12-15", "Olga Sidorova": "1970"}
    uids = {n: book.add_person(case_ref=REF, name=n, birth_date=b)["uid"] for n, b in names.items()}
    book.add_relationship(case_ref=REF, from_uid=uids["Olga Sidorova"], to_uid=firm.uid,
                          kind="director")  # fmt: skip
    book.add_relationship(case_ref=REF, from_uid=uids["Olga Sidorova"],
                          to_uid=uids["Yuri Borisov"], kind="associate")  # fmt: skip
    return _open(window, qtbot)


def _click_header(qtbot, panel: PeoplePanel, title: str) -> None:
    from PySide6.QtCore import QPoint, Qt

    header = panel.table.horizontalHeader()
    column = [c.title for c in PERSON_COLUMNS].index(title)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def test_a_header_click_sorts_the_persons_and_again_reverses(born_panel, qtbot):
    panel = born_panel
    assert _shown(panel) == ["Arkady Rotenberg", "Olga Sidorova", "Yuri Borisov"]  # by name
    _click_header(qtbot, panel, "Born")
    assert _shown(panel) == ["Arkady Rotenberg", "Olga Sidorova", "Yuri Borisov"]
    _click_header(qtbot, panel, "Born")
    assert _shown(panel) == ["Yuri Borisov", "Olga Sidorova", "Arkady Rotenberg"]
    _click_header(qtbot, panel, "Links")  # counts sort as numbers, the most first when reversed
    _click_header(qtbot, panel, "Links")
    assert [_cells(panel, r)[-1] for r in range(3)] == ["2", "1", "0"]
    _select(panel, "Olga Sidorova")  # the detail follows the row, wherever it is sorted to
    assert "Alpha Trading LLC (firm)" in panel.shown_text()


def test_ctrl_c_copies_the_selected_rows_whole(born_panel, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    panel = born_panel
    _select(panel, "Arkady Rotenberg", "Yuri Borisov")
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().split("\n")
    assert [line.split("\t") for line in lines] == [
        ["Arkady Rotenberg", "", "1951-12-15", "", "", "0"],
        ["Yuri Borisov", "", "1985", "", "", "1"],
    ]


def test_the_persons_model_is_sound(born_panel, qtmodeltester):
    qtmodeltester.check(born_panel.model)
    qtmodeltester.check(born_panel.proxy)


def test_the_persons_are_read_on_the_db_worker(window, qtbot, monkeypatch):
    """Never on the GUI thread (a case on a server answers in its own time)."""
    import threading

    book = window.host.book
    book.create_case(title="People", ref=REF)
    book.add_person(case_ref=REF, name="Ivan Petrov")
    threads = []
    for name in ("list_persons", "list_person_links", "person_merge_counts"):
        real = getattr(book, name)

        def spy(*args, _real=real, **kwargs):
            threads.append(threading.current_thread() is threading.main_thread())
            return _real(*args, **kwargs)

        monkeypatch.setattr(book, name, spy)
    panel = _open(window, qtbot)
    assert threads == [False, False, False]
    assert _shown(panel) == ["Ivan Petrov"]


def test_a_person_found_by_the_search_box_is_selected_in_the_people_tab(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from casebook.ui.ops import Changes
    from casebook.ui.search_box import SearchBox

    book = window.host.book
    book.create_case(title="Other", ref="CB-P-0")
    book.create_case(title="People", ref=REF)
    for name in ("Ivan Petrov", "Olga Petrova"):
        book.add_person(case_ref=REF, name=name)
    lin = book.add_person(case_ref=REF, name="Lin Haoran", native_name="林浩然")
    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-P-0")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT)
    qtbot.keyClick(window.page.cases.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.findChild(SearchBox)
    with qtbot.waitSignal(box.results_shown, timeout=TIMEOUT):
        qtbot.keyClicks(box.edit, "haoran")
    with qtbot.waitSignal(box.opened, timeout=TIMEOUT) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert opened.args == ["person", lin["uid"], REF]
    tab = window.page.workspace.tabs.currentWidget()
    assert isinstance(tab, PeoplePanel)
    qtbot.waitUntil(lambda: tab.ready, timeout=TIMEOUT)
    assert [p["name"] for p in tab.selected_persons()] == ["Lin Haoran"]
    assert "林浩然" in tab.shown_text()


def test_a_person_selected_on_the_demo_chart_is_selected_in_the_people_tab(qtbot, tmp_path):
    """Lin Haoran, director of the demo's two intermediaries, picked on the Network tab: the
    People tab (built on demand, its persons read on the worker) selects him."""
    from casebook.book import Casebook
    from casebook.book.demo import DEMO_REF
    from casebook.ui.main_window import MainWindow

    with Casebook.open(tmp_path / "demo.db", user="tester", create=True) as book:
        book.build_demo()
        lin = next(p for p in book.list_persons(case_ref=DEMO_REF) if p["name"] == "Lin Haoran")
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=30_000):
        win.open_store_at(tmp_path / "demo.db")
    qtbot.waitUntil(lambda: win.page.select(DEMO_REF), timeout=30_000)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "network" in workspace._extra, timeout=30_000)
    chart = workspace._extra["network"]
    workspace.tabs.setCurrentWidget(chart)
    qtbot.waitUntil(lambda: chart.complete and lin["uid"] in chart.nodes, timeout=30_000)
    assert chart.select(lin["uid"])
    qtbot.waitUntil(lambda: workspace.tab("people") is not None, timeout=30_000)
    people = workspace._extra["people"]
    qtbot.waitUntil(lambda: people.ready and people.selected() is not None, timeout=30_000)
    assert [p["name"] for p in people.selected_persons()] == ["Lin Haoran"]
    text = people.shown_text()
    assert "林浩然" in text and text.count("director") == 2
