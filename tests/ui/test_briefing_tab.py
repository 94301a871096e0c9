""" "Open demo case" on the start screen, and the Briefing tab driven like a user."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from casebook.ui.briefing_tab import BriefingTab, SaveDialog, pdftoppm

DEMO = "DEMO-CNC-RU"


def briefing_tab(window) -> BriefingTab:
    workspace = window.page.workspace
    tab = next(
        workspace.tabs.widget(i)
        for i in range(workspace.tabs.count())
        if isinstance(workspace.tabs.widget(i), BriefingTab)
    )
    workspace.tabs.setCurrentWidget(tab)
    return tab


def test_open_demo_case_then_generate_preview_and_save_its_briefing(
    qtbot, window, monkeypatch, tmp_path
):
    qtbot.mouseClick(window.page.empty.demo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page.selected_ref() == DEMO, timeout=60_000)
    tab = briefing_tab(window)
    markings = [tab.marking.itemText(i) for i in range(tab.marking.count())]
    assert markings[0] == "TLP:GREEN" and "TLP:CLEAR" not in markings  # never below the case's
    assert not tab.save_button.isEnabled()

    tab.top.setValue(5)
    tab.appendix_rows.setValue(3)
    with qtbot.waitSignal(tab.generated, timeout=60_000) as generated:
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    result = generated.args[0]
    assert result["pages"] > 5 and tab.save_button.isEnabled()
    assert result["appendix_rows"] == 3 and result["table_rows"] > 3
    if pdftoppm():
        qtbot.waitUntil(lambda: tab.preview.pages_layout.count() == result["pages"], timeout=30_000)

    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, parent, s: str(target)))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == tab.pdf_path.read_bytes()
    table = tmp_path / "copy.shipments.csv"  # the full table travels with the copy
    assert hashlib.sha256(table.read_bytes()).hexdigest() == result["table_sha256"]


def test_cancelled_briefing_writes_nothing_and_the_tab_is_ready_again(qtbot, window):
    qtbot.mouseClick(window.page.empty.demo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page.selected_ref() == DEMO, timeout=60_000)
    tab = briefing_tab(window)
    qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    assert not tab.generate.isEnabled()
    dialog = tab.findChild(QProgressDialog)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()  # as the user does in the progress dialog
    qtbot.waitUntil(tab.generate.isEnabled, timeout=60_000)
    assert "Cancelled" in tab.status.text()
    assert list(tab.pdf_path.parent.iterdir()) == []  # neither the PDF nor its table
    assert not tab.save_button.isEnabled()
    with qtbot.waitSignal(tab.generated, timeout=60_000):  # and it generates again
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)


def test_no_section_chosen_is_said_not_generated(qtbot, window):
    window.host.book.create_case(title="Empty", ref="CB-1")
    from casebook.ui.ops import Changes

    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-1")
    tab = briefing_tab(window)
    for box in tab.sections.values():
        box.setChecked(False)
    qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    assert "at least one section" in tab.status.text()


# --- no stale output (issue 19, item 4) -----------------------------------------------------

SMALL = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2023-05-05,Acme Machine Co,Techno Stanok LLC,CN,RU,845811,100000\n"
    "2023-10-06,Beta Tools,Techno Stanok LLC,TR,RU,845961,50000\n"
)


def _small_case(window, tmp_path, ref: str = "CB-BR-1") -> BriefingTab:
    from casebook.ui.ops import Changes

    book = window.host.book
    book.create_case(title="Stale", ref=ref)
    data = tmp_path / "may.csv"
    data.write_text(SMALL, encoding="utf-8")
    book.import_file(data, case_ref=ref)
    window.host.notify(Changes(cases=True))
    assert window.page.select(ref)
    return briefing_tab(window)


def _import_more(window, tmp_path, ref: str = "CB-BR-1") -> None:
    """An import made after the briefing, as the wizard reports it."""
    from casebook.ui.ops import Changes

    more = tmp_path / "more.csv"
    more.write_text(SMALL.replace("2023-05-05", "2023-06-05").replace("100000", "7"), "utf-8")
    window.host.book.import_file(more, case_ref=ref)
    window.host.notify(Changes(datasets=True, shipments=True, firms=True, case_ref=ref))


def test_a_briefing_printed_before_an_import_is_marked_out_of_date_until_regenerated(
    qtbot, window, tmp_path
):
    tab = _small_case(window, tmp_path)
    with qtbot.waitSignal(tab.generated, timeout=60_000) as generated:
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    printed = generated.args[0]["case_head"]
    assert printed == window.host.book.case_head_hash("CB-BR-1")
    qtbot.waitUntil(lambda: window.host.worker.busy is False, timeout=10_000)
    assert not tab.stale and tab.print_button.isEnabled() and tab.save_button.isEnabled()
    assert tab.stale_bar.isHidden()

    _import_more(window, tmp_path)
    qtbot.waitUntil(lambda: tab.stale, timeout=10_000)
    assert tab.stale_bar.isVisible() and tab.regenerate.isEnabled()
    text = tab.stale_label.text()
    assert "Out of date" in text and "the case changed since it was printed" in text
    assert printed[:12] in text
    assert not tab.print_button.isEnabled() and not tab.save_button.isEnabled()

    with qtbot.waitSignal(tab.generated, timeout=60_000) as again:
        qtbot.mouseClick(tab.regenerate, Qt.MouseButton.LeftButton)
    assert again.args[0]["case_head"] == window.host.book.case_head_hash("CB-BR-1") != printed
    qtbot.waitUntil(lambda: window.host.worker.busy is False, timeout=10_000)
    assert not tab.stale and tab.stale_bar.isHidden() and tab.print_button.isEnabled()


def test_only_a_change_in_this_case_marks_its_briefing_out_of_date_naming_both_heads(
    qtbot, window, tmp_path
):
    from casebook.ui.ops import Changes

    book = window.host.book
    tab = _small_case(window, tmp_path)
    with qtbot.waitSignal(tab.generated, timeout=60_000) as generated:
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    printed = generated.args[0]["case_head"]

    book.create_case(title="Another", ref="CB-BR-2")  # the store's head moves, this case's not
    (tmp_path / "other").mkdir()
    _import_more(window, tmp_path / "other", ref="CB-BR-2")
    window.host.notify(Changes.everything())  # as a refresh of every tab does
    qtbot.waitUntil(lambda: window.host.worker.busy is False, timeout=10_000)
    assert book.head_hash() != printed
    assert not tab.stale and tab.stale_bar.isHidden() and tab.print_button.isEnabled()

    _import_more(window, tmp_path)  # an import into this case
    qtbot.waitUntil(lambda: tab.stale, timeout=10_000)
    now = book.case_head_hash("CB-BR-1")
    text = tab.stale_label.text()
    assert f"{printed[:12]}… when printed" in text and f"{now[:12]}… now" in text
    assert not tab.print_button.isEnabled() and tab.regenerate.isEnabled()


@pytest.mark.parametrize("what", ["figure", "person"])
def test_a_figure_pinned_or_a_person_added_after_printing_marks_the_briefing_out_of_date(
    qtbot, window, tmp_path, what
):
    """Both print in the briefing (the figures table, the people behind the firms): seen in
    the live app, a figure pinned from the command line left the printed briefing current."""
    from casebook.ui.ops import Changes

    book = window.host.book
    tab = _small_case(window, tmp_path)
    with qtbot.waitSignal(tab.generated, timeout=60_000):
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.host.worker.busy is False, timeout=10_000)
    assert not tab.stale
    if what == "figure":
        book.add_figure(case_ref="CB-BR-1", label="Everything, count", measure="count")
        window.host.notify(Changes(figures=True, case_ref="CB-BR-1"))
    else:
        book.add_person(case_ref="CB-BR-1", name="Ivan Petrov")
        window.host.notify(Changes(persons=True, case_ref="CB-BR-1"))
    qtbot.waitUntil(lambda: tab.stale, timeout=10_000)
    assert tab.stale_bar.isVisible() and not tab.print_button.isEnabled()


def test_a_cancelled_regenerate_leaves_the_tab_ready_and_still_out_of_date(qtbot, window, tmp_path):
    import threading

    from casebook.ui.ops import Op

    tab = _small_case(window, tmp_path)
    with qtbot.waitSignal(tab.generated, timeout=60_000):
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    _import_more(window, tmp_path)
    qtbot.waitUntil(lambda: tab.stale, timeout=10_000)

    gate = threading.Event()  # holds the worker, so the cancel lands before the briefing runs
    Op(window.host, lambda book: gate.wait(10), label="Holding").run()
    qtbot.mouseClick(tab.regenerate, Qt.MouseButton.LeftButton)
    assert not tab.generate.isEnabled() and not tab.regenerate.isEnabled()
    dialog = tab.findChild(QProgressDialog)
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel").click()
    gate.set()
    qtbot.waitUntil(tab.generate.isEnabled, timeout=60_000)
    assert tab.regenerate.isEnabled() and "Cancelled" in tab.status.text()
    assert tab.stale and tab.stale_bar.isVisible() and not tab.print_button.isEnabled()


# --- the preview zooms (issue 19, item 7) ----------------------------------------------------

A4_WIDTH_POINTS = 595.28


def _page_width(qtbot, tab) -> float:
    """The first page's width on screen, in logical pixels, once it is drawn 1:1 (its pixmap
    has a pixel per screen pixel: never a smaller picture stretched to the zoom)."""
    label = tab.preview.pages_layout.itemAt(0).widget()
    pixmap = label.pixmap()
    shown = pixmap.width() / pixmap.devicePixelRatio()
    qtbot.waitUntil(lambda: abs(label.contentsRect().width() - shown) <= 1, timeout=5_000)
    return shown


def _rendered_at(qtbot, tab, zoom: float) -> float:
    qtbot.waitUntil(lambda: abs(tab.preview.zoom - zoom) < 1e-3, timeout=5_000)
    with qtbot.waitSignal(tab.preview.rendered, timeout=30_000):
        pass
    return _page_width(qtbot, tab)


@pytest.mark.skipif(pdftoppm() is None, reason="the preview needs Poppler's pdftoppm")
def test_the_preview_is_paper_size_at_100_percent_and_zooms_by_keys_wheel_and_fit_width(
    qtbot, window, tmp_path
):
    tab = _small_case(window, tmp_path)
    preview = tab.preview
    assert preview.prompt.isVisible() and "Press Generate" in preview.prompt.text()
    with qtbot.waitSignal(preview.rendered, timeout=60_000):
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    assert preview.prompt.isHidden()
    paper = A4_WIDTH_POINTS / 72 * preview.logicalDpiX()
    assert preview.zoom_label.text() == "100 %"
    assert abs(_page_width(qtbot, tab) - paper) <= 1.5

    window.activateWindow()
    preview.scroll.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is preview.scroll, timeout=5_000)
    qtbot.keyClick(preview.scroll, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert preview.zoom_label.text() == "110 %"
    assert abs(_rendered_at(qtbot, tab, 1.1) - 1.1 * paper) <= 1.5  # rendered anew, sharp

    qtbot.keyClick(preview.scroll, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(preview.scroll, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert preview.zoom_label.text() == "90 %"
    assert abs(_rendered_at(qtbot, tab, 0.9) - 0.9 * paper) <= 1.5

    viewport = preview.scroll.viewport()
    center = QPointF(viewport.rect().center())
    wheel = QWheelEvent(center, viewport.mapToGlobal(center), QPoint(), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(viewport, wheel)
    assert preview.zoom_label.text() == f"{round(0.9 * 1.21 * 100)} %"

    qtbot.keyClick(preview.scroll, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert preview.zoom_label.text() == "100 %"

    qtbot.mouseClick(preview.fit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: preview.zoom < 1, timeout=5_000)  # the pane is narrower than A4
    fitted = _rendered_at(qtbot, tab, preview.zoom)
    assert 0 < viewport.width() - fitted <= 30  # the page fills the pane's width
    assert preview.zoom_label.text() == f"{round(preview.zoom * 100)} %"
