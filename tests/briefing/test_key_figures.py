"""Issue 19, item 5: the briefing's key figures are the case's own (its first and last months,
never the demo's) or the ones the analyst pinned, recomputed when it prints."""

from __future__ import annotations

import csv

from pypdf import PdfReader

from casebook.book.demo import HEADER

REF = "CB-FIG"
#: (date, origin, value): data from May to October 2023, with shipments in July too.
ROWS = [
    ("2023-05-03", "DE", 3000),
    ("2023-05-20", "CN", 1000),
    ("2023-07-10", "CN", 5000),
    ("2023-10-02", "TR", 2000),
    ("2023-10-30", "CN", 500),
]


def make_case(book, tmp_path) -> None:
    """A case whose shipments cover May–October 2023."""
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, (date, origin, value) in enumerate(ROWS, start=1):
            row = dict.fromkeys(HEADER, "")
            row |= {
                "Declaration No": f"10702030/010123/{n:07d}",
                "Item No": "1",
                "Date": date,
                "Direction": "import",
                "Exporter": f"Exporter {n} Ltd",
                "Exporter Country": origin,
                "Importer": "ООО Импортер",
                "Importer Country": "RU",
                "Country of Origin": origin,
                "Country of Dispatch": "KZ",
                "Country of Destination": "RU",
                "HS Code": "8458110000",
                "Goods Description": "CNC lathe",
                "Value USD": str(value),
            }
            writer.writerow([row[h] for h in HEADER])
    book.create_case(title="Lathes via Almaty", ref=REF)
    book.import_file(path, case_ref=REF, preset="generic-en")


def _text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_figures_come_from_the_cases_own_first_and_last_months(book, tmp_path):
    make_case(book, tmp_path)
    book.brief(case_ref=REF, out=tmp_path / "b.pdf", sections="trade")
    text = _text(tmp_path / "b.pdf")
    assert "All shipments, value (USD) $11,500" in text
    assert "Germany (origin), 2023-05: share of the month 75.0%" in text
    assert "Türkiye (origin), 2023-10: share of the month 80.0%" in text
    assert "casebook stats --case CB-FIG --by month,origin --from 2023-05 --to 2023-05" in text
    for month in ("2022-02", "2023-07"):
        assert f"(origin), {month}" not in text
    assert "No figure is pinned to this case" in text


def test_derived_figures_keep_to_the_briefings_filter(book, tmp_path):
    from casebook.core.filters import ShipmentFilter

    make_case(book, tmp_path)
    data = book.briefing_data(case_ref=REF, lens=ShipmentFilter.parse(origin="CN"))
    labels = [f["label"] for f in data.figures]
    assert labels == [
        "Shipments in the filter, value (USD)",
        "Shipments in the filter, count",
        "China (origin), 2023-05: value (USD)",
        "China (origin), 2023-05: share of the month",
        "China (origin), 2023-10: value (USD)",
        "China (origin), 2023-10: share of the month",
    ]
    assert data.figures[0]["value"] == "$6,500"


def test_a_pinned_figure_prints_with_its_label_value_and_command(book, tmp_path):
    from casebook.core.filters import ShipmentFilter

    make_case(book, tmp_path)
    book.add_figure(
        case_ref=REF,
        label="Chinese-origin share, 2023",
        measure="share",
        lens=ShipmentFilter.parse(origin="CN", date_from="2023", date_to="2023"),
    )
    book.brief(case_ref=REF, out=tmp_path / "b.pdf", sections="trade")
    text = _text(tmp_path / "b.pdf")
    assert "Chinese-origin share, 2023 56.5%" in text  # (1,000 + 5,000 + 500) / 11,500
    assert "casebook stats --case CB-FIG --from 2023 --to 2023 --origin CN" in text
    assert "Germany (origin)" not in text  # the analyst's figures replace the derived ones
    assert "Figures pinned by the analyst" in text


def test_a_pinned_figure_whose_firm_is_gone_says_so(book, tmp_path):
    from casebook.core.filters import ShipmentFilter

    make_case(book, tmp_path)
    firm = book.list_firms(case_ref=REF)[0]["uid"]
    book.add_figure(case_ref=REF, label="The first firm's trade",
                    lens=ShipmentFilter.parse(firm=firm))  # fmt: skip
    (dataset,) = book.list_datasets(case_ref=REF)
    book.delete_dataset(dataset["uid"])
    book.delete_firm(firm)
    (figure,) = book.briefing_data(case_ref=REF).figures
    assert figure["value"] == f"— (no firm {firm!r})"


def test_a_case_with_a_pinned_figure_can_be_deleted(book):
    book.create_case(title="Started by mistake", ref="CB-OOPS")
    book.add_figure(case_ref="CB-OOPS", label="Everything", measure="count")
    book.delete_case("CB-OOPS")
    assert [c.ref for c in book.list_cases()] == []


def test_a_pinned_figure_is_recomputed_when_the_briefing_prints(book, tmp_path):
    from casebook.core.filters import ShipmentFilter

    make_case(book, tmp_path)
    book.add_figure(case_ref=REF, label="Shipments from Türkiye", measure="count",
                    lens=ShipmentFilter.parse(origin="TR"))  # fmt: skip
    assert [f["value"] for f in book.briefing_data(case_ref=REF).figures] == ["1"]
    (dataset,) = book.list_datasets(case_ref=REF)
    book.delete_dataset(dataset["uid"])
    assert [f["value"] for f in book.briefing_data(case_ref=REF).figures] == ["0"]
