"""The Analysis tab: its charts show the imported data; clicking a bar filters the Shipments tab;
each chart exports an image and its data; the Flags panel jumps to a firm's shipments."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from casebook.book import Casebook
from casebook.core.filters import ShipmentFilter
from casebook.ui import charts
from casebook.ui.analysis_tab import AnalysisTab
from casebook.ui.main_window import MainWindow

TIMEOUT = 60_000
REF = "CB-AN-1"
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
INN = "7707083893"
# (date, exporter, dispatch, origin, code, description, value USD)
ROWS = [
    ("10.01.2023", "SHANDONG JINMA CO., LTD", "КИТАЙ", "КИТАЙ", "8458110000",
     "СТАНОК ТОКАРНЫЙ С ЧПУ FANUC 0i-TF", "1 000 000,00"),
    ("20.01.2023", "山东机床贸易有限公司", "ТУРЦИЯ", "КИТАЙ", "8457101000",
     "ЦЕНТР ОБРАБАТЫВАЮЩИЙ ВЕРТИКАЛЬНЫЙ", "2 000 000,00"),
    ("15.01.2023", "ANKARA MAKINA SANAYI", "ТУРЦИЯ", "ТУРЦИЯ", "8459610000",
     "СТАНОК ФРЕЗЕРНЫЙ", "500 000,00"),
    ("03.02.2023", "ANKARA MAKINA SANAYI", "ТУРЦИЯ", "ТУРЦИЯ", "8459610000",
     "СТАНОК ФРЕЗЕРНЫЙ", "300 000,00"),
    ("05.02.2023", "DMG MORI GMBH", "ГЕРМАНИЯ", "ГЕРМАНИЯ", "8458110000",
     "СТАНОК ТОКАРНЫЙ", "750 000,00"),
]  # fmt: skip
ORIGINS = ["КИТАЙ"] * 5 + ["ТУРЦИЯ", "ГЕРМАНИЯ", "ЯПОНИЯ", "ТАЙВАНЬ", "ИТАЛИЯ", "КАЗАХСТАН"]
MAKERS = ["SHANDONG JINMA CO., LTD", "山东机床贸易有限公司", "ANKARA MAKINA SANAYI",
          "DMG MORI GMBH", "OKUMA CORPORATION", "TAIWAN TAKISAWA CO", "ООО СТАНКОИМПОРТ ТРЕЙД"]  # fmt: skip


def write_csv(path: Path, rows=ROWS) -> Path:
    lines = [HEADER]
    for i, (date, exporter, dispatch, origin, code, text, value) in enumerate(rows):
        lines.append(
            f"10702070/{date[:2]}{date[3:5]}{date[8:]}/{i:07d};{date};1;{exporter};"
            f'ООО "Техностанок";{INN};{dispatch};{origin};{code};{text};{value}'
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def demo_rows(n: int = 400, *, seed: int = 3) -> list[tuple]:
    """``n`` shipments over 2023-2024 from several origins (for looking at the tab)."""
    rng = random.Random(seed)
    codes = ["8458110000", "8457101000", "8459610000", "8466938000", "8537101000"]
    out = []
    for _ in range(n):
        origin = rng.choice(ORIGINS)
        dispatch = origin if rng.random() < 0.8 else rng.choice(["ТУРЦИЯ", "КАЗАХСТАН", "ОАЭ"])
        year, month = rng.choice([2023, 2024]), rng.randint(1, 12)
        value = f"{rng.lognormvariate(11.5, 1.0):.2f}".replace(".", ",")
        text = rng.choice(["СТАНОК ТОКАРНЫЙ С ЧПУ", "ЦЕНТР ОБРАБАТЫВАЮЩИЙ", "立式加工中心"])
        if origin == "КИТАЙ" and rng.random() < 0.3:
            text += rng.choice([" FANUC 0i-MF", " SIEMENS 828D", " HEIDENHAIN"])
        date = f"{rng.randint(1, 28):02d}.{month:02d}.{year}"
        out.append((date, rng.choice(MAKERS), dispatch, origin, rng.choice(codes), text, value))
    return out


def make_store(path: Path, rows=ROWS) -> Path:
    with Casebook.open(path, user="tester", create=True) as book:
        book.create_case(title="Станки через Турцию", ref=REF)
        book.import_file(write_csv(path.with_suffix(".csv"), rows), case_ref=REF)
    return path


def _open_analysis(qtbot, tmp_path) -> tuple[MainWindow, object, AnalysisTab]:
    """The main window on the small store with the case selected, and its Analysis tab."""
    path = make_store(tmp_path / "cases.db")
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1500, 1000)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(path)
    qtbot.waitUntil(lambda: win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "analysis" in workspace._extra, timeout=TIMEOUT)
    tab: AnalysisTab = workspace._extra["analysis"]
    return win, workspace, tab


@pytest.fixture
def opened(qtbot, tmp_path):
    """The main window on the small store, case selected, Analysis tab in front and drawn."""
    win, workspace, tab = _open_analysis(qtbot, tmp_path)
    workspace.tabs.setCurrentWidget(tab)
    if tab._waiting:
        with qtbot.waitSignal(tab.charts_drawn, timeout=TIMEOUT):
            pass
    yield win, workspace, tab
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)  # the flags op too


def _bars(panel):
    """{series label: [bar heights]} of the panel's first axes (bar containers or collections)."""
    ax = panel.figure.axes[0]
    out = {c.get_label(): [round(p.get_height(), 6) for p in c.patches] for c in ax.containers}
    for c in ax.collections:
        ys = [path.vertices[:, 1] for path in c.get_paths()]
        out[c.get_label()] = [round(float(y.max() - y.min()), 6) for y in ys]
    return out


