"""One filter bar per case: set once, every tab shows that slice and names it; clicks narrow
it into the Shipments tab; each case keeps its own lens; a bad value is explained, not raised."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from casebook.book import Casebook
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.ui import workspace as workspace_module
from casebook.ui.analysis_tab import AnalysisTab
from casebook.ui.briefing_tab import BriefingTab
from casebook.ui.firms_tab import FirmsTab
from casebook.ui.main_window import MainWindow
from casebook.ui.shipments_tab import ShipmentsTab
from casebook.ui.timeline_tab import TimelineTab
from casebook.ui.workspace import WorkspaceTab, narrowed

TIMEOUT = 60_000
REF, OTHER = "CB-LENS-1", "CB-LENS-2"
CSV = (
    "Date,Exporter,Importer,Country of Origin,Country of Dispatch,Destination,HS Code,"
    "Goods Description,Value USD\n"
    "2022-11-05,Acme Machine Co,ООО Техностанок,CN,KZ,RU,845811,CNC lathe,100000\n"
    "2023-01-20,Acme Machine Co,ООО Техностанок,CN,KZ,RU,845811,CNC lathe,50000\n"
    "2023-03-07,山东机床贸易有限公司,ООО Техностанок,CN,KZ,RU,845961,Milling machine,70000\n"
    "2023-03-09,山东机床贸易有限公司,ООО Станки,CN,KZ,RU,846693,Spindle parts,5000\n"
    "2023-04-07,Beta Tools,ООО Станки,TR,TR,RU,845961,Milling machine,25000\n"
    "2024-02-01,Beta Tools,ООО Станки,TR,KZ,RU,845961,Milling machine,30000\n"
)
LENS = ShipmentFilter.parse(dispatch="KZ", date_from="2023", date_to="2023")


class FakeNetwork(QWidget):
    """Stands for the Network tab (split by another change): records what it was told."""

    def __init__(self, told: FakeNetwork | None = None):
        super().__init__()
        # One record for every case's tab: the workspace deletes a tab's widget on leaving
        # its case, so each case gets its own widget.
        self.lenses: list[ShipmentFilter] = told.lenses if told else []
        self.revealed: list[tuple[str, str]] = told.revealed if told else []

    def set_lens(self, lens) -> None:
        self.lenses.append(lens)

    def reveal(self, kind: str, uid: str) -> bool:
        self.revealed.append((kind, uid))
        return kind == "firm"


@pytest.fixture
def opened(qtbot, tmp_path, monkeypatch):
    data = tmp_path / "shipments.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        for ref in (REF, OTHER):
            book.create_case(title=f"Lens {ref}", ref=ref)
            book.import_file(data, case_ref=ref)
    import casebook.ui.cases_page  # noqa: F401  (registers the tabs)

    fake = FakeNetwork()
    tabs = [t for t in workspace_module.TABS if t.key != "network"]
    tabs.append(WorkspaceTab("network", "Network", lambda _host, _ref: FakeNetwork(fake)))
    monkeypatch.setattr(workspace_module, "TABS", tabs)
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page is not None and win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: workspace.tab("timeline") is not None, timeout=TIMEOUT)
    workspace.tab("network")  # built (tabs are, on first show or ask): it hears the bar from now
    qtbot.waitUntil(lambda: bool(workspace.filter_bar.firms), timeout=TIMEOUT)  # the choices
    errors = []
    monkeypatch.setattr(win.host, "present_error", lambda exc, trace="": errors.append(exc))
    return win, workspace, fake, errors


def type_and_enter(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setText(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def set_bar(qtbot, workspace, **values) -> None:
    bar = workspace.filter_bar
    for name, text in values.items():
        bar.edits[name].setText(text)
    qtbot.keyClick(bar.edits["dispatch"], Qt.Key.Key_Return)


def counted(qtbot, shipments) -> int:
    """The Shipments tab's rows, once its slice is counted (on the worker)."""
    qtbot.waitUntil(lambda: not shipments.model.counting, timeout=TIMEOUT)
    return shipments.model.rowCount()


