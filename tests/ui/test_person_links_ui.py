"""A person's links edited in the People tab (issue 21): Add link… opens the person-link dialog
(kinds in words, the other end a filterable combo of the case's firms — or, for associate and
family, persons — share, dates, notes, evidence; OK disabled with a reason while a value is
wrong); Edit… and Delete… change the selected link. Each change goes through the facade (what
``person show`` reads back), and Edit → Undo / Redo reverse it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casebook.ui.people_panel import PeoplePanel
from casebook.ui.relationship_dialog import PersonLinkDialog

REF = "CB-PL-1"
HUAXIN = "Huaxin Trading Ltd"
ANKA = "Anka Dis Ticaret"
VOLKOV = "Sergei Volkov"
LIN = "Lin Haoran"
TIMEOUT = 15_000


@pytest.fixture
def panel(window, qtbot, tmp_path, editing):
    """Two firms (one with a Chinese name), two persons (Cyrillic, Chinese), one evidence item
    (E1); the People tab open on the case."""
    book = window.host.book
    book.create_case(title="People behind firms", ref=REF)
    firms = {
        HUAXIN: editing.add_firm(book, REF, HUAXIN, native="华信贸易有限公司", country="HK").uid,
        ANKA: editing.add_firm(book, REF, ANKA, country="TR").uid,
    }
    persons = {
        VOLKOV: book.add_person(case_ref=REF, name=VOLKOV, native_name="Сергей Волков",
                                birth_date="1971-05-04")["uid"],
        LIN: book.add_person(case_ref=REF, name=LIN, native_name="林浩然")["uid"],
    }  # fmt: skip
    (tmp_path / "registry.txt").write_text("Companies Registry: directors", encoding="utf-8")
    book.add_evidence(tmp_path / "registry.txt", case_ref=REF, title="HK registry", grade="B2")
    widget = PeoplePanel(window.host, REF)
    widget.uids = firms | persons
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=TIMEOUT)
    return widget


def select(panel: PeoplePanel, name: str) -> None:
    assert panel.reveal("person", panel.uids[name])
    assert panel.selected()["name"] == name


def shown_links(book, uid: str) -> list[tuple]:
    """``person show``'s links: ends, kind, share, dates, notes, evidence ids."""
    return [
        (k["from_name"], k["to_name"], k["kind"], k["share"], k["start"], k["end"], k["notes"],
         [e["id"] for e in k["evidence"]])
        for k in book.show_person(uid)["links"]
    ]  # fmt: skip


def answer_with(monkeypatch, fill) -> list[PersonLinkDialog]:
    """Make ``PersonLinkDialog.ask`` build the real dialog from what the tab passes, let
    ``fill(dialog)`` set its fields as a user would, and answer OK (only if OK is enabled)."""
    made = []

    def ask(cls, parent, **kwargs):
        dialog = cls(parent, **kwargs)
        made.append(dialog)
        fill(dialog)
        assert dialog.ok.isEnabled(), dialog.problem.text()
        return dialog.values()

    monkeypatch.setattr(PersonLinkDialog, "ask", classmethod(ask))
    return made


def pick(dialog: PersonLinkDialog, text: str) -> None:
    """Type part of a name into the other-end combo and take the entry it completes to."""
    matches = [
        dialog.other.itemText(i)
        for i in range(dialog.other.count())
        if text.casefold() in dialog.other.itemText(i).casefold()
    ]
    assert len(matches) == 1, matches
    dialog.other.setEditText(matches[0])


