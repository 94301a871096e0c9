"""File → Print Chart…: the Network tab's chart, as it shows it, to a PDF page (issue 20,
"Print"): the labels in their own script, 7 pt or more, none over another."""

from __future__ import annotations

import itertools

import pytest

from casebook.book import Casebook
from casebook.ui import exchange_actions
from casebook.ui.main_window import MainWindow

TIMEOUT = 30_000
NAMES = ("ООО Техно Станок", "深圳精密机械有限公司", "A&B <Trading> Ltd", "Beta Tools")
CSV = (
    "Date,Exporter,Importer,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,深圳精密机械有限公司,ООО Техно Станок,CN,RU,845811,100000\n"
    "2022-02-06,深圳精密机械有限公司,A&B <Trading> Ltd,CN,HK,845811,50000\n"
    "2022-03-07,A&B <Trading> Ltd,ООО Техно Станок,HK,RU,845961,45000\n"
    "2022-03-09,Beta Tools,ООО Техно Станок,TR,RU,845961,900\n"
)


@pytest.fixture
def opened(qtbot, tmp_path):
    data = tmp_path / "shipments.csv"
    data.write_text(CSV, encoding="utf-8")
    with Casebook.open(tmp_path / "cases.db", user="tester", create=True) as book:
        book.create_case(title="Print", ref="CB-PR-1")
        book.import_file(data, case_ref="CB-PR-1")
    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=TIMEOUT):
        win.open_store_at(tmp_path / "cases.db")
    qtbot.waitUntil(lambda: win.page.select("CB-PR-1"), timeout=TIMEOUT)
    workspace = win.page.workspace
    qtbot.waitUntil(lambda: "network" in workspace._extra, timeout=TIMEOUT)
    tab = workspace._extra["network"]
    workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.complete and len(tab.nodes) == 4, timeout=TIMEOUT)
    return win, tab


def text_runs(pdf):
    """(text, size in points, x, y) of every text run of the first page."""
    from pypdf import PdfReader

    page = PdfReader(pdf).pages[0]
    runs = []

    def visit(chunk, cm, tm, _font, size):
        if chunk.strip():
            x, y = tm[4], tm[5]
            x, y = cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
            runs.append((chunk.strip(), size * scale, x, y))

    text = page.extract_text(visitor_text=visit)
    return runs, text, page.mediabox


