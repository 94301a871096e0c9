"""A case with nothing in it still prints: every section says so, markings on every page."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from casebook.core.errors import Refused, UsageError


def test_an_empty_case_prints_and_says_nothing_is_recorded(book, tmp_path):
    book.create_case(title="Empty <case> & co", ref="CB-E", marking="TLP:RED")
    result = book.brief(case_ref="CB-E", out=tmp_path / "e.pdf")
    pages = [p.extract_text() for p in PdfReader(tmp_path / "e.pdf").pages]
    assert len(pages) == result["pages"]
    assert "Empty <case> & co" in pages[0]
    assert "Nothing recorded in this case." in "\n".join(pages)
    for number, text in enumerate(pages, start=1):
        assert "TLP:RED" in text and f"Page {number} of {len(pages)}" in text
    assert "Illustrative data" not in "\n".join(pages)


def test_marking_below_the_case_is_refused_before_writing(book, tmp_path):
    book.create_case(title="T", ref="CB-1", marking="TLP:AMBER")
    with pytest.raises(UsageError):
        book.brief(case_ref="CB-1", out=tmp_path / "x.pdf", marking="TLP:GREEN")
    assert not (tmp_path / "x.pdf").exists()


def test_existing_out_is_refused(book, tmp_path):
    book.create_case(title="T", ref="CB-1")
    out = tmp_path / "x.pdf"
    out.write_text("keep")
    with pytest.raises(Refused):
        book.brief(case_ref="CB-1", out=out)
    assert out.read_text() == "keep"