def test_add_a_director_link_with_dates_then_undo_and_redo(
    panel, window, qtbot, monkeypatch, editing
):
    book, stack = window.host.book, window.host.undo_stack
    assert not panel.link_add.isEnabled()
    select(panel, VOLKOV)
    assert panel.link_texts() == [] and "none recorded" in panel.link_label.text()

    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("director"))
        assert dialog.kind.currentText() == "Director"
        assert not dialog.share.isEnabled()  # only owners hold a share
        pick(dialog, "华信")  # the firm's Chinese name finds it
        dialog.start.setText("2021-06-01")
        dialog.end.setText("2023-06-30")
        dialog.notes.setPlainText("Registry extract, directors")
        dialog.evidence.item(0).setCheckState(Qt.CheckState.Checked)
        assert dialog.reads.text() == f"{VOLKOV} is director of {HUAXIN}"

    made = answer_with(monkeypatch, fill)
    editing.click(qtbot, panel, panel.link_add)
    assert made[0].windowTitle() == f"Add link of {VOLKOV}"
    want = [(VOLKOV, HUAXIN, "director", None, "2021-06-01", "2023-06-30",
             "Registry extract, directors", ["E1"])]  # fmt: skip
    assert shown_links(book, panel.uids[VOLKOV]) == want
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == f"Add link {VOLKOV} → director of {HUAXIN}"
    assert panel.link_texts() == [
        (f"{HUAXIN} (firm)", "director", "", "2021-06-01", "2023-06-30", "1",
         "Registry extract, directors")
    ]  # fmt: skip
    assert panel.selected_link()["kind"] == "director"  # the new link is selected
    assert panel.link_edit.isEnabled() and panel.link_delete.isEnabled()

    editing.undo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV]) == []
    assert panel.link_texts() == []
    editing.redo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV]) == want


def test_add_a_shareholder_with_its_share_as_the_cli_reads_it(
    panel, window, qtbot, monkeypatch, editing, run_cli
):
    select(panel, VOLKOV)

    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("shareholder"))
        pick(dialog, "anka")
        dialog.share.setText("25")
        dialog.start.setText("2022-01-15")
        assert dialog.reads.text() == f"{VOLKOV} holds 25% of {ANKA}"

    answer_with(monkeypatch, fill)
    editing.click(qtbot, panel, panel.link_add)
    qtbot.waitUntil(lambda: window.host.undo_stack.count() == 1, timeout=TIMEOUT)
    assert window.host.undo_stack.undoText() == f"Add link {VOLKOV} → shareholder (25%) of {ANKA}"
    # the command line reads the same store the window has open (tmp_path/cases.db)
    shown = run_cli("person", "show", panel.uids[VOLKOV], "--json").json["links"]
    assert [(k["to_name"], k["kind"], k["share"], k["start"], k["end"]) for k in shown] == [
        (ANKA, "shareholder", 25.0, "2022-01-15", None)
    ]
    assert panel.link_texts()[0][:4] == (f"{ANKA} (firm)", "shareholder", "25 %", "2022-01-15")


def test_an_associate_is_another_person_found_in_their_script(
    panel, window, qtbot, monkeypatch, editing
):
    select(panel, VOLKOV)

    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("director"))
        offered = [dialog.other.itemText(i) for i in range(dialog.other.count())]
        assert offered == [f"{ANKA} (TR)", f"{HUAXIN} / 华信贸易有限公司 (HK)"]  # firms only
        assert dialog.other_label.text() == "&Firm"
        dialog.kind.setCurrentIndex(dialog.kind.findData("associate"))
        offered = [dialog.other.itemText(i) for i in range(dialog.other.count())]
        assert offered == [f"{LIN} / 林浩然"]  # persons only, not Volkov himself
        assert dialog.other_label.text() == "&Person"
        assert not dialog.ok.isEnabled() and "Pick the person" in dialog.problem.text()
        pick(dialog, "浩然")

    answer_with(monkeypatch, fill)
    editing.click(qtbot, panel, panel.link_add)
    assert shown_links(window.host.book, panel.uids[LIN]) == [
        (VOLKOV, LIN, "associate", None, None, None, "", [])
    ]
    select(panel, LIN)
    assert panel.link_texts()[0][:2] == (f"{VOLKOV} (person)", "associate")


@pytest.fixture
def director(panel, window, qtbot):
    """Volkov director of Huaxin since 2021-06-01 (added on the command line's way), selected."""
    book = window.host.book
    book.add_relationship(case_ref=REF, from_uid=panel.uids[VOLKOV], to_uid=panel.uids[HUAXIN],
                          kind="director", start="2021-06-01", notes="from the registry")  # fmt: skip
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.reload()
    select(panel, VOLKOV)
    panel.link_list.setCurrentItem(panel.link_list.topLevelItem(0))
    return panel