def test_the_bar_sets_every_tab_to_the_slice_and_names_it(opened, qtbot):
    win, workspace, fake, errors = opened
    book = win.host.book
    analysis: AnalysisTab = workspace.tab("analysis")
    qtbot.waitUntil(lambda: analysis.panels["monthly"].table is not None, timeout=TIMEOUT)
    timeline: TimelineTab = workspace.tab("timeline")
    with qtbot.waitSignal(workspace.lens_changed, timeout=TIMEOUT) as changed:
        set_bar(qtbot, workspace, dispatch="kz", date_from="2023", date_to="2023")
    assert changed.args == [LENS] and workspace.lens == LENS
    words = "2023 to 2023 · dispatch KZ"
    assert workspace.filter_bar.summary.text() == f"Showing: {words}"

    shipments: ShipmentsTab = workspace.tab("shipments")
    expected = book.shipment_page_source(REF, lens=LENS).count()
    assert counted(qtbot, shipments) == expected == 3
    assert f"Filtered: {words}" in shipments.showing.text()
    assert {shipments.model.index(r, 4).data() for r in range(3)} == {"KZ"}

    firms: FirmsTab = workspace.tab("firms")
    in_lens = {row[4] for row in book.firm_page_source(REF, lens=LENS).fetch(0, 100, "name")}
    # The firms are read on the worker (issue 18).
    qtbot.waitUntil(lambda: {f["uid"] for f in firms.firms.rows} == in_lens, timeout=TIMEOUT)
    assert words in firms.lens_label.text()

    qtbot.waitUntil(
        lambda: all(p.caption == f"Filtered: {words}" for p in analysis.panels.values()),
        timeout=TIMEOUT,
    )
    monthly = book.chart("monthly_by_country", case_ref=REF, lens=LENS, field="origin", top=8)
    assert analysis.panels["monthly"].table.rows == monthly.rows
    assert [r[0] for r in monthly.rows] == ["2023-01", "2023-02", "2023-03"]
    exporters = analysis.panels["exporters"]  # rendered off the GUI thread (issue 18)
    qtbot.waitUntil(
        lambda: f"Filtered: {words}" in [t.get_text() for t in exporters.figure.texts],
        timeout=TIMEOUT,
    )

    qtbot.waitUntil(lambda: timeline.data is not None and timeline.lens == LENS, timeout=TIMEOUT)
    qtbot.waitUntil(
        lambda: timeline.data == book.timeline(case_ref=REF, lanes="firm", lens=LENS),
        timeout=TIMEOUT,
    )
    assert timeline.months() == ["2023-01", "2023-02", "2023-03"]
    assert f"Filtered: {words}" == timeline.caption.text() and timeline.caption.isVisibleTo(
        timeline
    )

    briefing: BriefingTab = workspace.tab("briefing")
    assert words in briefing.lens_label.text()
    assert fake.lenses[-1] == LENS
    assert not errors


def test_the_briefing_is_generated_for_the_lens(opened, qtbot, monkeypatch):
    win, workspace, _fake, errors = opened
    set_bar(qtbot, workspace, dispatch="KZ", date_from="2023", date_to="2023")
    book = win.host.book
    asked = []
    original = type(book).brief

    def brief(self, **kwargs):
        asked.append(kwargs.get("lens"))
        return original(self, **kwargs)

    monkeypatch.setattr(type(book), "brief", brief)
    briefing: BriefingTab = workspace.tab("briefing")
    for key, box in briefing.sections.items():
        box.setChecked(key in ("bluf", "shipments"))
    with qtbot.waitSignal(briefing.generated, timeout=TIMEOUT):
        briefing.generate_briefing()
    assert asked == [LENS] and not errors


