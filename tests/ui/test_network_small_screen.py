"""The Network tab on a 1024×700 screen and across a theme change (issue 19 point 2, issue 20):
firms that share a name are told apart on the chart's labels, tooltips and details pane; the
layout box shows its entries whole; Fit leaves the legend's corner free of firms; the legend
follows the theme; the tab leaves the case list its room."""

from __future__ import annotations

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
    # The printed chart's labels come from the same model.
    from casebook.briefing.network import label_lines

    assert " ".join(label_lines(nova.node.shown_name)).startswith("Nova Trade")
    assert nova.node.shown_name == "Nova Trade Ltd (TR)"