def test_edit_the_selected_link_then_undo_restores_it(
    director, window, qtbot, monkeypatch, editing
):
    panel, book, stack = director, window.host.book, window.host.undo_stack
    before = shown_links(book, panel.uids[VOLKOV])

    def fill(dialog):
        assert dialog.windowTitle() == f"Edit link of {VOLKOV}"
        assert dialog.kind.currentData() == "director" and dialog.start.text() == "2021-06-01"
        assert dialog.other_uid() == panel.uids[HUAXIN]
        dialog.kind.setCurrentIndex(dialog.kind.findData("beneficial owner"))
        dialog.share.setText("75")
        dialog.end.setText("2024-03-31")
        dialog.evidence.item(0).setCheckState(Qt.CheckState.Checked)

    answer_with(monkeypatch, fill)
    editing.click(qtbot, panel, panel.link_edit)
    assert shown_links(book, panel.uids[VOLKOV]) == [
        (VOLKOV, HUAXIN, "beneficial owner", 75.0, "2021-06-01", "2024-03-31",
         "from the registry", ["E1"])
    ]  # fmt: skip
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == f"Edit link {VOLKOV} → beneficial owner (75%) of {HUAXIN}"
    assert panel.link_texts()[0][1:5] == ("beneficial owner", "75 %", "2021-06-01", "2024-03-31")
    editing.undo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV]) == before
    editing.redo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV])[0][2:4] == ("beneficial owner", 75.0)


def test_moving_a_link_to_another_firm_and_back_by_undo(
    director, window, qtbot, monkeypatch, editing
):
    panel, book = director, window.host.book
    answer_with(monkeypatch, lambda dialog: pick(dialog, "anka"))
    editing.click(qtbot, panel, panel.link_edit)
    assert [k[1] for k in shown_links(book, panel.uids[VOLKOV])] == [ANKA]
    editing.undo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV]) == [
        (VOLKOV, HUAXIN, "director", None, "2021-06-01", None, "from the registry", [])
    ]


def test_delete_asks_then_undo_brings_the_link_back_and_redo_deletes_it_again(
    director, window, qtbot, monkeypatch, editing
):
    panel, book, stack = director, window.host.book, window.host.undo_stack
    asked = []
    monkeypatch.setattr(PeoplePanel, "confirm_delete_link",
                        classmethod(lambda cls, parent, link: asked.append(link["label"]) or True))  # fmt: skip
    before = shown_links(book, panel.uids[VOLKOV])
    editing.click(qtbot, panel, panel.link_delete)
    assert asked == [f"{VOLKOV} → {HUAXIN} (director)"]
    assert shown_links(book, panel.uids[VOLKOV]) == [] and panel.link_texts() == []
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == f"Delete link {VOLKOV} → director of {HUAXIN}"
    editing.undo(qtbot, window, panel)
    assert shown_links(book, panel.uids[VOLKOV]) == before
    assert panel.link_texts()[0][:2] == (f"{HUAXIN} (firm)", "director")
    editing.redo(qtbot, window, panel)  # the restored link, under its new uid
    assert shown_links(book, panel.uids[VOLKOV]) == []


def test_a_cancelled_delete_keeps_the_link(director, window, qtbot, monkeypatch):
    panel = director
    monkeypatch.setattr(
        PeoplePanel, "confirm_delete_link", classmethod(lambda cls, parent, link: False)
    )
    panel.link_delete.click()
    qtbot.wait(200)
    assert len(shown_links(window.host.book, panel.uids[VOLKOV])) == 1
    assert window.host.undo_stack.count() == 0