def test_opening_the_tab_draws_every_chart(opened):
    _win, _ws, tab = opened
    assert set(tab.panels) == {
        "monthly", "share", "origin_dispatch", "exporters", "importers", "chpl", "controllers",
    }  # fmt: skip
    for panel in tab.panels.values():
        assert panel.table is not None, panel.spec.key
        assert panel.figure.axes, panel.spec.key


def test_monthly_chart_stacks_the_value_by_origin(opened):
    tab = opened[2]
    monthly = tab.panels["monthly"]
    assert monthly.table.columns == ["month", "CN", "DE", "TR"]
    # USD millions: CN 3.0 in January; TR 0.5 then 0.3; DE 0.75 in February.
    assert _bars(monthly) == {
        "CN China": [3.0, 0.0],
        "DE Germany": [0.0, 0.75],
        "TR Türkiye": [0.5, 0.3],
    }
    assert "millions" in monthly.figure.axes[0].get_ylabel()
    labels = [t.get_text() for t in monthly.figure.axes[0].get_xticklabels()]
    assert labels == ["Jan\n2023", "Feb"]


def test_origin_vs_dispatch_shows_the_transshipment(opened):
    table = opened[2].panels["origin_dispatch"].table
    rows = {r[0]: (r[1], r[3]) for r in table.rows}
    assert rows["CN"] == (3_000_000.0, 1_000_000.0)  # 2 M of Chinese goods left from Turkey
    assert rows["TR"] == (800_000.0, 2_800_000.0)
    bars = _bars(opened[2].panels["origin_dispatch"])
    assert set(bars) == {"By country of origin", "By country of dispatch"}


def test_top_exporters_and_other_charts(opened):
    tab = opened[2]
    exporters = tab.panels["exporters"].table
    assert exporters.rows[0][1] == "山东机床贸易有限公司"
    assert len(tab.panels["exporters"].targets) == len(exporters.rows)
    controllers = tab.panels["controllers"].table
    assert [r[0] for r in controllers.rows] == ["JP"]  # FANUC in a Chinese machine
    share = tab.panels["share"].table
    assert [round(r[2], 6) for r in share.rows] == [round(3.0 / 3.5, 6), 0.0]


