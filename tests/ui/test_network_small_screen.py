"""The Network tab on a 1024×700 screen and across a theme change (issue 19 point 2, issue 20):
firms that share a name are told apart on the chart's labels, tooltips and details pane; the
layout box shows its entries whole; Fit leaves the legend's corner free of firms; the legend
follows the theme; the tab leaves the case list its room."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QStyle, QStyleFactory, QStyleOptionComboBox
from tests.ui.test_print_chart import text_runs

from casebook.ui import exchange_actions
from casebook.ui.network_tab import NetworkTab
from casebook.ui.ops import Changes

TIMEOUT = 20_000
TWINS = (
    "Date,Exporter,Exporter Country,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Nova Trade Ltd,TR,Bravo Trading,TR,RU,845811,100000\n"
    "2022-03-05,Nova Trade Ltd,KZ,Bravo Trading,KZ,RU,845811,40000\n"
    "2022-04-05,Alpha Works,CN,Bravo Trading,CN,RU,845811,70000\n"
)


def _chart(window, qtbot, ref: str) -> NetworkTab:
    window.host.notify(Changes.everything())
    qtbot.waitUntil(lambda: window.page.select(ref), timeout=TIMEOUT)
    workspace = window.page.workspace
    qtbot.waitUntil(lambda: workspace.tab("network") is not None, timeout=TIMEOUT)
    tab = workspace.tab("network")
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(tab.complete and tab.nodes), timeout=TIMEOUT)
    return tab


@pytest.fixture
def demo(window, qtbot):
    window.resize(1024, 700)
    ref = window.host.book.build_demo()["case_ref"]
    tab = _chart(window, qtbot, ref)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=TIMEOUT)
    return window, tab


def test_firms_that_share_a_name_show_their_country_beside_it(window, qtbot, tmp_path):
    data = tmp_path / "twins.csv"
    data.write_text(TWINS, encoding="utf-8")
    book = window.host.book
    book.create_case(title="Twins", ref="CB-TW-1")
    book.import_file(data, case_ref="CB-TW-1")
    tab = _chart(window, qtbot, "CB-TW-1")
    labels = {item.node.uid: item.full_name for item in tab.nodes.values()}
    assert sorted(labels.values()) == [
        "Alpha Works", "Bravo Trading", "Nova Trade Ltd (KZ)", "Nova Trade Ltd (TR)"
    ]  # fmt: skip
    nova = next(i for i in tab.nodes.values() if i.full_name == "Nova Trade Ltd (TR)")
    assert nova.toolTip().splitlines()[0] == "Nova Trade Ltd (TR)"
    with qtbot.waitSignal(tab.details_shown, timeout=TIMEOUT):
        tab.select(nova.node.uid)
    assert "Nova Trade Ltd (TR)" in tab.details.toPlainText()
    # The printed chart (File → Print chart) labels them the same way.
    out = tmp_path / "chart.pdf"
    exchange_actions.print_chart(window, str(out))
    qtbot.waitUntil(lambda: "Printed the chart" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT)  # fmt: skip
    _runs, text, _box = text_runs(out)
    text = " ".join(text.split())
    assert "Nova Trade Ltd (TR)" in text and "Nova Trade Ltd (KZ)" in text


@pytest.fixture
def platform_style(qapp):
    """The app in a platform style first (View → Theme → Follow the system), as on a desktop
    whose style is not Fusion; light and dark then switch to Fusion."""
    was = qapp.style().name()
    other = [k for k in QStyleFactory.keys() if k.casefold() != "fusion"]
    if other:
        qapp.setStyle(QStyleFactory.create(other[0]))
    yield
    qapp.setStyle(QStyleFactory.create(was))


def test_the_layout_box_shows_its_longest_entry_whole_at_1024(platform_style, demo, qtbot):
    window, tab = demo
    box = tab.layout_choice
    longest = max((box.itemText(i) for i in range(box.count())),
                  key=box.fontMetrics().horizontalAdvance)  # fmt: skip
    for theme in ("theme_dark", "theme_light"):
        window.actions[theme].trigger()
        window.page.split.setSizes([10_000, 1])  # the case list as wide as it may be
        qtbot.wait(50)
        opt = QStyleOptionComboBox()
        box.initStyleOption(opt)
        field = box.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, box
        )
        assert field.width() >= box.fontMetrics().horizontalAdvance(longest), (theme, field)
        assert box.width() >= box.sizeHint().width()
    assert window.minimumSizeHint().width() <= 1024


def test_fit_leaves_the_legend_free_of_firms_at_1024(demo, qtbot):
    _window, tab = demo
    view = tab.view
    tab._fit()
    qtbot.wait(300)
    # The chart keeps most of the size it would have without a legend (a legend that takes
    # the top of a small view folds to its title), and no firm is under the legend.
    rect, port = view.visible_rect(), view.viewport().rect()
    free = min((port.width() - 16) / rect.width(), (port.height() - 16) / rect.height())
    assert view.zoom() >= 0.8 * free, (view.zoom(), free)
    legend = QRectF(view.legend.geometry())
    under = [
        item.node.name
        for item in tab.nodes.values()
        if item.isVisible()
        and any(
            view.mapFromScene(r).boundingRect().toRectF().intersects(legend)
            for r in item.obstacles()
        )  # fmt: skip
    ]
    assert not under
    # A click opens the folded legend (and folds it again); Fit then leaves it as chosen.
    assert view.legend.collapsed  # the demo's chart at 1024×700: room for it would halve it
    if view.legend.collapsed:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.legend.geometry().center())  # fmt: skip
        assert not view.legend.collapsed and view.legend.height() > 100
        tab._fit()
        assert not view.legend.collapsed


def test_the_legend_follows_a_theme_change(demo, qtbot):
    window, tab = demo
    view = tab.view
    before = view.legend.pixmap.toImage()
    window.actions["theme_dark"].trigger()
    qtbot.wait(100)
    dark = view.legend.pixmap.toImage()
    assert dark != before
    # The firms' labels too: light text on dark plates, dark text on light plates after.
    item = next(iter(tab.nodes.values()))
    assert item.text_colour.lightness() > 128 > item.plate.lightness()
    assert tab.label_plate.lightness() < 128  # the edges' labels' plates
    window.actions["theme_light"].trigger()
    qtbot.wait(100)
    assert view.legend.pixmap.toImage() != dark
    assert item.text_colour.lightness() < 128 < item.plate.lightness()
    assert tab.label_plate.lightness() > 128


def test_the_tab_leaves_the_case_list_its_room_at_1024(demo, qtbot):
    window, tab = demo
    assert tab.minimumSizeHint().width() <= 600, tab.minimumSizeHint()
    window.page.split.setSizes([10_000, 1])  # the tab at its narrowest: its bar wraps
    qtbot.wait(50)
    assert tab.width() <= 600
    for widget in (tab.date_from, tab.date_to, tab.hs, tab.min_value, tab.layout_choice,
                   tab.relayout_button, tab.fit_button, tab.export_button):  # fmt: skip
        shown = widget.mapTo(tab, widget.rect().bottomRight())
        assert widget.isVisible() and tab.rect().contains(shown), widget
        assert widget.width() >= widget.minimumSizeHint().width()
    # The chart below the bar, not under it.
    assert tab.view.mapTo(tab, tab.view.rect().topLeft()).y() >= tab.bar.geometry().bottom()
