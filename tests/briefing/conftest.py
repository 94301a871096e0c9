"""A demo store and its briefing, built once for the briefing tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="package")
def demo_book(tmp_path_factory):
    from casebook.book import Casebook

    book = Casebook.open(tmp_path_factory.mktemp("demo") / "demo.db", create=True, user="tester")
    book.build_demo()
    yield book
    book.close()


@pytest.fixture(scope="package")
def demo_pdf(demo_book, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "demo.pdf"
    result = demo_book.brief(case_ref="DEMO-CNC-RU", out=out)
    return out, result


@pytest.fixture(scope="package")
def demo_pages(demo_pdf):
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(demo_pdf[0]).pages]