def _pick(panel, target) -> None:
    """What a mouse click on ``target``'s bar does: matplotlib's pick through the figure."""
    from matplotlib.backend_bases import MouseButton, MouseEvent

    panel.canvas.draw()
    bar = target.artist
    if target.index is None:
        x, y = bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2
    else:  # one bar of a collection
        x, y = bar.get_paths()[target.index].vertices.mean(axis=0)
    px, py = bar.axes.transData.transform((x, y))
    event = MouseEvent("button_press_event", panel.canvas, px, py, button=MouseButton.LEFT)
    panel.figure.pick(event)


def test_clicking_a_bar_filters_the_shipments_tab(opened, qtbot):
    _win, workspace, tab = opened
    monthly = tab.panels["monthly"]
    target = next(t for t in monthly.targets if t.label.startswith("CN China · 2023-01"))
    assert target.filters == {"origin": "CN", "date_from": "2023-01", "date_to": "2023-01"}
    with qtbot.waitSignal(tab.filter_requested, timeout=TIMEOUT) as got:
        _pick(monthly, target)
    assert got.args == [ShipmentFilter.parse(origin="CN", date_from="2023-01", date_to="2023-01")]
    shipments = workspace._extra["shipments"]
    assert workspace.tabs.currentWidget() is shipments
    assert shipments.lens.origin == ("CN",)
    qtbot.waitUntil(lambda: shipments.model.rowCount() == 2, timeout=TIMEOUT)


def test_clicking_a_dispatch_bar(opened, qtbot):
    _win, workspace, tab = opened
    panel = tab.panels["origin_dispatch"]
    target = next(t for t in panel.targets if t.filters == {"origin": "TR"})
    _pick(panel, target)
    shipments = workspace._extra["shipments"]
    qtbot.waitUntil(lambda: shipments.model.rowCount() == 2, timeout=TIMEOUT)