def test_a_click_narrows_the_lens_into_the_shipments_tab(opened, qtbot):
    win, workspace, _fake, _errors = opened
    set_bar(qtbot, workspace, dispatch="KZ", date_from="2023", date_to="2023")
    analysis: AnalysisTab = workspace.tab("analysis")
    with qtbot.waitSignal(analysis.filter_requested, timeout=TIMEOUT) as asked:
        analysis.show_shipments({"origin": "CN", "date_from": "2023-03", "date_to": "2023-03"})
    month = ShipmentFilter.parse(dispatch="KZ", origin="CN", date_from="2023-03", date_to="2023-03")
    assert asked.args == [month]
    shipments: ShipmentsTab = workspace.tab("shipments")
    assert workspace.tabs.currentWidget() is shipments and shipments.lens == month
    assert counted(qtbot, shipments) == win.host.book.shipment_page_source(REF, lens=month).count()
    assert counted(qtbot, shipments) == 2
    assert "cannot filter" not in analysis.status.text()
    assert shipments.back.isVisibleTo(shipments) and workspace.lens == LENS  # the bar stays
    shipments.back.click()
    assert shipments.lens == LENS and counted(qtbot, shipments) == 3

    timeline: TimelineTab = workspace.tab("timeline")
    qtbot.waitUntil(lambda: timeline.data is not None and timeline.lens == LENS, timeout=TIMEOUT)
    acme = next(lane["key"] for lane in timeline.lanes() if lane["label"] == "Acme Machine Co")
    timeline.open_cell(acme, "2023-01")
    assert shipments.lens == narrowed(
        LENS, {"firm": acme, "date_from": "2023-01", "date_to": "2023-01"}
    )
    assert shipments.lens.date_to == "2023-01" and counted(qtbot, shipments) == 1
    assert "cannot filter" not in timeline.info.text()


def test_the_firm_box_takes_any_script(opened, qtbot):
    win, workspace, _fake, _errors = opened
    bar = workspace.filter_bar
    type_and_enter(qtbot, bar.firm, "机床")
    uid = next(f["uid"] for f in win.host.book.list_firms(case_ref=REF) if "机床" in f["name"])
    assert workspace.lens == ShipmentFilter(firms=(uid,))
    assert "firm 山东机床贸易有限公司" in bar.summary.text()
    assert counted(qtbot, workspace.tab("shipments")) == 2
    type_and_enter(qtbot, bar.firm, "ооо")  # two firms match: name one
    assert "2 firms" in bar.problem.text() and workspace.lens == ShipmentFilter(firms=(uid,))


def test_a_bad_value_shows_a_message_and_changes_nothing(opened, qtbot):
    _win, workspace, fake, errors = opened
    set_bar(qtbot, workspace, dispatch="KZ")
    shipments = workspace.tab("shipments")
    rows, told = counted(qtbot, shipments), len(fake.lenses)
    for name, text, message in (
        ("date_from", "2023-13", "--from"),
        ("dispatch", "Kazakhstan", "--dispatch"),
        ("min_value", "lots", "--min-value"),
    ):
        type_and_enter(qtbot, workspace.filter_bar.edits[name], text)
        problem = workspace.filter_bar.problem
        assert problem.isVisibleTo(workspace) and message in problem.text(), problem.text()
        assert workspace.lens == ShipmentFilter.parse(dispatch="KZ")
        workspace.filter_bar.edits[name].setText("KZ" if name == "dispatch" else "")
    assert counted(qtbot, shipments) == rows and len(fake.lenses) == told and not errors
    workspace.filter_bar.clear_button.click()
    assert workspace.lens == EVERYTHING and not workspace.filter_bar.problem.isVisibleTo(workspace)
    assert counted(qtbot, shipments) == 6


def test_switching_cases_keeps_each_cases_lens(opened, qtbot):
    win, workspace, fake, _errors = opened
    set_bar(qtbot, workspace, dispatch="KZ", date_from="2023", date_to="2023")
    assert win.page.select(OTHER)
    qtbot.waitUntil(lambda: workspace.ref == OTHER, timeout=TIMEOUT)
    assert workspace.lens == EVERYTHING and workspace.filter_bar.edits["dispatch"].text() == ""
    assert counted(qtbot, workspace.tab("shipments")) == 6
    set_bar(qtbot, workspace, dispatch="TR")
    assert win.page.select(REF)
    qtbot.waitUntil(lambda: workspace.ref == REF, timeout=TIMEOUT)
    assert workspace.lens == LENS and workspace.filter_bar.edits["dispatch"].text() == "KZ"
    assert workspace.filter_bar.edits["date_from"].text() == "2023"
    assert counted(qtbot, workspace.tab("shipments")) == 3
    workspace.tab("network")  # this case's Network tab, built anew: told the case's lens
    assert fake.lenses[-1] == LENS
    assert win.page.select(OTHER)
    qtbot.waitUntil(lambda: workspace.ref == OTHER, timeout=TIMEOUT)
    assert workspace.lens == ShipmentFilter.parse(dispatch="TR")


