"""A cancelled briefing leaves no file: neither the PDF nor the shipment table beside it."""

from __future__ import annotations

import pytest

from casebook.core.errors import Cancelled


def _cancel_after(calls: int):
    """A ``cancelled`` callback that says yes from its ``calls``-th call on."""
    seen = 0

    def cancelled() -> bool:
        nonlocal seen
        seen += 1
        return seen >= calls

    return cancelled


@pytest.mark.parametrize("calls", [1, 5])
def test_cancel_while_writing_the_table_leaves_no_file(demo_book, tmp_path, monkeypatch, calls):
    from casebook.book import briefing

    monkeypatch.setattr(briefing, "TABLE_BATCH", 10)  # the demo case is one batch of 5,000
    with pytest.raises(Cancelled):
        demo_book.brief(
            case_ref="DEMO-CNC-RU", out=tmp_path / "b.pdf", cancelled=_cancel_after(calls)
        )
    assert list(tmp_path.iterdir()) == []


def test_cancel_while_rendering_leaves_no_file(demo_book, tmp_path):
    cancelled = _cancel_after(3)  # one look while the table is written, then pages
    with pytest.raises(Cancelled):
        demo_book.brief(case_ref="DEMO-CNC-RU", out=tmp_path / "b.pdf", cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_cancelled_force_keeps_the_previous_files(demo_book, tmp_path):
    out = tmp_path / "b.pdf"
    first = demo_book.brief(case_ref="DEMO-CNC-RU", out=out, appendix_rows=3)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(before) == {"b.pdf", "b.shipments.csv"}
    with pytest.raises(Cancelled):
        demo_book.brief(case_ref="DEMO-CNC-RU", out=out, force=True, cancelled=_cancel_after(2))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert first["appendix_rows"] == 3