def test_charts_export_png_svg_and_csv(opened, tmp_path):
    panel = opened[2].panels["exporters"]
    panel.export_image(tmp_path / "c.png")
    panel.export_image(tmp_path / "c.svg")
    panel.export_csv(tmp_path / "c.csv")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "山东机床贸易有限公司" in svg
    text = (tmp_path / "c.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "uid,name,value_usd,shipments,share"
    assert "山东机床贸易有限公司" in text


def test_hover_names_the_value(opened):
    panel = opened[2].panels["monthly"]
    labels = [t.label for t in panel.targets]
    assert "CN China · 2023-01: $3 m" in labels


def test_flags_panel_lists_firms_by_score(opened, qtbot):
    _win, workspace, tab = opened
    qtbot.waitUntil(lambda: tab.flags.tree.topLevelItemCount() > 0, timeout=TIMEOUT)
    scores = [
        float(tab.flags.tree.topLevelItem(i).text(1))
        for i in range(tab.flags.tree.topLevelItemCount())
    ]
    assert scores == sorted(scores, reverse=True)
    assert tab.flags.detail.text() == "Select a firm for its flags and the reasons behind them."
    first = tab.flags.tree.topLevelItem(0)
    assert first.childCount() >= 1 and ":" in first.child(0).text(0)
    # A reason wraps at word ends and is whole in its tooltip; nothing is cut in the middle.
    assert tab.flags.tree.wordWrap()
    assert tab.flags.tree.textElideMode() == Qt.TextElideMode.ElideNone
    assert first.child(0).toolTip(0) == first.child(0).text(0)
    exporter = next(
        i for i in range(tab.flags.tree.topLevelItemCount())
        if tab.flags.tree.topLevelItem(i).text(0) == "DMG MORI GMBH"
    )  # fmt: skip
    with qtbot.waitSignal(tab.filter_requested, timeout=TIMEOUT) as got:
        tab.flags._activated(tab.flags.tree.topLevelItem(exporter), 0)
    assert got.args[0].firms and got.args[0] == ShipmentFilter(firms=got.args[0].firms)
    shipments = workspace._extra["shipments"]
    assert workspace.tabs.currentWidget() is shipments
    qtbot.waitUntil(lambda: shipments.model.rowCount() == 1, timeout=TIMEOUT)  # DMG's one row


def test_shipped_fonts_reach_matplotlib(opened):
    import matplotlib

    assert matplotlib.rcParams["font.family"][:2] == charts.FONT_FAMILIES


# --- legibility: labels that fit, a note for this tab, the wheel over a chart ---------------


def _drawn(draw, table, size=(3.2, 3.1), **options):
    """``table`` drawn by ``draw`` on a figure of ``size`` inches, rendered."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    charts.setup()
    fig = Figure(figsize=size, dpi=96)
    FigureCanvasAgg(fig)
    draw(fig, table, charts.Style(), **options)
    fig.canvas.draw()
    return fig


def _overlapping(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.x1 > box_b.x0 and box_b.x1 > box_a.x0 and box_a.y1 > box_b.y0
        and box_b.y1 > box_a.y0
    ]  # fmt: skip


def test_control_system_labels_and_counts_do_not_run_together():
    from casebook.analysis.charts import ChartTable

    table = ChartTable(
        "foreign_controllers", "Foreign control systems", "bar",
        ["maker_country", "value_usd", "shipments"],
        [("DE", 3_000_000.0, 24), ("JP", 5_000_000.0, 24), ("TW", 2_000_000.0, 24)],
    )  # fmt: skip
    fig = _drawn(charts.draw_counted_bars, table, xlabel="Maker country", colour="#B07AA1")
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    assert _overlapping(ax.get_xticklabels(), renderer) == []
    assert _overlapping(ax.texts, renderer) == []  # the counts above the bars
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["DE", "JP", "TW"]


@pytest.mark.parametrize("width", [3.2, 4.5, 9.0])
def test_month_labels_of_a_narrow_monthly_chart_do_not_run_together(width):
    """Seen at 1024x700: beside its legend the monthly chart's plot is an inch wide, and its
    ticks read "JulJanJul" over "20Ƶ23" (2022 and 2023 printed over each other)."""
    from casebook.analysis.charts import ChartTable

    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)][1:]
    codes = ["CN", "DE", "IT", "JP", "KR", "TW"]
    rows = [(mo, *(1e6 * (i + 1) for i in range(len(codes)))) for mo in months]
    table = ChartTable("monthly_by_origin", "Monthly value", "bar", ["month", *codes], rows)
    fig = _drawn(charts.draw_monthly, table, size=(width, 3.1))
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 2
    assert _overlapping(labels, renderer) == []


def test_long_exporter_names_keep_their_start_inside_the_chart():
    from casebook.analysis.charts import ChartTable

    long_name = "Rheinwerk Werkzeugmaschinen GmbH & Co. KG, Niederlassung Süd"
    table = ChartTable(
        "top_exporters", "Top exporters", "bar",
        ["uid", "name", "value_usd", "shipments", "share"],
        [("f1", long_name, 9_000_000.0, 41, 0.5), ("f2", "北京精雕科技集团有限公司", 8e6, 81, 0.4)],
    )  # fmt: skip
    fig = _drawn(charts.draw_top_parties, table, role="exporter")
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert any(t.get_text().startswith("Rheinwerk") for t in labels)
    for label in labels:
        assert label.get_window_extent(renderer).x0 >= 0, label.get_text()  # not cut at the left


def test_chart_notes_speak_of_this_tab(opened):
    from casebook.ui.analysis_tab import tab_note

    assert (
        tab_note("Counts the whole case; date and code filters do not apply to this chart.")
        == "Counts the whole case."
    )
    # The controllers chart now follows the filters like every other chart: no note.
    assert opened[2].panels["controllers"].note.text() == ""


def test_the_wheel_over_a_chart_scrolls_the_grid(opened, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    tab = opened[2]
    scroll = tab.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=TIMEOUT)
    canvas = tab.panels["share"].canvas
    middle = QPointF(canvas.width() / 2, canvas.height() / 2)
    event = QWheelEvent(
        middle, QPointF(canvas.mapToGlobal(middle)), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    before = bar.value()
    QApplication.sendEvent(canvas, event)
    assert bar.value() > before


def test_add_to_briefing_pins_the_clicked_share_within_the_lens(opened, qtbot, monkeypatch):
    from casebook.ui import analysis_tab

    win, workspace, tab = opened
    workspace.set_lens(ShipmentFilter.parse(hs="8457,8458"))
    qtbot.waitUntil(lambda: not tab._waiting, timeout=TIMEOUT)
    panel = tab.panels["share"]
    target = next(t for t in panel.targets if t.filters.get("date_from") == "2023-01")
    offered = []

    def ask(_parent, label, measure):
        offered.append((label, measure))
        return "CN origin share, January", measure

    monkeypatch.setattr(analysis_tab.FigureDialog, "ask", ask)
    menu = panel.menu_for(target)
    pin = next(a for a in menu.actions() if a.text() == "Add to briefing…")
    pin.trigger()
    assert offered == [("CN origin share, 2023-01", "share")]
    qtbot.waitUntil(lambda: win.host.undo_stack.count() == 1, timeout=TIMEOUT)
    (figure,) = win.host.book.list_figures(case_ref=REF)
    assert figure["label"] == "CN origin share, January"
    assert figure["measure"] == "share"
    assert figure["filters"] == {
        "from": "2023-01", "to": "2023-01", "hs": ["8457", "8458"], "origin": ["CN"],
    }  # fmt: skip
    assert figure["value"] == round(3.0 / 3.5, 6)  # of all January shipments (dates only)
    assert "Add figure" in win.host.undo_stack.undoText()
    win.host.undo_stack.undo()
    qtbot.waitUntil(lambda: not win.host.book.list_figures(case_ref=REF), timeout=TIMEOUT)
    from sqlmodel import select

    from casebook.store import models as m

    with win.host.book.store.read() as session:
        actions = list(session.exec(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))
    assert actions[-2:] == ["figure.add", "figure.remove"]


def test_a_narrow_tab_shows_the_charts_in_one_column(opened, qtbot):
    win, _workspace, tab = opened
    assert tab.columns == 2  # 1500 pixels wide
    win.resize(1024, 700)
    qtbot.waitUntil(lambda: tab.columns == 1, timeout=TIMEOUT)
    share = tab.panels["share"]
    assert share.width() >= tab.panels["monthly"].width() - 2  # as wide as the headline
    win.resize(1500, 1000)
    qtbot.waitUntil(lambda: tab.columns == 2, timeout=TIMEOUT)


def _cut_texts(panel, monkeypatch) -> list[str]:
    """The texts the panel's canvas draws reaching past the figure's edges (tick labels off
    the axis's range are never drawn, so only drawn texts count)."""
    from matplotlib.text import Text

    drawn: list[Text] = []
    original = Text.draw

    def draw(text, renderer):
        if text.get_visible() and text.get_text().strip():
            drawn.append(text)
        return original(text, renderer)

    with monkeypatch.context() as patch:
        patch.setattr(Text, "draw", draw)
        panel.canvas.draw()  # what the screen shows now, at the panel's size
    renderer, box = panel.figure.canvas.get_renderer(), panel.figure.bbox
    cut = []
    for text in drawn:
        extent = text.get_window_extent(renderer)
        if (
            extent.x0 < box.x0 - 1
            or extent.y0 < box.y0 - 1
            or extent.x1 > box.x1 + 1
            or extent.y1 > box.y1 + 1
        ):
            cut.append(f"{text.get_text()!r} at {tuple(round(v) for v in extent.extents)}")
    return cut


def test_axis_titles_and_ticks_stay_inside_the_chart_in_a_small_window(
    qtbot, tmp_path, monkeypatch
):
    """At 1024×700 with a month's value in the tens of billions (a whole HS chapter; ticks like
    "30,000.0"), no chart cuts its "Value (USD millions)" title or a label at the edges."""
    rows = [(*r[:6], f"{float(r[6].replace(' ', '').replace(',', '.')) * 1e4:.2f}") for r in ROWS]
    path = make_store(tmp_path / "cases.db", rows)
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(path)
    qtbot.waitUntil(lambda: win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "analysis" in workspace._extra, timeout=TIMEOUT)
    tab: AnalysisTab = workspace._extra["analysis"]
    workspace.tabs.setCurrentWidget(tab)
    if tab._waiting:
        with qtbot.waitSignal(tab.charts_drawn, timeout=TIMEOUT):
            pass
    qtbot.wait(400)  # a resize's redraw settles
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)
    monthly = tab.panels["monthly"]
    assert monthly.figure.axes[0].get_ylabel() == "Value (USD millions)"
    for panel in tab.panels.values():
        assert _cut_texts(panel, monkeypatch) == [], panel.spec.key


def test_charts_are_drawn_off_the_gui_thread_which_stays_live(qtbot, tmp_path, monkeypatch):
    """Each chart took a second and more to draw on a busy million-row case, on the GUI thread
    (issue 18): charts are drawn and rendered in a thread of their own; meanwhile the window
    handles its events and the chart shows its placeholder; then the image is shown, and
    hover and click work on it."""
    import threading
    import time

    from PySide6.QtCore import QTimer

    threads: list[threading.Thread] = []
    ticks: list[float] = []
    ticked_meanwhile: list[int] = []
    draw_monthly = charts.draw_monthly

    def slow_monthly(fig, table, style, **options):
        threads.append(threading.current_thread())
        before = len(ticks)
        time.sleep(0.8)  # a slow chart
        ticked_meanwhile.append(len(ticks) - before)
        return draw_monthly(fig, table, style, **options)

    monkeypatch.setattr(charts, "draw_monthly", slow_monthly)
    win, workspace, tab = _open_analysis(qtbot, tmp_path)
    timer = QTimer(interval=10, timeout=lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(tab.charts_drawn, timeout=TIMEOUT):
        workspace.tabs.setCurrentWidget(tab)
    timer.stop()
    monthly = tab.panels["monthly"]
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert ticked_meanwhile and ticked_meanwhile[0] > 0  # the window ran while it drew
    assert monthly.targets and monthly.figure.canvas is monthly.canvas
    clicked: list = []
    monthly.filter_requested.connect(clicked.append)
    monthly.activate(monthly.targets[0])
    assert clicked and "date_from" in clicked[0]
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)


def test_firms_sharing_a_name_show_their_country_in_the_charts_and_the_flags(qtbot, tmp_path):
    """Issue 19, item 2: one spelling shipped from Türkiye in one file and from Kazakhstan in
    another is two firms (across files the country still tells firms apart); the Analysis tab
    names each with its country, in the top exporters and in the red flags."""
    path = make_store(tmp_path / "cases.db")
    nova = [
        ("12.03.2023", "NOVA TRADE LTD", "ТУРЦИЯ", "КИТАЙ", "8458110000", "СТАНОК", "900 000,00"),
        ("12.04.2023", "NOVA TRADE LTD", "КАЗАХСТАН", "КИТАЙ", "8458110000", "СТАНОК",
         "800 000,00"),
    ]  # fmt: skip
    with Casebook.open(path, user="tester") as book:
        for n, row in enumerate(nova):
            book.import_file(write_csv(tmp_path / f"nova{n}.csv", [row]), case_ref=REF)
        novas = [f for f in book.list_firms(case_ref=REF) if f["name"] == "NOVA TRADE LTD"]
        assert sorted(f["country"] for f in novas) == ["KZ", "TR"]
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.resize(1500, 1000)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(path)
    qtbot.waitUntil(lambda: win.page.select(REF), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "analysis" in workspace._extra, timeout=TIMEOUT)
    tab = workspace._extra["analysis"]
    workspace.tabs.setCurrentWidget(tab)
    panel = tab.panels["exporters"]
    qtbot.waitUntil(lambda: panel.table is not None and bool(panel.targets), timeout=TIMEOUT)
    names = [r[1] for r in panel.table.rows]
    assert "NOVA TRADE LTD (TR)" in names and "NOVA TRADE LTD (KZ)" in names
    assert "DMG MORI GMBH" in names  # a name of its own stands alone
    labels = [t.label for t in panel.targets]
    assert any(label.startswith("NOVA TRADE LTD (KZ): $800 k") for label in labels), labels
    tree = tab.flags.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=TIMEOUT)
    flagged = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "NOVA TRADE LTD (TR)" in flagged and "NOVA TRADE LTD (KZ)" in flagged, flagged
    row = flagged.index("NOVA TRADE LTD (KZ)")
    tree.setCurrentItem(tree.topLevelItem(row))
    assert "NOVA TRADE LTD (KZ)" in tab.flags.detail.text()
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)


