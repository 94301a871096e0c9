"""The People tab (issue 21): a case's persons in their own script with their links; adding one
through the dialog, merging two and splitting them again (each undoable), the filter box."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from casebook.ui.people_panel import PeoplePanel, PersonDialog

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
    widget = PeoplePanel(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.show()
    return widget


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
    widget = PeoplePanel(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _row(panel: PeoplePanel, name: str) -> int:
    return next(r for r, p in enumerate(panel.persons) if p["name"] == name)


def _select(panel: PeoplePanel, *names: str) -> None:
    panel.table.clearSelection()
    model, selection = panel.table.model(), panel.table.selectionModel()
    for name in names:
        selection.select(
            model.index(_row(panel, name), 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )


def _shown(panel: PeoplePanel) -> list[str]:
    return [p["name"] for r, p in enumerate(panel.persons) if not panel.table.isRowHidden(r)]


def test_lists_persons_with_native_names_identifiers_and_links(panel):
    assert panel.count.text() == "2 persons"
    cells = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert cells[:4] == ["Ivan Petrov", "Иван Петров", "1970", ""]
    assert cells[4] == "ru_inn 773407989940" and cells[5] == "1"
    assert panel.reveal("person", panel.persons[1]["uid"])
    text = panel.detail.toPlainText()
    assert "Olga Petrova" in text
    assert "Ivan Petrov (person)" in text and "family" in text  # the link, seen from Olga
    assert not panel.reveal("firm", panel.persons[1]["uid"])


def test_the_detail_shows_each_link_with_firm_role_share_and_dates(firm_panel):
    _select(firm_panel, "Ivan Petrov")
    text = firm_panel.detail.toPlainText()
    assert all(h in text for h in ("With", "Role", "Share", "From", "To"))
    assert "Alpha Trading LLC (firm)" in text and "director" in text
    assert "2021-04-01" in text and "2023-06-30" in text
    assert "Beta Machinery LLC" not in text  # the other spelling's link, until they are merged
    _select(firm_panel, "Ivan Petrov Sergeevich")
    text = firm_panel.detail.toPlainText()
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
    text = panel.detail.toPlainText()
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
    assert "Beta Machinery LLC" not in panel.detail.toPlainText()
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
    assert panel.reveal("person", panel.persons[_row(panel, "Lin Haoran")]["uid"])
    assert panel.filter.text() == "" and len(_shown(panel)) == 3  # revealed: filter cleared


def test_add_person_and_undo_it(panel, window, qtbot, monkeypatch):
    fields = {"name": "Lin Haoran", "native_name": "林浩然", "birth_date": "1979-04-12",
              "nationality": "HK", "identifiers": []}  # fmt: skip
    monkeypatch.setattr(PersonDialog, "ask", classmethod(lambda cls, parent: fields))
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.add_button.click()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Lin Haoran", "Olga Petrova"]
    assert panel.table.item(1, 1).text() == "林浩然"
    stack = window.host.undo_stack
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == "Add person Lin Haoran"
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.undo()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Olga Petrova"]


def test_the_detail_says_what_to_select_when_no_one_is_selected(panel):
    panel.table.clearSelection()
    text = panel.detail.toPlainText()
    assert text.startswith("Select a person") and "roles" in text
