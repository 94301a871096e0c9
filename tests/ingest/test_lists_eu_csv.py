"""OpenSanctions' CSV transcription of EU Official Journal annexes (Reg. 833/2014, 269/2014)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from casebook.ingest.lists import detect_format, load_list

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
REG833 = REFERENCE / "eu_reg833_2014_annexes.csv"
REG269 = REFERENCE / "eu_reg269_2014_annexI_subset.csv"


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _names(row: dict) -> set[str]:
    values = [
        row["name"],
        *(v for c in ("alias", "weakAlias", "previousName") for v in row[c].split(";")),
    ]
    return {" ".join(v.split()).casefold() for v in values if v.strip()}


@pytest.mark.parametrize(
    ("path", "records", "screenable"), [(REG833, 1746, 1085), (REG269, 968, 818)]
)
def test_every_row_is_a_record_and_legal_entities_are_screened(path, records, screenable):
    rows = _rows(path)
    parsed = load_list(path)
    assert len(parsed.records) == len(rows) == records
    expected = sum(1 for r in rows if r["schema"] in ("LegalEntity", "Company", "Organization"))
    assert parsed.entities == expected == screenable


@pytest.mark.parametrize("path", [REG833, REG269])
def test_names_count_name_aliases_weak_and_previous_names(path):
    assert load_list(path).name_count == sum(len(_names(r)) for r in _rows(path))


def test_source_ids_are_unique():
    for path in (REG833, REG269):
        ids = [r.source_id for r in load_list(path).records]
        assert len(ids) == len(set(ids))


def test_name_comes_from_the_celex_number_and_beats_the_argument():
    assert load_list(REG833, name="mine").name == "EU Regulation 833/2014"
    assert load_list(REG269).name == "EU Regulation 269/2014"
    assert load_list(REG833, published="2026-07-17").published == "2026-07-17"


def test_labelled_registration_numbers_become_schemes():
    records = {r.source_id: r for r in load_list(REG833).records}
    stanko = records["IV/2"]
    assert stanko.name == "OJSC Stankoinstrument"
    assert stanko.identifiers == {"ru_inn": ["7702715348"]}
    assert stanko.listed_on == "2014-09-12" and stanko.sublist == "Annex IV"
    zhenhuan = records["IV/827"]
    assert zhenhuan.identifiers["cn_uscc"] == ["91331000725858856D"]
    assert zhenhuan.countries == ["CN"] and zhenhuan.listed_on == "2025-10-24"


def test_inn_ogrn_and_kpp_columns_are_read():
    record = next(r for r in load_list(REG269).records if r.identifiers.get("ru_kpp"))
    assert record.identifiers["ru_ogrn"] or record.identifiers["ru_inn"]


def test_vessels_and_assets_are_stored_not_screened():
    parsed = load_list(REG833)
    assert {r.schema for r in parsed.records if not r.screenable} == {"vessel", "other"}
    assert detect_format(REG833) == detect_format(REG269) == "eu-csv"
