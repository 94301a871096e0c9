"""US Consolidated Screening List CSV, in its 2019 and 2025 layouts."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from casebook.core.errors import Refused
from casebook.ingest.lists import detect_format, load_list

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
CSL_2025 = REFERENCE / "us_csl_consolidated_sample_2025.csv"
CSL_2019 = REFERENCE / "us_csl_sample_2019.csv"
OFAC_TYPES = {"entity", "individual", "vessel", "aircraft"}


def _parties(path: Path) -> dict[tuple, dict]:
    """Rows grouped into parties: by _id or entity_number, else by source and name.

    The Entity List and the Denied Persons List repeat a party once per address and give
    no id, so such rows are one party.
    """
    parties: dict[tuple, dict] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = " ".join(row["name"].split())
            name = re.sub(r";? and any successor, sub-unit, or subsidiary thereof$", "", name)
            key = (row.get("_id") or row["entity_number"]) or (row["source"], name.casefold())
            party = parties.setdefault(key, {"type": row["type"].casefold(), "names": set()})
            party["names"].add(name.casefold())
            for alt in row["alt_names"].split(";"):
                alt = re.sub(r"^and ", "", " ".join(alt.split()))
                if alt:
                    party["names"].add(alt.casefold())
    return parties


@pytest.mark.parametrize(
    ("path", "rows", "records", "screenable"),
    [(CSL_2025, 13, 13, 9), (CSL_2019, 115, 110, 88)],
)
def test_counts_parties_and_screens_all_but_typed_people_and_vessels(
    path, rows, records, screenable
):
    parties = _parties(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == rows
    parsed = load_list(path)
    assert len(parsed.records) == len(parties) == records
    expected = sum(1 for p in parties.values() if p["type"] not in OFAC_TYPES - {"entity"})
    assert parsed.entities == expected == screenable


@pytest.mark.parametrize("path", [CSL_2025, CSL_2019])
def test_names_count_each_party_name_and_alt_name(path):
    expected = sum(len(p["names"]) for p in _parties(path).values())
    assert load_list(path).name_count == expected


def test_source_is_kept_as_the_sublist():
    parsed = load_list(CSL_2025)
    record = next(r for r in parsed.records if r.name == "Atlas Sanatgaran")
    assert record.sublist == "Unverified List (UVL) - Bureau of Industry and Security"
    assert record.countries == ["AM"]
    assert (parsed.name, parsed.format, parsed.published) == (
        "US CSL consolidated_sample",
        "csl",
        None,
    )


def test_ids_are_read_in_both_layouts():
    old = next(r for r in load_list(CSL_2019).records if r.name == "90 EKSPERIMENTALNY ZAVOD OAO")
    assert old.identifiers["ru_inn"] == ["5030056754"]
    new = next(r for r in load_list(CSL_2025).records if r.name.startswith("SME BANK"))
    assert new.identifiers["ru_ogrn"] == ["1027739108649"]


def test_rows_repeated_per_address_are_one_party():
    record = next(r for r in load_list(CSL_2019).records if r.name == "Gunther Migeotte")
    assert len(record.addresses) == 8
    assert set(record.countries) == {"ZA", "NO"}


def test_isn_successor_formula_is_not_part_of_the_name():
    names = [r.name for r in load_list(CSL_2025).records]
    assert "Sinobright Import and Export Company" in names


def test_detected_from_its_header():
    assert detect_format(CSL_2025) == detect_format(CSL_2019) == "csl"


def test_a_csv_without_the_csl_columns_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("source,name\nx,y\n", encoding="utf-8")
    with pytest.raises(Refused, match="other.csv"):
        load_list(other, fmt="csl")