def test_show_firm_selects_it_in_the_firms_tab_and_tells_the_others(opened, qtbot):
    win, workspace, fake, _errors = opened
    uid = next(
        f["uid"] for f in win.host.book.list_firms(case_ref=REF) if f["name"] == "Beta Tools"
    )
    assert workspace.show("firm", uid, switch=True)
    firms: FirmsTab = workspace.tab("firms")
    assert workspace.tabs.currentWidget() is firms
    # Built by the ask, it selects the firm once its firms are read (on the worker).
    qtbot.waitUntil(lambda: [f["uid"] for f in firms.selected_firms()] == [uid], timeout=TIMEOUT)
    assert ("firm", uid) in fake.revealed
    timeline: TimelineTab = workspace.tab("timeline")
    qtbot.waitUntil(lambda: timeline.data is not None, timeout=TIMEOUT)
    assert workspace.show("firm", uid)  # the current tab stays without switch
    assert workspace.tabs.currentWidget() is firms and timeline.selected[0] == uid


def test_the_bar_fits_a_1024_px_window(opened, qtbot):
    win, workspace, _fake, _errors = opened
    win.resize(1024, 768)
    qtbot.waitUntil(lambda: win.width() == 1024, timeout=TIMEOUT)
    bar = workspace.filter_bar
    assert bar.isHidden() and bar.head.isVisible()  # folded: the header line names the lens
    bar.toggle.linkActivated.emit("filter")
    qtbot.waitUntil(lambda: bar.width() <= 1024 and bar.boxes.isVisible(), timeout=TIMEOUT)
    right = bar.boxes.rect().right()
    for edit in (*bar.edits.values(), bar.firm):
        needed = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        assert edit.width() >= needed + 20, (edit.objectName(), edit.width(), needed)
        assert edit.geometry().right() <= right and edit.geometry().bottom() <= bar.boxes.height()
    for widget in (bar.firm, bar.dataset, bar.apply_button, bar.clear_button):
        assert widget.geometry().right() <= right
        assert widget.geometry().bottom() <= bar.boxes.height()
    button = bar.clear_button
    assert button.width() >= button.fontMetrics().horizontalAdvance(button.text()) + 8


def test_narrowing_keeps_the_tighter_bounds():
    lens = ShipmentFilter.parse(origin="CN,TR", date_from="2023-02", date_to="2023")
    assert narrowed(lens, {"date_from": "2023-01", "date_to": "2023-01"}) == ShipmentFilter(
        date_from="2023-02", date_to="2023-01", origin=("CN", "TR")
    )
    assert narrowed(lens, {"origin": "TR", "date_from": "2023-05", "date_to": "2023-05"}) == (
        ShipmentFilter(date_from="2023-05", date_to="2023-05", origin=("TR",))
    )
    assert narrowed(EVERYTHING, {"firm": "f-1"}) == ShipmentFilter(firms=("f-1",))


def test_the_bar_filters_the_real_network_tab(qtbot, tmp_path):
    """The Network tab itself (not a stand-in) redraws the bar's slice and names it."""
    data = tmp_path / "shipments.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Lens", ref=REF)
        book.import_file(data, case_ref=REF)
    import casebook.ui.cases_page  # noqa: F401  (registers the tabs)

    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page is not None and win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: workspace.tab("network") is not None, timeout=TIMEOUT)
    network = workspace.tab("network")
    qtbot.waitUntil(lambda: network.model is not None, timeout=TIMEOUT)
    with qtbot.waitSignal(network.drawn, timeout=TIMEOUT):
        set_bar(qtbot, workspace, dispatch="kz", date_from="2023", date_to="2023")
    expected = win.host.book.network(case_ref=REF, lens=LENS)
    wanted = {(e.source, e.target, e.value_usd) for e in expected.edges if e.is_trade}

    def shown() -> set:
        drawn = [item.edge for item in network.edge_items if item.edge.is_trade]
        return {(e.source, e.target, e.value_usd) for e in drawn}

    # The whole case's first drawing may arrive just after the bar was set: then the slice's.
    qtbot.waitUntil(lambda: shown() == wanted, timeout=TIMEOUT)
    shown = shown()
    assert sum(v for *_, v in shown) == 50000 + 70000 + 5000
    assert network.caption.text() == "Filtered: 2023 to 2023 · dispatch KZ"