def test_a_flag_reason_wraps_onto_rows_tall_enough_to_show_it_whole(opened, qtbot):
    """Seen at 1024x700: each reason showed its first line only ("Country of origin differs
    from"), the rest cut off below by a one-line row."""
    from PySide6.QtCore import QRect

    win, _workspace, tab = opened
    tree = tab.flags.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=TIMEOUT)
    win.resize(1024, 700)  # the flags pane at its narrowest
    first = tree.topLevelItem(0)
    tree.expandItem(first)
    qtbot.wait(50)
    metrics = tree.fontMetrics()
    for n in range(first.childCount()):
        child = tree.indexFromItem(first.child(n), 0)
        rect = tree.visualRect(child)
        needed = metrics.boundingRect(
            QRect(0, 0, rect.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, child.data()
        ).height()
        assert rect.height() >= needed, (child.data(), rect.height(), needed)
    assert any(tree.visualRect(tree.indexFromItem(first.child(n), 0)).height()
               > 1.5 * metrics.height() for n in range(first.childCount()))  # fmt: skip


def test_a_chpl_tier_bar_shows_and_pins_its_codes(opened, qtbot, monkeypatch):
    """Every bar that stands for shipments can be pinned: a CHPL tier stands for its codes in
    the case (its bar had no filter, so no menu)."""
    from casebook.ui import analysis_tab

    win, _workspace, tab = opened
    panel = tab.panels["chpl"]
    (target,) = [t for t in panel.targets if t.label.startswith("Tier 4.B")]
    assert target.filters == {"hs": "845710,845811,845961"}  # the tier's codes in the case
    monkeypatch.setattr(analysis_tab.FigureDialog, "ask", lambda _p, label, m: (label, m))
    menu = panel.menu_for(target)
    next(a for a in menu.actions() if a.text() == "Add to briefing…").trigger()
    qtbot.waitUntil(lambda: win.host.undo_stack.count() == 1, timeout=TIMEOUT)
    (figure,) = win.host.book.list_figures(case_ref=REF)
    assert figure["label"].startswith("Tier 4.B")
    assert figure["filters"] == {"hs": ["845710", "845811", "845961"]}
    assert figure["value"] == 4_550_000.0  # every listed machine of the case: its bar's value
    assert panel.table.rows == [("4.B", 4_550_000.0, 5)]
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)


def test_a_bar_no_filter_picks_says_why_it_cannot_be_pinned(opened):
    """Right-clicking a bar that stands for no filter (a control-system maker, read from the
    descriptions; "Other firms") opens a menu that says why it offers nothing, not silence."""
    from casebook.ui import analysis_tab

    _win, _workspace, tab = opened
    plain = [t for panel in tab.panels.values() for t in panel.targets if not t.filters]
    assert plain, "the demo has bars no filter picks"
    panel = next(p for p in tab.panels.values() if plain[0] in p.targets)
    menu = panel.menu_for(plain[0])
    assert [(a.text(), a.isEnabled()) for a in menu.actions()] == [(analysis_tab.NO_FILTER, False)]
