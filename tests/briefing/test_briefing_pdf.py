"""The demo briefing read back: markings, page numbers, names, citations, hashes, figures."""

from __future__ import annotations

import hashlib
import re

from pypdf import PdfReader

from casebook.core.numbers import money

REF = "DEMO-CNC-RU"
NAMES = ("ООО «Техностанок»", "北京精雕科技集团有限公司", "A&B <Trading> Ltd")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_result_reports_pages_and_hash(demo_pdf):
    out, result = demo_pdf
    assert result["pages"] == len(PdfReader(out).pages) >= 8
    assert result["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_every_page_has_marking_reference_and_page_number(demo_pages):
    total = len(demo_pages)
    for number, text in enumerate(demo_pages, start=1):
        assert text.count("TLP:GREEN") >= 2, number
        assert REF in text
        assert f"Page {number} of {total}" in text


def test_every_page_of_the_demo_says_it_is_illustrative(demo_pages):
    assert all("Illustrative data — fictional firms" in t for t in demo_pages)


def test_names_in_their_scripts_print_exactly(demo_pages):
    text = "\n".join(demo_pages)
    for name in NAMES:
        assert name in text, name
    assert "A&B; Ltd" not in text


def test_every_citation_resolves_to_a_register_entry(demo_pages, demo_book):
    text = "\n".join(demo_pages)
    cited = set(re.findall(r"\[(E\d+)\]", text))
    register = {e["id"] for e in demo_book.list_evidence(case_ref=REF)}
    assert cited and cited <= register


def test_citations_link_into_the_register(demo_pdf, demo_pages, demo_book):
    reader = PdfReader(demo_pdf[0])
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    links = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                links.append(pages[annot["/Dest"][0].idnum])
    citations = sum(len(f["evidence"]) for f in demo_book.list_findings(case_ref=REF))
    assert len(links) == citations > 0
    for index in links:
        assert "SHA-256" in demo_pages[index]


def test_register_hashes_equal_the_vaults(demo_pages, demo_book):
    text = _flat("\n".join(demo_pages))
    for item in demo_book.list_evidence(case_ref=REF):
        blob = demo_book.vault.path_of(item["sha256"])
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == item["sha256"]
        assert f"SHA-256 {item['sha256']}" in text


def test_figures_equal_stats(demo_pages, demo_book):
    """The demo's figures: its first and last months, each with its leading origin."""
    text = _flat("\n".join(demo_pages))
    months = [r["month"] for r in demo_book.stats(case_ref=REF, by="month")["rows"]]
    for month in (months[0], months[-1]):
        rows = demo_book.stats(case_ref=REF, by="month,origin", date_from=month, date_to=month)
        lead = max(rows["rows"], key=lambda r: r["value_usd"] or 0)
        assert f"{month}: value (USD) {money(lead['value_usd'])}" in text
        assert f"{month}: share of the month {lead['share'] * 100:.1f}%" in text
    total = demo_book.stats(case_ref=REF)["rows"][0]
    assert money(total["value_usd"]) in text


def test_shares_by_origin_and_dispatch_equal_stats(demo_pages, demo_book):
    text = _flat("\n".join(demo_pages))
    for by in ("origin", "dispatch"):
        for row in demo_book.stats(case_ref=REF, by=by)["rows"]:
            assert money(row["value_usd"]) in text, (by, row)


def test_confirmed_hit_and_dismissed_count(demo_pages):
    text = re.sub(r"-\s+", "-", _flat("\n".join(demo_pages)))  # wrapped at a hyphen
    assert "DEMO-RUSSIA-EO14024" in text
    assert "1 hit dismissed" in text and "hit(s)" not in text


def test_provenance_names_the_dataset_and_its_hash(demo_pages, demo_book):
    text = _flat("\n".join(demo_pages))
    for dataset in demo_book.list_datasets(case_ref=REF):
        assert dataset["file_name"] in text
        assert dataset["sha256"] in text


def test_metadata_and_outline(demo_pdf):
    reader = PdfReader(demo_pdf[0])
    meta = reader.metadata
    assert REF in meta.title and meta.author == "tester"
    assert "TLP:GREEN" in meta.get("/Keywords", "")
    assert meta.subject
    titles = {item.title for item in reader.outline if not isinstance(item, list)}
    assert {"Bottom line up front", "Trade picture", "Evidence register"} <= titles


def test_the_chain_head_is_on_the_cover(demo_pages, demo_book):
    assert demo_book.head_hash() in _flat(demo_pages[0])


def test_a_firm_with_one_shipment_reads_one_shipment():
    from types import SimpleNamespace

    from casebook.briefing.sections import firms

    firm = {"name": "Solo Ltd", "country": "HK", "role": "intermediary", "shipments": 1}
    story = firms(SimpleNamespace(firms=[firm], lens=None, filtered=""), 500.0)
    cells = [p.text for row in story[-1]._cellvalues for p in row if hasattr(p, "text")]
    assert "1 shipment, —" in " ".join(cells)  # no value: a dash, not "$–"
    assert "1 shipments" not in " ".join(cells)


def test_the_people_section_names_them_in_their_script_with_roles_and_dates(demo_pages):
    text = _flat("\n".join(demo_pages))
    page = next(_flat(t) for t in demo_pages if "People" in t and "林浩然" in t)
    assert "Lin Haoran (林浩然)" in page and "Sergei Volkov (Волков Сергей Петрович)" in page
    assert "1979-04-12 · HK" in page
    assert "director of Huaxin Precision Machinery Ltd, 2021-06-01 – now" in page
    assert "beneficial owner (75%) of ООО «Техностанок», 2020-03-01 – now" in page
    assert "director of ООО «Техностанок», 2020-03-01 – 2022-12-31" in page
    assert "Same person behind other firms of the case" in text  # the firms' red flags


def test_the_demo_chart_draws_its_two_people_beside_their_firms(demo_pages):
    """Issue 21: the network page of the demo's briefing names both persons and says in its
    legend how persons and their roles are drawn."""
    page = _flat(next(t for t in demo_pages if "Network of firms" in t))
    assert "Lin Haoran" in page and "Sergei Volkov" in page
    assert "persons" in page and "a person's role" in page