def test_ok_is_disabled_with_a_reason_while_the_share_or_the_dates_are_wrong(qtbot):
    volkov = {"uid": "p1", "name": VOLKOV, "native_name": "Сергей Волков", "birth_date": "1971"}
    firms = [{"uid": "f1", "name": HUAXIN, "native_name": "华信贸易有限公司", "country": "HK"}]
    dialog = PersonLinkDialog(None, person=volkov, firms=firms, persons=[volkov])
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and "Pick the firm" in dialog.problem.text()
    pick(dialog, "华信")
    assert dialog.ok.isEnabled() and dialog.problem.isHidden()
    dialog.kind.setCurrentIndex(dialog.kind.findData("shareholder"))
    assert dialog.share.isEnabled() and dialog.other_uid() == "f1"  # still the same firm
    for bad in ("150", "-1", "a lot"):
        dialog.share.setText(bad)
        assert not dialog.ok.isEnabled(), bad
        assert dialog.problem.text() == "The share must be a percentage from 0 to 100."
        assert not dialog.problem.isHidden()
    dialog.share.setText("100")
    assert dialog.ok.isEnabled()
    dialog.start.setText("2022-05-01")
    dialog.end.setText("2021-01-31")
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "The end date is before the start date."
    dialog.end.setText("31.02.2023")
    assert "is not a date" in dialog.problem.text() and not dialog.ok.isEnabled()
    dialog.end.setText("2023-02-28")
    assert dialog.ok.isEnabled()
    assert dialog.values() == {
        "kind": "shareholder", "from_uid": "p1", "to_uid": "f1", "share": 100.0,
        "start": "2022-05-01", "end": "2023-02-28", "notes": "", "evidence": [],
    }  # fmt: skip
    dialog.kind.setCurrentIndex(dialog.kind.findData("director"))
    dialog.share.setText("150")  # ignored: a director holds no share
    assert dialog.ok.isEnabled() and dialog.values()["share"] is None


def test_the_firms_tab_shows_a_firms_people_read_only_and_follows_the_people_tab(
    director, window, qtbot, monkeypatch, editing
):
    """Huaxin's detail on the Firms tab names its director with the dates; a shareholder added
    on the People tab appears there too (read on the worker, no reload of the firms)."""
    from casebook.ui.firms_tab import FirmsTab

    firms = FirmsTab(window.host, REF)
    window.host.changed.connect(firms.on_changes)
    qtbot.addWidget(firms)
    firms.show()
    qtbot.waitUntil(lambda: firms.ready, timeout=TIMEOUT)
    assert firms.reveal("firm", director.uids[HUAXIN])
    qtbot.waitUntil(lambda: "People" in firms.detail.toPlainText(), timeout=TIMEOUT)
    text = firms.detail.toPlainText()
    assert f"{VOLKOV} — director, 2021-06-01 – now" in text
    assert "edit on the People tab" in text

    select(director, LIN)

    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("shareholder"))
        pick(dialog, "华信")
        dialog.share.setText("40")

    answer_with(monkeypatch, fill)
    editing.click(qtbot, director, director.link_add)
    qtbot.waitUntil(
        lambda: f"{LIN} — shareholder 40%" in firms.detail.toPlainText(), timeout=TIMEOUT
    )
    assert f"{VOLKOV} — director" in firms.detail.toPlainText()


def test_an_edited_links_other_end_stays_on_offer_when_not_listed(qtbot):
    """A link to a firm outside the case's firm list (rel add takes any firm's uid) can still be
    edited without picking its firm again."""
    volkov = {"uid": "p1", "name": VOLKOV}
    link = {"uid": "l1", "kind": "director", "from_uid": "p1", "from_name": VOLKOV,
            "from_kind": "person", "to_uid": "f9", "to_name": "Elsewhere LLC", "to_kind": "firm",
            "share": None, "start": "2020-01-01", "end": None, "notes": "", "evidence": []}  # fmt: skip
    dialog = PersonLinkDialog(None, person=volkov, firms=[], persons=[], link=link)
    qtbot.addWidget(dialog)
    assert dialog.other_uid() == "f9" and dialog.ok.isEnabled()
    dialog.end.setText("2022-12-31")
    assert dialog.values()["to_uid"] == "f9" and dialog.values()["end"] == "2022-12-31"
