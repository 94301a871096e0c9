"""The briefing's network page: the link chart's model (trade per pair of firms, the threshold),
the largest links drawn and the rest summed in a sentence, labels of 7 pt or more that neither
overlap nor lie under an edge."""

from __future__ import annotations

import itertools

from casebook.briefing.network import place_labels


def network_runs(pdf_path):
    """(text, size, x, y) of every text run on the page holding the network diagram, in PDF
    points (the page's transformation applied), and the page's text."""
    from pypdf import PdfReader

    for page in PdfReader(pdf_path).pages:
        text = page.extract_text()
        if "Network of firms" not in text or "makers / exporters" not in text:
            continue
        runs = []

        def visit(chunk, cm, tm, _font, size, runs=runs):
            if chunk.strip():
                a, b, c, d, e, f = tm
                x = a * 0 + c * 0 + e
                y = f
                x, y = cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]
                scale = abs(d * cm[3]) or abs(a * cm[0])
                runs.append((chunk.strip(), size * scale, x, y))

        page.extract_text(visitor_text=visit)
        return runs, text
    raise AssertionError("no network page")


def label_runs(runs, names):
    """The runs that are (parts of) firm names: the diagram's labels."""
    parts = {p for name in names for p in [name, *name.split(" ")] if len(p) > 2}
    return [r for r in runs if r[0] in parts or any(r[0] in n for n in names if len(r[0]) > 3)]


def test_every_label_is_at_least_7_points_and_none_overlap(demo_book, demo_pdf):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from casebook.briefing.fonts import CJK, register_fonts

    register_fonts()
    names = [n.name for n in demo_book.link_chart(case_ref="DEMO-CNC-RU").model.nodes]
    runs, _text = network_runs(demo_pdf[0])
    labels = label_runs(runs, names)
    assert len(labels) >= 10
    assert min(size for _t, size, _x, _y in labels) >= 7.0
    boxes = [
        (x, y - 0.2 * size, x + stringWidth(text, CJK, size), y + 0.8 * size, text)
        for text, size, x, y in labels
    ]
    for a, b in itertools.combinations(boxes, 2):
        overlap = (
            a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
        )
        assert not overlap, (a, b)


def test_the_page_draws_the_40_largest_links_and_sums_the_rest(demo_book, demo_pages):
    chart = demo_book.link_chart(case_ref="DEMO-CNC-RU")
    trade = sorted((e for e in chart.model.edges if e.is_trade), key=lambda e: -e.value_usd)
    assert len(trade) > 40  # the demo has more than a page holds
    from casebook.core.numbers import money

    rest = money(sum(e.value_usd for e in trade[40:]), compact=True)
    page = next(p for p in demo_pages if "Network of firms" in p and "makers" in p)
    sentence = f"And {len(trade) - 40} smaller trade links worth {rest} are not drawn."
    assert sentence in " ".join(page.split())


def test_the_threshold_of_the_chart_applies_to_the_page(demo_book):
    from casebook.core.numbers import money

    chart = demo_book.link_chart(case_ref="DEMO-CNC-RU")
    values = sorted(e.value_usd for e in chart.model.edges if e.is_trade)
    threshold = values[len(values) // 2]  # half the links are smaller
    below = [v for v in values if v < threshold]
    data = demo_book.briefing_data(
        case_ref="DEMO-CNC-RU", sections=["network"], network_threshold=threshold
    )
    trade = [e for e in data.network.edges if e.is_trade]
    assert trade and min(e.value_usd for e in trade) >= threshold
    assert data.network_hidden == (
        f"And {len(below)} trade links under {money(threshold, compact=True)} worth "
        f"{money(sum(below), compact=True)} are not drawn."
    )
    # one link per pair of firms, as in the chart
    pairs = [frozenset((e.source, e.target)) for e in trade]
    assert len(pairs) == len(set(pairs))


def test_a_label_moves_off_the_edge_that_would_cross_it():
    # A node with an edge running just under it, left to right: the label goes above.
    nodes = {"a": (100.0, 100.0, 5.0)}
    segments = [(0.0, 90.0, 200.0, 90.0)]
    boxes = place_labels(nodes, {"a": (40.0, 9.0)}, segments, (0, 0, 200, 200))
    x0, y0, x1, y1 = boxes["a"]
    assert y0 > 90.0 and (x0 + x1) / 2 == 100.0  # above the node, not under it
    # and away from another label already placed there
    nodes = {"b": (100.0, 130.0, 5.0), "a": (100.0, 100.0, 5.0)}
    boxes = place_labels(nodes, {"a": (40.0, 9.0), "b": (40.0, 9.0)}, segments, (0, 0, 200, 200))
    a, b = boxes["a"], boxes["b"]
    assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_the_page_draws_the_persons_of_the_firms_with_their_roles(demo_book):
    from casebook.analysis.network import style_for

    data = demo_book.briefing_data(case_ref="DEMO-CNC-RU", sections=["network"])
    (lin,) = [n for n in data.network.nodes if n.name == "Lin Haoran"]
    assert lin.subject == "person" and style_for(lin)["shape"] == "person"
    names = {n.uid: n.name for n in data.network.nodes}
    roles = sorted((names[e.target], e.label) for e in data.network.edges if e.source == lin.uid)
    assert [label for _firm, label in roles] == ["director", "director"]
