"""Which publication a list file is: the identity that decides whether a load is a new version
of a list already loaded or a list of its own (ingest/lists/identity.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from casebook.ingest.lists import load_list
from casebook.ingest.lists.identity import file_stem

REFERENCE = Path(
    os.environ.get(
        "CASEBOOK_REFERENCE", Path(__file__).resolve().parents[1] / "fixtures" / "reference"
    )
)
ZALA = REFERENCE / "opensanctions_zala_aero_cluster.ftm.jsonl"
FSF = REFERENCE / "opensanctions_eu_fsf_sample.ftm.jsonl"
CSL_2025 = REFERENCE / "us_csl_consolidated_sample_2025.csv"
CSL_2019 = REFERENCE / "us_csl_sample_2019.csv"
SDN = REFERENCE / "ofac_sdn_2024-05-03_subset.csv"
REG833 = REFERENCE / "eu_reg833_2014_annexes.csv"
SDN_ROW = (
    b'45631,"STANKOPROM OOO",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
)


def _copy(path: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(path, folder / name))


@pytest.mark.parametrize(
    ("path", "name", "identity"),
    [
        (ZALA, "OpenSanctions zala_aero_cluster", "ftm:file:zala_aero_cluster"),
        (FSF, "OpenSanctions eu_fsf", "ftm:datasets:eu_fsf"),
        (CSL_2025, "US CSL consolidated_sample", "csl:file:consolidated_sample"),
        (CSL_2019, "US CSL sample", "csl:file:sample"),
        (SDN, "OFAC SDN", "ofac:sdn"),
        (REG833, "EU Regulation 833/2014", "eu-csv:act:EU Regulation 833/2014"),
    ],
)
def test_each_reference_list_has_its_own_identity_and_name(path, name, identity):
    parsed = load_list(path)
    assert (parsed.name, parsed.identity, parsed.name_given) == (name, identity, False)


def test_ftm_datasets_shared_by_every_entity_outweigh_the_file_name(tmp_path):
    renamed = load_list(_copy(FSF, tmp_path, "entities.ftm.json"))
    assert (renamed.name, renamed.identity) == ("OpenSanctions eu_fsf", "ftm:datasets:eu_fsf")


def test_ftm_entities_without_a_shared_dataset_are_known_by_the_file_name(tmp_path):
    assert load_list(_copy(ZALA, tmp_path, "zala_aero_cluster_2026-05-01.ftm.jsonl")).identity == (
        "ftm:file:zala_aero_cluster"
    )


@pytest.mark.parametrize(
    "file_name", ["consolidated.csv", "consolidated (1).csv", "consolidated_2025-06-25.csv"]
)
def test_csl_as_trade_gov_publishes_it_is_the_us_csl(tmp_path, file_name):
    parsed = load_list(_copy(CSL_2025, tmp_path, file_name))
    assert (parsed.name, parsed.identity) == ("US CSL", "csl:consolidated")


@pytest.mark.parametrize(
    ("file_name", "name"),
    [
        ("sdn.csv", "OFAC SDN"),
        ("v2.csv", "OFAC SDN"),
        ("sdn_2024-06-01.csv", "OFAC SDN"),
        ("cons_prim.csv", "OFAC Consolidated (non-SDN)"),
    ],
)
def test_ofac_files_are_the_sdn_unless_named_as_the_consolidated_list(tmp_path, file_name, name):
    path = tmp_path / file_name
    path.write_bytes(SDN_ROW)
    assert load_list(path).name == name


def test_a_given_name_wins_over_the_identity_and_says_so():
    parsed = load_list(ZALA, name="OpenSanctions ZALA")
    assert (parsed.name, parsed.identity, parsed.name_given) == (
        "OpenSanctions ZALA",
        "ftm:file:zala_aero_cluster",
        True,
    )
    assert load_list(REG833, name="mine").name_given is False  # the act's name wins


@pytest.mark.parametrize(
    ("file_name", "fmt", "stem"),
    [
        ("opensanctions_zala_aero_cluster.ftm.jsonl", "ftm", "zala_aero_cluster"),
        ("us_csl_sample_2019.csv", "csl", "sample"),
        ("consolidated (3).csv", "csl", "consolidated"),
        ("/downloads/Sanctions-20240503.FTM.JSON", "ftm", "sanctions"),
        ("ofac_sdn_2024-05-03_subset.csv", "ofac", "sdn_subset"),
        ("list_2024-05.csv", "csl", "list"),
    ],
)
def test_file_stem_drops_folders_extensions_dates_copies_and_publisher_words(file_name, fmt, stem):
    assert file_stem(file_name, fmt=fmt) == stem


def test_newest_listing_is_the_latest_listing_date_of_any_record():
    assert load_list(CSL_2019).newest_listing == "2019-08-13"
    assert load_list(CSL_2025).newest_listing == "2023-07-19"
    assert load_list(SDN).newest_listing is None
