"""Desktop conventions: tab keys wherever the focus is, a window that fits 1024×700 and comes
back where it was, the theme, and the empty states that say what to do next."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from casebook.ui import theme
from casebook.ui.main_window import MainWindow, on_screen
from casebook.ui.ops import Changes
from casebook.ui.settings import Settings

TIMEOUT = 15_000


@pytest.fixture
def two_cases(window, qtbot):
    book = window.host.book
    book.create_case(title="Lathes via Türkiye", ref="CB-K-1")
    book.create_case(title="Станки через Казахстан", ref="CB-K-2")
    window.host.notify(Changes(cases=True))
    qtbot.waitUntil(lambda: window.page.select("CB-K-1"), timeout=TIMEOUT)
    workspace = window.page.workspace
    qtbot.waitUntil(lambda: workspace.tabs.count() >= 3, timeout=TIMEOUT)
    return window, workspace


def _key(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


@pytest.mark.parametrize(
    "key, modifier",
    [
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier),
    ],
)
def test_next_tab_keys_switch_tabs_even_from_the_case_list(two_cases, qtbot, key, modifier):
    window, workspace = two_cases
    window.activateWindow()
    view = window.page.cases.view
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=TIMEOUT)
    assert workspace.tabs.currentIndex() == 0
    _key(qtbot, window, key, modifier)
    assert workspace.tabs.currentIndex() == 1
    assert window.page.selected_ref() == "CB-K-1"  # the case stays
    _key(qtbot, window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert workspace.tabs.currentIndex() == 0
    assert window.page.selected_ref() == "CB-K-1"


def test_ctrl_shift_tab_goes_back_and_the_menu_names_it_so(two_cases, qtbot):
    """The View menu read "Ctrl+Shift+Backtab" (how X11 delivers the key, not its name)."""
    from PySide6.QtGui import QKeySequence

    window, workspace = two_cases
    shown = (
        window.actions["previous_tab"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    )
    assert "Backtab" not in shown and shown.endswith("Tab"), shown
    window.activateWindow()
    view = window.page.cases.view
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=TIMEOUT)
    workspace.tabs.setCurrentIndex(2)
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _key(qtbot, window, Qt.Key.Key_Backtab, modifiers)  # Ctrl+Shift+Tab as X11 sends it
    assert workspace.tabs.currentIndex() == 1


def test_alt_and_a_digit_jump_to_that_tab(two_cases, qtbot):
    window, workspace = two_cases
    window.activateWindow()
    view = window.page.cases.view
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=TIMEOUT)
    _key(qtbot, window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert workspace.tabs.currentIndex() == 2
    _key(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert workspace.tabs.currentIndex() == 0
    _key(qtbot, window, Qt.Key.Key_9, Qt.KeyboardModifier.AltModifier)  # fewer tabs: stays
    assert workspace.tabs.currentIndex() == 0


def test_the_window_fits_a_1024_by_700_screen(window, qtbot):
    # The window a 1024x700 screen first gets (its title bar and frame fit around it): no tab
    # may make it grow past the screen's edge (the Briefing tab's options grew it to 668 px).
    first = on_screen(QRect(0, 0, 640, 480), QRect(0, 0, 1024, 700), fill=0.9).size()
    window.resize(first)
    ref = window.host.book.build_demo()["case_ref"]  # every tab, with real data
    window.host.notify(Changes.everything())
    qtbot.waitUntil(lambda: window.page.select(ref), timeout=TIMEOUT)
    workspace = window.page.workspace
    qtbot.waitUntil(lambda: workspace.tab("network") is not None, timeout=TIMEOUT)
    for i in range(workspace.tabs.count()):  # every tab built and shown once
        workspace.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        assert window.size() == first, workspace.tabs.tabText(i)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=TIMEOUT)
    qtbot.wait(100)
    hint = window.minimumSizeHint()
    assert hint.width() <= first.width() and hint.height() <= first.height(), hint
    briefing = workspace.tab("briefing")
    workspace.tabs.setCurrentWidget(briefing)
    qtbot.wait(50)
    generate = briefing.generate  # the tab's action stays in sight, whatever scrolls
    assert generate.isVisible() and briefing.rect().contains(
        generate.mapTo(briefing, generate.rect().bottomRight())
    )
    window.resize(1600, 1000)  # a tall window: Generate right below the options, not far off
    qtbot.waitUntil(lambda: window.height() == 1000, timeout=TIMEOUT)
    qtbot.wait(50)
    options = briefing.sections["provenance"]  # the last option
    below = options.mapTo(briefing, options.rect().bottomLeft()).y()
    gap = generate.mapTo(briefing, generate.rect().topLeft()).y() - below
    assert 0 < gap < 60
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=TIMEOUT)
    assert window.height() == 700


def test_a_new_window_fits_its_screen_and_a_saved_one_comes_back_on_it():
    screen = QRect(0, 0, 1024, 700)
    first = on_screen(QRect(0, 0, 640, 480), screen, fill=0.9)
    assert screen.contains(first) and first.size().toTuple() == (922, 630)
    gone = on_screen(QRect(2500, 900, 1400, 900), screen)  # saved on a monitor now unplugged
    assert screen.contains(gone) and gone.size().toTuple() == (1024, 700)
    kept = QRect(100, 50, 800, 600)
    assert on_screen(kept, screen) == kept


def test_the_window_reopens_where_it_was(window, qtbot):
    screen = window.screen().availableGeometry()
    window.setGeometry(screen.x() + 40, screen.y() + 30, screen.width() - 80, screen.height() - 90)
    qtbot.wait(50)
    saved = window.geometry()
    window.close()
    again = MainWindow(user="tester")
    qtbot.addWidget(again)
    assert again.geometry() == saved


def test_the_theme_choice_is_applied_and_kept(window, qtbot):
    app = QApplication.instance()
    try:
        window.actions["theme_dark"].trigger()
        assert theme.is_dark(app.palette())
        assert Settings().theme == "dark"
        again = MainWindow(user="tester")
        qtbot.addWidget(again)
        assert again.actions["theme_dark"].isChecked()
        assert not again.actions["theme_system"].isChecked()
        again.actions["theme_light"].trigger()
        assert not theme.is_dark(app.palette())
        assert Settings().theme == "light"
    finally:
        window.set_theme("system")
    assert Settings().theme == "system"


def test_an_empty_case_offers_import_on_its_overview(two_cases, qtbot, tmp_path):
    window, workspace = two_cases
    overview = workspace.overview
    assert workspace.tabs.currentWidget() is overview
    assert overview.import_button.isVisible()
    assert overview.import_button.text() == "Import data…"
    overview.import_button.click()
    wizard = window.import_wizard
    assert wizard.isVisible() and wizard.case_ref == "CB-K-1"
    wizard.close()
    data = tmp_path / "one.csv"
    data.write_text(
        "Date,Exporter,Importer,Country of Origin,HS Code,Goods Description,Value,Currency\n"
        "2023-01-10,SHANDONG JINMA CO LTD,OOO TEHNOSTANOK,CN,8458110000,CNC lathe,1200,USD\n",
        encoding="utf-8",
    )
    window.host.book.import_file(data, case_ref="CB-K-1")
    window.host.notify(Changes(datasets=True, shipments=True, case_ref="CB-K-1"))
    qtbot.waitUntil(lambda: not overview.import_button.isVisible(), timeout=TIMEOUT)


def test_the_screening_tab_says_whether_and_against_what_the_case_was_screened(
    two_cases, qtbot, tmp_path
):
    window, workspace = two_cases
    tab = workspace.tab("screening")
    qtbot.waitUntil(lambda: "never screened" in tab.screened.text(), timeout=TIMEOUT)
    assert "Load list…" in tab.screened.text()
    listed = tmp_path / "list.csv"
    listed.write_text(  # the Consolidated Screening List's CSV columns
        "source,entity_number,type,name,alt_names,addresses,ids\n"
        "Entity List (EL) - Bureau of Industry and Security,1,Entity,STANKOPROM LLC,,,\n",
        encoding="utf-8",
    )
    book = window.host.book
    book.load_list(listed, name="Test list")
    book.screen(case_ref="CB-K-1")
    window.host.notify(Changes(hits=True, case_ref="CB-K-1"))
    qtbot.waitUntil(lambda: "Last screened" in tab.screened.text(), timeout=TIMEOUT)
    assert "Test list (version 1)" in tab.screened.text()
    assert "by tester" in tab.screened.text()


def test_panes_that_wait_for_a_selection_say_what_to_select(two_cases, qtbot, tmp_path):
    window, workspace = two_cases
    data = tmp_path / "two.csv"
    data.write_text(
        "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
        "2023-05-05,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,100000\n",
        encoding="utf-8",
    )
    window.host.book.import_file(data, case_ref="CB-K-1")
    window.host.notify(Changes(datasets=True, shipments=True, firms=True, case_ref="CB-K-1"))
    qtbot.waitUntil(lambda: workspace.tab("network") is not None, timeout=TIMEOUT)

    evidence = workspace.tab("evidence")
    assert evidence.detail.preview.currentWidget() is evidence.detail.preview.empty
    assert "No evidence in this case yet" in evidence.detail.preview.empty.text()
    findings = workspace.tab("findings")
    assert "No key judgments yet: Add finding…" in findings.hint.text()
    datasets = workspace.tab("datasets")
    datasets.table.clearSelection()
    assert datasets.detail.toPlainText().startswith("Select a dataset to see its file")

    firms = workspace.tab("firms")
    qtbot.waitUntil(lambda: firms.firm_view.model().rowCount() == 2, timeout=TIMEOUT)
    firms.firm_view.clearSelection()
    assert firms.detail.toPlainText().startswith("Select a firm to see its names")
    firms.firm_view.selectRow(0)
    assert "Select a firm" not in firms.detail.toPlainText()

    network = workspace.tab("network")
    workspace.tabs.setCurrentWidget(network)
    qtbot.waitUntil(lambda: len(network.nodes) == 2, timeout=TIMEOUT)
    assert network.details.toPlainText().startswith("Select a firm on the chart")
    item = next(iter(network.nodes.values()))
    with qtbot.waitSignal(network.details_shown, timeout=TIMEOUT):
        item.setSelected(True)
    assert item.node.name in network.details.toPlainText()
    network.scene.clearSelection()  # the firm shown is no longer the selected one
    assert network.details.toPlainText().startswith("Select a firm on the chart")


def test_a_narrow_case_list_keeps_reference_and_title_readable_and_whole_in_tooltips(
    two_cases, qtbot
):
    window, _workspace = two_cases
    window.resize(1024, 700)
    window.page.split.setSizes([0, 5000])  # the list as narrow as it goes
    qtbot.waitUntil(lambda: window.page.split.sizes()[1] < 5000, timeout=TIMEOUT)
    panel = window.page.cases
    assert panel.width() >= 200
    view, header = panel.view, panel.view.horizontalHeader()
    qtbot.waitUntil(lambda: header.isSectionHidden(4), timeout=TIMEOUT)  # marking gave way
    assert not header.isSectionHidden(0) and not header.isSectionHidden(1)
    assert header.sectionSize(0) >= view.fontMetrics().horizontalAdvance("CB-K-1")
    assert header.sectionSize(1) >= 90  # a title's first words, not "…"
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "CB-K-2")
    for column in (0, 1):
        tip = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == "CB-K-2 — Станки через Казахстан"


def test_a_long_network_status_is_cut_at_its_end_and_whole_in_its_tooltip(window, qtbot):
    window.host.book.build_demo()
    window.host.notify(Changes.everything())
    qtbot.waitUntil(lambda: window.page.select("DEMO-CNC-RU"), timeout=TIMEOUT)
    workspace = window.page.workspace
    qtbot.waitUntil(lambda: workspace.tab("network") is not None, timeout=TIMEOUT)
    network = workspace.tab("network")
    workspace.tabs.setCurrentWidget(network)
    # 16 firms, 2 persons, drawn (the status line says so once the last slice is drawn)
    qtbot.waitUntil(lambda: network.complete and len(network.nodes) == 18, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=TIMEOUT)
    status = network.status
    full = status.text()
    assert full.startswith("16 firms")
    window.resize(1024, 700)
    window.page.split.setSizes([10_000, 1])  # the case list wide: the tab at its narrowest
    qtbot.waitUntil(lambda: status.shown_text().endswith("…"), timeout=TIMEOUT)
    assert full.startswith(status.shown_text()[:-1]) and status.toolTip() == full
    assert window.minimumSizeHint().width() <= 1024  # the status never widens the window
    window.resize(1600, 1000)
    window.page.split.setSizes([300, 10_000])
    qtbot.waitUntil(lambda: status.shown_text() == full, timeout=TIMEOUT)
    assert status.toolTip() == ""
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=TIMEOUT)


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_filter_link_reads_on_the_light_and_the_dark_theme(two_cases, qtbot):
    window, workspace = two_cases
    toggle = workspace.filter_bar.toggle
    try:
        for choice in ("light", "dark", "light"):  # switched while the window is open
            window.set_theme(choice)
            match = re.search(r"color: (#[0-9a-fA-F]{6})", toggle.text())
            assert match, toggle.text()
            link = QColor(match.group(1))
            assert link == toggle.palette().color(QPalette.ColorRole.Link)
            background = toggle.palette().color(toggle.backgroundRole())
            assert _contrast(link, background) >= 4.5, (choice, link.name(), background.name())
    finally:
        window.set_theme("system")


def test_a_pane_prompt_reads_on_either_theme_after_a_switch(qtbot):
    """Seen in the dark screenshots: "Select a firm to see…" (Firms, Network, People,
    Datasets) kept the colour of the theme it was first shown in: black on dark grey."""
    from PySide6.QtWidgets import QTextEdit

    from casebook.ui.placeholders import show_prompt

    view = QTextEdit(readOnly=True)
    qtbot.addWidget(view)
    app = QApplication.instance()
    try:
        for n, choice in enumerate(("light", "dark", "light")):
            if n == 0:
                theme.apply_theme(app, choice)
                show_prompt(view, "Select a firm to see its names.")
            else:
                theme.apply_theme(app, choice)  # switched while the prompt is shown
            QApplication.processEvents()
            match = re.search(r"color:\s*(#[0-9a-fA-F]{6})", view.toHtml())
            assert match, view.toHtml()
            back = view.palette().color(QPalette.ColorRole.Base)
            assert _contrast(QColor(match.group(1)), back) >= 4.5, (choice, match.group(1))
            assert view.toPlainText() == "Select a firm to see its names."
        view.setPlainText("ООО «Техностанок»")  # a firm shown: a switch leaves it alone
        theme.apply_theme(app, "dark")
        QApplication.processEvents()
        assert view.toPlainText() == "ООО «Техностанок»"
    finally:
        theme.apply_theme(app, "system")


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_secondary_text_reads_on_windows_and_text_areas_of_either_theme(choice):
    """The muted colour of field names, prompts, hints and the Timeline's lane totals (the
    totals were #5F6368: 2.6:1 on the dark theme's text areas)."""
    palette = theme.dark_palette() if choice == "dark" else QApplication.style().standardPalette()
    roles = QPalette.ColorRole
    assert _contrast(theme.muted(palette), palette.color(roles.Window)) >= 4.5
    assert _contrast(theme.muted(palette, on_base=True), palette.color(roles.Base)) >= 4.5
