"""File → Print chart's page, drawn in the core (briefing/chart_print.py) with the briefing's
network drawing: the chart's model, aggregation, threshold and positions."""

from __future__ import annotations

import pytest

from casebook.analysis.network import Edge, NetworkModel, Node, layout_network
from casebook.briefing.chart_print import write_chart_pdf


def _model() -> NetworkModel:
    nodes = [
        Node("a", "深圳精密机械有限公司", country="CN", layer=0),
        Node("b", "ООО «Техно Станок»", country="RU", layer=2),
        Node("c", "A&B <Trading> Ltd", country="HK", layer=1),
        Node("d", "Tiny Supplies", country="TR", layer=0),
    ]
    edges = [
        Edge("a", "b", "trade", 100_000.0, 2, first="2022-01-05", last="2022-02-01"),
        Edge("b", "a", "trade", 5_000.0, 1, first="2022-03-01", last="2022-03-01"),
        Edge("a", "c", "trade", 50_000.0, 1, first="2022-02-06", last="2022-02-06"),
        Edge("c", "b", "trade", 45_000.0, 1, first="2022-03-07", last="2022-03-07"),
        Edge("d", "b", "trade", 900.0, 1, first="2022-03-09", last="2022-03-09"),
    ]
    return NetworkModel(nodes=nodes, edges=edges, case_ref="CB-1")


def _runs(path):
    from pypdf import PdfReader

    page = PdfReader(path).pages[0]
    runs = []

    def visit(chunk, cm, tm, _font, size):
        if chunk.strip():
            runs.append((chunk.strip(), size * (abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]))))

    text = page.extract_text(visitor_text=visit)
    return runs, " ".join(text.split()), page.mediabox


def test_the_page_draws_the_chart_with_its_threshold(tmp_path):
    model = _model()
    positions = layout_network(model, kind="layered")
    out = tmp_path / "chart.pdf"
    result = write_chart_pdf(out, model, positions, title="CB-1 · Test — link chart",
                             threshold=1_000.0, paper="letter", marking="TLP:RED")  # fmt: skip
    assert result["nodes"] == 3 and result["hidden"]["nodes"] == ["d"]
    runs, text, box = _runs(out)
    assert (float(box.width), float(box.height)) == pytest.approx((792, 612))  # letter, across
    for name in ("深圳精密机械有限公司", "ООО «Техно Станок»", "A&B <Trading> Ltd"):
        assert name in text
        assert min(size for t, size in runs if t == name) >= 7.0
    assert "Tiny Supplies" not in text  # under the threshold, with the firm only it joined
    # the trade both ways between a and b is one link: 3 trade links drawn, not 4
    assert result["links"] == 3
    assert "3 firms · 3 trade links · 0 relationships" in text
    assert "trade links under $1 k hidden" in text
    assert "1 smaller trade link worth $900 and 1 firm only they joined are not shown" in text
    assert "TLP:RED" in text
    assert not list(tmp_path.glob("*.part"))


def test_a_node_without_a_position_is_not_drawn(tmp_path):
    model = _model()
    positions = layout_network(model, kind="force")
    del positions["c"]  # hidden in the tab
    out = tmp_path / "chart.pdf"
    write_chart_pdf(out, model, positions, title="t")
    _runs_, text, box = _runs(out)
    assert "A&B <Trading> Ltd" not in text and "ООО «Техно Станок»" in text
    assert (float(box.width), float(box.height)) == pytest.approx((841.89, 595.28), abs=0.5)
