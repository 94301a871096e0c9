"""Issue 19, item 5: pinned figures travel in case bundles — the same figures, recomputed to
the same values, in a colleague's store; a forged figure is refused before anything is written."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from casebook.book import Casebook
from casebook.core.filters import ShipmentFilter


def _sibling(name: str):
    """A helper module beside this file (tests run with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zips = _sibling("zips")
case_contents = _sibling("test_bundle").case_contents


def _pin(book, filled) -> list[dict]:
    return [
        book.add_figure(
            case_ref=filled.ref,
            label="Made in China, share",
            measure="share",
            lens=ShipmentFilter.parse(origin="CN"),
        ),  # fmt: skip
        book.add_figure(
            case_ref=filled.ref,
            label="Shipments of the first firm",
            measure="count",
            lens=ShipmentFilter.parse(firm=filled.firm_uids[0]),
        ),  # fmt: skip
    ]


def test_pinned_figures_round_trip_through_a_bundle(book, filled, tmp_path):
    pinned = _pin(book, filled)
    assert [f["value"] for f in pinned] == [pytest.approx(0.99, abs=0.01), 3]
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    with Casebook.open(tmp_path / "other.db", user="colleague", create=True) as other:
        opened = other.open_bundle(out)
        assert opened["conflicts"] == []
        assert opened["created"]["figures"] == 2
        assert other.list_figures(case_ref=filled.ref) == pinned
        assert case_contents(other, filled.ref) == case_contents(book, filled.ref)
        again = other.open_bundle(out)
        assert again["created"]["figures"] == 0 and again["matched"]["figures"] == 2
        assert other.list_figures(case_ref=filled.ref) == pinned


def test_a_figure_naming_a_firm_matched_by_identity_names_the_firm_here(
    book, filled, tmp_path, fill
):
    pinned = _pin(book, filled)
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        (tmp_path / "o").mkdir()
        fill(other, tmp_path / "o", ref="CB-OTHER")  # the same firms (same INNs), other uids
        assert other.open_bundle(out)["conflicts"] == []
        figures = other.list_figures(case_ref=filled.ref)
        assert [(f["label"], f["value"]) for f in figures] == [
            (f["label"], f["value"]) for f in pinned
        ]
        (firm,) = figures[1]["filters"]["firm"]
        assert firm in {f["uid"] for f in other.list_firms(case_ref=filled.ref)}


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"origin": ["Atlantis"]}, "filters"),
        ({"from": 2023}, "filters"),
        ({"delete": "everything"}, "unknown option"),
        ("origin=CN", "filters"),
    ],
)
def test_a_forged_figure_is_refused_before_anything_is_written(
    book, filled, tmp_path, filters, match
):
    _pin(book, filled)
    out = tmp_path / "case.casebook"
    book.export_case(case_ref=filled.ref, out=out)
    members = zips.members_of(out)
    records = json.loads(members["records.json"])
    next(iter(records["figures"].values()))["filters"] = filters
    members["records.json"] = json.dumps(records).encode()
    forged = zips.rebuild(tmp_path / "forged.casebook", members)
    with Casebook.open(tmp_path / "other.db", create=True) as other:
        zips.assert_refused_and_untouched(other, forged, match, tmp_path)