def test_print_chart_writes_the_tabs_chart_to_a_pdf_page(opened, qtbot, tmp_path):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from casebook.briefing.fonts import CJK, register_fonts

    win, tab = opened
    assert "print_chart" in win.actions
    file_menu = win.menuBar().actions()[0].menu()
    assert win.actions["print_chart"] in file_menu.actions()
    out = tmp_path / "chart.pdf"
    exchange_actions.print_chart(win, str(out))
    assert not out.exists() or win.host.worker.busy  # written on the worker, not here
    qtbot.waitUntil(lambda: "Printed the chart" in win.statusBar().currentMessage(),
                    timeout=TIMEOUT)  # fmt: skip
    runs, text, box = text_runs(out)
    assert (float(box.width), float(box.height)) == pytest.approx((841.89, 595.28), abs=0.5)
    for name in NAMES:  # exact, in their script
        assert name in text, name
    assert "CB-PR-1" in text and "TLP:AMBER" in text
    register_fonts()
    labels = [r for r in runs if r[0] in NAMES]
    assert sorted(r[0] for r in labels) == sorted(NAMES)
    assert min(size for _t, size, _x, _y in labels) >= 7.0
    boxes = [(x, y - 0.2 * s, x + stringWidth(t, CJK, s), y + 0.8 * s) for t, s, x, y in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_a_hidden_firm_is_not_printed_and_the_threshold_is_told(opened, qtbot, tmp_path):
    win, tab = opened
    hidden = next(uid for uid, item in tab.nodes.items() if item.node.name == "A&B <Trading> Ltd")
    tab.nodes[hidden].setVisible(False)  # as "Hide" does
    tab.threshold = 1000.0  # the tab's "hide trade links under $X"
    out = tmp_path / "chart.pdf"
    exchange_actions.print_chart(win, str(out))
    qtbot.waitUntil(lambda: "Printed the chart" in win.statusBar().currentMessage(),
                    timeout=TIMEOUT)  # fmt: skip
    _runs, text, _box = text_runs(out)
    assert "A&B <Trading> Ltd" not in text  # hidden in the tab
    assert "Beta Tools" not in text  # its one link is under the threshold
    assert "深圳精密机械有限公司" in text
    text = " ".join(text.split())
    assert "2 firms · 1 trade link · 0 relationships" in text
    assert "trade links under $1 k hidden" in text


FIRST_TRADE = {"深圳精密机械有限公司": "2022-01-05", "ООО Техно Станок": "2022-01-05",
               "A&B <Trading> Ltd": "2022-02-06", "Beta Tools": "2022-03-09"}  # fmt: skip


def _lay_out(qtbot, tab, kind: str) -> None:
    tab.layout_choice.setCurrentIndex(tab.layout_choice.findData(kind))
    tab.relayout()
    qtbot.waitUntil(lambda: tab.view.axis.visible == (kind == "timeline"), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not tab.host.worker.busy, timeout=TIMEOUT)


def test_the_timeline_layout_has_a_date_axis_on_the_tab_and_on_the_printed_page(
    opened, qtbot, tmp_path
):
    from datetime import date

    win, tab = opened
    # A chart wide enough for monthly ticks (the tab no longer widens a small window).
    win.resize(1024, 720)
    assert not tab.view.axis.visible  # not for the force-directed layout
    _lay_out(qtbot, tab, "timeline")
    view, axis = tab.view, tab.view.axis
    ticks = axis.ticks()
    labels = [label for _x, label, _major in ticks]
    assert {"Feb", "Mar"} <= set(labels) and any("2022" in label for label in labels), labels
    xs = [x for x, _label, _major in ticks]
    assert xs == sorted(xs)
    # The firms of each first trade date stand over it on the axis (the layout moves firms
    # to keep their labels apart: the two of 5 January are side by side, one each side of
    # their day, by as much as their labels' widths need), the later right of the earlier,
    # and above the axis, not under it.
    scale = axis.scale
    span = scale.last - scale.first
    strip = axis.geometry()
    at = {}
    for item in tab.nodes.values():
        first = date.fromisoformat(FIRST_TRADE[item.node.name]).toordinal()
        at[first] = [*at.get(first, []), item.pos().x()]
        assert view.mapFromScene(item.pos()).y() + item.radius < strip.top()
    for first, xs in at.items():
        assert abs(scale.day(sum(xs) / len(xs)) - first) < span / 5, (first, xs)
    days = sorted(at)
    assert all(max(at[a]) < min(at[b]) for a, b in zip(days, days[1:], strict=False))
    # Zoomed in, the ticks are months no more but days, the first one saying its month.
    view.zoom_by(8.0)
    view._settle.stop()
    view._settled()
    days = axis.ticks()
    assert len(days) > len(ticks) and any(label.isdigit() for _x, label, _m in days)
    # Printed: the axis's ticks at 7 pt under the chart, left to right in time.
    out = tmp_path / "timeline.pdf"
    exchange_actions.print_chart(win, str(out))
    qtbot.waitUntil(lambda: "Printed the chart" in win.statusBar().currentMessage(),
                    timeout=TIMEOUT)  # fmt: skip
    runs, text, _box = text_runs(out)
    title = next(r for r in runs if r[0] == "First trade")
    marks = sorted((r for r in runs if r[3] == title[3] and r is not title), key=lambda r: r[2])
    months = [r[0] for r in marks if not r[0].isdigit()]
    assert months == ["Jan 2022", "Feb 2022", "Mar 2022"], marks  # left to right in time
    assert all(size >= 7.0 for _t, size, _x, _y in marks)
    names = [r for r in runs if r[0] in NAMES]
    assert max(r[3] for r in marks) < min(r[3] for r in names)  # under every firm's label
    # Back to the force-directed layout: no axis, on the tab nor on the page.
    _lay_out(qtbot, tab, "force")
    exchange_actions.print_chart(win, str(out))
    qtbot.waitUntil(lambda: not win.host.worker.busy, timeout=TIMEOUT)
    _runs, text, _box = text_runs(out)
    assert "First trade" not in text
