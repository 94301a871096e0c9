"""OFAC legacy sdn.csv with alt.csv and add.csv, counted against the reference files."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from casebook.core.errors import Refused
from casebook.ingest.lists import load_list

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
SDN = REFERENCE / "ofac_sdn_2024-05-03_subset.csv"
ALT = REFERENCE / "ofac_alt_2025-01_subset.csv"
ADD = REFERENCE / "ofac_add_2025-01_subset.csv"


def _rows(path: Path) -> list[list[str]]:
    """The rows of a headerless OFAC file, without the 0x1A end-of-file line."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.reader(handle) if r and r != ["\x1a"]]


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _expected_names(*, with_alt: bool) -> int:
    """Distinct names per entry: SDN_Name, quoted a.k.a./f.k.a./n.k.a. in Remarks, alt.csv names.

    Names are compared case- and space-insensitively; an alias without a letter or digit
    (the list has one "a.k.a. '@\"") is not a name; one alias lost its closing quote.
    """
    names = {r[0]: {_fold(r[1])} for r in _rows(SDN)}
    for r in _rows(SDN):
        for alias in re.findall(r"[afn]\.k\.a\. ['\"]?(.+?)['\"]?(?=;|\.?\s*$)", r[11]):
            if re.search(r"\w", alias):
                names[r[0]].add(_fold(alias))
    if with_alt:
        for r in _rows(ALT):
            if r[0] in names:
                names[r[0]].add(_fold(r[3]))
    return sum(len(v) for v in names.values())


@pytest.fixture(scope="module")
def full():
    return load_list(SDN, alt=ALT, add=ADD)


@pytest.fixture(scope="module")
def plain():
    return load_list(SDN)


def by_name(parsed, name):
    return next(r for r in parsed.records if r.name == name)


def test_counts_every_row_and_screens_only_entities(full):
    rows = _rows(SDN)
    assert len(full.records) == len(rows) == 6237
    assert full.entities == sum(1 for r in rows if r[2].strip() == "-0-") == 3293


def test_names_count_the_primary_name_and_every_alias(full, plain):
    assert full.name_count == _expected_names(with_alt=True)
    assert plain.name_count == _expected_names(with_alt=False)


def test_addresses_join_on_the_entry_number(full):
    rows = _rows(ADD)
    assert len({r[0] for r in rows}) == 6214  # entries with an add.csv row (README)
    # 845 rows are all '-0-' (no street, city or country): those entries have no address
    with_address = {r[0] for r in rows if any(f.strip() != "-0-" for f in r[2:5])}
    assert sum(1 for r in full.records if r.addresses) == len(with_address) == 5369
    assert full.orphans == 0


def test_identifiers_and_countries_come_from_remarks(plain):
    record = by_name(plain, "STANKOPROM OOO")
    assert record.identifiers == {"ru_inn": ["3661073772"], "ru_ogrn": ["1163668096327"]}
    assert record.countries == ["RU"]
    assert record.programmes == ["RUSSIA-EO14024"]
    assert record.screenable and record.schema == "entity"


def test_uscc_is_read_from_remarks(plain):
    record = by_name(plain, "SINO MACHINERY CO., LTD.")
    assert record.identifiers["cn_uscc"] == ["91341000MA2NY77U6X"]
    assert record.countries == ["CN"]


def test_inline_aka_is_a_strong_alias_and_fka_a_weak_one(full):
    rusatom = by_name(full, "RUSATOM MACHINE TOOLS JOINT STOCK COMPANY")
    assert {"RMT JSC", "AO RUSSTAN"} <= set(rusatom.aliases)
    sino = by_name(full, "SINO MACHINERY CO., LTD.")
    assert sino.weak_aliases == ["HUANGSHAN WANNAN MACHINERY CO., LTD."]


def test_individuals_vessels_and_aircraft_are_kept_but_not_screened(full):
    kinds = {r.schema for r in full.records if not r.screenable}
    assert kinds == {"individual", "vessel", "aircraft"}


def test_name_and_date_come_from_the_arguments_else_defaults(plain):
    parsed = load_list(SDN, name="My SDN", published="2024-05-03")
    assert (parsed.name, parsed.published, parsed.format) == ("My SDN", "2024-05-03", "ofac")
    assert (plain.name, plain.published) == ("OFAC SDN", None)


def test_a_broken_row_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(SDN.read_bytes()[:2000].rsplit(b"\r\n", 1)[0] + b'\r\n99,"SHORT ROW"\r\n')
    with pytest.raises(Refused, match=r"sdn\.csv, line \d+"):
        load_list(bad, fmt="ofac")


def test_companions_swapped_are_refused():
    with pytest.raises(Refused, match="add_2025"):
        load_list(SDN, alt=ADD)


def test_alt_file_given_as_the_list_is_refused_with_advice():
    with pytest.raises(Refused, match="--alt"):
        load_list(ALT)
